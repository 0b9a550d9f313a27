using System.Text.Json;
using Simile.Data;
using Simile.Models.HuggingFace;
using Simile.Tests.Cli;
using Simile.Tests.Engine;
using Simile.Tests.Models.HuggingFace;
using Simile.Tests.Models.Tokenization;
using Xunit;
using TempFolder = Simile.Tests.Data.TempFolder;

namespace Simile.Tests.Cli;

/// <summary>
/// The CLI contract on Llama-family folders: <c>simile vectors --model PATH --words W --layer all --context none</c> gives
/// [layers, words, dims] with labels token, 0…L, final, each value the naive float64 reference at the word's own token
/// (after BOS); and an architecture the pass does not know still gives its token embeddings.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class DecoderVectorsTests
{
    private static string[] Strings(JsonElement e) => e.EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static void CheckAgainstReference(string family, Action<string> writeTokenizer, (string Word, int[] Ids)[] words)
    {
        var spec = DecoderFamilyTests.Family(family);
        using var dir = new TempFolder();
        string model = Path.Combine(dir.Path, "model");
        var w = DecoderFamilyTests.WriteCheckpoint(spec, model, seed: 11);
        writeTokenizer(model);
        string wordsFile = dir.Write("words.tsv", "word\tcategory\n" + string.Concat(words.Select(x => $"{x.Word}\tthing\n")));
        string outPath = dir.File("v.npy");
        var r = CliRunner.Run("vectors", "--model", model, "--words", wordsFile, "--layer", "all", "--context", "none", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());

        var npy = NpyFile.Read(outPath);
        int reps = spec.L + 3;
        Assert.Equal([reps, words.Length, spec.D], npy.Shape);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(outPath, ".json"))).RootElement;
        Assert.Equal(["token", "0", .. Enumerable.Range(1, spec.L).Select(i => i.ToString()), "final"], Strings(side.GetProperty("layers")));
        var values = npy.Float32!;
        for (int k = 0; k < words.Length; k++)
        {
            var (hidden, _) = DecoderFamilyTests.Reference(spec, w, words[k].Ids);
            int at = words[k].Ids.Length - 1;   // the word's single token, after BOS
            for (int rep = 0; rep < reps; rep++)
                for (int d = 0; d < spec.D; d++)
                {
                    double expected = hidden[rep][at][d], actual = values[(rep * words.Length + k) * spec.D + d];
                    Assert.True(Math.Abs(expected - actual) <= 1e-4 * Math.Max(1, Math.Abs(expected)),
                        $"{family} '{words[k].Word}' representation {rep} dim {d}: {actual} vs {expected}");
                }
        }
    }

    [Fact]
    public void MistralFolderWithSentencePieceTokenizerJson() =>
        CheckAgainstReference("mistral",
            folder => File.WriteAllText(Path.Combine(folder, "tokenizer.json"), BpeTokenizerTests.SpTokenizerJson(
                """{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}""", "null")),
            [("galaxy", [1, 16]), ("gal", [1, 13]), ("g", [1, 11])]);

    [Fact]
    public void GemmaFolderWithTokenizerModelScalesLayerZero() =>
        CheckAgainstReference("gemma",
            folder => File.WriteAllBytes(Path.Combine(folder, "tokenizer.model"),
                BpeTokenizerTests.SentencePieceModel(BpeTokenizerTests.SpPieces, byteFallback: true, dummyPrefix: true)),
            [("galaxy", [1, 14]), ("gal", [1, 11]), ("g", [1, 9])]);

    [Fact]
    public void LlamaTinyReferenceFolderThroughTheCli()
    {
        using var dir = new TempFolder();
        string model = Path.Combine(TestPaths.Reference, "modern", "llama-tiny");
        string wordsFile = dir.Write("words.tsv", "word\tcategory\ngalaxy\tspace\nbanana\tfood\napple\tfood\n");
        string outPath = dir.File("v.npy");
        var r = CliRunner.Run("vectors", "--model", model, "--words", wordsFile, "--layer", "all", "--context", "none", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var npy = NpyFile.Read(outPath);
        Assert.Equal([6, 3, 64], npy.Shape);
        var side = JsonDocument.Parse(File.ReadAllText(Path.ChangeExtension(outPath, ".json"))).RootElement;
        Assert.Equal(["token", "0", "1", "2", "3", "final"], Strings(side.GetProperty("layers")));
        Assert.Equal(["Ġgalaxy"], Strings(side.GetProperty("pieces")[0]));
        using var expected = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", "llama-tiny-expected.json")));
        var inputs = expected.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        string[] keys = ["0", "0", "1", "2", "3"];
        string[] texts = [" galaxy", " banana", " apple"];
        for (int k = 0; k < 3; k++)
        {
            var input = inputs.Single(i => i.GetProperty("text").GetString() == texts[k]);
            for (int rep = 0; rep < 6; rep++)
            {
                var row = rep < 5 ? input.GetProperty("layers").GetProperty(keys[rep])[1] : input.GetProperty("final_norm")[1];
                for (int d = 0; d < 64; d++)
                    Assert.True(Math.Abs(row[d].GetDouble() - npy.Float32![(rep * 3 + k) * 64 + d]) <= 1e-4, $"word {k} rep {rep} dim {d}");
            }
        }
    }

    [Fact]
    public void AnUnknownArchitectureStillGivesTokenEmbeddings()
    {
        using var dir = new TempFolder();
        string model = Path.Combine(dir.Path, "falcon");
        Directory.CreateDirectory(model);
        File.WriteAllText(Path.Combine(model, "config.json"),
            """{"architectures":["FalconForCausalLM"],"model_type":"falcon","hidden_size":8,"vocab_size":18,"num_hidden_layers":2}""");
        var rows = new float[18 * 8];
        for (int i = 0; i < rows.Length; i++) rows[i] = (i % 17) * 0.25f - 1;
        SafetensorsWriter.Write(Path.Combine(model, "model.safetensors"),
            [new TestTensor("transformer.word_embeddings.weight", SafetensorsDType.BF16, [18, 8], rows)]);
        File.WriteAllText(Path.Combine(model, "tokenizer.json"), BpeTokenizerTests.SpTokenizerJson(
            """{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}""", "null"));
        string wordsFile = dir.Write("words.tsv", "word\tcategory\ngalaxy\ta\ngal\tb\ng\tb\n");
        string outPath = dir.File("v.npy");

        var r = CliRunner.Run("vectors", "--model", model, "--words", wordsFile, "--layer", "token", "--out", outPath);
        Assert.True(r.ExitCode == 0, r.ToString());
        var values = NpyFile.Read(outPath).Float32!;
        Assert.Equal(3 * 8, values.Length);
        for (int d = 0; d < 8; d++)
        {
            Assert.Equal(rows[16 * 8 + d], values[d]);       // ▁galaxy = 16
            Assert.Equal(rows[13 * 8 + d], values[8 + d]);   // ▁gal = 13
        }

        r = CliRunner.Run("vectors", "--model", model, "--words", wordsFile, "--layer", "all", "--out", dir.File("w.npy"));
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("FalconForCausalLM", line);
        Assert.Contains("LlamaForCausalLM", line);
        Assert.False(File.Exists(dir.File("w.npy")));

        r = CliRunner.Run("inspect", model, "--plain");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("token embeddings only", r.Stdout);
    }
}
