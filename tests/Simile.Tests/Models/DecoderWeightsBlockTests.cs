using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Tests.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models;

/// <summary>
/// <see cref="IDecoderWeights.ReadBlock"/> of every weight source, on files the real tools wrote (the converter's GGUF
/// files, transformers' safetensors) and on k-quant blocks: each block equals the same rows and columns of the whole
/// tensor as <see cref="IDecoderWeights.Read"/> hands it out (HF names, HF row order: llama.cpp's q/k permutation,
/// GPT-NeoX's regrouped q/k/v and merged expert tensors undone), for single rows, the last row, middle ranges, and
/// column ranges on the storage's block boundaries; misaligned or outside blocks are refused.
/// </summary>
public class DecoderWeightsBlockTests
{
    private static readonly string Modern = Path.Combine(TestPaths.Reference, "modern");

    /// <summary>Compares blocks against the whole read; returns the number of blocks compared.</summary>
    private static int AssertBlocksMatchTheWholeTensor(IDecoderWeights w, string name, int blockSize)
    {
        var shape = w.Shape(name);
        Assert.Equal(2, shape.Count);
        int rows = (int)shape[0], cols = (int)shape[1];
        var whole = new float[rows * cols];
        w.Read(name, whole);
        var rowRanges = new List<(int, int)> { (0, rows), (0, 1), (rows - 1, 1), (rows / 3, Math.Max(1, rows / 2)), (rows, 0) };
        var colRanges = new List<(int, int)> { (0, cols) };
        if (cols >= 2 * blockSize)
        {
            colRanges.Add((0, blockSize));
            colRanges.Add((blockSize, cols - blockSize));
            colRanges.Add((cols / blockSize / 2 * blockSize, blockSize));
        }
        int compared = 0;
        foreach (var (r0, nr) in rowRanges)
            foreach (var (c0, nc) in colRanges)
            {
                var got = new float[nr * nc];
                w.ReadBlock(name, r0, nr, c0, nc, got);
                for (int r = 0; r < nr; r++)
                    for (int c = 0; c < nc; c++)
                        Assert.True(whole[(r0 + r) * cols + c0 + c] == got[r * nc + c],
                            $"{name} [{r0 + r}, {c0 + c}]: block {got[r * nc + c]}, whole {whole[(r0 + r) * cols + c0 + c]}");
                compared++;
            }
        return compared;
    }

    [Theory]
    [InlineData("llama-tiny")]          // BF16
    [InlineData("gemma3-tiny")]         // F32
    [InlineData("qwen3-moe-tiny")]
    public void Safetensors_blocks_equal_the_whole_tensor(string folder)
    {
        string path = Path.Combine(Modern, folder);
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var w = new SafetensorsDecoderWeights(ckpt, HuggingFaceConfig.Load(path).Decoder!);
        int tensors = 0;
        foreach (var t in ckpt.Tensors.Where(t => t.Shape.Length == 2 && t.Name.StartsWith("model.", StringComparison.Ordinal)))
        {
            AssertBlocksMatchTheWholeTensor(w, t.Name, 1);
            tensors++;
        }
        Assert.True(tensors >= 8, $"{tensors} matrices");
    }

    [Theory]
    [InlineData("llama-tiny-gguf/llama-tiny-F32.gguf")]             // q/k rows permuted by the converter
    [InlineData("llama-tiny-gguf/llama-tiny-Q8_0-embd.gguf")]        // Q8_0 token embeddings: blocks of 32
    [InlineData("gemma3-tiny-gguf/gemma3-tiny-F32.gguf")]
    [InlineData("phi3-tiny-gguf/phi3-tiny-F32.gguf")]               // fused qkv_proj and gate_up_proj
    public void Gguf_blocks_equal_the_whole_tensor(string file)
    {
        using var w = GgufDecoderWeights.Open(Path.Combine(Modern, file));
        int tensors = 0;
        foreach (string name in w.Names.Where(n => w.Shape(n).Count == 2))
        {
            AssertBlocksMatchTheWholeTensor(w, name, GgmlTypes.BlockSize(w.Tensor(name).Type));
            tensors++;
        }
        Assert.True(tensors >= 8, $"{tensors} matrices");
    }

