using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;

namespace Simile.Analyses.Grid;

/// <summary>One model of a plan: the name it is stored under (<c>vectors/&lt;Name&gt;.npy</c>) and how to load it.</summary>
/// <param name="Name">File-safe display name, unique within the plan.</param>
/// <param name="Source">What <c>-m</c> was given: a catalogue name, or an absolute path.</param>
public sealed record GridModel(string Name, string Source);

/// <summary>
/// A comparison grid ready to run: the inputs (models, words), the settings (representations, contexts, subword
/// pooling, engine, measures, permutations, seed) and a content hash over all of them. Every task of the grid
/// (extraction task K = model K, comparison shard I of N) is a pure function of the plan, so tasks can run as
/// independent processes (job-array tasks) and be rerun any number of times.
/// The plan folder holds <c>plan.json</c>, <c>vectors/</c> (one .npy + sidecar + done stamp per model),
/// <c>shards/I-of-N.json</c>, and the merged <c>results.json</c>, <c>report.html</c> and <c>grids/</c>.
/// </summary>
public sealed record GridPlan(
    IReadOnlyList<GridModel> Models,
    WordList Words,
    string Representations,
    IReadOnlyList<string> Context,
    SubwordPolicy Subword,
    TransformerEngine Engine,
    IReadOnlyList<string> Measures,
    int Permutations,
    ulong Seed,
    int Shards)
{
    /// <summary>Format tag written into plan.json; plans of another format are refused.</summary>
    public const string Format = "simile-grid-plan/1";

    public const string PlanFile = "plan.json";
    public const string VectorsFolder = "vectors";
    public const string ShardsFolder = "shards";

    /// <summary>The most comparison shards a plan may have (a shard is a job; 10,000 is far beyond any model zoo's pairs).</summary>
    public const int MaxShards = 10_000;

    /// <summary>The folder the plan was read from (set by <see cref="Read"/>; null for a plan built in memory).</summary>
    public string? Folder { get; init; }

    /// <summary>SHA-256 (hex) of the canonical JSON of everything that determines the results (the shard count is not part of it).</summary>
    public string Hash => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(CanonicalInputs())));

    /// <summary>The context setting as <see cref="ContextSpec"/> ("none" when no context was given).</summary>
    public ContextSpec ContextSpec() => Context.Count == 0 ? Layers.ContextSpec.None : Layers.ContextSpec.Parse(Context);

    public string VectorsPath(int task) => Path.Combine(RequireFolder(), VectorsFolder, Models[task].Name + ".npy");
    public string DoneStampPath(int task) => Path.Combine(RequireFolder(), VectorsFolder, Models[task].Name + ".done");
    public string ShardPath(int shard, int of) => Path.Combine(RequireFolder(), ShardsFolder, ShardFileName(shard, of));
    public static string ShardFileName(int shard, int of) => $"{shard}-of-{of}.json";

    private string RequireFolder() => Folder ?? throw new InvalidOperationException("the plan has no folder (read it with GridPlan.Read)");

    /// <summary>
    /// Builds a plan from what the user gave: model names or paths (paths become absolute), words, the
    /// representation spec (<c>all</c> or a comma list of labels), contexts, measures. Checks every name now,
    /// so a plan that is written can run.
    /// </summary>
    public static GridPlan Create(IReadOnlyList<string> models, WordList words, string representations, IReadOnlyList<string> context,
        SubwordPolicy subword, TransformerEngine engine, IReadOnlyList<string> measures, int permutations, ulong seed, int shards)
    {
        if (models.Count == 0) throw new SimileException("a grid needs at least one model", "pass -m MODEL (repeatable), e.g. -m minilm -m arctic-xs");
        if (words.Count < 4) throw new SimileException($"a grid needs at least 4 words, got {words.Count}", "use a longer word list (--words FILE)");
        if (permutations < 0) throw new SimileException($"--permutations {permutations} is negative", "use 0 (no p-values) or more, e.g. --permutations 1000");
        if (shards is < 1 or > MaxShards)
            throw new SimileException($"--shards {shards} is outside its range 1–{MaxShards:N0} (comparison shards of a grid)", $"give --shards a value from 1 to {MaxShards:N0}");
        var list = new List<GridModel>();
        foreach (var raw in models)
        {
            string m = raw.Trim();
            string source;
            if (ModelCatalogue.Names.Any(n => n.Equals(m, StringComparison.OrdinalIgnoreCase))) source = m.ToLowerInvariant();
            else if (ModelCatalogue.HubSnapshotOf(m) is { } hub) source = hub.Reference;   // hf:ORG/NAME@COMMIT: the same snapshot on every worker
            else if (Simile.Models.Gguf.OllamaStore.IsOllamaName(m)) source = m;
            else if (Directory.Exists(m) || File.Exists(m)) source = Path.GetFullPath(m);
            else throw new SimileException($"model '{raw}' is neither a catalogue name, an existing file or folder, nor a model of the Hugging Face cache",
                $"use one of {string.Join(", ", ModelCatalogue.Names)}, ORG/NAME of a model in the Hugging Face cache, or a path to a Hugging Face folder or vector file");
            string name = OutputPath.SafeName(TransformerBackend.DisplayName(m));
            if (list.Any(x => x.Name == name))
                throw new SimileException($"two models are both named '{name}' in the grid",
                    "give each model once; rename or move one of two folders with the same name");
            list.Add(new GridModel(name, source));
        }
        if (!representations.Trim().Equals("all", StringComparison.OrdinalIgnoreCase) && representations.Trim().Length == 0)
            throw new SimileException("--representations is empty", "use all, or a comma list such as token,0,3,final");
        var measureList = GridMeasures.ParseList(measures);
        var plan = new GridPlan(list, words, representations.Trim(), context.ToList(), subword, engine, measureList, permutations, seed, shards);
        plan.ContextSpec(); // checks the templates
        return plan;
    }

    /// <summary>The part of the plan the hash covers, as compact JSON in a fixed key order.</summary>
    private string CanonicalInputs() => Json(indented: false, includeRuntime: false);

    /// <summary>plan.json: the inputs, the settings, the hash and the task lists.</summary>
    public string ToJson() => Json(indented: true, includeRuntime: true);

    private string Json(bool indented, bool includeRuntime) => JsonOutput.Text(w =>
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            if (includeRuntime) w.WriteString("hash", Hash);
            w.WriteStartArray("models");
            foreach (var m in Models) { w.WriteStartObject(); w.WriteString("name", m.Name); w.WriteString("source", m.Source); w.WriteEndObject(); }
            w.WriteEndArray();
            w.WriteStartObject("settings");
            w.WriteString("representations", Representations);
            JsonOutput.StringArray(w, "context", Context);
            w.WriteString("subword", Subword.ToString().ToLowerInvariant());
            w.WriteString("engine", Engine.ToString().ToLowerInvariant());
            JsonOutput.StringArray(w, "measures", Measures);
            w.WriteNumber("permutations", Permutations);
            w.WriteString("seed", Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteEndObject();
            w.WriteStartObject("words");
            JsonOutput.StringArray(w, "words", Words.Words);
            w.WriteStartArray("categories");
            foreach (var c in Words.Categories) { if (c is null) w.WriteNullValue(); else w.WriteStringValue(c); }
            w.WriteEndArray();
            w.WriteEndObject();
            if (includeRuntime)
            {
                w.WriteStartArray("extraction_tasks");
                for (int k = 0; k < Models.Count; k++)
                {
                    w.WriteStartObject();
                    w.WriteNumber("task", k);
                    w.WriteString("model", Models[k].Name);
                    w.WriteString("output", $"{VectorsFolder}/{Models[k].Name}.npy");
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartObject("comparison");
                w.WriteNumber("shards", Shards);
                w.WriteString("pairs", "every unordered pair of representations, within and across models, in plan order; shard I of N takes pairs [floor(I·P/N), floor((I+1)·P/N))");
                w.WriteStartArray("shard_files");
                for (int i = 0; i < Shards; i++) w.WriteStringValue($"{ShardsFolder}/{ShardFileName(i, Shards)}");
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }, indented, relaxedEscaping: true) + (indented ? "\n" : "");

    /// <summary>Writes <c>DIR/plan.json</c> atomically (creating DIR) and returns the plan bound to that folder.</summary>
    public GridPlan Write(string folder)
    {
        string full = Path.GetFullPath(folder);
        OutputPath.CheckFolder(full);
        AtomicFile.WriteAllText(Path.Combine(full, PlanFile), ToJson());
        return this with { Folder = full };
    }

    /// <summary>Reads <c>DIR/plan.json</c> (DIR may also be the plan.json file itself); checks its format and hash.</summary>
    public static GridPlan Read(string folder)
    {
        string path = Path.GetFullPath(folder);
        if (File.Exists(path) && Path.GetFileName(path) == PlanFile) path = Path.GetDirectoryName(path)!;
        string file = Path.Combine(path, PlanFile);
        if (!File.Exists(file))
            throw new SimileException($"no {PlanFile} in '{folder}'", "pass the folder written by 'simile grid plan --out DIR' to --plan");
        GridPlan plan;
        string stored;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
            var root = doc.RootElement;
            string format = root.GetProperty("format").GetString() ?? "";
            if (format != Format)
                throw new SimileException($"{file} has format '{format}', this Simile reads '{Format}'", "write the plan again with this version's 'simile grid plan'");
            stored = root.GetProperty("hash").GetString() ?? "";
            var models = root.GetProperty("models").EnumerateArray()
                .Select(m => new GridModel(m.GetProperty("name").GetString()!, m.GetProperty("source").GetString()!)).ToList();
            var s = root.GetProperty("settings");
            var wordsEl = root.GetProperty("words");
            var words = new WordList(
                wordsEl.GetProperty("words").EnumerateArray().Select(x => x.GetString()!).ToList(),
                wordsEl.GetProperty("categories").EnumerateArray().Select(x => x.ValueKind == JsonValueKind.Null ? null : x.GetString()).ToList());
            plan = new GridPlan(models, words,
                s.GetProperty("representations").GetString()!,
                s.GetProperty("context").EnumerateArray().Select(x => x.GetString()!).ToList(),
                Enum.Parse<SubwordPolicy>(s.GetProperty("subword").GetString()!, ignoreCase: true),
                Enum.Parse<TransformerEngine>(s.GetProperty("engine").GetString()!, ignoreCase: true),
                s.GetProperty("measures").EnumerateArray().Select(x => x.GetString()!).ToList(),
                s.GetProperty("permutations").GetInt32(),
                ulong.Parse(s.GetProperty("seed").GetString()!, System.Globalization.CultureInfo.InvariantCulture),
                root.GetProperty("comparison").GetProperty("shards").GetInt32()) { Folder = path };
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new SimileException($"{file} is not a readable grid plan: {e.Message}", "write it again with 'simile grid plan'", e);
        }
        if (plan.Hash != stored)
            throw new SimileException($"{file} was edited: its content hash is {plan.Hash[..12]}…, the file says {stored[..Math.Min(12, stored.Length)]}…",
                "write the plan with 'simile grid plan' instead of editing plan.json");
        GridMeasures.ParseList(plan.Measures);
        return plan;
    }
}
