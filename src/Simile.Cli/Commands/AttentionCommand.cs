using System.ComponentModel;
using System.Globalization;
using Simile.Analyses;
using Simile.Data;
using Simile.Reports;
using Simile.Reports.Runs;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile attention</c>: one text's attention per layer and head as heatmaps, .npy and JSON.</summary>
public sealed class AttentionCommand : Command<AttentionCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandOption("-m|--model <MODEL>")]
        [Description("A transformer: minilm, arctic-xs, a Hugging Face folder or a BERT-style .onnx.")]
        public string? Model { get; init; }

        [CommandOption("-t|--text <TEXT>")]
        [Description("The text to run, e.g. \"The cat sat on the mat.\"")]
        public string? Text { get; init; }

        [CommandOption("--layers <LAYERS>")]
        [Description("all (default) or 0-based transformer layers, e.g. 0,3,5 or 2-4.")]
        [DefaultValue("all")]
        public string Layers { get; init; } = "all";

        [CommandOption("--heads <HEADS>")]
        [Description("all (default) or 0-based heads, e.g. 0,1 or 4-7.")]
        [DefaultValue("all")]
        public string Heads { get; init; } = "all";

        [CommandOption("--per-head <YES|NO>")]
        [Description("Also write one PNG per head under DIR/heads (default yes).")]
        [DefaultValue("yes")]
        public string PerHead { get; init; } = "yes";

        [CommandOption("--engine <ENGINE>")]
        [Description("For ONNX graphs (minilm, arctic-xs, .onnx): default/onnx (ONNX Runtime) or native (Simile's forward pass).")]
        [DefaultValue("default")]
        public string Engine { get; init; } = "default";

        [CommandOption("-o|--out <DIR>")]
        [Description("Output folder: attention.npy, attention.json, layer-K.png, heads/layer-K-head-H.png.")]
        public string? Out { get; init; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("give --model (e.g. --model minilm)");
            if (Text is null) return ValidationResult.Error("give --text \"...\"");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("give --out DIR");
            return ValidationResult.Success();
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        bool perHead = CliSupport.ParsePresence(settings.PerHead, "--per-head") != Presence.No;
        var engine = TransformerBackend.ParseEngine(settings.Engine);
        OutputPath.CheckFolderName(settings.Out!);
        using var outputLock = OutputLock.ForFolder(settings.Out!);
        var r = CliProgress.Stages(p => AttentionRun.Run(settings.Model!, engine, settings.Text!, settings.Layers, settings.Heads, perHead, settings.Out!, p));

        var export = r.Export;
        var console = CliSupport.Stdout();
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(string.Create(inv,
            $"[bold]{Markup.Escape(export.Model)}[/]: {export.Tokens} tokens ({Markup.Escape(string.Join(" ", export.Input.Pieces))}), layers {Markup.Escape(string.Join(",", export.Layers))} of {export.ModelLayers}, heads {Markup.Escape(string.Join(",", export.Heads))} of {export.ModelHeads}"));
        console.MarkupLine(string.Create(inv, $"wrote {r.Files.Count} files to [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/] (attention.npy [[{string.Join(", ", export.Shape)}]] float32, attention.json, layer PNGs)"));
        return 0;
    }
}
