using Simile.Data;
using Simile.Engine;

namespace Simile.Models;

/// <summary>How a native model's tokenizer is called (whatever file it came from: tokenizer.json, vocab.txt, GGUF metadata).</summary>
public sealed record ModelTokenizer(
    Func<string, WordTokens> EncodeWord,
    Func<string, TokenizedText> EncodeText,
    Func<IReadOnlyList<string>> VocabularyWords);

/// <summary>
/// Any <see cref="IForwardPass"/> with its tokenizer as an <see cref="ITransformerModel"/>: the one wrapper that
/// Hugging Face folders and GGUF files share. Token embeddings are read row by row through the pass (only the rows the
/// words need), texts run through <see cref="NativeRun"/> (streamed: <see cref="Stream"/>).
/// </summary>
public sealed class NativeTransformer : ITransformerModel
{
    private readonly IDisposable?[] _owned;
    private readonly ModelTokenizer _tokenizer;

    public IForwardPass Pass { get; }
    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape => (Pass.VocabularySize, Pass.Dims);
    public IReadOnlyList<string> RepresentationLabels => Pass.Labels;
    public bool UsesLeadingSpace { get; }
    public int MaxPositions => Pass.MaxPositions;

    /// <param name="owned">What the pass reads from (mapped files, weight sources), disposed with this model.</param>
    public NativeTransformer(IForwardPass pass, ModelTokenizer tokenizer, ModelInfo info, bool usesLeadingSpace, params IDisposable?[] owned)
    {
        Pass = pass; _tokenizer = tokenizer; Info = info; UsesLeadingSpace = usesLeadingSpace; _owned = owned;
    }


    public WordTokens Tokenize(string word) => _tokenizer.EncodeWord(word);

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) =>
        EmbeddingLookup.Build(this, words, policy, Shape.Rows, Shape.Cols, (ids, dst) => Pass.ReadTokenEmbeddings(ids, dst),
            Info.Name + " token embeddings");

    public IReadOnlyList<string> VocabularyWords() => _tokenizer.VocabularyWords();

    public TokenizedText TokenizeText(string text) => _tokenizer.EncodeText(text);

    public IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null) =>
        NativeRun.Run(texts, withAttention, progress, Info.Name, TokenizeText, Pass);

    public void Stream(IReadOnlyList<TokenizedText> inputs, ITextRepresentationSink sink, int textsPerBatch) =>
        NativeRun.Stream(inputs, sink, textsPerBatch, Info.Name, Pass);

    public void Dispose()
    {
        foreach (var o in _owned) o?.Dispose();
    }
}
