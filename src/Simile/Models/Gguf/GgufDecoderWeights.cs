using System.Globalization;
using System.Text.RegularExpressions;
using Simile.Engine;

namespace Simile.Models.Gguf;

/// <summary>
/// A GGUF file as an <see cref="IDecoderWeights"/>: the Llama-family tensors under their Hugging Face names and shapes,
/// dequantized to float32 on demand (the file stays memory-mapped; nothing is read until asked).
/// <list type="bullet">
/// <item>Names: <c>token_embd</c> → <c>model.embed_tokens</c>; <c>blk.N.attn_{q,k,v,output}</c> →
/// <c>model.layers.N.self_attn.{q,k,v,o}_proj</c>; <c>attn_{q,k}_norm</c> → <c>self_attn.{q,k}_norm</c>;
/// <c>attn_norm</c> → <c>input_layernorm</c>; <c>ffn_norm</c> → <c>post_attention_layernorm</c>;
/// <c>ffn_{gate,up,down}</c> → <c>mlp.{gate,up,down}_proj</c>; <c>output_norm</c> → <c>model.norm</c>;
/// <c>output</c> → <c>lm_head</c> (absent when the embeddings are tied); <c>.weight</c> and <c>.bias</c> alike.</item>
/// <item>Shapes: ggml <c>ne[]</c> reversed, so Linear weights are [out × in] as in HF.</item>
/// <item>q/k rows: llama.cpp's converter permutes <c>attn_q</c>/<c>attn_k</c> rows of <c>llama</c>-architecture files
/// (Llama and Mistral) for its interleaved RoPE (within each head, GGUF row 2i+j = HF row j·hd/2 + i, with the KV head
/// count for <c>attn_k</c>); this class undoes it, so the rows are HF's (<c>rotate_half</c> RoPE). Qwen2, Qwen3 and
/// Gemma files are not permuted by the converter and are passed through.</item>
/// <item>Gemma: the converter stores RMSNorm weights as 1 + w; this class hands out w (the stored value − 1), so the
/// forward pass applies 1 + w as HF does (<see cref="DecoderConfig.NormWeightPlusOne"/> is true).</item>
/// <item>Llama-3 <c>rope_scaling</c>: the converter stores the per-frequency factors as a <c>rope_freqs</c> tensor; its
/// parameters (factor, low/high frequency factors 1 and 4, original context 8192) are recovered and checked against it.</item>
/// </list>
/// </summary>
public sealed partial class GgufDecoderWeights : IDecoderWeights
{
    /// <summary>GGUF <c>general.architecture</c> values this class maps, with their HF architecture and family.</summary>
    public static IReadOnlyDictionary<string, (string Hf, DecoderFamily Family)> Architectures { get; } =
        new Dictionary<string, (string, DecoderFamily)>(StringComparer.Ordinal)
        {
            ["llama"] = ("LlamaForCausalLM", DecoderFamily.Llama),
            ["qwen2"] = ("Qwen2ForCausalLM", DecoderFamily.Qwen2),
            ["qwen3"] = ("Qwen3ForCausalLM", DecoderFamily.Qwen3),
            ["gemma"] = ("GemmaForCausalLM", DecoderFamily.Gemma),
            ["gemma2"] = ("Gemma2ForCausalLM", DecoderFamily.Gemma2),
            ["gemma3"] = ("Gemma3ForCausalLM", DecoderFamily.Gemma3),
            ["phi3"] = ("Phi3ForCausalLM", DecoderFamily.Phi3),
            ["olmo2"] = ("Olmo2ForCausalLM", DecoderFamily.Olmo2),
            ["qwen3moe"] = ("Qwen3MoeForCausalLM", DecoderFamily.Qwen3Moe),
        };

    private readonly GgufFile _file;
    private readonly bool _ownsFile;
    private readonly Dictionary<string, GgufTensorInfo> _byHfName = new(StringComparer.Ordinal);
    private readonly bool _permuteQk;
    private readonly bool _normMinusOne;

