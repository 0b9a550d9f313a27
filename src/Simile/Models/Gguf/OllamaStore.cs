using System.Text.Json;
using System.Text.RegularExpressions;

namespace Simile.Models.Gguf;

/// <summary>A model found in the local Ollama store.</summary>
/// <param name="Name">As Simile accepts it after <c>ollama:</c>: <c>llama3.2:latest</c>, <c>ns/name:tag</c>, <c>host/ns/name:tag</c>.</param>
/// <param name="BlobPath">The GGUF blob (null when the manifest has no model layer or the blob is missing).</param>
public sealed record OllamaModel(string Name, string ManifestPath, string? BlobPath, long Size, string? Problem);

/// <summary>
/// The local Ollama model store (<c>$OLLAMA_MODELS</c>, default <c>~/.ollama/models</c>):
/// <c>manifests/HOST/NAMESPACE/NAME/TAG</c> is a JSON manifest whose layer of media type
/// <c>application/vnd.ollama.image.model</c> names the GGUF blob <c>blobs/sha256-HEX</c>.
/// <c>ollama:NAME[:TAG]</c> means <c>registry.ollama.ai/library/NAME/TAG</c> (tag <c>latest</c> by default);
/// <c>ollama:NS/NAME[:TAG]</c> another namespace and <c>ollama:HOST/NS/NAME[:TAG]</c> another registry.
/// Manifests are treated as hostile input: size-limited, path components restricted, digests checked.
/// </summary>
public sealed partial class OllamaStore
{
    public const string Prefix = "ollama:";
    public const string DefaultHost = "registry.ollama.ai";
    public const string DefaultNamespace = "library";
    public const string ModelMediaType = "application/vnd.ollama.image.model";
    public const long MaxManifestBytes = 1 << 20;

    public string Root { get; }

    /// <param name="root">The store folder; null = <c>$OLLAMA_MODELS</c> or <c>~/.ollama/models</c>.</param>
    public OllamaStore(string? root = null)
    {
        Root = root ?? DefaultRoot();
    }

    public static string DefaultRoot()
    {
        string? env = Environment.GetEnvironmentVariable("OLLAMA_MODELS");
        if (!string.IsNullOrWhiteSpace(env)) return env;
        return Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ollama", "models");
    }

