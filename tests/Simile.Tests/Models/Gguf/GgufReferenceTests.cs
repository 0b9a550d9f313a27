using System.Text.Json;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// The two GGUF files of tests/reference/modern (written by llama.cpp's converter) against
/// llama-tiny-gguf-expected.json: header, metadata, tensor table, the exact dequantized token_embd rows and sums,
/// the configuration, the tokenizer, and the q/k permutation undone back to the Hugging Face safetensors values.
/// </summary>
public class GgufReferenceTests
{
    private static readonly string Folder = Path.Combine(TestPaths.Reference, "modern");
    private static string FilePath(string name) => Path.Combine(Folder, "llama-tiny-gguf", name);

    private static JsonElement Variant(string name)
    {
        var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "llama-tiny-gguf-expected.json")));
        return doc.RootElement.GetProperty("variants").GetProperty(name);
    }

    public static TheoryData<string> Files => new() { "llama-tiny-F32.gguf", "llama-tiny-Q8_0-embd.gguf" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Header_metadata_and_tensor_table_match(string name)
    {
        var v = Variant(name);
        using var f = GgufFile.Open(FilePath(name));
        Assert.Equal(v.GetProperty("gguf_version").GetInt32(), f.Version);
        Assert.Equal(v.GetProperty("data_offset").GetInt64(), f.DataOffset);
        Assert.Equal(v.GetProperty("size_bytes").GetInt64(), f.FileLength);

        var meta = v.GetProperty("metadata");
        Assert.Equal(meta.EnumerateObject().Select(p => p.Name), f.Keys);
        foreach (var p in meta.EnumerateObject())
        {
            var got = f.Metadata[p.Name];
            string type = p.Value.GetProperty("type").GetString()!;
            if (type.StartsWith("ARRAY[", StringComparison.Ordinal))
            {
                int n = int.Parse(type["ARRAY[".Length..^1]);
                Assert.Equal(n, got.Count);
                var arr = ((System.Collections.IList)got.Value).Cast<object>().ToList();
                var first = p.Value.GetProperty("first").EnumerateArray().ToList();
                var last = p.Value.GetProperty("last").EnumerateArray().ToList();
                for (int i = 0; i < first.Count; i++) Assert.Equal(Json(first[i]), Convert.ToString(arr[i], System.Globalization.CultureInfo.InvariantCulture));
                for (int i = 0; i < last.Count; i++) Assert.Equal(Json(last[i]), Convert.ToString(arr[n - last.Count + i], System.Globalization.CultureInfo.InvariantCulture));
                continue;
            }
            Assert.Equal(type, got.TypeText);
            var want = p.Value.GetProperty("value");
            switch (want.ValueKind)
            {
                case JsonValueKind.String: Assert.Equal(want.GetString(), got.Value); break;
                case JsonValueKind.True or JsonValueKind.False: Assert.Equal(want.GetBoolean(), got.Value); break;
                default:
                    if (got.Value is float fl) Assert.Equal(want.GetDouble(), (double)fl);
                    else Assert.Equal(want.GetInt64(), f.GetInteger(p.Name));
                    break;
            }
        }

        var tensors = v.GetProperty("tensors").EnumerateArray().ToList();
        Assert.Equal(tensors.Count, f.Tensors.Count);
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = f.Tensors[i];
            Assert.Equal(tensors[i].GetProperty("name").GetString(), t.Name);
            Assert.Equal(tensors[i].GetProperty("type").GetString(), t.TypeName);
            Assert.Equal(tensors[i].GetProperty("ggml_type").GetUInt32(), (uint)t.Type);
            Assert.Equal(tensors[i].GetProperty("dims").EnumerateArray().Select(d => d.GetInt64()), t.Dims);
            Assert.Equal(tensors[i].GetProperty("offset").GetInt64(), t.Offset);
            Assert.Equal(tensors[i].GetProperty("nbytes").GetInt64(), t.ByteSize);
        }
    }

    private static string Json(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    [Theory]
    [MemberData(nameof(Files))]
    public void Token_embedding_rows_are_exact_and_the_sums_match(string name)
    {
        var te = Variant(name).GetProperty("token_embd");
        using var f = GgufFile.Open(FilePath(name));
        var t = f.Tensor("token_embd.weight");
        Assert.Equal(te.GetProperty("type").GetString(), t.TypeName);
        foreach (var row in te.GetProperty("rows").EnumerateObject())
        {
            int id = int.Parse(row.Name);
            var want = row.Value.EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
            var got = new float[t.RowLength];
            f.DequantizeRows(t, [id], got);
            Assert.Equal(want.Select(BitConverter.SingleToInt32Bits), got.Select(BitConverter.SingleToInt32Bits));
        }
        var all = new float[t.ElementCount];
        f.Dequantize(t, all);
        double sum = 0, sumSq = 0, sumAbs = 0;
        foreach (float x in all) { sum += x; sumSq += (double)x * x; sumAbs += Math.Abs(x); }
        Assert.Equal(te.GetProperty("sum").GetDouble(), sum, 1e-9);
        Assert.Equal(te.GetProperty("sum_sq").GetDouble(), sumSq, 1e-8);
        Assert.Equal(te.GetProperty("sum_abs").GetDouble(), sumAbs, 1e-8);
    }

    [Fact]
    public void The_first_Q8_0_block_is_what_the_reference_quantizer_makes_of_the_F32_row()
    {
        var block = Variant("llama-tiny-Q8_0-embd.gguf").GetProperty("token_embd").GetProperty("first_block_of_row");
        int row = block.GetProperty("row").GetInt32();
        using var f32 = GgufFile.Open(FilePath("llama-tiny-F32.gguf"));
        var x = new float[64];
        f32.DequantizeRows(f32.Tensor("token_embd.weight"), [row], x);
        var q = RefQuant.Q8_0(x[..32]);
        Assert.Equal(block.GetProperty("d_fp16_bits").GetInt32(), BitConverter.ToUInt16(q, 0));
        Assert.Equal(block.GetProperty("qs").EnumerateArray().Select(e => e.GetInt32()), q[2..34].Select(b => (int)(sbyte)b));
        using var q8 = GgufFile.Open(FilePath("llama-tiny-Q8_0-embd.gguf"));
        var t = q8.Tensor("token_embd.weight");
        Assert.Equal(q, q8.RowBytes(t, row, 1)[..34].ToArray());
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Config_comes_from_the_metadata(string name)
    {
        var c = Variant(name).GetProperty("config_from_file");
        using var w = GgufDecoderWeights.Open(FilePath(name));
        var cfg = w.Config;
        Assert.Equal("LlamaForCausalLM", cfg.Architecture);
        Assert.Equal(Simile.Engine.DecoderFamily.Llama, cfg.Family);
        Assert.Equal(c.GetProperty("hidden").GetInt32(), cfg.Hidden);
        Assert.Equal(c.GetProperty("layers").GetInt32(), cfg.Layers);
        Assert.Equal(c.GetProperty("heads").GetInt32(), cfg.Heads);
        Assert.Equal(c.GetProperty("kv_heads").GetInt32(), cfg.KeyValueHeads);
        Assert.Equal(c.GetProperty("inter").GetInt32(), cfg.Intermediate);
        Assert.Equal(c.GetProperty("eps").GetDouble(), cfg.RmsNormEpsilon);
        Assert.Equal(c.GetProperty("theta").GetDouble(), cfg.RopeTheta);
        Assert.Equal(c.GetProperty("max_pos").GetInt32(), cfg.MaxPositions);
        Assert.Equal(c.GetProperty("tie").GetBoolean(), cfg.TiedEmbeddings);
        Assert.Equal(c.GetProperty("qkv_bias").GetBoolean(), cfg.AttentionBias);
        Assert.Equal(16, cfg.HeadDim);
        Assert.Equal(287, cfg.VocabularySize);
        Assert.Null(cfg.RopeScaling);
        Assert.False(cfg.QueryKeyNorm);
        Assert.Equal(name.Contains("Q8_0") ? "Q8_0" : "F32", w.StorageType("model.embed_tokens.weight"));
    }

    [Fact]
    public void Weights_under_HF_names_equal_the_safetensors_checkpoint_with_q_and_k_unpermuted()
    {
        using var w = GgufDecoderWeights.Open(FilePath("llama-tiny-F32.gguf"));
        using var st = SafetensorsCheckpoint.Open(Path.Combine(Folder, "llama-tiny"));
        int compared = 0;
        foreach (string hf in w.Names)
        {
            var shape = w.Shape(hf);
            var got = new float[shape.Aggregate(1L, (a, b) => a * b)];
            w.Read(hf, got);
            var want = st.ReadFloat32(hf).ToArray();
            Assert.Equal(want.Length, got.Length);
            Assert.True(want.AsSpan().SequenceEqual(got), $"{hf} differs from the safetensors value");
            compared++;
        }
        Assert.Equal(30, compared);
        // Selected rows of a permuted tensor agree with the whole-tensor read.
        var q = new float[64 * 64];
        w.Read("model.layers.1.self_attn.q_proj.weight", q);
        var rows = new float[3 * 64];
        w.ReadRows("model.layers.1.self_attn.q_proj.weight", [5, 17, 63], rows);
        Assert.Equal(q.AsSpan(5 * 64, 64).ToArray(), rows[..64]);
        Assert.Equal(q.AsSpan(17 * 64, 64).ToArray(), rows[64..128]);
        Assert.Equal(q.AsSpan(63 * 64, 64).ToArray(), rows[128..]);
    }

    [Fact]
    public void Tokenizer_data_and_word_tokens_match_the_reference_ids()
    {
        using var f = GgufFile.Open(FilePath("llama-tiny-Q8_0-embd.gguf"));
        var t = GgufTokenizerData.Read(f);
        Assert.Equal("gpt2", t.Model);
        Assert.Equal("byte-level-bpe", t.Kind);
        Assert.Equal("llama-bpe", t.Pre);
        Assert.Equal(287, t.Tokens.Count);
        Assert.Equal(29, t.Merges!.Count);
        Assert.Equal(285, t.BosId);
        Assert.Equal(286, t.EosId);
        Assert.True(t.AddBos);
        Assert.Equal(3, t.TokenTypes![285]);

        using var model = GgufModel.OpenEmbeddings(FilePath("llama-tiny-Q8_0-embd.gguf"));
        var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Folder, "llama-tiny-gguf-expected.json")));
        var inputs = doc.RootElement.GetProperty("variants").GetProperty("llama-tiny-Q8_0-embd.gguf").GetProperty("inputs");
        int words = 0;
        foreach (var input in inputs.EnumerateArray())
        {
            string text = input.GetProperty("text").GetString()!;
            if (!text.StartsWith(' ') || text.Trim().Contains(' ')) continue;   // words alone have their leading space
            var ids = input.GetProperty("ids").EnumerateArray().Select(x => x.GetInt32()).ToList();
            Assert.Equal(285, ids[0]);                        // BOS, never part of a word
            var wt = model.Tokenize(text.Trim());
            Assert.Equal(ids.Skip(1), wt.Ids);
            words++;
        }
        Assert.True(words >= 5);
    }

    [Fact]
    public void Token_vectors_of_a_gguf_model_are_the_exact_rows()
    {
        using var model = ModelCatalogue.Resolve(FilePath("llama-tiny-Q8_0-embd.gguf"));
        Assert.Equal((287, 64), model.Shape);
        Assert.Equal("llama", model.Info.Architecture);
        var set = model.Vectors(["galaxy", "comet"], SubwordPolicy.Error);
        var rows = Variant("llama-tiny-Q8_0-embd.gguf").GetProperty("token_embd").GetProperty("rows");
        var galaxy = rows.GetProperty("261").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        var comet = rows.GetProperty("280").EnumerateArray().Select(x => x.GetDouble()).ToArray();
        Assert.Equal(galaxy, set.Vectors.Row(0).ToArray());
        Assert.Equal(comet, set.Vectors.Row(1).ToArray());
    }

    [Fact]
    public void Inspect_names_every_tensor_with_its_type_and_shape()
    {
        string text = ModelCatalogue.Describe(FilePath("llama-tiny-Q8_0-embd.gguf"));
        Assert.Contains("GGUF v3", text);
        Assert.Contains("LlamaForCausalLM", text);
        Assert.Contains("byte-level-bpe", text);
        Assert.Contains("287 tokens", text);
        Assert.Matches(@"token_embd\.weight\s+Q8_0\s+\[287, 64\]", text);
        Assert.Matches(@"blk\.2\.ffn_down\.weight\s+F32\s+\[64, 160\]", text);
    }
}
