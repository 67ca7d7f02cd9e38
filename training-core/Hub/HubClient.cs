using StTrain.Core.Training.Spec;

namespace StTrain.Core.Hub;

/// <summary>
/// Uploads a model folder to a Hugging Face Hub repository. This build has no Hub uploader yet: every call fails with
/// a message saying so, which <see cref="HubPushGuard"/> turns into one log line (see README, Limitations).
/// </summary>
public static class HubClient
{
    public static void Push(HubSpec hub, string modelFolder) =>
        throw new NotSupportedException(
            $"this build of st-train cannot upload to the Hub yet; upload {modelFolder} to {hub.RepoId} with another " +
            "client (for example `hf upload`)");
}
