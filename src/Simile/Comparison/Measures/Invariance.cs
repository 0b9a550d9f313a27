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

/// <summary>The names of invariances, as <c>simile measures</c> prints them.</summary>
public static class InvarianceNames
{
    /// <summary>"rotation", "isotropic scaling", …, in flag order; empty for none.</summary>
    public static IReadOnlyList<string> Names(this Invariance inv)
    {
        var parts = new List<string>();
        if (inv.HasFlag(Invariance.Rotation)) parts.Add("rotation");
        if (inv.HasFlag(Invariance.IsotropicScaling)) parts.Add("isotropic scaling");
        if (inv.HasFlag(Invariance.InvertibleLinear)) parts.Add("invertible linear");
        if (inv.HasFlag(Invariance.Permutation)) parts.Add("permutation");
        if (inv.HasFlag(Invariance.Translation)) parts.Add("translation");
        return parts;
    }

    /// <summary>"rotation, isotropic scaling" or "none".</summary>
    public static string Text(this Invariance inv) => inv == Invariance.None ? "none" : string.Join(", ", inv.Names());
}
