using Simile.Analyses.Layers;
using Simile.Models;
using Xunit;

namespace Simile.Tests.Analyses.Layers;

public class ContextualVectorsTests
{
    /// <summary>Expected vector of a word in a text by the fake model's definition, pooled with the mean.</summary>
    private static double[] Expected(FakeTransformer model, string text, int start, int length, int rep, int dims, SubwordPolicy policy = SubwordPolicy.Mean)
    {
        var tok = model.TokenizeText(text);
        var own = tok.Pieces.Select(model.PieceVector).ToArray();
        var hits = Enumerable.Range(0, tok.Count).Where(t => tok.Offsets[t].Length > 0 &&
            tok.Offsets[t].Start < start + length && tok.Offsets[t].Start + tok.Offsets[t].Length > start).ToList();
        if (policy == SubwordPolicy.First) hits = [hits[0]];
        if (policy == SubwordPolicy.Last) hits = [hits[^1]];
        var v = new double[dims];
        foreach (int t in hits)
            for (int f = 0; f < dims; f++)
            {
                float mean = own.Select(o => o[f] / own.Length).Aggregate(0f, (a, b) => a + b);
                v[f] += (double)(own[t][f] * (rep + 1) + rep * mean) / hits.Count;
            }
        return v;
    }

    [Fact]
    public void NoContextBertReadsTheWordsOwnTokensBetweenClsAndSep()
    {
        var model = new FakeTransformer(dims: 5, layers: 2);
        var words = new[] { "cat", "galaxy", "sofa" };
        var stack = ContextualVectors.Compute(model, words, ContextSpec.None, SubwordPolicy.Mean);
        Assert.Equal(["token", "0", "1", "2"], stack.Labels);
        Assert.Equal([1, 1, 1], stack.ContextCounts);
        Assert.Equal(["cat", "galaxy", "sofa"], model.TextsSeen);
        for (int r = 0; r < stack.Count; r++)
            for (int w = 0; w < words.Length; w++)
            {
                var want = Expected(model, words[w], 0, words[w].Length, r, 5);
                for (int f = 0; f < 5; f++) Assert.Equal(want[f], stack.Sets[r].Vectors[w, f], 5);
            }
        // "galaxy" is two pieces (gala|xy): the token representation is their mean.
        var g = model.PieceVector("gala"); var x = model.PieceVector("xy");
        Assert.Equal((g[0] + x[0]) / 2.0, stack["token"].Vectors[1, 0], 5);
    }

    [Fact]
    public void NoContextGpt2FeedsTheWordWithItsLeadingSpace()
    {
        var model = new FakeTransformer(dims: 4, layers: 1, gpt2: true);
        var stack = ContextualVectors.Compute(model, ["moon"], ContextSpec.None);
        Assert.Equal([" moon"], model.TextsSeen);
        Assert.Equal(["token", "0", "1", "final"], stack.Labels);
        var v = model.PieceVector("moon");
        Assert.Equal(v[2], stack["token"].Vectors[0, 2], 6);
    }

    [Fact]
    public void TemplatesAreAveragedAndTheWordIsFoundByOffsets()
    {
        var model = new FakeTransformer(dims: 4, layers: 2);
        var spec = ContextSpec.FromTemplates(["I saw the {word}.", "{word} and more {word} here"]);
        var stack = ContextualVectors.Compute(model, ["planet", "chair"], spec, SubwordPolicy.Mean);
        Assert.Equal([2, 2], stack.ContextCounts);
        var texts = new[] { ("I saw the planet.", 10), ("planet and more planet here", 0) };
        for (int r = 0; r < stack.Count; r++)
        {
            var a = Expected(model, texts[0].Item1, texts[0].Item2, 6, r, 4);
            var b = Expected(model, texts[1].Item1, texts[1].Item2, 6, r, 4);
            for (int f = 0; f < 4; f++) Assert.Equal((a[f] + b[f]) / 2, stack.Sets[r].Vectors[0, f], 5);
        }
        // Context matters above the token layer: "planet" differs between the two templates at layer 2.
        var l2a = Expected(model, texts[0].Item1, 10, 6, 3, 4);
        var l2b = Expected(model, texts[1].Item1, 0, 6, 3, 4);
        Assert.NotEqual(l2a[0], l2b[0], 3);
    }

