using System.ComponentModel;
using Simile.Analyses.Layers;
using Simile.Data;
using Simile.Models;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>
/// Options shared by the verbs that read words in context from a transformer (<c>layers</c>, <c>vectors</c>):
/// the word list, the contexts (templates or a corpus) and the pooling of words split into several tokens.
/// Each verb chooses what no --context means (<see cref="DefaultContext"/>).
/// </summary>
public abstract class WordContextSettings : VerbSettings
{
    [CommandOption("--words <FILE>")]
    [Description("Word list TSV (header 'word<TAB>category'). Default: the 34 seed words (data/seed-words.tsv).")]
    public string? Words { get; init; }

    [CommandOption("--context <TEXT>")]
    [Description("none (the word alone), neutral (built-in templates), or a template with {word}; repeatable (averaged). Default: layers neutral, vectors none.")]
    public string[] Context { get; init; } = [];

    [CommandOption("--corpus <FILE>")]
    [Description("Text file, one sentence per line: every whole-word occurrence of each word (case-insensitive) is a context; they are averaged.")]
    public string? Corpus { get; init; }

    [CommandOption("--max-contexts <N>")]
    [Description("With --corpus: at most N contexts per word (default 50).")]
    [DefaultValue(ContextSpec.DefaultMaxContexts)]
    public int MaxContexts { get; init; } = ContextSpec.DefaultMaxContexts;

    [CommandOption("--subword <POLICY>")]
    [Description("A word split into several tokens: mean (default), first, last, or error.")]
    [DefaultValue("mean")]
    public string Subword { get; init; } = "mean";

    /// <summary>The contexts when neither --context nor --corpus is given.</summary>
    protected abstract ContextSpec DefaultContext { get; }

    /// <summary>--corpus, else --context, else the verb's default.</summary>
    public ContextSpec Contexts() =>
        Corpus is not null ? ContextSpec.FromCorpusFile(Corpus, MaxContexts)
        : Context.Length == 0 ? DefaultContext
        : ContextSpec.Parse(Context);

    public SubwordPolicy SubwordPolicy() => CliSupport.ParseSubword(Subword);

    /// <summary>Fewest words the verb accepts (3 where pairs of words are compared; <c>vectors</c> exports 1 or more).</summary>
    protected virtual int MinimumWords => WordListFile.DefaultMinimumWords;

    public WordList LoadWords() => CliSupport.LoadWords(Words, MinimumWords);

    /// <summary>The problem with the context options, or null.</summary>
    protected string? ContextProblem() =>
        Corpus is not null && Context.Length > 0 ? "give either --context or --corpus, not both" : null;
}
