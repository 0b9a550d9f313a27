namespace Simile.Comparison.Measures;

/// <summary>How a shape metric turns the aligned matrices into a number (netrep score_method).</summary>
public enum ShapeScore { Angular, Euclidean }
