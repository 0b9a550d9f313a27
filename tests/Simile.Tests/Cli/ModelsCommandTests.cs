using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>Runs the CLI in-process; redirects Console.Out, so it runs alone.</summary>
[Collection(ConsoleCollection.Name)]
public class ModelsCommandTests
{
    private static (int Code, string Out) RunCli(params string[] args)
    {
        var r = CliRunner.Run(args);
        return (r.ExitCode, r.Stdout);
    }

    [Fact]
    public void ModelsVerbListsTheCatalogue()
    {
        var (code, text) = RunCli("models", "--tsv");
        Assert.Equal(0, code);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("name\tarchitecture\tvocabulary\tdims\tlayers\theads\tsource\tlicence\tcached\tattribution", lines[0]);
        Assert.StartsWith("minilm\tbert\t30522\t384\t6\t12\t", lines[1]);
        Assert.StartsWith("arctic-xs\tbert\t30522\t384\t6\t12\t", lines[2]);
        Assert.StartsWith("glove-100d\tstatic\t341479\t100\t0\t0\t", lines[3]);

        var (code2, table) = RunCli("models");
        Assert.Equal(0, code2);
        Assert.Contains("Apache-2.0", table);
        Assert.Contains("PDDL-1.0", table);
    }
}
