using System.Globalization;
using System.Text;
using Simile.Data;
using Simile.Engine;
using Simile.Models.Tokenization;

namespace Simile.Models.Gguf;

/// <summary>
/// GGUF files and Ollama models as Simile models: <see cref="Open"/> (every layer, Llama family), <see cref="OpenEmbeddings"/>
/// (token embeddings of any architecture: only the rows the words need are dequantized, straight from the memory-mapped file), <see cref="Describe"/> (for <c>simile inspect</c>), and
/// <see cref="LocatePath"/> (an <c>ollama:</c> name or a path → the GGUF file).
/// </summary>
public static class GgufModel
{
    /// <summary>True for an <c>ollama:</c> name or an existing file ending in <c>.gguf</c> (or starting with the GGUF magic).</summary>
    public static bool IsGguf(string nameOrPath) =>
        OllamaStore.IsOllamaName(nameOrPath)
        || (File.Exists(nameOrPath) && (nameOrPath.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) || GgufFile.HasMagic(nameOrPath)));

    /// <summary>The GGUF file behind a path or an <c>ollama:NAME[:TAG]</c> name, and the name to show for it.</summary>
    public static (string Path, string Name) LocatePath(string nameOrPath, OllamaStore? store = null)
    {
        if (OllamaStore.IsOllamaName(nameOrPath))
        {
            var (host, ns, name, tag) = OllamaStore.Parse(nameOrPath);
            string blob = (store ?? new OllamaStore()).Resolve(nameOrPath);
            return (blob, OllamaStore.Prefix + OllamaStore.Display(host, ns, name, tag));
        }
        return (nameOrPath, HubCache.ModelName(nameOrPath) ?? Path.GetFileNameWithoutExtension(nameOrPath));
    }

    /// <summary>
    /// The tokenizer for a GGUF file's <see cref="GgufTokenizerData"/> — the one seam between the GGUF reader and the
    /// tokenizer algorithms: Simile's <see cref="Tokenization.BpeTokenizer"/>, byte-level (<c>gpt2</c>) or SentencePiece
    /// (<c>llama</c>), configured as llama.cpp reads the file (see <see cref="GgufTokenizer"/>).
    /// </summary>
    public static HuggingFaceTokenizer CreateTokenizer(GgufTokenizerData data, string source) =>
        new BpeModelTokenizer(GgufTokenizer.ToBpe(data, source), source);

    /// <summary>
    /// The full model of a GGUF file or Ollama model (every layer): the Llama-family forward pass (<see cref="LlamaModel"/>)
    /// over <see cref="GgufDecoderWeights"/> (mapped; one layer at a time converted to float32) with the file's tokenizer,
    /// through the same decoder wrapper as a Hugging Face folder. An architecture outside
    /// <see cref="GgufDecoderWeights.Architectures"/> is one clear error (its token embeddings still open with
    /// <see cref="OpenEmbeddings"/>); so is a layer whose float32 buffers would not fit in memory.
    /// </summary>
    /// <param name="integerProducts">Quantized projections multiplied in integers as llama.cpp does, where
    /// <see cref="IntegerProjection.For"/> allows it (default); false: every weight widened to float32.</param>
    public static ITransformerModel Open(string nameOrPath, OllamaStore? store = null, bool integerProducts = true)
    {
        var (path, name) = LocatePath(nameOrPath, store);
        var file = GgufFile.Open(path);
        try
        {
            var tokenizer = CreateTokenizer(GgufTokenizerData.Read(file), path);
            IDecoderWeights weights;
            IForwardPass pass;
            if (file.GetString("general.architecture") == GgufGptNeoXWeights.Architecture)
            {
                weights = new GgufGptNeoXWeights(file, ownsFile: true);
                pass = new GptNeoXModel(weights);
            }
            else
            {
                weights = new GgufDecoderWeights(file, ownsFile: true);
                pass = new LlamaModel(weights) { IntegerProducts = integerProducts };
            }
            return new NativeTransformer(pass, new ModelTokenizer(tokenizer.EncodeWord, tokenizer.EncodeText, tokenizer.VocabularyWords),
                InfoOf(file, name), tokenizer.WordsTakeLeadingSpace, weights);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    /// <summary>The token-embedding matrix and tokenizer of a GGUF file or Ollama model (the file stays mapped).</summary>
    public static IWordEmbeddings OpenEmbeddings(string nameOrPath, OllamaStore? store = null)
    {
        var (path, name) = LocatePath(nameOrPath, store);
        var file = GgufFile.Open(path);
        try
        {
            var data = GgufTokenizerData.Read(file);
            var tokenizer = CreateTokenizer(data, path);
            return new GgufWordEmbeddings(file, tokenizer, InfoOf(file, name));
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    internal static ModelInfo InfoOf(GgufFile f, string name)
    {
        string arch = f.GetString("general.architecture") ?? "unknown";
        var embd = f.Tensor("token_embd.weight");
        if (embd.Dims.Length != 2 || embd.Dims[1] > int.MaxValue || embd.Dims[0] > int.MaxValue)
            throw new SimileException($"GGUF file '{f.Path}': token_embd.weight has dims [{string.Join(", ", embd.Dims)}], not [dims, vocabulary]",
                "the file is corrupt: convert the model again");
        int layers = f.GetInt(arch + ".block_count", 0, 1 << 16) ?? 0;
        int heads = f.GetInt(arch + ".attention.head_count", 0, 1 << 16) ?? 0;
        string licence = f.GetString("general.license") ?? "unknown (not stated in the GGUF metadata)";
        return new ModelInfo(name, arch, (int)embd.Dims[1], (int)embd.Dims[0], layers, heads, Path.GetFullPath(f.Path), licence,
            f.GetString("general.name"), true);
    }

    /// <summary>What <c>simile inspect</c> shows for a GGUF file or Ollama model: format, hyper-parameters, tokenizer, metadata, tensors.</summary>
    public static string Describe(string nameOrPath, OllamaStore? store = null)
    {
        var (path, name) = LocatePath(nameOrPath, store);
        using var f = GgufFile.Open(path);
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        string arch = f.GetString("general.architecture") ?? "unknown";
        sb.AppendLine($"model:         {name}");
        sb.AppendLine($"file:          {Path.GetFullPath(path)}");
        sb.AppendLine(inv, $"format:        GGUF v{f.Version}, alignment {f.Alignment}, {f.FileLength:N0} bytes, data at byte {f.DataOffset}");
        if (f.GetString("general.name") is { } gn) sb.AppendLine($"name:          {gn}");
        if (f.GetString("general.license") is { } lic) sb.AppendLine($"licence:       {lic}");
        sb.AppendLine($"architecture:  {arch}");
        try
        {
            using IDecoderWeights w = arch == GgufGptNeoXWeights.Architecture ? new GgufGptNeoXWeights(f) : new GgufDecoderWeights(f);
            var c = w.Config;
            sb.AppendLine($"decoder:       {c.Architecture} ({c.Family})");
            sb.AppendLine(inv, $"layers:        {c.Layers}");
            sb.AppendLine(inv, $"heads:         {c.Heads} query, {c.KeyValueHeads} key/value, head dim {c.HeadDim}");
            sb.AppendLine(inv, $"dims:          {c.Hidden} (feed-forward {c.Intermediate})");
            sb.AppendLine(inv, $"vocabulary:    {c.VocabularySize}");
            sb.AppendLine(inv, $"positions:     {c.MaxPositions}");
            sb.AppendLine(inv, $"{(c.Family == Engine.DecoderFamily.GptNeoX ? "layer-norm eps:" : "rms-norm eps: ")} {c.RmsNormEpsilon:G}");
            string scaling = c.RopeScaling is { } rs
                ? rs.Kind == Engine.RopeScalingKind.Llama3 ? $", scaling llama3 factor {rs.Factor:G} (low {rs.LowFrequencyFactor:G}, high {rs.HighFrequencyFactor:G}, original {rs.OriginalMaxPositions})"
                : $", scaling {rs.Kind.ToString().ToLowerInvariant()} factor {rs.Factor:G}"
                : "";
            sb.AppendLine(inv, $"rope:          theta {c.RopeTheta:G}{scaling}");
            var flags = new List<string>();
            if (c.AttentionBias) flags.Add("q/k/v biases");
            if (c.QueryKeyNorm) flags.Add("q/k norm");
            if (c.TiedEmbeddings) flags.Add("tied embeddings");
            if (c.ScaleEmbeddings) flags.Add("Gemma (√D embedding scale, 1+w norms, GELU-tanh)");
            if (c.Norms != Engine.NormPlacement.Pre) flags.Add($"{c.Norms.ToString().ToLowerInvariant()} norms");
            if (c.QueryKeyNormOverProjection) flags.Add("q/k norm over the projection");
            if (c.SlidingWindow > 0)
                flags.Add(c.SlidingLayers is { } sl ? $"sliding window {c.SlidingWindow} on {sl.Count(x => x)} of {c.Layers} layers" : $"sliding window {c.SlidingWindow}");
            if (c.AttentionSoftCap > 0) flags.Add(string.Create(inv, $"attention soft-cap {c.AttentionSoftCap:G}"));
            if (c.QueryScale > 0) flags.Add(string.Create(inv, $"score scale {c.QueryScale:G6}"));
            if (c.RotaryDimsOrHead != c.HeadDim) flags.Add($"rotary on {c.RotaryDimsOrHead} of {c.HeadDim} values per head");
            if (c.LocalRopeTheta > 0) flags.Add(string.Create(inv, $"local rope theta {c.LocalRopeTheta:G}"));
            if (c.FusedProjections) flags.Add("fused qkv / gate-up");
            if (c.Family == Engine.DecoderFamily.GptNeoX)
                flags.Add($"GPT-NeoX ({(c.ParallelResidual ? "parallel" : "sequential")} residual)");
            if (c.Experts > 0)
                flags.Add($"mixture of experts ({c.Experts} experts of width {c.ExpertIntermediate}, {c.ExpertsPerToken} per token)");
            if (flags.Count > 0) sb.AppendLine($"features:      {string.Join(", ", flags)}");
        }
        catch (SimileException e)
        {
            sb.AppendLine($"decoder:       not runnable natively ({e.Message})");
            foreach (var key in new[] { "block_count", "embedding_length", "feed_forward_length", "attention.head_count", "attention.head_count_kv", "context_length" })
                if (f.Get($"{arch}.{key}") is { } v) sb.AppendLine($"{arch}.{key}: {v}");
        }
        try
        {
            var t = GgufTokenizerData.Read(f);
            string extra = t.Model == "gpt2" ? $", {t.Merges!.Count} merges" : t.Scores is not null ? ", with scores" : "";
            sb.AppendLine(inv, $"tokenizer:     {t.Kind} (tokenizer.ggml.model {t.Model}{(t.Pre is null ? "" : ", pre " + t.Pre)}), {t.Tokens.Count} tokens{extra}; BOS {Tok(t, t.BosId)}, EOS {Tok(t, t.EosId)}{(t.AddBos is { } ab ? $", add_bos {ab.ToString().ToLowerInvariant()}" : "")}");
        }
        catch (SimileException e) { sb.AppendLine($"tokenizer:     unavailable ({e.Message})"); }

        sb.AppendLine(inv, $"metadata:      {f.Keys.Count} keys");
        int kw = f.Keys.Count == 0 ? 0 : f.Keys.Max(k => k.Length);
        foreach (var k in f.Keys)
        {
            var v = f.Metadata[k];
            sb.AppendLine($"  {k.PadRight(kw)}  {v.TypeText,-20}  {v}");
        }
        long parameters = f.Tensors.Sum(t => t.ElementCount);
        var types = f.Tensors.GroupBy(t => t.TypeName).OrderByDescending(g => g.Count()).Select(g => $"{g.Key} {g.Count()}");
        sb.AppendLine(inv, $"tensors:       {f.Tensors.Count} ({parameters:N0} parameters; types {string.Join(", ", types)})");
        int w2 = f.Tensors.Count == 0 ? 4 : f.Tensors.Max(t => t.Name.Length);
        foreach (var t in f.Tensors)
            sb.AppendLine(inv, $"  {t.Name.PadRight(w2)}  {t.TypeName,-7}  {t.ShapeText,-16}  ne [{string.Join(", ", t.Dims)}]  {t.ByteSize:N0} bytes at {t.Offset}");
        return sb.ToString();
    }

    private static string Tok(GgufTokenizerData t, int? id) => id is { } i ? $"{i} {t.Tokens[i]}" : "none";
}

/// <summary>Token embeddings of a GGUF file: rows dequantized on demand from the mapped file (exactly as ggml).</summary>
public sealed class GgufWordEmbeddings : IWordEmbeddings
{
    private readonly GgufFile _file;
    private readonly GgufTensorInfo _embd;
    private readonly HuggingFaceTokenizer _tokenizer;

    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape => ((int)_embd.Dims[1], (int)_embd.Dims[0]);
    public GgufFile File => _file;

    internal GgufWordEmbeddings(GgufFile file, HuggingFaceTokenizer tokenizer, ModelInfo info)
    {
        _file = file; _tokenizer = tokenizer; Info = info;
        _embd = file.Tensor("token_embd.weight");
        file.RequireDequantizable(_embd);
        if (tokenizer.VocabularySize > _embd.Dims[1])
            throw new SimileException($"GGUF file '{file.Path}': the tokenizer has {tokenizer.VocabularySize} tokens but token_embd.weight has {_embd.Dims[1]} rows",
                "the file is corrupt: convert the model again");
    }

    public WordTokens Tokenize(string word) => _tokenizer.EncodeWord(word);

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy)
    {
        return EmbeddingLookup.Build(this, words, policy, Shape.Rows, Shape.Cols, (ids, dst) => _file.DequantizeRows(_embd, ids, dst),
            $"{Info.Name} token_embd.weight ({_embd.TypeName}) of {_file.Path}");
    }

    /// <summary>Float32 rows of the given token ids (rows.Length × dims), exactly as ggml dequantizes them.</summary>
    public float[] Rows(ReadOnlySpan<int> ids)
    {
        var dest = new float[ids.Length * Shape.Cols];
        _file.DequantizeRows(_embd, ids, dest);
        return dest;
    }

    public IReadOnlyList<string> VocabularyWords() => _tokenizer.VocabularyWords();

    public void Dispose() => _file.Dispose();
}
