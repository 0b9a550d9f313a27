using Simile.Analyses;
using Simile.Analyses.Layers;
using Simile.Comparison;
using Simile.Data;
using Simile.Inference;
using Simile.Models;
using Simile.Reports;
using Simile.Similarity;
using Xunit;

namespace Simile.Tests;

/// <summary>
/// The README's "Library API" walk-through, call for call (glove-100d replaced by arctic-xs, which needs no npm,
/// and fewer permutations), so the README cannot drift from the public API.
/// </summary>
public class ReadmeLibraryExampleTests
{
    [Fact]
    public void TheReadmeWalkThroughRunsAndMatchesNaiveRsa()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "simile-readme-" + Guid.NewGuid().ToString("N"));
        try
        {
            var words = WordListFile.SeedWords();
            using var minilm = ModelCatalogue.Resolve("minilm");
            using var arctic = ModelCatalogue.Resolve("arctic-xs");
            var seed = SeedAnalysis.Run([minilm, arctic], words, new SeedAnalysisOptions { Permutations = 200, BootstrapResamples = 50, Seed = 1 });
            Assert.InRange(seed.Pairs[0].Pearson, 0.5, 1.0);
            Assert.NotNull(seed.Pairs[0].PearsonTest);
            SeedReport.Write(seed, Path.Combine(outDir, "part1"));
            Assert.True(File.Exists(Path.Combine(outDir, "part1", "report.html")));

            VectorSet a = minilm.Vectors(words.Words, SubwordPolicy.Error), b = arctic.Vectors(words.Words, SubwordPolicy.Error);
            // the seed analysis's RSA equals Pearson of the two cosine-similarity triangles computed by plain loops
            Assert.Equal(NaiveReference.Pearson(NaiveReference.CosineSimilarityUpper(a.Vectors), NaiveReference.CosineSimilarityUpper(b.Vectors)),
                seed.Pairs[0].Pearson, 12);
            var da = Dissimilarity.Compute(a, DissimilarityKind.Cosine);
            var db = Dissimilarity.Compute(b, DissimilarityKind.Cosine);
            double rho = RsaMeasures.Spearman(da.Condensed, db.Condensed);
            Assert.Equal(seed.Pairs[0].Spearman, rho, 12);
            var p = PermutationTest.Run(da, db, [RsaMeasure.Pearson, RsaMeasure.Spearman], 200, seed: 42);
            Assert.Equal(2, p.Count);
            var ci = Bootstrap.Run(da, db, RsaMeasure.Pearson, 50, seed: 42);
            Assert.True(ci.Lower <= ci.Upper);
            double cka = Cka.LinearDebiased(a.Vectors, b.Vectors);
            double angle = Procrustes.AngularDistance(a.Vectors, b.Vectors);
            Assert.InRange(cka, -1.0, 1.0);
            Assert.InRange(angle, 0.0, Math.PI / 2);

            using var bert = ModelCatalogue.ResolveTransformer("minilm");
            var layers = LayerAnalysis.Run([("minilm", bert)], words, new LayerAnalysisOptions { Permutations = 20, Bootstrap = 20 });
            Assert.Equal(8, layers.Models[0].Labels.Count);
            LayerReport.Write(layers, Path.Combine(outDir, "layers"));
            Assert.True(File.Exists(Path.Combine(outDir, "layers", "results.json")));

            var big = WholeVocabularyRsa.Run(a.Vectors, b.Vectors, DissimilarityKind.Cosine,
                [RsaMeasure.Pearson, RsaMeasure.Spearman], permutations: 10, seed: 1);
            Assert.Equal(seed.Pairs[0].Pearson, big.Measures[RsaMeasure.Pearson], 10);

            var target = Simile.Analyses.Targets.TargetFile.ReadAll([Path.Combine(TestPaths.RepoRoot, "examples", "seed-pair-ratings.tsv")])[0];
            var human = Simile.Analyses.Targets.TargetEvaluation.Evaluate(target,
                [Simile.Analyses.Targets.TargetEvaluation.TokenVectors(minilm, target, SubwordPolicy.Error)],
                new Simile.Analyses.Targets.TargetOptions { Measure = RsaMeasure.Spearman, Permutations = 50, Bootstrap = 20, Seed = 1 });
            Assert.Equal(36, human.Results[0].PairsUsed);
            Assert.Null(human.NoiseCeiling);
            // Spearman of the cosine similarities with the ratings, from plain loops (average ranks by counting)
            var sims = target.PairA.Select((i, k) => NaiveReference.Cosine(a.Vectors.Row(words.Words.ToList().IndexOf(target.Words[i])),
                a.Vectors.Row(words.Words.ToList().IndexOf(target.Words[target.PairB[k]])))).ToArray();
            Assert.Equal(NaiveReference.Spearman(sims, target.Subjects[0]), human.Results[0].Value, 12);
        }
        finally
        {
            if (Directory.Exists(outDir)) Directory.Delete(outDir, true);
        }
    }
}
