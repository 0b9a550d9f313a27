using Xunit;

namespace Simile.Tests.Cli;

/// <summary>Tests that swap the process-wide Console.Out/Error run in this collection, one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "Console";
}

/// <summary>
/// Runs the CLI in-process: <c>Program.Main(args)</c> with Console.Out/Error captured. Console is process-wide,
/// so runs are serialised under a lock and the original writers are restored afterwards.
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
}
