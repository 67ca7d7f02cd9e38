using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using StTrain.Skill;
using StTrain.Skill.Runs;

namespace StTrain.Server.Mcp;

/// <summary>
/// Starts `st-train train SPEC` in the background and follows it. The process writes straight into
/// runs/{RUN}/train.console.log (through `sh -c 'exec ... >> log'`), not into a pipe, so it keeps running and
/// logging if this server exits; the server follows the file to send progress notifications and records the exit
/// code in launch.json when it sees the process end.
/// </summary>
public sealed class TrainingSupervisor(SkillServices skill, ILogger<TrainingSupervisor> logger) : IDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, TrainingJob> _jobs = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _startGate = new();

    /// <summary>Whether this server is following a live training process for the run.</summary>
    public bool IsRunning(string runName) => _jobs.TryGetValue(runName, out var job) && !job.Exited.IsCompleted;

    /// <summary>Starts training a run; <see cref="SkillException"/> when one is already running.</summary>
    public LaunchRecord Start(string runName, string specHash)
    {
        lock (_startGate)
        {
            if (IsRunning(runName))
            {
                throw new SkillException($"Run '{runName}' is already training; follow it with report_verdict.");
            }

            var consoleLog = skill.Workspace.ConsoleLogPath(runName);
            Directory.CreateDirectory(Path.GetDirectoryName(consoleLog)!);
            File.WriteAllText(consoleLog, "");

            var inner = StTrainCommand.StartInfo(
                skill.Workspace.Root, skill.Paths.ContentRoot, "train", RunWorkspace.RelativeSpecPath(runName));
            var info = new ProcessStartInfo("/bin/sh")
            {
                WorkingDirectory = inner.WorkingDirectory,
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };

            // $0 is the log file, "$@" the st-train command; exec keeps the process id that is recorded.
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("exec \"$@\" >> \"$0\" 2>&1 < /dev/null");
            info.ArgumentList.Add(consoleLog);
            info.ArgumentList.Add(inner.FileName);
            foreach (var argument in inner.ArgumentList)
            {
                info.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in inner.Environment)
            {
                info.Environment[key] = value;
            }

            var process = Process.Start(info)
                ?? throw new SkillException($"Could not start the training process for '{runName}'.");
            process.StandardInput.Close();
            var command = StTrainCommand.Describe(inner);
            var launch = new LaunchRecord(process.Id, DateTimeOffset.UtcNow, specHash, command);
            RunJson.Write(skill.Workspace.LaunchRecordPath(runName), launch);
            logger.LogInformation("Training {Run} started as process {Pid}: {Command}", runName, process.Id, command);

            var job = new TrainingJob(process, consoleLog);
            _jobs[runName] = job;
            _ = FollowAsync(runName, job, launch);
            return launch;
        }
    }

    /// <summary>Sends this run's step progress to a client that asked for it with a progress token.</summary>
    public void Subscribe(string runName, McpServer server, ProgressToken token)
    {
        if (_jobs.TryGetValue(runName, out var job))
        {
            job.Subscribers.Add((server, token));
        }
    }

    /// <summary>Waits until the run's process exits or <paramref name="limit"/> passes.</summary>
    public async Task WaitAsync(string runName, TimeSpan limit, CancellationToken cancel)
    {
        if (_jobs.TryGetValue(runName, out var job))
        {
            await Task.WhenAny(job.Exited, Task.Delay(limit, cancel));
            cancel.ThrowIfCancellationRequested();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Training processes are left running on purpose: runs outlive the server that started them.
        _stopping.Cancel();
        _stopping.Dispose();
    }

    private async Task FollowAsync(string runName, TrainingJob job, LaunchRecord launch)
    {
        long position = 0;
        var pending = new StringBuilder();
        double lastReported = -1;
        try
        {
            while (true)
            {
                var exited = job.Process.HasExited;
                position = await ReadNewLinesAsync(job.ConsoleLog, position, pending, line =>
                {
                    if (LogLineProgress.TryParse(line) is { } step && step.Step > lastReported)
                    {
                        lastReported = step.Step;
                        Notify(job, new ProgressNotificationValue
                        {
                            Progress = step.Step, Total = step.Total, Message = step.Message,
                        });
                    }
                });

                if (exited)
                {
                    break;
                }

                await Task.Delay(PollInterval, _stopping.Token);
            }

            await job.Process.WaitForExitAsync(_stopping.Token);
            var exitCode = job.Process.ExitCode;
            RunJson.Write(skill.Workspace.LaunchRecordPath(runName),
                launch with { ExitCode = exitCode, ExitedAt = DateTimeOffset.UtcNow });
            logger.LogInformation("Training {Run} exited with code {Code}", runName, exitCode);
            Notify(job, new ProgressNotificationValue
            {
                Progress = (float)Math.Max(lastReported + 1, 1),
                Message = exitCode == 0
                    ? $"Training {runName} finished; call report_verdict."
                    : $"Training {runName} failed (exit code {exitCode}); call report_verdict.",
            });
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // The server is shutting down; the training process carries on and its files tell the rest.
        }
        catch (Exception error) when (error is IOException or InvalidOperationException)
        {
            logger.LogError(error, "Lost track of training {Run}", runName);
        }
        finally
        {
            job.MarkExited();
        }
    }

    private static async Task<long> ReadNewLinesAsync(
        string path, long position, StringBuilder pending, Action<string> onLine)
    {
        if (!File.Exists(path))
        {
            return position;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.Length < position)
        {
            position = 0; // Truncated by a new launch.
        }

        stream.Seek(position, SeekOrigin.Begin);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = await reader.ReadToEndAsync();
        pending.Append(text);
        var lines = pending.ToString().Split('\n');
        for (var index = 0; index < lines.Length - 1; index++)
        {
            onLine(lines[index].TrimEnd('\r'));
        }

        pending.Clear().Append(lines[^1]);
        return stream.Position;
    }

    private void Notify(TrainingJob job, ProgressNotificationValue value)
    {
        foreach (var (server, token) in job.Subscribers)
        {
            _ = SendAsync(server, token, value);
        }
    }

    private async Task SendAsync(McpServer server, ProgressToken token, ProgressNotificationValue value)
    {
        try
        {
            await server.NotifyProgressAsync(token, value, cancellationToken: _stopping.Token);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A client that went away must not stop the training it started.
            logger.LogDebug(error, "Progress notification not delivered");
        }
    }

    private sealed class TrainingJob(Process process, string consoleLog)
    {
        private readonly TaskCompletionSource _exited = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Process Process { get; } = process;

        public string ConsoleLog { get; } = consoleLog;

        public ConcurrentBag<(McpServer Server, ProgressToken Token)> Subscribers { get; } = [];

        public Task Exited => _exited.Task;

        public void MarkExited() => _exited.TrySetResult();
    }
}
