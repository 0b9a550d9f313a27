using System.Text;
using System.Text.Json;
using Simile.Models.Tokenization;
using Xunit;

namespace Simile.Tests.Models.Tokenization;

/// <summary>
/// Hand-built tiny vocabularies whose expected ids are derived by hand from the BPE rules (comments show the steps):
/// SentencePiece-style tokenizer.json (Llama-2 / Mistral normalizer, Metaspace), a SentencePiece tokenizer.model
/// (scores, piece types, byte fallback), and byte-level split patterns (Llama-3 vs Qwen2 digits, ignore_merges).
/// </summary>
public class BpeTokenizerTests
{
    // id:            0        1      2       3         4         5    6    7    8    9    10   11   12    13    14      15    16       17
    private static readonly string[] SpVocab = ["<unk>", "<s>", "</s>", "<0xC3>", "<0xA9>", "▁", "g", "a", "l", "x", "y", "▁g", "al", "▁gal", "ax", "▁galax", "▁galaxy", "la"];
    // ranks:  0 "▁ g"  1 "a l"  2 "▁g al"  3 "a x"  4 "▁gal ax"  5 "▁galax y"  6 "l a"
    private static readonly string[] SpMerges = ["▁ g", "a l", "▁g al", "a x", "▁gal ax", "▁galax y", "l a"];

    internal static string SpTokenizerJson(string normalizer, string preTokenizer) =>
        ("{'version':'1.0','added_tokens':[{'id':0,'content':'<unk>','special':true},{'id':1,'content':'<s>','special':true},{'id':2,'content':'</s>','special':true}],"
        + "'post_processor':{'type':'TemplateProcessing','single':[{'SpecialToken':{'id':'<s>','type_id':0}},{'Sequence':{'id':'A','type_id':0}}],'pair':[],'special_tokens':{'<s>':{'id':'<s>','ids':[1],'tokens':['<s>']}}},"
        + "'model':{'type':'BPE','unk_token':'<unk>','byte_fallback':true,'fuse_unk':true,'vocab':{"
        + string.Join(",", SpVocab.Select((t, i) => $"'{t}':{i}")) + "},'merges':["
        + string.Join(",", SpMerges.Select(m => $"'{m}'")) + "]},").Replace('\'', '"')
        + "\"normalizer\":" + normalizer + ",\"pre_tokenizer\":" + preTokenizer + "}";

    private const string Llama2Normalizer = """{"type":"Sequence","normalizers":[{"type":"Prepend","prepend":"▁"},{"type":"Replace","pattern":{"String":" "},"content":"▁"}]}""";

    private static BpeModelTokenizer Load(TempFolder dir, string json)
    {
        File.WriteAllText(dir.File("tokenizer.json"), json);
        return BpeModelTokenizer.FromTokenizerJson(dir.File("tokenizer.json"), dir.Path)!;
    }

    [Fact]
    public void SentencePieceStyleTokenizerJson()
    {
        using var dir = new TempFolder();
        var tok = Load(dir, SpTokenizerJson(Llama2Normalizer, "null"));
        Assert.Equal("sentencepiece-bpe", tok.Kind);
        Assert.False(tok.WordsTakeLeadingSpace);   // the dummy prefix makes "galaxy" → ▁galaxy
        // "galaxy é" → "▁galaxy▁é": ▁ g a l a x y: ▁g (0), al (1; "l a" is rank 6), ▁gal (2), ax (3), ▁galax (4), ▁galaxy (5);
        // ▁ alone; é is not a token → its UTF-8 bytes C3 A9; "z" has no token and no byte piece → <unk>. BOS first.
        var t = tok.EncodeText("galaxy éz");
        Assert.Equal([1, 16, 5, 3, 4, 0], t.Ids);
        Assert.Equal([(0, 0), (0, 6), (6, 1), (7, 1), (7, 1), (8, 1)], t.Offsets);
        Assert.Equal([16], tok.EncodeWord("galaxy").Ids);
        Assert.Equal(["▁galaxy"], tok.EncodeWord("galaxy").Pieces);
        Assert.False(tok.EncodeWord("gaz").Known);
        // "<s>" written in the text is the special token; the text after it gets its own ▁ (Prepend normalises each segment).
        Assert.Equal([1, 1, 16], tok.EncodeText("<s>galaxy").Ids);
    }

