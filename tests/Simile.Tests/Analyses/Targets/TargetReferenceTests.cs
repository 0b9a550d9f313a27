using System.Text.Json;
using Simile.Analyses.Targets;
using Simile.Comparison;
using Simile.Inference;
using Simile.Models;
using Simile.Models.Static;
using Xunit;

namespace Simile.Tests.Analyses.Targets;

/// <summary>
/// Targets against the offline references in tests/reference/targets (made by make_reference.py): gensim's
/// evaluate_word_pairs and scipy for pair files, rsatoolbox's compare / eval_fixed / boot_noise_ceiling for subject RDMs.
/// The vectors (vectors.vec) were written by gensim's save_word2vec_format and are read by Simile's word2vec reader.
/// </summary>
public class TargetReferenceTests
{
    private static string Dir => Path.Combine(TestPaths.Reference, "targets");
    private static string FileOf(string name) => Path.Combine(Dir, name);
    private static readonly JsonElement Expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.Reference, "targets", "expected.json"))).RootElement;

    private static TargetResult Evaluate(IWordEmbeddings model, Target t, RsaMeasure measure, int permutations = 0, int bootstrap = 0) =>
        TargetEvaluation.Evaluate(t, [TargetEvaluation.TokenVectors(model, t, SubwordPolicy.Error)],
            new TargetOptions { Measure = measure, Permutations = permutations, Bootstrap = bootstrap, Seed = 3 });

    public static TheoryData<string> PairLayouts => new()
    {
        "pairs-generic.tsv", "pairs-header.tsv", "pairs-crlf.tsv", "pairs-simlex.txt", "pairs-simlex3.txt",
        "pairs-wordsim.csv", "pairs-wordsim-tab.txt", "pairs-men.txt",
    };

    [Theory]
    [MemberData(nameof(PairLayouts))]
    public void EveryPairLayoutGivesGensimsAndScipysValues(string file)
    {
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var t = TargetFile.Read(FileOf(file));
        var e = Expected.GetProperty("pairs");
        Assert.Equal(TargetKind.Pairs, t.Kind);
        Assert.Equal(e.GetProperty("pairs_total").GetInt32(), t.PairCount);

        var spearman = Evaluate(model, t, RsaMeasure.Spearman);
        var v = Assert.Single(spearman.Results);
        Assert.Equal(e.GetProperty("pairs_used").GetInt32(), v.PairsUsed);
        Assert.Equal(["Unicorn", "Zebra", "unicorn", "zebra"], v.MissingWords.Order(StringComparer.Ordinal).ToArray());
        Assert.Equal("token", v.Representation);
        Assert.Null(spearman.NoiseCeiling);
        // float64 cosines (numpy) with scipy.stats.spearmanr; gensim's cosines are float32, hence its looser tolerance.
        Assert.Equal(e.GetProperty("spearman").GetDouble(), v.Value, 12);
        Assert.Equal(e.GetProperty("gensim_spearman").GetDouble(), v.Value, 6);
        double missingShare = 100.0 * (t.PairCount - v.PairsUsed) / t.PairCount;
        Assert.Equal(e.GetProperty("gensim_oov_ratio").GetDouble(), missingShare, 10);

        var pearson = Assert.Single(Evaluate(model, t, RsaMeasure.Pearson).Results);
        Assert.Equal(e.GetProperty("pearson").GetDouble(), pearson.Value, 12);
        Assert.Equal(e.GetProperty("gensim_pearson").GetDouble(), pearson.Value, 6);
        Assert.Equal(e.GetProperty("tau_a").GetDouble(), Assert.Single(Evaluate(model, t, RsaMeasure.TauA).Results).Value, 12);
        Assert.Equal(e.GetProperty("rho_a").GetDouble(), Assert.Single(Evaluate(model, t, RsaMeasure.RhoA).Results).Value, 12);
    }

    [Fact]
    public void ModelSimilarityIsBitSymmetricAndAWordWithItselfIsOne()
    {
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var t = TargetFile.Read(FileOf("pairs-generic.tsv"));
        var v = Assert.Single(Evaluate(model, t, RsaMeasure.Spearman).Results);
        var byPair = v.UsedPairs.Select((p, i) => (A: t.Words[t.PairA[p]].ToLowerInvariant(), B: t.Words[t.PairB[p]].ToLowerInvariant(), S: v.ModelValues[i])).ToList();
        int reversed = 0;
        foreach (var x in byPair)
            foreach (var y in byPair.Where(y => y.A == x.B && y.B == x.A && x.A != x.B))
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(x.S), BitConverter.DoubleToInt64Bits(y.S));
                reversed++;
            }
        Assert.True(reversed >= 2, "the reference file holds a pair and its reverse");
        Assert.Equal(1.0, byPair.Single(x => x.A == "lamp" && x.B == "lamp").S);
    }

    public static TheoryData<string, RsaMeasure> Measures => new()
    {
        { "spearman", RsaMeasure.Spearman }, { "pearson", RsaMeasure.Pearson }, { "kendall-tau-a", RsaMeasure.TauA }, { "rho-a", RsaMeasure.RhoA },
    };

    [Theory]
    [MemberData(nameof(Measures))]
    public void SubjectRdmsGiveRsatoolboxsEvalFixedAndNoiseCeiling(string name, RsaMeasure measure)
    {
        Assert.Equal(measure, TargetMeasures.Parse(name));
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var e = Expected.GetProperty("brain");
        var files = Enumerable.Range(1, 5).Select(s => FileOf($"brain-s{s}.csv")).ToList();
        var t = Assert.Single(TargetFile.ReadAll(files));
        Assert.Equal(TargetKind.Rdm, t.Kind);
        Assert.Equal(5, t.SubjectCount);
        Assert.Equal("brain-s1", t.Name);
        var r = Evaluate(model, t, measure);
        var v = Assert.Single(r.Results);
        var m = e.GetProperty(name);
        Assert.Equal(66, v.PairsUsed);
        Assert.Equal(m.GetProperty("eval_fixed").GetDouble(), v.Value, 12);
        Assert.NotNull(r.NoiseCeiling);
        Assert.Equal(m.GetProperty("noise_ceiling")[0].GetDouble(), r.NoiseCeiling!.Lower, 12);
        Assert.Equal(m.GetProperty("noise_ceiling")[1].GetDouble(), r.NoiseCeiling.Upper, 12);

        // One subject: the plain comparison, no ceiling.
        var one = TargetFile.Read(files[0]);
        var r1 = Evaluate(model, one, measure);
        Assert.Equal(m.GetProperty("subject1").GetDouble(), Assert.Single(r1.Results).Value, 12);
        Assert.Null(r1.NoiseCeiling);
    }

    [Theory]
    [MemberData(nameof(Measures))]
    public void AWordTheModelLacksDropsItsPairsButNotTheCeiling(string name, RsaMeasure measure)
    {
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var e = Expected.GetProperty("brainmissing");
        var t = Assert.Single(TargetFile.ReadAll(Enumerable.Range(1, 4).Select(s => FileOf($"brainmissing-s{s}.csv")).ToList()));
        var r = Evaluate(model, t, measure);
        var v = Assert.Single(r.Results);
        Assert.Equal(66, t.PairCount);
        Assert.Equal(55, v.PairsUsed);
        Assert.Equal(["zebra"], v.MissingWords);
        var m = e.GetProperty(name);
        Assert.Equal(m.GetProperty("eval_fixed").GetDouble(), v.Value, 12);
        Assert.Equal(m.GetProperty("noise_ceiling")[0].GetDouble(), r.NoiseCeiling!.Lower, 12);
        Assert.Equal(m.GetProperty("noise_ceiling")[1].GetDouble(), r.NoiseCeiling.Upper, 12);
    }

    [Fact]
    public void InferenceIsSeededAndOffWhenAskedForNone()
    {
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var t = TargetFile.Read(FileOf("pairs-generic.tsv"));
        var a = Assert.Single(Evaluate(model, t, RsaMeasure.Spearman, permutations: 200, bootstrap: 200).Results);
        var b = Assert.Single(Evaluate(model, t, RsaMeasure.Spearman, permutations: 200, bootstrap: 200).Results);
        Assert.Equal(a.PValue, b.PValue);
        Assert.Equal(a.Lower, b.Lower);
        Assert.Equal(a.Upper, b.Upper);
        // A strong correlation over 49 pairs: no permutation reaches it.
        Assert.Equal(1.0 / 201, a.PValue!.Value, 12);
        Assert.True(a.Lower < a.Value && a.Value < a.Upper, $"{a.Lower} {a.Value} {a.Upper}");
        var none = Assert.Single(Evaluate(model, t, RsaMeasure.Spearman).Results);
        Assert.Null(none.PValue);
        Assert.Null(none.Lower);
        Assert.Null(none.Distribution);
    }

    [Fact]
    public void PermutationCountsMatchANaiveLoop()
    {
        // The driver's count against a plain loop over the same permutations (Permutations.Fill), on the pair target.
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        var t = TargetFile.Read(FileOf("pairs-men.txt"));
        var rep = TargetEvaluation.TokenVectors(model, t, SubwordPolicy.Error);
        var data = TargetEvaluation.Data(t, rep, out _);
        // Weaken the signal so that some permutations beat it: compare with shuffled ratings.
        var shuffled = data.Subjects[0].Reverse().ToArray();
        data = data with { Subjects = [shuffled] };
        var result = PairListInference.Permute(data, RsaMeasure.Spearman, 300, 11);
        double observed = PairListInference.Value(data, RsaMeasure.Spearman);
        int atLeast = 0;
        var perm = new int[data.Words];
        for (int p = 0; p < 300; p++)
        {
            Permutations.Fill(11, p, perm);
            var mv = new double[data.Pairs];
            for (int k = 0; k < data.Pairs; k++)
            {
                int i = perm[data.A[k]], j = perm[data.B[k]];
                mv[k] = i == j ? 1.0 : data.Model[Simile.Similarity.CondensedIndex.Of(data.Words, i, j)];
            }
            if (RsaMeasures.Spearman(mv, shuffled) >= observed - 1e-12) atLeast++;
        }
        Assert.Equal(atLeast, result.AtLeastAsExtreme);
        Assert.True(atLeast > 0 && atLeast < 300);
    }

    [Theory]
    [InlineData(RsaMeasure.Spearman)]
    [InlineData(RsaMeasure.Pearson)]
    [InlineData(RsaMeasure.RhoA)]
    public void WeightedBootstrapEqualsTheResampledVectors(RsaMeasure measure)
    {
        // The fast route (weights, one sort per side) against building every resampled vector and calling the measure.
        using var model = StaticVectorFiles.Open(FileOf("vectors.vec"));
        foreach (var t in new[] { TargetFile.Read(FileOf("pairs-simlex.txt")),
                                  TargetFile.ReadAll(Enumerable.Range(1, 5).Select(s => FileOf($"brain-s{s}.csv")).ToList())[0] })
        {
            var data = TargetEvaluation.Data(t, TargetEvaluation.TokenVectors(model, t, SubwordPolicy.Error), out _);
            var fast = PairListInference.BootstrapDistribution(data, measure, 60, 5, materialize: false);
            var slow = PairListInference.BootstrapDistribution(data, measure, 60, 5, materialize: true);
            for (int r = 0; r < fast.Length; r++)
                if (double.IsNaN(slow[r])) Assert.True(double.IsNaN(fast[r]));
                else Assert.Equal(slow[r], fast[r], 12);
        }
    }

    [Fact]
    public void BenjaminiHochbergMatchesTheClosedForm()
    {
        // p sorted: 0.01, 0.02, 0.03, 0.5 (m = 4): 0.04, 0.04, 0.04, 0.5 after the running minimum from the top.
        var adj = PairListInference.FalseDiscoveryRate([0.03, 0.5, 0.01, double.NaN, 0.02]);
        Assert.Equal(0.04, adj[0], 12);
        Assert.Equal(0.5, adj[1], 12);
        Assert.Equal(0.04, adj[2], 12);
        Assert.True(double.IsNaN(adj[3]));
        Assert.Equal(0.04, adj[4], 12);
    }
}
