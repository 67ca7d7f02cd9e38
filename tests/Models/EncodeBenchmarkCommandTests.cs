using System.Text.RegularExpressions;
using StTrain.Server.Commands;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

public sealed partial class EncodeBenchmarkCommandTests(ITestOutputHelper output)
{
    [GeneratedRegex(@"([\d.]+) sentences/s")]
    private static partial Regex Rate();

    [Fact]
    public void ReportsBothEnginesOnTheBundledModel()
    {
        var writer = new StringWriter();
        int code = EncodeBenchmarkCommand.Run(
            ["encode", "--model", "all-MiniLM-L6-v2", "--batch-size", "4", "--seq-len", "16", "--batches", "2",
             "--warmup", "1", "--threads", "1"], writer);
        output.WriteLine(writer.ToString());
        Assert.Equal(0, code);
        var rates = Rate().Matches(writer.ToString()).Select(m => double.Parse(m.Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, rates.Count);
        Assert.All(rates, r => Assert.True(r > 0));
        var cosine = Regex.Match(writer.ToString(), @"min cosine between the two = ([\d.]+)");
        Assert.True(double.Parse(cosine.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0.99999);
    }

    [Fact]
    public void RejectsAnUnknownOption()
    {
        Assert.Equal(2, EncodeBenchmarkCommand.Run(["encode", "--batchsize", "4"], TextWriter.Null));
    }

    [Fact]
    public void NeedsAGraphForAModelThatIsNotBundled()
    {
        string[] args = ["--model", "/some/local/model", "--batches", "1"];
        Assert.Equal(2, EncodeBenchmarkCommand.Run(args, TextWriter.Null));
    }
}
