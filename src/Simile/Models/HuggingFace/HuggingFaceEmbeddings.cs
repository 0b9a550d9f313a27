using Simile.Data;
using Simile.Engine;
using Simile.Models.Tokenization;

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