    [Fact]
    public void SubwordPolicyFirstLastAndError()
    {
        var model = new FakeTransformer(dims: 3, layers: 1);
        var first = ContextualVectors.Compute(model, ["asteroid"], ContextSpec.None, SubwordPolicy.First);
        var last = ContextualVectors.Compute(model, ["asteroid"], ContextSpec.None, SubwordPolicy.Last);
        Assert.Equal(model.PieceVector("aste")[1], first["token"].Vectors[0, 1], 6);
        Assert.Equal(model.PieceVector("roid")[1], last["token"].Vectors[0, 1], 6);
        var e = Assert.Throws<SimileException>(() => ContextualVectors.Compute(model, ["sun", "asteroid"], ContextSpec.None, SubwordPolicy.Error));
        Assert.Contains("asteroid", e.Message);
        Assert.Contains("aste roid", e.Message);
        Assert.Contains("--subword", e.Fix);
    }

    [Fact]
    public void CorpusUsesWholeWordCaseInsensitiveOccurrencesUpToTheMaximum()
    {
        string[] corpus =
        [
            "The Moon rose over the sea.",
            "Honeymoon is not a moon.",      // "Honeymoon" must not match; "moon." must
            "moonlight only",                // no whole-word match
            "MOON moon moon",               // three more; only one fits under max 3
            "A star and a moon.",
        ];
        var occ = ContextualVectors.CorpusOccurrences("moon", corpus, 3);
        Assert.Equal(3, occ.Count);
        Assert.Equal(("The Moon rose over the sea.", 4), (occ[0].Text, occ[0].Start));
        Assert.Equal(("Honeymoon is not a moon.", 19), (occ[1].Text, occ[1].Start));
        Assert.Equal(("MOON moon moon", 0), (occ[2].Text, occ[2].Start));

        var model = new FakeTransformer(dims: 3, layers: 1);
        var spec = ContextSpec.FromCorpusLines(corpus, "test.txt", maxContexts: 10);
        var stack = ContextualVectors.Compute(model, ["moon", "star"], spec);
        Assert.Equal([6, 1], stack.ContextCounts);

        var e = Assert.Throws<SimileException>(() => ContextualVectors.Compute(model, ["moon", "comet", "nebula"], spec));
        Assert.Contains("comet", e.Message);
        Assert.Contains("nebula", e.Message);
        Assert.DoesNotContain("moon,", e.Message);
    }

    [Fact]
    public void LongCorpusLinesAreWindowedAroundTheWord()
    {
        string line = string.Join(" ", Enumerable.Repeat("filler", 200)) + " comet " + string.Join(" ", Enumerable.Repeat("filler", 200));
        var occ = ContextualVectors.CorpusOccurrences("comet", [line], 5);
        Assert.Single(occ);
        Assert.True(occ[0].Text.Length < 700);
        Assert.Equal("comet", occ[0].Text.Substring(occ[0].Start, occ[0].Length));
    }

    [Fact]
    public void TemplatesMustHoldThePlaceholder()
    {
        var e = Assert.Throws<SimileException>(() => ContextSpec.Parse(["I saw it."]));
        Assert.Contains("{word}", e.Message);
        Assert.Same(ContextSpec.None, ContextSpec.Parse(["none"]));
        Assert.Equal(ContextSpec.NeutralTemplates, ContextSpec.Parse(null).Templates);
    }

    [Fact]
    public void ManyTextsAreRunInChunks()
    {
        var model = new FakeTransformer(dims: 2, layers: 0);
        var words = Enumerable.Range(0, 50).Select(i => "w" + i).ToArray();
        var stack = ContextualVectors.Compute(model, words, ContextSpec.Neutral);
        Assert.Equal(50 * ContextSpec.NeutralTemplates.Count, model.TextsSeen.Count);
        Assert.True(model.RunCalls >= 2);
        Assert.All(stack.ContextCounts, c => Assert.Equal(ContextSpec.NeutralTemplates.Count, c));
    }
}
