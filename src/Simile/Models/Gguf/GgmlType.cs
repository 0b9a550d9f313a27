namespace Simile.Models.Gguf;

/// <summary>ggml tensor type ids as stored in a GGUF tensor-info record (<c>enum ggml_type</c> in ggml.h).</summary>
public enum GgmlType : uint
{
    F32 = 0, F16 = 1, Q4_0 = 2, Q4_1 = 3, Q5_0 = 6, Q5_1 = 7, Q8_0 = 8, Q8_1 = 9,
    Q2_K = 10, Q3_K = 11, Q4_K = 12, Q5_K = 13, Q6_K = 14, Q8_K = 15,
    IQ2_XXS = 16, IQ2_XS = 17, IQ3_XXS = 18, IQ1_S = 19, IQ4_NL = 20, IQ3_S = 21, IQ2_S = 22, IQ4_XS = 23,
    I8 = 24, I16 = 25, I32 = 26, I64 = 27, F64 = 28, IQ1_M = 29, BF16 = 30,
    TQ1_0 = 34, TQ2_0 = 35, MXFP4 = 39, NVFP4 = 40, Q1_0 = 41, Q2_0 = 42,
}

/// <summary>
/// Block size (values per block) and type size (bytes per block) of every ggml type a GGUF file may hold
/// (<c>type_traits</c> in ggml.c, block structs in ggml-common.h), and which of them Simile dequantizes.
/// A row of <c>ne[0]</c> values of type t takes <c>ne[0] / BlockSize(t) · TypeSize(t)</c> bytes.
/// </summary>
public static class GgmlTypes
{
    public const int QK_K = 256;

    private static readonly Dictionary<GgmlType, (int Block, int Size)> Traits = new()
    {
        [GgmlType.F32] = (1, 4), [GgmlType.F16] = (1, 2), [GgmlType.BF16] = (1, 2),
        [GgmlType.F64] = (1, 8), [GgmlType.I8] = (1, 1), [GgmlType.I16] = (1, 2), [GgmlType.I32] = (1, 4), [GgmlType.I64] = (1, 8),
        [GgmlType.Q4_0] = (32, 18), [GgmlType.Q4_1] = (32, 20), [GgmlType.Q5_0] = (32, 22), [GgmlType.Q5_1] = (32, 24),
        [GgmlType.Q8_0] = (32, 34), [GgmlType.Q8_1] = (32, 36),
        [GgmlType.Q2_K] = (QK_K, 84), [GgmlType.Q3_K] = (QK_K, 110), [GgmlType.Q4_K] = (QK_K, 144),
        [GgmlType.Q5_K] = (QK_K, 176), [GgmlType.Q6_K] = (QK_K, 210), [GgmlType.Q8_K] = (QK_K, 292),
        [GgmlType.IQ2_XXS] = (QK_K, 66), [GgmlType.IQ2_XS] = (QK_K, 74), [GgmlType.IQ3_XXS] = (QK_K, 98),
        [GgmlType.IQ1_S] = (QK_K, 50), [GgmlType.IQ4_NL] = (32, 18), [GgmlType.IQ3_S] = (QK_K, 110),
        [GgmlType.IQ2_S] = (QK_K, 82), [GgmlType.IQ4_XS] = (QK_K, 136), [GgmlType.IQ1_M] = (QK_K, 56),
        [GgmlType.TQ1_0] = (QK_K, 54), [GgmlType.TQ2_0] = (QK_K, 66),
        [GgmlType.MXFP4] = (32, 17), [GgmlType.NVFP4] = (64, 36), [GgmlType.Q1_0] = (128, 18), [GgmlType.Q2_0] = (64, 18),
    };

    /// <summary>The types whose values Simile can read (exactly as ggml's <c>dequantize_row_*</c>).</summary>
    public static IReadOnlyList<GgmlType> Dequantizable { get; } =
    [
        GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
        GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K,
    ];

    public static bool IsKnown(uint id) => Traits.ContainsKey((GgmlType)id);

    public static bool CanDequantize(GgmlType t) => t is GgmlType.F32 or GgmlType.F16 or GgmlType.BF16 or GgmlType.Q8_0
        or GgmlType.Q4_0 or GgmlType.Q4_1 or GgmlType.Q5_0 or GgmlType.Q5_1
        or GgmlType.Q2_K or GgmlType.Q3_K or GgmlType.Q4_K or GgmlType.Q5_K or GgmlType.Q6_K;

    /// <summary>Values per block (1 for plain types, 32 for Q8_0, 256 for the K-quants).</summary>
    public static int BlockSize(GgmlType t) => Traits.TryGetValue(t, out var x) ? x.Block : throw new ArgumentOutOfRangeException(nameof(t));

    /// <summary>Bytes per block.</summary>
    public static int TypeSize(GgmlType t) => Traits.TryGetValue(t, out var x) ? x.Size : throw new ArgumentOutOfRangeException(nameof(t));

    /// <summary>The name gguf-py and llama.cpp print: "F32", "Q4_K", "IQ2_XS", …; unknown ids as "type 31".</summary>
    public static string Name(GgmlType t) => Traits.ContainsKey(t) ? t.ToString() : $"type {(uint)t}";

    /// <summary>Supported types as a comma-separated list (for error messages).</summary>
    public static string DequantizableList => string.Join(", ", Dequantizable);
}
