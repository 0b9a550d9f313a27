using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>
/// Finds the BERT / GPT-2 parameters in a safetensors checkpoint by their Hugging Face names (with or without the
/// <c>bert.</c> / <c>transformer.</c> prefix) and checks every shape against config.json.
/// </summary>
public static class HuggingFaceWeights
{
    /// <summary>The name prefix the checkpoint uses for the backbone ("bert.", "transformer.", or "").</summary>
    public static string DetectPrefix(SafetensorsCheckpoint ckpt, string modelType)
    {
        string probe = modelType == "bert" ? "embeddings.word_embeddings.weight" : "wte.weight";
        foreach (string prefix in modelType == "bert" ? new[] { "bert.", "", "model.", "roberta." } : ["transformer.", "", "model."])
            if (ckpt.Contains(prefix + probe)) return prefix;
        throw new SimileException($"the checkpoint in '{ckpt.Folder}' has no '{probe}' tensor (looked for the prefixes bert./transformer./none)",
            $"check that the weights are a {modelType} checkpoint matching config.json");
    }

    /// <summary>The token-embedding tensor name and its [V × D] check.</summary>
    public static string TokenEmbeddingName(SafetensorsCheckpoint ckpt, HuggingFaceConfig c)
    {
        string prefix = DetectPrefix(ckpt, c.ModelType);
        string name = prefix + (c.ModelType == "bert" ? "embeddings.word_embeddings.weight" : "wte.weight");
        Expect(ckpt, name, c.VocabSize, c.HiddenSize);
        return name;
    }

    /// <summary>Where the usual architectures keep their input token embeddings (any prefix before them is accepted).</summary>
    public static readonly string[] TokenEmbeddingNames =
    [
        "model.embed_tokens.weight", "embed_tokens.weight", "transformer.wte.weight", "wte.weight",
        "embeddings.word_embeddings.weight", "word_embeddings.weight", "model.decoder.embed_tokens.weight",
        "gpt_neox.embed_in.weight", "embed_in.weight", "transformer.word_embeddings.weight", "tok_embeddings.weight",
        "transformer.embedding.word_embeddings.weight", "token_embd.weight", "shared.weight", "embeddings.weight",
    ];

    /// <summary>
    /// The token-embedding matrix of any checkpoint: the first of <see cref="TokenEmbeddingNames"/> found (exactly, or
    /// after a prefix such as <c>language_model.</c>) that is 2-D with at least as many rows as the tokenizer has tokens.
    /// </summary>
    public static (string Name, int Rows, int Cols) FindTokenEmbeddings(SafetensorsCheckpoint ckpt, int tokenizerSize)
    {
        var all = ckpt.Tensors.ToList();
        foreach (string suffix in TokenEmbeddingNames)
            foreach (var t in all.Where(t => t.Name == suffix).Concat(all.Where(t => t.Name.EndsWith("." + suffix, StringComparison.Ordinal))))
                if (t.Shape.Length == 2 && t.Shape[0] >= tokenizerSize && t.Shape[0] <= int.MaxValue && t.Shape[1] <= int.MaxValue)
                    return (t.Name, (int)t.Shape[0], (int)t.Shape[1]);
        throw new SimileException($"the checkpoint in '{ckpt.Folder}' has no token-embedding matrix with at least {tokenizerSize} rows under the usual names ({string.Join(", ", TokenEmbeddingNames.Take(6))}, …)",
            "check that the folder holds the model's weights and its own tokenizer");
    }

    public static BertWeights LoadBert(SafetensorsCheckpoint ckpt, HuggingFaceConfig c)
    {
        string p = DetectPrefix(ckpt, "bert");
        int D = c.HiddenSize, I = c.IntermediateSize;
        var layers = new BertLayerWeights[c.Layers];
        for (int l = 0; l < c.Layers; l++)
        {
            string e = $"{p}encoder.layer.{l}.";
            layers[l] = new BertLayerWeights(
                Query: LinearOutByIn(ckpt, e + "attention.self.query", D, D),
                Key: LinearOutByIn(ckpt, e + "attention.self.key", D, D),
                Value: LinearOutByIn(ckpt, e + "attention.self.value", D, D),
                AttentionOutput: LinearOutByIn(ckpt, e + "attention.output.dense", D, D),
                AttentionNorm: Norm(ckpt, e + "attention.output.LayerNorm", D),
                Intermediate: LinearOutByIn(ckpt, e + "intermediate.dense", D, I),
                Output: LinearOutByIn(ckpt, e + "output.dense", I, D),
                OutputNorm: Norm(ckpt, e + "output.LayerNorm", D));
        }
        if (ckpt.Contains($"{p}encoder.layer.{c.Layers}.attention.self.query.weight"))
            throw new SimileException($"the checkpoint in '{ckpt.Folder}' has more encoder layers than num_hidden_layers = {c.Layers} in config.json",
                "use the config.json that belongs to these weights");
        return new BertWeights(D, c.Heads, c.MaxPositions, c.LayerNormEpsilon,
            WordEmbeddings: Expect(ckpt, p + "embeddings.word_embeddings.weight", c.VocabSize, D),
            PositionEmbeddings: Expect(ckpt, p + "embeddings.position_embeddings.weight", c.MaxPositions, D),
            TokenTypeEmbeddings: Expect(ckpt, p + "embeddings.token_type_embeddings.weight", c.TypeVocabSize, D),
            EmbeddingNorm: Norm(ckpt, p + "embeddings.LayerNorm", D),
            Layers: layers)
        {
            PaddingId = c.PaddingId,
            Architecture = c.ModelType switch { "roberta" => "RobertaModel", "xlm-roberta" => "XLMRobertaModel", _ => "BertModel" },
        };
    }

