using Simile.Engine;
using Simile.Models;
using Simile.Models.Embedded;
using Simile.Models.Onnx;

namespace Simile.Analyses;

/// <summary>Which forward pass runs a BERT-style ONNX model (minilm, arctic-xs, a user .onnx).</summary>
public enum TransformerEngine
{
    /// <summary>The catalogue's own choice (ONNX Runtime for ONNX graphs, the native pass for Hugging Face folders).</summary>
    Default,
    /// <summary>ONNX Runtime on the graph with every LayerNorm/Softmax output exposed.</summary>
    Onnx,
    /// <summary>Simile's native forward pass on the graph's own initializers (<see cref="NativeBertTransformer"/>).</summary>
    Native,
}

/// <summary>Opens a transformer through <see cref="ModelCatalogue.ResolveTransformer"/> on a chosen engine.</summary>
public static class TransformerBackend
{
    /// <summary>Parses <c>--engine</c>: default, onnx or native.</summary>
    public static TransformerEngine ParseEngine(string? value) => (value ?? "default").Trim().ToLowerInvariant() switch
    {
        "" or "default" or "auto" => TransformerEngine.Default,
        "onnx" or "onnxruntime" or "ort" => TransformerEngine.Onnx,
        "native" => TransformerEngine.Native,
        _ => throw new SimileException($"--engine '{value}' is not an engine", "use --engine default, onnx or native"),
    };

    /// <summary>
    /// The transformer for a catalogue name or path. <see cref="TransformerEngine.Native"/> wraps an ONNX graph in the
    /// native forward pass; a Hugging Face folder always runs natively (asking for onnx there is an error).
    /// </summary>
    public static ITransformerModel Open(string nameOrPath, TransformerEngine engine = TransformerEngine.Default)
    {
        var model = ModelCatalogue.ResolveTransformer(nameOrPath);
        switch (engine)
        {
            case TransformerEngine.Native when model is EmbeddedBertModel onnx:
                try { return new NativeBertTransformer(onnx); }
                catch { model.Dispose(); throw; }
            case TransformerEngine.Onnx when model is not EmbeddedBertModel:
                model.Dispose();
                throw new SimileException($"--engine onnx: model '{DisplayName(nameOrPath)}' is not an ONNX graph",
                    "drop --engine (Hugging Face folders run on the native forward pass)");
            default:
                return model;
        }
    }

    /// <summary>The name outputs use for a model (<see cref="ModelCatalogue.DisplayName"/>): catalogue name, hub id or file/folder name.</summary>
    public static string DisplayName(string nameOrPath) => ModelCatalogue.DisplayName(nameOrPath);
}