    [Theory]
    [InlineData("qwen3-moe-tiny-F32.gguf")]
    [InlineData("mixtral-tiny-F32.gguf")]
    public void Gguf_expert_blocks_equal_the_experts_rows_of_the_merged_tensor(string file)
    {
        using var w = GgufDecoderWeights.Open(Path.Combine(Modern, file));
        var c = w.Config;
        Assert.True(c.Experts > 1);
        int compared = 0;
        for (int l = 0; l < c.Layers; l++)
        {
            if (!c.IsSparseLayer(l)) continue;
            foreach (int e in new[] { 0, c.Experts - 1 })
            {
                var (gate, up, down) = MixtureOfExperts.ExpertNames(c, l, e);
                foreach (var name in new[] { gate, up, down }) compared += AssertBlocksMatchTheWholeTensor(w, name, 1);
            }
        }
        Assert.True(compared > 0);
    }

    [Fact]
    public void Gguf_gptneox_blocks_of_the_fused_qkv_are_in_hf_row_order()
    {
        using var w = GgufGptNeoXWeights.Open(Path.Combine(Modern, "pythia-tiny-step1000-F32.gguf"));
        for (int l = 0; l < w.Config.Layers; l++)
            foreach (var part in new[] { "attention.query_key_value.weight", "attention.dense.weight", "mlp.dense_h_to_4h.weight", "mlp.dense_4h_to_h.weight" })
                AssertBlocksMatchTheWholeTensor(w, GptNeoXModel.LayerPrefix(l) + part, 1);
    }

    [Fact]
    public void K_quant_blocks_are_read_in_whole_256_value_blocks()
    {
        using var tmp = new TempFolder();
        var (path, projections) = QuantizedLlamaGguf.Write(tmp, "q4km.gguf", new(D: 256, H: 4, KV: 2, Hd: 64, I: 768, V: 12, L: 1),
            (gguf, _) => gguf is "attn_v" or "ffn_down" ? GgmlType.Q6_K : GgmlType.Q4_K,
            (type, values) => type == GgmlType.Q6_K ? KQuantize.Q6_K(values) : KQuantize.Q4_K(values));
        using var w = GgufDecoderWeights.Open(path);
        foreach (var name in projections.Keys) AssertBlocksMatchTheWholeTensor(w, name, 256);

        // not on a block boundary, outside the tensor, or a destination of the wrong size: refused
        string down = "model.layers.0.mlp.down_proj.weight";                  // [256 × 768], Q6_K
        Assert.Throws<ArgumentException>(() => w.ReadBlock(down, 0, 1, 128, 256, new float[256]));
        Assert.Throws<ArgumentException>(() => w.ReadBlock(down, 0, 1, 0, 300, new float[300]));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ReadBlock(down, 255, 2, 0, 256, new float[512]));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ReadBlock(down, 0, 1, 512, 512, new float[512]));
        Assert.Throws<ArgumentException>(() => w.ReadBlock(down, 0, 1, 0, 256, new float[255]));
    }

    [Fact]
    public void Safetensors_blocks_outside_the_tensor_are_refused()
    {
        string path = Path.Combine(Modern, "llama-tiny");
        using var ckpt = SafetensorsCheckpoint.Open(path);
        using var w = new SafetensorsDecoderWeights(ckpt, HuggingFaceConfig.Load(path).Decoder!);
        string name = "model.layers.0.mlp.down_proj.weight";
        var shape = w.Shape(name);
        int rows = (int)shape[0], cols = (int)shape[1];
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ReadBlock(name, rows - 1, 2, 0, 1, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ReadBlock(name, 0, 1, cols - 1, 2, new float[2]));
        Assert.Throws<ArgumentOutOfRangeException>(() => w.ReadBlock(name, -1, 1, 0, 1, new float[1]));
        Assert.Throws<ArgumentException>(() => w.ReadBlock(name, 0, 2, 0, 3, new float[5]));
        Assert.Throws<ArgumentException>(() => w.ReadBlock("model.norm.weight", 0, 1, 0, 1, new float[1]));   // 1-D
    }
}
