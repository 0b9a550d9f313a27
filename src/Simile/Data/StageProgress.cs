namespace Simile.Data;

/// <summary>
/// The one progress report of the library: the running stage ("permutations", "bert-base-uncased: contextual
/// vectors", …) and the fraction of it done, 0..1. Long calls take an <c>IProgress&lt;StageProgress&gt;?</c> or, for a
/// single stage, an <c>IProgress&lt;double&gt;?</c> fraction; <see cref="FractionProgress"/> connects the two.
/// </summary>
public sealed record StageProgress(string Stage, double Fraction);

/// <summary>
/// The one progress adapter: a fraction 0..1 of some work, mapped to the part [from, to] of an outer fraction or of a
/// named stage, and reported synchronously (on the calling thread, unlike <see cref="Progress{T}"/>, so reports arrive
/// in order and none are lost when the work ends). Factory methods return null when there is nothing to report to.
/// </summary>
public sealed class FractionProgress : IProgress<double>
{
    private readonly Action<double> _report;
    private readonly double _from, _to;

    private FractionProgress(Action<double> report, double from, double to)
    {
        _report = report; _from = from; _to = to;
    }

    public void Report(double value) => _report(_from + value * (_to - _from));

    /// <summary>Fractions of <paramref name="stage"/> (mapped to [from, to] of it) reported to <paramref name="outer"/>.</summary>
    public static IProgress<double>? Of(IProgress<StageProgress>? outer, string stage, double from = 0, double to = 1) =>
        outer is null ? null : new FractionProgress(f => outer.Report(new StageProgress(stage, f)), from, to);

    /// <summary>Fractions of a part of some work: fraction f is reported as from + f·(to − from) to <paramref name="outer"/>.</summary>
    public static IProgress<double>? Part(IProgress<double>? outer, double from, double to) =>
        outer is null ? null : new FractionProgress(outer.Report, from, to);
}
