using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Simile.Models.Tokenization;

/// <summary>
/// The tokenizer of a model folder: WordPiece (<c>vocab.txt</c>, BERT; Simile's <see cref="WordPieceTokenizer"/>) or byte-level
/// BPE (<c>vocab.json</c> + <c>merges.txt</c>, GPT-2; Simile's byte-level BPE), or either from <c>tokenizer.json</c> when that is all there is.
/// </summary>
public abstract class HuggingFaceTokenizer
{
    /// <summary>Token strings by id (WordPiece "##" continuation pieces; byte-level BPE "Ġ" for a space).</summary>
    public abstract IReadOnlyList<string> IdToToken { get; }
    public int VocabularySize => IdToToken.Count;
    /// <summary>The added tokens (tokenizer.json's <c>added_tokens</c>: specials and other strings matched whole in a text).</summary>
    public virtual IReadOnlyList<string> AddedTokens => [];
    /// <summary>"wordpiece" or "byte-level-bpe".</summary>
    public abstract string Kind { get; }
    /// <summary>True when a word alone is fed with a leading space to get its word-initial form (byte-level BPE: " galaxy" →
    /// Ġgalaxy; SentencePiece without a dummy prefix); false when the tokenizer adds that form itself (SentencePiece's
    /// dummy prefix: "galaxy" → ▁galaxy) or has none (WordPiece).</summary>
    public virtual bool WordsTakeLeadingSpace => Kind == "byte-level-bpe";

    /// <summary>Which file(s) the tokenizer was built from.</summary>
    public string Source { get; protected init; } = "";

    /// <summary>The text as the model is fed it (BERT: [CLS] … [SEP]; GPT-2: nothing added), with character offsets.</summary>
    public abstract TokenizedText EncodeText(string text);

    /// <summary>One word as it appears inside a text, without special tokens (GPT-2: with its leading space).</summary>
    public abstract WordTokens EncodeWord(string word);

    private IReadOnlyList<string>? _vocabularyWords;

    /// <summary>Vocabulary entries that are one whole word (letters only) and tokenize back to exactly that token, in id order.</summary>
    public IReadOnlyList<string> VocabularyWords() => _vocabularyWords ??= FindVocabularyWords();

    private List<string> FindVocabularyWords()
    {
        var words = new List<string>();
        for (int id = 0; id < IdToToken.Count; id++)
        {
            string? word = WordOfToken(IdToToken[id]);
            if (word is null || word.Length == 0 || !word.All(char.IsLetter)) continue;
            var tokens = EncodeWord(word);
            if (tokens.IsSingleToken && tokens.Ids[0] == id) words.Add(word);
        }
        return words;
    }

    /// <summary>The word a whole-word token stands for, or null for pieces, specials and non-words.</summary>
    protected abstract string? WordOfToken(string token);

    /// <summary>Reads the tokenizer files of a model folder.</summary>
    public static HuggingFaceTokenizer Load(string folder, string modelType)
    {
        string vocabTxt = Path.Combine(folder, "vocab.txt");
        string vocabJson = Path.Combine(folder, "vocab.json");
        string merges = Path.Combine(folder, "merges.txt");
        string tokJson = Path.Combine(folder, "tokenizer.json");
        string spModel = Path.Combine(folder, "tokenizer.model");
        if (modelType is not ("bert" or "gpt2"))
        {
            // Modern decoders (and any other architecture): BPE from tokenizer.json, else SentencePiece's tokenizer.model.
            if (File.Exists(tokJson) && BpeModelTokenizer.FromTokenizerJson(tokJson, folder) is { } bpe) return bpe;
            if (File.Exists(tokJson) && UnigramFromTokenizerJson(tokJson) is { } unigram) return unigram;
            // XLM-R: sentencepiece.bpe.model is a Unigram model read with the fairseq dictionary.
            string fairseqModel = Path.Combine(folder, "sentencepiece.bpe.model");
            if (!File.Exists(tokJson) && File.Exists(fairseqModel)) return UnigramModelTokenizer.FromSentencePieceModel(fairseqModel, fairseq: true);
            if (!File.Exists(tokJson) && File.Exists(spModel))
                return SentencePieceModelFile.Parse(File.ReadAllBytes(spModel), spModel).ModelType == 1
                    ? UnigramModelTokenizer.FromSentencePieceModel(spModel, fairseq: modelType == "xlm-roberta")
                    : BpeModelTokenizer.FromSentencePieceModel(spModel, folder);
            // RoBERTa without tokenizer.json: GPT-2's files, fed as <s> … </s>.
            if (modelType == "roberta" && !File.Exists(tokJson) && File.Exists(vocabJson) && File.Exists(merges))
                return RobertaFromFiles(vocabJson, merges);
        }
        if (modelType == "bert" && File.Exists(vocabTxt))
            return WordPieceModelTokenizer.FromVocabFile(vocabTxt, LowerCaseFromConfig(folder));
        if (modelType == "gpt2" && File.Exists(vocabJson) && File.Exists(merges))
            return ByteLevelBpeModelTokenizer.FromFiles(vocabJson, merges);
        if (File.Exists(tokJson))
            return FromTokenizerJson(tokJson);
        string expected = modelType == "bert" ? "vocab.txt" : modelType == "gpt2" ? "vocab.json and merges.txt" : "tokenizer.model";
        throw new SimileException($"model folder '{folder}' has no tokenizer files ({expected}, or tokenizer.json)",
            $"copy the model's {expected} (or tokenizer.json) into the folder");
    }

