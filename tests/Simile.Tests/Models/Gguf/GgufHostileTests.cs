using System.Buffers.Binary;
using Simile.Models.Gguf;
using Xunit;

namespace Simile.Tests.Models.Gguf;

/// <summary>
/// Crafted GGUF files: truncated at every byte, lying counts and lengths, huge strings, bad types, bad dims, bad
/// alignment, offsets past the end, misaligned and overlapping data. Each must be a <see cref="SimileException"/>
/// (Assert.Throws fails on any other exception type) and must not allocate memory sized by the lie.
/// </summary>
public class GgufHostileTests
{
    private static GgufWriter Valid() => new GgufWriter()
        .String("general.architecture", "llama")
        .U32("general.alignment", 32)
        .AddArray("tokenizer.ggml.tokens", GgufValueType.String, new[] { "a", "b", "c" })
        .AddArray("some.floats", GgufValueType.Float32, new[] { 1f, 2f })
        .TensorF32("token_embd.weight", [32, 3], Enumerable.Range(0, 96).Select(i => (float)i).ToArray())
        .Tensor("blk.0.attn_q.weight", GgmlType.Q8_0, [32, 2], new byte[68]);

    private static SimileException Refused(byte[] bytes, string? mention = null)
    {
        using var tmp = new TempFolder();
        string path = tmp.File("bad.gguf");
        File.WriteAllBytes(path, bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = Assert.Throws<SimileException>(() => { using var f = GgufFile.Open(path); });
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 4 << 20, $"{allocated} bytes allocated while refusing the file");
        Assert.Contains("bad.gguf", e.Message);
        Assert.False(string.IsNullOrWhiteSpace(e.Fix));
        if (mention is not null) Assert.Contains(mention, e.Message);
        return e;
    }

