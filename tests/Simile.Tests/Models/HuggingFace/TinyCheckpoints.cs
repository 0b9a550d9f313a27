using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Simile.Models.HuggingFace;

namespace Simile.Tests.Models.HuggingFace;

/// <summary>A tensor to write: values are quantised to the dtype when written, in place, so references see stored values.</summary>
internal sealed record TestTensor(string Name, SafetensorsDType DType, int[] Shape, float[] Values);

/// <summary>A minimal safetensors writer for tests (header padded with spaces to a multiple of 8, as the format allows).</summary>
internal static class SafetensorsWriter
{
    public static byte[] Serialize(IReadOnlyList<TestTensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var header = new Dictionary<string, object>();
        if (metadata is not null) header["__metadata__"] = metadata;
        long offset = 0;
        var data = new MemoryStream();
        foreach (var t in tensors)
        {
            byte[] bytes = Encode(t);
            header[t.Name] = new Dictionary<string, object>
            {
                ["dtype"] = t.DType.ToString(),
                ["shape"] = t.Shape,
                ["data_offsets"] = new[] { offset, offset + bytes.Length },
            };
            data.Write(bytes);
            offset += bytes.Length;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        var result = new byte[8 + padded + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)padded);
        json.CopyTo(result, 8);
        for (int i = 8 + json.Length; i < 8 + padded; i++) result[i] = (byte)' ';
        data.ToArray().CopyTo(result, 8 + padded);
        return result;
    }

    public static void Write(string path, IReadOnlyList<TestTensor> tensors) => File.WriteAllBytes(path, Serialize(tensors));

    private static byte[] Encode(TestTensor t)
    {
        var v = t.Values;
        switch (t.DType)
        {
            case SafetensorsDType.F32:
            {
                var b = new byte[v.Length * 4];
                for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), v[i]);
                return b;
            }
            case SafetensorsDType.F16:
            {
                var b = new byte[v.Length * 2];
                for (int i = 0; i < v.Length; i++)
                {
                    Half h = (Half)v[i];
                    BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(2 * i), h);
                    v[i] = (float)h;
                }
                return b;
            }
            default:
            {
                var b = new byte[v.Length * 2];
                for (int i = 0; i < v.Length; i++)
                {
                    uint bits = BitConverter.SingleToUInt32Bits(v[i]);
                    uint rounded = (bits + 0x7FFF + ((bits >> 16) & 1)) >> 16;   // round to nearest even
                    BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2 * i), (ushort)rounded);
                    v[i] = BitConverter.UInt32BitsToSingle(rounded << 16);
                }
                return b;
            }
        }
    }
}

/// <summary>A temporary folder deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "simile-test-" + Guid.NewGuid().ToString("N")[..12]);
    public TempFolder() => Directory.CreateDirectory(Path);
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}

/// <summary>Tiny random BERT and GPT-2 checkpoints in Hugging Face layout, with the weights kept for the reference passes.</summary>
internal sealed class TinyModel
{
    public required string ModelType { get; init; }
    public required int D, H, I, L, V, P;
    public int Types { get; init; } = 2;
    public double Eps { get; init; } = 1e-12;
    public Dictionary<string, float[]> W { get; } = new(StringComparer.Ordinal);
    public List<TestTensor> Tensors { get; } = new();

    public const string BertPrefix = "bert.";

    public static readonly string[] BertVocab =
    [
        "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", "ran", "galaxy", "star",
        "##s", "##ed", "ban", "##ana", "cafe", ".", ",", "!", "big", "small", "red", "blue", "run", "##ning", "is", "was", "it",
    ];

