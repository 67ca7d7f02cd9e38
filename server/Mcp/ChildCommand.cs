using System.Diagnostics;
using StTrain.Skill.Runs;

namespace StTrain.Server.Mcp;

/// <summary>
/// Runs an `st-train` subcommand in a child process to completion, with its stdout and stderr saved to a log file.
/// TorchSharp work runs there, never in the server process.
/// </summary>
public static class ChildCommand
{
    /// <summary>
    /// Runs the process; a timeout kills its whole tree and is reported as exit code -1. <paramref name="onLine"/>
    /// sees every output line after it is logged (e.g. to report progress).
    /// </summary>
    public static async Task<SmokeOutcome> RunAsync(
        ProcessStartInfo info, string logPath, TimeSpan limit, CancellationToken cancel, Action<string>? onLine = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var clock = Stopwatch.StartNew();
        int exitCode;
        bool timedOut;
        await using (var log = new StreamWriter(logPath, append: false) { AutoFlush = true })
        {
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

                onLine?.Invoke(line);
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
            timedOut = false;
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
            }

            // WaitForExit without a timeout also waits for the redirected streams to drain.
            process.WaitForExit();
            lock (gate)
            {
                if (timedOut)
                {
                    log.WriteLine($"st-train serve: stopped after {limit.TotalSeconds:F0} s (time limit).");
                }

                log.Flush();
            }

            exitCode = timedOut ? -1 : process.ExitCode;
        }

        return new SmokeOutcome(exitCode, TextTail.Lines(logPath, 30), clock.Elapsed, timedOut);
    }
}
