namespace Simile.Data;

/// <summary>Words in a fixed order with an optional semantic category each (null when the list has none).</summary>
public sealed record WordList(IReadOnlyList<string> Words, IReadOnlyList<string?> Categories)
{
    public int Count => Words.Count;
    public bool HasCategories => Categories.Any(c => c is not null);

    /// <summary>Distinct categories in order of first appearance.</summary>
    public IReadOnlyList<string> CategoryNames =>
        Categories.Where(c => c is not null).Select(c => c!).Distinct().ToList();
}
