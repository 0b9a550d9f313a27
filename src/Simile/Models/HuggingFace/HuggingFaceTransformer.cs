using Simile.Data;
using Simile.Engine;

namespace Simile.Models.HuggingFace;

/// <summary>Token embeddings and tokenizer of a model folder (only the rows the words need are read, memory-mapped).</summary>
public sealed class HuggingFaceEmbeddings : IWordEmbeddings
{
    private readonly SafetensorsCheckpoint _checkpoint;
    private readonly string _tensor;                 // [V × D] token-embedding matrix

    public HuggingFaceTokenizer Tokenizer { get; }
    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape { get; }

    internal HuggingFaceEmbeddings(SafetensorsCheckpoint checkpoint, HuggingFaceTokenizer tokenizer, ModelInfo info, string tensor, int rows, int cols)
    {
        _checkpoint = checkpoint; Tokenizer = tokenizer; Info = info; _tensor = tensor; Shape = (rows, cols);
    }

    public WordTokens Tokenize(string word) => Tokenizer.EncodeWord(word);

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) =>
        EmbeddingLookup.Build(this, words, policy, Shape.Rows, Shape.Cols, (ids, dst) => SafetensorsDecoderWeights.ReadRows(_checkpoint, _tensor, ids, dst),
            Info.Name + " token embeddings");

    public IReadOnlyList<string> VocabularyWords() => Tokenizer.VocabularyWords();

    public void Dispose() => _checkpoint.Dispose();
}

/// <summary>A BERT or GPT-2 model folder run by the native forward pass, weights memory-mapped.</summary>
public sealed class HuggingFaceTransformer : ITransformerModel
{
    private readonly SafetensorsCheckpoint? _checkpoint;
    private readonly BertModel? _bert;
    private readonly Gpt2Model? _gpt2;
    private readonly LlamaModel? _decoder;
    private readonly ReadOnlyMemory<float> _table;   // [V × D] token embeddings (BERT, GPT-2)

    public HuggingFaceTokenizer Tokenizer { get; }
    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape { get; }
    public IReadOnlyList<string> RepresentationLabels { get; }
    public bool UsesLeadingSpace => _gpt2 is not null || (_decoder is not null && Tokenizer.WordsTakeLeadingSpace);
    public int MaxPositions { get; }

    public HuggingFaceTransformer(BertModel model, HuggingFaceTokenizer tokenizer, ModelInfo info, SafetensorsCheckpoint? checkpoint = null)
    {
        _bert = model; Tokenizer = tokenizer; Info = info; _checkpoint = checkpoint;
        _table = model.Weights.WordEmbeddings;
        Shape = (model.Weights.VocabularySize, model.Dims);
        RepresentationLabels = model.Labels;
        MaxPositions = model.Weights.MaxPositions;
    }

    public HuggingFaceTransformer(Gpt2Model model, HuggingFaceTokenizer tokenizer, ModelInfo info, SafetensorsCheckpoint? checkpoint = null)
    {
        _gpt2 = model; Tokenizer = tokenizer; Info = info; _checkpoint = checkpoint;
        _table = model.Weights.TokenEmbeddings;
        Shape = (model.Weights.VocabularySize, model.Dims);
        RepresentationLabels = model.Labels;
        MaxPositions = model.Weights.MaxPositions;
    }

    /// <summary>A Llama-family decoder; its weights stay in <paramref name="weights"/>' source (disposed with this).</summary>
    public HuggingFaceTransformer(LlamaModel model, HuggingFaceTokenizer tokenizer, ModelInfo info, SafetensorsCheckpoint? checkpoint = null)
    {
        _decoder = model; Tokenizer = tokenizer; Info = info; _checkpoint = checkpoint;
        Shape = (model.VocabularySize, model.Dims);
        RepresentationLabels = model.Labels;
        MaxPositions = model.Config.MaxPositions;
    }

    public WordTokens Tokenize(string word) => Tokenizer.EncodeWord(word);

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) =>
        _decoder is not null
            ? EmbeddingLookup.Build(this, words, policy, Shape.Rows, Shape.Cols, (ids, dst) => _decoder.Weights.ReadRows("model.embed_tokens.weight", ids, dst),
                Info.Name + " token embeddings")
            : EmbeddingLookup.Build(this, words, policy, Shape.Rows, Shape.Cols, id => _table.Span.Slice(id * Shape.Cols, Shape.Cols), Info.Name + " token embeddings");

    public IReadOnlyList<string> VocabularyWords() => Tokenizer.VocabularyWords();

    public TokenizedText TokenizeText(string text) => Tokenizer.EncodeText(text);

    public IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null) =>
        NativeRun.Run(texts, withAttention, progress, Info.Name, TokenizeText, MaxPositions, Shape.Rows,
            _bert is not null ? _bert.Forward : _gpt2 is not null ? _gpt2.Forward : _decoder!.Forward, RepresentationLabels, Shape.Cols,
            _bert?.Heads ?? _gpt2?.Heads ?? _decoder!.Heads);

    public void Dispose()
    {
        _decoder?.Weights.Dispose();
        _checkpoint?.Dispose();
    }
}
