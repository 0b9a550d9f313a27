namespace Simile.Engine;

/// <summary>
/// An <see cref="IDecoderWeights"/> that can also hand out some tensors in their stored quantized form, so that the
/// forward pass can multiply with them directly (<see cref="Q8Gemm"/>, <see cref="KQuantGemm"/>) instead of widening
/// them to float32.
/// </summary>
public interface IQuantizedDecoderWeights : IDecoderWeights
{
    /// <summary>
    /// When the 2-D tensor <paramref name="name"/> [rows × K] is stored as ggml Q8_0, copies its blocks in Hugging Face
    /// row order (rows × K/32 blocks of 34 bytes: fp16 scale, 32 int8; any storage row permutation undone) into
    /// <paramref name="destination"/> (exactly that many bytes) and returns true; otherwise returns false.
    /// </summary>
    bool TryReadQ8_0(string name, Span<byte> destination);

    /// <summary>The k-quant type of the 2-D tensor <paramref name="name"/> when it is stored as Q4_K, Q5_K or Q6_K; else null.</summary>
    KQuantType? KQuantTypeOf(string name);

    /// <summary>
    /// When <paramref name="name"/> is stored as a k-quant (<see cref="KQuantTypeOf"/>), copies its blocks in Hugging
    /// Face row order (rows × K/256 blocks) into <paramref name="destination"/> (exactly that many bytes) and returns
    /// true; otherwise returns false.
    /// </summary>
    bool TryReadKQuant(string name, Span<byte> destination);
}
