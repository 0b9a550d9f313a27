using System.Text.Json;

namespace Simile.Models.HuggingFace;

/// <summary>The architecture numbers of a Hugging Face <c>config.json</c> for BERT or GPT-2, under one set of names.</summary>
public sealed record HuggingFaceConfig(
    string ModelType,            // "bert" or "gpt2"
    int HiddenSize,              // bert hidden_size, gpt2 n_embd
    int Layers,                  // num_hidden_layers / n_layer
    int Heads,                   // num_attention_heads / n_head
    int IntermediateSize,        // intermediate_size / n_inner (default 4 × n_embd)
    int MaxPositions,            // max_position_embeddings / n_positions
    int TypeVocabSize,           // type_vocab_size (0 for gpt2)
    int VocabSize,               // vocab_size
    double LayerNormEpsilon,     // layer_norm_eps / layer_norm_epsilon
    string Activation)           // "gelu" (exact erf) for bert, "gelu_new" (tanh) for gpt2
{
    /// <summary>hidden / heads; 0 when the head count is unknown (an architecture only read for its token embeddings).</summary>
    public int HeadDim => Heads > 0 ? HiddenSize / Heads : 0;

    /// <summary>RoBERTa / XLM-R: the padding id whose successor is the first position (positions start at PaddingId + 1);
    /// null for BERT.</summary>
    public int? PaddingId { get; init; }

    /// <summary>The decoder numbers for a Llama-family folder (Llama, Mistral, Qwen2, Qwen3, Gemma); null otherwise.</summary>
    public Simile.Engine.DecoderConfig? Decoder { get; init; }

    /// <summary>Why the native forward pass does not run this folder (an architecture it does not know); null when it does.
    /// Such a folder still gives its token embeddings.</summary>
    public string? Unsupported { get; init; }

    /// <summary>Reads and checks <c>config.json</c> in a model folder.</summary>
    public static HuggingFaceConfig Load(string folder)
    {
        string path = Path.Combine(folder, "config.json");
        if (!LinkedFile.Exists(path))
            throw new SimileException($"model folder '{folder}' has no config.json", "point to a Hugging Face model folder (config.json, model.safetensors, tokenizer files)");
        return Parse(File.ReadAllBytes(path), path);
    }

    /// <summary>Parses config.json bytes; <paramref name="path"/> is named in errors.</summary>
    public static HuggingFaceConfig Parse(byte[] json, string path)
    {
        JsonDocument doc;
        try { doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64, CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }); }
        catch (JsonException e)
        {
            throw new SimileException($"'{path}' is not valid JSON (line {e.LineNumber + 1}): {e.Message}", "fix or re-download config.json", e);
        }
        using (doc)
        try
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                throw new SimileException($"'{path}' is not a JSON object", "fix or re-download config.json");
            string? type = root.TryGetProperty("model_type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString() : null;
            return type switch
            {
                "bert" => ParseBert(root, path),
                "gpt2" => ParseGpt2(root, path),
                "roberta" or "xlm-roberta" => ParseRoberta(root, path, type),
                "gpt_neox" => GptNeoXConfigJson.Parse(root, path),
                null => throw new SimileException($"'{path}' has no string field 'model_type'", "Simile runs model_type \"bert\" and \"gpt2\" folders natively"),
                _ when DecoderConfigJson.Families.ContainsKey(type) => DecoderConfigJson.Parse(root, path, type),
                _ => DecoderConfigJson.TokenEmbeddingsOnly(root, path, type),
            };
        }
        catch (InvalidOperationException e)   // a string that is not valid UTF-8 once unescaped
        {
            throw new SimileException($"'{path}' has a string that is not valid text: {e.Message}", "fix or re-download config.json", e);
        }
    }

    private static HuggingFaceConfig ParseBert(JsonElement r, string path)
    {
        int hidden = Int(r, path, "hidden_size");
        int layers = Int(r, path, "num_hidden_layers");
        int heads = Int(r, path, "num_attention_heads");
        int inter = Int(r, path, "intermediate_size");
        int maxPos = Int(r, path, "max_position_embeddings");
        int types = Int(r, path, "type_vocab_size", 2);
        int vocab = Int(r, path, "vocab_size");
        double eps = Dbl(r, path, "layer_norm_eps", 1e-12);
        string act = Str(r, path, "hidden_act", "gelu");
        if (act != "gelu")
            throw new SimileException($"'{path}': hidden_act \"{act}\" is not supported (the native BERT uses exact-erf \"gelu\")", "use a checkpoint with hidden_act \"gelu\"");
        if (r.TryGetProperty("position_embedding_type", out var pe) && pe.ValueKind == JsonValueKind.String && pe.GetString() != "absolute")
            throw new SimileException($"'{path}': position_embedding_type \"{pe.GetString()}\" is not supported (absolute only)", "use a checkpoint with absolute position embeddings");
        return Check(new HuggingFaceConfig("bert", hidden, layers, heads, inter, maxPos, types, vocab, eps, act), path,
            ("hidden_size", "num_attention_heads"));
    }

    /// <summary>RoBERTa / XLM-RoBERTa: BERT's numbers, one token-type row, positions counted from pad_token_id + 1
    /// (so max_position_embeddings − pad_token_id − 1 tokens fit).</summary>
    private static HuggingFaceConfig ParseRoberta(JsonElement r, string path, string type)
    {
        var bert = ParseBert(r, path) with { ModelType = type };
        int pad = r.TryGetProperty("pad_token_id", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out int pi) ? pi
            : r.TryGetProperty("pad_token_id", out _) && p.ValueKind != JsonValueKind.Null
                ? throw new SimileException($"'{path}': field 'pad_token_id' is {p.GetRawText()}, expected a non-negative integer", "fix \"pad_token_id\" in config.json")
                : 1;
        if (pad < 0 || pad >= bert.VocabSize)
            throw new SimileException($"'{path}': pad_token_id {pad} is not a token id (vocab_size {bert.VocabSize})", "fix \"pad_token_id\" in config.json");
        if (bert.MaxPositions <= pad + 1)
            throw new SimileException($"'{path}': max_position_embeddings {bert.MaxPositions} leaves no position after the padding offset {pad + 1}",
                "fix config.json");
        return bert with { PaddingId = pad };
    }

    private static HuggingFaceConfig ParseGpt2(JsonElement r, string path)
    {
        int hidden = Int(r, path, "n_embd");
        int layers = Int(r, path, "n_layer");
        int heads = Int(r, path, "n_head");
        int inter = r.TryGetProperty("n_inner", out var ni) && ni.ValueKind != JsonValueKind.Null ? Int(r, path, "n_inner") : checked(4 * hidden);
        int maxPos = Int(r, path, "n_positions");
        int vocab = Int(r, path, "vocab_size");
        double eps = Dbl(r, path, "layer_norm_epsilon", 1e-5);
        string act = Str(r, path, "activation_function", "gelu_new");
        if (act != "gelu_new")
            throw new SimileException($"'{path}': activation_function \"{act}\" is not supported (the native GPT-2 uses \"gelu_new\")", "use a checkpoint with activation_function \"gelu_new\"");
        foreach (var flag in new[] { "scale_attn_by_inverse_layer_idx", "reorder_and_upcast_attn" })
            if (r.TryGetProperty(flag, out var f) && f.ValueKind == JsonValueKind.True)
                throw new SimileException($"'{path}': {flag} = true is not supported by the native GPT-2", $"use a checkpoint with {flag} false");
        return Check(new HuggingFaceConfig("gpt2", hidden, layers, heads, inter, maxPos, 0, vocab, eps, act), path, ("n_embd", "n_head"));
    }

    private static HuggingFaceConfig Check(HuggingFaceConfig c, string path, (string Hidden, string Heads) names)
    {
        if (c.HiddenSize % c.Heads != 0)
            throw new SimileException($"'{path}': {names.Hidden} {c.HiddenSize} is not a multiple of {names.Heads} {c.Heads}", "fix config.json");
        if (c.LayerNormEpsilon <= 0 || double.IsNaN(c.LayerNormEpsilon) || c.LayerNormEpsilon > 1)
            throw new SimileException($"'{path}': layer-norm epsilon {c.LayerNormEpsilon} is not in (0, 1]", "fix config.json");
        // Sizes that would make a single tensor exceed int indexing are refused before anything is allocated.
        foreach (var (name, a, b) in new[] { ("vocab × hidden", c.VocabSize, c.HiddenSize), ("positions × hidden", c.MaxPositions, c.HiddenSize),
                                             ("intermediate × hidden", c.IntermediateSize, c.HiddenSize) })
            if ((long)a * b > int.MaxValue)
                throw new SimileException($"'{path}': {name} = {(long)a * b} elements is larger than one tensor Simile reads", "use a smaller model");
        return c;
    }

    internal const int MaxDimension = 1 << 20;

    internal static int Int(JsonElement r, string path, string name, int? fallback = null)
    {
        if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
            return fallback ?? throw new SimileException($"'{path}' lacks the field '{name}'", $"add \"{name}\" to config.json (it must match the weights)");
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i) || i <= 0 || i > MaxDimension)
            throw new SimileException($"'{path}': field '{name}' is {v.GetRawText()}, expected a positive integer up to {MaxDimension}", $"fix \"{name}\" in config.json");
        return i;
    }

    internal static double Dbl(JsonElement r, string path, string name, double fallback)
    {
        if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out double d))
            throw new SimileException($"'{path}': field '{name}' is {v.GetRawText()}, expected a number", $"fix \"{name}\" in config.json");
        return d;
    }

    internal static string Str(JsonElement r, string path, string name, string fallback)
    {
        if (!r.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null) return fallback;
        if (v.ValueKind != JsonValueKind.String)
            throw new SimileException($"'{path}': field '{name}' is {v.GetRawText()}, expected a string", $"fix \"{name}\" in config.json");
        return v.GetString()!;
    }
}
