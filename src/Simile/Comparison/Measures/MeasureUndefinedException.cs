namespace Simile.Comparison.Measures;

/// <summary>A measure that is not defined for these inputs (the comparison reports null with the reason as a note).</summary>
public sealed class MeasureUndefinedException(string message, string fix) : Exception(message)
{
    public string Fix { get; } = fix;
}
