using System.Runtime.CompilerServices;

namespace Simile.Inference;

/// <summary>
/// The one source of randomness in Simile: xoshiro256** (Blackman &amp; Vigna 2018) whose 256-bit state is
/// filled from the user's seed by SplitMix64. Not thread-safe: give each parallel block its own instance from
/// <see cref="ForBlock"/>, so results depend only on the seed and the block layout, never on thread scheduling.
/// </summary>
public sealed class SeededRandom
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>A generator whose whole stream is determined by <paramref name="seed"/>.</summary>
    public SeededRandom(ulong seed)
    {
        ulong sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
        // SplitMix64 never yields four zeros in a row, but keep the invariant explicit: xoshiro's state must not be all zero.
        if ((_s0 | _s1 | _s2 | _s3) == 0) _s0 = 0x9E3779B97F4A7C15UL;
    }

    /// <summary>
    /// An independent stream for work block <paramref name="block"/> under the user's <paramref name="seed"/>.
    /// The block index is mixed through the SplitMix64 finaliser together with the seed, so neighbouring blocks
    /// (and neighbouring seeds) start from unrelated states.
    /// </summary>
    public static SeededRandom ForBlock(ulong seed, long block)
    {
        ulong a = Mix(seed ^ 0x5851F42D4C957F2DUL);
        ulong b = Mix(unchecked((ulong)block) + 0xD1B54A32D192ED03UL);
        return new SeededRandom(Mix(a ^ RotateLeft(b, 17)) ^ b);
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextULong()
    {
        ulong result = RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="maxExclusive"/>), unbiased (Lemire's multiply-and-reject).</summary>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0) throw new ArgumentOutOfRangeException(nameof(maxExclusive), "must be positive");
        ulong range = (ulong)maxExclusive;
        ulong x = NextULong() >> 32;              // 32 random bits
        ulong m = x * range;                       // < 2^63, no overflow
        ulong low = m & 0xFFFFFFFFUL;
        if (low < range)
        {
            ulong threshold = (0x1_0000_0000UL - range) % range;
            while (low < threshold)
            {
                x = NextULong() >> 32;
                m = x * range;
                low = m & 0xFFFFFFFFUL;
            }
        }
        return (int)(m >> 32);
    }

    /// <summary>Standard normal deviate (Box–Muller, one of the pair used).</summary>
    public double NextGaussian()
    {
        double u1 = 1.0 - NextDouble(); // (0, 1]
        double u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>Uniform random permutation of <paramref name="items"/> in place (Fisher–Yates).</summary>
    public void Shuffle(Span<int> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong RotateLeft(ulong x, int k) => (x << k) | (x >> (64 - k));

    private static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>SplitMix64 output finaliser (a bijection on 64 bits).</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
