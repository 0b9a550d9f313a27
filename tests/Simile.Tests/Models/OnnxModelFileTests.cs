using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Simile.Models.Onnx;
using Xunit;

namespace Simile.Tests.Models;

public class OnnxModelFileTests
{
    /// <summary>
    /// A tiny valid model written with the library's protobuf writer:
    /// X[2] → Relu → Y → Neg → N → Transpose(perm [0]) → Z (graph output), plus an initializer W[2×3] in raw_data and a value_info for Y.
    /// </summary>
    internal static byte[] TinyModel(bool withValueInfo = true)
    {
        var w = new float[] { 1, 2, 3, 4, 5, 6 };
        var raw = new byte[w.Length * 4];
        Buffer.BlockCopy(w, 0, raw, 0, raw.Length);
        static void Tensor1D(ProtoWriter vi, string name) => vi
            .String(1, name)
            .Message(2, t => t.Message(1, tt => tt.Int(1, (int)OnnxDataType.Float)
                .Message(2, s => s.Message(1, d => d.Int(1, 2)))));
        var graph = new ProtoWriter()
            .Message(1, n => n.String(1, "X").String(2, "Y").String(3, "relu").String(4, "Relu"))
            .Message(1, n => n.String(1, "Y").String(2, "N").String(3, "neg").String(4, "Neg"))
            .Message(1, n => n.String(1, "N").String(2, "Z").String(3, "transpose").String(4, "Transpose")
                .Message(5, a => a.String(1, "perm").Int(20, (int)OnnxAttributeType.Ints).PackedInt64(8, [0])))
            .String(2, "tiny")
            .Message(5, t => t.PackedInt64(1, [2, 3]).Int(2, (int)OnnxDataType.Float).String(8, "W").Bytes(9, raw))
            .Message(11, vi => Tensor1D(vi, "X"))
            .Message(12, vi => Tensor1D(vi, "Z"));
        if (withValueInfo) graph.Message(13, vi => Tensor1D(vi, "Y"));
        return new ProtoWriter()
            .Int(1, 8)
            .String(2, "simile-test")
            .Message(7, graph)
            .Message(8, o => o.String(1, "").Int(2, 13))
            .ToArray();
    }

