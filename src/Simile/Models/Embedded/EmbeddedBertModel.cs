using Microsoft.ML.OnnxRuntime;
using Simile.Data;
using Simile.Models.Onnx;
using Simile.Models.Tokenization;

namespace Simile.Models.Embedded;

/// <summary>
/// A BERT-style ONNX model (the embedded MiniLM / Arctic-xs graphs, or a user .onnx file with vocab.txt beside it)
/// read two ways:
/// <list type="bullet">
/// <item>as <see cref="IWordEmbeddings"/>: rows of the token-embedding initializer, straight from the model bytes
/// (no ONNX Runtime session);</item>
/// <item>as <see cref="ITransformerModel"/>: ONNX Runtime runs texts with every LayerNorm output and (on request)
/// every Softmax output added as graph outputs (see <see cref="BertGraph"/> for how they are found). The session is
/// created on first use and reused.</item>
/// </list>
/// </summary>
public sealed class EmbeddedBertModel : ITransformerModel
{
    /// <summary>Texts per ONNX Runtime call. Texts are grouped by token count so that padding stays small.</summary>
    public const int BatchSize = 16;
    public const int MaxTokens = 512;

    private readonly OnnxModelFile _model;
    private readonly BertGraph _graph;
    private readonly ReadOnlyMemory<float> _wordEmbeddings;   // [vocab × dims]
    private readonly WordPieceTokenizer _tokenizer;
    private readonly Lazy<InferenceSession> _session;
    private readonly object _runLock = new();
    private IReadOnlyList<string>? _vocabularyWords;

    public ModelInfo Info { get; }
    public BertGraph Graph => _graph;
    public WordPieceTokenizer Tokenizer => _tokenizer;
    public (int Rows, int Cols) Shape => (_graph.VocabularySize, _graph.Dims);
    public bool UsesLeadingSpace => false;
    public IReadOnlyList<string> RepresentationLabels { get; }

    /// <summary>Null when every layer can be read; else which representations are unavailable and why.</summary>
    public string? Unavailable => _graph.Unavailable;

