using Simile.Data;

namespace Simile.Analyses.Layers;

/// <summary>
/// One model's vectors for the same words at every representation it exposes: "token" (the input embedding),
/// "0" (embedding output, BERT: after LayerNorm), "1".."L" (each transformer layer's output) and "final" where
/// the model has one (GPT-2's ln_f). <see cref="Sets"/>[r] is n words × d for label <see cref="Labels"/>[r];
/// <see cref="ContextCounts"/>[w] is how many contexts word w was averaged over (1 with no context).
/// </summary>
public sealed record RepresentationStack(
    string Model,
    IReadOnlyList<string> Labels,
    IReadOnlyList<VectorSet> Sets,
    IReadOnlyList<string> Words,
    IReadOnlyList<int> ContextCounts,
    string ContextDescription)
{
    public int Count => Labels.Count;
    public int WordCount => Words.Count;

    /// <summary>The vectors for one representation label (throws SimileException naming the label when missing).</summary>
    public VectorSet this[string label]
    {
        get
        {
            for (int r = 0; r < Labels.Count; r++) if (Labels[r] == label) return Sets[r];
            throw new SimileException($"model '{Model}' has no representation '{label}'",
                $"use one of {string.Join(", ", Labels)}");
        }
    }

    /// <summary>A stack built directly from matrices (tests, notebooks, vectors computed elsewhere).</summary>
    public static RepresentationStack FromMatrices(string model, IReadOnlyList<string> labels,
        IReadOnlyList<Matrix> matrices, IReadOnlyList<string> words)
    {
        if (labels.Count != matrices.Count) throw new ArgumentException("one matrix per label");
        var sets = new List<VectorSet>();
        for (int r = 0; r < labels.Count; r++)
        {
            if (matrices[r].Rows != words.Count)
                throw new ArgumentException($"representation {labels[r]} has {matrices[r].Rows} rows, expected {words.Count}");
            sets.Add(new VectorSet(words, matrices[r], $"{model}:{labels[r]}"));
        }
        return new RepresentationStack(model, labels, sets, words, Enumerable.Repeat(1, words.Count).ToArray(), "given");
    }

    /// <summary>The same stack with every representation passed through <paramref name="normalization"/>.</summary>
    public RepresentationStack Normalized(Normalization normalization)
    {
        if (normalization.Kind == NormalizationKind.None) return this;
        var sets = Sets.Select(s => s with { Vectors = normalization.Apply(s.Vectors), Source = s.Source + $" ({normalization})" }).ToList();
        return this with { Sets = sets };
    }
}
