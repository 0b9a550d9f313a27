using Simile.Engine;

namespace Simile.Models;

/// <summary>
/// Runs texts through a native forward pass: tokenises, checks lengths and ids, packs texts in order into batches of
/// at most <see cref="TokensPerBatch"/> tokens (bounding activation memory), and returns one run per text.
/// </summary>
public static class NativeRun
{
    public const int TokensPerBatch = 4096;

    public static IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress,
        string modelName, Func<string, TokenizedText> tokenize, int maxPositions, int vocabularySize,
        Func<IReadOnlyList<int[]>, bool, IReadOnlyList<ForwardOutput>> forward, IReadOnlyList<string> labels, int dims, int heads)
    {
        var inputs = new TokenizedText[texts.Count];
        for (int i = 0; i < texts.Count; i++)
        {
            var tok = tokenize(texts[i]);
            if (tok.Count == 0)
                throw new SimileException($"text {i + 1} (\"{texts[i]}\") has no tokens for {modelName}", "remove empty texts");
            if (tok.Count > maxPositions)
                throw new SimileException($"text {i + 1} (\"{Clip(texts[i])}\") is {tok.Count} tokens long, more than the {maxPositions} positions of {modelName}",
                    "shorten the text");
            foreach (int id in tok.Ids)
                if ((uint)id >= (uint)vocabularySize)
                    throw new SimileException($"text {i + 1} has token id {id}, outside the {vocabularySize}-row embedding matrix of {modelName}",
                        "the tokenizer and the weights do not belong together: check the model folder");
            inputs[i] = tok;
        }

        var runs = new TransformerRun[texts.Count];
        int done = 0;
        while (done < inputs.Length)
        {
            int end = done, tokens = 0;
            while (end < inputs.Length && (end == done || tokens + inputs[end].Count <= TokensPerBatch)) tokens += inputs[end++].Count;
            var batch = inputs[done..end].Select(t => t.Ids).ToList();
            var outputs = forward(batch, withAttention);
            for (int b = 0; b < outputs.Count; b++)
                runs[done + b] = new TransformerRun(inputs[done + b], labels, dims, outputs[b].Hidden, heads, outputs[b].Attention);
            done = end;
            progress?.Report((double)done / inputs.Length);
        }
        return runs;
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
