using System.Text;
using System.Text.Json;
using Simile.Models.Tokenization.Unicode;

namespace Simile.Models.Tokenization;

/// <summary>
/// The tokenizer of a modern decoder folder through Simile's one <see cref="BpeTokenizer"/>: byte-level BPE (Llama-3,
/// Qwen2) or SentencePiece-style BPE (Llama-2, Mistral, Gemma) from <c>tokenizer.json</c>, or SentencePiece BPE from
/// <c>tokenizer.model</c> alone. BOS/EOS as the post-processor (or tokenizer_config.json) says. A word alone is encoded
/// in its word-initial form: " galaxy" → Ġgalaxy (byte-level), ▁galaxy (SentencePiece, with or without a dummy prefix).
/// </summary>
public sealed class BpeModelTokenizer : HuggingFaceTokenizer
{
    public BpeTokenizer Bpe { get; }

    public override IReadOnlyList<string> IdToToken => Bpe.Tokens;
    public override IReadOnlyList<string> AddedTokens => Bpe.Data.SpecialTokens ?? [];
    public override string Kind => Bpe.Data.Kind == BpeKind.ByteLevel ? "byte-level-bpe" : "sentencepiece-bpe";
    public override bool WordsTakeLeadingSpace => Bpe.Data.Kind == BpeKind.ByteLevel || !Bpe.Data.AddSpacePrefix;

    public BpeModelTokenizer(BpeTokenizerData data, string source)
    {
        Bpe = new BpeTokenizer(data, source);
        Source = source;
    }

    public override TokenizedText EncodeText(string text) => ToText(text, Bpe.EncodeText(text));

    private static TokenizedText ToText(string text, List<TextToken> tokens) =>
        new(text, tokens.Select(t => t.Id).ToArray(), tokens.Select(t => t.Piece).ToArray(), tokens.Select(t => (t.Start, t.Length)).ToArray());

    public override WordTokens EncodeWord(string word)
    {
        if (string.IsNullOrWhiteSpace(word)) return new WordTokens(word, false, [], []);
        string input = WordsTakeLeadingSpace && !char.IsWhiteSpace(word[0]) ? " " + word : word;
        var text = ToText(input, Bpe.Encode(input, withSpecials: false));
        // The word's tokens by the one rule of every verb: a lone leading-space or dummy-prefix token is not part of it.
        var tokens = WordTokenSpans.TokensOf(text, input.Length - word.Length, word.Length).Select(t => (Id: text.Ids[t], Piece: text.Pieces[t])).ToList();
        var ids = tokens.Select(t => t.Id).ToList();
        bool known = ids.Count > 0 && ids.All(id => id >= 0 && id != Bpe.Data.UnknownId);
        return new WordTokens(word, known, ids, tokens.Select(t => t.Piece).ToList());
    }

    protected override string? WordOfToken(string token)
    {
        if (Bpe.Data.Kind == BpeKind.ByteLevel)
            return token.Length > 1 && token[0] == 'Ġ' ? Bpe.Decode(token)[1..] : null;
        return token.Length > 1 && token[0] == BpeTokenizer.SpaceMark ? token[1..] : null;
    }

    /// <summary>tokenizer.model alone (SentencePiece BPE), with add_bos_token / add_eos_token from tokenizer_config.json
    /// (LlamaTokenizer's defaults: BOS yes, EOS no).</summary>
    public static BpeModelTokenizer FromSentencePieceModel(string path, string folder)
    {
        var model = SentencePieceModelFile.Parse(File.ReadAllBytes(path), path);
        var cfg = TokenizerConfig.Load(folder);
        return new BpeModelTokenizer(model.ToBpe(path, cfg.AddBos ?? true, cfg.AddEos ?? false), path);
    }

