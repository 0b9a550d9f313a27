using System.ComponentModel;
using Simile.Analyses;
using Simile.Analyses.Planning;
using Simile.Data;
using Simile.Similarity;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile rdm A --out FILE</c>: the square n×n dissimilarity matrix of A's items, streamed by row blocks.</summary>
public sealed class RdmCommand : Command<RdmCommand.Settings>
{
    public static readonly IReadOnlyList<string> OutputExtensions = RdmExport.Extensions;

    public sealed class Settings : MatrixInputSettings
    {
        [CommandArgument(0, "<A>")]
        [Description("Items × features matrix (.csv, .tsv or .npy; rows = items).")]
        public string A { get; init; } = "";

        [CommandOption("--rdm <KIND>")]
        [Description("Dissimilarity: cosine, correlation, euclidean, sqeuclidean-per-feature.")]
        [DefaultValue("cosine")]
        public string Rdm { get; init; } = "cosine";

        [CommandOption("--out <FILE>")]
        [Description("Output: .csv/.tsv (item names as header row and first column when the input has names) or .npy.")]
        public string? Out { get; init; }

        [CommandOption("--dtype <TYPE>")]
        [Description("Values written: float64 (default) or float32 (half the size).")]
        [DefaultValue("float64")]
        public string DType { get; init; } = "float64";

        [CommandOption("--memory <SIZE>")]
        [Description("Memory the export may use, e.g. 1GB (default: 80% of the memory available).")]
        public string? Memory { get; init; }

    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out))
            throw new SimileException("rdm needs --out FILE", "add --out rdm.csv (or .tsv, .npy)");
        var kind = DissimilarityKinds.Parse(settings.Rdm);
        var dtype = settings.DType.Trim().ToLowerInvariant() switch
        {
            "float64" or "f8" or "double" => NpyDType.Float64,
            "float32" or "f4" or "float" => NpyDType.Float32,
            _ => throw new SimileException($"--dtype '{settings.DType}' is not a value type", "use --dtype float64 or float32"),
        };
        long? budget = OptionLimits.Size("--memory", settings.Memory);
        OutputPath.CheckFile(settings.Out, OutputExtensions);
        using var outputLock = OutputLock.ForFile(settings.Out);
        var input = MatrixFile.Read(settings.A, settings.ReadOptions());
        if (settings.Verbose)
            foreach (string line in RdmExport.Plan(input.Rows, input.Cols, kind, budget ?? MemoryBudget.Default()).Describe())
                Console.Error.WriteLine(line);
        RdmExportResult result;
        result = CliProgress.Run("rdm", progress => RdmExport.Write(input, kind, settings.Out, dtype, budget, progress));
        Console.Out.WriteLine($"wrote {result.Items}x{result.Items} {kind.Name()} dissimilarity matrix to {settings.Out}");
        return 0;
    }
}
