using Simile.Analyses.Targets;
using Xunit;

namespace Simile.Tests.Analyses.Targets;

/// <summary>The target reader: layouts it must tell apart, and hostile files that must each give one clear line.</summary>
public class TargetFileTests
{
    private static string Write(string name, string text)
    {
        string dir = Path.Combine(Path.GetTempPath(), "simile-targets-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string p = Path.Combine(dir, name);
        File.WriteAllText(p, text);
        return p;
    }

    [Fact]
    public void SquareRdmWithoutCornerCellAndTabsIsRead()
    {
        var t = TargetFile.Parse("a\tb\tc\na\t0\t1\t2\nb\t1\t0\t3\nc\t2\t3\t0\n", "x.tsv");
        Assert.Equal(TargetKind.Rdm, t.Kind);
        Assert.Equal(["a", "b", "c"], t.Words);
        Assert.Equal([1.0, 2, 3], t.Subjects[0]);
    }

    [Fact]
    public void RdmWithALabelledCornerAndRowsInAnotherOrderIsRead()
    {
        var t = TargetFile.Parse("word,a,b,c\nc,2,3,0\na,0,1,2\nb,1,0,3\n", "x.csv");
        Assert.Equal(TargetKind.Rdm, t.Kind);
        Assert.Equal([1.0, 2, 3], t.Subjects[0]);
    }

    [Fact]
    public void SubjectsInDifferentWordOrdersAreAligned()
    {
        string a = Write("s1.csv", ",a,b,c\na,0,1,2\nb,1,0,3\nc,2,3,0\n");
        string b = Write("s2.csv", ",c,a,b\nc,0,5,6\na,5,0,4\nb,6,4,0\n");
        var t = Assert.Single(TargetFile.ReadAll([a, b]));
        Assert.Equal(2, t.SubjectCount);
        Assert.Equal([4.0, 5, 6], t.Subjects[1]);
    }

    [Fact]
    public void PairsKeepDuplicatesAndQuotedCsvCells()
    {
        var t = TargetFile.Parse("\"Word 1\",\"Word 2\",\"Human (mean)\"\nlove,sex,6.77\nlove,sex,6.77\ntiger,cat,7.35\nbook,paper,7.46\n", "w.csv");
        Assert.Equal(TargetKind.Pairs, t.Kind);
        Assert.Equal(4, t.PairCount);
        Assert.Equal([6.77, 6.77, 7.35, 7.46], t.Subjects[0]);
    }

    [Fact]
    public void MenLemmaFormDropsThePartOfSpeechSuffixes()
    {
        // MEN_dataset_lemma_form_full: "word-tag word-tag score", tags n, v, j; the natural form has none.
        var t = TargetFile.Parse("sun-n sunlight-n 50.000000\nautomobile-n car-n 50.000000\nrun-v dark-j 3.000000\nsun-n car-n 12.000000\n", "MEN_dataset_lemma_form_full");
        Assert.Equal(["sun", "sunlight", "automobile", "car", "run", "dark"], t.Words);
        Assert.Equal(4, t.PairCount);
        // one word without a tag: every word is kept as written (a hyphenated word is not a tag)
        var u = TargetFile.Parse("sun-n sunlight-n 50\nlay-up x-ray 10\nrun-v dark-j 3\n", "pairs.txt");
        Assert.Contains("sun-n", u.Words);
        Assert.Contains("lay-up", u.Words);
    }

    [Fact]
    public void WordSimSetFilesWithRaterColumnsUseTheMean()
    {
        // WordSim-353's set1.csv/set2.csv layout: the mean, then one column per rater (named 1, 2, …).
        var t = TargetFile.Parse("Word 1,Word 2,Human (mean),1,2,3\nlove,sex,6.77,9,6,8\ntiger,cat,7.35,9,7,8\nbook,paper,7.46,8,7,8\n", "set1.csv");
        Assert.Equal(3, t.PairCount);
        Assert.Equal([6.77, 7.35, 7.46], t.Subjects[0]);
        Assert.Equal("love", t.Words[0]);
    }

    public static TheoryData<string, string, string> Hostile => new()
    {
        { "empty", "", "has no pairs" },
        { "only comments", "# nothing\n#\n", "has no pairs" },
        { "one pair", "a\tb\t1\n", "at least 3" },
        { "header only", "word1\tword2\tscore\n", "no pairs" },
        { "two columns", "a\tb\nc\td\n", "two words and a score" },
        { "ragged rows", "a\tb\t1\nc\td\t2\textra\ne\tf\t3\n", "line 2: has 4 fields, expected 3" },
        { "non-numeric score", "a\tb\t1\nc\td\thigh\ne\tf\t3\n", "line 2, column 3: 'high' is not a number" },
        { "NaN score", "a\tb\t1\nc\td\tNaN\ne\tf\t3\n", "not a finite number" },
        { "infinite score", "a\tb\t1\nc\td\t1e999\ne\tf\t3\n", "not a finite number" },
        { "constant scores", "a\tb\t1\nc\td\t1\ne\tf\t1\n", "every value is 1" },
        { "empty word", "a\t\t1\nc\td\t2\ne\tf\t3\n", "word 2 is empty" },
        { "non-square RDM", ",a,b,c\na,0,1,2\nb,1,0,3\n", "not square" },
        { "asymmetric RDM", ",a,b,c\na,0,1,2\nb,1.5,0,3\nc,2,3,0\n", "not symmetric" },
        { "RDM with NaN", ",a,b,c\na,0,1,nan\nb,1,0,3\nc,nan,3,0\n", "not a finite number" },
        { "RDM with a text cell", ",a,b,c\na,0,1,x\nb,1,0,3\nc,x,3,0\n", "'x' is not a number" },
        { "RDM row word not in header", ",a,b,c\na,0,1,2\nb,1,0,3\nd,2,3,0\n", "'d' is not in the header" },
        { "RDM duplicate header word", ",a,b,a\na,0,1,2\nb,1,0,3\na,2,3,0\n", "twice" },
        { "RDM ragged row", ",a,b,c\na,0,1,2\nb,1,0\nc,2,3,0\n", "expected 4" },
        { "RDM of two words", ",a,b\na,0,1\nb,1,0\n", "at least 3 words" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileFilesGiveOneLine(string what, string text, string expected)
    {
        var e = Assert.Throws<SimileException>(() => TargetFile.Read(Write("t.txt", text)));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.Contains("Fix:", e.OneLine);
        Assert.False(string.IsNullOrWhiteSpace(what));
    }

    [Fact]
    public void MismatchedWordsAcrossSubjectsGiveOneLine()
    {
        string a = Write("s1.csv", ",a,b,c\na,0,1,2\nb,1,0,3\nc,2,3,0\n");
        string b = Write("s2.csv", ",a,b,d\na,0,1,2\nb,1,0,3\nd,2,3,0\n");
        var e = Assert.Throws<SimileException>(() => TargetFile.ReadAll([a, b]));
        Assert.Contains("share words but not all", e.Message);
        Assert.Contains("'d'", e.Message);
    }

    [Fact]
    public void MissingAndBinaryFilesGiveOneLine()
    {
        Assert.Contains("does not exist", Assert.Throws<SimileException>(() => TargetFile.Read("/nonexistent/ratings.tsv")).Message);
        string p = Write("bin.tsv", "");
        File.WriteAllBytes(p, [0x61, 0x09, 0x62, 0x09, 0x31, 0x0a, 0xff, 0xfe, 0x00, 0x0a]);
        Assert.Contains("UTF-8", Assert.Throws<SimileException>(() => TargetFile.Read(p)).Message);
    }

    [Fact]
    public void UnknownMeasureGivesOneLine()
    {
        Assert.Equal(Simile.Comparison.RsaMeasure.Pearson, TargetMeasures.Parse("corr"));
        Assert.Equal(Simile.Comparison.RsaMeasure.TauA, TargetMeasures.Parse("tau-a"));
        Assert.Contains("not known", Assert.Throws<SimileException>(() => TargetMeasures.Parse("kendall")).Message);
    }
}
