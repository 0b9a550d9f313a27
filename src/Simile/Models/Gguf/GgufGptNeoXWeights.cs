using System.Globalization;
using System.Text.RegularExpressions;
using Simile.Engine;

namespace Simile.Models.Gguf;

/// <summary>
/// A GGUF file of architecture <c>gptneox</c> (Pythia, GPT-NeoX as llama.cpp's converter writes them) as an
/// <see cref="IDecoderWeights"/> under the Hugging Face names <see cref="GptNeoXModel"/> reads, dequantized on demand.
/// <list type="bullet">
/// <item>Names: <c>token_embd</c> → <c>gpt_neox.embed_in</c>; <c>blk.N.attn_norm</c> → <c>input_layernorm</c>;
/// <c>attn_qkv</c> → <c>attention.query_key_value</c>; <c>attn_output</c> → <c>attention.dense</c>; <c>ffn_norm</c> →
/// <c>post_attention_layernorm</c>; <c>ffn_up</c> / <c>ffn_down</c> → <c>mlp.dense_h_to_4h</c> / <c>mlp.dense_4h_to_h</c>;
/// <c>output_norm</c> → <c>gpt_neox.final_layer_norm</c>; <c>output</c> → <c>embed_out</c>; weights and biases alike.</item>
/// <item>q/k/v rows: the converter regroups the fused rows from HF's per-head [heads, 3, hd] order into all queries |
/// all keys | all values; this class hands them out in HF's order again (weight rows and bias elements).</item>
/// <item>Metadata: <c>gptneox.rope.dimension_count</c> is the rotated values per head, <c>use_parallel_residual</c> and
/// <c>attention.layer_norm_epsilon</c> are required as llama.cpp requires them; the converter writes no rope base, and
/// llama.cpp then uses 10000 (HF's rotary_emb_base default), as does this class.</item>
/// </list>
/// </summary>
public sealed partial class GgufGptNeoXWeights : IDecoderWeights
{
    public const string Architecture = "gptneox";

    private readonly GgufFile _file;
    private readonly bool _ownsFile;
    private readonly Dictionary<string, GgufTensorInfo> _byHfName = new(StringComparer.Ordinal);

    public DecoderConfig Config { get; }
    public GgufFile File => _file;

    public GgufGptNeoXWeights(GgufFile file, bool ownsFile = false)
    {
        _file = file;
        _ownsFile = ownsFile;
        foreach (var t in file.Tensors)
            if (HfName(t.Name) is { } hf) _byHfName[hf] = t;
        Config = ReadConfig(file);
    }

    public static GgufGptNeoXWeights Open(string path)
    {
        var f = GgufFile.Open(path);
        try { return new GgufGptNeoXWeights(f, ownsFile: true); }
        catch { f.Dispose(); throw; }
    }

    [GeneratedRegex(@"^blk\.(\d{1,6})\.([a-z_]+)\.(weight|bias)$")]
    private static partial Regex BlockName();