    [Fact]
    public void MetaspacePreTokenizerFirstScheme()
    {
        using var dir = new TempFolder();
        var tok = Load(dir, SpTokenizerJson("null", """{"type":"Metaspace","replacement":"▁","prepend_scheme":"first","split":true}"""));
        Assert.Equal([1, 16, 16], tok.EncodeText("galaxy galaxy").Ids);
        // "first": no ▁ after a special token written in the text: "galaxy" → g·al·ax·y = g, al, ax, y (no ▁gal without ▁)
        Assert.Equal([1, 1, 6, 12, 14, 10], tok.EncodeText("<s>galaxy").Ids);
        Assert.Equal([16], tok.EncodeWord("galaxy").Ids);
    }

    [Fact]
    public void GemmaStyleReplaceWithoutPrefixTakesTheLeadingSpace()
    {
        using var dir = new TempFolder();
        var tok = Load(dir, SpTokenizerJson("""{"type":"Replace","pattern":{"String":" "},"content":"▁"}""",
            """{"type":"Split","pattern":{"String":" "},"behavior":"MergedWithPrevious","invert":false}"""));
        Assert.True(tok.WordsTakeLeadingSpace);   // no dummy prefix: the word alone is " galaxy" → ▁galaxy
        Assert.Equal([16], tok.EncodeWord("galaxy").Ids);
        Assert.Equal([1, 6, 12, 14, 10], tok.EncodeText("galaxy").Ids);
    }

    // ---------------------------------------------------------------- tokenizer.model (SentencePiece protobuf)

    private static void Varint(MemoryStream s, ulong v) { while (v >= 0x80) { s.WriteByte((byte)(v | 0x80)); v >>= 7; } s.WriteByte((byte)v); }
    private static void Bytes(MemoryStream s, int field, byte[] b) { Varint(s, (ulong)(field << 3 | 2)); Varint(s, (ulong)b.Length); s.Write(b); }
    private static void Int(MemoryStream s, int field, ulong v) { Varint(s, (ulong)(field << 3)); Varint(s, v); }

    internal static byte[] SentencePieceModel(IReadOnlyList<(string Piece, float Score, int Type)> pieces, bool byteFallback, bool dummyPrefix, int modelType = 2)
    {
        var m = new MemoryStream();
        foreach (var (piece, score, type) in pieces)
        {
            var p = new MemoryStream();
            Bytes(p, 1, Encoding.UTF8.GetBytes(piece));
            Varint(p, 2 << 3 | 5); p.Write(BitConverter.GetBytes(score));
            Int(p, 3, (ulong)type);
            Bytes(m, 1, p.ToArray());
        }
        var trainer = new MemoryStream();
        Int(trainer, 3, (ulong)modelType);
        Int(trainer, 35, byteFallback ? 1UL : 0);
        Bytes(m, 2, trainer.ToArray());
        var norm = new MemoryStream();
        Bytes(norm, 1, Encoding.UTF8.GetBytes("identity"));
        Int(norm, 3, dummyPrefix ? 1UL : 0);
        Int(norm, 4, 0);
        Bytes(m, 3, norm.ToArray());
        return m.ToArray();
    }

    internal static readonly (string, float, int)[] SpPieces =
    [
        ("<unk>", 0, 2), ("<s>", 0, 3), ("</s>", 0, 3),                        // 0 1 2
        ("▁", -10, 1), ("g", -11, 1), ("a", -11, 1), ("l", -11, 1), ("x", -11, 1), ("y", -11, 1),   // 3 … 8
        ("▁g", -1, 1), ("al", -2, 1), ("▁gal", -3, 1), ("ax", -4, 1), ("▁galax", -5, 1), ("▁galaxy", -6, 1),   // 9 … 14
        ("la", -2.5f, 1), ("xy", 0, 3),                                        // 15 (loses to al), 16 (control: never merged)
        ("<0xC3>", 0, 6), ("<0xA9>", 0, 6),                                    // 17 18
    ];

