namespace Simile.Engine;

/// <summary>
/// Which integer product a decoder's projections can use, and one projection matrix held in that form. The rule
/// (<see cref="For"/>): integer products are used where they compute what llama.cpp computes on the same file, i.e.
/// every projection of every layer is Q8_0 (<see cref="Q8Gemm"/>, activations to Q8_0 as ggml) or every one is a
/// k-quant, Q4_K/Q5_K/Q6_K in any mix (<see cref="KQuantGemm"/>, activations to Q8_K as ggml); any other storage
/// (float types, other quant types, a Q8_0/k-quant mix, shapes off the block sizes) is widened to float32.
/// </summary>
public enum IntegerProductKind { None, Q8_0, KQuant }

/// <summary>A [rows × K] projection matrix in integer form, filled tensor by tensor, multiplied by float32 activations.</summary>
public sealed class IntegerProjection
{
    private readonly Q8Matrix? _q8;
    private readonly KQuantMatrix? _kq;
    public int Rows { get; }
    public int K { get; }

    public IntegerProjection(IntegerProductKind kind, int rows, int k)
    {
        Rows = rows; K = k;
        if (kind == IntegerProductKind.Q8_0) _q8 = new Q8Matrix(rows, k);
        else if (kind == IntegerProductKind.KQuant) _kq = new KQuantMatrix(rows, k);
        else throw new ArgumentException("no integer kind", nameof(kind));
    }

    /// <summary>
    /// The kind every named tensor of <paramref name="weights"/> allows (see <see cref="IntegerProductKind"/>), each with
    /// its inner size: all Q8_0 with inner sizes in whole blocks of 32, or all k-quants with inner sizes in blocks of 256.
    /// </summary>
    public static IntegerProductKind For(IDecoderWeights weights, IEnumerable<(string Name, int In)> tensors)
    {
        if (weights is not IQuantizedDecoderWeights q) return IntegerProductKind.None;
        bool any = false, allQ8 = true, allK = true;
        foreach (var (name, inner) in tensors)
        {
            any = true;
            allQ8 &= inner % Q8Gemm.BlockValues == 0 && weights.StorageType(name) == "Q8_0";
            allK &= inner % KQuantGemm.BlockValues == 0 && q.KQuantTypeOf(name) is not null;
            if (!allQ8 && !allK) return IntegerProductKind.None;
        }
        return !any ? IntegerProductKind.None : allQ8 ? IntegerProductKind.Q8_0 : IntegerProductKind.KQuant;
    }

    /// <summary>Rows [first, first + rows) from tensor <paramref name="name"/>; <paramref name="scratch"/> holds its blocks as read.</summary>
    public void Load(IDecoderWeights weights, string name, int first, int rows, ref byte[] scratch)
    {
        var q = (IQuantizedDecoderWeights)weights;
        if (_q8 is not null)
        {
            var span = Scratch(ref scratch, Q8Matrix.BlockBytesOf(rows, K));
            if (!q.TryReadQ8_0(name, span)) throw new InvalidOperationException($"'{name}' is not Q8_0");
            _q8.SetRows(first, rows, span);
            return;
        }
        var type = q.KQuantTypeOf(name) ?? throw new InvalidOperationException($"'{name}' is not a k-quant");
        var blocks = Scratch(ref scratch, KQuantMatrix.BlockBytesOf(type, rows, K));
        if (!q.TryReadKQuant(name, blocks)) throw new InvalidOperationException($"'{name}' is not a k-quant");
        _kq!.SetRows(type, first, rows, blocks);
    }

    private static Span<byte> Scratch(ref byte[] scratch, long bytes)
    {
        if (scratch.LongLength < bytes) scratch = new byte[bytes];
        return scratch.AsSpan(0, (int)bytes);
    }

    /// <summary>y [n × Rows] = x [n × K] · Wᵀ, the activations quantised into the reusable buffers of <paramref name="activations"/>.</summary>
    public void Multiply(float[] x, int n, float[] y, Activations activations)
    {
        if (_q8 is not null)
        {
            activations.Q8.Quantize(x, n, K);
            Q8Gemm.Multiply(activations.Q8, _q8, y, Rows);
        }
        else
        {
            activations.Q8K.Quantize(x, n, K);
            KQuantGemm.Multiply(activations.Q8K, _kq!, y, Rows);
        }
    }

    /// <summary>Reusable quantised-activation buffers for both kinds.</summary>
    public sealed class Activations
    {
        public Q8Activations Q8 { get; } = new();
        public Q8KActivations Q8K { get; } = new();
    }
}
