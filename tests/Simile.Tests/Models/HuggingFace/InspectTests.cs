using Simile.Models.HuggingFace;
using Simile.Tests.Cli;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

[Collection(ConsoleCollection.Name)]
public class InspectTests
{
    [Fact]
    public void DescribeListsArchitectureAndTensors()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Gpt2(1, Simile.Models.HuggingFace.SafetensorsDType.F16);
        tiny.WriteFolder(dir.Path);
        string text = HuggingFaceModel.Describe(dir.Path);
        Assert.Contains("architecture:  gpt2", text);
        Assert.Contains("layers:        2", text);
        Assert.Contains("heads:         4", text);
        Assert.Contains("dims:          16", text);
        Assert.Contains($"vocabulary:    {tiny.V}", text);
        Assert.Contains("transformer.h.1.attn.c_attn.weight", text);
        Assert.Contains("F16", text);
        Assert.Contains("[16, 48]", text);
    }

    [Fact]
    public void InspectVerbPrintsTablesAndMapsErrorsToExitCode2()
    {
        using var dir = new TempFolder();
        TinyModel.Bert(1).WriteFolder(dir.Path);
        var run = CliRunner.Run("inspect", dir.Path, "--plain");
        Assert.Equal(0, run.ExitCode);
        Assert.Contains("bert.encoder.layer.1.output.LayerNorm.bias", run.Stdout);

        var missing = CliRunner.Run("inspect", dir.File("nowhere"));
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nowhere", missing.Stderr);
    }
}
