namespace Simile.Engine;

/// <summary>
/// Where a decoder's weights come from (a safetensors folder, a GGUF file). Tensors are addressed by their
/// Hugging Face names and shapes (numpy order, Linear weights [out × in]) whatever the storage:
/// <c>model.embed_tokens.weight</c>, <c>model.layers.{i}.self_attn.{q,k,v,o}_proj.{weight,bias}</c>,
/// <c>model.layers.{i}.self_attn.{q,k}_norm.weight</c>, <c>model.layers.{i}.{input,post_attention}_layernorm.weight</c>,
/// <c>model.layers.{i}.mlp.{gate,up,down}_proj.weight</c>, <c>model.norm.weight</c>.
/// A GGUF source maps its names onto these and undoes llama.cpp's q/k row permutation.
/// Values are handed out as float32 (dequantized / widened on the fly), so that a caller can convert one layer at a
/// time into a reused buffer while the file stays memory-mapped.
/// </summary>
public interface IDecoderWeights : IDisposable
{
    DecoderConfig Config { get; }

    bool Has(string name);

    /// <summary>Shape in numpy order (HF layout).</summary>
    IReadOnlyList<long> Shape(string name);

    /// <summary>Storage type as the file names it: "F32", "F16", "BF16", "Q8_0", "Q4_K", …</summary>
    string StorageType(string name);

    /// <summary>The whole tensor as float32 in HF layout; <paramref name="destination"/> has exactly its element count.</summary>
    void Read(string name, Span<float> destination);

    /// <summary>Selected rows of a 2-D tensor (e.g. the embedding rows of some token ids), each Shape[1] floats.</summary>
    void ReadRows(string name, ReadOnlySpan<int> rows, Span<float> destination);
}
