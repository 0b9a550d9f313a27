using System.Security.Cryptography;
using System.Text.Json;
using Simile.Tests.Models;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>The verbs on a .gguf path and on ollama: names (a fake store through OLLAMA_MODELS).</summary>
[Collection(ConsoleCollection.Name)]
public class GgufCliTests
{
    private static readonly string Gguf = Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf", "llama-tiny-Q8_0-embd.gguf");

    private static string Words(TempFolder tmp)
    {
        string path = tmp.File("words.tsv");
        File.WriteAllText(path, "word\tcategory\ngalaxy\tspace\ncomet\tspace\nbanana\tfood\napple\tfood\ncouch\tthing\n");
        return path;
    }

    [Fact]
    public void Inspect_and_token_vectors_of_a_gguf_file()
    {
        using var tmp = new TempFolder();
        var inspect = CliRunner.Run("inspect", Gguf);
        Assert.True(inspect.ExitCode == 0, inspect.ToString());
        Assert.Matches(@"token_embd\.weight\s+Q8_0\s+\[287, 64\]", inspect.Stdout);

        string npy = tmp.File("v.npy");
        var r = CliRunner.Run("vectors", "-m", Gguf, "--words", Words(tmp), "--layer", "token", "--out", npy);
        Assert.True(r.ExitCode == 0, r.ToString());
        // .npy float32 [1, 5, 64]: the first word's row is token 261's exact Q8_0 row from the reference.
        var bytes = File.ReadAllBytes(npy);
        int headerLen = BitConverter.ToUInt16(bytes, 8);
        var values = new float[5 * 64];
        Buffer.BlockCopy(bytes, 10 + headerLen, values, 0, values.Length * 4);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", "llama-tiny-gguf-expected.json")));
        var row = doc.RootElement.GetProperty("variants").GetProperty("llama-tiny-Q8_0-embd.gguf").GetProperty("token_embd")
            .GetProperty("rows").GetProperty("261").EnumerateArray().Select(x => (float)x.GetDouble()).ToArray();
        Assert.Equal(row, values[..64]);
    }

    [Fact]
    public void Ollama_names_work_in_models_inspect_and_vectors()
    {
        using var tmp = new TempFolder();
        var bytes = File.ReadAllBytes(Gguf);
        string hex = Convert.ToHexStringLower(SHA256.HashData(bytes));
        Directory.CreateDirectory(tmp.File("store/blobs"));
        File.WriteAllBytes(tmp.File("store/blobs/sha256-" + hex), bytes);
        Directory.CreateDirectory(tmp.File("store/manifests/registry.ollama.ai/library/tiny"));
        File.WriteAllText(tmp.File("store/manifests/registry.ollama.ai/library/tiny/latest"),
            $$"""{"schemaVersion":2,"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:{{hex}}","size":{{bytes.Length}}}]}""");
        string? saved = Environment.GetEnvironmentVariable("OLLAMA_MODELS");
        Environment.SetEnvironmentVariable("OLLAMA_MODELS", tmp.File("store"));
        try
        {
            var models = CliRunner.Run("models");
            Assert.True(models.ExitCode == 0, models.ToString());
            Assert.Contains("tiny:latest", models.Stdout);
            var inspect = CliRunner.Run("inspect", "ollama:tiny");
            Assert.True(inspect.ExitCode == 0, inspect.ToString());
            Assert.Contains("ollama:tiny:latest", inspect.Stdout);
            var r = CliRunner.Run("vectors", "-m", "ollama:tiny", "--words", Words(tmp), "--layer", "token", "--out", tmp.File("o.npy"));
            Assert.True(r.ExitCode == 0, r.ToString());
            var missing = CliRunner.Run("vectors", "-m", "ollama:absent", "--words", Words(tmp), "--layer", "token", "--out", tmp.File("x.npy"));
            Assert.Equal(2, missing.ExitCode);
            Assert.StartsWith("simile: error: Ollama model 'absent:latest' is not in the local store", missing.Stderr);
            Assert.False(File.Exists(tmp.File("x.npy")));
        }
        finally
        {
            Environment.SetEnvironmentVariable("OLLAMA_MODELS", saved);
        }
    }
}