    /// <summary>A tokenizer.json whose model is Unigram; null for any other model type.</summary>
    private static UnigramModelTokenizer? UnigramFromTokenizerJson(string path)
    {
        using var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(path), path, "fix or re-download tokenizer.json",
            new JsonDocumentOptions { MaxDepth = 256 });
        var r = doc.RootElement;
        try
        {
            return r.ValueKind == JsonValueKind.Object && r.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object
                && m.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "Unigram"
                ? UnigramModelTokenizer.FromTokenizerJson(r, path) : null;
        }
        catch (InvalidOperationException e)   // a string that is not valid UTF-16 once unescaped (a lone surrogate)
        {
            throw new SimileException($"'{path}' has a string that is not valid text: {e.Message}", "fix or re-download tokenizer.json", e);
        }
    }

    /// <summary>RoBERTa's vocab.json + merges.txt: GPT-2's byte-level BPE with &lt;s&gt; … &lt;/s&gt; around a text.</summary>
    private static BpeModelTokenizer RobertaFromFiles(string vocabJson, string mergesTxt)
    {
        var gpt2 = ByteLevelBpeModelTokenizer.FromFiles(vocabJson, mergesTxt);
        var tokens = gpt2.Bpe.Data.Tokens;
        int Id(string s) => tokens.ToList().IndexOf(s) is int i and >= 0 ? i
            : throw new SimileException($"'{vocabJson}' has no {s} token, which RoBERTa puts around every text", "use the model's own vocab.json");
        string[] specials = ["<s>", "<pad>", "</s>", "<unk>", "<mask>"];
        var data = gpt2.Bpe.Data with
        {
            BosId = Id("<s>"), EosId = Id("</s>"), AddBos = true, AddEos = true,
            SpecialTokens = specials.Where(s => tokens.Contains(s)).ToList(),
        };
        return new BpeModelTokenizer(data, gpt2.Source);
    }

    /// <summary>do_lower_case from tokenizer_config.json; uncased (true) when not stated.</summary>
    private static bool LowerCaseFromConfig(string folder)
    {
        string path = Path.Combine(folder, "tokenizer_config.json");
        if (!File.Exists(path)) return true;
        using var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(path), path, "fix or re-download tokenizer_config.json",
            new JsonDocumentOptions { AllowTrailingCommas = true });
        if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("do_lower_case", out var v))
        {
            if (v.ValueKind == JsonValueKind.False) return false;
            if (v.ValueKind == JsonValueKind.True) return true;
        }
        return true;
    }

    private static HuggingFaceTokenizer FromTokenizerJson(string path)
    {
        using var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(path), path, "fix or re-download tokenizer.json");
        var root = doc.RootElement;
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw new SimileException($"'{path}' has no 'model' object", "fix or re-download tokenizer.json");
        string type = model.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "";
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object)
            throw new SimileException($"'{path}': model has no 'vocab' object", "fix or re-download tokenizer.json");
        var pairs = new List<KeyValuePair<string, int>>();
        foreach (var p in vocab.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0)
                throw new SimileException($"'{path}': vocab entry '{p.Name}' has no valid id", "fix or re-download tokenizer.json");
            pairs.Add(new(p.Name, id));
        }
        if (type == "WordPiece")
        {
            bool lower = true;
            if (root.TryGetProperty("normalizer", out var norm) && norm.ValueKind == JsonValueKind.Object
                && norm.TryGetProperty("lowercase", out var lc) && lc.ValueKind == JsonValueKind.False)
                lower = false;
            var byId = OrderedById(pairs, path);
            return WordPieceModelTokenizer.FromTokens(byId, lower, path);
        }
        if (type == "BPE")
        {
            // Only byte-level BPE (GPT-2 style) is read: a BPE with another pre-tokenizer would be mis-tokenized.
            if (root.TryGetProperty("pre_tokenizer", out var pre) && pre.ValueKind != JsonValueKind.Null
                && !pre.GetRawText().Contains("\"ByteLevel\"", StringComparison.Ordinal))
                throw new SimileException($"'{path}': BPE tokenizer without a ByteLevel pre-tokenizer is not supported (only GPT-2-style byte-level BPE)",
                    "provide the model's vocab.json + merges.txt, or use a byte-level BPE model");
            if (!model.TryGetProperty("merges", out var m) || m.ValueKind != JsonValueKind.Array)
                throw new SimileException($"'{path}': BPE model has no 'merges' array", "fix or re-download tokenizer.json");
            var mergeLines = new List<string>();
            foreach (var e in m.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String) mergeLines.Add(e.GetString()!);
                else if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2
                         && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String)
                    mergeLines.Add(e[0].GetString() + " " + e[1].GetString());
                else throw new SimileException($"'{path}': a merges entry is neither \"a b\" nor [\"a\", \"b\"]", "fix or re-download tokenizer.json");
            }
            return ByteLevelBpeModelTokenizer.FromData(pairs, mergeLines, path);
        }
        throw new SimileException($"'{path}': tokenizer model type \"{type}\" is not supported (WordPiece and BPE only)",
            "provide vocab.txt (BERT) or vocab.json + merges.txt (GPT-2)");
    }

    private static string[] OrderedById(List<KeyValuePair<string, int>> pairs, string path)
    {
        int max = pairs.Count == 0 ? -1 : pairs.Max(p => p.Value);
        if (max >= pairs.Count)
            throw new SimileException($"'{path}': vocabulary ids are not 0..{pairs.Count - 1} (largest id {max})", "fix or re-download the tokenizer file");
        var byId = new string[pairs.Count];
        foreach (var (tok, id) in pairs)
        {
            if (byId[id] is not null) throw new SimileException($"'{path}': id {id} is used by '{byId[id]}' and '{tok}'", "fix or re-download the tokenizer file");
            byId[id] = tok;
        }
        return byId;
    }

    internal static (int Start, int Length) ToOffset(Range r, int textLength)
    {
        int s = Math.Clamp(r.Start.GetOffset(textLength), 0, textLength);
        int e = Math.Clamp(r.End.GetOffset(textLength), s, textLength);
        return (s, e - s);
    }

    internal static SimileException TokenizerError(string path, Exception e) =>
        new($"cannot build the tokenizer from '{path}': {e.Message}", "fix or re-download the tokenizer files", e);
}

