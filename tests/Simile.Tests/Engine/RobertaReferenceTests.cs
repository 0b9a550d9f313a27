using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// RoBERTa and XLM-RoBERTa against the float64 references of tests/reference/modern (written from modeling_roberta.py:
/// positions from pad_token_id + 1, one token-type row, post-LN BERT layers): roberta-tiny (byte-level BPE
/// tokenizer.json with RobertaProcessing, ids from Hugging Face tokenizers) and xlm-roberta-tiny (a SentencePiece
/// Unigram model trained by python3-sentencepiece, read as sentencepiece.bpe.model with the fairseq ids, and the same
/// vocabulary as a Unigram tokenizer.json). Every layer of every input at 1e-4, attention of block 1 at 1e-5.
/// </summary>
public class RobertaReferenceTests
{
    private const double Tolerance = 1e-4;
    private static string Modern => Path.Combine(TestPaths.Reference, "modern");

    public static TheoryData<string, string> Folders => new()
    {
        { "roberta-tiny", "roberta-tiny-expected.json" },
        { "xlm-roberta-tiny", "xlm-roberta-tiny-expected.json" },
        { "xlm-roberta-tiny-json", "xlm-roberta-tiny-expected.json" },
    };

    [Theory]
    [MemberData(nameof(Folders))]
    public void EveryLayerMatchesTheReference(string folder, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        string path = Path.Combine(Modern, folder);
        var config = HuggingFaceConfig.Load(path);
        Assert.Equal(1, config.PaddingId);
        using var ckpt = SafetensorsCheckpoint.Open(path);
        var model = new BertModel(HuggingFaceWeights.LoadBert(ckpt, config));
        Assert.Equal(config.MaxPositions - 2, model.MaxPositions);   // positions 2 … max_position_embeddings − 1
        FamilyReference.Check(model, doc, Tolerance, decoder: false);
    }

    [Theory]
    [MemberData(nameof(Folders))]
    public void TheFolderTokenizesAsTheReferenceAndRunsEveryVerbsPath(string folder, string expected)
    {
        using var doc = FamilyReference.Load(expected);
        using var model = HuggingFaceModel.Open(Path.Combine(Modern, folder));
        Assert.Equal(["token", "0", "1", "2"], model.RepresentationLabels);
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        var runs = model.Run(inputs.Select(i => i.GetProperty("text").GetString()!).ToList(), withAttention: true);
        for (int k = 0; k < inputs.Count; k++)
        {
            Assert.Equal(inputs[k].GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), runs[k].Input.Ids);
            for (int l = 0; l <= 2; l++)
            {
                double d = HiddenStateReference.MaxDiff(runs[k].Hidden[l + 1], HiddenStateReference.Rows(inputs[k].GetProperty("layers").GetProperty(l.ToString())));
                Assert.True(d <= Tolerance, $"input {k} layer {l}: {d:E3}");
            }
        }
        // RoBERTa: a word alone is " galaxy" (Ġgalaxy); XLM-R: "galaxy" gets its ▁ from the dummy prefix.
        Assert.Equal(folder == "roberta-tiny", model.UsesLeadingSpace);
        var tokens = model.Tokenize("galaxy");
        Assert.Equal(inputs[0].GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).Skip(1).SkipLast(1), tokens.Ids);
    }

    [Fact]
    public void XlmRobertaTokenEmbeddingsOpenWithoutTheModel()
    {
        // --layer token / rsa read only the embedding matrix: the Unigram tokenizer must load there too.
        using var doc = FamilyReference.Load("xlm-roberta-tiny-expected.json");
        using var e = HuggingFaceModel.OpenEmbeddings(Path.Combine(Modern, "xlm-roberta-tiny"));
        var input = doc.RootElement.GetProperty("inputs")[1];                    // "banana": <s> ▁banana </s>
        Assert.Equal("banana", input.GetProperty("text").GetString());
        var row = HiddenStateReference.Rows(input.GetProperty("token"))[1];
        var set = e.Vectors(["banana"], SubwordPolicy.Error);
        for (int j = 0; j < row.Length; j++) Assert.Equal(row[j], set.Vectors[0, j], 6);
        Assert.Contains("banana", e.VocabularyWords());
    }

    [Fact]
    public void RobertaWithVocabJsonAndMergesTxtFeedsSAndSlashS()
    {
        // An older RoBERTa folder: vocab.json + merges.txt (GPT-2's files) and no tokenizer.json.
        using var doc = FamilyReference.Load("roberta-tiny-expected.json");
        string dir = Path.Combine(Path.GetTempPath(), "simile-roberta-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            string src = Path.Combine(Modern, "roberta-tiny");
            foreach (var f in new[] { "config.json", "model.safetensors" }) File.Copy(Path.Combine(src, f), Path.Combine(dir, f));
            using (var tj = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(src, "tokenizer.json"))))
            {
                var model = tj.RootElement.GetProperty("model");
                File.WriteAllText(Path.Combine(dir, "vocab.json"), model.GetProperty("vocab").GetRawText());
                File.WriteAllLines(Path.Combine(dir, "merges.txt"), ["#version: 0.2", .. model.GetProperty("merges").EnumerateArray().Select(m => m.GetString()!)]);
            }
            using var m = HuggingFaceModel.Open(dir);
            Assert.True(m.UsesLeadingSpace);
            foreach (var input in doc.RootElement.GetProperty("inputs").EnumerateArray())
                Assert.Equal(input.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()),
                    m.TokenizeText(input.GetProperty("text").GetString()!).Ids);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Theory]
    [InlineData("\"pad_token_id\": -3", "pad_token_id")]
    [InlineData("\"pad_token_id\": 100000", "pad_token_id 100000")]
    [InlineData("\"max_position_embeddings\": 2", "leaves no position")]
    [InlineData("\"num_attention_heads\": 5", "not a multiple")]
    [InlineData("\"num_attention_heads\": 0", "num_attention_heads")]
    public void ABadConfigIsOneLine(string field, string message)
    {
        var fields = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(Modern, "roberta-tiny", "config.json")))!.AsObject();
        string name = field[1..field.IndexOf('"', 1)];
        fields[name] = System.Text.Json.Nodes.JsonNode.Parse("{" + field + "}")![name]!.DeepClone();
        var e = Assert.Throws<SimileException>(() => HuggingFaceConfig.Parse(System.Text.Encoding.UTF8.GetBytes(fields.ToJsonString()), "config.json"));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }
}
