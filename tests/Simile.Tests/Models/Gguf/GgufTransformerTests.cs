using System.Security.Cryptography;
using System.Text.Json;
using Simile.Data;
using Simile.Engine;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Models.Tokenization;
using Simile.Tests.Cli;
using Simile.Tests.Engine;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Every layer of GGUF files: the two reference files of llama-tiny against their float64 hidden states (library and
/// CLI), the same model as BF16 safetensors, a SentencePiece ("llama") tokenizer with hand-derived ids, a Q8_0 + Q4_K
/// checkpoint against the naive float64 pass on its dequantized weights, an ollama: name, and rsa across families.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class GgufTransformerTests
{
    private const double Tolerance = 1e-4;
    private static string Dir => Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf");
    private static string HfFolder => Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
    private static JsonDocument Expected() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf-expected.json")));

    private static double[][] Rows(JsonElement e) => HiddenStateReference.Rows(e);

    private static double MaxDiff(float[] actual, double[][] expected) => HiddenStateReference.MaxDiff(actual, expected);

    public static TheoryData<string> Files => new() { "llama-tiny-F32.gguf", "llama-tiny-Q8_0-embd.gguf" };

    [Theory]
    [MemberData(nameof(Files))]
    public void Reference_files_reproduce_ids_and_every_hidden_state(string file)
    {
        using var doc = Expected();
        var inputs = doc.RootElement.GetProperty("variants").GetProperty(file).GetProperty("inputs").EnumerateArray().ToList();
        using var model = ModelCatalogue.ResolveTransformer(Path.Combine(Dir, file));
        Assert.Equal(["token", "0", "1", "2", "3", "final"], model.RepresentationLabels);
        Assert.True(model.UsesLeadingSpace);
        var texts = inputs.Select(i => i.GetProperty("text").GetString()!).ToList();
        var runs = model.Run(texts, withAttention: false);
        for (int k = 0; k < inputs.Count; k++)
        {
            Assert.Equal(inputs[k].GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), runs[k].Input.Ids);
            Assert.Equal(inputs[k].GetProperty("tokens").EnumerateArray().Select(v => v.GetString()!), runs[k].Input.Pieces);
            var layers = inputs[k].GetProperty("layers");
            Assert.True(MaxDiff(runs[k].Hidden[0], Rows(layers.GetProperty("0"))) <= Tolerance, $"{file} input {k} token");
            for (int l = 0; l <= 3; l++)
            {
                double diff = MaxDiff(runs[k].Hidden[l + 1], Rows(layers.GetProperty(l.ToString())));
                Assert.True(diff <= Tolerance, $"{file} input {k} layer {l}: max diff {diff:E3}");
            }
            double fin = MaxDiff(runs[k].Hidden[5], Rows(inputs[k].GetProperty("final_norm")));
            Assert.True(fin <= Tolerance, $"{file} input {k} final: max diff {fin:E3}");
        }
        // Words alone: their word-initial token, never BOS.
        Assert.Equal([261], model.Tokenize("galaxy").Ids);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void Vectors_layer_all_through_the_cli(string file)
    {
        using var doc = Expected();
        var inputs = doc.RootElement.GetProperty("variants").GetProperty(file).GetProperty("inputs").EnumerateArray()
            .ToDictionary(i => i.GetProperty("text").GetString()!);
        using var tmp = new TempFolder();
        string[] words = ["galaxy", "banana", "apple", "comet"];
        string wordsFile = tmp.File("words.tsv");
        File.WriteAllText(wordsFile, "word\tcategory\n" + string.Concat(words.Select(w => w + "\tthing\n")));
        string outPath = tmp.File("v.npy");
        var r = CliRunner.Run("vectors", "--model", Path.Combine(Dir, file), "--words", wordsFile, "--layer", "all", "--context", "none", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(outPath);
        Assert.Equal([6, words.Length, 64], npy.Shape);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(outPath, ".json"))).RootElement;
        Assert.Equal(["token", "0", "1", "2", "3", "final"], side.GetProperty("layers").EnumerateArray().Select(x => x.GetString()!));
        string[] keys = ["0", "0", "1", "2", "3"];
        for (int w = 0; w < words.Length; w++)
        {
            var input = inputs[" " + words[w]];
            for (int rep = 0; rep < 6; rep++)
            {
                var expected = rep < 5 ? Rows(input.GetProperty("layers").GetProperty(keys[rep]))[1] : Rows(input.GetProperty("final_norm"))[1];
                for (int d = 0; d < 64; d++)
                    Assert.True(Math.Abs(npy.Float32![(rep * words.Length + w) * 64 + d] - expected[d]) <= Tolerance, $"{file} {words[w]} rep {rep} dim {d}");
            }
        }
    }

    [Fact]
    public void The_gguf_file_and_the_bf16_folder_give_the_same_hidden_states()
    {
        using var gguf = GgufModel.Open(Path.Combine(Dir, "llama-tiny-F32.gguf"));
        using var hf = HuggingFaceModel.Open(HfFolder);
        string[] texts = ["The galaxy is a comet.", " banana", "The apple is a couch."];
        var a = gguf.Run(texts, withAttention: true);
        var b = hf.Run(texts, withAttention: true);
        for (int k = 0; k < texts.Length; k++)
        {
            Assert.Equal(b[k].Input.Ids, a[k].Input.Ids);
            for (int rep = 0; rep < 6; rep++)
            {
                // The F32 file holds the BF16 values exactly: the two differ only by float32 summation order.
                double worst = a[k].Hidden[rep].Zip(b[k].Hidden[rep], (x, y) => Math.Abs(x - y)).Max();
                Assert.True(worst <= 1e-5, $"text {k} rep {rep}: {worst:E3}");
            }
            Assert.NotNull(a[k].Attention);
        }
    }

    // ------------------------------------------------------------------ SentencePiece tokenizer from GGUF

    /// <summary>&lt;unk&gt;, &lt;s&gt;, &lt;/s&gt;, 256 byte tokens, then a few pieces with scores (higher merges first).</summary>
    private static GgufWriter SentencePieceFile(bool? addSpacePrefix, bool? addBos)
    {
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        var types = new List<int> { 2, 3, 3 };
        var scores = new List<float> { 0, 0, 0 };
        for (int b = 0; b < 256; b++) { tokens.Add($"<0x{b:X2}>"); types.Add(6); scores.Add(0); }
        // id 259 …
        (string Piece, float Score)[] pieces =
        [
            ("▁", -1), ("g", -2), ("a", -3), ("l", -4), ("x", -5), ("y", -6),   // 259..264
            ("xy", -9), ("al", -10), ("▁g", -11), ("▁gal", -12), ("ax", -13),   // 265..269
        ];
        foreach (var (p, s) in pieces) { tokens.Add(p); types.Add(1); scores.Add(s); }
        int v = tokens.Count, d = 8;
        var w = new GgufWriter().String("general.architecture", "llama")
            .String("tokenizer.ggml.model", "llama")
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, tokens.ToArray())
            .AddArray("tokenizer.ggml.scores", GgufValueType.Float32, scores.ToArray())
            .AddArray("tokenizer.ggml.token_type", GgufValueType.Int32, types.ToArray())
            .U32("tokenizer.ggml.bos_token_id", 1).U32("tokenizer.ggml.eos_token_id", 2).U32("tokenizer.ggml.unknown_token_id", 0);
        if (addSpacePrefix is bool sp) w.Bool("tokenizer.ggml.add_space_prefix", sp);
        if (addBos is bool ab) w.Bool("tokenizer.ggml.add_bos_token", ab);
        return w.TensorF32("token_embd.weight", [d, v], Enumerable.Range(0, d * v).Select(i => (float)i).ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    public void A_sentencepiece_gguf_tokenizes_words_by_scores_with_byte_fallback(bool? addSpacePrefix)
    {
        using var tmp = new TempFolder();
        string path = SentencePieceFile(addSpacePrefix, addBos: null).Write(tmp.File("sp.gguf"));
        using var emb = GgufModel.OpenEmbeddings(path);
        // ▁ g a l a x y: xy (−9) first, then al (−10), then ▁g (−11), then ▁g+al = ▁gal (−12); "▁gala", "axy" are not pieces.
        Assert.Equal([268, 261, 265], emb.Tokenize("galaxy").Ids);
        Assert.Equal(["▁gal", "a", "xy"], emb.Tokenize("galaxy").Pieces);
        // é is not a piece: its UTF-8 bytes C3 A9 as <0xC3> <0xA9> (ids 3 + byte).
        Assert.Equal([267, 3 + 0xC3, 3 + 0xA9], emb.Tokenize("gé").Ids);
        Assert.True(emb.Tokenize("gé").Known);

        using var f = GgufFile.Open(path);
        var tok = Assert.IsType<BpeModelTokenizer>(GgufModel.CreateTokenizer(GgufTokenizerData.Read(f), path));
        Assert.Equal("sentencepiece-bpe", tok.Kind);
        // A text: BOS (llama default), then the dummy prefix unless the file turns it off (g al a xy: "gal" is no piece).
        var text = tok.EncodeText("galaxy");
        Assert.Equal(addSpacePrefix == false ? [1, 260, 266, 261, 265] : [1, 268, 261, 265], text.Ids);
    }

    [Fact]
    public void Add_bos_false_in_the_file_turns_bos_off()
    {
        using var tmp = new TempFolder();
        string path = SentencePieceFile(null, addBos: false).Write(tmp.File("sp.gguf"));
        using var f = GgufFile.Open(path);
        var tok = GgufModel.CreateTokenizer(GgufTokenizerData.Read(f), path);
        Assert.Equal([268, 261, 265], tok.EncodeText("galaxy").Ids);
    }

    [Fact]
    public void An_unknown_byte_level_pre_tokenizer_is_one_clear_error()
    {
        var data = new GgufTokenizerData("gpt2", "tekken-like", ["a", "b"], null, null, [], null, null, null, null, null, null, null);
        var e = Assert.Throws<SimileException>(() => GgufModel.CreateTokenizer(data, "x.gguf"));
        Assert.Contains("pre-tokenizer 'tekken-like'", e.Message);
        Assert.Contains("llama-bpe", e.Message);
    }

    // ------------------------------------------------------------------ quantized checkpoint vs float64

    private static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());

    /// <summary>Q4_K super-blocks of random bytes with small d and dmin: any bit pattern is a valid quantized tensor.</summary>
    private static byte[] RandomQ4K(Random rng, int values)
    {
        var bytes = new byte[values / 256 * 144];
        rng.NextBytes(bytes);
        for (int b = 0; b < values / 256; b++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(b * 144), RefQuant.Fp16Bits((float)(1.5e-4 + 1e-4 * rng.NextDouble())));
            BitConverter.TryWriteBytes(bytes.AsSpan(b * 144 + 2), RefQuant.Fp16Bits((float)(1.2e-3 + 1e-3 * rng.NextDouble())));
        }
        return bytes;
    }

    [Fact]
    public void A_q8_0_and_q4_k_checkpoint_equals_the_float64_pass_on_its_dequantized_weights()
    {
        var spec = new DecoderFamilyTests.Spec("llama", "LlamaForCausalLM", 256, 2, 4, 2, 64, 512, 48, 1e-5, 10000, SafetensorsDType.F32);
        int D = spec.D, I = spec.I, q = spec.H * spec.HeadDim, kv = spec.KV * spec.HeadDim;
        var rng = new Random(5);
        float[] Rand(int n, double scale, double center = 0) => Enumerable.Range(0, n).Select(_ => (float)(center + scale * Gaussian(rng))).ToArray();
        var w = new GgufWriter().String("general.architecture", "llama").String("general.name", "quantized-tiny")
            .U32("llama.embedding_length", (uint)D).U32("llama.block_count", (uint)spec.L).U32("llama.attention.head_count", (uint)spec.H)
            .U32("llama.attention.head_count_kv", (uint)spec.KV).U32("llama.feed_forward_length", (uint)I)
            .U32("llama.context_length", 64).F32("llama.rope.freq_base", 10000f).F32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
            .U32("llama.rope.dimension_count", (uint)spec.HeadDim);
        w.Tensor("token_embd.weight", GgmlType.Q8_0, [D, spec.V], RefQuant.Q8_0(Rand(spec.V * D, 1.0)));
        for (int l = 0; l < spec.L; l++)
        {
            string p = $"blk.{l}.";
            w.TensorF32(p + "attn_norm.weight", [D], Rand(D, 0.1, 1));
            w.Tensor(p + "attn_q.weight", GgmlType.Q8_0, [D, q], RefQuant.Q8_0(LlamaCppPermutation.Apply(Rand(q * D, 0.1), spec.H, spec.HeadDim, D, toGguf: true)));
            w.Tensor(p + "attn_k.weight", GgmlType.Q8_0, [D, kv], RefQuant.Q8_0(LlamaCppPermutation.Apply(Rand(kv * D, 0.1), spec.KV, spec.HeadDim, D, toGguf: true)));
            w.Tensor(p + "attn_v.weight", GgmlType.Q8_0, [D, kv], RefQuant.Q8_0(Rand(kv * D, 0.1)));
            w.Tensor(p + "attn_output.weight", GgmlType.Q4_K, [q, D], RandomQ4K(rng, D * q));
            w.TensorF32(p + "ffn_norm.weight", [D], Rand(D, 0.1, 1));
            w.Tensor(p + "ffn_gate.weight", GgmlType.Q4_K, [D, I], RandomQ4K(rng, I * D));
            w.Tensor(p + "ffn_up.weight", GgmlType.Q8_0, [D, I], RefQuant.Q8_0(Rand(I * D, 0.1)));
            w.Tensor(p + "ffn_down.weight", GgmlType.Q4_K, [I, D], RandomQ4K(rng, D * I));
        }
        w.TensorF32("output_norm.weight", [D], Rand(D, 0.1, 1));
        using var tmp = new TempFolder();
        string path = w.Write(tmp.File("quantized.gguf"));

        // The reference weights: the file's tensors dequantized (bit-exact to ggml, tested elsewhere), q/k rows put
        // back in HF order by the permutation above, under their HF names.
        var reference = new Dictionary<string, float[]>();
        using (var f = GgufFile.Open(path))
        {
            float[] Deq(string name) { var t = f.Tensor(name); var v = new float[t.ElementCount]; f.Dequantize(t, v); return v; }
            reference["model.embed_tokens.weight"] = Deq("token_embd.weight");
            reference["model.norm.weight"] = Deq("output_norm.weight");
            for (int l = 0; l < spec.L; l++)
            {
                string g = $"blk.{l}.", h = $"model.layers.{l}.";
                reference[h + "input_layernorm.weight"] = Deq(g + "attn_norm.weight");
                reference[h + "self_attn.q_proj.weight"] = LlamaCppPermutation.Apply(Deq(g + "attn_q.weight"), spec.H, spec.HeadDim, D, toGguf: false);
                reference[h + "self_attn.k_proj.weight"] = LlamaCppPermutation.Apply(Deq(g + "attn_k.weight"), spec.KV, spec.HeadDim, D, toGguf: false);
                reference[h + "self_attn.v_proj.weight"] = Deq(g + "attn_v.weight");
                reference[h + "self_attn.o_proj.weight"] = Deq(g + "attn_output.weight");
                reference[h + "post_attention_layernorm.weight"] = Deq(g + "ffn_norm.weight");
                reference[h + "mlp.gate_proj.weight"] = Deq(g + "ffn_gate.weight");
                reference[h + "mlp.up_proj.weight"] = Deq(g + "ffn_up.weight");
                reference[h + "mlp.down_proj.weight"] = Deq(g + "ffn_down.weight");
            }
        }
        using var weights = GgufDecoderWeights.Open(path);
        Assert.Equal("Q4_K", weights.StorageType("model.layers.1.mlp.down_proj.weight"));
        var model = new LlamaModel(weights);
        int[][] sequences = [[1, 7, 30, 2, 45, 9], [3, 3, 12]];
        var outputs = model.Forward(sequences, withAttention: false);
        for (int k = 0; k < sequences.Length; k++)
        {
            var (hidden, _) = DecoderFamilyTests.Reference(spec, reference, sequences[k]);
            for (int rep = 0; rep < hidden.Length; rep++)
            {
                double worst = 0;
                for (int t = 0; t < sequences[k].Length; t++)
                    for (int d = 0; d < D; d++)
                        worst = Math.Max(worst, Math.Abs(outputs[k].Hidden[rep][t * D + d] - hidden[rep][t][d]) / Math.Max(1, Math.Abs(hidden[rep][t][d])));
                Assert.True(worst <= Tolerance, $"sequence {k} representation {rep}: {worst:E3}");
            }
        }
    }

    // ------------------------------------------------------------------ ollama: and rsa across families

    [Fact]
    public void An_ollama_model_runs_vectors_layer_all()
    {
        using var tmp = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(Dir, "llama-tiny-F32.gguf"));
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Directory.CreateDirectory(tmp.File("store/blobs"));
        File.WriteAllBytes(tmp.File("store/blobs/sha256-" + hex), bytes);
        Directory.CreateDirectory(tmp.File("store/manifests/registry.ollama.ai/library/tiny"));
        File.WriteAllText(tmp.File("store/manifests/registry.ollama.ai/library/tiny/q8"),
            $$"""{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{{hex}}","size":{{bytes.Length}}}]}""");
        string? saved = Environment.GetEnvironmentVariable("OLLAMA_MODELS");
        Environment.SetEnvironmentVariable("OLLAMA_MODELS", tmp.File("store"));
        try
        {
            string wordsFile = tmp.File("words.tsv");
            File.WriteAllText(wordsFile, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nbanana\tfood\n");
            var r = CliRunner.Run("vectors", "-m", "ollama:tiny:q8", "--words", wordsFile, "--layer", "all", "--context", "none", "--out", tmp.File("o.npy"));
            Assert.True(r.ExitCode == 0, r.ToString());
            var npy = NpyFile.Read(tmp.File("o.npy"));
            Assert.Equal([6, 3, 64], npy.Shape);
            using var doc = Expected();
            var galaxy = doc.RootElement.GetProperty("variants").GetProperty("llama-tiny-F32.gguf").GetProperty("inputs")[0];
            var fin = Rows(galaxy.GetProperty("final_norm"))[1];
            for (int d = 0; d < 64; d++) Assert.True(Math.Abs(npy.Float32![5 * 3 * 64 + d] - fin[d]) <= Tolerance);
        }
        finally
        {
            Environment.SetEnvironmentVariable("OLLAMA_MODELS", saved);
        }
    }

    [Fact]
    public void Rsa_across_a_hf_folder_a_gguf_file_and_minilm()
    {
        using var tmp = new TempFolder();
        string wordsFile = tmp.File("words.tsv");
        File.WriteAllText(wordsFile, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nbanana\tfood\napple\tfood\ncouch\tthing\n");
        string outDir = tmp.File("out");
        string gguf = Path.Combine(Dir, "llama-tiny-F32.gguf");
        var r = CliRunner.Run("rsa", "-m", HfFolder, "-m", gguf, "-m", "minilm", "--words", wordsFile, "--permutations", "19", "--seed", "1", "--out", outDir);
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "results.json")));
        var pairs = json.RootElement.GetProperty("pairs").EnumerateArray().ToList();
        Assert.Equal(3, pairs.Count);
        // The folder (BF16) and the F32 file hold the same token rows: their RDMs are identical.
        Assert.Equal(1.0, pairs[0].GetProperty("rsa").GetProperty("pearson").GetDouble(), 9);
    }

    [Fact]
    public void An_unsupported_architecture_names_itself_and_keeps_its_token_embeddings()
    {
        using var tmp = new TempFolder();
        string path = new GgufWriter().String("general.architecture", "falcon")
            .U32("falcon.block_count", 1).U32("falcon.embedding_length", 4)
            .String("tokenizer.ggml.model", "gpt2").String("tokenizer.ggml.pre", "falcon3")
            .AddArray("tokenizer.ggml.tokens", GgufValueType.String, new[] { "a", "b", "Ġa", "Ġb", "Ġab" })
            .AddArray("tokenizer.ggml.merges", GgufValueType.String, new[] { "Ġ a", "Ġ b", "Ġa b" })
            .TensorF32("token_embd.weight", [4, 5], Enumerable.Range(0, 20).Select(i => (float)i).ToArray())
            .Write(tmp.File("falcon.gguf"));
        var e = Assert.Throws<SimileException>(() => ModelCatalogue.ResolveTransformer(path));
        Assert.Contains("architecture 'falcon'", e.Message);
        Assert.Contains("llama, qwen2, qwen3, gemma", e.Fix);
        string wordsFile = tmp.File("words.tsv");
        File.WriteAllText(wordsFile, "word\tcategory\na\tx\nb\tx\nab\tx\n");
        var all = CliRunner.Run("vectors", "-m", path, "--words", wordsFile, "--layer", "all", "--context", "none", "--out", tmp.File("all.npy"));
        Assert.Equal(2, all.ExitCode);
        Assert.Contains("architecture 'falcon'", all.Stderr);
        Assert.False(File.Exists(tmp.File("all.npy")));
        var token = CliRunner.Run("vectors", "-m", path, "--words", wordsFile, "--layer", "token", "--out", tmp.File("t.npy"));
        Assert.True(token.ExitCode == 0, token.ToString());
        var npy = NpyFile.Read(tmp.File("t.npy"));
        Assert.Equal([1, 3, 4], npy.Shape);
        Assert.Equal([8f, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19], npy.Float32!);   // rows Ġa (2), Ġb (3), Ġab (4)
    }

    [Fact]
    public void Attention_and_layers_verbs_on_a_gguf_file()
    {
        using var doc = Expected();
        var input = doc.RootElement.GetProperty("variants").GetProperty("llama-tiny-F32.gguf").GetProperty("inputs")[8];
        Assert.Equal("The galaxy is a comet.", input.GetProperty("text").GetString());
        using var tmp = new TempFolder();
        string gguf = Path.Combine(Dir, "llama-tiny-F32.gguf");
        var r = CliRunner.Run("attention", "-m", gguf, "--text", "The galaxy is a comet.", "--out", tmp.File("att"));
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(Path.Combine(tmp.File("att"), "attention.npy"));
        Assert.Equal([3, 4, 7, 7], npy.Shape);
        var a = input.GetProperty("attentions").GetProperty("1");   // block 1 = layer 0
        for (int h = 0; h < 4; h++)
            for (int i = 0; i < 7; i++)
                for (int j = 0; j < 7; j++)
                    Assert.True(Math.Abs(npy.Float32![(h * 7 + i) * 7 + j] - a[h][i][j].GetDouble()) <= 1e-5, $"head {h} [{i},{j}]");

        string wordsFile = tmp.File("words.tsv");
        File.WriteAllText(wordsFile, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nbanana\tfood\napple\tfood\ncouch\tthing\n");
        var layers = CliRunner.Run("layers", "-m", gguf, "-m", HfFolder, "--words", wordsFile, "--out", tmp.File("layers"));
        Assert.True(layers.ExitCode == 0, layers.ToString());
        Assert.True(File.Exists(Path.Combine(tmp.File("layers"), "results.json")));
    }
}