    public static Gpt2Weights LoadGpt2(SafetensorsCheckpoint ckpt, HuggingFaceConfig c)
    {
        string p = DetectPrefix(ckpt, "gpt2");
        int D = c.HiddenSize, I = c.IntermediateSize;
        var blocks = new Gpt2BlockWeights[c.Layers];
        for (int l = 0; l < c.Layers; l++)
        {
            string h = $"{p}h.{l}.";
            blocks[l] = new Gpt2BlockWeights(
                Norm1: Norm(ckpt, h + "ln_1", D),
                Attention: Conv1D(ckpt, h + "attn.c_attn", D, 3 * D),
                AttentionProjection: Conv1D(ckpt, h + "attn.c_proj", D, D),
                Norm2: Norm(ckpt, h + "ln_2", D),
                FeedForward: Conv1D(ckpt, h + "mlp.c_fc", D, I),
                FeedForwardProjection: Conv1D(ckpt, h + "mlp.c_proj", I, D));
        }
        if (ckpt.Contains($"{p}h.{c.Layers}.attn.c_attn.weight"))
            throw new SimileException($"the checkpoint in '{ckpt.Folder}' has more blocks than n_layer = {c.Layers} in config.json",
                "use the config.json that belongs to these weights");
        return new Gpt2Weights(D, c.Heads, c.MaxPositions, c.LayerNormEpsilon,
            TokenEmbeddings: Expect(ckpt, p + "wte.weight", c.VocabSize, D),
            PositionEmbeddings: Expect(ckpt, p + "wpe.weight", c.MaxPositions, D),
            Blocks: blocks,
            FinalNorm: Norm(ckpt, p + "ln_f", D));
    }

    /// <summary>PyTorch nn.Linear: weight [out × in], bias [out].</summary>
    private static Linear LinearOutByIn(SafetensorsCheckpoint ckpt, string name, int inDims, int outDims) =>
        new(Expect(ckpt, name + ".weight", outDims, inDims), Expect(ckpt, name + ".bias", outDims), inDims, outDims, OutByIn: true);

    /// <summary>GPT-2 Conv1D: weight [in × out], bias [out].</summary>
    private static Linear Conv1D(SafetensorsCheckpoint ckpt, string name, int inDims, int outDims) =>
        new(Expect(ckpt, name + ".weight", inDims, outDims), Expect(ckpt, name + ".bias", outDims), inDims, outDims, OutByIn: false);

    private static LayerNormWeights Norm(SafetensorsCheckpoint ckpt, string name, int d)
    {
        // Older BERT checkpoints name the LayerNorm parameters gamma/beta.
        if (!ckpt.Contains(name + ".weight") && ckpt.Contains(name + ".gamma"))
            return new(Expect(ckpt, name + ".gamma", d), Expect(ckpt, name + ".beta", d));
        return new(Expect(ckpt, name + ".weight", d), Expect(ckpt, name + ".bias", d));
    }

    /// <summary>The tensor as float32 after checking it exists with exactly the shape config.json implies.</summary>
    public static ReadOnlyMemory<float> Expect(SafetensorsCheckpoint ckpt, string name, params int[] shape)
    {
        string expected = "[" + string.Join(", ", shape) + "]";
        if (!ckpt.Contains(name))
            throw new SimileException($"tensor '{name}' (expected shape {expected}) is missing from the checkpoint in '{ckpt.Folder}'",
                "check that the weights and config.json belong to the same model");
        var info = ckpt.Info(name);
        if (info.Shape.Length != shape.Length || !info.Shape.Zip(shape).All(z => z.First == z.Second))
            throw new SimileException($"tensor '{name}' has shape {info.ShapeText}, but config.json implies {expected}",
                "check that the weights and config.json belong to the same model");
        return ckpt.ReadFloat32(name);
    }
}