    /// <summary>The HF name of a <c>gptneox</c> GGUF tensor, or null for tensors outside the mapping.</summary>
    public static string? HfName(string gguf)
    {
        switch (gguf)
        {
            case "token_embd.weight": return "gpt_neox.embed_in.weight";
            case "output_norm.weight": return "gpt_neox.final_layer_norm.weight";
            case "output_norm.bias": return "gpt_neox.final_layer_norm.bias";
            case "output.weight": return "embed_out.weight";
        }
        var m = BlockName().Match(gguf);
        if (!m.Success) return null;
        string layer = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture);
        string? part = m.Groups[2].Value switch
        {
            "attn_norm" => "input_layernorm",
            "attn_qkv" => "attention.query_key_value",
            "attn_output" => "attention.dense",
            "ffn_norm" => "post_attention_layernorm",
            "ffn_up" => "mlp.dense_h_to_4h",
            "ffn_down" => "mlp.dense_4h_to_h",
            _ => null,
        };
        return part is null ? null : $"gpt_neox.layers.{layer}.{part}.{m.Groups[3].Value}";
    }

    public bool Has(string name) => _byHfName.ContainsKey(name);

    private GgufTensorInfo Info(string name) => _byHfName.TryGetValue(name, out var t) ? t
        : throw new SimileException($"GGUF file '{_file.Path}' has no tensor for '{name}'",
            "use a complete model file (see 'simile inspect' for the tensors it has)");

    public IReadOnlyList<long> Shape(string name) => Info(name).Shape;

    public string StorageType(string name) => Info(name).TypeName;

    private static bool IsFusedQkv(string name) => name.Contains(".attention.query_key_value.", StringComparison.Ordinal);

    /// <summary>The GGUF row (or bias element) holding HF row <paramref name="r"/> of the fused q/k/v:
    /// HF r = h·3hd + j·hd + i  →  GGUF j·D + h·hd + i.</summary>
    internal static int GgufRowOf(int r, int headDim, int hidden)
    {
        int h = r / (3 * headDim), w = r % (3 * headDim);
        int j = w / headDim, i = w % headDim;
        return j * hidden + h * headDim + i;
    }

    public void Read(string name, Span<float> destination)
    {
        var t = Info(name);
        if (destination.Length != t.ElementCount)
            throw new ArgumentException($"'{name}' has {t.ElementCount} values, destination {destination.Length}");
        if (!IsFusedQkv(name))
        {
            _file.Dequantize(t, destination);
            return;
        }
        int D = Config.Hidden, hd = Config.HeadDim;
        if (t.Dims.Length == 2)
        {
            var map = new int[(int)t.RowCount];
            for (int r = 0; r < map.Length; r++) map[r] = GgufRowOf(r, hd, D);
            _file.DequantizeRows(t, map, destination);
        }
        else
        {
            var raw = new float[destination.Length];
            _file.Dequantize(t, raw);
            for (int r = 0; r < raw.Length; r++) destination[r] = raw[GgufRowOf(r, hd, D)];
        }
    }

    public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination)
    {
        var t = Info(name);
        if (t.Dims.Length != 2) throw new ArgumentException($"'{name}' is not 2-D ({t.ShapeText})");
        if (!IsFusedQkv(name))
        {
            _file.DequantizeRows(t, rows, destination);
            return;
        }
        var map = new int[rows.Length];
        for (int k = 0; k < rows.Length; k++)
            map[k] = rows[k] >= 0 && rows[k] < t.RowCount ? GgufRowOf(rows[k], Config.HeadDim, Config.Hidden) : rows[k];
        _file.DequantizeRows(t, map, destination);
    }

    public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination)
    {
        var t = Info(name);
        DecoderWeightsBlock.Check(name, t.Shape, firstRow, rows, firstColumn, columns, destination.Length, GgmlTypes.BlockSize(t.Type));
        bool fused = IsFusedQkv(name);
        for (int r = 0; r < rows; r++)
        {
            int row = firstRow + r;
            _file.DequantizeRowPart(t, fused ? GgufRowOf(row, Config.HeadDim, Config.Hidden) : row, firstColumn, destination.Slice(r * columns, columns));
        }
    }

    private static DecoderConfig ReadConfig(GgufFile f)
    {
        string path = f.Path;
        const string a = Architecture;
        SimileException Missing(string key) =>
            new($"GGUF file '{path}' lacks '{a}.{key}'", "use a complete model file written by llama.cpp's converter");
        int Req(string key, int min, int max) => f.GetInt($"{a}.{key}", min, max) ?? throw Missing(key);
        int hidden = Req("embedding_length", 1, 1 << 20);
        int layers = Req("block_count", 1, 4096);
        int heads = Req("attention.head_count", 1, 4096);
        int intermediate = Req("feed_forward_length", 1, 1 << 24);
        int rotary = Req("rope.dimension_count", 1, 1 << 16);
        int maxPos = f.GetInt($"{a}.context_length", 1, int.MaxValue) ?? 2048;
        double eps = f.GetFloat($"{a}.attention.layer_norm_epsilon") ?? throw Missing("attention.layer_norm_epsilon");
        bool parallel = f.GetBool($"{a}.use_parallel_residual") ?? throw Missing("use_parallel_residual");
        double theta = f.GetFloat($"{a}.rope.freq_base") ?? 10000.0;
        string where = $"GGUF file '{path}'";
        string fix = "the hyper-parameters are corrupt: convert the model again";
        if (hidden % heads != 0)
            throw new SimileException($"{where}: embedding length {hidden} is not a multiple of {heads} heads", fix);
        int hd = hidden / heads;
        if (rotary > hd || rotary % 2 != 0)
            throw new SimileException($"{where}: rope dimension count {rotary} is odd or larger than the head size {hd}", fix);
        if (!(eps > 0 && eps <= 1))
            throw new SimileException($"{where}: layer-norm epsilon {eps} is not in (0, 1]", fix);
        if (!(theta > 1) || double.IsInfinity(theta))
            throw new SimileException($"{where}: rope base {theta} is not a number above 1", fix);
        var embd = f.Tensor("token_embd.weight");
        if (embd.Dims.Length != 2 || embd.Dims[0] != hidden)
            throw new SimileException($"{where}: token_embd.weight has dims [{string.Join(", ", embd.Dims)}], expected [{hidden}, vocabulary]", fix);
        int vocab = (int)Math.Min(int.MaxValue, embd.Dims[1]);
        return new DecoderConfig("GPTNeoXForCausalLM", DecoderFamily.GptNeoX, hidden, layers, heads, heads, hd, intermediate, vocab, eps, theta,
            null, maxPos, AttentionBias: f.HasTensor("blk.0.attn_qkv.bias"), QueryKeyNorm: false, ScaleEmbeddings: false,
            NormWeightPlusOne: false, GeluTanhMlp: false, TiedEmbeddings: !f.HasTensor("output.weight"))
        {
            RotaryDims = rotary,
            ParallelResidual = parallel,
        }.Checked(where, fix);
    }

    public void Dispose()
    {
        if (_ownsFile) _file.Dispose();
    }
}
