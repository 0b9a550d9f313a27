namespace Simile.Fuzz;

/// <summary>
/// One file reader under fuzzing: the valid seed files it reads (file name → bytes, written into a fresh folder for
/// every input), which of them is mutated, and the call that reads them. <see cref="Run"/> gets the folder and the
/// mutated file's path; it must end in success or a <see cref="SimileException"/>, and may throw
/// <see cref="FuzzCheckFailed"/> when a post-condition fails (for example a temporary file left behind).
/// </summary>
public sealed class FuzzTarget
{
    public required string Name { get; init; }
    /// <summary>The file (a key of the seeds) that is mutated.</summary>
    public required string MutatedFile { get; init; }
    /// <summary>The seed files; null when the seed is unavailable (then <see cref="UnavailableReason"/> says why).</summary>
    public required Func<IReadOnlyDictionary<string, byte[]>?> Seeds { get; init; }
    public required Action<string, string> Run { get; init; }
    /// <summary>Enables the structure-aware JSON mutation (a value replaced by one of another type).</summary>
    public bool Json { get; init; }
    /// <summary>Part of the test suite's quick run (false for slow seeds such as the 90 MB MiniLM graph).</summary>
    public bool InQuickRun { get; init; } = true;
    public string UnavailableReason { get; init; } = "";

    public override string ToString() => Name;
}

/// <summary>A reader returned, but left something wrong behind (a temporary file, an inconsistent result).</summary>
public sealed class FuzzCheckFailed(string message) : Exception(message);
