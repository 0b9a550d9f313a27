namespace Simile.Comparison.Measures;

/// <summary>Whether larger means more alike (similarity) or less alike (distance).</summary>
public enum MeasureDirection { Similarity, Distance }
