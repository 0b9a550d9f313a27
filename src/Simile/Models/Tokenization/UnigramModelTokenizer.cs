using System.Text;
using System.Text.Json;

namespace Simile.Models.Tokenization;

/// <summary>
/// A SentencePiece Unigram tokenizer (XLM-RoBERTa and other SentencePiece-Unigram models) through Simile's
/// <see cref="UnigramTokenizer"/>, from <c>tokenizer.json</c> (<c>model.type: Unigram</c>) or from a SentencePiece model
/// of type 1 (<c>sentencepiece.bpe.model</c>, <c>tokenizer.model</c>). XLM-R's SentencePiece file is read with the
/// fairseq dictionary the model was trained with: &lt;s&gt; 0, &lt;pad&gt; 1, &lt;/s&gt; 2, &lt;unk&gt; 3, SentencePiece
/// piece i (i ≥ 3) at i + 1, &lt;mask&gt; last; a text is fed as &lt;s&gt; … &lt;/s&gt;. Words alone need no leading
/// space: the dummy prefix gives their word-initial ▁ form.
/// </summary>
public sealed class UnigramModelTokenizer : HuggingFaceTokenizer
{
    public UnigramTokenizer Unigram { get; }

    public override IReadOnlyList<string> IdToToken => Unigram.Tokens;
    public override string Kind => "sentencepiece-unigram";
    public override bool WordsTakeLeadingSpace => !Unigram.Data.AddDummyPrefix;

    public UnigramModelTokenizer(UnigramTokenizerData data, string source)
    {
        Unigram = new UnigramTokenizer(data, source);
        Source = source;
    }

    public override TokenizedText EncodeText(string text)
    {
        var tokens = Unigram.EncodeText(text);
        return new(text, tokens.Select(t => t.Id).ToArray(), tokens.Select(t => t.Piece).ToArray(), tokens.Select(t => (t.Start, t.Length)).ToArray());
    }

    public override WordTokens EncodeWord(string word)
    {
        if (string.IsNullOrWhiteSpace(word)) return new WordTokens(word, false, [], []);
        var tokens = Unigram.Encode(word, withSpecials: false);
        var ids = tokens.Select(t => t.Id).ToList();
        bool known = ids.Count > 0 && !ids.Contains(Unigram.Data.UnknownId);
        return new WordTokens(word, known, ids, tokens.Select(t => t.Piece).ToList());
    }

    protected override string? WordOfToken(string token) =>
        token.Length > 1 && token[0] == UnigramTokenizer.SpaceMark ? token[1..] : null;

    /// <summary>The fairseq dictionary's four leading symbols (XLM-R, CamemBERT-style checkpoints).</summary>
    private static readonly string[] FairseqSpecials = ["<s>", "<pad>", "</s>", "<unk>"];

