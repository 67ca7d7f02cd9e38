using StTrain.Core.Training.Spec;
using StTrain.Skill.Specs;
using StTrain.Skill.Templates;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class TemplateTests
{
    public static TheoryData<string> Names() => new(TemplateRegistry.All.Select(t => t.Name));

    [Fact]
    public void Every_registered_template_has_a_file_and_every_file_is_registered()
    {
        var files = Directory.GetFiles(RepositoryPaths.Templates, "*.yaml").Select(Path.GetFileNameWithoutExtension);

        Assert.Equal(TemplateRegistry.All.Select(t => t.Name).Order(), files.Order());
    }

    [Fact]
    public void Each_model_type_has_exactly_one_default_template()
    {
        Assert.All(TemplateRegistry.All.GroupBy(t => t.ModelType),
            group => Assert.Single(group, template => template.IsDefault));
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Templates_are_yaml_and_state_their_model_type(string name)
    {
        var info = TemplateRegistry.Find(name)!;
        var text = new TemplateLibrary(RepositoryPaths.Templates).ReadText(info);

        var document = SpecDocument.Parse(text, name);

        Assert.Equal(info.ModelType.ToString(), document.GetScalar("model_type"));
        Assert.StartsWith("#", text); // Every template explains itself before the first key.
        Assert.DoesNotContain("import ", text);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Available_templates_scaffold_into_specs_the_trainer_parses(string name)
    {
        var info = TemplateRegistry.Find(name)!;
        if (!info.Available)
        {
            Assert.NotNull(info.UnavailableReason);
            return;
        }

        var text = new TemplateLibrary(RepositoryPaths.Templates).ReadText(info);
        var scaffolded = SpecScaffolder.Scaffold(text, name, "template-check", null);

        var spec = RunSpec.Parse(scaffolded.Text, "/tmp/runs/template-check/spec.yaml");
        Assert.Equal("template-check", spec.RunName);
        Assert.Equal(info.ModelType.ToString(), spec.ModelType);
        var (problems, warnings) = SpecValidation.Check(scaffolded.Text, "/tmp/runs/template-check/spec.yaml");
        Assert.Empty(problems);
        Assert.Empty(warnings); // The trainer's validator ran to completion on the template.
    }

    [Fact]
    public void The_base_bi_encoder_template_is_always_available()
    {
        Assert.True(TemplateRegistry.Find("sentence_transformer")!.Available);
    }
}
