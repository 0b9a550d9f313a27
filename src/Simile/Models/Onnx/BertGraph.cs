namespace Simile.Models.Onnx;

/// <summary>
/// Where a BERT-style ONNX graph keeps the values Simile reads, found by following the graph rather than by
/// trusting names:
/// <list type="bullet">
/// <item><b>token</b>: the initializer gathered by the Gather node whose indices are the graph input
/// <c>input_ids</c> (usually <c>embeddings.word_embeddings.weight</c>, [vocab × dims]).</item>
/// <item><b>LayerNorm outputs</b>: a fused <c>LayerNormalization</c> node's first output, or the end of the
/// decomposed pattern the PyTorch exporter writes for opset &lt; 17:
/// <c>Add(Mul(Div(Sub(x, ReduceMean(x)), Sqrt(…)), γ), β)</c> — recognised by walking back from each Add
/// through Mul → Div → Sub → ReduceMean. In graph order a BERT encoder has 1 + 2L of them: the embedding
/// LayerNorm ("0"), then per layer the attention-output LayerNorm and the output LayerNorm. The output
/// LayerNorm of layer i is representation "i" (the value Hugging Face returns as hidden_states[i]).</item>
/// <item><b>attention probabilities</b>: the outputs of the L Softmax nodes, in graph order ([batch × heads × T × T]).</item>
/// </list>
/// Graphs optimised for inference (com.microsoft Attention / SkipLayerNormalization / EmbedLayerNormalization)
/// hide these values inside fused kernels; <see cref="Unavailable"/> then says which representations cannot be read.
/// </summary>
public sealed class BertGraph
{
    public OnnxModelFile Model { get; }
    public string WordEmbeddingName { get; }
    public int VocabularySize { get; }
    public int Dims { get; }
    public int Layers { get; }
    /// <summary>Attention heads, read from the reshape constants ([heads, head_dim] with heads·head_dim = dims); 0 when not found.</summary>
    public int Heads { get; }
    /// <summary>Graph values of representations "0".."L" (Count = L + 1), empty when unavailable.</summary>
    public IReadOnlyList<string> HiddenOutputs { get; }
    /// <summary>Graph values of the attention probabilities per layer (Count = L), empty when unavailable.</summary>
    public IReadOnlyList<string> AttentionOutputs { get; }
    /// <summary>Null when every representation can be read; otherwise what is missing and why.</summary>
    public string? Unavailable { get; }
    public bool HasTokenTypeIds { get; }
    public bool HasAttentionMask { get; }

    private static readonly string[] FusedOps = ["Attention", "MultiHeadAttention", "SkipLayerNormalization", "EmbedLayerNormalization", "SkipSimplifiedLayerNormalization"];

