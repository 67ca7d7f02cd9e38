using StTrain.Skill.References;
using Xunit;

namespace StTrain.Tests.Skill;

public sealed class ReferencePaginatorTests
{
    private static string Section(string heading, int paragraphs, int length = 300) =>
        $"## {heading}\n\n" + string.Join("\n\n",
            Enumerable.Range(0, paragraphs).Select(i => new string((char)('a' + i % 26), length))) + "\n\n";

    [Fact]
    public void Pages_join_back_to_the_text_and_respect_the_size()
    {
        var text = "# Title\n\nIntro.\n\n" + Section("One", 5) + Section("Two", 9) + Section("Three", 2);

        var pages = ReferencePaginator.Paginate(text, 2000);

        Assert.Equal(text, string.Concat(pages));
        Assert.All(pages, page => Assert.True(page.Length <= 2000, $"page of {page.Length} characters"));
        Assert.True(pages.Count >= 2);
    }

    [Fact]
    public void Pages_start_at_headings_when_whole_sections_fit()
    {
        var text = Section("One", 3) + Section("Two", 3) + Section("Three", 3);

        var pages = ReferencePaginator.Paginate(text, 2000);

        Assert.All(pages, page => Assert.StartsWith("## ", page));
    }

    [Fact]
    public void A_section_larger_than_a_page_is_cut_at_paragraphs_not_mid_line()
    {
        var text = Section("Huge", 20);

        var pages = ReferencePaginator.Paginate(text, 1000);

        Assert.Equal(text, string.Concat(pages));
        Assert.All(pages.Take(pages.Count - 1), page => Assert.EndsWith("\n", page));
    }

    [Fact]
    public void Headings_inside_code_fences_are_not_headings()
    {
        var text = "## Real\n\n```yaml\n## not a heading\n# comment\nkey: value\n```\n\n## Also real\n";

        Assert.Equal(["Real", "Also real"], MarkdownSections.Headings(text));
        Assert.Equal(2, MarkdownSections.SplitAt(text, 2).Count);
    }

    [Fact]
    public void A_short_text_is_one_page()
    {
        Assert.Equal(["tiny"], ReferencePaginator.Paginate("tiny"));
        Assert.Equal([""], ReferencePaginator.Paginate(""));
    }
}
