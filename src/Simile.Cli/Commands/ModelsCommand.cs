using System.Globalization;
using System.Text.Json;
using Simile.Data;
using Simile.Models;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary>
/// <c>simile models</c>: what this machine has — the model catalogue as a table (or tab-separated with --tsv), every
/// model of the Hugging Face cache and of the Ollama store; <c>--json</c> gives all three as one JSON document.
/// </summary>
public sealed class ModelsCommand : Command<ModelsCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandOption("--tsv")]
        [System.ComponentModel.Description("Write the catalogue as tab-separated values (with a header row) instead of a table.")]
        public bool Tsv { get; init; }

        [CommandOption("--json")]
        [System.ComponentModel.Description("Write the catalogue, the Hugging Face cache and the Ollama store as one JSON document.")]
        public bool Json { get; init; }

        public override Spectre.Console.ValidationResult Validate() =>
            Tsv && Json ? Spectre.Console.ValidationResult.Error("--tsv and --json exclude each other. Fix: give one of them")
                        : Spectre.Console.ValidationResult.Success();
    }

    /// <summary>One model of the Hugging Face cache with what Simile makes of its main (or only) revision.</summary>
    private sealed record CacheRow(HubRepoEntry Repo, string Architecture, string Runs, string? Problem);

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = ModelCatalogue.Entries();
        var inv = CultureInfo.InvariantCulture;
        if (settings.Json)
        {
            WriteJson(entries);
            return 0;
        }
        if (settings.Tsv)
        {
            Console.WriteLine("name\tarchitecture\tvocabulary\tdims\tlayers\theads\tsource\tlicence\tcached\tattribution");
            foreach (var m in entries)
                Console.WriteLine(string.Join('\t', m.Name, m.Architecture, m.VocabularySize.ToString(inv), m.Dims.ToString(inv),
                    m.Layers.ToString(inv), m.Heads.ToString(inv), m.Source, m.Licence, m.Cached ? "yes" : "no", m.Attribution ?? ""));
            return 0;
        }
        // A plain aligned table: readable in a terminal, in a log and in a pipe alike.
        string[] header = ["name", "arch", "vocab", "dims", "layers", "heads", "source", "licence", "cached"];
        var rows = entries.Select(m => new[]
        {
            m.Name, m.Architecture, m.VocabularySize.ToString("N0", inv), m.Dims.ToString(inv),
            m.Layers == 0 ? "-" : m.Layers.ToString(inv), m.Heads == 0 ? "-" : m.Heads.ToString(inv),
            m.Source.Split(' ')[0], m.Licence, m.Cached ? "yes" : "no",
        }).ToList();
        PrintTable(header, rows, [false, false, true, true, true, true, false, false, false], "");
        Console.WriteLine();
        foreach (var m in entries)
            Console.WriteLine($"{m.Name}: {m.Source}" + (m.Attribution is null ? "" : $". {m.Attribution}"));
        // what is on this machine, what first use fetches, and how to provide it without network
        Console.WriteLine();
        foreach (var m in entries)
            if (ModelAvailability.Describe(m.Name) is { } line) Console.WriteLine(line);
        PrintHuggingFaceCache();
        PrintOllama();
        return 0;
    }

    private static void PrintTable(string[] header, List<string[]> rows, bool[] right, string indent)
    {
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        string Line(string[] cells) => indent + string.Join("  ", cells.Select((x, c) => right[c] ? x.PadLeft(widths[c]) : x.PadRight(widths[c]))).TrimEnd();
        Console.WriteLine(Line(header));
        Console.WriteLine(indent + string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in rows) Console.WriteLine(Line(r));
    }

    /// <summary>The models of the Hugging Face cache: id, revisions (refs → commits), size on disk (each blob once),
    /// architecture and whether Simile runs every layer or only the token embeddings.</summary>
    private static void PrintHuggingFaceCache()
    {
        var cache = new HubCache();
        Console.WriteLine();
        if (!Directory.Exists(cache.Root))
        {
            Console.WriteLine($"Hugging Face cache: none at {cache.Root} (from {cache.Origin}). Models downloaded with 'hf download ORG/NAME' " +
                              "land there; set HF_HUB_CACHE or HF_HOME to use another cache.");
            return;
        }
        var rows = CacheRows(cache);
        Console.WriteLine($"Hugging Face cache at {cache.Root} (from {cache.Origin}; {rows.Count} model{(rows.Count == 1 ? "" : "s")}; " +
                          "use as -m ORG/NAME or -m hf:ORG/NAME@REVISION):");
        if (rows.Count == 0) return;
        var table = rows.Select(r => new[]
        {
            r.Repo.Id, Revisions(r.Repo), Size(r.Repo.SizeOnDisk), r.Architecture,
            r.Problem is null ? r.Runs : $"{r.Runs}: {r.Problem}",
        }).ToList();
        PrintTable(["id", "revisions", "size", "architecture", "runs"], table, [false, false, true, false, false], "  ");
    }

    private static List<CacheRow> CacheRows(HubCache cache) => cache.Scan().Select(repo =>
    {
        if (repo.Problem is not null) return new CacheRow(repo, "unknown", "unusable", repo.Problem);
        var main = repo.Revisions.FirstOrDefault();
        if (main is null) return new CacheRow(repo, "unknown", "unusable", "no snapshot");
        try
        {
            var snapshot = new HubSnapshot(repo.Id, main.Refs.FirstOrDefault() ?? main.Commit, main.Commit, main.Folder, repo.Folder);
            var (arch, runs, problem) = ModelCatalogue.Capability(ModelCatalogue.SnapshotModelPath(snapshot));
            return new CacheRow(repo, arch, runs, problem);
        }
        catch (SimileException e)
        {
            return new CacheRow(repo, "unknown", "unusable", e.Message);
        }
    }).ToList();

    /// <summary>"main=1234567890ab, v1=…" (a revision no ref names shows its commit alone).</summary>
    private static string Revisions(HubRepoEntry repo) => string.Join(", ", repo.Revisions.Select(v =>
        v.Refs.Count == 0 ? Short(v.Commit) : $"{string.Join("=", v.Refs)}={Short(v.Commit)}"));

    private static string Short(string commit) => commit.Length > 12 ? commit[..12] : commit;

    private static string Size(long bytes) => bytes >= 1e9
        ? (bytes / 1e9).ToString("0.00", CultureInfo.InvariantCulture) + " GB"
        : (bytes / 1e6).ToString("0.00", CultureInfo.InvariantCulture) + " MB";

    /// <summary>The local Ollama store's models (only when a store exists), usable as -m ollama:NAME.</summary>
    private static void PrintOllama()
    {
        var store = new OllamaStore();
        if (!Directory.Exists(Path.Combine(store.Root, "manifests"))) return;
        var models = store.List();
        Console.WriteLine();
        Console.WriteLine($"Ollama models in {store.Root} ({models.Count}; use as -m ollama:NAME):");
        int w = models.Count == 0 ? 0 : models.Max(m => m.Name.Length);
        foreach (var m in models)
            Console.WriteLine(m.BlobPath is null
                ? $"  {m.Name.PadRight(w)}  unusable: {m.Problem}"
                : $"  {m.Name.PadRight(w)}  {m.Size / 1e9,6:F2} GB  {m.BlobPath}");
    }

    private static void WriteJson(IReadOnlyList<ModelInfo> entries)
    {
        var cache = new HubCache();
        var store = new OllamaStore();
        Console.WriteLine(JsonOutput.Text(w =>
        {
            w.WriteStartObject();
            w.WriteStartArray("catalogue");
            foreach (var m in entries)
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                w.WriteString("architecture", m.Architecture);
                w.WriteNumber("vocabulary", m.VocabularySize);
                w.WriteNumber("dims", m.Dims);
                w.WriteNumber("layers", m.Layers);
                w.WriteNumber("heads", m.Heads);
                w.WriteString("source", m.Source);
                w.WriteString("licence", m.Licence);
                w.WriteBoolean("cached", m.Cached);
                w.WriteString("availability", ModelAvailability.Describe(m.Name));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("huggingface_cache");
            w.WriteString("root", cache.Root);
            w.WriteString("from", cache.Origin);
            w.WriteStartArray("models");
            foreach (var r in Directory.Exists(cache.Root) ? CacheRows(cache) : [])
            {
                w.WriteStartObject();
                w.WriteString("id", r.Repo.Id);
                w.WriteString("folder", r.Repo.Folder);
                w.WriteNumber("size_on_disk", r.Repo.SizeOnDisk);
                w.WriteString("architecture", r.Architecture);
                w.WriteString("runs", r.Runs);
                if (r.Problem is null) w.WriteNull("problem"); else w.WriteString("problem", r.Problem);
                w.WriteStartArray("revisions");
                foreach (var v in r.Repo.Revisions)
                {
                    w.WriteStartObject();
                    w.WriteString("commit", v.Commit);
                    JsonOutput.StringArray(w, "refs", v.Refs);
                    w.WriteString("folder", v.Folder);
                    w.WriteNumber("size_on_disk", v.SizeOnDisk);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject("ollama");
            w.WriteString("root", store.Root);
            w.WriteStartArray("models");
            foreach (var m in store.List())
            {
                w.WriteStartObject();
                w.WriteString("name", m.Name);
                if (m.BlobPath is null) w.WriteNull("blob"); else w.WriteString("blob", m.BlobPath);
                w.WriteNumber("size", m.Size);
                if (m.Problem is null) w.WriteNull("problem"); else w.WriteString("problem", m.Problem);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }, relaxedEscaping: true));
    }
}
