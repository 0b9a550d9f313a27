using System.Buffers.Binary;
using Simile.Data;
using Xunit;

namespace Simile.Tests.Data;

/// <summary>Fixtures in tests/Simile.Tests/Data/npy were written by numpy 1.24 (make_fixtures.py): value k = 0.5k − 1.25.</summary>
public class NpyFileTests
{
    private static string Fixture(string name) => Path.Combine(TestPaths.RepoRoot, "tests", "Simile.Tests", "Data", "npy", name);
    private static double Expected(int k) => k * 0.5 - 1.25;

    [Theory]
    [InlineData("f4_2x3.npy", NpyDType.Float32)]
    [InlineData("f8_2x3.npy", NpyDType.Float64)]
    [InlineData("f8_2x3_v2.npy", NpyDType.Float64)]
    [InlineData("f8_2x3_v3.npy", NpyDType.Float64)]
    public void ReadsNumpyFilesOfEveryVersionAndFloatType(string name, NpyDType dtype)
    {
        var a = NpyFile.Read(Fixture(name));
        Assert.Equal(dtype, a.DType);
        Assert.Equal([2, 3], a.Shape);
        var m = NpyFile.ReadMatrix(Fixture(name));
        Assert.Equal(2, m.Rows);
        Assert.Equal(3, m.Cols);
        for (int k = 0; k < 6; k++) Assert.Equal(Expected(k), m.Values[k]);
    }

    [Fact]
    public void OneDimensionalIsAColumnAndThreeDimensionalReadsAsArray()
    {
        var m = NpyFile.ReadMatrix(Fixture("f8_1d_4.npy"));
        Assert.Equal((4, 1), (m.Rows, m.Cols));
        Assert.Equal(Expected(3), m[3, 0]);

        var a = NpyFile.Read(Fixture("f4_3d_2x3x4.npy"));
        Assert.Equal([2, 3, 4], a.Shape);
        Assert.Equal((float)Expected(23), a.Float32![23]);
        var e = Assert.Throws<SimileException>(() => NpyFile.ReadMatrix(Fixture("f4_3d_2x3x4.npy")));
        Assert.Contains("3 dimensions, shape (2, 3, 4)", e.Message);

        Assert.Equal((0, 3), (NpyFile.ReadMatrix(Fixture("f8_0x3.npy")).Rows, 3));
    }

    [Theory]
    [InlineData("f8_2x3.npy", NpyDType.Float64)]
    [InlineData("f4_2x3.npy", NpyDType.Float32)]
    public void WritesExactlyTheBytesNumpyWrites(string name, NpyDType dtype)
    {
        using var dir = new TempFolder();
        var m = new Matrix(2, 3);
        for (int k = 0; k < 6; k++) m.Values[k] = Expected(k);
        string p = dir.File("out.npy");
        NpyFile.WriteMatrix(p, m, dtype);
        Assert.Equal(File.ReadAllBytes(Fixture(name)), File.ReadAllBytes(p));
    }

    [Fact]
    public void WritesThreeDimensionalFloat32AsNumpy()
    {
        using var dir = new TempFolder();
        var data = Enumerable.Range(0, 24).Select(k => (float)Expected(k)).ToArray();
        string p = dir.File("layers.npy");
        NpyFile.Write(p, data, 2, 3, 4);
        Assert.Equal(File.ReadAllBytes(Fixture("f4_3d_2x3x4.npy")), File.ReadAllBytes(p));
        Assert.Throws<ArgumentException>(() => NpyFile.Write(dir.File("x.npy"), data, 5, 5));
        Assert.Equal(["layers.npy"], dir.Files());
    }

    [Fact]
    public void HeaderIsPaddedToSixtyFourBytesForLongShapes()
    {
        foreach (var shape in new[] { new[] { 1 }, [123456789, 2], [3, 4, 5, 6, 7], [] })
        {
            byte[] h = NpyFile.HeaderBytes("<f4", shape);
            Assert.Equal(0, h.Length % 64);
            Assert.Equal((byte)'\n', h[^1]);
            Assert.Equal(h.Length - 10, BinaryPrimitives.ReadUInt16LittleEndian(h.AsSpan(8)));
        }
    }

