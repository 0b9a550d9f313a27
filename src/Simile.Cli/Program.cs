using Simile;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli;

public static class Program
{
    public static int Main(string[] args)
    {
        var app = new CommandApp();
        app.Configure(Configure);
        try
        {
            return app.Run(AliasSingleLetterOptions(args));
        }
        catch (Exception e)
        {
            return ReportError(e);
        }
    }

    /// <summary>
    /// "--k 5" / "--k=5" (the kNN option as the measure literature writes it) → "--neighbours 5": Spectre.Console.Cli
    /// does not accept one-letter long options.
    /// </summary>
    public static string[] AliasSingleLetterOptions(string[] args)
        => args.Select(a => a == "--k" ? "--neighbours" : a.StartsWith("--k=", StringComparison.Ordinal) ? "--neighbours=" + a[4..] : a).ToArray();

    /// <summary>One command class per verb; each is a thin call into Simile.Analyses.</summary>
    public static void Configure(IConfigurator config)
    {
        config.SetApplicationName("simile");
        config.SetApplicationVersion(SimileVersion.Current);   // simile --version: the package version
        config.PropagateExceptions();
        config.AddCommand<Commands.DemoCommand>("demo").WithDescription("Part 1 on minilm, arctic-xs and glove-100d with the 34 seed words, explained.");
        config.AddCommand<Commands.RsaCommand>("rsa").WithDescription("RSA of every pair of models on a word list (part 1): figures, results.json, report.html.");
        config.AddCommand<Commands.LayersCommand>("layers").WithDescription("RSA through every layer of one or two transformers: layer grids, categories, anisotropy, maps.").WithExample("layers", "--model", "minilm", "--model", "arctic-xs", "--out", "layers-out");
        config.AddCommand<Commands.CompareCommand>("compare").WithDescription("Compare two items × features matrices: RSA, CKA, Procrustes, direct correlation.").WithExample("compare", "examples/model-a.csv", "examples/model-b.csv");
        config.AddCommand<Commands.MeasuresCommand>("measures").WithDescription("List the measure registry: names, similarity/distance, invariances, scale, reference implementation.");
        config.AddCommand<Commands.RdmCommand>("rdm").WithDescription("Write the n×n dissimilarity matrix of a matrix's items.").WithExample("rdm", "examples/model-a.csv", "--out", "rdm.csv");
        config.AddCommand<Commands.VectorsCommand>("vectors").WithDescription("Write a model's word vectors at chosen layers: float32 .npy [[layers, words, dims]] + JSON sidecar.").WithExample("vectors", "--model", "minilm", "--layer", "all", "--out", "vectors.npy");
        config.AddCommand<Commands.AttentionCommand>("attention").WithDescription("Attention of one text per layer and head: heatmaps, .npy [[layers, heads, tokens, tokens]], attention.json.").WithExample("attention", "--model", "minilm", "--text", "The cat sat on the mat.", "--out", "attention-out");
        config.AddCommand<Commands.ModelsCommand>("models").WithDescription("List the model catalogue: names, sizes, sources, licences, cached or not.");
        config.AddCommand<Simile.Cli.Commands.InspectCommand>("inspect").WithDescription("Show a model's architecture, vocabulary and tensors.");
        config.AddBranch("grid", grid =>
        {
            grid.SetDescription("Model-zoo comparison grids as job arrays: plan, extract, compare (sharded), merge; run; sbatch scripts.");
            grid.AddCommand<Commands.Grid.GridPlanCommand>("plan").WithDescription("Write DIR/plan.json: models, words, representations, measures, permutations.").WithExample("grid", "plan", "-m", "minilm", "-m", "arctic-xs", "--measures", "pearson,cka", "--permutations", "1000", "--out", "grid-out");
            grid.AddCommand<Commands.Grid.GridExtractCommand>("extract").WithDescription("Extraction task K: model K's vectors into DIR/vectors (atomic, idempotent).");
            grid.AddCommand<Commands.Grid.GridCompareCommand>("compare").WithDescription("Comparison shard I of N into DIR/shards/I-of-N.json (atomic, idempotent).");
            grid.AddCommand<Commands.Grid.GridMergeCommand>("merge").WithDescription("Check every shard and write DIR/results.json, grids/ and report.html.");
            grid.AddCommand<Commands.Grid.GridRunCommand>("run").WithDescription("Every step in this process (same outputs as extract + compare + merge).");
            grid.AddCommand<Commands.Grid.GridSbatchCommand>("sbatch").WithDescription("Write Slurm scripts (extraction array, comparison array, merge) and submit.sh.");
        });
        config.AddCommand<VersionCommand>("version").WithDescription("Print Simile's version.");
    }

    /// <summary>User problems: one line on stderr, exit code 2. Anything else is a bug: exit code 1.</summary>
    public static int ReportError(Exception e)
    {
        var user = FindUserError(e);
        if (user is not null)
        {
            Console.Error.WriteLine("simile: error: " + user.OneLine);
            return 2;
        }
        if (e is CommandParseException or CommandRuntimeException)
        {
            Console.Error.WriteLine("simile: error: " + e.Message.Replace('\n', ' ').TrimEnd().TrimEnd('.') + ". Fix: see 'simile --help' or 'simile <verb> --help'.");
            return 2;
        }
        Console.Error.WriteLine("simile: internal error: " + e);
        return 1;
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
    public sealed class Settings : CommandSettings { }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        Console.WriteLine(Simile.SimileVersion.Current);   // the package version (Directory.Build.props)
        return 0;
    }
}
