using System.Buffers.Binary;
using System.Text;

namespace Simile.Models.Onnx;

/// <summary>Protobuf wire types (proto2/proto3 encoding).</summary>
internal enum WireType { Varint = 0, Fixed64 = 1, LengthDelimited = 2, StartGroup = 3, EndGroup = 4, Fixed32 = 5 }

/// <summary>
/// A bounds-checked reader of one protobuf message held in memory. Every length is checked against the
/// remaining bytes before it is used, varints longer than 10 bytes are rejected, and groups (deprecated
/// wire types 3/4) and the undefined wire types 6/7 are rejected, so truncated or hostile input gives a
/// <see cref="SimileException"/> naming the byte offset, never an out-of-range read or a huge allocation.
/// Length-delimited payloads are returned as slices of the original buffer (no copies).
/// </summary>
internal struct ProtoReader
{
    private readonly ReadOnlyMemory<byte> _buffer;
    private readonly long _baseOffset;   // offset of _buffer[0] in the whole file, for messages
    private readonly string _source;     // file or resource name, for messages
    private readonly string _message;    // which message is being read ("ModelProto", "GraphProto", …)
    private int _pos;

    public ProtoReader(ReadOnlyMemory<byte> buffer, long baseOffset, string source, string message)
    {
        _buffer = buffer; _baseOffset = baseOffset; _source = source; _message = message; _pos = 0;
    }

    public bool End => _pos >= _buffer.Length;

    /// <summary>Offset in the whole file of the next byte to read.</summary>
    public long Offset => _baseOffset + _pos;

    public int Position => _pos;

    public SimileException Error(string problem) => OnnxModelFile.Invalid(_source, $"{problem} at byte {Offset} (in {_message})");

    /// <summary>A reader of a nested message that starts at the given slice.</summary>
    public ProtoReader Nested(ReadOnlyMemory<byte> payload, long payloadOffset, string message)
        => new(payload, payloadOffset, _source, message);

    public (int Field, WireType Wire) ReadTag()
    {
        long at = Offset;
        ulong tag = ReadVarint();
        int field = (int)(tag >> 3);
        int wire = (int)(tag & 7);
        if (tag >> 3 > int.MaxValue >> 3 || field == 0)
            throw OnnxModelFile.Invalid(_source, $"field number {tag >> 3} is not valid at byte {at} (in {_message})");
        if (wire is 3 or 4)
            throw OnnxModelFile.Invalid(_source, $"protobuf groups (wire type {wire}) are not used by ONNX, found at byte {at} (in {_message})");
        if (wire > 5)
            throw OnnxModelFile.Invalid(_source, $"wire type {wire} does not exist, found at byte {at} (in {_message})");
        return (field, (WireType)wire);
    }

