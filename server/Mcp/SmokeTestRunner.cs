using System.Diagnostics;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using StTrain.Skill.Runs;

namespace StTrain.Server.Mcp;

/// <summary>Runs `st-train smoke SPEC` to completion, saving its output and reporting step progress.</summary>
public sealed class SmokeTestRunner(SkillServices skill, ILogger<SmokeTestRunner> logger)
{
    /// <summary>Runs the smoke test of a run and waits for it.</summary>
    public async Task<SmokeOutcome> RunAsync(
        string runName, TimeSpan limit, IProgress<ProgressNotificationValue>? progress, CancellationToken cancel)
    {
        var info = StTrainCommand.StartInfo(
            skill.Workspace.Root, skill.Paths.ContentRoot, "smoke", RunWorkspace.RelativeSpecPath(runName));
        var logPath = skill.Workspace.SmokeLogPath(runName);
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        logger.LogInformation("Smoke test of {Run}: {Command}", runName, StTrainCommand.Describe(info));

        var clock = Stopwatch.StartNew();
        await using var log = new StreamWriter(logPath, append: false) { AutoFlush = true };
        var gate = new Lock();
        void OnLine(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (gate)
            {
                log.WriteLine(line);
            }

            if (LogLineProgress.TryParse(line) is { } step)
            {
                progress?.Report(new ProgressNotificationValue
                {
                    Progress = step.Step, Total = step.Total, Message = step.Message,
                });
            }
        }

        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, data) => OnLine(data.Data);
        process.ErrorDataReceived += (_, data) => OnLine(data.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        timeout.CancelAfter(limit);
        var timedOut = false;
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
            cancel.ThrowIfCancellationRequested();
            timedOut = true;
            lock (gate)
            {
                log.WriteLine($"st-train serve: smoke test stopped after {limit.TotalSeconds:F0} s (time limit).");
            }
        }

        // WaitForExit without a timeout also waits for the redirected streams to drain.
        process.WaitForExit();
        lock (gate)
        {
            log.Flush();
        }

        var exitCode = timedOut ? -1 : process.ExitCode;
        logger.LogInformation("Smoke test of {Run} ended with exit code {Code}", runName, exitCode);
        return new SmokeOutcome(exitCode, TextTail.Lines(logPath, 30), clock.Elapsed, timedOut);
    }
}
