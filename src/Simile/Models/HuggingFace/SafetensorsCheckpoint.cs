using System.Text.Json;

namespace Simile.Models.HuggingFace;

/// <summary>
/// All safetensors weights of a model folder: <c>model.safetensors</c>, or the shards listed by
/// <c>model.safetensors.index.json</c> (<c>{"weight_map": {"tensor name": "shard file"}}</c>). Every file stays mapped.
/// </summary>
public sealed class SafetensorsCheckpoint : IDisposable
{
    public const string SingleFileName = "model.safetensors";
    public const string IndexFileName = "model.safetensors.index.json";

    private readonly List<SafetensorsFile> _files;
    private readonly Dictionary<string, SafetensorsFile> _byTensor;

    public string Folder { get; }
    public IReadOnlyList<SafetensorsFile> Files => _files;

    private SafetensorsCheckpoint(string folder, List<SafetensorsFile> files, Dictionary<string, SafetensorsFile> byTensor)
    {
        Folder = folder; _files = files; _byTensor = byTensor;
    }

    /// <summary>Every tensor, in file order then data order.</summary>
    public IEnumerable<SafetensorsTensorInfo> Tensors => _files.SelectMany(f => f.Names.Select(n => f.Tensors[n]))
        .Where(t => _byTensor.TryGetValue(t.Name, out var owner) && owner.Tensors[t.Name] == t);

    public static SafetensorsCheckpoint Open(string folder)
    {
        string index = Path.Combine(folder, IndexFileName);
        string single = Path.Combine(folder, SingleFileName);
        if (LinkedFile.Exists(index)) return OpenSharded(folder, index);
        if (LinkedFile.Exists(single))
        {
            var f = SafetensorsFile.Open(single);
            return new SafetensorsCheckpoint(folder, [f], f.Tensors.Keys.ToDictionary(k => k, _ => f, StringComparer.Ordinal));
        }
        string[] others = Directory.Exists(folder) ? Directory.GetFiles(folder, "*.safetensors") : [];
        if (others.Length == 1)
        {
            var f = SafetensorsFile.Open(others[0]);
            return new SafetensorsCheckpoint(folder, [f], f.Tensors.Keys.ToDictionary(k => k, _ => f, StringComparer.Ordinal));
        }
        bool hasBin = Directory.Exists(folder) && Directory.GetFiles(folder, "*.bin").Length > 0;
        throw new SimileException(
            $"model folder '{folder}' has no {SingleFileName} or {IndexFileName}" + (hasBin ? " (only PyTorch .bin weights, which Simile does not read)" : ""),
            hasBin ? "convert the weights to safetensors (e.g. model.save_pretrained(folder, safe_serialization=True))"
                   : "download the model's safetensors weights into the folder");
    }

    private static SafetensorsCheckpoint OpenSharded(string folder, string indexPath)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(indexPath), indexPath, "the index file is corrupt: download it again"))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("weight_map", out var wm) || wm.ValueKind != JsonValueKind.Object)
                throw new SimileException($"'{indexPath}' has no 'weight_map' object", "the index file is corrupt: download it again");
            foreach (var p in wm.EnumerateObject())
            {
                if (p.Value.ValueKind != JsonValueKind.String)
                    throw new SimileException($"'{indexPath}': weight_map entry '{p.Name}' is not a file name", "the index file is corrupt: download it again");
                map[p.Name] = p.Value.GetString()!;
            }
        }

        var files = new List<SafetensorsFile>();
        var byShard = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        var byTensor = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (string shard in map.Values.Distinct().OrderBy(s => s, StringComparer.Ordinal))
            {
                if (shard.Length == 0 || Path.IsPathRooted(shard) || shard.Contains("..") || shard.IndexOfAny(['/', '\\']) >= 0)
                    throw new SimileException($"'{indexPath}' names shard '{shard}', which is not a file name in the folder", "the index file is corrupt: download it again");
                string shardPath = Path.Combine(folder, shard);
                if (!LinkedFile.Exists(shardPath))
                    throw new SimileException($"shard '{shard}' listed in '{indexPath}' is missing from '{folder}'", $"download {shard} into the model folder");
                var f = SafetensorsFile.Open(shardPath);
                files.Add(f);
                byShard[shard] = f;
            }
            foreach (var (tensor, shard) in map)
            {
                var f = byShard[shard];
                if (!f.Contains(tensor))
                    throw new SimileException($"tensor '{tensor}' is listed in '{indexPath}' for shard '{shard}' but that shard does not hold it",
                        "the shards and the index do not match: download the model again");
                byTensor[tensor] = f;
            }
        }
        catch
        {
            foreach (var f in files) f.Dispose();
            throw;
        }
        return new SafetensorsCheckpoint(folder, files, byTensor);
    }

    public bool Contains(string name) => _byTensor.ContainsKey(name);

    public SafetensorsTensorInfo Info(string name) =>
        _byTensor.TryGetValue(name, out var f) ? f.Tensors[name]
        : throw new SimileException($"tensor '{name}' is not in the checkpoint in '{Folder}'", "check that the weights match config.json");

    /// <summary>The tensor as float32 (mapped for F32, converted copy for F16/BF16).</summary>
    public ReadOnlyMemory<float> ReadFloat32(string name) =>
        _byTensor.TryGetValue(name, out var f) ? f.ReadFloat32(name)
        : throw new SimileException($"tensor '{name}' is not in the checkpoint in '{Folder}'", "check that the weights match config.json");

    /// <summary>The raw bytes of a tensor as mapped (valid while the checkpoint is open).</summary>
    public ReadOnlySpan<byte> Bytes(string name) =>
        _byTensor.TryGetValue(name, out var f) ? f.Bytes(name)
        : throw new SimileException($"tensor '{name}' is not in the checkpoint in '{Folder}'", "check that the weights match config.json");

    public void Dispose()
    {
        foreach (var f in _files) f.Dispose();
    }
}
