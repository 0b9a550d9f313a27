using System.ComponentModel;
using Simile.Analyses;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary>
/// <c>simile demo</c>: part 1 on minilm, arctic-xs and glove-100d with the 34 seed words, 10,000 permutations and
/// 1,000 bootstrap resamples, explained step by step; carries on with the two BERT models when GloVe cannot be had.
/// </summary>
public sealed class DemoCommand : Command<DemoCommand.Settings>
{
    public static readonly string[] DemoModels = ["minilm", "arctic-xs", "glove-100d"];

    public sealed class Settings : CommandSettings
    {
        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder (default ./simile-out).")]
        public string Out { get; set; } = "simile-out";

        [CommandOption("-v|--verbose")]
        [Description("Print load and compute times.")]
        public bool Verbose { get; set; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var console = AnsiConsole.Console;
        console.MarkupLine("[bold]Simile demo[/]: how do three models represent 34 words about space, furniture and fruit?");
        console.MarkupLine("[grey]Each model's vectors for the words give a word × word cosine-similarity matrix; RSA correlates these " +
                           "matrices between models. 10,000 permutations give p, 1,000 bootstrap resamples a 95% interval (seed 1).[/]");
        var run = new SeedRun(settings.Out, settings.Verbose);
        var words = SeedRun.ReadWords(null);
        var models = run.LoadModels(DemoModels, optional: new HashSet<string> { "glove-100d" });
        try
        {
            var options = new SeedAnalysisOptions { Permutations = 10_000, BootstrapResamples = 1_000, Seed = 1 };
            var result = run.Analyse(models, words, options);
            run.PrintSummary(result, explain: true);
            run.WriteOutputs(result);
        }
        finally
        {
            foreach (var m in models) m.Dispose();
        }
        return 0;
    }
}