    /// <summary>A random BERT (prefix "bert.") with the given dtype for all weights.</summary>
    public static TinyModel Bert(int seed, SafetensorsDType dtype = SafetensorsDType.F32, int layers = 2)
    {
        var m = new TinyModel { ModelType = "bert", D = 16, H = 4, I = 24, L = layers, V = BertVocab.Length, P = 24 };
        var rng = new Random(seed);
        string p = BertPrefix;
        m.Add(rng, dtype, p + "embeddings.word_embeddings.weight", 0.5, 0, m.V, m.D);
        m.Add(rng, dtype, p + "embeddings.position_embeddings.weight", 0.5, 0, m.P, m.D);
        m.Add(rng, dtype, p + "embeddings.token_type_embeddings.weight", 0.5, 0, m.Types, m.D);
        m.Add(rng, dtype, p + "embeddings.LayerNorm.weight", 0.2, 1, m.D);
        m.Add(rng, dtype, p + "embeddings.LayerNorm.bias", 0.2, 0, m.D);
        for (int l = 0; l < m.L; l++)
        {
            string e = $"{p}encoder.layer.{l}.";
            foreach (var n in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
            {
                m.Add(rng, dtype, e + n + ".weight", 0.4, 0, m.D, m.D);
                m.Add(rng, dtype, e + n + ".bias", 0.1, 0, m.D);
            }
            m.Add(rng, dtype, e + "attention.output.LayerNorm.weight", 0.2, 1, m.D);
            m.Add(rng, dtype, e + "attention.output.LayerNorm.bias", 0.2, 0, m.D);
            m.Add(rng, dtype, e + "intermediate.dense.weight", 0.4, 0, m.I, m.D);
            m.Add(rng, dtype, e + "intermediate.dense.bias", 0.1, 0, m.I);
            m.Add(rng, dtype, e + "output.dense.weight", 0.3, 0, m.D, m.I);
            m.Add(rng, dtype, e + "output.dense.bias", 0.1, 0, m.D);
            m.Add(rng, dtype, e + "output.LayerNorm.weight", 0.2, 1, m.D);
            m.Add(rng, dtype, e + "output.LayerNorm.bias", 0.2, 0, m.D);
        }
        return m;
    }

    /// <summary>The GPT-2 byte-level alphabet: byte b ↦ its printable stand-in character.</summary>
    public static char[] ByteToUnicode()
    {
        var keep = new List<int>();
        for (int b = '!'; b <= '~'; b++) keep.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) keep.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) keep.Add(b);
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) map[b] = keep.Contains(b) ? (char)b : (char)(256 + next++);
        return map;
    }

    public static readonly string[] Gpt2Merges = ["Ġ t", "h e", "Ġt he", "Ġ c", "a t", "Ġc at", "Ġ s", "Ġs at", "Ġ g", "Ġg a", "l a", "Ġga la", "x y", "Ġgala xy"];

    /// <summary>256 byte tokens, the merges' results, then &lt;|endoftext|&gt;.</summary>
    public static List<string> Gpt2Vocab()
    {
        var vocab = ByteToUnicode().Select(c => c.ToString()).ToList();
        foreach (var m in Gpt2Merges) vocab.Add(m.Replace(" ", ""));
        vocab.Add("<|endoftext|>");
        return vocab;
    }

    public static TinyModel Gpt2(int seed, SafetensorsDType dtype = SafetensorsDType.F32, string prefix = "transformer.")
    {
        var m = new TinyModel { ModelType = "gpt2", D = 16, H = 4, I = 64, L = 2, V = Gpt2Vocab().Count, P = 24, Types = 0, Eps = 1e-5 };
        var rng = new Random(seed);
        string p = prefix;
        m.Add(rng, dtype, p + "wte.weight", 0.5, 0, m.V, m.D);
        m.Add(rng, dtype, p + "wpe.weight", 0.3, 0, m.P, m.D);
        for (int l = 0; l < m.L; l++)
        {
            string h = $"{p}h.{l}.";
            m.Add(rng, dtype, h + "ln_1.weight", 0.2, 1, m.D);
            m.Add(rng, dtype, h + "ln_1.bias", 0.2, 0, m.D);
            m.Add(rng, dtype, h + "attn.c_attn.weight", 0.4, 0, m.D, 3 * m.D);
            m.Add(rng, dtype, h + "attn.c_attn.bias", 0.1, 0, 3 * m.D);
            m.Add(rng, dtype, h + "attn.c_proj.weight", 0.3, 0, m.D, m.D);
            m.Add(rng, dtype, h + "attn.c_proj.bias", 0.1, 0, m.D);
            m.Add(rng, dtype, h + "ln_2.weight", 0.2, 1, m.D);
            m.Add(rng, dtype, h + "ln_2.bias", 0.2, 0, m.D);
            m.Add(rng, dtype, h + "mlp.c_fc.weight", 0.4, 0, m.D, m.I);
            m.Add(rng, dtype, h + "mlp.c_fc.bias", 0.1, 0, m.I);
            m.Add(rng, dtype, h + "mlp.c_proj.weight", 0.2, 0, m.I, m.D);
            m.Add(rng, dtype, h + "mlp.c_proj.bias", 0.1, 0, m.D);
        }
        m.Add(rng, dtype, p + "ln_f.weight", 0.2, 1, m.D);
        m.Add(rng, dtype, p + "ln_f.bias", 0.2, 0, m.D);
        return m;
    }

    private void Add(Random rng, SafetensorsDType dtype, string name, double scale, double center, params int[] shape)
    {
        int n = shape.Aggregate(1, (a, b) => a * b);
        var v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float)(center + scale * Gaussian(rng));
        W[name] = v;   // the same array: the writer quantises it in place for F16/BF16
        Tensors.Add(new TestTensor(name, dtype, shape, v));
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    public string ConfigJson() => ModelType == "bert"
        ? JsonSerializer.Serialize(new
        {
            model_type = "bert", architectures = new[] { "BertModel" }, hidden_size = D, num_hidden_layers = L, num_attention_heads = H,
            intermediate_size = I, max_position_embeddings = P, type_vocab_size = Types, vocab_size = V, layer_norm_eps = Eps,
            hidden_act = "gelu", position_embedding_type = "absolute",
        })
        : JsonSerializer.Serialize(new
        {
            model_type = "gpt2", n_embd = D, n_layer = L, n_head = H, n_positions = P, n_ctx = P, vocab_size = V,
            layer_norm_epsilon = Eps, activation_function = "gelu_new", n_inner = I,
        });

    /// <summary>Writes config.json, tokenizer files and weights (single file, or <paramref name="shards"/> shards + index).</summary>
    public void WriteFolder(string folder, int shards = 1, bool tokenizerJsonOnly = false)
    {
        File.WriteAllText(Path.Combine(folder, "config.json"), ConfigJson());
        if (ModelType == "bert")
        {
            if (tokenizerJsonOnly)
                File.WriteAllText(Path.Combine(folder, "tokenizer.json"), JsonSerializer.Serialize(new
                {
                    version = "1.0",
                    normalizer = new { type = "BertNormalizer", lowercase = true },
                    model = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##",
                                  vocab = BertVocab.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i) },
                }));
            else
                File.WriteAllLines(Path.Combine(folder, "vocab.txt"), BertVocab);
        }
        else
        {
            var vocab = Gpt2Vocab().Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
            if (tokenizerJsonOnly)
                File.WriteAllText(Path.Combine(folder, "tokenizer.json"), JsonSerializer.Serialize(new
                {
                    version = "1.0",
                    pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true },
                    model = new { type = "BPE", vocab, merges = Gpt2Merges },
                }));
            else
            {
                File.WriteAllText(Path.Combine(folder, "vocab.json"), JsonSerializer.Serialize(vocab));
                File.WriteAllLines(Path.Combine(folder, "merges.txt"), ["#version: 0.2", .. Gpt2Merges]);
            }
        }
        if (shards <= 1)
        {
            SafetensorsWriter.Write(Path.Combine(folder, "model.safetensors"), Tensors);
            return;
        }
        var map = new Dictionary<string, string>();
        int per = (Tensors.Count + shards - 1) / shards;
        for (int s = 0; s < shards; s++)
        {
            string file = $"model-{s + 1:D5}-of-{shards:D5}.safetensors";
            var part = Tensors.Skip(s * per).Take(per).ToList();
            SafetensorsWriter.Write(Path.Combine(folder, file), part);
            foreach (var t in part) map[t.Name] = file;
        }
        File.WriteAllText(Path.Combine(folder, "model.safetensors.index.json"),
            JsonSerializer.Serialize(new { metadata = new { total_size = 0 }, weight_map = map }));
    }
}
