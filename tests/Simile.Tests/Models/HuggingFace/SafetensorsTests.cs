using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using Simile.Models.HuggingFace;
using Xunit;

namespace Simile.Tests.Models.HuggingFace;

public class SafetensorsTests
{
    private static List<TestTensor> Sample(SafetensorsDType dtype = SafetensorsDType.F32) =>
    [
        new("a.weight", dtype, [2, 3], [1, -2, 3.5f, 0.25f, -0.125f, 1e-3f]),
        new("b", dtype, [4], [10, 20, 30, 40]),
        new("empty", dtype, [0, 5], []),
    ];

    [Theory]
    [InlineData(SafetensorsDType.F32)]
    [InlineData(SafetensorsDType.F16)]
    [InlineData(SafetensorsDType.BF16)]
    public void ReadsWhatWasWritten(SafetensorsDType dtype)
    {
        using var dir = new TempFolder();
        var tensors = Sample(dtype);
        SafetensorsWriter.Write(dir.File("m.safetensors"), tensors);   // quantises the values as stored
        using var f = SafetensorsFile.Open(dir.File("m.safetensors"));
        Assert.Equal(["a.weight", "b", "empty"], f.Names);   // data order
        foreach (var t in tensors)
        {
            Assert.Equal(t.Shape.Select(x => (long)x), f.Info(t.Name).Shape);
            Assert.Equal(dtype, f.Info(t.Name).DType);
            Assert.Equal(t.Values, f.ReadFloat32(t.Name).ToArray());
        }
        Assert.Equal(0.25f, f.ReadFloat32("a.weight").Span[3]);   // exactly representable in every dtype
    }

    [Fact]
    public void F32TensorsAreMappedNotCopied()
    {
        using var dir = new TempFolder();
        SafetensorsWriter.Write(dir.File("m.safetensors"), Sample());
        using var f = SafetensorsFile.Open(dir.File("m.safetensors"));
        var m1 = f.ReadFloat32("a.weight");
        var m2 = f.ReadFloat32("a.weight");
        Assert.False(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(m1, out _));   // not a managed array
        unsafe
        {
            fixed (float* p1 = m1.Span) fixed (float* p2 = m2.Span) Assert.True(p1 == p2);      // the same mapped bytes
        }
    }