    public BertGraph(OnnxModelFile model)
    {
        Model = model;
        var feeds = model.FeedInputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        if (!feeds.Contains("input_ids"))
            throw new SimileException($"{model.Source} has no graph input named 'input_ids' (inputs: {string.Join(", ", feeds)})",
                "Simile reads BERT-style ONNX exports (inputs input_ids, attention_mask, token_type_ids)");
        HasTokenTypeIds = feeds.Contains("token_type_ids");
        HasAttentionMask = feeds.Contains("attention_mask");

        // token embeddings: Gather(initializer, input_ids)
        var gather = model.ConsumersOf("input_ids").FirstOrDefault(n => n.OpType == "Gather" && n.Inputs.Count == 2
                         && n.Inputs[1] == "input_ids" && model.IsInitializer(n.Inputs[0]));
        var wordName = gather?.Inputs[0]
                       ?? (model.TryGetInitializer("embeddings.word_embeddings.weight", out _) ? "embeddings.word_embeddings.weight" : null)
                       ?? throw new SimileException($"{model.Source}: no token-embedding matrix found (no Gather of an initializer by input_ids)",
                           "use a BERT-style ONNX export whose embeddings are a weight tensor in the file");
        var word = model.Initializer(wordName);
        if (word.Dims.Count != 2)
            throw new SimileException($"{model.Source}: token-embedding tensor '{wordName}' has {word.Dims.Count} dimensions, expected 2", "use a BERT-style ONNX export");
        if (word.Dims[0] < 1 || word.Dims[0] > int.MaxValue || word.Dims[1] < 1 || word.Dims[1] > int.MaxValue)
            throw new SimileException($"{model.Source}: token-embedding tensor '{wordName}' has shape [{word.Dims[0]}, {word.Dims[1]}]", "use a BERT-style ONNX export with a non-empty [vocabulary × dims] embedding matrix");
        WordEmbeddingName = wordName;
        VocabularySize = (int)word.Dims[0];
        Dims = (int)word.Dims[1];

        var noOutput = model.Nodes.FirstOrDefault(n => n.Outputs.Count == 0 && (n.OpType == "Softmax" || IsLayerNormEnd(n)));
        if (noOutput is not null)
            throw new SimileException($"{model.Source}: node '{noOutput.Name}' ({noOutput.OpType}) has no output", "the graph is damaged: re-export or re-download the model");
        var softmax = model.Nodes.Where(n => n.OpType == "Softmax").Select(n => n.Outputs[0]).ToList();
        var layerNorms = model.Nodes.Where(IsLayerNormEnd).Select(n => n.Outputs[0]).ToList();
        var fused = model.Nodes.Select(n => n.OpType).Where(FusedOps.Contains).Distinct().ToList();
        Layers = softmax.Count;

        var problems = new List<string>();
        if (fused.Count > 0) problems.Add($"the graph uses fused operators ({string.Join(", ", fused)})");
        if (softmax.Count > 0 && layerNorms.Count == 2 * softmax.Count + 1)
        {
            HiddenOutputs = Enumerable.Range(0, Layers + 1).Select(i => layerNorms[2 * i]).ToList();
            AttentionOutputs = softmax;
        }
        else
        {
            HiddenOutputs = [];
            AttentionOutputs = softmax.Count > 0 && fused.Count == 0 ? softmax : [];
            problems.Add($"found {layerNorms.Count} LayerNorm outputs and {softmax.Count} Softmax nodes, expected 2L+1 and L");
        }
        if (problems.Count > 0)
            Unavailable = $"{model.Source}: layer representations 0..L"
                          + (AttentionOutputs.Count == 0 ? " and attention probabilities" : "")
                          + $" are unavailable because {string.Join("; ", problems)}; only 'token' (the embedding matrix) can be read";
        Heads = FindHeads(model, Dims);
    }

    /// <summary>
    /// True for a node that ends a LayerNorm: a LayerNormalization op, or Add(Mul(Div(Sub(x, ReduceMean(x)), …), γ), β).
    /// </summary>
    private bool IsLayerNormEnd(OnnxNode n)
    {
        if (n.OpType == "LayerNormalization") return true;
        if (n.OpType != "Add") return false;
        foreach (string a in n.Inputs)
        {
            var mul = Model.ProducerOf(a);
            if (mul?.OpType != "Mul") continue;
            foreach (string b in mul.Inputs)
            {
                var div = Model.ProducerOf(b);
                if (div?.OpType != "Div" || div.Inputs.Count < 1) continue;
                var sub = Model.ProducerOf(div.Inputs[0]);
                if (sub?.OpType != "Sub" || sub.Inputs.Count < 2) continue;
                if (Model.ProducerOf(sub.Inputs[1])?.OpType == "ReduceMean") return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Heads from the shape a Reshape splits the hidden size into: [.., heads, head_dim] with heads·head_dim = dims
    /// and heads &lt; head_dim, given either as a constant shape tensor or as a Concat of 1-element constants
    /// (initializers or Constant nodes; Unsqueeze of a scalar constant counts too).
    /// </summary>
    private static int FindHeads(OnnxModelFile model, int dims)
    {
        long Scalar(string value)
        {
            var t = model.ConstantTensor(value);
            if (t is null)
            {
                var producer = model.ProducerOf(value);
                if (producer?.OpType == "Unsqueeze" && producer.Inputs.Count >= 1) t = model.ConstantTensor(producer.Inputs[0]);
            }
            return t is not null && t.ElementCount == 1 && t.DataType is OnnxDataType.Int64 or OnnxDataType.Int32 ? t.IntValues()[0] : -1;
        }
        foreach (var reshape in model.Nodes.Where(n => n.OpType == "Reshape" && n.Inputs.Count == 2))
        {
            var values = new List<long>();
            var whole = model.ConstantTensor(reshape.Inputs[1]);
            if (whole is not null && whole.DataType == OnnxDataType.Int64) values.AddRange(whole.IntValues());
            else if (model.ProducerOf(reshape.Inputs[1]) is { OpType: "Concat" } concat)
                values.AddRange(concat.Inputs.Select(Scalar));
            for (int i = 0; i + 1 < values.Count; i++)
                if (values[i] > 1 && values[i + 1] > 1 && values[i] * values[i + 1] == dims && values[i] < values[i + 1])
                    return (int)values[i];
        }
        return 0;
    }
}
