using Simile.Analyses.Layers;
using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

/// <summary>
/// The contextual vectors of <c>layers</c>/<c>vectors</c> are summed per word as the native pass hands each
/// representation over (<see cref="ITransformerModel.Stream"/>), 128 texts a batch. They must be, bit for bit, what a
/// plain loop makes of the materialised pass: every text run alone through <see cref="ForwardPasses.Forward"/> (every
/// representation of every token kept), the word's tokens averaged, the contexts averaged.
/// </summary>
public class StreamedContextualVectorsTests
{
    private static string LlamaTiny => Path.Combine(TestPaths.Reference, "modern", "llama-tiny");

    [Theory]
    [InlineData(SubwordPolicy.Mean)]
    [InlineData(SubwordPolicy.Last)]
    public void StreamedSumsEqualAPlainLoopOverTheMaterialisedPassBitForBit(SubwordPolicy policy)
    {
        using var model = HuggingFaceModel.Open(LlamaTiny);        // a tiny random Llama (3 layers, BF16) with its tokenizer
        var pass = ((NativeTransformer)model).Pass;
        string[] words = ["galaxy", "comet", "sofa", "banana", "window", "orbit"];
        var context = ContextSpec.FromTemplates(["This is the {word}.", "The {word} is here.", "I saw a {word} and another {word}."]);
        var stack = ContextualVectors.Compute(model, words, context, policy);

        int D = pass.Dims, R = pass.Labels.Count;
        Assert.Equal(pass.Labels, stack.Labels);
        for (int w = 0; w < words.Length; w++)
        {
            var contexts = ContextualVectors.ContextsFor(words[w], context, model.UsesLeadingSpace);
            var sum = new double[R][];
            for (int r = 0; r < R; r++) sum[r] = new double[D];
            foreach (var c in contexts)
            {
                var input = model.TokenizeText(c.Text);
                var hidden = pass.Forward([input.Ids], withAttention: false)[0].Hidden;     // [R][T × D], this text alone
                // the tokens whose character span overlaps the word
                var tokens = Enumerable.Range(0, input.Count)
                    .Where(t => input.Offsets[t].Length > 0 && input.Offsets[t].Start < c.Start + c.Length
                                && input.Offsets[t].Start + input.Offsets[t].Length > c.Start).ToArray();
                Assert.NotEmpty(tokens);
                if (policy == SubwordPolicy.Last) tokens = [tokens[^1]];
                for (int r = 0; r < R; r++)
                    foreach (int t in tokens)
                        for (int f = 0; f < D; f++) sum[r][f] += 1.0 / tokens.Length * hidden[r][t * D + f];
            }
            for (int r = 0; r < R; r++)
                for (int f = 0; f < D; f++)
                    Assert.Equal(sum[r][f] * (1.0 / contexts.Count), stack.Sets[r].Vectors[w, f]);   // exact
        }
    }

    [Fact]
    public void StreamedPassHandsOverWhatTheMaterialisedPassKeeps()
    {
        using var model = HuggingFaceModel.Open(LlamaTiny);
        var pass = ((NativeTransformer)model).Pass;
        string[] texts = ["This is the galaxy.", "Look at the sofa.", "We talked about the banana and the comet."];
        var inputs = texts.Select(model.TokenizeText).ToList();
        var kept = model.Run(texts, withAttention: false);
        var seen = new List<(int Representation, int Text)>();
        model.Stream(inputs, textsPerBatch: 2, sink: new Check((r, t, rows) =>
        {
            seen.Add((r, t));
            Assert.Equal(kept[t].Hidden[r], rows.ToArray());
        }));
        // every representation of every text, once (two batches: 2 texts, then 1); for each representation the texts in order
        Assert.Equal(pass.Labels.Count * texts.Length, seen.Count);
        Assert.Equal(seen.Distinct().Count(), seen.Count);
        foreach (var g in seen.GroupBy(s => s.Representation)) Assert.Equal([0, 1, 2], g.Select(s => s.Text));
    }

    private delegate void RowsHandler(int representation, int text, ReadOnlySpan<float> rows);

    private sealed class Check(RowsHandler handle) : ITextRepresentationSink
    {
        public void Receive(int representation, int text, ReadOnlySpan<float> rows) => handle(representation, text, rows);
    }
}
