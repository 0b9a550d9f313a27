using System.ComponentModel;
using Simile.Comparison.Measures;
using Simile.Reports;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile measures</c>: the measure registry — names, direction, invariances, scale, reference implementation.</summary>
public sealed class MeasuresCommand : Command<MeasuresCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandOption("--json")]
        [Description("Print the registry as one JSON object on stdout.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Json)
        {
            Console.Out.WriteLine(MeasureRegistryJson.Write());
            return 0;
        }
        var console = CliSupport.Stdout();
        var table = new Table().AddColumn(new TableColumn("name").NoWrap()).AddColumn("kind").AddColumn("options").AddColumn("invariant to")
            .AddColumn("f(X,X)").AddColumn("scale");
        foreach (var m in MeasureRegistry.All)
            table.AddRow(Markup.Escape(m.Name), m.Direction == MeasureDirection.Distance ? "distance" : "similarity",
                Markup.Escape(m.Parameters), Markup.Escape(m.Invariances.Text()),
                m.IdentityValue is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                Markup.Escape(m.MaxItems == int.MaxValue ? "any n" : $"n ≤ {m.MaxItems:N0}"));
        console.Write(table);
        console.MarkupLine("[bold]references[/] (the implementation each value reproduces):");
        foreach (var m in MeasureRegistry.All)
            console.MarkupLine($"  [bold]{Markup.Escape(m.Name)}[/]: {Markup.Escape(m.Reference)}");
        console.MarkupLine("[grey]simile measures --json adds each measure's cost and the known divergences between peers.[/]");
        return 0;
    }
}