    /// <summary>A tokenizer.json whose model is BPE; null when its model is another type (WordPiece, Unigram).</summary>
    public static BpeModelTokenizer? FromTokenizerJson(string path, string folder)
    {
        // JsonInput refuses invalid UTF-8 and lone surrogate escapes anywhere in the file, with one line
        using var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(path), path, "fix or re-download tokenizer.json", new JsonDocumentOptions { MaxDepth = 256 });
        var r = doc.RootElement;
        if (r.ValueKind == JsonValueKind.Object && r.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.Object
            && m.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() != "BPE")
            return null;
        return new BpeModelTokenizer(ParseTokenizerJson(r, path, TokenizerConfig.Load(folder)), path);
    }

    /// <summary>add_bos_token / add_eos_token / bos_token / eos_token of tokenizer_config.json (null: not stated).</summary>
    public sealed record TokenizerConfig(bool? AddBos, bool? AddEos, string? BosToken, string? EosToken)
    {
        public static TokenizerConfig Load(string folder)
        {
            string path = Path.Combine(folder, "tokenizer_config.json");
            if (!File.Exists(path)) return new(null, null, null, null);
            try
            {
                using var doc = Simile.Data.JsonInput.Parse(File.ReadAllBytes(path), path, "fix or re-download tokenizer_config.json", new JsonDocumentOptions { AllowTrailingCommas = true });
                var r = doc.RootElement;
                if (r.ValueKind != JsonValueKind.Object) return new(null, null, null, null);
                bool? Flag(string n) => r.TryGetProperty(n, out var v) ? v.ValueKind switch { JsonValueKind.True => true, JsonValueKind.False => false, _ => null } : null;
                string? Tok(string n) => !r.TryGetProperty(n, out var v) ? null
                    : v.ValueKind == JsonValueKind.String ? v.GetString()
                    : v.ValueKind == JsonValueKind.Object && v.TryGetProperty("content", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
                return new(Flag("add_bos_token"), Flag("add_eos_token"), Tok("bos_token"), Tok("eos_token"));
            }
            catch (JsonException e)
            {
                throw new SimileException($"'{path}' is not valid JSON: {e.Message}", "fix or re-download tokenizer_config.json", e);
            }
        }
    }

    /// <summary>
    /// tokenizer.json → <see cref="BpeTokenizerData"/>: model (vocab, merges, ignore_merges, byte_fallback, unk_token),
    /// added_tokens, normalizer (Prepend ▁ / Replace " "→▁ / NFC / NFKC, alone or in a Sequence), pre_tokenizer
    /// (ByteLevel, Split regex + ByteLevel, Metaspace) and post_processor (TemplateProcessing: BOS/EOS).
    /// </summary>
    public static BpeTokenizerData ParseTokenizerJson(JsonElement root, string path, TokenizerConfig config)
    {
        SimileException Bad(string what) => new($"'{path}': {what}", "fix or re-download tokenizer.json");
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.Object)
            throw Bad("no 'model' object");
        string type = model.TryGetProperty("type", out var mt) && mt.ValueKind == JsonValueKind.String ? mt.GetString()! : "BPE";
        if (type != "BPE")
            throw new SimileException($"'{path}': tokenizer model type \"{type}\" is not supported for this architecture (BPE only)",
                "use a model whose tokenizer is BPE (Llama, Mistral, Qwen, Gemma)");
        if (!model.TryGetProperty("vocab", out var vocab) || vocab.ValueKind != JsonValueKind.Object) throw Bad("model has no 'vocab' object");

        // Vocabulary and added tokens, by id.
        var byId = new Dictionary<int, string>();
        foreach (var p in vocab.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int id) || id < 0) throw Bad($"vocab entry '{p.Name}' has no valid id");
            byId[id] = p.Name;
        }
        var specials = new List<string>();
        if (root.TryGetProperty("added_tokens", out var added) && added.ValueKind == JsonValueKind.Array)
            foreach (var a in added.EnumerateArray())
            {
                if (a.ValueKind != JsonValueKind.Object || !a.TryGetProperty("id", out var idEl) || !idEl.TryGetInt32(out int id) || id < 0
                    || !a.TryGetProperty("content", out var c) || c.ValueKind != JsonValueKind.String)
                    throw Bad("an added_tokens entry has no id or content");
                byId[id] = c.GetString()!;
                specials.Add(c.GetString()!);
            }
        int count = byId.Count == 0 ? 0 : byId.Keys.Max() + 1;
        if (count != byId.Count) throw Bad($"token ids are not 0..{byId.Count - 1} (largest id {count - 1})");
        var tokens = new string[count];
        foreach (var (id, t) in byId) tokens[id] = t;

        var merges = new List<(string, string)>();
        if (model.TryGetProperty("merges", out var m) && m.ValueKind == JsonValueKind.Array)
            foreach (var e in m.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.String)
                {
                    string s = e.GetString()!;
                    int sp = s.IndexOf(' ', 1);
                    if (sp <= 0 || sp == s.Length - 1) throw Bad($"merge \"{s}\" is not two space-separated pieces");
                    merges.Add((s[..sp], s[(sp + 1)..]));
                }
                else if (e.ValueKind == JsonValueKind.Array && e.GetArrayLength() == 2 && e[0].ValueKind == JsonValueKind.String && e[1].ValueKind == JsonValueKind.String)
                    merges.Add((e[0].GetString()!, e[1].GetString()!));
                else throw Bad("a merges entry is neither \"a b\" nor [\"a\", \"b\"]");
            }
        bool Flag(JsonElement o, string n, bool fallback = false) =>
            o.ValueKind == JsonValueKind.Object && o.TryGetProperty(n, out var v) ? v.ValueKind == JsonValueKind.True || (v.ValueKind != JsonValueKind.False && fallback) : fallback;
        string? Str(JsonElement o, string n) => o.ValueKind == JsonValueKind.Object && o.TryGetProperty(n, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        foreach (var n in new[] { "continuing_subword_prefix", "end_of_word_suffix" })
            if (Str(model, n) is { Length: > 0 } v) throw Bad($"BPE {n} \"{v}\" is not supported");
        int? unk = Str(model, "unk_token") is string u && Array.IndexOf(tokens, u) is int ui and >= 0 ? ui : null;

        // Normalizer and pre-tokenizer decide the kind.
        bool prepend = false, replaceSpace = false, byteLevel = false, metaspace = false, metaSplit = false, prefixSpace = false, everySegment = false;
        var patterns = new List<string>();
        var normalizers = new List<TextNormalizer>();
        foreach (var n in Flatten(root, "normalizer", "normalizers", path))
        {
            switch (Str(n, "type"))
            {
                case "Prepend" when Str(n, "prepend") == "▁": prepend = true; everySegment = true; break;
                case "Replace" when n.TryGetProperty("pattern", out var pat) && Str(pat, "String") == " " && Str(n, "content") == "▁": replaceSpace = true; break;
                case "NFC": normalizers.Add(new TextNormalizer.Form(UnicodeForm.Nfc)); break;
                case "NFD": normalizers.Add(new TextNormalizer.Form(UnicodeForm.Nfd)); break;
                case "NFKC": normalizers.Add(new TextNormalizer.Form(UnicodeForm.Nfkc)); break;
                case "NFKD": normalizers.Add(new TextNormalizer.Form(UnicodeForm.Nfkd)); break;
                case "Lowercase": normalizers.Add(new TextNormalizer.Lowercase()); break;
                case "StripAccents": normalizers.Add(new TextNormalizer.StripAccents()); break;
                case "Precompiled":
                    byte[] map;
                    try { map = Convert.FromBase64String(Str(n, "precompiled_charsmap") ?? ""); }
                    catch (FormatException) { throw Bad("the Precompiled normalizer's precompiled_charsmap is not base64"); }
                    if (map.Length > 0) normalizers.Add(new TextNormalizer.Precompiled(map, huggingFaceGraphemes: true, path));
                    break;
                default: throw Bad($"normalizer {n.GetRawText()} is not supported (Prepend ▁, Replace \" \" → ▁, NFC, NFD, NFKC, NFKD, Lowercase, StripAccents, Precompiled are)");
            }
        }
        foreach (var p in Flatten(root, "pre_tokenizer", "pretokenizers", path))
        {
            switch (Str(p, "type"))
            {
                case "ByteLevel":
                    byteLevel = true;
                    prefixSpace |= Flag(p, "add_prefix_space");
                    if (Flag(p, "use_regex", fallback: true)) patterns.Add(BpeTokenizer.Gpt2Pattern);
                    break;
                case "Split" when replaceSpace && p.TryGetProperty("pattern", out var sp) && Str(sp, "String") == " ":
                    break;   // Gemma: splits at " " after the normalizer has turned every space into ▁, i.e. never
                case "Split":
                    if (!p.TryGetProperty("pattern", out var pat) || Str(pat, "Regex") is not string rx)
                        throw Bad("a Split pre-tokenizer without a regex pattern is not supported");
                    if (Str(p, "behavior") is not ("Isolated" or null) || Flag(p, "invert"))
                        throw Bad($"Split behaviour \"{Str(p, "behavior")}\" (invert {Flag(p, "invert")}) is not supported (Isolated is)");
                    patterns.Add(rx);
                    break;
                case "Metaspace":
                    metaspace = true;
                    if (Str(p, "replacement") is string rep && rep != "▁") throw Bad($"Metaspace replacement \"{rep}\" is not supported (▁ is)");
                    string scheme = Str(p, "prepend_scheme") ?? (Flag(p, "add_prefix_space", fallback: true) ? "always" : "never");
                    prepend |= scheme is "always" or "first";
                    everySegment = scheme == "always";
                    metaSplit = Flag(p, "split", fallback: true);
                    break;
                default:
                    throw Bad($"pre-tokenizer {p.GetRawText()} is not supported (ByteLevel, Split with a regex, Metaspace are)");
            }
        }
        if (byteLevel == (replaceSpace || metaspace))
            throw Bad(byteLevel ? "it mixes byte-level and ▁ (SentencePiece) pre-processing" : "its BPE is neither byte-level (ByteLevel pre-tokenizer) nor SentencePiece-style (▁ for spaces)");

        // BOS / EOS: tokenizer_config.json's add_bos_token / add_eos_token when stated (transformers' Llama and Gemma
        // tokenizers rebuild their template from them), otherwise the post-processor.
        var (templateBos, templateEos) = Template(root, tokens, path);
        int? Named(string? t) => t is not null && Array.IndexOf(tokens, t) is int i and >= 0 ? i : null;
        int? bos = config.AddBos switch { true => Named(config.BosToken) ?? templateBos, false => null, null => templateBos };
        int? eos = config.AddEos switch { true => Named(config.EosToken) ?? templateEos, false => null, null => templateEos };
        return new BpeTokenizerData(byteLevel ? BpeKind.ByteLevel : BpeKind.SentencePiece, tokens, Merges: merges,
            BosId: bos, EosId: eos, AddBos: bos is not null, AddEos: eos is not null, UnknownId: unk,
            AddSpacePrefix: prepend, PrefixEverySegment: everySegment, SplitOnSpace: metaSplit,
            SplitPatterns: byteLevel ? patterns : null, ByteLevelPrefixSpace: prefixSpace,
            IgnoreMerges: Flag(model, "ignore_merges"), ByteFallback: Flag(model, "byte_fallback"),
            SpecialTokens: specials, Normalizers: normalizers);
    }

    /// <summary>The steps of a normalizer / pre-tokenizer: none (null), one, or the members of a Sequence.</summary>
    private static IEnumerable<JsonElement> Flatten(JsonElement root, string name, string members, string path)
    {
        if (!root.TryGetProperty(name, out var e) || e.ValueKind != JsonValueKind.Object) yield break;
        var stack = new Stack<JsonElement>();
        stack.Push(e);
        var order = new List<JsonElement>();
        void Walk(JsonElement x)
        {
            if (x.ValueKind != JsonValueKind.Object)
                throw new SimileException($"'{path}': a {name} step is {x.ValueKind}, not an object", "fix or re-download tokenizer.json");
            if (x.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String && t.GetString() == "Sequence"
                && x.TryGetProperty(members, out var arr) && arr.ValueKind == JsonValueKind.Array)
                foreach (var c in arr.EnumerateArray()) Walk(c);
            else order.Add(x);
        }
        Walk(e);
        foreach (var x in order) yield return x;
    }

    /// <summary>
    /// BOS/EOS ids the post-processor adds around a single text (alone or in a Sequence): TemplateProcessing's "single"
    /// template, RobertaProcessing / BertProcessing's cls and sep; ByteLevel and others add none.
    /// </summary>
    private static (int? Bos, int? Eos) Template(JsonElement root, string[] tokens, string path)
    {
        int? Valid(int? id) => id is int k && k >= 0 && k < tokens.Length ? k : null;
        foreach (var p in Flatten(root, "post_processor", "processors", path))
        {
            string? type = p.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            if (type is "RobertaProcessing" or "BertProcessing")
            {
                int? Pair(string name) => p.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Array && v.GetArrayLength() == 2
                    && v[1].TryGetInt32(out int id) ? Valid(id) : null;
                return (Pair("cls"), Pair("sep"));
            }
            if (type != "TemplateProcessing" || !p.TryGetProperty("single", out var single) || single.ValueKind != JsonValueKind.Array) continue;
            int? bos = null, eos = null;
            bool seenSequence = false;
            foreach (var item in single.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object) continue;
                if (item.TryGetProperty("Sequence", out _)) { seenSequence = true; continue; }
                if (!item.TryGetProperty("SpecialToken", out var st) || st.ValueKind != JsonValueKind.Object
                    || !st.TryGetProperty("id", out var name) || name.ValueKind != JsonValueKind.String) continue;
                int? id = null;
                if (p.TryGetProperty("special_tokens", out var map) && map.ValueKind == JsonValueKind.Object && map.TryGetProperty(name.GetString()!, out var entry)
                    && entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("ids", out var ids) && ids.ValueKind == JsonValueKind.Array
                    && ids.GetArrayLength() == 1 && ids[0].TryGetInt32(out int v))
                    id = v;
                else if (Array.IndexOf(tokens, name.GetString()) is int i and >= 0) id = i;
                if (seenSequence) eos ??= Valid(id); else bos ??= Valid(id);
            }
            return (bos, eos);
        }
        return (null, null);
    }
}
