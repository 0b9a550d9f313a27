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
