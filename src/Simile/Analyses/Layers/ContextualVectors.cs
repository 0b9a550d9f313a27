using System.Text.RegularExpressions;
using Simile.Data;
using Simile.Models;

namespace Simile.Analyses.Layers;

/// <summary>Where a word's contextual vector comes from.</summary>
public enum ContextKind
{
    /// <summary>The word alone (BERT: [CLS] word [SEP]; GPT-2: the word with its leading space).</summary>
    None,
    /// <summary>Sentences made from templates holding "{word}", averaged.</summary>
    Templates,
    /// <summary>Every whole-word, case-insensitive occurrence in a corpus file (one sentence per line), up to a maximum, averaged.</summary>
    Corpus,
}

/// <summary>How to place words into text before reading a transformer's representations.</summary>
public sealed record ContextSpec(ContextKind Kind, IReadOnlyList<string> Templates, string? CorpusName,
    IReadOnlyList<string>? CorpusLines, int MaxContexts)
{
    /// <summary>The placeholder a template must hold.</summary>
    public const string Placeholder = "{word}";

    /// <summary>Default cap on corpus contexts per word.</summary>
    public const int DefaultMaxContexts = 50;

    /// <summary>
    /// The built-in neutral templates (used for <c>--context neutral</c>, the default). They use "the" so that
    /// no article has to agree with the word, and carry no topic of their own.
    /// </summary>
    public static readonly IReadOnlyList<string> NeutralTemplates =
    [
        "This is the {word}.",
        "I thought about the {word}.",
        "Here is the {word}.",
        "The {word} is here.",
        "We talked about the {word}.",
        "Look at the {word}.",
    ];

    public static ContextSpec None { get; } = new(ContextKind.None, [], null, null, 1);

    public static ContextSpec Neutral { get; } = new(ContextKind.Templates, NeutralTemplates, null, null, NeutralTemplates.Count);

    /// <summary>User templates; each must contain "{word}" (every occurrence is replaced, the first is read).</summary>
    public static ContextSpec FromTemplates(IEnumerable<string> templates)
    {
        var list = templates.ToList();
        if (list.Count == 0) throw new SimileException("no context template given", "pass --context \"… {word} …\" or --context none");
        foreach (var t in list)
            if (!t.Contains(Placeholder, StringComparison.Ordinal))
                throw new SimileException($"context template \"{t}\" has no {Placeholder} placeholder",
                    "write the template with {word} where the word goes, e.g. --context \"I saw the {word}.\"");
        return new ContextSpec(ContextKind.Templates, list, null, null, list.Count);
    }

    /// <summary>A corpus file: one sentence per line (UTF-8).</summary>
    public static ContextSpec FromCorpusFile(string path, int maxContexts = DefaultMaxContexts)
    {
        if (!File.Exists(path))
            throw new SimileException($"corpus file '{path}' not found", "pass an existing text file with one sentence per line to --corpus");
        return FromCorpusLines(File.ReadAllLines(path), Path.GetFileName(path), maxContexts);
    }

    /// <summary>A corpus given as lines (one sentence each).</summary>
    public static ContextSpec FromCorpusLines(IReadOnlyList<string> lines, string name, int maxContexts = DefaultMaxContexts)
    {
        if (maxContexts < 1)
            throw new SimileException($"--max-contexts {maxContexts} is not a positive number", "pass --max-contexts 1 or more");
        return new ContextSpec(ContextKind.Corpus, [], name, lines, maxContexts);
    }

    /// <summary>Parses the CLI form: "none", "neutral", or templates with {word}.</summary>
    public static ContextSpec Parse(IReadOnlyList<string>? contexts)
    {
        if (contexts is null || contexts.Count == 0) return Neutral;
        if (contexts.Count == 1 && contexts[0].Trim().Equals("none", StringComparison.OrdinalIgnoreCase)) return None;
        if (contexts.Count == 1 && contexts[0].Trim().Equals("neutral", StringComparison.OrdinalIgnoreCase)) return Neutral;
        return FromTemplates(contexts);
    }

    public override string ToString() => Kind switch
    {
        ContextKind.None => "none (the word alone)",
        ContextKind.Templates when ReferenceEquals(Templates, NeutralTemplates) => $"neutral templates ({Templates.Count})",
        ContextKind.Templates => $"templates: {string.Join(" | ", Templates)}",
        _ => $"corpus {CorpusName}, up to {MaxContexts} contexts per word",
    };

    /// <summary>The JSON/CLI name of the setting.</summary>
    public string Name => Kind switch
    {
        ContextKind.None => "none",
        ContextKind.Templates when ReferenceEquals(Templates, NeutralTemplates) => "neutral",
        ContextKind.Templates => "templates",
        _ => "corpus",
    };
}

/// <summary>One occurrence of a word inside a text: the text and the word's character span.</summary>
public readonly record struct WordContext(string Text, int Start, int Length);

