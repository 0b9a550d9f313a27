using System.Text.Json;
using Simile.Engine;
using Xunit;

namespace Simile.Tests.Engine;

/// <summary>
/// Runs a forward pass on the inputs of one of the tests/reference/modern/*-expected.json files (written by
/// make_neox_encoders_moe.py from a float64 pass that follows the Hugging Face modeling code) and compares every
/// representation of every input with the reference.
/// </summary>
internal static class FamilyReference
{
    public static JsonDocument Load(string name) =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(TestPaths.Reference, "modern", name)));

    public static List<int[]> Sequences(JsonDocument doc) =>
        doc.RootElement.GetProperty("inputs").EnumerateArray()
            .Select(i => i.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()).ToArray()).ToList();

    /// <summary>
    /// All inputs in one packed batch; checks "token" (the embedding rows: the reference's "token", or "0" when the
    /// architecture adds nothing to them), "0" … "L", "final" for decoders, and the attention probabilities of block 1.
    /// Returns the largest difference seen.
    /// </summary>
    public static double Check(IForwardPass model, JsonDocument doc, double tolerance, bool decoder, double attentionTolerance = 1e-5)
    {
        var inputs = doc.RootElement.GetProperty("inputs").EnumerateArray().ToList();
        var outputs = model.Forward(Sequences(doc), withAttention: true);
        int L = model.LayerCount;
        Assert.Equal(decoder ? L + 3 : L + 2, model.Labels.Count);
        double worst = 0;
        for (int k = 0; k < inputs.Count; k++)
        {
            var layers = inputs[k].GetProperty("layers");
            var hidden = outputs[k].Hidden;
            var token = inputs[k].TryGetProperty("token", out var tok) ? tok : layers.GetProperty("0");
            double Diff(float[] actual, JsonElement expected, string what)
            {
                double d = HiddenStateReference.MaxDiff(actual, HiddenStateReference.Rows(expected));
                Assert.True(d <= tolerance, $"input {k} ({inputs[k].GetProperty("text").GetString()}) {what}: max diff {d:E3} > {tolerance:E1}");
                worst = Math.Max(worst, d);
                return d;
            }
            Diff(hidden[0], token, "token");
            for (int l = 0; l <= L; l++) Diff(hidden[l + 1], layers.GetProperty(l.ToString()), $"layer {l}");
            if (decoder) Diff(hidden[L + 2], inputs[k].GetProperty("final_norm"), "final");
            if (inputs[k].TryGetProperty("attentions", out var att) && L > 1)
            {
                var a = att.GetProperty("1");
                int H = a.GetArrayLength(), T = inputs[k].GetProperty("ids").GetArrayLength();
                double worstAttention = 0;
                for (int h = 0; h < H; h++)
                    for (int i = 0; i < T; i++)
                        for (int j = 0; j < T; j++)
                            worstAttention = Math.Max(worstAttention, Math.Abs(outputs[k].Attention![1][(h * T + i) * T + j] - a[h][i][j].GetDouble()));
                Assert.True(worstAttention <= attentionTolerance, $"input {k} attention of block 1: max diff {worstAttention:E3}");
            }
        }
        return worst;
    }
}
