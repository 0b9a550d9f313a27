using Simile.Engine;

namespace Simile.Models;

/// <summary>
/// Runs texts through a native forward pass: tokenises, checks lengths and ids, packs texts in order into batches of
/// at most <see cref="TokensPerBatch"/> tokens (bounding activation memory), and either returns one run per text
/// (<see cref="Run"/>) or hands each representation of each text to a sink as the pass computes it
/// (<see cref="Stream"/>).
/// </summary>
public static class NativeRun
{
    public const int TokensPerBatch = 4096;

    /// <summary>Every representation of every text kept (and attention when asked).</summary>
    public static IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress,
        string modelName, Func<string, TokenizedText> tokenize, IForwardPass pass)
    {
        var inputs = new TokenizedText[texts.Count];
        for (int i = 0; i < texts.Count; i++) inputs[i] = tokenize(texts[i]);
        Check(inputs, modelName, pass);

        var runs = new TransformerRun[texts.Count];
        foreach (var (first, end) in Batches(inputs))
        {
            var outputs = pass.Forward([.. inputs[first..end].Select(t => t.Ids)], withAttention);
            for (int b = 0; b < outputs.Count; b++)
                runs[first + b] = new TransformerRun(inputs[first + b], pass.Labels, pass.Dims, outputs[b].Hidden, pass.Heads, outputs[b].Attention);
            progress?.Report((double)end / inputs.Length);
        }
        return runs;
    }

    /// <summary>Each representation of each text handed to <paramref name="sink"/> as the pass computes it; nothing kept.
    /// One run of the pass over batches of at most <paramref name="textsPerBatch"/> texts (and
    /// <see cref="TokensPerBatch"/> tokens), so its buffers are allocated once.</summary>
    public static void Stream(IReadOnlyList<TokenizedText> inputs, ITextRepresentationSink sink, int textsPerBatch, string modelName, IForwardPass pass)
    {
        var all = inputs.ToArray();
        Check(all, modelName, pass);
        var rows = new TextRows(sink, pass.Dims);
        // The pass takes a batch after finishing the previous one, so the sink's first text is set batch by batch.
        pass.Forward(Batches(all, textsPerBatch).Select(range =>
        {
            rows.First = range.First;
            return new PackedBatch([.. all[range.First..range.End].Select(t => t.Ids)], pass, withAttention: false);
        }), rows);
    }

    /// <summary>A batch's packed rows handed over text by text: sequence b of the batch is text First + b.</summary>
    private sealed class TextRows(ITextRepresentationSink sink, int dims) : IHiddenStateSink
    {
        public int First { get; set; }

        public int Deepest => sink.Deepest;

        public void Receive(int representation, PackedBatch batch, ReadOnlySpan<float> rows)
        {
            for (int b = 0; b < batch.Count; b++) sink.Receive(representation, First + b, batch.Rows(rows, b, dims));
        }
    }

    /// <summary>Consecutive texts [first, end) of at most <see cref="TokensPerBatch"/> tokens (a longer text alone) and
    /// at most <paramref name="maxTexts"/> texts.</summary>
    private static IEnumerable<(int First, int End)> Batches(TokenizedText[] inputs, int maxTexts = int.MaxValue)
    {
        int done = 0;
        while (done < inputs.Length)
        {
            int end = done, tokens = 0;
            while (end < inputs.Length && end - done < maxTexts && (end == done || tokens + inputs[end].Count <= TokensPerBatch)) tokens += inputs[end++].Count;
            yield return (done, end);
            done = end;
        }
    }

    /// <summary>Every text has tokens, fits the positions and has ids inside the embedding matrix.</summary>
    private static void Check(TokenizedText[] inputs, string modelName, IForwardPass pass)
    {
        int maxPositions = pass.MaxPositions, vocabularySize = pass.VocabularySize;
        for (int i = 0; i < inputs.Length; i++)
        {
            var tok = inputs[i];
            if (tok.Count == 0)
                throw new SimileException($"text {i + 1} (\"{tok.Text}\") has no tokens for {modelName}", "remove empty texts");
            if (tok.Count > maxPositions)
                throw new SimileException($"text {i + 1} (\"{Clip(tok.Text)}\") is {tok.Count} tokens long, more than the {maxPositions} positions of {modelName}",
                    "shorten the text");
            foreach (int id in tok.Ids)
                if ((uint)id >= (uint)vocabularySize)
                    throw new SimileException($"text {i + 1} has token id {id}, outside the {vocabularySize}-row embedding matrix of {modelName}",
                        "the tokenizer and the weights do not belong together: check the model folder");
        }
    }

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";
}
