using System.ComponentModel;
using System.Text.Json;
using Simile.Comparison.Measures;
using Simile.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile measures</c>: the measure registry — names, direction, invariances, scale, reference implementation.</summary>
public sealed class MeasuresCommand : Command<MeasuresCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--json")]
        [Description("Print the registry as one JSON object on stdout.")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (settings.Json)
        {
            Console.Out.WriteLine(ToJson());
            return 0;
        }
        var console = CliSupport.Stdout();
        var table = new Table().AddColumn(new TableColumn("name").NoWrap()).AddColumn("kind").AddColumn("options").AddColumn("invariant to")
            .AddColumn("f(X,X)").AddColumn("scale");
        foreach (var m in MeasureRegistry.All)
            table.AddRow(Markup.Escape(m.Name), m.Direction == MeasureDirection.Distance ? "distance" : "similarity",
                Markup.Escape(m.Parameters), Markup.Escape(InvarianceText(m.Invariances)),
                m.IdentityValue is { } v ? v.ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                Markup.Escape(m.MaxItems == int.MaxValue ? "any n" : $"n ≤ {m.MaxItems:N0}"));
        console.Write(table);
        console.MarkupLine("[bold]references[/] (the implementation each value reproduces):");
        foreach (var m in MeasureRegistry.All)
            console.MarkupLine($"  [bold]{Markup.Escape(m.Name)}[/]: {Markup.Escape(m.Reference)}");
        console.MarkupLine("[grey]simile measures --json adds each measure's cost and the known divergences between peers.[/]");
        return 0;
    }

    internal static string InvarianceText(Invariance inv)
    {
        var parts = new List<string>();
        if (inv.HasFlag(Invariance.Rotation)) parts.Add("rotation");
        if (inv.HasFlag(Invariance.IsotropicScaling)) parts.Add("isotropic scaling");
        if (inv.HasFlag(Invariance.InvertibleLinear)) parts.Add("invertible linear");
        if (inv.HasFlag(Invariance.Permutation)) parts.Add("permutation");
        if (inv.HasFlag(Invariance.Translation)) parts.Add("translation");
        return parts.Count == 0 ? "none" : string.Join(", ", parts);
    }

    internal static string ToJson() => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("measures");
        foreach (var m in MeasureRegistry.All)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteString("family", m.Family);
            w.WriteString("kind", m.Direction == MeasureDirection.Distance ? "distance" : "similarity");
            w.WriteString("parameters", m.Parameters);
            w.WriteStartArray("invariances");
            foreach (var p in InvarianceText(m.Invariances).Split(", ")) if (p != "none") w.WriteStringValue(p.Replace(' ', '_'));
            w.WriteEndArray();
            JsonOutput.Number(w, "identity_value", m.IdentityValue);
            w.WriteBoolean("symmetric", m.Symmetric);
            w.WriteString("scale", m.Scale);
            if (m.MaxItems == int.MaxValue) w.WriteNull("max_items"); else w.WriteNumber("max_items", m.MaxItems);
            w.WriteString("reference", m.Reference);
            w.WriteString("divergences", m.Divergences);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