    [Fact]
    public void MetadataIsAllowed()
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("m.safetensors"), SafetensorsWriter.Serialize(Sample(), new Dictionary<string, string> { ["format"] = "pt" }));
        using var f = SafetensorsFile.Open(dir.File("m.safetensors"));
        Assert.Equal("pt", f.Metadata["format"]);
        Assert.Equal(3, f.Tensors.Count);
    }

    private static byte[] WithHeader(string json, int dataBytes)
    {
        var h = Encoding.UTF8.GetBytes(json);
        var b = new byte[8 + h.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(b, (ulong)h.Length);
        h.CopyTo(b, 8);
        return b;
    }

    [Theory]
    [InlineData("{\"x\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}", 8, "dtype I64")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8, "span 8 bytes")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", 8, "outside the 8-byte data area")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"y\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 12, "overlap")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,8]}}", 8, "shape entry")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[1], \"data_offsets\":[0,4]", 8, "malformed JSON")]
    [InlineData("[1,2]", 0, "not an object")]
    [InlineData("{\"x\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,8]}}", 8, "overflows")]
    public void BadHeadersAreNamed(string json, int dataBytes, string expected)
    {
        using var dir = new TempFolder();
        File.WriteAllBytes(dir.File("bad.safetensors"), WithHeader(json, dataBytes));
        var e = Assert.Throws<SimileException>(() => SafetensorsFile.Open(dir.File("bad.safetensors")));
        Assert.Contains(expected, e.Message);
        Assert.Contains("bad.safetensors", e.Message);
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRefusedBeforeAllocating()
    {
        using var dir = new TempFolder();
        var b = new byte[64];
        BinaryPrimitives.WriteUInt64LittleEndian(b, ulong.MaxValue - 3);
        File.WriteAllBytes(dir.File("huge.safetensors"), b);
        var e = Assert.Throws<SimileException>(() => SafetensorsFile.Open(dir.File("huge.safetensors")));
        Assert.Contains("header", e.Message);
        File.WriteAllBytes(dir.File("short.safetensors"), new byte[5]);
        Assert.Throws<SimileException>(() => SafetensorsFile.Open(dir.File("short.safetensors")));
    }

    [Fact]
    public void MissingShardIsNamed()
    {
        using var dir = new TempFolder();
        TinyModel.Bert(1).WriteFolder(dir.Path, shards: 3);
        File.Delete(dir.File("model-00002-of-00003.safetensors"));
        var e = Assert.Throws<SimileException>(() => SafetensorsCheckpoint.Open(dir.Path));
        Assert.Contains("model-00002-of-00003.safetensors", e.Message);
    }

    [Fact]
    public void ShardedCheckpointServesEveryTensor()
    {
        using var dir = new TempFolder();
        var tiny = TinyModel.Bert(1);
        tiny.WriteFolder(dir.Path, shards: 3);
        using var ck = SafetensorsCheckpoint.Open(dir.Path);
        Assert.Equal(3, ck.Files.Count);
        Assert.Equal(tiny.Tensors.Count, ck.Tensors.Count());
        foreach (var t in tiny.Tensors) Assert.Equal(t.Values, ck.ReadFloat32(t.Name).ToArray());
    }

    /// <summary>Random and mutated files: opening and reading may succeed or throw SimileException, never anything else.</summary>
    [Fact]
    public void FuzzedFilesOnlyEverThrowSimileException()
    {
        using var dir = new TempFolder();
        string path = dir.File("fuzz.safetensors");
        var rng = new Random(20261128);
        byte[] valid = SafetensorsWriter.Serialize(Sample());
        string[] tokens = ["\"F32\"", "\"F16\"", "\"BF16\"", "\"I8\"", "-1", "0", "1", "4294967296", "9223372036854775807", "1e400", "null",
                           "[]", "{}", "\"shape\"", "\"data_offsets\"", "\"dtype\"", "[0,0]", "[8,0]", "\"__metadata__\"", ",", ":", "\""];
        const int Inputs = 800;    // a fixed count, so every machine tries the same inputs
        int tried = 0, opened = 0;
        while (tried < Inputs)
        {
            byte[] b;
            switch (rng.Next(5))
            {
                case 0:   // flip a few bytes anywhere
                    b = (byte[])valid.Clone();
                    for (int k = rng.Next(1, 4); k > 0; k--) b[rng.Next(b.Length)] = (byte)rng.Next(256);
                    break;
                case 1:   // truncate
                    b = valid[..rng.Next(valid.Length)];
                    break;
                case 2:   // replace a JSON token in the header
                {
                    int headerLen = (int)BinaryPrimitives.ReadUInt64LittleEndian(valid);
                    string json = Encoding.UTF8.GetString(valid, 8, headerLen);
                    int at = rng.Next(json.Length), len = rng.Next(0, 6);
                    json = json[..at] + tokens[rng.Next(tokens.Length)] + json[Math.Min(json.Length, at + len)..];
                    b = WithHeader(json, valid.Length - 8 - headerLen);
                    Array.Copy(valid, 8 + headerLen, b, 8 + Encoding.UTF8.GetByteCount(json), valid.Length - 8 - headerLen);
                    break;
                }
                case 3:   // random header length
                    b = (byte[])valid.Clone();
                    BinaryPrimitives.WriteUInt64LittleEndian(b, rng.Next(3) == 0 ? (ulong)rng.NextInt64() : (ulong)rng.Next(0, valid.Length + 10));
                    break;
                default:  // noise
                    b = new byte[rng.Next(0, 200)];
                    rng.NextBytes(b);
                    break;
            }
            File.WriteAllBytes(path, b);
            tried++;
            try
            {
                using var f = SafetensorsFile.Open(path);
                opened++;
                foreach (var name in f.Names) { var m = f.ReadFloat32(name); _ = m.Length > 0 ? m.Span[^1] : 0; }
            }
            catch (SimileException) { }
        }
        Assert.Equal(Inputs, tried);
        Assert.True(opened > 0, "no mutated file was valid, so the mutations are too coarse to reach the readers");
    }
}