    public DecoderConfig Config { get; }
    public GgufFile File => _file;
    /// <summary>The HF names this file provides, in file order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Wraps an open file (left open on Dispose unless <paramref name="ownsFile"/>).</summary>
    public GgufDecoderWeights(GgufFile file, bool ownsFile = false)
    {
        _file = file;
        _ownsFile = ownsFile;
        var names = new List<string>();
        string arch = file.GetString("general.architecture") ?? "";
        bool fusedUp = arch == "phi3" && !file.HasTensor("blk.0.ffn_gate.weight");
        foreach (var t in file.Tensors)
        {
            string? hf = HfName(t.Name, arch, fusedUp);
            if (hf is null) continue;
            _byHfName[hf] = t;
            names.Add(hf);
        }
        Names = names;
        Config = ReadConfig(file);
        _permuteQk = Config.Family is DecoderFamily.Llama or DecoderFamily.Mistral or DecoderFamily.Mixtral;
        if (Config.Experts > 0) RenameRouters();
        _normMinusOne = Config.Family is DecoderFamily.Gemma or DecoderFamily.Gemma2 or DecoderFamily.Gemma3;
        CheckShapes();
    }

    public static GgufDecoderWeights Open(string path)
    {
        var f = GgufFile.Open(path);
        try { return new GgufDecoderWeights(f, ownsFile: true); }
        catch { f.Dispose(); throw; }
    }

    [GeneratedRegex(@"^blk\.(\d{1,6})\.([a-z_]+)\.(weight|bias)$")]
    private static partial Regex BlockName();

    /// <summary>
    /// The HF name of a GGUF tensor name, or null for tensors outside the mapping (e.g. <c>rope_freqs.weight</c>).
    /// <c>ffn_norm</c> is Gemma 2/3's pre_feedforward_layernorm and everyone else's post_attention_layernorm;
    /// <c>post_attention_norm</c> / <c>post_ffw_norm</c> are the post-sub-layer norms (Gemma 2/3, OLMo 2);
    /// Phi-3's fused <c>attn_qkv</c> is qkv_proj and its fused <c>ffn_up</c> ([2I] rows: gate | up) gate_up_proj.
    /// </summary>
    public static string? HfName(string gguf, string architecture = "llama", bool fusedGateUp = false)
    {
        switch (gguf)
        {
            case "token_embd.weight": return "model.embed_tokens.weight";
            case "output_norm.weight": return "model.norm.weight";
            case "output.weight": return "lm_head.weight";
        }
        var m = BlockName().Match(gguf);
        if (!m.Success) return null;
        string layer = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        string suffix = m.Groups[3].Value;
        string? part = m.Groups[2].Value switch
        {
            "attn_q" => "self_attn.q_proj",
            "attn_k" => "self_attn.k_proj",
            "attn_v" => "self_attn.v_proj",
            "attn_output" => "self_attn.o_proj",
            "attn_q_norm" => "self_attn.q_norm",
            "attn_k_norm" => "self_attn.k_norm",
            "attn_qkv" => "self_attn.qkv_proj",
            "attn_norm" => "input_layernorm",
            "ffn_norm" => architecture is "gemma2" or "gemma3" ? "pre_feedforward_layernorm" : "post_attention_layernorm",
            "post_attention_norm" => "post_attention_layernorm",
            "post_ffw_norm" => "post_feedforward_layernorm",
            "ffn_gate" => "mlp.gate_proj",
            "ffn_up" => fusedGateUp ? "mlp.gate_up_proj" : "mlp.up_proj",
            "ffn_down" => "mlp.down_proj",
            "ffn_gate_inp" => "mlp.gate",                      // the router [E × D]
            "ffn_gate_exps" => "mlp.experts.gate_proj",        // all experts, [E × I × D] (see GgufDecoderWeights.Experts)
            "ffn_up_exps" => "mlp.experts.up_proj",
            "ffn_down_exps" => "mlp.experts.down_proj",
            _ => null,
        };
        return part is null ? null : $"model.layers.{layer}.{part}.{suffix}";
    }

    public bool Has(string name) => _byHfName.ContainsKey(name) || ExpertSlice(name) is not null;

    private GgufTensorInfo Info(string name) => _byHfName.TryGetValue(name, out var t) ? t
        : throw new SimileException($"GGUF file '{_file.Path}' has no tensor for '{name}'",
            "use a complete model file (see 'simile inspect' for the tensors it has)");

    /// <summary>The GGUF tensor behind an HF name (its ggml type, dims, offset).</summary>
    public GgufTensorInfo Tensor(string name) => Info(name);

