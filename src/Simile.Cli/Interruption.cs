using System.Runtime.InteropServices;
using Simile.Data;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM: instead of dying mid-write, the process removes every temporary file it has open
/// (<see cref="TempFiles"/>: the atomic writer's, the vector cache's, the npm download folder), prints one line and
/// exits with code 130. Output files already moved into place are complete; none is half-written.
/// </summary>
public sealed class Interruption : ICommandInterceptor, IDisposable
{
    private static int _fired;
    private readonly List<PosixSignalRegistration> _registrations = [];

    public static bool Interrupted => Volatile.Read(ref _fired) != 0;

    /// <summary>Registers the handlers. .NET runs the newest registration first, and Spectre.Console.Cli registers its own
    /// (which waits for the verb to return) when it starts a verb; so these are installed from the interceptor, just before the verb runs.</summary>
    public void Install()
    {
        if (_registrations.Count > 0) return;
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
        {
            try { _registrations.Add(PosixSignalRegistration.Create(signal, Handle)); }
            catch (PlatformNotSupportedException) { }
        }
    }

    public void Intercept(CommandContext context, CommandSettings settings) => Install();

    public void InterceptResult(CommandContext context, CommandSettings settings, ref int result) { }

    private static void Handle(PosixSignalContext context)
    {
        context.Cancel = true;   // the process stays up until the temporary files are gone
        if (Interlocked.Exchange(ref _fired, 1) != 0) return;
        int removed = TempFiles.DeleteAllAndClose();
        string name = context.Signal == PosixSignal.SIGINT ? "Ctrl-C (SIGINT)" : "SIGTERM";
        Console.Error.WriteLine($"{(CliProgress.Enabled ? "\r" : "")}simile: interrupted by {name}; stopped"
                                + (removed > 0 ? $" and removed {removed} unfinished temporary file(s)" : "")
                                + ". Files already written are complete; run the command again to finish.");
        Console.Error.Flush();
        Environment.Exit(Program.ExitInterrupted);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
