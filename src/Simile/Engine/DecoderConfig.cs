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
    bool TiedEmbeddings)
{
    /// <summary>
    /// The checks every source of a decoder configuration passes (config.json and GGUF metadata alike), so a forward
    /// pass never meets a size of zero, a head count that does not divide, or a norm epsilon that is not a small positive
    /// number: throws one <see cref="SimileException"/> naming <paramref name="where"/> and the field, with
    /// <paramref name="fix"/>. Fields are named as config.json names them (GGUF metadata keys map onto them one to one).
    /// </summary>
    public DecoderConfig Checked(string where, string fix)
    {
        foreach (var (name, value) in new[] { ("hidden_size", Hidden), ("num_hidden_layers", Layers), ("num_attention_heads", Heads),
                                              ("num_key_value_heads", KeyValueHeads), ("head_dim", HeadDim),
                                              ("intermediate_size", Intermediate), ("vocab_size", VocabularySize),
                                              ("max_position_embeddings", MaxPositions) })
            if (value <= 0)
                throw new SimileException($"{where}: {name} is {value}, but it must be a positive number", fix);
        if (KeyValueHeads > Heads || Heads % KeyValueHeads != 0)
            throw new SimileException($"{where}: num_attention_heads {Heads} is not a multiple of num_key_value_heads {KeyValueHeads}", fix);
        if (HeadDim % 2 != 0)
            throw new SimileException($"{where}: head_dim {HeadDim} is odd, so rotary embeddings do not apply", fix);
        if (!(RmsNormEpsilon > 0 && RmsNormEpsilon <= 1))
            throw new SimileException($"{where}: rms_norm_eps {RmsNormEpsilon} is not in (0, 1]", fix);
        if (!(RopeTheta > 1) || double.IsInfinity(RopeTheta))
            throw new SimileException($"{where}: rope_theta {RopeTheta} is not a number above 1", fix);
        if (RopeScaling is { } rs && (!(rs.Factor > 0) || double.IsInfinity(rs.Factor)))
            throw new SimileException($"{where}: rope scaling factor {rs.Factor} is not a positive number", fix);
        return this;
    }
}
