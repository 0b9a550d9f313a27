using System.Text;
using Simile.Engine;
using Simile.Models.Tokenization;

namespace Simile.Models.HuggingFace;

/// <summary>A Hugging Face model folder (config.json, *.safetensors, tokenizer files): BERT, GPT-2 and the Llama family
/// (Llama, Mistral, Qwen2, Qwen3, Gemma) on the native forward pass; token embeddings of any other architecture.</summary>
public static class HuggingFaceModel
{
    /// <summary>True when the folder looks like a Hugging Face model folder (has config.json).</summary>
    public static bool IsModelFolder(string path) => Directory.Exists(path) && File.Exists(Path.Combine(path, "config.json"));

    /// <summary>The full model (every layer), weights memory-mapped.</summary>
    public static ITransformerModel Open(string folder)
    {
        RequireFolder(folder);
        var config = HuggingFaceConfig.Load(folder);
        if (config.Unsupported is not null)
            throw new SimileException($"'{folder}': {config.Unsupported}",
                "use its token embeddings (--layer token, rsa), which work for any checkpoint with an embedding matrix and a tokenizer");
        var tokenizer = HuggingFaceTokenizer.Load(folder, config.ModelType);
        CheckTokenizer(folder, config, tokenizer);
        var ckpt = SafetensorsCheckpoint.Open(folder);
        try
        {
            var pass = ForwardPass(ckpt, config);
            bool leadingSpace = config.ModelType == "gpt2" || (config.ModelType != "bert" && tokenizer.WordsTakeLeadingSpace);
            var weights = pass switch { LlamaModel l => l.Weights, GptNeoXModel n => n.Weights, _ => null };
            return new NativeTransformer(pass, Tokenizer(tokenizer), InfoOf(folder, config), leadingSpace, weights, ckpt);
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    /// <summary>The forward pass of the folder's architecture, weights memory-mapped.</summary>
    private static IForwardPass ForwardPass(SafetensorsCheckpoint ckpt, HuggingFaceConfig config) => config switch
    {
        { Decoder: { Family: DecoderFamily.GptNeoX } neox } => new GptNeoXModel(new SafetensorsDecoderWeights(ckpt, neox)),
        { Decoder: { } decoder } => new LlamaModel(new SafetensorsDecoderWeights(ckpt, decoder)),
        { ModelType: "bert" or "roberta" or "xlm-roberta" } => new BertModel(HuggingFaceWeights.LoadBert(ckpt, config)),
        { ModelType: "gpt2" } => new Gpt2Model(HuggingFaceWeights.LoadGpt2(ckpt, config)),
        _ => throw new SimileException($"model_type \"{config.ModelType}\" has no native forward pass", "use its token embeddings (--layer token)"),
    };

    /// <summary>The calls <see cref="NativeTransformer"/> makes to a folder's tokenizer.</summary>
    public static ModelTokenizer Tokenizer(HuggingFaceTokenizer t) => new(t.EncodeWord, t.EncodeText, t.VocabularyWords);

    /// <summary>Only the static token-embedding matrix and the tokenizer (reads only that tensor).</summary>
    public static IWordEmbeddings OpenEmbeddings(string folder)
    {
        RequireFolder(folder);
        var config = HuggingFaceConfig.Load(folder);
        var tokenizer = HuggingFaceTokenizer.Load(folder, config.ModelType);
        CheckTokenizer(folder, config, tokenizer);
        var ckpt = SafetensorsCheckpoint.Open(folder);
        try
        {
            if (config.ModelType is "bert" or "gpt2")
            {
                string name = HuggingFaceWeights.TokenEmbeddingName(ckpt, config);
                return new HuggingFaceEmbeddings(ckpt, tokenizer, InfoOf(folder, config), name, config.VocabSize, config.HiddenSize);
            }
            var (tensor, rows, cols) = HuggingFaceWeights.FindTokenEmbeddings(ckpt, tokenizer.VocabularySize);
            return new HuggingFaceEmbeddings(ckpt, tokenizer, InfoOf(folder, config with { VocabSize = rows, HiddenSize = cols }), tensor, rows, cols);
        }
        catch
        {
            ckpt.Dispose();
            throw;
        }
    }

    /// <summary>What <c>simile inspect</c> shows for a folder: the model numbers and every tensor (no weights are read).</summary>
    public static (ModelInfo Info, HuggingFaceConfig Config, IReadOnlyList<SafetensorsTensorInfo> Tensors, string Tokenizer) Inspect(string folder)
    {
        RequireFolder(folder);
        var config = HuggingFaceConfig.Load(folder);
        string tokenizer;
        try
        {
            var t = HuggingFaceTokenizer.Load(folder, config.ModelType);
            tokenizer = $"{t.Kind}, {t.VocabularySize} tokens ({Path.GetFileName(t.Source)})";
        }
        catch (SimileException e) { tokenizer = "unavailable: " + e.Message; }
        using var ckpt = SafetensorsCheckpoint.Open(folder);
        return (InfoOf(folder, config), config, ckpt.Tensors.ToList(), tokenizer);
    }

    /// <summary>Multi-line description for <c>simile inspect</c>: architecture, layers, heads, dims, vocabulary, tensors with dtypes.</summary>
    public static string Describe(string folder)
    {
        var (info, config, tensors, tokenizer) = Inspect(folder);
        var sb = new StringBuilder();
        sb.AppendLine($"model:         {info.Name}");
        sb.AppendLine($"source:        {info.Source}");
        sb.AppendLine($"architecture:  {ArchitectureLine(config)}");
        sb.AppendLine($"layers:        {info.Layers}");
        sb.AppendLine($"heads:         {info.Heads}");
        sb.AppendLine($"dims:          {info.Dims} (feed-forward {config.IntermediateSize})");
        sb.AppendLine($"vocabulary:    {info.VocabularySize}");
        sb.AppendLine($"positions:     {config.MaxPositions}");
        sb.AppendLine($"activation:    {config.Activation}, {(config.Decoder is null or { Family: DecoderFamily.GptNeoX } ? "layer-norm" : "RMS-norm")} eps {config.LayerNormEpsilon:G}");
        if (config.Decoder is { } d)
            sb.AppendLine($"attention:     {d.Heads} query heads, {d.KeyValueHeads} key-value heads, head dim {d.HeadDim}, rope theta {d.RopeTheta:G}" +
                (d.RopeScaling is { } rs ? $", rope scaling {rs.Kind} ×{rs.Factor:G}" : "") +
                (d.Family == DecoderFamily.GptNeoX ? $", rotary on {d.RotaryDimsOrHead} values per head, {(d.ParallelResidual ? "parallel" : "sequential")} residual" : ""));
        if (config.Decoder is { Experts: > 0 } m)
            sb.AppendLine($"experts:       {m.Experts} of width {m.ExpertIntermediate}, {m.ExpertsPerToken} per token, weights {(m.NormalizeTopK ? "renormalised" : "as routed")}" +
                (m.SparseLayers is { } sl && sl.Any(x => !x) ? $", dense layers {string.Join(" ", Enumerable.Range(0, sl.Count).Where(i => !sl[i]))}" : ""));
        sb.AppendLine($"tokenizer:     {tokenizer}");
        sb.AppendLine($"licence:       {info.Licence}");
        long parameters = tensors.Sum(t => t.ElementCount);
        sb.AppendLine($"tensors:       {tensors.Count} ({parameters:N0} parameters; dtypes {string.Join(", ", tensors.Select(t => t.DType).Distinct())})");
        int width = tensors.Count == 0 ? 4 : tensors.Max(t => t.Name.Length);
        foreach (var t in tensors)
            sb.AppendLine($"  {t.Name.PadRight(width)}  {t.DType,-4}  {t.ShapeText}");
        return sb.ToString();
    }

    /// <summary>"gpt2 (native forward pass)", "LlamaForCausalLM (native forward pass)" or the reason only token embeddings work.</summary>
    public static string ArchitectureLine(HuggingFaceConfig c) =>
        c.Unsupported is not null ? $"{c.ModelType} (token embeddings only: {c.Unsupported})"
        : c.Decoder is { } d ? $"{d.Architecture} (native forward pass)"
        : $"{c.ModelType} (native forward pass)";

    internal static ModelInfo InfoOf(string folder, HuggingFaceConfig c)
    {
        string full = Path.GetFullPath(folder);
        string name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar));
        name = HubCache.ModelName(full) ?? name;   // in a hub cache: org/name, not the commit folder's name
        return new ModelInfo(name, c.ModelType, c.VocabSize, c.HiddenSize, c.Layers, c.Heads, full, LicenceOf(folder), null, true);
    }

