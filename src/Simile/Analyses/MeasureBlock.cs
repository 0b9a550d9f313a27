using Simile.Comparison.Measures;
using Simile.Data;
using Simile.Inference;

namespace Simile.Analyses;

/// <summary>The "measures" block of <c>compare</c>: any registered measure, with its permutation p and bootstrap interval.</summary>
internal static class MeasureBlock
{
    public sealed record Result(
        IReadOnlyList<(string Name, double Value)>? Values,
        IReadOnlyList<MeasurePermutationResult>? Permutations,
        IReadOnlyList<MeasureBootstrapInterval>? Bootstraps);

    public static Result Run(LabeledMatrix a, LabeledMatrix b, PairComparisonOptions options, List<string> notes)
    {
        if (options.RegistryMeasures.Count == 0) return new Result(null, null, null);
        var parameters = options.MeasureParameters with { Rdm = options.Kind };
        var inputs = new MeasureInputs(a.Values, b.Values, parameters);
        var values = new List<(string, double)>();
        var defined = new List<string>();
        foreach (string name in options.RegistryMeasures)
        {
            var info = MeasureRegistry.Get(name);
            options.Progress?.Report(new StageProgress(name, 0));
            double v;
            try
            {
                v = MeasureRegistry.Compute(info, inputs);
                defined.Add(info.Name);
            }
            catch (MeasureUndefinedException e)
            {
                v = double.NaN;
                notes.Add($"{info.Name} is null: {e.Message} ({e.Fix})");
            }
            values.Add((info.Name, v));
        }
        List<MeasurePermutationResult>? perms = null;
        if (options.Permutations > 0)
        {
            perms = [];
            foreach (string name in defined)
                perms.Add(PermutationTest.RunMeasure(name, a.Values, b.Values, parameters, options.Permutations, options.Seed,
                    Stage(options, $"{name} permutations")));
        }
        List<MeasureBootstrapInterval>? boots = null;
        if (options.Bootstrap > 0)
        {
            boots = [];
            foreach (string name in defined)
                boots.Add(Bootstrap.RunMeasure(name, a.Values, b.Values, parameters, options.Bootstrap, options.Seed, 0.95,
                    Stage(options, $"{name} bootstrap")));
        }
        return new Result(values, perms, boots);
    }

    private static IProgress<double>? Stage(PairComparisonOptions o, string stage)
        => FractionProgress.Of(o.Progress, stage);

}
