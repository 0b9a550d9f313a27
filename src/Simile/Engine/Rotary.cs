namespace Simile.Engine;

/// <summary>
/// Rotary position embeddings in Hugging Face's rotate_half form on the first <see cref="Dims"/> values of each head
/// (all of them, or partial_rotary_factor · hd): for i &lt; Dims/2 with (c, s) = (cos, sin)(pos · inv_freq[i]),
/// v[i] ← v[i]·c − v[i + Dims/2]·s and v[i + Dims/2] ← v[i + Dims/2]·c + v[i]·s; the other values pass through.
/// Angles in float64, cos/sin rounded to float32 into tables for positions 0 … T−1.
/// </summary>
public sealed class Rotary
{
    private readonly float[] _cos, _sin;   // [T × Dims/2]
    private readonly int _half;

    public int Dims => 2 * _half;

    public Rotary(double[] inverseFrequencies, int positions)
    {
        _half = inverseFrequencies.Length;
        _cos = new float[positions * _half];
        _sin = new float[positions * _half];
        for (int p = 0; p < positions; p++)
            for (int i = 0; i < _half; i++)
            {
                double angle = p * inverseFrequencies[i];
                _cos[p * _half + i] = (float)Math.Cos(angle);
                _sin[p * _half + i] = (float)Math.Sin(angle);
            }
    }

    /// <summary>Rotates <paramref name="heads"/> consecutive head vectors of <paramref name="headDim"/> values at position <paramref name="position"/>.</summary>
    public void Apply(Span<float> row, int heads, int headDim, int position)
    {
        var cos = _cos.AsSpan(position * _half, _half);
        var sin = _sin.AsSpan(position * _half, _half);
        for (int h = 0; h < heads; h++)
        {
            var v = row.Slice(h * headDim, headDim);
            for (int i = 0; i < _half; i++)
            {
                float x1 = v[i], x2 = v[i + _half];
                v[i] = x1 * cos[i] - x2 * sin[i];
                v[i + _half] = x2 * cos[i] + x1 * sin[i];
            }
        }
    }

    /// <summary>
    /// inv_freq[i] = θ^(−2i/dims), i = 0 … dims/2 − 1 (dims = the rotated values per head), then rope_scaling:
    /// <c>linear</c> divides every frequency by the factor; <c>llama3</c> (modeling_rope_utils._compute_llama3_parameters)
    /// divides the low frequencies (wavelength longer than original_max_positions / low_freq_factor) by the factor,
    /// keeps the high ones (wavelength shorter than original_max_positions / high_freq_factor), and blends in between with
    /// s = (original_max_positions / wavelength − low_freq_factor) / (high_freq_factor − low_freq_factor):
    /// (1 − s) · f / factor + s · f.
    /// </summary>
    public static double[] Frequencies(int dims, double theta, RopeScaling? s)
    {
        int half = dims / 2;
        var f = new double[half];
        for (int i = 0; i < half; i++) f[i] = 1.0 / Math.Pow(theta, 2.0 * i / dims);
        if (s is null || s.Kind == RopeScalingKind.None) return f;
        if (s.Kind == RopeScalingKind.Linear)
        {
            for (int i = 0; i < half; i++) f[i] /= s.Factor;
            return f;
        }
        double lowWavelength = s.OriginalMaxPositions / s.LowFrequencyFactor;
        double highWavelength = s.OriginalMaxPositions / s.HighFrequencyFactor;
        for (int i = 0; i < half; i++)
        {
            double wavelength = 2 * Math.PI / f[i];
            if (wavelength > lowWavelength) f[i] /= s.Factor;                    // low frequencies: scaled
            else if (wavelength >= highWavelength)                               // medium: smooth blend
            {
                double smooth = (s.OriginalMaxPositions / wavelength - s.LowFrequencyFactor) / (s.HighFrequencyFactor - s.LowFrequencyFactor);
                f[i] = (1 - smooth) * f[i] / s.Factor + smooth * f[i];
            }
        }
        return f;
    }
}
