using Simile.Data;
using Simile.Models;

namespace Simile.Tests.Analyses.Layers;

/// <summary>
/// A tiny deterministic stand-in for a transformer. Tokenizer: words (letters) are split into pieces of at most
/// <see cref="PieceLength"/> characters, punctuation is one token; BERT-style [CLS]/[SEP] with empty spans unless
/// <c>gpt2</c> (then a leading space belongs to the next word's first token). Representation r of token t:
/// the piece's own vector (a hash of the lower-cased piece) · (r+1) plus r × the mean of the text's piece vectors,
/// so layers above "token" depend on the context.
/// </summary>
internal sealed class FakeTransformer(int dims = 6, int layers = 3, bool gpt2 = false, int pieceLength = 4) : ITransformerModel
{
    public int PieceLength => pieceLength;
    public int RunCalls { get; private set; }
    public List<string> TextsSeen { get; } = [];

    public ModelInfo Info => new("fake", gpt2 ? "gpt2" : "bert", 1000, dims, layers, 1, "test", "none", null, true);
    public (int Rows, int Cols) Shape => (1000, dims);
    public IReadOnlyList<string> RepresentationLabels =>
        ["token", .. Enumerable.Range(0, layers + 1).Select(i => i.ToString()), .. (gpt2 ? new[] { "final" } : [])];
    public bool UsesLeadingSpace => gpt2;

    public TokenizedText TokenizeText(string text)
    {
        var pieces = new List<string>();
        var offsets = new List<(int, int)>();
        if (!gpt2) { pieces.Add("[CLS]"); offsets.Add((0, 0)); }
        int i = 0;
        while (i < text.Length)
        {
            if (text[i] == ' ') { i++; continue; }
            int s = i;
            bool space = gpt2 && s > 0 && text[s - 1] == ' ';
            if (char.IsLetterOrDigit(text[i]))
            {
                int e = i; while (e < text.Length && char.IsLetterOrDigit(text[e])) e++;
                for (int p = s; p < e; p += pieceLength)
                {
                    int len = Math.Min(pieceLength, e - p);
                    int start = p == s && space ? p - 1 : p;
                    pieces.Add(text.Substring(p, len).ToLowerInvariant());
                    offsets.Add((start, p + len - start));
                }
                i = e;
            }
            else
            {
                pieces.Add(text[i].ToString()); offsets.Add((space ? i - 1 : i, space ? 2 : 1)); i++;
            }
        }
        if (!gpt2) { pieces.Add("[SEP]"); offsets.Add((0, 0)); }
        return new TokenizedText(text, pieces.Select(p => Hash(p) % 1000).ToArray(), pieces.ToArray(), offsets.ToArray());
    }

    public static int Hash(string s) { unchecked { int h = 17; foreach (char c in s) h = h * 31 + c; return h & 0x7fffffff; } }

    public float[] PieceVector(string piece)
    {
        var v = new float[dims];
        var rng = new Simile.Inference.SeededRandom((ulong)Hash(piece));
        for (int f = 0; f < dims; f++) v[f] = (float)rng.NextGaussian();
        return v;
    }

    public IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null)
    {
        RunCalls++;
        TextsSeen.AddRange(texts);
        var runs = new List<TransformerRun>();
        foreach (var text in texts)
        {
            var tok = TokenizeText(text);
            var own = tok.Pieces.Select(PieceVector).ToArray();
            var mean = new float[dims];
            foreach (var v in own) for (int f = 0; f < dims; f++) mean[f] += v[f] / own.Length;
            var labels = RepresentationLabels;
            var hidden = new float[labels.Count][];
            for (int r = 0; r < labels.Count; r++)
            {
                hidden[r] = new float[tok.Count * dims];
                for (int t = 0; t < tok.Count; t++)
                    for (int f = 0; f < dims; f++) hidden[r][t * dims + f] = own[t][f] * (r + 1) + r * mean[f];
            }
            runs.Add(new TransformerRun(tok, labels, dims, hidden, 1, null));
        }
        return runs;
    }

    public WordTokens Tokenize(string word)
    {
        var t = TokenizeText(word);
        var idx = Enumerable.Range(0, t.Count).Where(i => t.Offsets[i].Length > 0).ToList();
        return new WordTokens(word, true, idx.Select(i => t.Ids[i]).ToList(), idx.Select(i => t.Pieces[i]).ToList());
    }

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) => throw new NotSupportedException();
    public IReadOnlyList<string> VocabularyWords() => [];
    public void Dispose() { }
}
