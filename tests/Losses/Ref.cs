using StTrain.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace StTrain.Tests.Losses;

/// <summary>
/// Plain C# reference math (loops over float arrays) that the loss tests compare against. Nothing here calls the
/// code under test.
/// </summary>
internal static class Ref
{
    static Ref() => TorchRuntime.Initialize();

    public static Tensor T(double[][] rows)
    {
        TorchRuntime.Initialize();
        int n = rows.Length, d = rows[0].Length;
        var flat = new float[n * d];
        for (int i = 0; i < n; i++)
        for (int j = 0; j < d; j++)
            flat[i * d + j] = (float)rows[i][j];
        return tensor(flat, [n, d]);
    }

    public static Tensor V(params double[] values)
    {
        TorchRuntime.Initialize();
        return tensor(values.Select(v => (float)v).ToArray());
    }

    public static Tensor L(params long[] values)
    {
        TorchRuntime.Initialize();
        return tensor(values);
    }

    public static double Dot(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += a[i] * b[i];
        return s;
    }

    public static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    public static double Cos(double[] a, double[] b) => Dot(a, b) / (Norm(a) * Norm(b));

    public static double Euclid(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += (a[i] - b[i]) * (a[i] - b[i]);
        return Math.Sqrt(s);
    }

    public static double Manhattan(double[] a, double[] b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++) s += Math.Abs(a[i] - b[i]);
        return s;
    }

    /// <summary>The similarity by name, higher = more similar (distances negated).</summary>
    public static double Sim(string name, double[] a, double[] b) => name switch
    {
        "cosine" => Cos(a, b),
        "dot" => Dot(a, b),
        "euclidean" => -Euclid(a, b),
        "manhattan" => -Manhattan(a, b),
        _ => throw new ArgumentException(name),
    };

    public static double LogSumExp(IEnumerable<double> xs)
    {
        double[] v = xs.Where(x => !double.IsNegativeInfinity(x)).ToArray();
        double m = v.Max();
        return m + Math.Log(v.Sum(x => Math.Exp(x - m)));
    }

    public static double[] Normalize(double[] a)
    {
        double n = Norm(a);
        return a.Select(x => x / n).ToArray();
    }

    public static double Item(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    /// <summary>A deterministic pseudo-random matrix (LCG), so tests need no torch RNG.</summary>
    public static double[][] Rand(int rows, int cols, int seed)
    {
        ulong state = (ulong)(seed * 7919 + 17);
        var m = new double[rows][];
        for (int i = 0; i < rows; i++)
        {
            m[i] = new double[cols];
            for (int j = 0; j < cols; j++)
            {
                state = state * 6364136223846793005UL + 1442695040888963407UL;
                m[i][j] = ((state >> 11) / (double)(1UL << 53)) * 2 - 1;
            }
        }

        return m;
    }
}
