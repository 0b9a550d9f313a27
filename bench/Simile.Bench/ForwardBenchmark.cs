using static Simile.Bench.BenchSupport;
using System.Diagnostics;
using Simile.Engine;
using Simile.Models;
using Simile.Models.Embedded;
using Simile.Models.Onnx;

namespace Simile.Bench;

/// <summary>
/// <c>forward</c>: tokens per second of the native BERT forward pass vs ONNX Runtime on the embedded minilm graph,
/// for single words ([CLS] word [SEP]) and for 32-token sentences, plus the largest difference between the two.
/// Usage: <c>Simile.Bench forward [--reps N] [--words N] [--sentences N]</c>.
/// </summary>
public static class ForwardBenchmark
{
    private static readonly string[] Vocabulary =
    [
        "galaxy", "asteroid", "comet", "planet", "star", "moon", "orbit", "nebula", "chair", "table", "sofa", "lamp",
        "desk", "shelf", "bed", "apple", "banana", "cherry", "grape", "lemon", "mango", "peach", "river", "mountain",
        "forest", "ocean", "city", "village", "music", "painting", "poem", "novel", "doctor", "teacher", "farmer",
        "engineer", "quickly", "slowly", "happy", "sad", "bright", "dark", "ancient", "modern", "small", "large",
    ];

    public static int Run(string[] args)
    {
        int reps = Arg(args, "--reps", 3), words = Arg(args, "--words", 256), sentences = Arg(args, "--sentences", 64);
        ModelInfo Info(BertGraph g) => new("minilm", "bert", g.VocabularySize, g.Dims, g.Layers, g.Heads, "bench", "Apache-2.0", null, true);
        using var onnx = EmbeddedBertModel.Open(EmbeddedPackage.MiniLM, Info);
        using var native = new NativeBertTransformer(EmbeddedBertModel.Open(EmbeddedPackage.MiniLM, Info));

        var wordTexts = Enumerable.Range(0, words).Select(i => Vocabulary[i % Vocabulary.Length]).ToList();
        var sentenceTexts = Enumerable.Range(0, sentences).Select(i => SentenceOf32Tokens(onnx, i)).ToList();
        Console.WriteLine($"forward: minilm (6 layers, 384 dims, 12 heads), {Environment.ProcessorCount} cores, best of {reps} runs");
        Console.WriteLine($"{"workload",-28} {"tokens",7} {"native tok/s",13} {"ORT tok/s",11} {"native/ORT",10} {"max |diff|",11}");
        foreach (var (name, texts) in new[] { ($"{words} single words", wordTexts), ($"{sentences} sentences × 32 tokens", sentenceTexts) })
        {
            int tokens = texts.Sum(t => onnx.TokenizeText(t).Count);
            var (nativeSeconds, nativeRuns) = Best(reps, () => native.Run(texts, withAttention: false));
            var (ortSeconds, ortRuns) = Best(reps, () => onnx.Run(texts, withAttention: false));
            double diff = 0;
            for (int i = 0; i < texts.Count; i++)
                for (int r = 0; r < ortRuns[i].Hidden.Length; r++)
                    for (int j = 0; j < ortRuns[i].Hidden[r].Length; j++)
                        diff = Math.Max(diff, Math.Abs(ortRuns[i].Hidden[r][j] - nativeRuns[i].Hidden[r][j]));
            Console.WriteLine($"{name,-28} {tokens,7} {tokens / nativeSeconds,13:N0} {tokens / ortSeconds,11:N0} {ortSeconds / nativeSeconds,10:F2} {diff,11:E2}");
        }
        return 0;
    }

    /// <summary>A sentence of words from the list that tokenizes to exactly 32 tokens with [CLS] and [SEP].</summary>
    private static string SentenceOf32Tokens(ITransformerModel model, int seed)
    {
        var words = new List<string>();
        for (int k = 0; ; k++)
        {
            words.Add(Vocabulary[(seed * 7 + k * 3) % Vocabulary.Length]);
            string text = string.Join(" ", words);
            int n = model.TokenizeText(text).Count;
            if (n == 32) return text;
            if (n > 32) words.RemoveAt(words.Count - 1);
        }
    }

    private static (double Seconds, IReadOnlyList<TransformerRun> Runs) Best(int reps, Func<IReadOnlyList<TransformerRun>> run)
    {
        var runs = run();   // warm-up (ONNX Runtime session creation, JIT)
        double best = double.MaxValue;
        for (int r = 0; r < reps; r++)
        {
            var clock = Stopwatch.StartNew();
            runs = run();
            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }
        return (best, runs);
    }
}
