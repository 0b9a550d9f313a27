using System.Runtime.InteropServices;
using System.Text.Json;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;
using Simile.Models.HuggingFace;

namespace Simile.Analyses;

/// <summary>
/// Word vectors read from one model at one or more representations, ready to be written as a float32 .npy
/// [layers × words × dims] with a JSON sidecar (words, categories, layer labels, token pieces, model, context,
/// subword policy, shape). Transformers go through <see cref="ContextualVectors"/>; static models (GloVe, vector
/// files) have only the "token" representation.
/// </summary>
/// <param name="Values">[Layers.Count × Words.Count × Dims] row-major float32.</param>
/// <param name="Pieces">Per word, the tokens it is read as (in its first context for a transformer).</param>
public sealed record WordVectorsExport(
    string Model,
    string Architecture,
    IReadOnlyList<string> Words,
    IReadOnlyList<string?> Categories,
    IReadOnlyList<string> Layers,
    IReadOnlyList<IReadOnlyList<string>> Pieces,
    string Context,
    IReadOnlyList<string> ContextTemplates,
    SubwordPolicy Subword,
    int Dims,
    float[] Values)
{
    /// <summary>How many contexts each word was averaged over (1 with no context); set by <see cref="FromTransformer"/>.</summary>
    public IReadOnlyList<int>? ContextCounts { get; init; }

    /// <summary>Human-readable context setting, e.g. "corpus news.txt, up to 50 contexts per word".</summary>
    public string? ContextDescription { get; init; }

    /// <summary>The only representation of a static model.</summary>
    public const string TokenLabel = "token";

    /// <summary>[layers, words, dims], the .npy shape.</summary>
    public int[] Shape => [Layers.Count, Words.Count, Dims];

    /// <summary>The vectors of one selected layer, [words × dims].</summary>
    public ReadOnlySpan<float> Layer(int index) => Values.AsSpan(index * Words.Count * Dims, Words.Count * Dims);

    /// <summary>The sidecar of <c>vectors.npy</c>: <c>vectors.json</c> in the same folder.</summary>
    public static string SidecarPath(string npyPath) => Path.ChangeExtension(npyPath, ".json");

    /// <summary>
    /// Turns a <c>--layer</c> value into labels of <paramref name="available"/>, in model order for "all":
    /// "all", one label, or a comma list; "final" means the model's "final" representation where it has one
    /// (GPT-2's ln_f), otherwise its last layer. Throws <see cref="SimileException"/> listing the valid labels.
    /// </summary>
    public static IReadOnlyList<string> SelectLayers(IReadOnlyList<string> available, string spec, string model)
    {
        string text = (spec ?? "").Trim();
        if (text.Length == 0 || text.Equals("all", StringComparison.OrdinalIgnoreCase)) return available.ToList();
        var chosen = new List<string>();
        foreach (var raw in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            string want = raw.ToLowerInvariant();
            string? label = available.FirstOrDefault(l => l.Equals(want, StringComparison.OrdinalIgnoreCase));
            if (label is null && want == "final" && available.Count > 1) label = available[^1];
            if (label is null)
                throw new SimileException(
                    available.Count == 1
                        ? $"--layer '{raw}': model '{model}' is a static model with only the '{available[0]}' representation"
                        : $"--layer '{raw}' is not a representation of model '{model}'",
                    $"use --layer with one of {string.Join(", ", available)}{(available.Count > 1 ? ", final" : "")} or all (a comma list is fine)");
            if (!chosen.Contains(label)) chosen.Add(label);
        }
        if (chosen.Count == 0)
            throw new SimileException($"--layer '{spec}' names no representation", $"use one of {string.Join(", ", available)} or all");
        return chosen;
    }

    /// <summary>
    /// Reads the words from a transformer at the selected representations (context <see cref="ContextSpec.None"/>
    /// = the word alone). The layer labels are checked before any forward pass.
    /// </summary>
    public static WordVectorsExport FromTransformer(ITransformerModel model, WordList words, string layerSpec,
        ContextSpec context, SubwordPolicy subword, IProgress<double>? progress = null, string? modelName = null)
    {
        string name = modelName ?? model.Info.Name;
        var layers = SelectLayers(model.RepresentationLabels, layerSpec, name);
        if (words.Count == 0) throw new SimileException("the word list is empty", "give at least one word");

        // Pieces: how the word is tokenized where it is read (first context), so leading spaces (GPT-2) show.
        var pieces = new List<IReadOnlyList<string>>(words.Count);
        foreach (var w in words.Words)
        {
            var contexts = ContextualVectors.ContextsFor(w, context, model.UsesLeadingSpace);
            if (contexts.Count == 0) { pieces.Add(model.Tokenize(w).Pieces); continue; }
            var c = contexts[0];
            var input = model.TokenizeText(c.Text);
            pieces.Add(ContextualVectors.LocateTokens(input, c.Start, c.Length).Select(t => input.Pieces[t]).ToList());
        }

        var stack = ContextualVectors.Compute(model, words.Words, context, subword, progress, name, representations: layers);   // the pass stops at the deepest
        int n = words.Count, d = stack.Sets[0].Vectors.Cols;
        var values = new float[(long)layers.Count * n * d];
        for (int k = 0; k < layers.Count; k++)
        {
            var m = stack[layers[k]].Vectors;                  // [n × d] float64
            var dst = values.AsSpan(k * n * d, n * d);
            for (int i = 0; i < m.Values.Length; i++) dst[i] = (float)m.Values[i];
        }
        return new WordVectorsExport(name, model.Info.Architecture, words.Words, words.Categories, layers, pieces,
            context.Name, context.Kind == ContextKind.Templates ? context.Templates : [], subword, d, values)
        {
            ContextCounts = stack.ContextCounts,
            ContextDescription = context.ToString(),
        };
    }

    /// <summary>A static model's rows (its only representation is "token"); context does not apply.</summary>
    public static WordVectorsExport FromStatic(IWordEmbeddings model, WordList words, string layerSpec,
        SubwordPolicy subword, string? modelName = null)
    {
        string name = modelName ?? model.Info.Name;
        var layers = SelectLayers([TokenLabel], layerSpec, name);
        if (words.Count == 0) throw new SimileException("the word list is empty", "give at least one word");
        var set = model.Vectors(words.Words, subword);     // [n × d]
        var m = set.Vectors;
        var values = new float[m.Values.Length];
        for (int i = 0; i < values.Length; i++) values[i] = (float)m.Values[i];
        var pieces = words.Words.Select(w => (IReadOnlyList<string>)model.Tokenize(w).Pieces.ToList()).ToList();
        return new WordVectorsExport(name, model.Info.Architecture, words.Words, words.Categories, layers, pieces,
            ContextSpec.None.Name, [], subword, m.Cols, values);
    }

    /// <summary>True when <paramref name="nameOrPath"/> names a static model (glove-100d or a vector file), which has only "token".</summary>
    public static bool IsStaticModel(string nameOrPath)
    {
        if (nameOrPath.Trim().Equals(ModelCatalogue.Glove100d, StringComparison.OrdinalIgnoreCase)) return true;
        if (Directory.Exists(nameOrPath) || !File.Exists(nameOrPath)) return false;
        return Path.GetExtension(nameOrPath).ToLowerInvariant() is ".txt" or ".vec" or ".bin" or ".npy";
    }

    /// <summary>
    /// Resolves <paramref name="nameOrPath"/> through the catalogue (static model or transformer, on the chosen
    /// <paramref name="engine"/>) and reads the words. Checks the layer labels of a static model before loading it.
    /// </summary>
    public static WordVectorsExport Compute(string nameOrPath, WordList words, string layerSpec, ContextSpec context,
        SubwordPolicy subword, TransformerEngine engine = TransformerEngine.Default, IProgress<double>? progress = null)
    {
        string display = TransformerBackend.DisplayName(nameOrPath);
        nameOrPath = ModelCatalogue.Locate(nameOrPath);   // a Hugging Face cache reference → its snapshot folder
        // A folder or GGUF file whose architecture the forward pass does not run still has its token embeddings.
        bool tokenOnly = context.Kind == ContextKind.None && layerSpec.Trim().Equals(TokenLabel, StringComparison.OrdinalIgnoreCase)
            && ((HuggingFaceModel.IsModelFolder(nameOrPath) && HuggingFaceConfig.Load(nameOrPath).Unsupported is not null)
                || Models.Gguf.GgufModel.IsGguf(nameOrPath));   // a GGUF's token rows need no forward pass (any architecture)
        if (IsStaticModel(nameOrPath) || tokenOnly)
        {
            SelectLayers([TokenLabel], layerSpec, display);
            if (context.Kind != ContextKind.None)
                throw new SimileException($"--context: model '{display}' is a static model; it has one vector per word whatever the context",
                    "drop --context (or pass --context none) for static models, or use a transformer (minilm, arctic-xs, a Hugging Face folder)");
            using var stat = ModelCatalogue.Resolve(nameOrPath, progress);
            return FromStatic(stat, words, layerSpec, subword, display);
        }
        using var model = TransformerBackend.Open(nameOrPath, engine);
        return FromTransformer(model, words, layerSpec, context, subword, progress, display);
    }

    /// <summary>The sidecar JSON text.</summary>
    public string SidecarJson()
    {
        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteString("architecture", Architecture);
            w.WriteStartArray("shape"); foreach (int s in Shape) w.WriteNumberValue(s); w.WriteEndArray();
            w.WriteString("dtype", "float32");
            w.WriteString("axes", "layers, words, dims");
            w.WriteStartArray("layers"); foreach (var l in Layers) w.WriteStringValue(l); w.WriteEndArray();
            w.WriteString("context", Context);
            if (ContextTemplates.Count > 0)
            {
                w.WriteStartArray("context_templates"); foreach (var t in ContextTemplates) w.WriteStringValue(t); w.WriteEndArray();
            }
            if (ContextDescription is not null) w.WriteString("context_description", ContextDescription);
            if (ContextCounts is not null)
            {
                w.WriteStartArray("context_counts"); foreach (int c in ContextCounts) w.WriteNumberValue(c); w.WriteEndArray();
            }
            w.WriteString("subword", Subword.ToString().ToLowerInvariant());
            w.WriteStartArray("words"); foreach (var x in Words) w.WriteStringValue(x); w.WriteEndArray();
            w.WriteStartArray("categories");
            foreach (var c in Categories) { if (c is null) w.WriteNullValue(); else w.WriteStringValue(c); }
            w.WriteEndArray();
            w.WriteStartArray("pieces");
            foreach (var p in Pieces) { w.WriteStartArray(); foreach (var s in p) w.WriteStringValue(s); w.WriteEndArray(); }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>
    /// Writes <paramref name="npyPath"/> (float32 [layers, words, dims]) and its sidecar JSON: both go to temporary
    /// files first and are moved into place only when both are complete.
    /// </summary>
    public void Write(string npyPath)
    {
        using var npy = AtomicFile.Create(npyPath);
        using var json = AtomicFile.Create(SidecarPath(npyPath));
        NpyFile.Write(npy.Stream, Values, Shape);
        json.Stream.Write(System.Text.Encoding.UTF8.GetBytes(SidecarJson()));
        npy.Commit();
        json.Commit();
    }
}
