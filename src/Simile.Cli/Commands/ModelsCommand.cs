using System.Globalization;
using Simile.Models;
using Spectre.Console.Cli;

namespace Simile.Cli.Commands;

/// <summary><c>simile models</c>: the model catalogue as a table (or tab-separated with --tsv).</summary>
public sealed class ModelsCommand : Command<ModelsCommand.Settings>
{
    public sealed class Settings : VerbSettings
    {
        [CommandOption("--tsv")]
        [System.ComponentModel.Description("Write tab-separated values (with a header row) instead of a table.")]
        public bool Tsv { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var entries = ModelCatalogue.Entries();
        var inv = CultureInfo.InvariantCulture;
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
        bool[] right = [false, false, true, true, true, true, false, false, false];
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Max(r => r[c].Length))).ToArray();
        string Line(string[] cells) => string.Join("  ", cells.Select((x, c) => right[c] ? x.PadLeft(widths[c]) : x.PadRight(widths[c]))).TrimEnd();
        Console.WriteLine(Line(header));
        Console.WriteLine(string.Join("  ", widths.Select(w => new string('-', w))));
        foreach (var r in rows) Console.WriteLine(Line(r));
        Console.WriteLine();
        foreach (var m in entries)
            Console.WriteLine($"{m.Name}: {m.Source}" + (m.Attribution is null ? "" : $". {m.Attribution}"));
        // what is on this machine, what first use fetches, and how to provide it without network
        Console.WriteLine();
        foreach (var m in entries)
            if (ModelAvailability.Describe(m.Name) is { } line) Console.WriteLine(line);
        PrintOllama();
        return 0;
    }

    /// <summary>The local Ollama store's models (only when a store exists), usable as -m ollama:NAME.</summary>
    private static void PrintOllama()
    {
        var store = new Simile.Models.Gguf.OllamaStore();
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
}
