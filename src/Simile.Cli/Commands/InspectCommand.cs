using System.ComponentModel;
using Simile.Models;
using Simile.Models.HuggingFace;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile inspect MODEL</c>: architecture, layers, heads, dims, vocabulary and the tensor list of a model.</summary>
public sealed class InspectCommand : Command<InspectCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandArgument(0, "<MODEL>")]
        [Description("A Hugging Face model folder (config.json, *.safetensors, tokenizer files), a catalogue name or a model file.")]
        public string Model { get; init; } = "";

        [CommandOption("--plain")]
        [Description("Plain text instead of tables.")]
        public bool Plain { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        if (!HuggingFaceModel.IsModelFolder(settings.Model))
        {
            // Catalogue names, .onnx files and vector files: the catalogue's own description.
            Console.Write(ModelCatalogue.Describe(settings.Model));
            return 0;
        }
        if (settings.Plain)
        {
            Console.Write(HuggingFaceModel.Describe(settings.Model));
            return 0;
        }
        var (info, config, tensors, tokenizer) = HuggingFaceModel.Inspect(settings.Model);
        var summary = new Table().Border(TableBorder.Rounded).AddColumn("property").AddColumn("value");
        void Row(string k, string v) => summary.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("model", info.Name);
        Row("source", info.Source);
        Row("architecture", HuggingFaceModel.ArchitectureLine(config));
        Row("layers", info.Layers.ToString());
        Row("heads", info.Heads.ToString());
        Row("dims", $"{info.Dims} (feed-forward {config.IntermediateSize})");
        Row("vocabulary", info.VocabularySize.ToString());
        Row("positions", config.MaxPositions.ToString());
        bool rms = config.Decoder is { } dc && dc.Family != Simile.Engine.DecoderFamily.GptNeoX;
        Row("activation", $"{config.Activation}, {(rms ? "RMS-norm" : "layer-norm")} eps {config.LayerNormEpsilon:G}");
        if (config.Decoder is { Experts: > 0 } moe)
            Row("experts", $"{moe.Experts} of width {moe.ExpertIntermediate}, {moe.ExpertsPerToken} per token, weights {(moe.NormalizeTopK ? "renormalised" : "as routed")}");
        Row("tokenizer", tokenizer);
        Row("licence", info.Licence);
        Row("parameters", tensors.Sum(t => t.ElementCount).ToString("N0"));
        AnsiConsole.Write(summary);

        var table = new Table().Border(TableBorder.Simple).AddColumn("tensor").AddColumn("dtype").AddColumn(new TableColumn("shape").RightAligned());
        foreach (var t in tensors)
            table.AddRow(Markup.Escape(t.Name), t.DType.ToString(), Markup.Escape(t.ShapeText));
        AnsiConsole.Write(table);
        return 0;
    }
}
