namespace StTrain.Skill.Runs;

/// <summary>Where a run stands, as far as its files (and the process table) tell.</summary>
public enum RunStatus
{
    /// <summary>No runs/{RUN}/spec.yaml.</summary>
    Unknown,

    /// <summary>The spec exists; no smoke test passed on its current version.</summary>
    Scaffolded,

    /// <summary>A smoke test passed on the current spec; training has not started.</summary>
    SmokePassed,

    /// <summary>The training process is running.</summary>
    Running,

    /// <summary>Training finished and wrote a verdict.</summary>
    Finished,

    /// <summary>Training failed or its process died without a final result.</summary>
    Failed,
}
