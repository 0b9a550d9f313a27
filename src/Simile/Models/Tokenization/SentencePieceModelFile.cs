using System.Text;

namespace Simile.Models.Tokenization;

/// <summary>
/// Reads a SentencePiece <c>tokenizer.model</c> (a serialised <c>sentencepiece.ModelProto</c>, protobuf): the pieces
/// with their scores and types, the trainer's model type, byte fallback and special ids, and the normaliser's
/// dummy-prefix / whitespace flags. Only BPE models become a <see cref="BpeTokenizerData"/>; every length and field is
/// checked against the file, so a damaged file is a <see cref="SimileException"/>.
/// </summary>
public sealed record SentencePieceModelFile(
    IReadOnlyList<string> Pieces, IReadOnlyList<float> Scores, IReadOnlyList<int> Types,
    int ModelType,              // 1 unigram, 2 BPE, 3 word, 4 char
    bool ByteFallback, int UnknownId, int BosId, int EosId,
    string NormalizerName, bool AddDummyPrefix, bool RemoveExtraWhitespaces, bool EscapeWhitespaces, byte[] PrecompiledCharsmap)
{
    public static SentencePieceModelFile Parse(byte[] bytes, string path)
    {
        var pieces = new List<string>();
        var scores = new List<float>();
        var types = new List<int>();
        int modelType = 1, unk = 0, bos = 1, eos = 2;
        bool byteFallback = false, dummy = true, removeSpaces = true, escape = true;
        string normalizer = "";
        byte[] charsmap = [];
        try
        {
            var r = new Reader(bytes, 0, bytes.Length);
            while (!r.End)
            {
                var (field, wire) = r.Tag();
                if (field == 1 && wire == 2)
                {
                    var p = r.Message();
                    string piece = ""; float score = 0; int type = 1;
                    while (!p.End)
                    {
                        var (f, w) = p.Tag();
                        if (f == 1 && w == 2) piece = p.String();
                        else if (f == 2 && w == 5) score = p.Fixed32Float();
                        else if (f == 3 && w == 0) type = (int)p.Varint();
                        else p.Skip(w);
                    }
                    pieces.Add(piece); scores.Add(score); types.Add(type);
                }
                else if (field == 2 && wire == 2)
                {
                    var t = r.Message();
                    while (!t.End)
                    {
                        var (f, w) = t.Tag();
                        if (f == 3 && w == 0) modelType = (int)t.Varint();
                        else if (f == 35 && w == 0) byteFallback = t.Varint() != 0;
                        else if (f == 40 && w == 0) unk = (int)t.Varint();
                        else if (f == 41 && w == 0) bos = (int)t.Varint();
                        else if (f == 42 && w == 0) eos = (int)t.Varint();
                        else t.Skip(w);
                    }
                }
                else if (field == 3 && wire == 2)
                {
                    var n = r.Message();
                    while (!n.End)
                    {
                        var (f, w) = n.Tag();
                        if (f == 1 && w == 2) normalizer = n.String();
                        else if (f == 2 && w == 2) charsmap = n.Bytes();
                        else if (f == 3 && w == 0) dummy = n.Varint() != 0;
                        else if (f == 4 && w == 0) removeSpaces = n.Varint() != 0;
                        else if (f == 5 && w == 0) escape = n.Varint() != 0;
                        else n.Skip(w);
                    }
                }
                else r.Skip(wire);
            }
        }
        catch (FormatException e)
        {
            throw new SimileException($"'{path}' is not a valid SentencePiece model: {e.Message}", "use the model's own tokenizer.model", e);
        }
        if (pieces.Count == 0)
            throw new SimileException($"'{path}' holds no SentencePiece pieces", "use the model's own tokenizer.model");
        return new SentencePieceModelFile(pieces, scores, types, modelType, byteFallback, unk, bos, eos, normalizer, dummy, removeSpaces, escape, charsmap);
    }

    /// <summary>The BPE tokenizer data (Unigram models are read by <see cref="UnigramTokenizer"/>; other types are refused with a clear message).</summary>
    public BpeTokenizerData ToBpe(string path, bool addBos, bool addEos)
    {
        if (ModelType != 2)
            throw new SimileException($"'{path}' is a SentencePiece {(ModelType == 1 ? "Unigram" : ModelType == 3 ? "word" : ModelType == 4 ? "char" : $"type-{ModelType}")} model, not BPE",
                "open its folder (Unigram models are read there), or provide its tokenizer.json");
        int? Id(int id) => id >= 0 && id < Pieces.Count ? id : null;
        // Written in a text, the BOS/EOS/unknown pieces are kept whole (as transformers' tokenizers treat their special
        // tokens); user-defined pieces are matched inside the normalised text, as SentencePiece does; other control
        // pieces never come from text.
        var specials = Enumerable.Range(0, Pieces.Count).Where(i => i == BosId || i == EosId || i == UnknownId)
            .Select(i => Pieces[i]).ToList();
        return new BpeTokenizerData(BpeKind.SentencePiece, Pieces, Scores: Scores, TokenTypes: Types,
            BosId: Id(BosId), EosId: Id(EosId), AddBos: addBos && Id(BosId) is not null, AddEos: addEos && Id(EosId) is not null,
            UnknownId: Id(UnknownId), AddSpacePrefix: AddDummyPrefix, ByteFallback: ByteFallback, SpecialTokens: specials,
            RemoveExtraWhitespaces: RemoveExtraWhitespaces,
            Normalizers: Normalizers(path));
    }

    /// <summary>
    /// The normaliser the trainer wrote: its precompiled character map (applied as SentencePiece applies it, longest
    /// match first) when there is one; otherwise NFKC for the nfkc rules; nothing for "identity".
    /// </summary>
    public IReadOnlyList<TextNormalizer> Normalizers(string path) =>
        PrecompiledCharsmap.Length > 0 ? [new TextNormalizer.Precompiled(PrecompiledCharsmap, huggingFaceGraphemes: false, path)]
        : NormalizerName.StartsWith("nmt_nfkc", StringComparison.Ordinal) || NormalizerName.StartsWith("nfkc", StringComparison.Ordinal)
            ? [new TextNormalizer.Form(Unicode.UnicodeForm.Nfkc)] : [];

    /// <summary>A bounds-checked protobuf reader over [pos, end).</summary>
    private sealed class Reader(byte[] b, int pos, int end)
    {
        public bool End => pos >= end;

        public ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (pos >= end) throw new FormatException("truncated varint");
                byte x = b[pos++];
                v |= (ulong)(x & 0x7F) << shift;
                if ((x & 0x80) == 0) return v;
            }
            throw new FormatException("varint longer than 10 bytes");
        }

        public (int Field, int Wire) Tag()
        {
            ulong t = Varint();
            if (t >> 3 == 0 || t >> 3 > int.MaxValue) throw new FormatException("bad field number");
            return ((int)(t >> 3), (int)(t & 7));
        }

        private int Length()
        {
            ulong n = Varint();
            if (n > (ulong)(end - pos)) throw new FormatException("length past the end of the data");
            return (int)n;
        }

        public Reader Message()
        {
            int n = Length();
            var r = new Reader(b, pos, pos + n);
            pos += n;
            return r;
        }

        public string String()
        {
            int n = Length();
            string s = Encoding.UTF8.GetString(b, pos, n);
            pos += n;
            return s;
        }

        public byte[] Bytes()
        {
            int n = Length();
            byte[] r = b[pos..(pos + n)];
            pos += n;
            return r;
        }

        public float Fixed32Float()
        {
            if (end - pos < 4) throw new FormatException("truncated float");
            float f = BitConverter.ToSingle(b, pos);
            pos += 4;
            return f;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: if (end - pos < 8) throw new FormatException("truncated field"); pos += 8; break;
                case 2: { int n = Length(); pos += n; break; }   // Length() moves pos: read it before adding
                case 5: if (end - pos < 4) throw new FormatException("truncated field"); pos += 4; break;
                default: throw new FormatException($"unsupported wire type {wire}");
            }
        }
    }
}
