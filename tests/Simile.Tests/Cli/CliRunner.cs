using System.Diagnostics;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>Tests that swap the process-wide Console.Out/Error run in this collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}

/// <summary>
/// The one way tests run the CLI. <see cref="Run"/>: in-process, <c>Program.Main(args)</c> with Console.Out/Error
/// captured (Console is process-wide, so runs are serialised under a lock and the original writers are restored
/// afterwards; such tests belong to <see cref="ConsoleCollection"/>). <see cref="RunProcess"/>: the real entry point as
/// a separate process (exit code, stderr, environment variables, output Spectre.Console writes through its own console).
/// </summary>
internal static class CliRunner
{
    private static readonly object Gate = new();

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
    }

    public static Result Run(params string[] args)
    {
        lock (Gate)
        {
            var oldOut = Console.Out;
            var oldErr = Console.Error;
            var stdout = new StringWriter { NewLine = "\n" };
            var stderr = new StringWriter { NewLine = "\n" };
            Console.SetOut(stdout);
            Console.SetError(stderr);
            int code;
            try
            {
                code = Simile.Cli.Program.Main(args);
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldErr);
            }
            return new Result(code, stdout.ToString(), stderr.ToString());
        }
    }

    /// <summary>
    /// Runs <c>dotnet Simile.Cli.dll args</c> with NO_COLOR=1 and the given extra environment; fails with a
    /// <see cref="TimeoutException"/> after <paramref name="timeoutSeconds"/>.
    /// </summary>
    public static Result RunProcess(IReadOnlyDictionary<string, string>? environment, int timeoutSeconds, params string[] args)
    {
        string host = Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath! : "dotnet";
        var psi = new ProcessStartInfo(host) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Simile.Cli.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        string err = p.StandardError.ReadToEnd();
        if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(true); throw new TimeoutException($"simile {string.Join(' ', args)} did not finish in {timeoutSeconds} s"); }
        return new Result(p.ExitCode, stdout.Result, err);
    }

    /// <summary><see cref="RunProcess"/> with the default environment and a 3-minute limit.</summary>
    public static Result RunProcess(params string[] args) => RunProcess(null, 180, args);
}
