using Simile.Data;

namespace Simile.Models;

/// <summary>
/// The shared part of <see cref="IWordEmbeddings.Vectors"/>: tokenize every word, refuse missing words (all named
/// at once) and, under <see cref="SubwordPolicy.Error"/>, multi-token words (each with its pieces), then pool the
/// embedding rows of each word's tokens (mean / first / last) into a float64 row.
/// </summary>
public static class EmbeddingLookup
{
    /// <param name="row">The float32 embedding row of a token id (length <paramref name="dims"/>).</param>
    public static VectorSet Build(IWordEmbeddings source, IReadOnlyList<string> words, SubwordPolicy policy, int dims,
        RowReader row, string provenance)
    {
        var tokens = words.Select(source.Tokenize).ToList();
        ThrowIfMissingOrSplit(source.Info.Name, tokens, policy);
        var m = new Matrix(words.Count, dims);
        for (int w = 0; w < tokens.Count; w++)
        {
            var ids = tokens[w].Ids;
            var dest = m.Row(w);
            switch (ids.Count == 1 ? SubwordPolicy.First : policy)
            {
                case SubwordPolicy.First: Widen(row(ids[0]), dest); break;
                case SubwordPolicy.Last: Widen(row(ids[^1]), dest); break;
                default:
                    foreach (int id in ids)
                    {
                        var r = row(id);
                        for (int j = 0; j < dims; j++) dest[j] += r[j];
                    }
                    for (int j = 0; j < dims; j++) dest[j] /= ids.Count;
                    break;
            }
        }
        return new VectorSet(words.ToList(), m, provenance);
    }

    public delegate ReadOnlySpan<float> RowReader(int id);

    private static void Widen(ReadOnlySpan<float> src, Span<double> dest)
    {
        for (int j = 0; j < dest.Length; j++) dest[j] = src[j];
    }

    /// <summary>Throws one <see cref="SimileException"/> naming every missing word (and, for Error, every split word).</summary>
    public static void ThrowIfMissingOrSplit(string model, IReadOnlyList<WordTokens> tokens, SubwordPolicy policy)
    {
        var missing = tokens.Where(t => !t.Known || t.Ids.Count == 0).Select(t => t.Word).ToList();
        if (missing.Count > 0)
            throw new SimileException(
                $"{missing.Count} word{(missing.Count == 1 ? " is" : "s are")} not in the vocabulary of {model}: {string.Join(", ", missing.Select(Quote))}",
                "remove or respell them in the word list, or pass --skip-missing to leave them out");
        if (policy != SubwordPolicy.Error) return;
        var split = tokens.Where(t => t.Ids.Count > 1).ToList();
        if (split.Count > 0)
            throw new SimileException(
                $"{split.Count} word{(split.Count == 1 ? " is" : "s are")} split into several tokens by {model}: "
                + string.Join("; ", split.Select(t => $"{Quote(t.Word)} → {string.Join(" ", t.Pieces)}")),
                "pool the pieces with --subword mean (or first/last), or use words that are single tokens");
    }

    private static string Quote(string w) => "'" + w + "'";
}