    /// <summary>The <c>license:</c> of the model card's front matter (README.md), or "unknown".</summary>
    private static string LicenceOf(string folder)
    {
        string readme = Path.Combine(folder, "README.md");
        if (!File.Exists(readme)) return "unknown (no README.md model card)";
        foreach (string line in File.ReadLines(readme).Take(60))
        {
            string l = line.Trim();
            if (l.StartsWith("license:", StringComparison.OrdinalIgnoreCase))
            {
                string v = l["license:".Length..].Trim().Trim('"', '\'');
                if (v.Length > 0) return v;
            }
        }
        return "unknown (not stated in README.md)";
    }

    private static void RequireFolder(string folder)
    {
        if (!Directory.Exists(folder))
            throw new SimileException($"model folder '{folder}' does not exist", "give the path of a Hugging Face model folder");
        if (!LinkedFile.Exists(Path.Combine(folder, "config.json")))
            throw new SimileException($"'{folder}' has no config.json, so it is not a Hugging Face model folder", "give the folder that holds config.json and the safetensors weights");
        // The files Simile reads (config, tokenizer, weights, model card) may be links (the Hugging Face cache keeps
        // every file so): a link that dangles or loops is named here, before any reader trips over it.
        foreach (var entry in Directory.EnumerateFiles(folder))
            if (ReadsFile(Path.GetFileName(entry)) && LinkedFile.IsLink(entry))
                LinkedFile.Exists(entry);
    }

    private static bool ReadsFile(string name) =>
        name == "README.md" || Path.GetExtension(name).ToLowerInvariant() is ".json" or ".safetensors" or ".txt" or ".model";

    /// <summary>The tokenizer's vocabulary fits the embedding matrix. Added tokens past its end are allowed, as
    /// transformers allows them (Gemma 3 1B: <c>&lt;image_soft_token&gt;</c> is id 262144 of a 262,144-row matrix): a text
    /// that contains one is refused when it is run (the ids of every text are checked then).</summary>
    private static void CheckTokenizer(string folder, HuggingFaceConfig c, HuggingFaceTokenizer t)
    {
        if (t.VocabularySize <= c.VocabSize) return;
        var added = new HashSet<string>(t.AddedTokens, StringComparer.Ordinal);
        for (int id = c.VocabSize; id < t.VocabularySize; id++)
            if (!added.Contains(t.IdToToken[id]))
                throw new SimileException($"the tokenizer in '{folder}' has {t.VocabularySize} tokens (id {id}, '{t.IdToToken[id]}', is not an added token) but config.json has vocab_size {c.VocabSize}",
                    "use the tokenizer files that belong to the model");
    }
}
