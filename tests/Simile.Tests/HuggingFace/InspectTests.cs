using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.HuggingFace;

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
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int code;
        try { code = Simile.Cli.Program.Main(["inspect", dir.Path, "--plain"]); }
        finally { Console.SetOut(original); }
        Assert.Equal(0, code);
        Assert.Contains("bert.encoder.layer.1.output.LayerNorm.bias", output.ToString());

        var err = new StringWriter();
        var originalErr = Console.Error;
        Console.SetError(err);
        try { code = Simile.Cli.Program.Main(["inspect", dir.File("nowhere")]); }
        finally { Console.SetError(originalErr); }
        Assert.Equal(2, code);
        Assert.Contains("nowhere", err.ToString());
    }
}
