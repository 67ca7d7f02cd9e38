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
        logger.LogInformation("Smoke test of {Run}: {Command}", runName, StTrainCommand.Describe(info));

        var outcome = await ChildCommand.RunAsync(info, logPath, limit, cancel, line =>
        {
            if (LogLineProgress.TryParse(line) is { } step)
            {
                progress?.Report(new ProgressNotificationValue
                {
                    Progress = step.Step, Total = step.Total, Message = step.Message,
                });
            }
        });
        logger.LogInformation("Smoke test of {Run} ended with exit code {Code}", runName, outcome.ExitCode);
        return outcome;
    }
}