    [Fact]
    public void SentencePieceModelMergesByScore()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("tokenizer.model"), SentencePieceModel(SpPieces, byteFallback: true, dummyPrefix: true));
        var tok = BpeModelTokenizer.FromSentencePieceModel(dir.File("tokenizer.model"), dir.Path);
        // ▁ g a l a x y: ▁g (−1) > al (−2) > la (−2.5) → ▁g al a x y; ▁gal (−3); then ax (−4; xy is a control piece) ;
        // ▁galax (−5); ▁galaxy (−6). "é" → bytes C3 A9. BOS (id 1) by LlamaTokenizer's default.
        Assert.Equal([1, 14, 3, 17, 18], tok.EncodeText("galaxy é").Ids);
        Assert.Equal([14], tok.EncodeWord("galaxy").Ids);
        Assert.False(tok.WordsTakeLeadingSpace);

        // add_bos_token false in tokenizer_config.json; no dummy prefix → the word takes a leading space.
        File.WriteAllText(dir.File("tokenizer_config.json"), """{"add_bos_token": false}""");
        File.WriteAllBytes(dir.File("tokenizer.model"), SentencePieceModel(SpPieces, byteFallback: true, dummyPrefix: false));
        tok = BpeModelTokenizer.FromSentencePieceModel(dir.File("tokenizer.model"), dir.Path);
        Assert.True(tok.WordsTakeLeadingSpace);
        Assert.Equal([14], tok.EncodeWord("galaxy").Ids);
        Assert.Equal([4, 10, 12, 8], tok.EncodeText("galaxy").Ids);   // g al ax y: no ▁, so no ▁g
    }

    [Fact]
    public void DamagedOrUnigramSentencePieceModelsAreClearErrors()
    {
        using var dir = new TempFolder();
        var good = SentencePieceModel(SpPieces, byteFallback: true, dummyPrefix: true);
        File.WriteAllBytes(dir.File("tokenizer.model"), good[..^3]);
        var e = Assert.Throws<SimileException>(() => BpeModelTokenizer.FromSentencePieceModel(dir.File("tokenizer.model"), dir.Path));
        Assert.Contains("tokenizer.model", e.Message);
        File.WriteAllBytes(dir.File("tokenizer.model"), SentencePieceModel(SpPieces, true, true, modelType: 1));
        e = Assert.Throws<SimileException>(() => BpeModelTokenizer.FromSentencePieceModel(dir.File("tokenizer.model"), dir.Path));
        Assert.Contains("Unigram", e.Message);
    }

    // ---------------------------------------------------------------- byte-level split patterns, ignore_merges

    private static BpeTokenizer ByteLevel(string[] vocab, string[] merges, string pattern, bool ignoreMerges = false) =>
        new(new BpeTokenizerData(BpeKind.ByteLevel, vocab, Merges: merges.Select(m => (m.Split(' ')[0], m.Split(' ')[1])).ToList(),
            SplitPatterns: pattern is null ? null : [pattern], IgnoreMerges: ignoreMerges));

    [Fact]
    public void DigitsFollowTheSplitPattern()
    {
        string[] vocab = ["1", "2", "3", "4", "5", "12", "123", "45"];
        string[] merges = ["1 2", "12 3", "4 5"];
        // Llama-3: \p{N}{1,3} → "123" | "45" → 123, 45.  Qwen2: \p{N} → one digit per piece.
        Assert.Equal([6, 7], ByteLevel(vocab, merges, BpeTokenizer.Llama3Pattern).Encode("12345", false).Select(t => t.Id));
        Assert.Equal([0, 1, 2, 3, 4], ByteLevel(vocab, merges, BpeTokenizer.Qwen2Pattern).Encode("12345", false).Select(t => t.Id));
    }

    [Fact]
    public void IgnoreMergesTakesAWholeTokenPieceAsIs()
    {
        string[] vocab = ["Ġ", "g", "a", "l", "x", "y", "Ġgalaxy"];
        Assert.Equal([6], ByteLevel(vocab, [], BpeTokenizer.Llama3Pattern, ignoreMerges: true).Encode(" galaxy", false).Select(t => t.Id));
        Assert.Equal([0, 1, 2, 3, 2, 4, 5], ByteLevel(vocab, [], BpeTokenizer.Llama3Pattern).Encode(" galaxy", false).Select(t => t.Id));
    }

    [Fact]
    public void ByteLevelOffsetsCoverMultiByteCharacters()
    {
        // "é" = C3 A9 → Ã ©; "Ġ" = space. Pieces of one character share its span.
        string[] vocab = ["Ġ", "Ã", "©", "ĠÃ"];
        var tok = ByteLevel(vocab, ["Ġ Ã"], BpeTokenizer.Llama3Pattern);
        var t = tok.Encode(" é", false);
        Assert.Equal([(3, 0, 2), (2, 1, 1)], t.Select(x => (x.Id, x.Start, x.Length)));
    }
}
