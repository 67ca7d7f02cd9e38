using System.Globalization;
using System.Text.RegularExpressions;

namespace StTrain.Skill.Runs;

/// <summary>
/// Progress read off one trainer log line, e.g. "step 40/200 | loss=0.731 | lr=1.8e-05 | 52.1 samples/s" or
/// "step=40 max_steps=200 loss=0.731": a step, the total when the line gives one, and the line as the message.
/// </summary>
/// <param name="Step">The optimizer step.</param>
/// <param name="Total">Total steps when known.</param>
/// <param name="Message">The log line, trimmed to 200 characters.</param>
public sealed partial record LogLineProgress(long Step, long? Total, string Message)
{
    [GeneratedRegex(@"\bstep\s*[=:]?\s*(?<step>\d+)\s*(?:/|of)\s*(?<total>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex StepOfTotal();

    [GeneratedRegex(@"\bstep\s*[=:]\s*(?<step>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex StepOnly();

    [GeneratedRegex(@"\b(?:max_steps|total_steps)\s*[=:]\s*(?<total>\d+)", RegexOptions.IgnoreCase)]
    private static partial Regex TotalOnly();

    /// <summary>Progress from a line, or null when the line reports no step.</summary>
    public static LogLineProgress? TryParse(string line)
    {
        var message = line.Trim();
        if (message.Length > 200)
        {
            message = message[..200];
        }

        var both = StepOfTotal().Match(line);
        if (both.Success)
        {
            return new LogLineProgress(Parse(both.Groups["step"].Value), Parse(both.Groups["total"].Value), message);
        }

        var step = StepOnly().Match(line);
        if (!step.Success)
        {
            return null;
        }

        var total = TotalOnly().Match(line);
        return new LogLineProgress(
            Parse(step.Groups["step"].Value), total.Success ? Parse(total.Groups["total"].Value) : null, message);
    }

    private static long Parse(string digits) => long.Parse(digits, CultureInfo.InvariantCulture);
}