    public IReadOnlyList<long> Shape(string name) => ExpertSlice(name) is var (t, _) ? t.Shape[1..] : Info(name).Shape;

    public string StorageType(string name) => (ExpertSlice(name)?.Tensor ?? Info(name)).TypeName;

    public void Read(string name, Span<float> destination)
    {
        if (ReadExpert(name, destination)) return;
        var t = Info(name);
        if (destination.Length != t.ElementCount)
            throw new ArgumentException($"'{name}' has {t.ElementCount} values, destination {destination.Length}");
        int perm = PermutedHeads(name);
        if (perm > 0 && t.Dims.Length == 2)
        {
            // HF row r comes from GGUF row P(r): read in chunks of rows through the row map.
            int rows = (int)t.RowCount;
            var map = new int[Math.Min(rows, 4096)];
            for (int r0 = 0; r0 < rows; r0 += map.Length)
            {
                int m = Math.Min(map.Length, rows - r0);
                for (int k = 0; k < m; k++) map[k] = GgufRowOf(r0 + k, rows / perm);
                _file.DequantizeRows(t, map.AsSpan(0, m), destination.Slice((int)(r0 * t.RowLength), (int)(m * t.RowLength)));
            }
        }
        else if (perm > 0)
        {
            // A 1-D bias: element r of HF = element P(r) of GGUF.
            var raw = new float[destination.Length];
            _file.Dequantize(t, raw);
            int hd = raw.Length / perm;
            for (int r = 0; r < raw.Length; r++) destination[r] = raw[GgufRowOf(r, hd)];
        }
        else
            _file.Dequantize(t, destination);
        if (_normMinusOne && IsNorm(name))
            for (int i = 0; i < destination.Length; i++) destination[i] -= 1f;
    }

