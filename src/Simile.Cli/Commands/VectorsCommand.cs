using Simile.Data;
using System.ComponentModel;
using System.Globalization;
using Simile.Analyses;
using Simile.Analyses.Layers;
using Simile.Data;
using Spectre.Console;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile vectors</c>: a model's word vectors at chosen layers as float32 .npy [layers, words, dims] + JSON sidecar.</summary>
public sealed class VectorsCommand : Command<VectorsCommand.Settings>
{
    public sealed class Settings : WordContextSettings
    {
        protected override ContextSpec DefaultContext => ContextSpec.None;

        [CommandOption("-m|--model <MODEL>")]
        [Description("minilm, arctic-xs, glove-100d, a Hugging Face folder, a BERT-style .onnx, or a static vector file.")]
        public string? Model { get; init; }

        [CommandOption("--layer <LAYER>")]
        [Description("token, 0..L, final (last layer; GPT-2's ln_f), a comma list, or all (default). Static models: token only.")]
        [DefaultValue("all")]
        public string Layer { get; init; } = "all";

        [CommandOption("--engine <ENGINE>")]
        [Description("For ONNX graphs (minilm, arctic-xs, .onnx): default/onnx (ONNX Runtime) or native (Simile's forward pass).")]
        [DefaultValue("default")]
        public string Engine { get; init; } = "default";

        [CommandOption("-o|--out <FILE.npy>")]
        [Description("Output .npy (float32 [[layers, words, dims]]); the sidecar FILE.json is written next to it.")]
        public string? Out { get; init; }

        /// <summary>Exporting one word's vectors is a normal request: no pairs are compared here.</summary>
        protected override int MinimumWords => 1;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("give --model (e.g. --model minilm)");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("give --out FILE.npy");
            if (ContextProblem() is { } problem) return ValidationResult.Error(problem);
            return OptionLimits.Validate(("--max-contexts", MaxContexts));
        }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        // The output name is checked now; its folder is created only when the files are written (nothing is left behind on errors).
        string outPath = settings.Out!;
        OutputPath.CheckFile(outPath, [".npy"], createFolder: false, extensionFix: "vectors are written as .npy: name the output FILE.npy (the sidecar FILE.json goes next to it)");
        using var outputLock = OutputLock.ForFile(outPath);
        var subword = settings.SubwordPolicy();
        var engine = TransformerBackend.ParseEngine(settings.Engine);
        var contextSpec = settings.Contexts();
        var words = settings.LoadWords();

        var export = CliProgress.Run("Reading word vectors",
            p => WordVectorsExport.Compute(settings.Model!, words, settings.Layer, contextSpec, subword, engine, p));
        export.Write(outPath);

        var console = CliSupport.Stdout();
        var inv = CultureInfo.InvariantCulture;
        console.MarkupLine(string.Create(inv,
            $"[bold]{Markup.Escape(export.Model)}[/]: {export.Words.Count} words × {export.Dims} dims at {export.Layers.Count} representation(s) ({Markup.Escape(string.Join(", ", export.Layers))}), context {Markup.Escape(export.Context)}, subword {export.Subword.ToString().ToLowerInvariant()}"));
        int split = export.Pieces.Count(p => p.Count > 1);
        if (split > 0)
            console.MarkupLine(string.Create(inv, $"[grey]{split} word(s) are split into several tokens and pooled ({export.Subword.ToString().ToLowerInvariant()}), e.g. {Markup.Escape(string.Join(", ", export.Words.Zip(export.Pieces).Where(x => x.Second.Count > 1).Take(3).Select(x => $"{x.First} = {string.Join(" ", x.Second)}")))}[/]"));
        console.MarkupLine($"wrote [bold]{Markup.Escape(Path.GetFullPath(settings.Out!))}[/] [[{string.Join(", ", export.Shape)}]] float32 and {Markup.Escape(Path.GetFileName(WordVectorsExport.SidecarPath(settings.Out!)))}");
        return 0;
    }
}