    /// <summary>A SentencePiece Unigram model file; <paramref name="fairseq"/>: XLM-R's fairseq id offset and &lt;mask&gt;.</summary>
    public static UnigramModelTokenizer FromSentencePieceModel(string path, bool fairseq)
    {
        var m = SentencePieceModelFile.Parse(File.ReadAllBytes(path), path);
        if (m.ModelType != 1)
            throw new SimileException($"'{path}' is a SentencePiece {(m.ModelType == 2 ? "BPE" : $"type-{m.ModelType}")} model, not Unigram",
                "use the model's own tokenizer files");
        if (m.ByteFallback)
            throw new SimileException($"'{path}': a Unigram model with byte fallback is not supported", "provide the model's tokenizer.json");
        var norm = m.Normalizers(path);
        int n = m.Pieces.Count;
        bool Normal(int i) => m.Types[i] is 1 or 4;
        if (!fairseq)
        {
            var matchable = Enumerable.Range(0, n).Select(Normal).ToArray();
            var specials = Enumerable.Range(0, n).Where(i => m.Types[i] is 2 or 3).Select(i => m.Pieces[i]).ToList();
            return new UnigramModelTokenizer(new UnigramTokenizerData(m.Pieces, m.Scores, matchable, m.UnknownId,
                m.BosId >= 0 && m.BosId < n ? m.BosId : null, m.EosId >= 0 && m.EosId < n ? m.EosId : null,
                m.AddDummyPrefix, m.RemoveExtraWhitespaces, norm, specials,
                Enumerable.Range(0, n).Where(i => m.Types[i] == 4).ToList()), path);
        }
        if (new[] { m.UnknownId, m.BosId, m.EosId }.Order().SequenceEqual([0, 1, 2]) is false || n < 3)
            throw new SimileException($"'{path}': the SentencePiece ids of <unk>, <s>, </s> are {m.UnknownId}, {m.BosId}, {m.EosId}, not 0, 1, 2 as the fairseq dictionary of XLM-R needs",
                "use the model's tokenizer.json");
        var pieces = new List<string>(FairseqSpecials);
        var scores = new List<float> { 0, 0, 0, 0 };
        var match = new List<bool> { false, false, false, false };
        var user = new List<int>();
        for (int i = 3; i < n; i++)
        {
            pieces.Add(m.Pieces[i]);
            scores.Add(m.Scores[i]);
            match.Add(Normal(i));
            if (m.Types[i] == 4) user.Add(pieces.Count - 1);
        }
        pieces.Add("<mask>");
        scores.Add(0);
        match.Add(false);
        return new UnigramModelTokenizer(new UnigramTokenizerData(pieces, scores, match, UnknownId: 3, BosId: 0, EosId: 2,
            m.AddDummyPrefix, m.RemoveExtraWhitespaces, norm, [.. FairseqSpecials, "<mask>"], user), path);
    }

    /// <summary>
    /// tokenizer.json with a Unigram model: vocab [[piece, score], …], unk_id; added_tokens (kept whole in a text);
    /// normalizer NFKC / Precompiled (its character map, applied as Hugging Face applies it) /
    /// Replace of space runs / Strip; pre-tokenizer Metaspace (▁, prepend); post-processor TemplateProcessing or
    /// RobertaProcessing (BOS/EOS).
    /// </summary>
    public static UnigramModelTokenizer FromTokenizerJson(JsonElement root, string path)
    {
        SimileException Bad(string what) => new($"'{path}': {what}", "fix or re-download tokenizer.json");
        if (!root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object) throw Bad("no 'model' object");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Array) throw Bad("Unigram model has no 'vocab' array");
        if (model.TryGetProperty("byte_fallback", out var bf) && bf.ValueKind == JsonValueKind.True)
            throw Bad("a Unigram model with byte_fallback is not supported");
        var pieces = new List<string>();
        var scores = new List<float>();
        foreach (var e in vocab.EnumerateArray())
        {
            if (e.ValueKind != JsonValueKind.Array || e.GetArrayLength() != 2 || e[0].ValueKind != JsonValueKind.String
                || e[1].ValueKind != JsonValueKind.Number || !e[1].TryGetDouble(out double sc) || !double.IsFinite(sc))
                throw Bad($"vocab entry {pieces.Count} is not [piece, score]");
            pieces.Add(e[0].GetString()!);
            scores.Add((float)sc);
        }
        if (pieces.Count == 0) throw Bad("the Unigram vocabulary is empty");
        int unk = model.TryGetProperty("unk_id", out var u) && u.ValueKind == JsonValueKind.Number && u.TryGetInt32(out int ui) ? ui : -1;
        if (unk < 0 || unk >= pieces.Count) throw Bad($"unk_id {u.GetRawText()} is not a vocabulary id");

