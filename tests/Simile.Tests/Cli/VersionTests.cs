using System.Xml.Linq;
using Xunit;

namespace Simile.Tests.Cli;

/// <summary>The version is set once (Directory.Build.props) and is what the packages carry and `simile version` and `simile --version` print.</summary>
[Collection(ConsoleCollection.Name)]
public class VersionTests
{
    private static string PropsVersion() =>
        XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Build.props")).Descendants("Version").Single().Value.Trim();

    [Fact]
    public void VersionVerbPrintsThePackageVersion()
    {
        string version = PropsVersion();
        Assert.Matches(@"^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$", version);   // SemVer
        Assert.Equal(version, SimileVersion.Current);
        var run = CliRunner.Run("version");
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(version, run.Stdout.Trim());

        // --version is printed by Spectre.Console through its own console, so run the CLI as a process
        var process = CliRunner.RunProcess("--version");
        Assert.Equal(0, process.ExitCode);
        Assert.Equal(version, process.Stdout.Trim());
    }
}
