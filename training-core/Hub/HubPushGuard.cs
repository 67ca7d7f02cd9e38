using StTrain.Core.Training;
using StTrain.Core.Training.Spec;

namespace StTrain.Core.Hub;

/// <summary>
/// The end-of-run Hub push, wrapped so that it can never fail a run: any problem (no repo id, no token, no network,
/// a refused upload) becomes one log line, and the trained model stays on disk.
/// </summary>
public static class HubPushGuard
{
    /// <summary>Attempts the push and returns a one-line outcome, which is also logged.</summary>
    public static string TryPush(HubSpec hub, string modelFolder, RunLog log, bool smoke)
    {
        string outcome;
        if (smoke) outcome = "Hub push: skipped in smoke mode.";
        else if (!hub.Push) outcome = "Hub push: off (set hub.push: true and hub.repo_id to publish).";
        else if (string.IsNullOrWhiteSpace(hub.RepoId)) outcome = "Hub push: skipped, hub.repo_id is not set.";
        else if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(hub.TokenEnv)))
            outcome = $"Hub push: skipped, the environment variable {hub.TokenEnv} (hub.token_env) holds no token.";
        else
        {
            try
            {
                HubClient.Push(hub, modelFolder);
                outcome = $"Hub push: uploaded {modelFolder} to {hub.RepoId}.";
            }
            catch (Exception error)
            {
                // Deliberately broad: the push is best-effort and must never take the finished run down with it.
                outcome = $"Hub push failed ({error.GetType().Name}: {log.Mask(error.Message)}); the model is " +
                          $"kept at {modelFolder}.";
            }
        }
        log.Info(outcome);
        return outcome;
    }
}
