namespace Simile.Comparison.Measures;

/// <summary>Transformations of ONE of the two matrices under which a measure's value does not change (at its default parameters).</summary>
[Flags]
public enum Invariance
{
    None = 0,
    /// <summary>X → X·Q for an orthogonal Q.</summary>
    Rotation = 1,
    /// <summary>X → c·X, c &gt; 0.</summary>
    IsotropicScaling = 2,
    /// <summary>X → X·A for any invertible A.</summary>
    InvertibleLinear = 4,
    /// <summary>X → X·P for a permutation P of the features.</summary>
    Permutation = 8,
    /// <summary>X → X + 1·bᵀ (a constant added to every row).</summary>
    Translation = 16,
}
