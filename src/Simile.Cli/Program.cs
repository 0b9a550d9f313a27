using Simile;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli;

public static class Program
{
    /// <summary>Exit codes (README "Errors and exit codes"): 0 done, 1 out of memory or a bug, 2 a problem the user can fix, 130 interrupted.</summary>
    public const int ExitOk = 0, ExitInternal = 1, ExitUser = 2, ExitInterrupted = 130;

    /// <summary>--verbose / -v (any verb, <see cref="VerbSettings"/>): internal errors print their stack trace.</summary>
    internal static bool Verbose { get; private set; }

    public static int Main(string[] args)
    {
        if (args is ["--version"]) return PrintVersion();
        Verbose = args.Any(a => a is "--verbose" or "-v") || Environment.GetEnvironmentVariable("SIMILE_VERBOSE") is "1" or "true";
        var app = new CommandApp();
        app.Configure(Configure);
        // Installed when a verb starts (after Spectre.Console.Cli's own Ctrl-C handling, so this handler runs first).
        using var interrupt = new Interruption();
        app.Configure(c => c.SetInterceptor(interrupt));
        try
        {
            return app.Run(StrictParsing.Check(args, Verbs));
        }
        catch (Exception e)
        {
            return ReportError(e);
        }
    }

    /// <summary>Every verb <see cref="Configure"/> registers (words and settings type), read from the registrations themselves.</summary>
    public static IReadOnlyList<CliVerb> Verbs => verbs.Value;

    private static readonly Lazy<IReadOnlyList<CliVerb>> verbs = new(() =>
    {
        var list = new List<CliVerb>();
        new CommandApp().Configure(c => Configure(c, list));
        return list;
    });

    /// <summary>The package version (Directory.Build.props), for --version and the version verb.</summary>
    internal static int PrintVersion()
    {
        Console.WriteLine(Simile.SimileVersion.Current);
        return ExitOk;
    }

    /// <summary>One command class per verb; each is a thin call into Simile.Reports.Runs.</summary>
    public static void Configure(IConfigurator config) => Configure(config, []);

    private static void Configure(IConfigurator config, List<CliVerb> verbs)
    {
        ICommandConfigurator Verb<TCommand>(string name) where TCommand : class, ICommand
        {
            verbs.Add(new CliVerb(name, StrictParsing.SettingsOf(typeof(TCommand))));
            return config.AddCommand<TCommand>(name);
        }
        config.SetApplicationName("simile");
        config.SetApplicationVersion(SimileVersion.Current);   // simile --version: the package version
        config.PropagateExceptions();
        config.UseStrictParsing();   // behind StrictParsing.Check, which names the closest real option
        Verb<Commands.DemoCommand>("demo").WithDescription("Part 1 on minilm, arctic-xs and glove-100d with the 34 seed words, explained.");
        Verb<Commands.RsaCommand>("rsa").WithDescription("RSA of every pair of models on a word list (part 1): figures, results.json, report.html.");
        Verb<Commands.LayersCommand>("layers").WithDescription("RSA through every layer of one or two transformers: layer grids, categories, anisotropy, maps.").WithExample("layers", "--model", "minilm", "--model", "arctic-xs", "--out", "layers-out");
        Verb<Commands.CompareCommand>("compare").WithDescription("Compare two items × features matrices: RSA, CKA, Procrustes, direct correlation.").WithExample("compare", "examples/model-a.csv", "examples/model-b.csv");
        Verb<Commands.MeasuresCommand>("measures").WithDescription("List the measure registry: names, similarity/distance, invariances, scale, reference implementation.");
        Verb<Commands.RdmCommand>("rdm").WithDescription("Write the n×n dissimilarity matrix of a matrix's items.").WithExample("rdm", "examples/model-a.csv", "--out", "rdm.csv");
        Verb<Commands.VectorsCommand>("vectors").WithDescription("Write a model's word vectors at chosen layers: float32 .npy [[layers, words, dims]] + JSON sidecar.").WithExample("vectors", "--model", "minilm", "--layer", "all", "--out", "vectors.npy");
        Verb<Commands.AttentionCommand>("attention").WithDescription("Attention of one text per layer and head: heatmaps, .npy [[layers, heads, tokens, tokens]], attention.json.").WithExample("attention", "--model", "minilm", "--text", "The cat sat on the mat.", "--out", "attention-out");
        Verb<Commands.ModelsCommand>("models").WithDescription("List the model catalogue: names, sizes, sources, licences, cached or not.");
        Verb<Commands.InspectCommand>("inspect").WithDescription("Show a model's architecture, vocabulary and tensors.");
        config.AddBranch("grid", grid =>
        {
            ICommandConfigurator GridVerb<TCommand>(string name) where TCommand : class, ICommandLimiter<CommandSettings>
            {
                verbs.Add(new CliVerb("grid " + name, StrictParsing.SettingsOf(typeof(TCommand))));
                return grid.AddCommand<TCommand>(name);
            }
            grid.SetDescription("Model-zoo comparison grids as job arrays: plan, extract, compare (sharded), merge; run; sbatch scripts.");
            GridVerb<Commands.Grid.GridPlanCommand>("plan").WithDescription("Write DIR/plan.json: models, words, representations, measures, permutations.").WithExample("grid", "plan", "-m", "minilm", "-m", "arctic-xs", "--measures", "pearson,cka", "--permutations", "1000", "--out", "grid-out");
            GridVerb<Commands.Grid.GridExtractCommand>("extract").WithDescription("Extraction task K: model K's vectors into DIR/vectors (atomic, idempotent).");
            GridVerb<Commands.Grid.GridCompareCommand>("compare").WithDescription("Comparison shard I of N into DIR/shards/I-of-N.json (atomic, idempotent).");
            GridVerb<Commands.Grid.GridMergeCommand>("merge").WithDescription("Check every shard and write DIR/results.json, grids/ and report.html.");
            GridVerb<Commands.Grid.GridRunCommand>("run").WithDescription("Every step in this process (same outputs as extract + compare + merge).");
            GridVerb<Commands.Grid.GridSbatchCommand>("sbatch").WithDescription("Write Slurm scripts (extraction array, comparison array, merge) and submit.sh.");
        });
        Verb<VersionCommand>("version").WithDescription("Print Simile's version.");
    }

