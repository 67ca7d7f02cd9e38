using StTrain.Core.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Core.Losses;

/// <summary>
/// Score distillation with KL divergence for (query, candidate_1, ..., candidate_N) rows whose label holds the N
/// teacher scores: p = softmax(teacher / T_t), log q = log_softmax(sim(query, candidate) / T_s), and
/// loss = T_s^2 * (1/B) * sum_i sum_k p_ik (log p_ik - log q_ik). Defaults: dot product, temperature 1 (both).
/// </summary>
public sealed class DistillKLDivLoss : EmbeddingLoss
{
    public DistillKLDivLoss(
        SentenceTransformer? model,
        string similarityFunction = SimilarityFunctions.Dot,
        double temperature = 1.0,
        double? studentTemperature = null,
        double? teacherTemperature = null)
        : base(nameof(DistillKLDivLoss), model)
    {
        SimilarityFunction = SimilarityFunctions.Canonical(similarityFunction);
        Temperature = temperature;
        StudentTemperature = studentTemperature ?? temperature;
        TeacherTemperature = teacherTemperature ?? temperature;
        foreach ((string name, double value) in new[]
                 {
                     ("temperature", Temperature), ("student_temperature", StudentTemperature),
                     ("teacher_temperature", TeacherTemperature),
                 })
        {
            if (!(value > 0) || double.IsInfinity(value))
            {
                throw new ArgumentException($"DistillKLDivLoss: {name} must be a positive finite number; got {value}.");
            }
        }
    }

    public string SimilarityFunction { get; }

    public double Temperature { get; }

    public double StudentTemperature { get; }

    public double TeacherTemperature { get; }

    public override IReadOnlyDictionary<string, object?> Config => new Dictionary<string, object?>
    {
        ["similarity_fct"] = SimilarityFunction,
        ["temperature"] = Temperature,
        ["student_temperature"] = StudentTemperature,
        ["teacher_temperature"] = TeacherTemperature,
    };

    public override Tensor ComputeFromEmbeddings(IReadOnlyList<Tensor> embeddings, Tensor? labels)
    {
        RequireColumns(embeddings.Count, 3, null, "query, positive, negative_1 .. negative_n");
        Tensor teacher = RequireLabels(labels, "one teacher score per candidate column");
        long batch = embeddings[0].shape[0];
        int candidates = embeddings.Count - 1;
        if (teacher.dim() != 2 || teacher.shape[0] != batch || teacher.shape[1] != candidates)
        {
            throw new ArgumentException(
                $"DistillKLDivLoss: labels have shape [{string.Join(", ", teacher.shape)}] but {candidates} " +
                "candidate " +
                $"columns need [{batch}, {candidates}] teacher scores. Fix: store per row a list of {candidates} " +
                "teacher scores, in column order.");
        }

        using var scope = NewDisposeScope();
        Tensor student = stack(embeddings.Skip(1)
            .Select(c => SimilarityFunctions.Pairwise(SimilarityFunction, embeddings[0], c)).ToArray(), 1);
        Tensor logQ = nn.functional.log_softmax(student / StudentTemperature, 1);
        Tensor p = nn.functional.softmax(teacher.detach().to_type(student.dtype) / TeacherTemperature, 1);
        Tensor kl = (p * (p.clamp_min(1e-45).log() - logQ)).where(p.gt(0), zeros_like(p)).sum() / batch;
        return (kl * (StudentTemperature * StudentTemperature)).MoveToOuterDisposeScope();
    }
}
