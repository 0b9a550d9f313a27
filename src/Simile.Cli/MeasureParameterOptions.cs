using Simile.Comparison.Measures;

namespace Simile.Cli;

/// <summary>
/// The parameters of the registry measures as the settings of a verb hold them (<c>--neighbours</c>/<c>--k</c>,
/// <c>--alpha</c>, <c>--score</c>, <c>--rbf-threshold</c>): the settings of <c>compare</c> and <c>layers</c>.
/// </summary>
public interface IMeasureParameterOptions
{
    int K { get; }
    double Alpha { get; }
    string Score { get; }
    double RbfThreshold { get; }
}

/// <summary>
/// The one declaration of the measure-parameter options: their switches, help, defaults, range checks and conversion to
/// <see cref="MeasureParameters"/>. Spectre.Console.Cli composes options only through inheritance, and the two verbs
/// that take them derive from different bases that other verbs share (<c>compare</c> from
/// <see cref="MatrixInputSettings"/> with <c>rdm</c>, <c>layers</c> from <see cref="WordContextSettings"/> with
/// <c>vectors</c>), so a common base would give the options to verbs that ignore them. Each of the two settings
/// classes therefore carries the four properties, written with the constants below, and calls
/// <see cref="Check"/> and <see cref="ToParameters"/>.
/// </summary>
public static class MeasureParameterOptions
{
    public const string Neighbours = "-k|--neighbours <K>";
    public const string NeighboursHelp = "--k: neighbours for the kNN measures (item itself excluded; ties to the lower index).";
    public const int DefaultNeighbours = 10;

    public const string Alpha = "--alpha <A>";
    public const string AlphaHelp = "Partial whitening of shape_metric: 1 = Procrustes (default), 0 = full whitening (CCA-like).";
    public const double DefaultAlpha = 1.0;

    public const string Score = "--score <S>";
    public const string ScoreHelp = "Score of shape_metric / permutation_metric: angular (default, radians) or euclidean.";
    public const string DefaultScore = "angular";

    public const string RbfThreshold = "--rbf-threshold <T>";
    public const string RbfThresholdHelp = "RBF bandwidth of cka_rbf / cka_rbf_debiased: sigma² = T² × median squared distance (default 0.5).";
    public const double DefaultRbfThreshold = 0.5;

    /// <summary>Refuses a value outside its range in <see cref="OptionLimits"/> (called from the settings' Validate()).</summary>
    public static void Check(IMeasureParameterOptions options)
    {
        OptionLimits.Check("--alpha", options.Alpha);
        OptionLimits.Check("--rbf-threshold", options.RbfThreshold);
        OptionLimits.Check("--neighbours", (decimal)options.K);
    }

    /// <summary>The options as the measures take them (<c>--score</c> parsed here).</summary>
    public static MeasureParameters ToParameters(IMeasureParameterOptions options) => new()
    {
        K = options.K,
        Alpha = options.Alpha,
        Score = MeasureParameters.ParseScore(options.Score),
        RbfThreshold = options.RbfThreshold,
    };
}
