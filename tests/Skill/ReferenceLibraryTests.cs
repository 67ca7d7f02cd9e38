using StTrain.Skill;
using StTrain.Skill.References;
using StTrain.Skill.Routing;
using StTrain.Tests.Mcp;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class ReferenceLibraryTests : IDisposable
{
    private readonly string _root = RepositoryPaths.NewWorkspace();

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string MakeReferences()
    {
        var references = Path.Combine(_root, "references");
        Directory.CreateDirectory(references);
        foreach (var info in ReferenceRegistry.All)
        {
            File.WriteAllText(Path.Combine(references, info.FileName),
                $"# {info.Name}\n\n## First\n\n{new string('x', 900)}\n\n## Second\n\n{new string('y', 900)}\n");
        }

        return references;
    }

    [Fact]
    public void A_reference_that_links_outside_the_folder_is_not_served()
    {
        var references = MakeReferences();
        var secret = Path.Combine(_root, "secret.md");
        File.WriteAllText(secret, "## secret\n");
        var target = Path.Combine(references, "training_args.md");
        File.Delete(target);
        File.CreateSymbolicLink(target, secret);

        var error = Assert.Throws<SkillException>(() => new ReferenceLibrary(references).Load("training_args"));

        Assert.Contains("outside the references folder", error.Message);
    }

    [Fact]
    public void A_link_that_stays_inside_the_folder_is_served()
    {
        var references = MakeReferences();
        var target = Path.Combine(references, "hardware_guide.md");
        File.Delete(target);
        File.CreateSymbolicLink(target, Path.Combine(references, "troubleshooting.md"));

        var document = new ReferenceLibrary(references).Load("hardware_guide");

        Assert.Contains("# troubleshooting", document.Pages[0]);
    }

    [Theory]
    [InlineData("../secret")]
    [InlineData("/etc/passwd")]
    [InlineData("sub/dir")]
    [InlineData("name with spaces")]
    [InlineData("")]
    [InlineData(null)]
    public void Names_that_are_not_plain_reference_names_are_refused(string? name)
    {
        var library = new ReferenceLibrary(MakeReferences());

        Assert.Throws<SkillException>(() => library.Load(name));
    }

    [Fact]
    public void Names_work_with_or_without_md_and_in_any_case()
    {
        var library = new ReferenceLibrary(MakeReferences());

        Assert.Equal("training_args", library.Load("Training_Args.md").Info.Name);
    }

    [Fact]
    public void A_file_counts_as_read_only_when_every_page_was_delivered_and_troubleshooting_by_its_headings()
    {
        var library = new ReferenceLibrary(MakeReferences(), pageSize: 1000);
        var gate = new ReadingGate(library);
        var ledger = new ReadingLedger();
        var required = ReferenceRegistry.RequiredFor(ModelType.CrossEncoder);

        Assert.Equal(required.Count, gate.Unread(ledger, ModelType.CrossEncoder).Count);
        foreach (var info in required.Where(info => info.Requirement == ReadingRequirement.AlwaysRequired))
        {
            var pages = library.Load(info.Name).Pages.Count;
            Assert.True(pages >= 2);
            ledger.RecordPage(info.Name, 1, pages);
        }

        var afterFirstPages = gate.Unread(ledger, ModelType.CrossEncoder);
        Assert.Equal(required.Count, afterFirstPages.Count);
        Assert.All(afterFirstPages.Where(u => u.Requirement == ReadingRequirement.AlwaysRequired),
            unread => Assert.Equal([2], unread.MissingPages));

        foreach (var info in required.Where(info => info.Requirement == ReadingRequirement.AlwaysRequired))
        {
            ledger.RecordPage(info.Name, 2, library.Load(info.Name).Pages.Count);
        }

        Assert.Equal("troubleshooting", Assert.Single(gate.Unread(ledger, ModelType.CrossEncoder)).Name);
        ledger.RecordHeadings("troubleshooting");
        Assert.Empty(gate.Unread(ledger, ModelType.CrossEncoder));
    }

    [Fact]
    public void When_applicable_files_are_required_only_when_their_condition_holds()
    {
        var library = new ReferenceLibrary(MakeReferences());
        var gate = new ReadingGate(library);
        var ledger = new ReadingLedger();
        foreach (var info in ReferenceRegistry.RequiredFor(ModelType.SentenceTransformer))
        {
            ledger.RecordPage(info.Name, 1, library.Load(info.Name).Pages.Count);
            ledger.RecordHeadings(info.Name);
        }

        Assert.Empty(gate.Unread(ledger, ModelType.SentenceTransformer, _ => null));
        var unread = gate.Unread(ledger, ModelType.SentenceTransformer,
            info => info.Name == "prompts_and_instructions" ? "the spec sets model.prompts" : null);

        var missing = Assert.Single(unread);
        Assert.Equal("prompts_and_instructions", missing.Name);
        Assert.Contains("the spec sets model.prompts", missing.Describe());
    }
}
