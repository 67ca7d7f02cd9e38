using System.Globalization;

namespace StTrain.Core.Training;

/// <summary>
/// The end-of-run judgement: WIN when the score beats the baseline by at least 0.005, MARGINAL when it is not
/// worse, REGRESSION otherwise. For metrics where lower is better the delta is taken the other way round.
/// </summary>
public sealed record Verdict(string Outcome, double Score, double Baseline, double Delta)
{
    public const double WinMargin = 0.005;

    public static Verdict From(double score, double baseline, bool greaterIsBetter = true)
    {
        double delta = greaterIsBetter ? score - baseline : baseline - score;
        string outcome = delta >= WinMargin ? "WIN" : delta >= 0 ? "MARGINAL" : "REGRESSION";
        return new Verdict(outcome, score, baseline, delta);
    }

    /// <summary>
    /// The single line monitors scrape: VERDICT: WIN|MARGINAL|REGRESSION | score=S | baseline=B | delta=D.
    /// </summary>
    public string Line(string? extra = null)
    {
        string F(double v) => v.ToString("0.0000", CultureInfo.InvariantCulture);
        string delta = (Delta >= 0 ? "+" : "") + F(Delta);
        return $"VERDICT: {Outcome} | score={F(Score)} | baseline={F(Baseline)} | delta={delta}" +
               (extra is null ? "" : $" | {extra}");
    }
}