/// <summary>
/// BERT WordPiece through Simile's own <see cref="WordPieceTokenizer"/> (the same one the embedded models use): basic
/// tokenization, optional lowercasing with accent stripping, and exact character offsets into the input text.
/// </summary>
public sealed class WordPieceModelTokenizer : HuggingFaceTokenizer
{
    private readonly WordPieceTokenizer _tokenizer;
    private readonly string[] _tokens;

    public override IReadOnlyList<string> IdToToken => _tokens;
    public override string Kind => "wordpiece";
    public int ClsId => _tokenizer.ClassificationId;
    public int SepId => _tokenizer.SeparatorId;
    public int UnknownId => _tokenizer.UnknownId;
    public bool LowerCase => _tokenizer.LowerCase;

    private WordPieceModelTokenizer(WordPieceTokenizer tokenizer, string[] tokens, string source)
    {
        _tokenizer = tokenizer; _tokens = tokens; Source = source;
    }

    public static WordPieceModelTokenizer FromVocabFile(string path, bool lowerCase)
    {
        string[] lines = File.ReadAllLines(path, Encoding.UTF8);
        // vocab.txt: one token per line, id = line number (a trailing empty line is not a token).
        int n = lines.Length;
        while (n > 0 && lines[n - 1].Length == 0) n--;
        return FromTokens(lines[..n], lowerCase, path);
    }