    [Fact]
    public void ReadsNodesInitializersInputsAndOutputs()
    {
        var m = OnnxModelFile.Parse(TinyModel(), "tiny.onnx");
        Assert.Equal(8, m.IrVersion);
        Assert.Equal("simile-test", m.ProducerName);
        Assert.Equal(("", 13L), m.OpsetImports.Single());
        Assert.Equal(["Relu", "Neg", "Transpose"], m.Nodes.Select(n => n.OpType));
        Assert.Equal([0L], m.Nodes[2].Attribute("perm")!.Ints);
        Assert.Equal(OnnxAttributeType.Ints, m.Nodes[2].Attribute("perm")!.Type);
        Assert.Equal("X", m.Inputs.Single().Name);
        Assert.Equal("[2]", m.Inputs.Single().ShapeText);
        Assert.Equal("Z", m.Outputs.Single().Name);
        var w = m.Initializer("W");
        Assert.Equal([2L, 3], w.Dims);
        Assert.Equal(6, w.ElementCount);
        Assert.Equal([1f, 2, 3, 4, 5, 6], w.FloatValues().ToArray());
        Assert.Same(m.Nodes[0], m.ProducerOf("Y"));
        Assert.Same(m.Nodes[1], m.ConsumersOf("Y").Single());
        Assert.Null(m.ProducerOf("X"));
        Assert.Throws<SimileException>(() => m.Initializer("nope"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void ExtraOutputsAreReturnedByOnnxRuntime(bool withValueInfo)
    {
        var m = OnnxModelFile.Parse(TinyModel(withValueInfo), "tiny.onnx");
        var bytes = m.WithExtraOutputs(["Y"]);
        var again = OnnxModelFile.Parse(bytes, "tiny+Y.onnx");
        Assert.Equal(["Z", "Y"], again.Outputs.Select(o => o.Name));
        Assert.Equal(m.Nodes.Count, again.Nodes.Count);
        Assert.Equal(m.Initializer("W").FloatValues().ToArray(), again.Initializer("W").FloatValues().ToArray());

        using var session = new InferenceSession(bytes);
        var x = new DenseTensor<float>(new float[] { -1.5f, 2f }, [2]);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("X", x)]);
        var y = results.Single(r => r.Name == "Y").AsTensor<float>().ToArray();
        var z = results.Single(r => r.Name == "Z").AsTensor<float>().ToArray();
        Assert.Equal([0f, 2f], y);
        Assert.Equal([-0f, -2f], z);
    }

    [Fact]
    public void AddingNothingReturnsTheSameBytesAndUnknownNamesAreRefused()
    {
        var m = OnnxModelFile.Parse(TinyModel(), "tiny.onnx");
        Assert.Same(m.Bytes, m.WithExtraOutputs(["Z"]));
        var e = Assert.Throws<SimileException>(() => m.WithExtraOutputs(["not-there"]));
        Assert.Contains("not-there", e.Message);
    }

    [Fact]
    public void TruncatedFilesAreRejectedCleanly()
    {
        var good = TinyModel();
        // Every strict prefix must either parse to a smaller consistent model or raise SimileException —
        // never IndexOutOfRange/ArgumentOutOfRange or any other exception type.
        int rejected = 0;
        for (int len = 0; len < good.Length; len++)
        {
            var cut = good.AsSpan(0, len).ToArray();
            try { OnnxModelFile.Parse(cut, "cut.onnx"); }
            catch (SimileException e) { rejected++; Assert.Contains("cut.onnx", e.Message); }
        }
        Assert.True(rejected > good.Length / 2, $"only {rejected} of {good.Length} truncations were rejected");
    }

    [Fact]
    public void RandomlyDamagedBytesGiveOnlySimileExceptions()
    {
        var good = TinyModel();
        var rng = new Random(20261128);
        int rejected = 0;
        for (int trial = 0; trial < 3000; trial++)
        {
            var bad = (byte[])good.Clone();
            int flips = 1 + rng.Next(4);
            for (int f = 0; f < flips; f++) bad[rng.Next(bad.Length)] = (byte)rng.Next(256);
            try
            {
                var m = OnnxModelFile.Parse(bad, "fuzz.onnx");
                foreach (var t in m.Initializers)
                {
                    try { _ = t.DataType == OnnxDataType.Float ? t.FloatValues().Length : 0; }
                    catch (SimileException) { }
                }
                _ = m.WithExtraOutputs(m.Nodes.SelectMany(n => n.Outputs).Where(o => o.Length > 0).Take(2));
            }
            catch (SimileException) { rejected++; }
        }
        Assert.True(rejected > 100, $"only {rejected} damaged files rejected");
    }

    [Fact]
    public void BadVarintIsRejected()
    {
        var bytes = new byte[] { 0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 };
        var e = Assert.Throws<SimileException>(() => OnnxModelFile.Parse(bytes, "bad.onnx"));
        Assert.Contains("varint", e.Message);
        Assert.Contains("byte", e.Message);
    }

    [Fact]
    public void LengthBeyondBufferIsRejected()
    {
        // field 7 (graph), wire type 2, length 2^31 with 3 bytes of payload.
        var bytes = new byte[] { 0x3A, 0x80, 0x80, 0x80, 0x80, 0x08, 1, 2, 3 };
        var e = Assert.Throws<SimileException>(() => OnnxModelFile.Parse(bytes, "long.onnx"));
        Assert.Contains("claims", e.Message);
        Assert.Contains("remain", e.Message);
    }

    [Fact]
    public void GroupsAndUnknownWireTypesAndEmptyFilesAreRejected()
    {
        Assert.Throws<SimileException>(() => OnnxModelFile.Parse([0x0B, 0x0C], "group.onnx"));   // field 1, wire 3
        Assert.Throws<SimileException>(() => OnnxModelFile.Parse([0x0E], "wire6.onnx"));
        Assert.Throws<SimileException>(() => OnnxModelFile.Parse([], "empty.onnx"));
        Assert.Throws<SimileException>(() => OnnxModelFile.Parse([0x08, 0x07], "nograph.onnx"));
        var text = System.Text.Encoding.UTF8.GetBytes("{\"this is\": \"json, not onnx\"}");
        Assert.Throws<SimileException>(() => OnnxModelFile.Parse(text, "json.onnx"));
    }

    [Fact]
    public void InitializerWhoseDataDoesNotMatchItsDimsIsRejected()
    {
        var graph = new ProtoWriter()
            .Message(1, n => n.String(1, "X").String(2, "Y").String(4, "Relu"))
            .Message(5, t => t.PackedInt64(1, [1000, 1000]).Int(2, (int)OnnxDataType.Float).String(8, "big").Bytes(9, new byte[16]));
        var bytes = new ProtoWriter().Int(1, 8).Message(7, graph).ToArray();
        var e = Assert.Throws<SimileException>(() => OnnxModelFile.Parse(bytes, "lying.onnx"));
        Assert.Contains("'big'", e.Message);
    }

    [Fact]
    public void ExternalDataIsRefusedWithAClearMessage()
    {
        var graph = new ProtoWriter()
            .Message(1, n => n.String(1, "X").String(2, "Y").String(4, "Relu"))
            .Message(5, t => t.PackedInt64(1, [4]).Int(2, (int)OnnxDataType.Float).String(8, "ext")
                .Message(13, kv => kv.String(1, "location").String(2, "weights.bin")).Int(14, 1));
        var m = OnnxModelFile.Parse(new ProtoWriter().Int(1, 8).Message(7, graph).ToArray(), "ext.onnx");
        Assert.True(m.Initializer("ext").IsExternal);
        var e = Assert.Throws<SimileException>(() => m.Initializer("ext").FloatValues());
        Assert.Contains("external", e.Message);
    }
}
