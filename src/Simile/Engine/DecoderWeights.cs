namespace Simile.Engine;

/// <summary>The Llama-family decoders the native forward pass runs (Hugging Face <c>architectures[0]</c>).</summary>
public enum DecoderFamily { Llama, Mistral, Qwen2, Qwen3, Gemma }

/// <summary>Rotary-embedding frequency scaling (<c>rope_scaling</c> in config.json; <c>rope.scaling.*</c> in GGUF).</summary>
public enum RopeScalingKind { None, Linear, Llama3 }

/// <summary><c>rope_scaling</c>: <c>factor</c>, and for <c>llama3</c> <c>low_freq_factor</c>, <c>high_freq_factor</c>,
/// <c>original_max_position_embeddings</c>.</summary>
public sealed record RopeScaling(RopeScalingKind Kind, double Factor = 1, double LowFrequencyFactor = 1,
    double HighFrequencyFactor = 4, int OriginalMaxPositions = 8192);

/// <summary>
/// Hyper-parameters of a Llama-family decoder, whatever file they came from (config.json or GGUF metadata).
/// HeadDim is usually Hidden / Heads but is explicit (Qwen3, Gemma may differ).
/// </summary>
public sealed record DecoderConfig(
    string Architecture,          // e.g. "LlamaForCausalLM"
    DecoderFamily Family,
    int Hidden,                   // D
    int Layers,                   // L
    int Heads,                    // H query heads
    int KeyValueHeads,            // KV heads (grouped-query attention: H % KV == 0)
    int HeadDim,                  // hd
    int Intermediate,             // I (MLP width)
    int VocabularySize,           // V
    double RmsNormEpsilon,
    double RopeTheta,
    RopeScaling? RopeScaling,
    int MaxPositions,
    bool AttentionBias,           // Qwen2: q/k/v biases
    bool QueryKeyNorm,            // Qwen3: per-head RMSNorm on q and k
    bool ScaleEmbeddings,         // Gemma: x = embed · √D (representation "0")
    bool NormWeightPlusOne,       // Gemma: RMSNorm multiplies by (1 + w)
    bool GeluTanhMlp,             // Gemma: gelu_pytorch_tanh gate; otherwise SiLU
    bool TiedEmbeddings);

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