    /// <summary>
    /// One line on stderr for every failure. User problems (<see cref="SimileException"/>, bad options, a full disk,
    /// permission denied): exit code 2. Out of memory: exit code 1. Anything else is a bug: exit code 1 with the
    /// exception's type and message (the stack trace only with --verbose).
    /// </summary>
    public static int ReportError(Exception e)
    {
        if (Interruption.Interrupted) return ExitInterrupted;   // the handler has already printed its line
        var user = FindUserError(e);
        if (user is not null)
        {
            Console.Error.WriteLine("simile: error: " + user.OneLine);
            return ExitUser;
        }
        if (e is CommandParseException or CommandRuntimeException)
        {
            Console.Error.WriteLine("simile: error: " + e.Message.Replace('\n', ' ').TrimEnd().TrimEnd('.') + ". Fix: see 'simile --help' or 'simile <verb> --help'.");
            return ExitUser;
        }
        if (Find<OutOfMemoryException>(e) is { } oom)
        {
            Console.Error.WriteLine("simile: error: out of memory (" + OneLine(oom.Message) + "). Fix: use fewer words or items (--limit), "
                                    + "close other programs, or run on a machine with more memory." + Trace(e));
            return ExitInternal;
        }
        if (Find<IOException>(e) is { } io && Simile.Data.DiskErrors.IsDiskFull(io))
        {
            Console.Error.WriteLine("simile: error: the disk is full (" + OneLine(io.Message) + "). Fix: free disk space, or write to another folder (--out)." + Trace(e));
            return ExitUser;
        }
        if (Find<UnauthorizedAccessException>(e) is { } denied)
        {
            Console.Error.WriteLine("simile: error: permission denied (" + OneLine(denied.Message) + "). Fix: choose files and folders you may read and write, or fix their permissions." + Trace(e));
            return ExitUser;
        }
        Console.Error.WriteLine(Verbose ? "simile: internal error: " + e
            : $"simile: internal error: {e.GetType().FullName}: {OneLine(e.Message)} (run again with --verbose for the stack trace, and please report it)");
        return ExitInternal;
    }

    private static string OneLine(string s) => s.Replace('\n', ' ').Replace('\r', ' ').TrimEnd().TrimEnd('.');

    private static string Trace(Exception e) => Verbose ? "\n" + e : "";

    private static T? Find<T>(Exception? e) where T : Exception
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is T t) return t;
            if (e is AggregateException a)
                foreach (var inner in a.InnerExceptions)
                    if (Find<T>(inner) is { } found) return found;
        }
        return null;
    }

    private static SimileException? FindUserError(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
        {
            if (e is SimileException s) return s;
            if (e is AggregateException a && a.InnerExceptions.Count > 0)
            {
                var inner = FindUserError(a.InnerExceptions[0]);
                if (inner is not null) return inner;
            }
        }
        return null;
    }
}

public sealed class VersionCommand : Command<VersionCommand.Settings>
{
    public sealed class Settings : VerbSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken) => Program.PrintVersion();
}
