using Simile.Analyses;
using Simile.Models;
using Xunit;

namespace Simile.Tests.Analyses;

/// <summary>The seed analysis on the two embedded models (shipped in NuGet packages, no network).</summary>
public class SeedRealModelsTests
{
    [Fact]
    public void MiniLMAndArcticOnTheSeedWords()
    {
        var words = SeedFakes.SeedWords();
        using var minilm = ModelCatalogue.Resolve("minilm");
        using var arctic = ModelCatalogue.Resolve("arctic-xs");
        var r = SeedAnalysis.Run([minilm, arctic], words,
            new SeedAnalysisOptions { Permutations = 99, BootstrapResamples = 50, Seed = 1 });

        Assert.Equal(["minilm: 30522 × 384", "arctic-xs: 30522 × 384"], r.Models.Select(m => m.Model.ToString()));
        Assert.Equal(34, r.Words.Count);
        Assert.All(r.Selection!.Checks, c => Assert.Empty(c.MultiToken));    // the seed words are whole tokens in BERT's vocabulary
        var pair = Assert.Single(r.Pairs);
        Assert.InRange(pair.Pearson, 0.6, 1.0);
        Assert.InRange(pair.Spearman, 0.5, 1.0);
        Assert.Equal(0.01, pair.PearsonTest!.PValue, 1e-12);                  // (0 + 1)/(99 + 1)
        Assert.True(pair.PearsonInterval!.Lower < pair.Pearson && pair.Pearson < pair.PearsonInterval.Upper);
        // Same width and shared lineage: the token embeddings correlate directly.
        Assert.NotNull(pair.Direct);
        Assert.True(pair.SharedLineage, $"direct mean {pair.Direct!.Mean}");
        // Rotation control: geometry kept exactly, coordinates scrambled.
        Assert.Equal(1.0, r.Rotation.RsaPearson, 1e-9);
        Assert.InRange(r.Rotation.DirectCorrelationMean, -0.1, 0.1);
    }
}