/// <summary>
/// A word's vector at every representation of a transformer: the word's tokens are located in each context by
/// character offsets, pooled per <see cref="SubwordPolicy"/>, and averaged over the contexts.
/// </summary>
public static class ContextualVectors
{
    /// <summary>Texts per forward-pass batch (bounds the activations the pass holds; the representations are summed per
    /// word as the pass hands them over, never held).</summary>
    public const int ChunkSize = 128;

    /// <summary>Characters kept either side of a corpus occurrence in a very long line.</summary>
    private const int CorpusWindow = 300;

    /// <summary>The contexts a word is read in, per <paramref name="spec"/>. Corpus: may be empty.</summary>
    public static IReadOnlyList<WordContext> ContextsFor(string word, ContextSpec spec, bool usesLeadingSpace)
    {
        switch (spec.Kind)
        {
            case ContextKind.None:
                return usesLeadingSpace ? [new WordContext(" " + word, 1, word.Length)] : [new WordContext(word, 0, word.Length)];
            case ContextKind.Templates:
                return spec.Templates.Select(t =>
                {
                    int at = t.IndexOf(ContextSpec.Placeholder, StringComparison.Ordinal);
                    string before = t[..at].Replace(ContextSpec.Placeholder, word, StringComparison.Ordinal);
                    string text = t.Replace(ContextSpec.Placeholder, word, StringComparison.Ordinal);
                    return new WordContext(text, before.Length, word.Length);
                }).ToList();
            default:
                return CorpusOccurrences(word, spec.CorpusLines ?? [], spec.MaxContexts);
        }
    }

    /// <summary>Whole-word, case-insensitive occurrences in file order, at most <paramref name="max"/>.</summary>
    public static IReadOnlyList<WordContext> CorpusOccurrences(string word, IReadOnlyList<string> lines, int max)
    {
        var found = new List<WordContext>();
        var re = new Regex(@"(?<![\p{L}\p{N}_])" + Regex.Escape(word) + @"(?![\p{L}\p{N}_])",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        foreach (var line in lines)
        {
            if (line.Length == 0) continue;
            for (var m = re.Match(line); m.Success; m = m.NextMatch())
            {
                found.Add(Window(line, m.Index, m.Length));
                if (found.Count >= max) return found;
            }
        }
        return found;
    }

    /// <summary>A long line is cut to a window around the occurrence, at whitespace, so it fits the model's length.</summary>
    private static WordContext Window(string line, int start, int length)
    {
        if (line.Length <= 2 * CorpusWindow + length) return new WordContext(line, start, length);
        int from = Math.Max(0, start - CorpusWindow), to = Math.Min(line.Length, start + length + CorpusWindow);
        if (from > 0) { int sp = line.IndexOf(' ', from); if (sp >= 0 && sp < start) from = sp + 1; }
        if (to < line.Length) { int sp = line.LastIndexOf(' ', to - 1); if (sp >= start + length) to = sp; }
        return new WordContext(line[from..to], start - from, length);
    }

    /// <summary>
    /// Indices of the tokens whose character span overlaps [start, start+length); special tokens (empty spans) never do.
    /// </summary>
    public static int[] LocateTokens(TokenizedText input, int start, int length) => WordTokenSpans.TokensOf(input, start, length);

    /// <summary>
    /// Every representation of <paramref name="model"/> for <paramref name="words"/> per <paramref name="context"/>, or
    /// only <paramref name="representations"/> (labels of <see cref="ITransformerModel.RepresentationLabels"/>; the stack
    /// keeps the model's order): the native pass then stops at the deepest of them.
    /// Throws <see cref="SimileException"/> naming words with no corpus context, and (policy Error) words split into pieces.
    /// </summary>
    public static RepresentationStack Compute(ITransformerModel model, IReadOnlyList<string> words, ContextSpec context,
        SubwordPolicy policy = SubwordPolicy.Mean, IProgress<double>? progress = null, string? modelName = null,
        IReadOnlyList<string>? representations = null)
    {
        int n = words.Count;
        if (n == 0) throw new SimileException("the word list is empty", "give at least two words");
        var perWord = new IReadOnlyList<WordContext>[n];
        for (int w = 0; w < n; w++) perWord[w] = ContextsFor(words[w], context, model.UsesLeadingSpace);
        var missing = Enumerable.Range(0, n).Where(w => perWord[w].Count == 0).Select(w => words[w]).ToList();
        if (missing.Count > 0)
            throw new SimileException(
                $"corpus {context.CorpusName} has no whole-word occurrence of {missing.Count} word(s): {string.Join(", ", missing.Take(20))}{(missing.Count > 20 ? ", …" : "")}",
                "add sentences using these words to the corpus, remove them from the word list, or use --context instead of --corpus");

        // Flatten (word, context) jobs; identical texts are run once.
        var jobs = new List<(int Word, int TextIndex, int Start, int Length)>();
        var texts = new List<string>();
        var textIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int w = 0; w < n; w++)
            foreach (var c in perWord[w])
            {
                if (!textIndex.TryGetValue(c.Text, out int ti)) { ti = texts.Count; texts.Add(c.Text); textIndex[c.Text] = ti; }
                jobs.Add((w, ti, c.Start, c.Length));
            }
        var jobsByText = jobs.GroupBy(j => j.TextIndex).ToDictionary(g => g.Key, g => g.ToList());

        // The texts tokenized and each (word, context) located among its text's tokens; then one run of the model over
        // them, ChunkSize texts a batch, with every representation summed per word as the pass hands it over (no batch
        // holds its representations).
        IReadOnlyList<string> all = model.RepresentationLabels;
        var wanted = representations is null ? [.. Enumerable.Range(0, all.Count)]
            : all.Select((label, i) => (label, i)).Where(x => representations.Contains(x.label)).Select(x => x.i).ToArray();
        if (representations is not null && (wanted.Length != representations.Distinct().Count() || wanted.Length == 0))
            throw new ArgumentException($"representations {string.Join(", ", representations)} are not all labels of the model ({string.Join(", ", all)})", nameof(representations));
        var inputs = new TokenizedText[texts.Count];
        var uses = new List<(int Word, int[] Tokens, double Scale)>[texts.Count];
        var counts = new int[n];
        for (int k = 0; k < texts.Count; k++)
        {
            var input = inputs[k] = model.TokenizeText(texts[k]);
            uses[k] = [];
            foreach (var job in jobsByText[k])
            {
                var tokens = LocateTokens(input, job.Start, job.Length);
                if (tokens.Length == 0)
                    throw new SimileException(
                        $"word '{words[job.Word]}' could not be located among the tokens of \"{input.Text}\"",
                        "check the word for characters the tokenizer drops; remove it from the word list");
                if (tokens.Length > 1 && policy == SubwordPolicy.Error)
                    throw new SimileException(
                        $"word '{words[job.Word]}' is split into {tokens.Length} tokens ({string.Join(" ", tokens.Select(t => input.Pieces[t]))}) in \"{input.Text}\"",
                        "pass --subword mean (or first/last) to pool the pieces, or remove the word");
                int[] use = policy switch
                {
                    SubwordPolicy.First => tokens[..1],
                    SubwordPolicy.Last => tokens[^1..],
                    _ => tokens,
                };
                uses[k].Add((job.Word, use, 1.0 / use.Length));
                counts[job.Word]++;
            }
        }
        var sums = new WordSums(all.Count, wanted, n, inputs, uses, progress);
        model.Stream(inputs, sums, ChunkSize);

        string name = modelName ?? model.Info.Name;
        int dims = sums.Dims;
        var sets = new List<VectorSet>(wanted.Length);
        var labels = wanted.Select(r => all[r]).ToList();
        foreach (int r in wanted)
        {
            var m = new Matrix(n, dims, sums.Of(r));
            for (int w = 0; w < n; w++)
            {
                double inv = 1.0 / counts[w];
                var row = m.Row(w);
                for (int f = 0; f < dims; f++) row[f] *= inv;
            }
            sets.Add(new VectorSet(words, m, $"{name}:{all[r]}"));
        }
        return new RepresentationStack(name, labels, sets, words.ToList(), counts, context.ToString());
    }