    private static string Bad(TempFolder dir, string name, byte[] bytes) => dir.Write(name, bytes);

    [Fact]
    public void RejectsUnsupportedLayoutsWithTheFix()
    {
        var e = Assert.Throws<SimileException>(() => NpyFile.Read(Fixture("f8_fortran_2x3.npy")));
        Assert.Contains("Fortran order", e.Message);
        Assert.Contains("ascontiguousarray", e.Fix);

        e = Assert.Throws<SimileException>(() => NpyFile.Read(Fixture("i8_2x3.npy")));
        Assert.Contains("unsupported .npy dtype '<i8'", e.Message);
        Assert.Contains("'<f4' (float32) and '<f8' (float64)", e.Fix);

        e = Assert.Throws<SimileException>(() => NpyFile.Read(Fixture("f8_bigendian_2x3.npy")));
        Assert.Contains("'>f8'", e.Message);
    }

    [Fact]
    public void RejectsCorruptFilesBeforeAllocating()
    {
        using var dir = new TempFolder();
        byte[] good = File.ReadAllBytes(Fixture("f8_2x3.npy"));

        var e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "empty.npy", [])));
        Assert.Contains("file is empty", e.Message);

        byte[] magic = (byte[])good.Clone(); magic[1] = (byte)'X';
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "magic.npy", magic)));
        Assert.Contains("bad magic", e.Message);

        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "short.npy", good[..7])));
        Assert.Contains("bad magic", e.Message);

        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "trunc.npy", good[..^5])));
        Assert.Contains("truncated", e.Message);
        Assert.Contains("needs 48 bytes of data, found 43", e.Message);

        byte[] longer = [.. good, 1, 2, 3];
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "long.npy", longer)));
        Assert.Contains("3 unexpected bytes", e.Message);

        byte[] hlen = (byte[])good.Clone(); BinaryPrimitives.WriteUInt16LittleEndian(hlen.AsSpan(8), 60000);
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "hlen.npy", hlen)));
        Assert.Contains("header length 60000 goes beyond the end of the file (176 bytes)", e.Message);

        byte[] v2 = File.ReadAllBytes(Fixture("f8_2x3_v2.npy")); BinaryPrimitives.WriteUInt32LittleEndian(v2.AsSpan(8), 0xFFFFFFF0);
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "hlen2.npy", v2)));
        Assert.Contains("goes beyond the end", e.Message);

        byte[] ver = (byte[])good.Clone(); ver[6] = 9;
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "ver.npy", ver)));
        Assert.Contains("version 9.0", e.Message);

        // A shape whose data would need terabytes: refused from the header, nothing allocated.
        var huge = NpyFile.HeaderBytes("<f8", [1_000_000, 1_000_000]);
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "huge.npy", huge)));
        Assert.Contains("too large", e.Message);
        var big = NpyFile.HeaderBytes("<f8", [100_000, 1000]);
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "big.npy", big)));
        Assert.Contains("needs 800000000 bytes of data, found 0", e.Message);

        byte[] garbled = (byte[])good.Clone();
        "{'descr': 5".Select(c => (byte)c).ToArray().CopyTo(garbled, 10);
        e = Assert.Throws<SimileException>(() => NpyFile.Read(Bad(dir, "garbled.npy", garbled)));
        Assert.Contains("malformed .npy header", e.Message);

        e = Assert.Throws<SimileException>(() => NpyFile.Read(dir.File("missing.npy")));
        Assert.Contains("file not found", e.Message);
    }

    [Fact]
    public void NaNValuesAreReportedByRowAndColumn()
    {
        using var dir = new TempFolder();
        var m = new Matrix(2, 3);
        m[1, 2] = double.NaN;
        string p = dir.File("nan.npy");
        NpyFile.WriteMatrix(p, m);
        var e = Assert.Throws<SimileException>(() => NpyFile.ReadMatrix(p));
        Assert.Contains("row 2, column 3 holds NaN", e.Message);
    }
}