    public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination)
    {
        var t = Info(name);
        if (t.Dims.Length != 2)
            throw new ArgumentException($"'{name}' is not 2-D ({t.ShapeText})");
        int perm = PermutedHeads(name);
        if (perm > 0)
        {
            int hd = (int)(t.RowCount / perm);
            var map = new int[rows.Length];
            for (int k = 0; k < rows.Length; k++)
                map[k] = rows[k] >= 0 && rows[k] < t.RowCount ? GgufRowOf(rows[k], hd) : rows[k];
            _file.DequantizeRows(t, map, destination);
        }
        else
            _file.DequantizeRows(t, rows, destination);
        if (_normMinusOne && IsNorm(name))
            for (int i = 0; i < destination.Length; i++) destination[i] -= 1f;
    }

    public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination)
    {
        // A merged expert tensor [E × rows × K] holds expert e's rows from e · rows on (see Experts).
        var (t, rowOffset) = ExpertSlice(name) is var (et, e) ? (et, (long)e * et.Dims[1]) : (Info(name), 0L);
        DecoderWeightsBlock.Check(name, Shape(name), firstRow, rows, firstColumn, columns, destination.Length, GgmlTypes.BlockSize(t.Type));
        int perm = PermutedHeads(name), hd = perm > 0 ? (int)(t.RowCount / perm) : 0;
        for (int r = 0; r < rows; r++)
        {
            int row = firstRow + r;
            _file.DequantizeRowPart(t, rowOffset + (perm > 0 ? GgufRowOf(row, hd) : row), firstColumn, destination.Slice(r * columns, columns));
        }
    }

    private static bool IsNorm(string hfName) => hfName.EndsWith("norm.weight", StringComparison.Ordinal);

    /// <summary>Number of heads whose rows are permuted in this tensor (0: not permuted).</summary>
    private int PermutedHeads(string name)
    {
        if (!_permuteQk) return 0;
        if (name.Contains(".self_attn.q_proj.", StringComparison.Ordinal)) return Config.Heads;
        if (name.Contains(".self_attn.k_proj.", StringComparison.Ordinal)) return Config.KeyValueHeads;
        return 0;
    }

    /// <summary>The GGUF row holding HF row <paramref name="r"/>: r = h·hd + j·hd/2 + i  →  h·hd + 2i + j.</summary>
    internal static int GgufRowOf(int r, int headDim)
    {
        int h = r / headDim, w = r % headDim, half = headDim / 2;
        int j = w / half, i = w % half;
        return h * headDim + 2 * i + j;
    }

    // ---------------------------------------------------------------- configuration

    private static DecoderConfig ReadConfig(GgufFile f)
    {
        string path = f.Path;
        string arch = f.GetString("general.architecture")
            ?? throw new SimileException($"GGUF file '{path}' has no 'general.architecture'", "use a model file written by llama.cpp's converter");
        if (f.GetInteger("split.count") is > 1 and var parts)
            throw new SimileException($"GGUF file '{path}' is one of {parts} parts of a split model",
                "merge the parts into one file with llama.cpp's 'llama-gguf-split --merge FIRST-PART OUT.gguf'");
        if (!Architectures.TryGetValue(arch, out var a))
            throw new SimileException($"GGUF file '{path}' has architecture '{arch}', which the native forward pass does not run",
                $"use a {string.Join(", ", Architectures.Keys)} or {GgufGptNeoXWeights.Architecture} model for layers; token embeddings (--layer token, rsa) still work");
        int Req(string key, int min, int max) => f.GetInt($"{arch}.{key}", min, max)
            ?? throw new SimileException($"GGUF file '{path}' lacks '{arch}.{key}'", "use a complete model file written by llama.cpp's converter");
        int hidden = Req("embedding_length", 1, 1 << 20);
        int layers = Req("block_count", 1, 4096);
        int heads = Req("attention.head_count", 1, 4096);
        int kv = f.GetInt($"{arch}.attention.head_count_kv", 1, 4096) ?? heads;
        int intermediate = Req("feed_forward_length", 1, 1 << 24);
        int? keyLength = f.GetInt($"{arch}.attention.key_length", 1, 1 << 16);
        if (keyLength is null && hidden % heads != 0)
            throw new SimileException($"GGUF file '{path}': embedding length {hidden} is not a multiple of {heads} attention heads, and no key_length is given",
                "the hyper-parameters are corrupt: convert the model again");
        int headDim = keyLength ?? hidden / heads;
        if (heads % kv != 0)
            throw new SimileException($"GGUF file '{path}': {heads} query heads are not a multiple of {kv} key/value heads",
                "the hyper-parameters are corrupt: convert the model again");
        if (headDim % 2 != 0)
            throw new SimileException($"GGUF file '{path}': head dimension {headDim} is odd; rotary embeddings need it even",
                "the hyper-parameters are corrupt: convert the model again");
        double eps = f.GetFloat($"{arch}.attention.layer_norm_rms_epsilon")
            ?? throw new SimileException($"GGUF file '{path}' lacks '{arch}.attention.layer_norm_rms_epsilon'", "use a model file written by llama.cpp's converter");
        double theta = f.GetFloat($"{arch}.rope.freq_base") ?? 10000.0;
        int maxPos = f.GetInt($"{arch}.context_length", 1, int.MaxValue) ?? 2048;

        var tokens = f.GetArray<string>("tokenizer.ggml.tokens");
        var embd = f.Tensor("token_embd.weight");
        if (embd.Dims.Length != 2 || embd.Dims[0] != hidden)
            throw new SimileException($"GGUF file '{path}': token_embd.weight has dims [{string.Join(", ", embd.Dims)}], expected [{hidden}, vocabulary]",
                "the file is corrupt: convert the model again");
        int vocab = tokens?.Length ?? (int)Math.Min(int.MaxValue, embd.Dims[1]);
        if (embd.Dims[1] != vocab)
            throw new SimileException($"GGUF file '{path}': token_embd.weight has {embd.Dims[1]} rows but the tokenizer has {vocab} tokens",
                "the file is corrupt: convert the model again");

        var family = a.Family;
        bool gemma = family is DecoderFamily.Gemma or DecoderFamily.Gemma2 or DecoderFamily.Gemma3;
        var config = new DecoderConfig(a.Hf, family, hidden, layers, heads, kv, headDim, intermediate, vocab, eps, theta,
            RopeScalingOf(f, arch, theta, headDim), maxPos,
            AttentionBias: f.HasTensor("blk.0.attn_q.bias"),
            QueryKeyNorm: f.HasTensor("blk.0.attn_q_norm.weight"),
            ScaleEmbeddings: gemma, NormWeightPlusOne: gemma, GeluTanhMlp: gemma,
            TiedEmbeddings: !f.HasTensor("output.weight"));
        var switched = family switch
        {
            // llama.cpp (llama-model.cpp, load_hparams): Gemma 2 and 3 score with 1/√key_length, except the 27B models
            // (46 / 62 layers) with 1/√(n_embd / n_head) — the files carry no query_pre_attn_scalar; Gemma 2 slides on
            // every other layer from 0 (pattern 2), Gemma 3 on all but every 6th (pattern 6, rope base 10000 and no
            // scaling there); Gemma 2's soft-cap defaults to 50 and its window to 4096; Gemma 3 without a window key
            // has no sliding layers.
            DecoderFamily.Gemma2 or DecoderFamily.Gemma3 => GemmaSwitches(f, arch, config),
            // OLMo 2: post-sub-layer norms, q/k norms over the whole projection
            DecoderFamily.Olmo2 => config with { Norms = NormPlacement.Post, QueryKeyNormOverProjection = config.QueryKeyNorm },
            // Phi-3: fused attn_qkv / ffn_up, rotary on rope.dimension_count values, LongRoPE short factors; llama.cpp runs
            // Phi-3 without its sliding window (disabled in llama.cpp), and so does this reader
            DecoderFamily.Phi3 => Phi3Switches(f, arch, config),
            // Mixtral (llama with experts) and Qwen3-MoE: see GgufDecoderWeights.Experts
            _ => WithExperts(f, arch, config),
        };
        return switched.Checked($"GGUF file '{path}' ({arch})", "the hyper-parameters are corrupt: convert the model again");
    }

    private static DecoderConfig GemmaSwitches(GgufFile f, string arch, DecoderConfig c)
    {
        bool big = (c.Family == DecoderFamily.Gemma2 && c.Layers == 46) || (c.Family == DecoderFamily.Gemma3 && c.Layers == 62);
        double scale = big ? 1 / Math.Sqrt((double)(float)(c.Hidden / c.Heads)) : 1 / Math.Sqrt(c.HeadDim);
        int window = f.GetInt($"{arch}.attention.sliding_window", 0, int.MaxValue) ?? (c.Family == DecoderFamily.Gemma2 ? 4096 : 0);
        int pattern = c.Family == DecoderFamily.Gemma2 ? 2 : 6;
        double cap = c.Family == DecoderFamily.Gemma2 ? f.GetFloat($"{arch}.attn_logit_softcapping") ?? 50.0 : 0;
        if (!(cap >= 0) || double.IsInfinity(cap))
            throw new SimileException($"GGUF file '{f.Path}': {arch}.attn_logit_softcapping {cap} is not a positive number", "the hyper-parameters are corrupt: convert the model again");
        IReadOnlyList<bool>? sliding = window > 0 ? Enumerable.Range(0, c.Layers).Select(i => i % pattern < pattern - 1).ToArray() : null;
        double theta = c.RopeTheta, local = 10000;
        if (c.Family == DecoderFamily.Gemma3)
        {
            // Ollama's own Gemma 3 files name the bases rope.global.freq_base / rope.local.freq_base (no rope.freq_base)
            // and may carry the per-layer pattern as a bool array; llama.cpp's converter writes rope.freq_base only.
            if (f.Get($"{arch}.rope.freq_base") is null && f.GetFloat($"{arch}.rope.global.freq_base") is { } global) theta = global;
            local = f.GetFloat($"{arch}.rope.local.freq_base") ?? 10000;
            if (!(theta > 1) || !(local > 1) || double.IsInfinity(theta) || double.IsInfinity(local))
                throw new SimileException($"GGUF file '{f.Path}': the rope bases {theta} / {local} are not numbers above 1", "the hyper-parameters are corrupt: convert the model again");
            if (window > 0 && f.Get($"{arch}.attention.sliding_window_pattern") is { Value: bool[] layers })
            {
                if (layers.Length != c.Layers)
                    throw new SimileException($"GGUF file '{f.Path}': {arch}.attention.sliding_window_pattern has {layers.Length} entries for {c.Layers} layers",
                        "the hyper-parameters are corrupt: convert the model again");
                sliding = layers;
            }
        }
        return c with
        {
            Norms = NormPlacement.Sandwich,
            QueryScale = scale,
            AttentionSoftCap = cap,
            SlidingWindow = window,
            SlidingLayers = sliding,
            RopeTheta = theta,
            LocalRopeTheta = c.Family == DecoderFamily.Gemma3 && window > 0 ? local : 0,
        };
    }

    private static DecoderConfig Phi3Switches(GgufFile f, string arch, DecoderConfig c)
    {
        int rotary = f.GetInt($"{arch}.rope.dimension_count", 1, 1 << 16) ?? c.HeadDim;
        if (rotary % 2 != 0 || rotary > c.HeadDim)
            throw new SimileException($"GGUF file '{f.Path}': {arch}.rope.dimension_count {rotary} is not an even number within the head dimension {c.HeadDim}",
                "the hyper-parameters are corrupt: convert the model again");
        c = c with { RotaryDims = rotary, FusedProjections = f.HasTensor("blk.0.attn_qkv.weight") };
        if (!f.HasTensor("rope_factors_short.weight")) return c;
        // LongRoPE (Phi-3.5, Phi-4-mini): the converter stores short_factor as rope_factors_short and the attention factor
        // as rope.scaling.attn_factor. llama.cpp uses the short factors when its context is within the original context
        // (rope.scaling.original_context_length); so does Simile, which refuses longer texts.
        var t = f.Tensor("rope_factors_short.weight");
        if (t.ElementCount != rotary / 2)
            throw new SimileException($"GGUF file '{f.Path}': rope_factors_short.weight has {t.ElementCount} values, the {rotary} rotary values per head need {rotary / 2}",
                "the file is corrupt: convert the model again");
        var factors = new float[t.ElementCount];
        f.Dequantize(t, factors);
        if (factors.Any(v => !(v > 0) || float.IsInfinity(v)))
            throw new SimileException($"GGUF file '{f.Path}': rope_factors_short.weight has a value that is not a positive number", "the file is corrupt: convert the model again");
        double attention = f.GetFloat($"{arch}.rope.scaling.attn_factor") ?? 1.0;
        if (!(attention > 0) || double.IsInfinity(attention))
            throw new SimileException($"GGUF file '{f.Path}': {arch}.rope.scaling.attn_factor {attention} is not a positive number", "the file is corrupt: convert the model again");
        int original = f.GetInt($"{arch}.rope.scaling.original_context_length", 1, int.MaxValue) ?? c.MaxPositions;
        return c with
        {
            MaxPositions = Math.Min(c.MaxPositions, original),
            RopeScaling = new RopeScaling(RopeScalingKind.LongRope, (double)c.MaxPositions / original, OriginalMaxPositions: original)
            {
                ShortFactors = factors.Select(v => (double)v).ToArray(),
                AttentionFactor = attention,
            },
        };
    }

    private static RopeScaling? RopeScalingOf(GgufFile f, string arch, double theta, int headDim)
    {
        string? type = f.GetString($"{arch}.rope.scaling.type");
        double factor = f.GetFloat($"{arch}.rope.scaling.factor") ?? 1;
        if (f.HasTensor("rope_freqs.weight")) return Llama3FromFactors(f, theta, headDim);
        switch (type)
        {
            case null or "none": return factor is 0 or 1 ? null : new RopeScaling(RopeScalingKind.Linear, factor);
            case "linear": return new RopeScaling(RopeScalingKind.Linear, factor);
            default:
                throw new SimileException($"GGUF file '{f.Path}': rope scaling '{type}' is not supported by the native forward pass (linear and Llama-3 are)",
                    "use the model for token embeddings only, or a model without this rope scaling");
        }
    }

    /// <summary>
    /// Recovers Llama-3 rope scaling from the <c>rope_freqs</c> factors llama.cpp's converter writes (one per frequency):
    /// factor = the largest, low/high frequency factors 1 and 4 and original context 8192 (the values every Llama 3.x
    /// release uses), then recomputes the factors from those parameters and requires them to match.
    /// </summary>
    private static RopeScaling Llama3FromFactors(GgufFile f, double theta, int headDim)
    {
        var t = f.Tensor("rope_freqs.weight");
        if (t.ElementCount != headDim / 2)
            throw new SimileException($"GGUF file '{f.Path}': rope_freqs.weight has {t.ElementCount} values, expected head_dim/2 = {headDim / 2}",
                "the file is corrupt: convert the model again");
        var stored = new float[t.ElementCount];
        f.Dequantize(t, stored);
        double factor = stored.Max();
        var guess = new RopeScaling(RopeScalingKind.Llama3, factor, 1, 4, 8192);
        for (int i = 0; i < stored.Length; i++)
        {
            double freq = 1.0 / Math.Pow(theta, 2.0 * i / headDim);
            double expected = Llama3Factor(freq, guess);
            if (Math.Abs(expected - stored[i]) > 1e-4 * Math.Max(1, expected))
                throw new SimileException(
                    $"GGUF file '{f.Path}': rope_freqs.weight[{i}] = {stored[i]} is not the Llama-3 factor {expected:G6} for factor {factor}, low 1, high 4, original context 8192",
                    "use a model whose rope scaling is Llama-3's standard form, or use it for token embeddings only");
        }
        return guess;
    }

    /// <summary>The divisor llama.cpp's converter (and HF's llama3 rope init) applies to one inverse frequency.</summary>
    internal static double Llama3Factor(double freq, RopeScaling s)
    {
        double wavelen = 2 * Math.PI / freq;
        double lowWavelen = s.OriginalMaxPositions / s.LowFrequencyFactor;
        double highWavelen = s.OriginalMaxPositions / s.HighFrequencyFactor;
        if (wavelen < highWavelen) return 1;
        if (wavelen > lowWavelen) return s.Factor;
        double smooth = (s.OriginalMaxPositions / wavelen - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
        return 1 / ((1 - smooth) / s.Factor + smooth);
    }

    /// <summary>Every tensor the forward pass needs is present with the HF shape the hyper-parameters imply.</summary>
    private void CheckShapes()
    {
        var c = Config;
        long d = c.Hidden, q = (long)c.Heads * c.HeadDim, k = (long)c.KeyValueHeads * c.HeadDim, i = c.Intermediate;
        void Expect(string name, params long[] shape)
        {
            var s = Info(name).Shape;
            if (!s.SequenceEqual(shape))
                throw new SimileException($"GGUF file '{_file.Path}': '{name}' ({Info(name).Name}) has shape [{string.Join(", ", s)}], the hyper-parameters need [{string.Join(", ", shape)}]",
                    "the file is corrupt or its metadata does not match its tensors: convert the model again");
        }
        Expect("model.embed_tokens.weight", c.VocabularySize, d);
        Expect("model.norm.weight", d);
        if (!c.TiedEmbeddings) Expect("lm_head.weight", c.VocabularySize, d);
        // The later families' block tensors (sandwich / post norms, fused projections) are checked by the forward
        // pass (LlamaModel) against the same configuration.
        if (c.Family is DecoderFamily.Gemma2 or DecoderFamily.Gemma3 or DecoderFamily.Phi3 or DecoderFamily.Olmo2) return;
        for (int l = 0; l < c.Layers; l++)
        {
            string p = $"model.layers.{l}.";
            Expect(p + "self_attn.q_proj.weight", q, d);
            Expect(p + "self_attn.k_proj.weight", k, d);
            Expect(p + "self_attn.v_proj.weight", k, d);
            Expect(p + "self_attn.o_proj.weight", d, q);
            if (c.AttentionBias)
            {
                Expect(p + "self_attn.q_proj.bias", q);
                Expect(p + "self_attn.k_proj.bias", k);
                Expect(p + "self_attn.v_proj.bias", k);
            }
            if (c.QueryKeyNorm)
            {
                Expect(p + "self_attn.q_norm.weight", c.HeadDim);
                Expect(p + "self_attn.k_norm.weight", c.HeadDim);
            }
            Expect(p + "input_layernorm.weight", d);
            Expect(p + "post_attention_layernorm.weight", d);
            if (c.IsSparseLayer(l)) continue;                  // experts: checked by the forward pass (MixtureOfExperts)
            Expect(p + "mlp.gate_proj.weight", i, d);
            Expect(p + "mlp.up_proj.weight", i, d);
            Expect(p + "mlp.down_proj.weight", d, i);
        }
    }

    public void Dispose()
    {
        if (_ownsFile) _file.Dispose();
    }
}
