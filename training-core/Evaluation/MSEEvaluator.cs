using StTrain.Core.Models;
using static TorchSharp.torch;

namespace StTrain.Core.Evaluation;

/// <summary>
/// Distillation check: the teacher embeds the source sentences once; the student embeds the target sentences (e.g.
/// their translations) and the score is negative_mse = -100 * mean over rows and dimensions of
/// (teacher - student)^2, so higher is better. Primary metric: negative_mse.
/// </summary>
public sealed class MSEEvaluator : SentenceEvaluator
{
    private readonly Tensor teacherEmbeddings;

    /// <param name="teacherEmbeddings">The teacher's [N, D] embeddings of the source sentences (kept, on CPU).</param>
    public MSEEvaluator(Tensor teacherEmbeddings, IReadOnlyList<string> targetSentences, string name = "",
        EncodingSettings? encoding = null)
        : base(name)
    {
        if (teacherEmbeddings.dim() != 2 || teacherEmbeddings.shape[0] != targetSentences.Count)
        {
            throw new ArgumentException($"MSEEvaluator '{name}': {targetSentences.Count} target sentences need " +
                                        $"[{targetSentences.Count}, D] teacher embeddings; got " +
                                        $"[{string.Join(", ", teacherEmbeddings.shape)}].");
        }

        this.teacherEmbeddings = teacherEmbeddings.detach().cpu().to_type(ScalarType.Float32);
        this.teacherEmbeddings.DetachFromDisposeScope();
        TargetSentences = targetSentences;
        Encoding = encoding ?? new EncodingSettings();
    }

    /// <summary>Embeds <paramref name="sourceSentences"/> with <paramref name="teacher"/> now.</summary>
    public static MSEEvaluator FromTeacher(SentenceTransformer teacher, IReadOnlyList<string> sourceSentences,
        IReadOnlyList<string> targetSentences, string name = "", EncodingSettings? encoding = null)
    {
        if (sourceSentences.Count != targetSentences.Count)
        {
            throw new ArgumentException($"MSEEvaluator '{name}': {sourceSentences.Count} source sentences but " +
                                        $"{targetSentences.Count} target sentences; they must pair up.");
        }

        encoding ??= new EncodingSettings();
        using Tensor source = encoding.Encode(teacher, sourceSentences);
        return new MSEEvaluator(source, targetSentences, name, encoding);
    }

    public IReadOnlyList<string> TargetSentences { get; }

    public EncodingSettings Encoding { get; }

    public override string PrimaryMetric => "negative_mse";

    public override IReadOnlyList<string> MetricKeys => [Prefix("negative_mse")];

    public override Dictionary<string, double> Evaluate(SentenceTransformer model)
    {
        using Tensor student = Encoding.Encode(model, TargetSentences);
        return ComputeFromEmbeddings(student);
    }

    /// <summary>The metric for the student's [N, D] embeddings of the target sentences (prefixed key).</summary>
    public Dictionary<string, double> ComputeFromEmbeddings(Tensor studentEmbeddings)
    {
        if (!studentEmbeddings.shape.SequenceEqual(teacherEmbeddings.shape))
        {
            throw new ArgumentException(
                $"MSEEvaluator '{Name}': student embeddings [{string.Join(", ", studentEmbeddings.shape)}] do not " +
                $"match the teacher's [{string.Join(", ", teacherEmbeddings.shape)}]. Fix: the student must embed to " +
                "the teacher's dimension (add a Dense layer or set truncate_dim).");
        }

        using var scope = NewDisposeScope();
        Tensor difference = teacherEmbeddings.to_type(ScalarType.Float64) -
                            studentEmbeddings.detach().cpu().to_type(ScalarType.Float64);
        double mse = difference.pow(2).mean().item<double>() * 100;
        return Prefixed(new Dictionary<string, double> { ["negative_mse"] = -mse });
    }
}
