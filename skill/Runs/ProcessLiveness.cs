using System.Diagnostics;

namespace StTrain.Skill.Runs;

/// <summary>Whether a recorded process is still the one that was started (guards against reused ids).</summary>
public static class ProcessLiveness
{
    /// <summary>True when a process with this id runs and started within a minute of the recorded time.</summary>
    public static bool IsAlive(int processId, DateTimeOffset startedAt)
    {
        try
        {
            using var process = Process.GetProcessById(processId);
            if (process.HasExited)
            {
                return false;
            }

            var started = new DateTimeOffset(process.StartTime.ToUniversalTime(), TimeSpan.Zero);
            return (started - startedAt).Duration() < TimeSpan.FromMinutes(1);
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException
                                          or System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }
}
