using Simile.Data;
using Simile.Reports;
using Simile.Reports.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary>
/// <c>simile demo</c>: part 1 on minilm, arctic-xs and glove-100d with the 34 seed words, 10,000 permutations and
/// 1,000 bootstrap resamples, explained step by step; carries on with the two BERT models when GloVe cannot be had.
/// Then part 2 on minilm and arctic-xs: the words through every layer (neutral contexts), written to
/// <c>OUT/layers/</c> and embedded in the main report.html.
/// </summary>
public sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public sealed class Settings : ReportRunSettings;

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        using var outputLock = OutputLock.ForFolder(settings.Out);
        console.MarkupLine("[bold]Simile demo[/]: how do three models represent 34 words about space, furniture and fruit?");
        console.MarkupLine("[grey]Each model's vectors for the words give a word × word cosine-similarity matrix; RSA correlates these " +
                           "matrices between models. 10,000 permutations give p, 1,000 bootstrap resamples a 95% interval (seed 1).[/]");
        var words = RsaCommand.ReadWords(null);
        var r = CliProgress.Stages(p => DemoRun.Run(words, settings.Output(), p));
        var summary = new RunSummary(settings.Verbose);
        summary.Loading(r.PartOne);
        summary.Print(r.PartOne.Analysis, explain: true);
        console.WriteLine();
        console.MarkupLine("[bold]Part 2: through the layers[/] (minilm and arctic-xs; each word averaged over the neutral templates " +
                           "such as \"This is the {word}.\"; 1,000 permutations and bootstrap resamples, seed 1)");
        LayersCommand.Summarize(console, r.PartTwo.Analysis, r.PartTwoFolder, r.PartTwo.Files.Count);
        console.MarkupLine("[grey]Layer × layer grids: picking the best-matching pair is biased upward, so its p-value is calibrated " +
                           "on the maximum of each permuted grid. Category RSA correlates each layer's dissimilarities with the " +
                           "category model (0 within a category, 1 between); anisotropy is the mean pairwise cosine.[/]");
        summary.Written(r.PartOne, settings.Out, RsaCommand.SeedReportFiles);
        return 0;
    }
}
