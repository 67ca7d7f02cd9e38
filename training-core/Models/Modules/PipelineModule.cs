using static TorchSharp.torch.nn;

namespace StTrain.Core.Models.Modules;

/// <summary>
/// One stage of a modules.json pipeline. Each stage reads and extends the feature dictionary and saves itself in
/// the sub-folder layout Python sentence-transformers uses for its module type.
/// </summary>
public abstract class PipelineModule : Module<Features, Features>
{
    protected PipelineModule(string name) : base(name) { }

    /// <summary>The class name written to modules.json, e.g. "sentence_transformers.models.Pooling".</summary>
    public abstract string TypeName { get; }

    /// <summary>The sub-folder this module saves to by default ("" for the transformer at the root).</summary>
    public abstract string DefaultFolderName(int index);

    /// <summary>Writes the module's files into <paramref name="directory"/> (created by the caller).</summary>
    public abstract void Save(string directory);
}
