using System.Xml.Linq;
using Simile.Cli;
using Simile.Tests.Data;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>
/// Strict option parsing on every verb: an unknown or misspelled option, or an extra positional argument, stops the run
/// before any work with exit code 2, one line on stderr naming it (and the closest real option of that verb), and no
/// output. The verbs are walked as the CLI registers them, and that list is checked against Spectre.Console.Cli's own
/// model of the application (<c>simile cli xmldoc</c>), so a verb added later is walked too.
/// </summary>
[Collection(ConsoleCollection.Name)]
public class StrictParsingTests
{
    public static TheoryData<string> VerbPaths()
    {
        var data = new TheoryData<string>();
        foreach (var v in Program.Verbs) data.Add(v.Path);
        return data;
    }

    private static CliVerb Verb(string path) => Program.Verbs.Single(v => v.Path == path);

    /// <summary>The verb's words, then a value for each positional argument it takes (nothing is read: parsing fails first).</summary>
    private static List<string> Start(CliVerb verb)
    {
        var args = verb.Path.Split(' ').ToList();
        for (int i = 0; i < Math.Min(verb.Arguments, 2); i++) args.Add(Path.Combine(TestPaths.RepoRoot, "examples", "model-a.csv"));
        return args;
    }

    /// <summary>Runs the verb with --out pointing into an empty folder (when it has --out); asserts exit 2, one line, no output.</summary>
    private static string RunRefused(CliVerb verb, params string[] extra)
    {
        using var dir = new TempFolder();
        var args = Start(verb);
        if (verb.Find("--out") is not null) args.AddRange(["--out", Path.Combine(dir.Path, "out")]);
        args.AddRange(extra);
        var r = CliRunner.Run(args.ToArray());
        Assert.True(r.ExitCode == 2, r.ToString());
        Assert.Equal("", r.Stdout);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.ToString());
        Assert.StartsWith("simile: error: ", lines[0]);
        Assert.Empty(Directory.EnumerateFileSystemEntries(dir.Path));
        return lines[0];
    }

    [Theory]
    [MemberData(nameof(VerbPaths))]
    public void ABogusOptionIsRefused(string path)
    {
        var verb = Verb(path);
        string line = RunRefused(verb, "--no-such-option-at-all", "5");
        Assert.Contains("unknown option '--no-such-option-at-all'", line);
        Assert.Contains($"see 'simile {path} --help'", line);
        Assert.DoesNotContain("did you mean", line);
    }

    [Theory]
    [MemberData(nameof(VerbPaths))]
    public void AMisspelledOptionNamesTheRealOne(string path)
    {
        var verb = Verb(path);
        // The verb's longest option with two inner letters swapped (--verbose → --vebrose, every verb has it).
        string real = verb.Options.SelectMany(o => o.Names).Where(n => n.StartsWith("--", StringComparison.Ordinal) && n != "--help")
            .OrderByDescending(n => n.Length).ThenBy(n => n, StringComparer.Ordinal).First();
        int k = real.Length / 2;
        string typo = real[..k] + real[k + 1] + real[k] + real[(k + 2)..];
        Assert.NotEqual(real, typo);
        string line = RunRefused(verb, typo, "1");
        Assert.Contains($"unknown option '{typo}'. Fix: did you mean {real}?", line);
    }

    [Theory]
    [MemberData(nameof(VerbPaths))]
    public void AnExtraArgumentIsRefused(string path)
    {
        var verb = Verb(path);
        Assert.True(verb.Arguments <= 2, "a verb with a list argument takes any number; this test gives at most two");
        string line = RunRefused(verb, "one-argument-too-many");
        Assert.Contains("unexpected argument 'one-argument-too-many'", line);
    }

    [Theory]
    [MemberData(nameof(VerbPaths))]
    public void AnUnknownShortOptionIsRefused(string path)
    {
        string line = RunRefused(Verb(path), "-Z");
        Assert.Contains("unknown option '-Z'", line);
    }

    [Fact]
    public void TheIssueExamplesGiveTheLineTheReadmeShows()
    {
        string a = Path.Combine(TestPaths.RepoRoot, "examples", "model-a.csv");
        var r = CliRunner.Run("compare", a, a, "--permutatoins", "5000");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("simile: error: unknown option '--permutatoins'. Fix: did you mean --permutations? Or see 'simile compare --help' for every option of compare\n", r.Stderr);
        Assert.Contains("did you mean --layer?", RunRefused(Verb("vectors"), "--layers", "all"));
        Assert.Contains("did you mean --permutations?", RunRefused(Verb("compare"), "--perm=5"));   // an abbreviation, value after '='
        Assert.Contains("did you mean --model?", RunRefused(Verb("layers"), "--modle", "minilm"));
    }

    /// <summary>Option values that look like options are values; --k is --neighbours where the verb has it and unknown elsewhere.</summary>
    [Fact]
    public void ValuesAndTheKAliasPassTheCheck()
    {
        var compare = Verb("compare");
        Assert.Equal(["compare", "a", "b", "--neighbours", "3", "--seed", "-1", "--json", "false"],
            StrictParsing.Check(["compare", "a", "b", "--k", "3", "--seed", "-1", "--json", "false"], Program.Verbs));
        Assert.Equal(["compare", "a", "--neighbours=3", "b", "-vk", "4"], StrictParsing.Check(["compare", "a", "--k=3", "b", "-vk", "4"], Program.Verbs));
        Assert.Equal(["layers", "--neighbours", "3"], StrictParsing.Check(["layers", "--k", "3"], Program.Verbs));
        var e = Assert.Throws<SimileException>(() => StrictParsing.Check(["rdm", "a", "--k", "3"], Program.Verbs));
        Assert.Equal("unknown option '--k'", e.Message);
        Assert.NotNull(compare.Find("-k"));
    }

    [Fact]
    public void EditDistanceCountsASwapAsOneEdit()
    {
        Assert.Equal(1, StrictParsing.EditDistance("permutatoins", "permutations"));
        Assert.Equal(1, StrictParsing.EditDistance("layers", "layer"));
        Assert.Equal(3, StrictParsing.EditDistance("kitten", "sitting"));   // the textbook Levenshtein example
        Assert.Equal(0, StrictParsing.EditDistance("", ""));
        Assert.Equal(4, StrictParsing.EditDistance("", "seed"));
    }

    /// <summary>The verbs and options the check knows are exactly those Spectre.Console.Cli parses (its own model, <c>cli xmldoc</c>).</summary>
    [Fact]
    public void TheVerbListIsSpectresModel()
    {
        var r = CliRunner.RunProcess("cli", "xmldoc");
        Assert.True(r.ExitCode == 0, r.ToString());
        var model = XDocument.Parse(r.Stdout);
        var leaves = new Dictionary<string, HashSet<string>>();
        void Walk(XElement parent, string prefix)
        {
            foreach (var c in parent.Elements("Command"))
            {
                string path = prefix + c.Attribute("Name")!.Value;
                if (c.Attribute("IsBranch")!.Value == "true") { Walk(c, path + " "); continue; }
                leaves[path] = c.Element("Parameters")?.Elements("Option")
                    .SelectMany(o => new[] { "--" + o.Attribute("Long")!.Value, "-" + o.Attribute("Short")!.Value })
                    .Where(n => n is not ("-" or "--")).ToHashSet() ?? [];
            }
        }
        Walk(model.Root!, "");
        Assert.Equal(leaves.Keys.Order(), Program.Verbs.Select(v => v.Path).Order());
        Assert.Contains("grid sbatch", leaves.Keys);
        foreach (var v in Program.Verbs)
        {
            var ours = v.Options.SelectMany(o => o.Names).Except(["--help", "-h", "-?"]).ToHashSet();
            Assert.True(leaves[v.Path].SetEquals(ours), $"{v.Path}: Spectre {string.Join(' ', leaves[v.Path].Order())} vs {string.Join(' ', ours.Order())}");
            Assert.Contains("--verbose", ours);   // --verbose is one shared option (VerbSettings), on every verb
        }
    }
}