    public static WordPieceModelTokenizer FromTokens(string[] tokens, bool lowerCase, string source)
    {
        foreach (var required in new[] { "[CLS]", "[SEP]", "[UNK]" })
            if (Array.IndexOf(tokens, required) < 0)
                throw new SimileException($"WordPiece vocabulary '{source}' lacks the token {required}", "use the model's own vocab.txt");
        return new WordPieceModelTokenizer(new WordPieceTokenizer(tokens, lowerCase, source), tokens, source);
    }

    public override TokenizedText EncodeText(string text) => _tokenizer.TokenizeText(text);

    public override WordTokens EncodeWord(string word)
    {
        if (string.IsNullOrWhiteSpace(word)) return new WordTokens(word, false, [], []);
        var tokens = _tokenizer.Tokenize(word);
        var ids = tokens.Select(t => t.Id).ToList();
        bool known = ids.Count > 0 && !ids.Contains(UnknownId);
        return new WordTokens(word, known, ids, tokens.Select(t => t.Piece).ToList());
    }

    protected override string? WordOfToken(string token) =>
        token.StartsWith("##", StringComparison.Ordinal) || (token.StartsWith('[') && token.EndsWith(']')) ? null : token;
}

/// <summary>
/// GPT-2's byte-level BPE files (<c>vocab.json</c> + <c>merges.txt</c>, or a GPT-2-style <c>tokenizer.json</c>) as
/// Simile's one byte-level BPE (<see cref="BpeModelTokenizer"/> over <see cref="BpeTokenizer"/>, GPT-2's
/// split regex, no BOS): the same implementation as Llama-3/Qwen2 folders and GGUF files.
/// </summary>
public static class ByteLevelBpeModelTokenizer
{
    public static BpeModelTokenizer FromFiles(string vocabJson, string mergesTxt)
    {
        List<KeyValuePair<string, int>> pairs;
        try
        {
            var dict = JsonSerializer.Deserialize<Dictionary<string, int>>(File.ReadAllBytes(vocabJson))
                ?? throw new SimileException($"'{vocabJson}' is empty", "use the model's own vocab.json");
            pairs = dict.ToList();
        }
        catch (JsonException e)
        {
            throw new SimileException($"'{vocabJson}' is not a JSON object of token → id: {e.Message}", "use the model's own vocab.json", e);
        }
        var merges = File.ReadAllLines(mergesTxt, Encoding.UTF8)
            .Where(l => l.Length > 0 && !l.StartsWith("#version", StringComparison.Ordinal)).ToList();
        return FromData(pairs, merges, vocabJson + " + " + Path.GetFileName(mergesTxt));
    }

    public static BpeModelTokenizer FromData(List<KeyValuePair<string, int>> vocab, List<string> merges, string source)
    {
        int max = vocab.Count == 0 ? -1 : vocab.Max(p => p.Value);
        if (max >= vocab.Count || vocab.Any(p => p.Value < 0))
            throw new SimileException($"BPE vocabulary '{source}': ids are not 0..{vocab.Count - 1} (largest id {max})", "use the model's own vocab.json");
        var tokens = new string[vocab.Count];
        foreach (var (tok, id) in vocab)
        {
            if (tokens[id] is not null)
                throw new SimileException($"BPE vocabulary '{source}': id {id} is used by '{tokens[id]}' and '{tok}'", "use the model's own vocab.json");
            tokens[id] = tok;
        }
        var pairs = new List<(string, string)>(merges.Count);
        for (int i = 0; i < merges.Count; i++)
        {
            var parts = merges[i].Split(' ');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
                throw new SimileException($"BPE merges '{source}': merge {i + 1} \"{merges[i]}\" is not two space-separated pieces", "use the model's own merges.txt");
            pairs.Add((parts[0], parts[1]));
        }
        return new BpeModelTokenizer(new BpeTokenizerData(BpeKind.ByteLevel, tokens, Merges: pairs, SplitPatterns: [BpeTokenizer.Gpt2Pattern]), source);
    }
}
