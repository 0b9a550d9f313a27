using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>
/// <see cref="IDecoderWeights"/> over a safetensors checkpoint (single file or shards; F32, F16, BF16). Tensors stay
/// memory-mapped; <see cref="Read"/> and <see cref="ReadRows"/> widen them to float32 into the caller's buffer.
/// Names are Hugging Face's (<c>model.layers.0.self_attn.q_proj.weight</c>); a checkpoint saved without the
/// <c>model.</c> prefix (a bare LlamaModel) is accepted too, and so is the language model of a
/// Gemma3ForConditionalGeneration checkpoint (<c>language_model.model.*</c> or <c>model.language_model.*</c>). Tied embeddings need no <c>lm_head</c>, which is never read.
/// </summary>
public sealed class SafetensorsDecoderWeights : IDecoderWeights
{
    private readonly SafetensorsCheckpoint _checkpoint;
    private readonly bool _ownsCheckpoint;
    private readonly string _prefix;   // how the checkpoint spells "model."

    public DecoderConfig Config { get; }

    public SafetensorsDecoderWeights(SafetensorsCheckpoint checkpoint, DecoderConfig config, bool ownsCheckpoint = false)
    {
        _checkpoint = checkpoint; Config = config; _ownsCheckpoint = ownsCheckpoint;
        _prefix = Prefixes.FirstOrDefault(p => checkpoint.Contains(p + "embed_tokens.weight")) ?? "model.";
    }

    /// <summary>How checkpoints spell the decoder's "model.": a causal LM, a bare model, and the language model of
    /// Gemma3ForConditionalGeneration as transformers saves it (before and after 4.52); other tensors (the vision tower)
    /// are never read.</summary>
    private static readonly string[] Prefixes = ["model.", "", "language_model.model.", "model.language_model."];

    private string Stored(string name) =>
        _prefix != "model." && name.StartsWith("model.", StringComparison.Ordinal) ? _prefix + name["model.".Length..] : name;

    public bool Has(string name) => _checkpoint.Contains(Stored(name));

    public IReadOnlyList<long> Shape(string name) => _checkpoint.Info(Stored(name)).Shape;

    public string StorageType(string name) => _checkpoint.Info(Stored(name)).DType.ToString();

    public void Read(string name, Span<float> destination)
    {
        var info = _checkpoint.Info(Stored(name));
        if (destination.Length != info.ElementCount)
            throw new ArgumentException($"tensor '{name}' has {info.ElementCount} elements, the destination {destination.Length}");
        Widen(_checkpoint.Bytes(Stored(name)), info.DType, destination);
    }

    public void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination) =>
        ReadRows(_checkpoint, Stored(name), rows, destination);

    /// <summary>Rows of any 2-D tensor of a checkpoint (by its stored name) as float32: the token embeddings of any architecture.</summary>
    public static void ReadRows(SafetensorsCheckpoint checkpoint, string name, ReadOnlySpan<int> rows, Span<float> destination)
    {
        var info = checkpoint.Info(name);
        if (info.Shape.Length != 2) throw new ArgumentException($"tensor '{name}' is not a matrix");
        int cols = checked((int)info.Shape[1]);
        long count = info.Shape[0];
        if (destination.Length != (long)rows.Length * cols)
            throw new ArgumentException($"{rows.Length} rows of '{name}' are {rows.Length * (long)cols} values, the destination {destination.Length}");
        var bytes = checkpoint.Bytes(name);
        int size = info.ElementSize;
        for (int r = 0; r < rows.Length; r++)
        {
            if ((uint)rows[r] >= (ulong)count) throw new ArgumentOutOfRangeException(nameof(rows), $"row {rows[r]} of '{name}' ({count} rows)");
            Widen(bytes.Slice(checked((int)((long)rows[r] * cols * size)), cols * size), info.DType, destination.Slice(r * cols, cols));
        }
    }

    public void ReadBlock(string name, int firstRow, int rows, int firstColumn, int columns, Span<float> destination)
    {
        var info = _checkpoint.Info(Stored(name));
        DecoderWeightsBlock.Check(name, info.Shape, firstRow, rows, firstColumn, columns, destination.Length);
        var bytes = _checkpoint.Bytes(Stored(name));
        long cols = info.Shape[1];
        int size = info.ElementSize;
        for (int r = 0; r < rows; r++)
            Widen(bytes.Slice(checked((int)(((firstRow + r) * cols + firstColumn) * size)), columns * size), info.DType, destination.Slice(r * columns, columns));
    }

    /// <summary>F32 copied, F16 converted, BF16 widened (<see cref="Widening"/>).</summary>
    public static void Widen(ReadOnlySpan<byte> source, SafetensorsDType type, Span<float> destination)
    {
        switch (type)
        {
            case SafetensorsDType.F32: Widening.F32(source, destination); break;
            case SafetensorsDType.F16: Widening.F16(source, destination); break;
            default: Widening.Bf16(source, destination); break;
        }
    }

    public void Dispose()
    {
        if (_ownsCheckpoint) _checkpoint.Dispose();
    }
}
