namespace Simile.Similarity;

/// <summary>
/// How a problem with one row of the two matrices of a comparison names its matrix: "the first matrix" / "the second
/// matrix", or the files they were read from, so the error is built with the right name where it arises.
/// </summary>
public sealed record MatrixSources(string A, string B)
{
    public static readonly MatrixSources Default = new("the first matrix", "the second matrix");

    /// <summary>The two files, quoted: "'a.csv'".</summary>
    public static MatrixSources Files(string a, string b) => new($"'{a}'", $"'{b}'");
}