    public static bool IsOllamaName(string nameOrPath) => nameOrPath.StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")]
    private static partial Regex Component();

    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._:-]{0,252}$")]
    private static partial Regex HostComponent();

    [GeneratedRegex(@"^sha256:([0-9a-f]{64})$")]
    private static partial Regex Digest();

    /// <summary>Splits <c>[ollama:]…NAME[:TAG]</c> into host, namespace, name and tag, each checked to be a plain path component.</summary>
    public static (string Host, string Namespace, string Name, string Tag) Parse(string reference)
    {
        string r = IsOllamaName(reference) ? reference[Prefix.Length..] : reference;
        r = r.Trim();
        int slash = r.LastIndexOf('/');
        int colon = r.LastIndexOf(':');
        string tag = "latest";
        if (colon > slash) { tag = r[(colon + 1)..]; r = r[..colon]; }
        var parts = r.Split('/');
        (string host, string ns, string name) = parts.Length switch
        {
            1 => (DefaultHost, DefaultNamespace, parts[0]),
            2 => (DefaultHost, parts[0], parts[1]),
            3 => (parts[0], parts[1], parts[2]),
            _ => throw BadName(reference),
        };
        if (!HostComponent().IsMatch(host) || host.Contains("..", StringComparison.Ordinal)
            || !Component().IsMatch(ns) || !Component().IsMatch(name) || !Component().IsMatch(tag)
            || ns.Contains("..", StringComparison.Ordinal) || name.Contains("..", StringComparison.Ordinal) || tag.Contains("..", StringComparison.Ordinal))
            throw BadName(reference);
        return (host, ns, name, tag);
    }

    private static SimileException BadName(string reference) =>
        new($"'{reference}' is not an Ollama model name",
            "write ollama:NAME or ollama:NAME:TAG (e.g. ollama:llama3.2, ollama:qwen2.5:0.5b), as 'ollama list' shows them");

    /// <summary>The path of the GGUF blob of an Ollama model.</summary>
    public string Resolve(string reference)
    {
        var (host, ns, name, tag) = Parse(reference);
        string manifest = Path.Combine(Root, "manifests", host, ns, name, tag);
        if (!File.Exists(manifest))
        {
            string hint = Directory.Exists(Path.Combine(Root, "manifests"))
                ? $"pull it with 'ollama pull {Display(host, ns, name, tag)}', or pick one of 'simile models' (Ollama section)"
                : $"no Ollama store at '{Root}': install Ollama and pull the model, or set OLLAMA_MODELS to the store folder";
            throw new SimileException($"Ollama model '{Display(host, ns, name, tag)}' is not in the local store (no manifest '{manifest}')", hint);
        }
        var (blob, _) = ReadManifest(manifest);
        return blob;
    }

    /// <summary>Reads a manifest and returns the model blob's path and declared size; any problem → SimileException.</summary>
    public (string BlobPath, long Size) ReadManifest(string manifest)
    {
        long len = LinkedFile.Length(manifest);
        if (len > MaxManifestBytes)
            throw new SimileException($"Ollama manifest '{manifest}' is {len} bytes, more than a manifest can be ({MaxManifestBytes})",
                "the store is corrupt: pull the model again with 'ollama pull'");
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(manifest), new JsonDocumentOptions { MaxDepth = 16 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("layers", out var layers) || layers.ValueKind != JsonValueKind.Array)
                throw BadManifest(manifest, "it has no 'layers' array");
            foreach (var layer in layers.EnumerateArray())
            {
                if (layer.ValueKind != JsonValueKind.Object) throw BadManifest(manifest, "a layer is not an object");
                if (!layer.TryGetProperty("mediaType", out var mt) || mt.ValueKind != JsonValueKind.String || mt.GetString() != ModelMediaType)
                    continue;
                if (!layer.TryGetProperty("digest", out var dg) || dg.ValueKind != JsonValueKind.String)
                    throw BadManifest(manifest, "the model layer has no digest");
                var m = Digest().Match(dg.GetString()!);
                if (!m.Success) throw BadManifest(manifest, $"the model layer's digest '{dg.GetString()}' is not sha256:<64 hex digits>");
                long size = -1;
                if (layer.TryGetProperty("size", out var sz))
                {
                    if (sz.ValueKind != JsonValueKind.Number || !sz.TryGetInt64(out size) || size < 0)
                        throw BadManifest(manifest, "the model layer's size is not a non-negative integer");
                }
                string blob = Path.Combine(Root, "blobs", "sha256-" + m.Groups[1].Value);
                if (!LinkedFile.Exists(blob))
                    throw new SimileException($"Ollama manifest '{manifest}' names blob '{blob}', which is missing",
                        "the store is incomplete: pull the model again with 'ollama pull'");
                long actual = LinkedFile.Length(blob);
                if (size >= 0 && actual != size)
                    throw new SimileException($"Ollama blob '{blob}' is {actual} bytes but its manifest says {size}",
                        "the download is incomplete: pull the model again with 'ollama pull'");
                return (blob, actual);
            }
            throw BadManifest(manifest, $"it has no layer of media type {ModelMediaType}");
        }
        catch (JsonException e)
        {
            throw new SimileException($"Ollama manifest '{manifest}' is not valid JSON: {e.Message}",
                "the store is corrupt: pull the model again with 'ollama pull'", e);
        }
    }

    private static SimileException BadManifest(string manifest, string problem) =>
        new($"Ollama manifest '{manifest}' is not a model manifest: {problem}",
            "pull the model again with 'ollama pull' (adapters and embeddings-only entries have no model layer)");

    /// <summary>The short name Ollama prints: NAME:TAG for the library, NS/NAME:TAG, or HOST/NS/NAME:TAG.</summary>
    public static string Display(string host, string ns, string name, string tag) =>
        host == DefaultHost ? (ns == DefaultNamespace ? $"{name}:{tag}" : $"{ns}/{name}:{tag}") : $"{host}/{ns}/{name}:{tag}";

    /// <summary>Every manifest in the store (sorted by name), each with its blob or the reason it has none.</summary>
    public IReadOnlyList<OllamaModel> List()
    {
        var result = new List<OllamaModel>();
        string manifests = Path.Combine(Root, "manifests");
        if (!Directory.Exists(manifests)) return result;
        foreach (var hostDir in SafeDirs(manifests))
        foreach (var nsDir in SafeDirs(hostDir))
        foreach (var nameDir in SafeDirs(nsDir))
        foreach (var tagFile in SafeFiles(nameDir))
        {
            string host = Path.GetFileName(hostDir), ns = Path.GetFileName(nsDir), name = Path.GetFileName(nameDir), tag = Path.GetFileName(tagFile);
            string display = Display(host, ns, name, tag);
            try
            {
                var (blob, size) = ReadManifest(tagFile);
                result.Add(new OllamaModel(display, tagFile, blob, size, null));
            }
            catch (SimileException e)
            {
                result.Add(new OllamaModel(display, tagFile, null, 0, e.Message));
            }
        }
        return result.OrderBy(m => m.Name, StringComparer.Ordinal).ToList();
    }

    private static IEnumerable<string> SafeDirs(string dir)
    {
        try { return Directory.GetDirectories(dir).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }

    private static IEnumerable<string> SafeFiles(string dir)
    {
        try { return Directory.GetFiles(dir).Order(StringComparer.Ordinal).ToList(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return []; }
    }
}