    private static byte[] Patch(GgufWriter w, string field, ulong value, int width = 8)
    {
        var bytes = w.ToBytes();
        int at = (int)w.Positions[field];
        if (width == 8) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), value);
        else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), (uint)value);
        return bytes;
    }

    [Fact]
    public void The_valid_file_opens()
    {
        using var tmp = new TempFolder();
        string path = Valid().Write(tmp.File("ok.gguf"));
        using var f = GgufFile.Open(path);
        Assert.Equal(2, f.Tensors.Count);
        Assert.Equal(new long[] { 3, 32 }, f.Tensor("token_embd.weight").Shape);
    }

    [Fact]
    public void Truncation_at_every_byte_is_refused()
    {
        var w = Valid();
        var bytes = w.ToBytes();
        long end = bytes.Length;   // the last tensor's data ends the file
        for (int n = 0; n < end; n++)
            Refused(bytes[..n]);
    }

    [Fact]
    public void Wrong_magic_and_versions_are_refused()
    {
        var bytes = Valid().ToBytes();
        var bad = (byte[])bytes.Clone(); bad[0] = (byte)'X';
        Refused(bad, "magic");
        Refused(Patch(Valid(), "version", 1, 4), "version 1");
        Refused(Patch(Valid(), "version", 4, 4), "version 4");
        Refused(Patch(Valid(), "version", 0x03000000, 4), "big-endian");
    }

    [Fact]
    public void Lying_counts_are_refused_before_allocating()
    {
        Refused(Patch(Valid(), "kv_count", ulong.MaxValue), "key/value");
        Refused(Patch(Valid(), "kv_count", 1_000_000), "key/value");
        Refused(Patch(Valid(), "tensor_count", 1UL << 40), "tensors");
        Refused(Patch(Valid(), "kv_count", 5));     // one more pair than written: runs into the tensor infos
        Refused(Patch(Valid(), "tensor_count", 3)); // one more tensor than written
        Refused(Patch(Valid(), "kv2.count", 1UL << 60), "array");
        Refused(Patch(Valid(), "kv3.count", 100_000_000), "array");
    }

    [Fact]
    public void An_array_larger_than_the_limit_is_refused_even_when_the_file_is_long_enough()
    {
        var w = new GgufWriter().AddArray("big", GgufValueType.UInt8, new byte[] { 1 });
        var head = w.ToBytes();
        var bytes = new byte[head.Length + GgufFile.MaxArrayElements + 64];
        head.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan((int)w.Positions["kv0.count"]), (ulong)GgufFile.MaxArrayElements + 1);
        Refused(bytes, "more than the");
    }

    [Fact]
    public void Huge_and_lying_string_lengths_are_refused()
    {
        Refused(Patch(Valid(), "kv0.key", ulong.MaxValue), "string");
        Refused(Patch(Valid(), "kv0.key", 1UL << 40), "string");
        Refused(Patch(Valid(), "t0.name", 100_000), "string");
        var w = Valid();
        var bytes = w.ToBytes();
        // The first token string ("a") declared 2^32 bytes long.
        int at = (int)w.Positions["kv2.count"] + 8;
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), 1UL << 32);
        Refused(bytes, "string");
    }

    [Fact]
    public void Bad_value_types_and_booleans_are_refused()
    {
        Refused(Patch(Valid(), "kv0.type", 13, 4), "value type 13");
        Refused(Patch(Valid(), "kv2.value", 99, 4), "element type 99");
        var w = new GgufWriter().Add("b", GgufValueType.Bool, true);
        var bytes = w.ToBytes();
        bytes[w.Positions["kv0.value"]] = 7;
        Refused(bytes, "boolean");
        Refused(new GgufWriter().Add("general.alignment", GgufValueType.UInt64, 32UL).ToBytes(), "alignment");
    }

    [Fact]
    public void Deeply_nested_arrays_are_refused()
    {
        // key, type ARRAY, then ARRAY of ARRAY of … (each level: element type 9, count 1), deeper than the limit.
        var ms = new MemoryStream();
        var bw = new BinaryWriter(ms);
        bw.Write(0x46554747u); bw.Write(3u); bw.Write(0UL); bw.Write(1UL);
        bw.Write(1UL); bw.Write((byte)'k'); bw.Write(9u);
        for (int i = 0; i < 100; i++) { bw.Write(9u); bw.Write(1UL); }
        bw.Write(new byte[64]);
        Refused(ms.ToArray(), "nested");
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(48u)]
    [InlineData(1u << 31)]
    public void Bad_alignment_is_refused(uint alignment)
    {
        var w = Valid();
        var bytes = w.ToBytes();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan((int)w.Positions["kv1.value"]), alignment);
        Refused(bytes, "alignment");
    }

    [Fact]
    public void Bad_dims_are_refused()
    {
        Refused(Patch(Valid(), "t0.ndims", 5, 4), "n_dims is 5");
        Refused(Patch(Valid(), "t0.ndims", 0, 4), "n_dims is 0");
        Refused(Patch(Valid(), "t0.dim1", 0), "dimension 1 is 0");
        Refused(Patch(Valid(), "t0.dim1", ulong.MaxValue), "dimension");
        Refused(Patch(Valid(), "t0.dim1", 1UL << 62), "overflow");
        Refused(Patch(Valid(), "t0.dim1", 1UL << 40), "more bytes than the whole file");
        Refused(Patch(Valid(), "t1.dim0", 33), "blocks");         // Q8_0 rows must be whole 32-value blocks
        Refused(Patch(Valid(), "t0.dim1", 4), "past the end");     // one row more than the data holds
    }

    [Fact]
    public void Unknown_and_removed_type_ids_are_refused()
    {
        Refused(Patch(Valid(), "t0.type", 4, 4), "type id 4");     // Q4_2, removed
        Refused(Patch(Valid(), "t0.type", 31, 4), "type id 31");   // Q4_0_4_4, removed
        Refused(Patch(Valid(), "t0.type", 1000, 4), "type id 1000");
    }

    [Fact]
    public void Bad_offsets_are_refused()
    {
        Refused(Patch(Valid(), "t1.offset", 1UL << 50), "past the end");
        Refused(Patch(Valid(), "t1.offset", ulong.MaxValue - 31), "past the end");
        Refused(Patch(Valid(), "t1.offset", 416), "past the end");
        Refused(Patch(Valid(), "t1.offset", 8), "alignment");
        Refused(Patch(Valid(), "t1.offset", 352), "overlaps");
    }

    [Fact]
    public void Duplicate_keys_and_tensor_names_are_refused()
    {
        Refused(new GgufWriter().U32("a", 1).U32("a", 2).ToBytes(), "twice");
        Refused(new GgufWriter().TensorF32("t", [1], [1f]).TensorF32("t", [1], [2f]).ToBytes(), "twice");
    }

    [Fact]
    public void Random_corruption_never_escapes_as_another_exception()
    {
        var w = Valid();
        var bytes = w.ToBytes();
        long header = w.Positions["data"];
        var rng = new Random(5);
        using var tmp = new TempFolder();
        string path = tmp.File("fuzz.gguf");
        for (int trial = 0; trial < 300; trial++)
        {
            var b = (byte[])bytes.Clone();
            for (int k = 0; k < 3; k++) b[rng.Next((int)header)] = (byte)rng.Next(256);
            File.WriteAllBytes(path, b);
            try
            {
                using var f = GgufFile.Open(path);
                foreach (var t in f.Tensors)
                    if (GgmlTypes.CanDequantize(t.Type) && t.ElementCount < 1 << 20) f.Dequantize(t, new float[t.ElementCount]);
            }
            catch (SimileException) { }
        }
    }
}
