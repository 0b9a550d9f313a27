namespace Simile.Engine;

/// <summary>The decoders <see cref="LlamaModel"/> runs (Hugging Face <c>architectures[0]</c>); <see cref="GptNeoX"/> is
/// <see cref="GptNeoXModel"/>'s.</summary>
public enum DecoderFamily { Llama, Mistral, Qwen2, Qwen3, Gemma, Gemma2, Gemma3, Phi3, Olmo2, Mixtral, Qwen3Moe, GptNeoX }

/// <summary>Rotary-embedding frequency scaling (<c>rope_scaling</c> in config.json; <c>rope.scaling.*</c> in GGUF).</summary>
public enum RopeScalingKind { None, Linear, Llama3 }

/// <summary><c>rope_scaling</c>: <c>factor</c>, and for <c>llama3</c> <c>low_freq_factor</c>, <c>high_freq_factor</c>,
/// <c>original_max_position_embeddings</c>.</summary>
public sealed record RopeScaling(RopeScalingKind Kind, double Factor = 1, double LowFrequencyFactor = 1,
    double HighFrequencyFactor = 4, int OriginalMaxPositions = 8192);

/// <summary>Where a block's RMSNorms sit around its two sub-layers.</summary>
public enum NormPlacement
{
    /// <summary>x + f(norm(x)) (Llama, Qwen, Gemma, Phi-3): input_layernorm, post_attention_layernorm.</summary>
    Pre,
    /// <summary>x + norm₂(f(norm₁(x))) (Gemma 2, Gemma 3): input / post_attention / pre_feedforward / post_feedforward_layernorm.</summary>
    Sandwich,
    /// <summary>x + norm(f(x)) (OLMo 2): post_attention_layernorm, post_feedforward_layernorm.</summary>
    Post,
}

/// <summary>RMSNorm of queries and keys before rotary embeddings.</summary>
public enum QueryKeyNormKind
{
    None,
    /// <summary>Each head vector [hd] (Qwen3, Gemma 3).</summary>
    PerHead,
    /// <summary>The whole projection [H·hd] / [KV·hd] (OLMo 2).</summary>
    WholeProjection,
}

/// <summary>
/// Hyper-parameters of a Llama-family decoder, whatever file they came from (config.json or GGUF metadata).
/// HeadDim is usually Hidden / Heads but is explicit (Qwen3, Gemma may differ). The init-only members below the
/// record parameters are the switches of the later families, with defaults that are Llama's.
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
    bool QueryKeyNorm,            // Qwen3, Gemma 3: per-head RMSNorm on q and k (OLMo 2: see QueryKeyNormKind)
    bool ScaleEmbeddings,         // Gemma: x = embed · √D (representation "0")
    bool NormWeightPlusOne,       // Gemma: RMSNorm multiplies by (1 + w)
    bool GeluTanhMlp,             // Gemma: gelu_pytorch_tanh gate; otherwise SiLU
    bool TiedEmbeddings)
{
    /// <summary>Where the norms sit (Gemma 2/3: sandwich; OLMo 2: post).</summary>
    public NormPlacement Norms { get; init; } = NormPlacement.Pre;

    /// <summary>OLMo 2 normalises the whole q/k projection; Qwen3 and Gemma 3 each head (<see cref="QueryKeyNorm"/>).</summary>
    public QueryKeyNormKind QueryKeyNormKind => !QueryKeyNorm ? QueryKeyNormKind.None
        : QueryKeyNormOverProjection ? QueryKeyNormKind.WholeProjection : QueryKeyNormKind.PerHead;

    /// <summary>OLMo 2: q_norm over [H·hd], k_norm over [KV·hd].</summary>
    public bool QueryKeyNormOverProjection { get; init; }

    /// <summary>Values per head that rotary embeddings rotate (Phi-3: partial_rotary_factor · hd); 0 = HeadDim.</summary>
    public int RotaryDims { get; init; }

    /// <summary>The rotated values per head.</summary>
    public int RotaryDimsOrHead => RotaryDims > 0 ? RotaryDims : HeadDim;

    /// <summary>Score scale; 0 = 1/√hd (Gemma 2/3: query_pre_attn_scalar^(−1/2)).</summary>
    public double QueryScale { get; init; }

    /// <summary>Gemma 2: scores = tanh(scores / cap) · cap; 0 = none.</summary>
    public double AttentionSoftCap { get; init; }

    /// <summary>Sliding-window size (key j visible to query i when i − j &lt; window) of the layers
    /// <see cref="IsSlidingLayer"/> says; 0 = none.</summary>
    public int SlidingWindow { get; init; }

    /// <summary>Per layer: true = sliding-window (local) attention. Null with a window: every layer (Phi-3).</summary>
    public IReadOnlyList<bool>? SlidingLayers { get; init; }

    /// <summary>Gemma 3: rope theta of the sliding layers (rope_local_base_freq, no scaling); 0 = RopeTheta.</summary>
    public double LocalRopeTheta { get; init; }

    /// <summary>Phi-3: q|k|v in one qkv_proj tensor and gate|up in one gate_up_proj tensor.</summary>
    public bool FusedProjections { get; init; }

    public bool IsSlidingLayer(int layer) => SlidingWindow > 0 && (SlidingLayers is null || SlidingLayers[layer]);

    /// <summary>GPT-NeoX: x + attn(ln1 x) + mlp(ln2 x) (true) or the sequential form (false).</summary>
    public bool ParallelResidual { get; init; }

    /// <summary>Mixture of experts (Mixtral, Qwen3-MoE): experts per sparse layer; 0 = a dense MLP everywhere.</summary>
    public int Experts { get; init; }

    /// <summary>Experts each token is routed to (top-k of the router's softmax).</summary>
    public int ExpertsPerToken { get; init; }

    /// <summary>The MLP width of one expert (Qwen3-MoE: moe_intermediate_size; Mixtral: intermediate_size).</summary>
    public int ExpertIntermediate { get; init; }

    /// <summary>Divide the k routing weights by their sum (Mixtral always; Qwen3-MoE: norm_topk_prob).</summary>
    public bool NormalizeTopK { get; init; }

    /// <summary>Per layer: true = the layer's MLP is the mixture of experts (Qwen3-MoE: mlp_only_layers and
    /// decoder_sparse_step decide); null with experts: every layer.</summary>
    public IReadOnlyList<bool>? SparseLayers { get; init; }

    public bool IsSparseLayer(int layer) => Experts > 0 && (SparseLayers is null || SparseLayers[layer]);

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
        if (RotaryDimsOrHead % 2 != 0 || RotaryDimsOrHead > HeadDim)
            throw new SimileException(RotaryDimsOrHead == HeadDim
                ? $"{where}: head_dim {HeadDim} is odd, so rotary embeddings do not apply"
                : $"{where}: {RotaryDimsOrHead} rotary values per head (head_dim {HeadDim}) are odd or more than the head holds", fix);
        if (!(RmsNormEpsilon > 0 && RmsNormEpsilon <= 1))
            throw new SimileException($"{where}: rms_norm_eps {RmsNormEpsilon} is not in (0, 1]", fix);
        if (!(RopeTheta > 1) || double.IsInfinity(RopeTheta))
            throw new SimileException($"{where}: rope_theta {RopeTheta} is not a number above 1", fix);
        if (RopeScaling is { } rs && (!(rs.Factor > 0) || double.IsInfinity(rs.Factor)))
            throw new SimileException($"{where}: rope scaling factor {rs.Factor} is not a positive number", fix);
        return this;
    }
}
