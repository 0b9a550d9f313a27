using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>The metadata of gptneox files and of mixture-of-experts files checked at load: one line per problem.</summary>
public class GgufFamilyConfigTests
{
    private static GgufWriter NeoX(Action<GgufWriter>? change = null, params string[] skip)
    {
        var w = new GgufWriter().String("general.architecture", "gptneox");
        void U32(string k, uint v) { if (!skip.Contains(k)) w.U32("gptneox." + k, v); }
        U32("embedding_length", 32);
        U32("block_count", 1);
        U32("feed_forward_length", 64);
        U32("attention.head_count", 2);
        U32("rope.dimension_count", 4);
        if (!skip.Contains("use_parallel_residual")) w.Bool("gptneox.use_parallel_residual", true);
        if (!skip.Contains("attention.layer_norm_epsilon")) w.F32("gptneox.attention.layer_norm_epsilon", 1e-5f);
        change?.Invoke(w);
        return w.TensorF32("token_embd.weight", [32, 3], new float[96]);
    }

    private static string Refusal(GgufWriter w)
    {
        using var tmp = new TempFolder();
        string path = tmp.File("m.gguf");
        File.WriteAllBytes(path, w.ToBytes());
        var e = Assert.Throws<SimileException>(() => GgufGptNeoXWeights.Open(path).Dispose());
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    [Fact]
    public void AGptNeoXFileStatesWhatLlamaCppRequires()
    {
        Assert.Contains("use_parallel_residual", Refusal(NeoX(null, "use_parallel_residual")));
        Assert.Contains("layer_norm_epsilon", Refusal(NeoX(null, "attention.layer_norm_epsilon")));
        Assert.Contains("rope.dimension_count", Refusal(NeoX(null, "rope.dimension_count")));
        Assert.Contains("not a multiple of 3 heads", Refusal(NeoX(w => w.U32("gptneox.attention.head_count", 3), "attention.head_count")));
        Assert.Contains("rope dimension count 5", Refusal(NeoX(w => w.U32("gptneox.rope.dimension_count", 5), "rope.dimension_count")));
        Assert.Contains("rope dimension count 18", Refusal(NeoX(w => w.U32("gptneox.rope.dimension_count", 18), "rope.dimension_count")));
    }

    [Fact]
    public void AMixtureOfExpertsFileCannotRouteToMoreExpertsThanItHas()
    {
        // The tiny Mixtral GGUF of the reference set with expert_used_count raised above expert_count.
        string src = Path.Combine(TestPaths.Reference, "modern", "mixtral-tiny-F32.gguf");
        var bytes = File.ReadAllBytes(src);
        var key = System.Text.Encoding.ASCII.GetBytes("llama.expert_used_count");
        int at = bytes.AsSpan().IndexOf(key);
        Assert.True(at > 0);
        int value = at + key.Length + 4;                                    // after the key: u32 type, then the value
        Assert.Equal(2u, BitConverter.ToUInt32(bytes, value));
        BitConverter.GetBytes(9u).CopyTo(bytes, value);
        using var tmp = new TempFolder();
        string path = tmp.File("m.gguf");
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<SimileException>(() => GgufDecoderWeights.Open(path).Dispose());
        Assert.Contains("9 experts per token is more than the 4 experts", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