    public EmbeddedBertModel(byte[] onnxBytes, byte[] vocabTxt, string source, Func<BertGraph, ModelInfo> info)
    {
        _model = OnnxModelFile.Parse(onnxBytes, source);
        _graph = new BertGraph(_model);
        _tokenizer = WordPieceTokenizer.FromVocabBytes(vocabTxt, source + " vocab.txt");
        if (_tokenizer.VocabularySize != _graph.VocabularySize)
            throw new SimileException(
                $"{source}: vocab.txt has {_tokenizer.VocabularySize} tokens but the token-embedding matrix has {_graph.VocabularySize} rows",
                "use the vocab.txt that belongs to this model");
        _wordEmbeddings = _model.Initializer(_graph.WordEmbeddingName).FloatValues();
        Info = info(_graph);
        RepresentationLabels = _graph.HiddenOutputs.Count > 0
            ? ["token", .. Enumerable.Range(0, _graph.Layers + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))]
            : ["token"];
        _session = new Lazy<InferenceSession>(CreateSession, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>One of the packaged models (MiniLM, Arctic-xs): graph and vocabulary read from the NuGet assembly.</summary>
    public static EmbeddedBertModel Open(EmbeddedPackage package, Func<BertGraph, ModelInfo> info)
    {
        var onnx = package.ReadResource("model.onnx");
        var vocab = package.ReadResource("vocab.txt");
        return new EmbeddedBertModel(onnx, vocab, $"{package.PackageId} model.onnx", info);
    }

    /// <summary>A user .onnx BERT-style file with vocab.txt in the same folder.</summary>
    public static EmbeddedBertModel OpenFile(string onnxPath)
    {
        var vocabPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(onnxPath))!, "vocab.txt");
        if (!File.Exists(vocabPath))
            throw new SimileException($"no vocab.txt next to {onnxPath}", "put the model's WordPiece vocab.txt in the same folder as the .onnx file");
        var model = OnnxModelFile.Load(onnxPath);
        return new EmbeddedBertModel(model.Bytes, File.ReadAllBytes(vocabPath), onnxPath, g => new ModelInfo(
            Path.GetFileNameWithoutExtension(onnxPath), "bert", g.VocabularySize, g.Dims, g.Layers, g.Heads,
            Path.GetFullPath(onnxPath), "see the model's own licence", null, true));
    }

    // ------------------------------------------------------------------ static token embeddings

    /// <summary>The embedding row of one token id: a view of the initializer, [dims] float32.</summary>
    public ReadOnlySpan<float> TokenEmbedding(int id)
    {
        if ((uint)id >= (uint)_graph.VocabularySize) throw new ArgumentOutOfRangeException(nameof(id));
        return _wordEmbeddings.Span.Slice(id * _graph.Dims, _graph.Dims);
    }

    public WordTokens Tokenize(string word)
    {
        var toks = _tokenizer.Tokenize(word);
        bool known = toks.Count > 0 && toks.All(t => t.Id != _tokenizer.UnknownId);
        return new WordTokens(word, known, toks.Select(t => t.Id).ToList(), toks.Select(t => t.Piece).ToList());
    }

    public VectorSet Vectors(IReadOnlyList<string> words, SubwordPolicy policy) =>
        EmbeddingLookup.Build(this, words, policy, Shape.Rows, _graph.Dims, TokenEmbedding, $"{Info.Name} token embeddings");

    /// <summary>Whole-word tokens in id order: no "##" continuations, no [unused…], no special tokens, and only tokens that the tokenizer maps back to themselves.</summary>
    public IReadOnlyList<string> VocabularyWords()
    {
        return _vocabularyWords ??= Compute();
        List<string> Compute()
        {
            var words = new List<string>();
            for (int id = 0; id < _tokenizer.VocabularySize; id++)
            {
                string t = _tokenizer.TokenOf(id);
                if (t.Length == 0 || t.StartsWith("##", StringComparison.Ordinal) || _tokenizer.IsSpecial(id)) continue;
                var back = _tokenizer.Tokenize(t);
                if (back.Count == 1 && back[0].Id == id) words.Add(t);
            }
            return words;
        }
    }

    // ------------------------------------------------------------------ transformer

    public TokenizedText TokenizeText(string text) => _tokenizer.TokenizeText(text);

    private InferenceSession CreateSession()
    {
        var extra = _graph.HiddenOutputs.Concat(_graph.AttentionOutputs);
        var bytes = _model.WithExtraOutputs(extra);
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        try { return new InferenceSession(bytes, options); }
        catch (OnnxRuntimeException e)
        {
            throw new SimileException($"ONNX Runtime could not load {_model.Source}: {e.Message}", "check that the file is a valid ONNX model for opset ≤ 21", e);
        }
    }

    public IReadOnlyList<TransformerRun> Run(IReadOnlyList<string> texts, bool withAttention, IProgress<double>? progress = null)
    {
        if (_graph.HiddenOutputs.Count == 0)
            throw new SimileException(_graph.Unavailable ?? $"{_model.Source}: layer representations are unavailable",
                "use the token embeddings only, or export the model without fused operators (opset 13-17, no ORT optimisation)");
        if (withAttention && _graph.AttentionOutputs.Count == 0)
            throw new SimileException($"{_model.Source}: attention probabilities are unavailable (no Softmax nodes)", "run without attention");

        var inputs = texts.Select(TokenizeText).ToArray();
        for (int i = 0; i < inputs.Length; i++)
            if (inputs[i].Count > MaxTokens)
                throw new SimileException($"text {i + 1} has {inputs[i].Count} tokens, more than the model's {MaxTokens} positions: \"{Shorten(texts[i])}\"",
                    "shorten the text (sentences of a few dozen words are plenty)");

        // group by length (stable), so each batch pads to a similar length
        var order = Enumerable.Range(0, inputs.Length).OrderBy(i => inputs[i].Count).ThenBy(i => i).ToArray();
        var runs = new TransformerRun[inputs.Length];
        var outputNames = new List<string>(_graph.HiddenOutputs);
        if (withAttention) outputNames.AddRange(_graph.AttentionOutputs);
        var labels = RepresentationLabels;

        int done = 0;
        for (int b = 0; b < order.Length; b += BatchSize)
        {
            var batch = order.AsSpan(b, Math.Min(BatchSize, order.Length - b)).ToArray();
            RunBatch(batch, inputs, outputNames, withAttention, labels, runs);
            done += batch.Length;
            progress?.Report((double)done / inputs.Length);
        }
        return runs;
    }

    private void RunBatch(int[] batch, TokenizedText[] inputs, List<string> outputNames, bool withAttention,
        IReadOnlyList<string> labels, TransformerRun[] runs)
    {
        int B = batch.Length, T = batch.Max(i => inputs[i].Count), D = _graph.Dims, L = _graph.Layers;
        var ids = new long[B * T]; var mask = new long[B * T]; var types = new long[B * T];
        for (int r = 0; r < B; r++)
        {
            var tt = inputs[batch[r]];
            for (int t = 0; t < T; t++)
            {
                ids[r * T + t] = t < tt.Count ? tt.Ids[t] : _tokenizer.PaddingId;
                mask[r * T + t] = t < tt.Count ? 1 : 0;
            }
        }
        long[] shape = [B, T];
        var names = new List<string> { "input_ids" };
        var values = new List<OrtValue> { OrtValue.CreateTensorValueFromMemory(ids, shape) };
        if (_graph.HasAttentionMask) { names.Add("attention_mask"); values.Add(OrtValue.CreateTensorValueFromMemory(mask, shape)); }
        if (_graph.HasTokenTypeIds) { names.Add("token_type_ids"); values.Add(OrtValue.CreateTensorValueFromMemory(types, shape)); }
        try
        {
            using var runOptions = new RunOptions();
            using var results = _session.Value.Run(runOptions, names, values, outputNames);
            var hidden = new float[B][][];
            var attention = withAttention ? new float[B][][] : null;
            for (int r = 0; r < B; r++)
            {
                hidden[r] = new float[L + 2][];
                if (attention is not null) attention[r] = new float[L][];
            }
            for (int r = 0; r < B; r++)
            {
                int n = inputs[batch[r]].Count;
                // "token": the embedding rows of the ids, [n × D]
                var tok = new float[n * D];
                for (int t = 0; t < n; t++) TokenEmbedding(inputs[batch[r]].Ids[t]).CopyTo(tok.AsSpan(t * D, D));
                hidden[r][0] = tok;
            }
            int heads = 0;
            for (int o = 0; o < outputNames.Count; o++)
            {
                var value = results[o];
                var dims = value.GetTensorTypeAndShape().Shape;
                var data = value.GetTensorDataAsSpan<float>();
                if (o <= L)
                {
                    // hidden [B × T × D] → per text [n × D]
                    if (dims.Length != 3 || dims[0] != B || dims[1] != T || dims[2] != D)
                        throw new SimileException($"{_model.Source}: output '{outputNames[o]}' has shape [{string.Join(", ", dims)}], expected [{B}, {T}, {D}]",
                            "use a BERT-style model whose LayerNorm outputs are [batch, tokens, dims]");
                    for (int r = 0; r < B; r++)
                    {
                        int n = inputs[batch[r]].Count;
                        hidden[r][o + 1] = data.Slice(r * T * D, n * D).ToArray();
                    }
                }
                else
                {
                    // attention [B × H × T × T] → per text [H × n × n]
                    if (dims.Length != 4 || dims[0] != B || dims[2] != T || dims[3] != T)
                        throw new SimileException($"{_model.Source}: attention output '{outputNames[o]}' has shape [{string.Join(", ", dims)}], expected [{B}, heads, {T}, {T}]",
                            "use a BERT-style model with unfused attention");
                    int H = (int)dims[1];
                    heads = H;
                    for (int r = 0; r < B; r++)
                    {
                        int n = inputs[batch[r]].Count;
                        var a = new float[H * n * n];
                        for (int h = 0; h < H; h++)
                            for (int q = 0; q < n; q++)
                                data.Slice(((r * H + h) * T + q) * T, n).CopyTo(a.AsSpan((h * n + q) * n, n));
                        attention![r][o - (L + 1)] = a;
                    }
                }
            }
            for (int r = 0; r < B; r++)
                runs[batch[r]] = new TransformerRun(inputs[batch[r]], labels, D, hidden[r],
                    withAttention ? heads : _graph.Heads, attention?[r]);
        }
        catch (OnnxRuntimeException e)
        {
            throw new SimileException($"ONNX Runtime failed on {_model.Source}: {e.Message}", "check the model file; report the problem if it is one of the embedded models", e);
        }
        finally
        {
            foreach (var v in values) v.Dispose();
        }
    }

    private static string Shorten(string s) => s.Length <= 60 ? s : s[..57] + "...";

    public void Dispose()
    {
        if (_session.IsValueCreated) _session.Value.Dispose();
    }
}
