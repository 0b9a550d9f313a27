using System.ComponentModel;
using Simile.Analyses;
using Simile.Data;
using Simile.Similarity;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile rdm A --out FILE</c>: the square n×n dissimilarity matrix of A's items.</summary>
public sealed class RdmCommand : Command<RdmCommand.Settings>
{
    public static readonly IReadOnlyList<string> OutputExtensions = [".csv", ".tsv", ".npy"];

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
        [Description("Output: .csv/.tsv (item names as header row and first column when the input has names) or .npy (float64).")]
        public string? Out { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(settings.Out))
            throw new SimileException("rdm needs --out FILE", "add --out rdm.csv (or .tsv, .npy)");
        var kind = DissimilarityKinds.Parse(settings.Rdm);
        CliSupport.CheckOutputPath(settings.Out, OutputExtensions);
        using var outputLock = OutputLock.ForFile(settings.Out);
        var input = MatrixFile.Read(settings.A, settings.ReadOptions());
        if (input.Rows < 2)
            throw new SimileException($"'{settings.A}' has {input.Rows} item(s); a dissimilarity matrix needs at least 2", "give at least 2 rows");
        var rdm = PairComparison.ComputeRdm(input, kind);
        var square = Matrix.FromArray(rdm.ToSquare());
        MatrixFile.Write(settings.Out, square, input.RowNames, input.RowNames, corner: "item");
        Console.Out.WriteLine($"wrote {rdm.N}x{rdm.N} {kind.Name()} dissimilarity matrix to {settings.Out}");
        return 0;
    }
}
