using Simile.Data;

namespace Simile.Models;

/// <summary>Turns words into rows of a token-embedding matrix [V × D], pooling multi-token words per policy.</summary>
public static class TokenEmbeddingLookup
{
    public static VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy, Func<string, WordTokens> tokenize,
        ReadOnlySpan<float> table, int rows, int cols, string source)
    {
        var tokenized = words.Select(tokenize).ToList();
        var missing = tokenized.Where(t => !t.Known || t.Ids.Count == 0).Select(t => $"'{t.Word}'").ToList();
        if (missing.Count > 0)
            throw new SimileException($"{missing.Count} word(s) are not in the vocabulary of {source}: {Shorten(missing)}",
                "remove or respell those words, or use a model whose vocabulary has them");
        if (policy == SubwordPolicy.Error)
        {
            var multi = tokenized.Where(t => t.Ids.Count > 1).Select(t => $"'{t.Word}' = {string.Join(" + ", t.Pieces)}").ToList();
            if (multi.Count > 0)
                throw new SimileException($"{multi.Count} word(s) are split into several tokens by {source}: {Shorten(multi)}",
                    "choose a subword policy (--subword mean|first|last) or drop those words");
        }
        var m = new Matrix(words.Count, cols);
        for (int i = 0; i < tokenized.Count; i++)
        {
            var ids = tokenized[i].Ids;
            var use = policy switch
            {
                SubwordPolicy.First => ids.Take(1),
                SubwordPolicy.Last => ids.Skip(ids.Count - 1),
                _ => ids,
            };
            var row = m.Row(i);
            int count = 0;
            foreach (int id in use)
            {
                if ((uint)id >= (uint)rows)
                    throw new SimileException($"word '{words[i]}' has token id {id}, outside the {rows}-row embedding matrix of {source}",
                        "the tokenizer and the weights do not belong together: check the model folder");
                var src = table.Slice(id * cols, cols);
                for (int j = 0; j < cols; j++) row[j] += src[j];
                count++;
            }
            if (count > 1) for (int j = 0; j < cols; j++) row[j] /= count;
        }
        return new VectorSet(words.ToList(), m, source);
    }

    /// <summary>
    /// The same, reading only the rows the words need through <paramref name="readRows"/> (ids → [ids × cols]), so a
    /// memory-mapped BF16 matrix of an 8B model is never converted whole.
    /// </summary>
    public static VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy, Func<string, WordTokens> tokenize,
        Action<int[], float[]> readRows, int rows, int cols, string source)
    {
        var byWord = new Dictionary<string, WordTokens>(StringComparer.Ordinal);
        foreach (var w in words) if (!byWord.ContainsKey(w)) byWord[w] = tokenize(w);
        foreach (var t in byWord.Values)
            foreach (int id in t.Ids)
                if (t.Known && (uint)id >= (uint)rows)
                    throw new SimileException($"word '{t.Word}' has token id {id}, outside the {rows}-row embedding matrix of {source}",
                        "the tokenizer and the weights do not belong together: check the model folder");
        int[] needed = byWord.Values.Where(t => t.Known).SelectMany(t => t.Ids).Distinct().Order().ToArray();
        var compact = new float[(long)needed.Length * cols];
        readRows(needed, compact);
        var index = new Dictionary<int, int>();
        for (int i = 0; i < needed.Length; i++) index[needed[i]] = i;
        WordTokens Compact(string w)
        {
            var t = byWord[w];
            return t.Known ? t with { Ids = t.Ids.Select(id => index[id]).ToList() } : t;
        }
        return Vectors(words, policy, Compact, compact, needed.Length, cols, source);
    }

    private static string Shorten(List<string> items) =>
        items.Count <= 20 ? string.Join(", ", items) : string.Join(", ", items.Take(20)) + $" … and {items.Count - 20} more";
}
