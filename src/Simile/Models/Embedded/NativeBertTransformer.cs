using Simile.Engine;
using Simile.Models.Onnx;
using Simile.Data;
using Simile.Models;

namespace Simile.Models.Embedded;

/// <summary>
/// An embedded BERT-style ONNX model (minilm, arctic-xs) run by the native <see cref="BertModel"/> on the graph's own
/// initializers (<see cref="OnnxBertWeights"/>) instead of ONNX Runtime. Tokenisation and the static token vectors are
/// the ONNX model's own.
/// </summary>
public sealed class NativeBertTransformer : ITransformerModel
{
    private readonly EmbeddedBertModel _source;

    public BertModel Model { get; }
    public ModelInfo Info { get; }
    public (int Rows, int Cols) Shape => _source.Shape;
    public bool UsesLeadingSpace => false;
    public IReadOnlyList<string> RepresentationLabels => Model.Labels;

    public NativeBertTransformer(EmbeddedBertModel source)
    {
        _source = source;
        Model = new BertModel(OnnxBertWeights.FromGraph(source.Graph));
        Info = source.Info with { Source = source.Info.Source + " (native forward pass)" };
    }

    public WordTokens Tokenize(string word) => _source.Tokenize(word);
    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) => _source.Vectors(words, policy);
    public IReadOnlyList<string> VocabularyWords() => _source.VocabularyWords();
    public TokenizedText TokenizeText(string text) => _source.TokenizeText(text);

    public IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null) =>
        NativeRun.Run(texts, withAttention, progress, Info.Name, TokenizeText, Model);

    public void Stream(IReadOnlyList<TokenizedText> inputs, ITextRepresentationSink sink, int textsPerBatch) =>
        NativeRun.Stream(inputs, sink, textsPerBatch, Info.Name, Model);

    public void Dispose() => _source.Dispose();
}