    public ulong ReadVarint()
    {
        var span = _buffer.Span;
        ulong result = 0;
        for (int shift = 0, i = 0; ; shift += 7, i++)
        {
            if (i == 10) throw Error("a varint runs longer than 10 bytes");
            if (_pos >= span.Length) throw Error("the data ends inside a varint (truncated file)");
            byte b = span[_pos++];
            if (i == 9 && b > 1) throw Error("a varint overflows 64 bits");
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    public long ReadInt64() => (long)ReadVarint();

    public int ReadInt32()
    {
        long v = (long)ReadVarint();
        if (v < int.MinValue || v > int.MaxValue) throw Error($"value {v} does not fit a 32-bit field");
        return (int)v;
    }

    public uint ReadFixed32()
    {
        if (_buffer.Length - _pos < 4) throw Error("the data ends inside a 32-bit value (truncated file)");
        uint v = BinaryPrimitives.ReadUInt32LittleEndian(_buffer.Span.Slice(_pos, 4));
        _pos += 4;
        return v;
    }

    public ulong ReadFixed64()
    {
        if (_buffer.Length - _pos < 8) throw Error("the data ends inside a 64-bit value (truncated file)");
        ulong v = BinaryPrimitives.ReadUInt64LittleEndian(_buffer.Span.Slice(_pos, 8));
        _pos += 8;
        return v;
    }

    public float ReadFloat() => BitConverter.Int32BitsToSingle((int)ReadFixed32());

    /// <summary>A length-delimited payload as a slice of the buffer; <paramref name="payloadOffset"/> is its file offset.</summary>
    public ReadOnlyMemory<byte> ReadBytes(out long payloadOffset)
    {
        long at = Offset;
        ulong len = ReadVarint();
        long remaining = _buffer.Length - _pos;
        if (len > (ulong)remaining)
            throw OnnxModelFile.Invalid(_source,
                $"a field at byte {at} (in {_message}) claims {len} bytes but only {remaining} remain (truncated or damaged file)");
        payloadOffset = Offset;
        var slice = _buffer.Slice(_pos, (int)len);
        _pos += (int)len;
        return slice;
    }

    public ReadOnlyMemory<byte> ReadBytes() => ReadBytes(out _);

    public string ReadString()
    {
        var bytes = ReadBytes();
        try { return new UTF8Encoding(false, true).GetString(bytes.Span); }
        catch (DecoderFallbackException) { throw Error("a string field is not valid UTF-8"); }
    }

    public void Skip(WireType wire)
    {
        switch (wire)
        {
            case WireType.Varint: ReadVarint(); break;
            case WireType.Fixed64: ReadFixed64(); break;
            case WireType.Fixed32: ReadFixed32(); break;
            case WireType.LengthDelimited: ReadBytes(); break;
            default: throw Error($"cannot skip wire type {(int)wire}");
        }
    }

    /// <summary>Reads a repeated int64 field that may be packed (one length-delimited run) or unpacked (one varint).</summary>
    public void ReadRepeatedInt64(WireType wire, List<long> into)
    {
        if (wire == WireType.Varint) { into.Add(ReadInt64()); return; }
        if (wire != WireType.LengthDelimited) throw Error($"a repeated integer field has wire type {(int)wire}");
        var payload = ReadBytes(out long off);
        var r = Nested(payload, off, _message);
        while (!r.End) into.Add(r.ReadInt64());
    }

    /// <summary>Reads a repeated float field, packed (fixed32 run) or unpacked (one fixed32).</summary>
    public void ReadRepeatedFloat(WireType wire, List<float> into)
    {
        if (wire == WireType.Fixed32) { into.Add(ReadFloat()); return; }
        if (wire != WireType.LengthDelimited) throw Error($"a repeated float field has wire type {(int)wire}");
        var payload = ReadBytes(out _);
        if (payload.Length % 4 != 0) throw Error($"a packed float field holds {payload.Length} bytes, not a multiple of 4");
        var span = payload.Span;
        for (int i = 0; i < span.Length; i += 4) into.Add(BinaryPrimitives.ReadSingleLittleEndian(span.Slice(i, 4)));
    }

    /// <summary>Reads a repeated double field, packed (fixed64 run) or unpacked (one fixed64).</summary>
    public void ReadRepeatedDouble(WireType wire, List<double> into)
    {
        if (wire == WireType.Fixed64) { into.Add(BitConverter.Int64BitsToDouble((long)ReadFixed64())); return; }
        if (wire != WireType.LengthDelimited) throw Error($"a repeated double field has wire type {(int)wire}");
        var payload = ReadBytes(out _);
        if (payload.Length % 8 != 0) throw Error($"a packed double field holds {payload.Length} bytes, not a multiple of 8");
        var span = payload.Span;
        for (int i = 0; i < span.Length; i += 8) into.Add(BinaryPrimitives.ReadDoubleLittleEndian(span.Slice(i, 8)));
    }

    public void Expect(WireType actual, WireType expected, string field)
    {
        if (actual != expected) throw Error($"field '{field}' has wire type {(int)actual}, expected {(int)expected}");
    }
}

/// <summary>A small protobuf writer (enough to build ONNX messages: varints, strings, bytes, nested messages).</summary>
internal sealed class ProtoWriter
{
    private readonly MemoryStream _stream = new();

    public int Length => (int)_stream.Length;

    public byte[] ToArray() => _stream.ToArray();

    public ProtoWriter Varint(ulong value)
    {
        while (value >= 0x80) { _stream.WriteByte((byte)(value | 0x80)); value >>= 7; }
        _stream.WriteByte((byte)value);
        return this;
    }

    public ProtoWriter Tag(int field, WireType wire) => Varint(((ulong)field << 3) | (uint)wire);

    public ProtoWriter Int(int field, long value) => Tag(field, WireType.Varint).Varint((ulong)value);

    public ProtoWriter Float(int field, float value)
    {
        Tag(field, WireType.Fixed32);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteSingleLittleEndian(b, value);
        _stream.Write(b);
        return this;
    }

    public ProtoWriter Bytes(int field, ReadOnlySpan<byte> payload)
    {
        Tag(field, WireType.LengthDelimited).Varint((ulong)payload.Length);
        _stream.Write(payload);
        return this;
    }

    public ProtoWriter String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

    public ProtoWriter Message(int field, ProtoWriter inner) => Bytes(field, inner.ToArray());

    public ProtoWriter Message(int field, Action<ProtoWriter> build)
    {
        var inner = new ProtoWriter();
        build(inner);
        return Message(field, inner);
    }

    public ProtoWriter PackedInt64(int field, IEnumerable<long> values)
    {
        var inner = new ProtoWriter();
        foreach (long v in values) inner.Varint((ulong)v);
        return Bytes(field, inner.ToArray());
    }

    public ProtoWriter Raw(ReadOnlySpan<byte> bytes)
    {
        _stream.Write(bytes);
        return this;
    }
}
