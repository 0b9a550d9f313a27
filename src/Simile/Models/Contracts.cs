using Simile.Data;

namespace Simile.Models;

/// <summary>How a word that the tokenizer splits into several pieces becomes one vector.</summary>
public enum SubwordPolicy { Error, Mean, First, Last }

/// <summary>What <c>simile models</c> and <c>simile inspect</c> show about a model.</summary>
public sealed record ModelInfo(
    string Name,
    string Architecture,      // "bert", "gpt2", "static"
    int VocabularySize,
    int Dims,
    int Layers,               // 0 for static vectors
    int Heads,                // 0 for static vectors
    string Source,            // where the weights come from (package, path)
    string Licence,
    string? Attribution,
    bool Cached);

/// <summary>How a model's tokenizer (or a static vocabulary) sees one word.</summary>
public sealed record WordTokens(string Word, bool Known, IReadOnlyList<int> Ids, IReadOnlyList<string> Pieces)
{
    public bool IsSingleToken => Known && Ids.Count == 1;
}

/// <summary>A source of one static vector per word: a token-embedding matrix, or a word-vector file.</summary>
public interface IWordEmbeddings : IDisposable
{
    ModelInfo Info { get; }

    /// <summary>Shape of the whole embedding matrix (vocabulary × dims), e.g. 30522 × 384.</summary>
    (int Rows, int Cols) Shape { get; }

    /// <summary>The token ids and pieces for a word (Known = false when a static vocabulary lacks it).</summary>
    WordTokens Tokenize(string word);

    /// <summary>
    /// One row per word: the embedding row of its token, or the pooled rows of its pieces per <paramref name="policy"/>.
    /// Throws <see cref="SimileException"/> naming every missing word, and with <see cref="SubwordPolicy.Error"/>
    /// every multi-token word with its pieces.
    /// </summary>
    VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy);

    /// <summary>Every word of the vocabulary that is one whole token / entry, in vocabulary order (for whole-vocabulary RSA).</summary>
    IReadOnlyList<string> VocabularyWords();
}

/// <summary>A tokenized text as the model sees it: ids, pieces and the character span of each token in the text
/// (special tokens such as [CLS]/[SEP] have an empty span at 0).</summary>
public sealed record TokenizedText(string Text, int[] Ids, string[] Pieces, (int Start, int Length)[] Offsets)
{
    public int Count => Ids.Length;
}

/// <summary>
/// Everything one forward pass gives for one text. Hidden[r] is [tokens × Dims] row-major float32 for
/// representation Labels[r] ("token", "0", "1", …, "L", and "final" for GPT-2's ln_f output).
/// Attention (when asked) is Attention[layer] = [heads × tokens × tokens] probabilities, row = query.
/// </summary>
public sealed record TransformerRun(TokenizedText Input, IReadOnlyList<string> Labels, int Dims, float[][] Hidden,
    int Heads, float[][]? Attention);

/// <summary>A transformer whose every layer can be read: ONNX Runtime (embedded models) or the native forward pass.</summary>
public interface ITransformerModel : IWordEmbeddings
{
    /// <summary>"token", "0", "1", …, "L" (+ "final" for GPT-2).</summary>
    IReadOnlyList<string> RepresentationLabels { get; }

    /// <summary>True for models whose words take a leading space (GPT-2 byte-level BPE).</summary>
    bool UsesLeadingSpace { get; }

    /// <summary>Tokenizes a text as the model is fed (BERT adds [CLS] … [SEP]; GPT-2 adds nothing).</summary>
    TokenizedText TokenizeText(string text);

    /// <summary>Runs the texts (batched internally, with padding masks) and returns every representation per text.</summary>
    IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null);

    /// <summary>
    /// Runs texts tokenized by <see cref="TokenizeText"/>, at most <paramref name="textsPerBatch"/> at a time, and hands
    /// every representation of each to <paramref name="sink"/>, keeping none: the native forward pass hands each one
    /// over as soon as it is computed (a run's memory is one layer's weights and one batch's activations, whatever the
    /// number of texts and layers), text by text in order for each representation. This default runs
    /// <see cref="Run"/> on each batch and hands its outputs over text by text (ONNX Runtime returns every representation
    /// at once).
    /// </summary>
    void Stream(IReadOnlyList<TokenizedText> inputs, ITextRepresentationSink sink, int textsPerBatch)
    {
        for (int first = 0; first < inputs.Count; first += textsPerBatch)
        {
            var runs = Run([.. inputs.Skip(first).Take(textsPerBatch).Select(i => i.Text)], withAttention: false);
            for (int t = 0; t < runs.Count; t++)
                for (int r = 0; r < runs[t].Hidden.Length; r++) sink.Receive(r, first + t, runs[t].Hidden[r]);
        }
    }
}

/// <summary>Receives the representations of texts as a transformer produces them (<see cref="ITransformerModel.Stream"/>).</summary>
public interface ITextRepresentationSink
{
    /// <summary>Representation <paramref name="representation"/> (an index into
    /// <see cref="ITransformerModel.RepresentationLabels"/>) of text <paramref name="text"/> (an index into the inputs):
    /// [tokens × Dims] rows, valid during the call only. For a given representation, texts arrive in increasing order.</summary>
    void Receive(int representation, int text, ReadOnlySpan<float> rows);

    /// <summary>The deepest representation the sink needs (an index into
    /// <see cref="ITransformerModel.RepresentationLabels"/>): a native pass stops there (ONNX Runtime computes every
    /// one; the deeper ones are handed over all the same). Default: all.</summary>
    int Deepest => int.MaxValue;
}