    /// <summary>
    /// Per representation, the sums over a word's contexts of its pooled token rows, [n × d] float64: a text's rows are
    /// added as the model hands them over (texts in order, so each sum adds its terms in the same order as a loop over
    /// the texts would).
    /// </summary>
    private sealed class WordSums(int representations, int[] wanted, int words, TokenizedText[] inputs,
        List<(int Word, int[] Tokens, double Scale)>[] uses, IProgress<double>? progress) : ITextRepresentationSink
    {
        // wanted: the representations summed (in order); inputs: the texts as tokenized; uses: for each text the words
        // read in it, their (pooled) token rows and 1 / the number of those rows.
        private readonly double[]?[] _sums = new double[]?[representations];
        private readonly bool[] _wanted = Enumerable.Range(0, representations).Select(wanted.Contains).ToArray();

        public int Deepest => wanted[^1];

        /// <summary>d, known from the first rows handed over.</summary>
        public int Dims { get; private set; }

        public double[] Of(int representation) => _sums[representation] ?? new double[(long)words * Dims];

        public void Receive(int representation, int text, ReadOnlySpan<float> rows)
        {
            if ((uint)representation >= (uint)_sums.Length)
                throw new InvalidOperationException($"model handed over representation {representation} of {_sums.Length}");
            if (representation == Deepest) progress?.Report((text + 1.0) / inputs.Length);   // the text's last
            if (!_wanted[representation] || inputs[text].Count == 0) return;
            if (Dims == 0) Dims = rows.Length / inputs[text].Count;
            var sum = _sums[representation] ??= new double[(long)words * Dims];
            foreach (var (word, tokens, scale) in uses[text])
            {
                var acc = sum.AsSpan(word * Dims, Dims);
                foreach (int t in tokens)
                {
                    var row = rows.Slice(t * Dims, Dims);
                    for (int f = 0; f < Dims; f++) acc[f] += scale * row[f];
                }
            }
        }
    }
}
