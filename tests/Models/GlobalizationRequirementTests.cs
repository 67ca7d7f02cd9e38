using System.Diagnostics;
using Xunit;
using Xunit.Abstractions;

namespace StTrain.Tests.Models;

/// <summary>
/// Accent stripping needs ICU (string.Normalize is a silent no-op in globalization-invariant mode): the product runs
/// with ICU, and a process forced into invariant mode refuses to tokenize with a message naming the cause and fix
/// instead of producing token ids that differ from Hugging Face's.
/// </summary>
[Collection(BundledModelsCollection.Name)]
public sealed class GlobalizationRequirementTests(BundledModelsFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public void RunsWithIcuSoAccentsCanBeStripped()
    {
        Assert.Equal("e\u0301", "\u00e9".Normalize(System.Text.NormalizationForm.FormD));
    }

    [Fact]
    public async Task InvariantModeFailsWithTheFix()
    {
        string work = Directory.CreateTempSubdirectory("st-train-invariant-").FullName;
        try
        {
            string input = Path.Combine(work, "texts.txt");
            File.WriteAllText(input, "Café crème\n");
            var start = new ProcessStartInfo("dotnet")
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                ArgumentList =
                {
                    Path.Combine(AppContext.BaseDirectory, "st-train.dll"), "encode", "--model", fixture.MiniLMFolder,
                    "--input", input, "--output", Path.Combine(work, "out.jsonl"),
                },
            };
            start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
            start.Environment["ST_TRAIN_CACHE"] = Path.Combine(work, "cache");
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            string stderr = await process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            await process.WaitForExitAsync(timeout.Token);
            output.WriteLine(stderr + await stdout);

            Assert.Equal(1, process.ExitCode);
            Assert.Contains("globalization-invariant mode", stderr);
            Assert.Contains("install ICU", stderr);
            Assert.False(File.Exists(Path.Combine(work, "out.jsonl")));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
