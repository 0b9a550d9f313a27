using System.Globalization;
using System.Text.Json;
using Simile.Data;
using Simile.Models;

namespace Simile.Analyses;

/// <summary>
/// The attention probabilities of one text through a transformer: for each selected layer (0-based transformer
/// block; block i reads representation "i" and writes representation "i+1") and head, a tokens × tokens matrix whose
/// row q is how query token q distributes its attention over the key tokens (each row sums to 1).
/// </summary>
/// <param name="Values">[Layers.Count × Heads.Count × Tokens × Tokens] row-major float32.</param>
public sealed record AttentionExport(
    string Model,
    TokenizedText Input,
    IReadOnlyList<int> Layers,
    IReadOnlyList<int> Heads,
    int ModelLayers,
    int ModelHeads,
    float[] Values)
{
    public int Tokens => Input.Count;

    /// <summary>[layers, heads, tokens, tokens], the .npy shape.</summary>
    public int[] Shape => [Layers.Count, Heads.Count, Tokens, Tokens];

    /// <summary>The matrix of the k-th selected layer and h-th selected head, [tokens × tokens], row = query.</summary>
    public ReadOnlySpan<float> Matrix(int layerIndex, int headIndex)
    {
        int t2 = Tokens * Tokens;
        return Values.AsSpan((layerIndex * Heads.Count + headIndex) * t2, t2);
    }

    /// <summary>
    /// Parses a selection of 0-based indices below <paramref name="count"/>: "all", or a comma list with ranges
    /// ("0,3,5", "2-4"). Throws <see cref="SimileException"/> naming the option and the valid range.
    /// </summary>
    public static IReadOnlyList<int> ParseSelection(string? spec, int count, string option, string what)
    {
        string text = (spec ?? "").Trim();
        if (text.Length == 0 || text.Equals("all", StringComparison.OrdinalIgnoreCase)) return Enumerable.Range(0, count).ToList();
        var chosen = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            int dash = part.IndexOf('-');
            bool ok;
            int lo, hi;
            if (dash > 0)
                ok = int.TryParse(part[..dash], NumberStyles.None, CultureInfo.InvariantCulture, out lo)
                     & int.TryParse(part[(dash + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out hi);
            else { ok = int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out lo); hi = lo; }
            if (!ok || lo > hi || hi >= count)
                throw new SimileException($"{option} '{part}' is not a {what} of this model (it has {count}: 0 to {count - 1})",
                    $"use {option} all, or 0-based numbers from 0 to {count - 1}, e.g. {option} 0,{count - 1}");
            for (int i = lo; i <= hi; i++) if (!chosen.Contains(i)) chosen.Add(i);
        }
        if (chosen.Count == 0)
            throw new SimileException($"{option} '{spec}' selects nothing", $"use {option} all or a comma list such as 0,{count - 1}");
        return chosen;
    }

    /// <summary>How many transformer layers the model has (representations minus "token", "0" and "final").</summary>
    public static int LayerCount(ITransformerModel model) =>
        model.RepresentationLabels.Count(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out int k) && k > 0);

    /// <summary>Runs <paramref name="text"/> once with attention and keeps the selected layers and heads.</summary>
    public static AttentionExport Compute(ITransformerModel model, string text, string? layers = "all", string? heads = "all",
        string? modelName = null)
    {
        string name = modelName ?? model.Info.Name;
        if (string.IsNullOrWhiteSpace(text))
            throw new SimileException("--text is empty", "pass the sentence to look at, e.g. --text \"The cat sat on the mat.\"");
        int modelLayers = LayerCount(model);
        if (modelLayers == 0)
            throw new SimileException($"model '{name}' exposes no transformer layers", "use minilm, arctic-xs, a Hugging Face folder or a BERT-style .onnx");
        var layerSel = ParseSelection(layers, modelLayers, "--layers", "layer");
        // heads are known from the model info when it has them; checked again against the run
        int infoHeads = model.Info.Heads;
        IReadOnlyList<int>? headSel = infoHeads > 0 ? ParseSelection(heads, infoHeads, "--heads", "head") : null;

        var run = model.Run([text], withAttention: true)[0];
        if (run.Attention is null || run.Attention.Length < modelLayers)
            throw new SimileException($"model '{name}' returned no attention probabilities", "use a model with unfused attention (minilm, arctic-xs, a Hugging Face folder)");
        int H = run.Heads, T = run.Input.Count;
        if (headSel is null || infoHeads != H) headSel = ParseSelection(heads, H, "--heads", "head");

        var values = new float[(long)layerSel.Count * headSel.Count * T * T];
        for (int k = 0; k < layerSel.Count; k++)
        {
            var a = run.Attention[layerSel[k]];                // [H × T × T]
            if (a.Length != H * T * T)
                throw new InvalidOperationException($"attention of layer {layerSel[k]} has {a.Length} values, expected {H}×{T}×{T}");
            for (int h = 0; h < headSel.Count; h++)
                a.AsSpan(headSel[h] * T * T, T * T).CopyTo(values.AsSpan((k * headSel.Count + h) * T * T, T * T));
        }
        return new AttentionExport(name, run.Input, layerSel, headSel, modelLayers, H, values);
    }

    /// <summary>Short readable axis labels: the token's text in the input (its piece for special tokens).</summary>
    public IReadOnlyList<string> TokenLabels()
    {
        var labels = new string[Tokens];
        for (int t = 0; t < Tokens; t++)
        {
            var (s, l) = Input.Offsets[t];
            string piece = Input.Pieces[t];
            string label = l > 0 && s >= 0 && s + l <= Input.Text.Length ? Input.Text.Substring(s, l).Trim() : piece;
            if (piece.StartsWith("##", StringComparison.Ordinal) && !label.StartsWith("##", StringComparison.Ordinal)) label = "##" + label;
            if (label.Length == 0) label = piece.Replace('\u0120', '_');
            labels[t] = label.Length > 16 ? label[..15] + "…" : label;
        }
        return labels;
    }

    /// <summary>attention.json: model, text, tokens (pieces, ids, offsets, labels), layers, heads, shape.</summary>
    public string Json()
    {
        return JsonOutput.Document(w =>
        {
            w.WriteStartObject();
            w.WriteString("model", Model);
            w.WriteString("text", Input.Text);
            w.WriteStartArray("shape"); foreach (int s in Shape) w.WriteNumberValue(s); w.WriteEndArray();
            w.WriteString("dtype", "float32");
            w.WriteString("axes", "layers, heads, query tokens, key tokens (each row sums to 1)");
            w.WriteNumber("model_layers", ModelLayers);
            w.WriteNumber("model_heads", ModelHeads);
            w.WriteStartArray("layers"); foreach (int l in Layers) w.WriteNumberValue(l); w.WriteEndArray();
            w.WriteStartArray("layer_labels"); foreach (int l in Layers) w.WriteStringValue(LayerLabel(l)); w.WriteEndArray();
            w.WriteString("layer_numbering", "0-based transformer blocks: block i reads hidden representation \"i\" and writes \"i+1\"");
            w.WriteStartArray("heads"); foreach (int h in Heads) w.WriteNumberValue(h); w.WriteEndArray();
            w.WriteStartArray("tokens"); foreach (var l in TokenLabels()) w.WriteStringValue(l); w.WriteEndArray();
            w.WriteStartArray("pieces"); foreach (var p in Input.Pieces) w.WriteStringValue(p); w.WriteEndArray();
            w.WriteStartArray("ids"); foreach (var id in Input.Ids) w.WriteNumberValue(id); w.WriteEndArray();
            w.WriteStartArray("offsets");
            foreach (var (s, l) in Input.Offsets) { w.WriteStartArray(); w.WriteNumberValue(s); w.WriteNumberValue(l); w.WriteEndArray(); }
            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    /// <summary>"layer 3" for 0-based block 3.</summary>
    public static string LayerLabel(int layer) => "layer " + layer.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes attention.npy into <paramref name="folder"/> atomically.</summary>
    public string WriteNpy(string folder)
    {
        string path = Path.Combine(folder, "attention.npy");
        AtomicFile.Write(path, s => NpyFile.Write(s, Values, Shape));
        return path;
    }

    /// <summary>Writes attention.json into <paramref name="folder"/> atomically.</summary>
    public string WriteJson(string folder)
    {
        string path = Path.Combine(folder, "attention.json");
        AtomicFile.WriteAllText(path, Json());
        return path;
    }
}