        var specials = new List<string>();
        var byContent = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < pieces.Count; i++) byContent.TryAdd(pieces[i], i);
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            foreach (var a in added.EnumerateArray())
            {
                if (a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("id", out var idEl) || !idEl.TryGetInt32(out int id)
                    || !a.TryGetProperty("content", out var c) || c.ValueKind != JsonValueKind.String)
                    throw Bad("an added_tokens entry has no id or content");
                if (id < 0 || id >= pieces.Count || pieces[id] != c.GetString())
                    throw Bad($"added token '{c.GetString()}' (id {id}) is not the vocabulary's piece {id}");
                specials.Add(c.GetString()!);
            }
        var matchable = pieces.Select(p => !specials.Contains(p)).ToArray();
        matchable[unk] = false;

        var norm = new List<TextNormalizer>();
        foreach (var n in Steps(root, "normalizer", "normalizers"))
            switch (Str(n, "type"))
            {
                case "NFKC": norm.Add(new TextNormalizer.Form(Tokenization.Unicode.UnicodeForm.Nfkc)); break;
                case "Precompiled":
                    byte[] map;
                    try { map = Convert.FromBase64String(Str(n, "precompiled_charsmap") ?? ""); }
                    catch (FormatException) { throw Bad("the Precompiled normalizer's precompiled_charsmap is not base64"); }
                    if (map.Length > 0) norm.Add(new TextNormalizer.Precompiled(map, huggingFaceGraphemes: true, path));
                    break;
                case "Replace" when n.TryGetProperty("pattern", out var pat) && (Str(pat, "Regex") is " {2,}" || Str(pat, "String") is "  ") && Str(n, "content") == " ":
                    break;   // runs of spaces → one space: what the extra-whitespace removal does
                case "Strip": break;
                default: throw Bad($"normalizer {n.GetRawText()} is not supported for a Unigram model (NFKC, Precompiled, Replace of space runs, Strip are)");
            }
        bool prefix = true;
        foreach (var p in Steps(root, "pre_tokenizer", "pretokenizers"))
            switch (Str(p, "type"))
            {
                case "Metaspace":
                    if (Str(p, "replacement") is string rep && rep != "▁") throw Bad($"Metaspace replacement \"{rep}\" is not supported (▁ is)");
                    string scheme = Str(p, "prepend_scheme") ?? (p.TryGetProperty("add_prefix_space", out var aps) && aps.ValueKind == JsonValueKind.False ? "never" : "always");
                    prefix = scheme != "never";
                    break;
                case "WhitespaceSplit": break;
                default: throw Bad($"pre-tokenizer {p.GetRawText()} is not supported for a Unigram model (Metaspace is)");
            }
        int? bos = null, eos = null;
        foreach (var p in Steps(root, "post_processor", "processors"))
        {
            switch (Str(p, "type"))
            {
                case "RobertaProcessing" or "BertProcessing":
                    bos = SpecialId(p, "cls", byContent);
                    eos = SpecialId(p, "sep", byContent);
                    break;
                case "TemplateProcessing" when p.TryGetProperty("single", out var single) && single.ValueKind == JsonValueKind.Array:
                    bool seen = false;
                    foreach (var item in single.EnumerateArray())
                    {
                        if (item.TryGetProperty("Sequence", out _)) { seen = true; continue; }
                        if (item.TryGetProperty("SpecialToken", out var st) && Str(st, "id") is string name && byContent.TryGetValue(name, out int sid))
                        {
                            if (seen) eos ??= sid; else bos ??= sid;
                        }
                    }
                    break;
            }
        }
        return new UnigramModelTokenizer(new UnigramTokenizerData(pieces, scores, matchable, unk, bos, eos, prefix,
            RemoveExtraWhitespaces: true, norm, specials), path);
    }

    private static int? SpecialId(JsonElement p, string name, Dictionary<string, int> ids) =>
        p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2
        && v[1].ValueKind == JsonValueKind.Number && v[1].TryGetInt32(out int id) && id >= 0 && id < ids.Count ? id
        : v.ValueKind == JsonValueKind.Array && v.GetArrayLength() >= 1 && v[0].ValueKind == JsonValueKind.String && ids.TryGetValue(v[0].GetString()!, out int j) ? j
        : null;

    private static string? Str(JsonElement o, string n) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static IEnumerable<JsonElement> Steps(JsonElement root, string name, string members)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Object) return [];
        var list = new List<JsonElement>();
        void Walk(JsonElement x)
        {
            if (Str(x, "type") == "Sequence" && x.TryGetProperty(members, out var arr) && arr.ValueKind == JsonValueKind.Array)
                foreach (var c in arr.EnumerateArray()) Walk(c);
            else list.Add(x);
        }
        Walk(e);
        return list;
    }
}
