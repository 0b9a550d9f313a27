using Simile.Data;

namespace Simile.Models;

/// <summary>
/// The one word → static vector lookup behind every <see cref="IWordEmbeddings.Vectors"/> (embedded models, Hugging
/// Face folders, GGUF files, static word vectors): tokenize every word, refuse missing words (all named at once) and,
/// under <see cref="SubwordPolicy.Error"/>, multi-token words (each with its pieces), check every id against the
/// embedding matrix, then pool the rows of each word's tokens (mean / first / last) into a float64 row. Only the rows
/// the words need are read, in one call (a memory-mapped BF16 matrix of an 8B model is never converted whole).
/// A word's tokens are those <see cref="WordTokenSpans"/> assigns to it (no lone leading-space token).
/// </summary>
public static class EmbeddingLookup
{
    /// <summary>The float32 embedding row of a token id.</summary>
    public delegate ReadOnlySpan<float> RowReader(int id);

    /// <summary>Fills <c>destination</c> ([ids × cols], row-major) with the float32 embedding rows of <c>ids</c>.</summary>
    public delegate void RowsReader(int[] ids, float[] destination);

    /// <summary>Lookup through a one-row reader (ids are checked against <paramref name="rows"/>).</summary>
    public static VectorSet Build(IWordEmbeddings source, IReadOnlyList<string> words, SubwordPolicy policy, int rows, int dims,
        RowReader row, string provenance) =>
        Build(source, words, policy, rows, dims, (ids, dst) =>
        {
            for (int i = 0; i < ids.Length; i++) row(ids[i])[..dims].CopyTo(dst.AsSpan(i * dims, dims));
        }, provenance);

    /// <summary>Lookup through a reader of several rows at once.</summary>
    public static VectorSet Build(IWordEmbeddings source, IReadOnlyList<string> words, SubwordPolicy policy, int rows, int dims,
        RowsReader readRows, string provenance)
    {
        string model = source.Info.Name;
        var tokens = words.Select(source.Tokenize).ToList();
        ThrowIfMissingOrSplit(model, tokens, policy);
        foreach (var t in tokens)
            foreach (int id in t.Ids)
                if ((uint)id >= (uint)rows)
                    throw new SimileException($"word '{t.Word}' has token id {id}, outside the {rows}-row embedding matrix of {model}",
                        "the tokenizer and the weights do not belong together: check the model folder or file");
        int[] needed = tokens.SelectMany(t => t.Ids).Distinct().Order().ToArray();
        var compact = new float[(long)needed.Length * dims];
        readRows(needed, compact);
        var index = new Dictionary<int, int>(needed.Length);
        for (int i = 0; i < needed.Length; i++) index[needed[i]] = i;

        var m = new Matrix(words.Count, dims);
        for (int w = 0; w < tokens.Count; w++)
        {
            var ids = tokens[w].Ids;
            var dest = m.Row(w);
            ReadOnlySpan<float> Row(int id) => compact.AsSpan(index[id] * dims, dims);
            switch (ids.Count == 1 ? SubwordPolicy.First : policy)
            {
                case SubwordPolicy.First: Widen(Row(ids[0]), dest); break;
                case SubwordPolicy.Last: Widen(Row(ids[^1]), dest); break;
                default:
                    foreach (int id in ids)
                    {
                        var r = Row(id);
                        for (int j = 0; j < dims; j++) dest[j] += r[j];
                    }
                    for (int j = 0; j < dims; j++) dest[j] /= ids.Count;
                    break;
            }
        }
        return new VectorSet(words.ToList(), m, provenance);
    }

    private static void Widen(ReadOnlySpan<float> src, Span<double> dest)
    {
        for (int j = 0; j < dest.Length; j++) dest[j] = src[j];
    }

    /// <summary>Throws one <see cref="SimileException"/> naming every missing word (and, for Error, every split word).</summary>
    public static void ThrowIfMissingOrSplit(string model, IReadOnlyList<WordTokens> tokens, SubwordPolicy policy)
    {
        var missing = tokens.Where(t => !t.Known || t.Ids.Count == 0).Select(t => Quote(t.Word)).ToList();
        if (missing.Count > 0)
            throw new SimileException(
                $"{missing.Count} word{(missing.Count == 1 ? " is" : "s are")} not in the vocabulary of {model}: {Shorten(missing)}",
                "remove or respell them in the word list, or pass --skip-missing to leave them out");
        if (policy != SubwordPolicy.Error) return;
        var split = tokens.Where(t => t.Ids.Count > 1).Select(t => $"{Quote(t.Word)} → {string.Join(" ", t.Pieces)}").ToList();
        if (split.Count > 0)
            throw new SimileException(
                $"{split.Count} word{(split.Count == 1 ? " is" : "s are")} split into several tokens by {model}: {string.Join("; ", split.Take(20))}"
                + (split.Count > 20 ? $" … and {split.Count - 20} more" : ""),
                "pool the pieces with --subword mean (or first/last), or use words that are single tokens");
    }

    private static string Quote(string w) => "'" + w + "'";

    private static string Shorten(List<string> items) =>
        items.Count <= 20 ? string.Join(", ", items) : string.Join(", ", items.Take(20)) + $" … and {items.Count - 20} more";
}

/// <summary>
/// Which tokens of a tokenized text belong to a word: the one rule every verb uses (static lookups through
/// <see cref="EmbeddingLookup"/>, contextual vectors in <c>vectors</c> and <c>layers</c>, <c>rsa</c>). A word's tokens
/// are the tokens whose character span overlaps the word's characters. So a token that covers only the space before
/// the word (byte-level BPE: Llama 3 reads <c>" 2024"</c> as <c>Ġ</c> + <c>202</c> + <c>4</c>; likewise a space before
/// an emoji or a CJK character) or only SentencePiece's dummy prefix (Llama 2: <c>"2024"</c> → <c>▁</c> + <c>2</c> +
/// <c>0</c> + <c>2</c> + <c>4</c>) is not part of the word, and neither are special tokens (empty spans).
/// </summary>
public static class WordTokenSpans
{
    /// <summary>Indices of the tokens of <paramref name="input"/> that belong to the word at [start, start+length).</summary>
    public static int[] TokensOf(TokenizedText input, int start, int length)
    {
        var hits = new List<int>();
        for (int t = 0; t < input.Count; t++)
        {
            var (s, l) = input.Offsets[t];
            if (l > 0 && s < start + length && s + l > start) hits.Add(t);
        }
        return hits.ToArray();
    }
}
