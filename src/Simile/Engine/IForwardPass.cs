namespace Simile.Engine;

/// <summary>What <see cref="ForwardPasses.Forward"/> keeps for one sequence: Hidden[r] = [T × D] per representation (see
/// <see cref="IForwardPass.Labels"/>), Attention[l] = [H × T × T] probabilities of layer l (row = query).</summary>
public sealed record ForwardOutput(float[][] Hidden, float[][]? Attention);

/// <summary>
/// Receives a forward pass's representations as the pass produces them, one at a time, in label order ("token", "0",
/// …, "L", "final"): the pass never holds more than the one it is handing over.
/// </summary>
public interface IHiddenStateSink
{
    /// <summary>Representation <paramref name="representation"/> (an index into <see cref="IForwardPass.Labels"/>) of
    /// every token of <paramref name="batch"/>: packed rows [N × D] (sequence b's rows: <see cref="PackedBatch.Rows"/>).
    /// Valid during the call only: the pass overwrites the buffer afterwards.</summary>
    void Receive(int representation, PackedBatch batch, ReadOnlySpan<float> rows);

    /// <summary>The deepest representation the sink needs (an index into <see cref="IForwardPass.Labels"/>): a pass
    /// stops a batch once it has handed that one over, so asking for "token" or the first layers reads no deeper
    /// layer's weights. Default: all.</summary>
    int Deepest => int.MaxValue;
}

/// <summary>
/// A transformer's forward pass through every layer, whatever its architecture: the one seam between the weight
/// sources (Models: ONNX, safetensors, GGUF) and the architectures (Engine: one file each). A batch is a list of
/// token-id sequences, packed one after another (<see cref="PackedBatch"/>); each sequence attends to its own tokens
/// only. Every representation of every token is handed to a sink as soon as it is computed
/// (<see cref="IHiddenStateSink"/>); <see cref="ForwardPasses.Forward"/> keeps them all instead.
/// </summary>
public interface IForwardPass
{
    /// <summary>The architecture as its source names it (e.g. "BertModel", "GPT2LMHeadModel", "Gemma3ForCausalLM").</summary>
    string Architecture { get; }

    /// <summary>D: the width of every representation.</summary>
    int Dims { get; }

    /// <summary>Attention heads of <see cref="PackedBatch.Attention"/> (query heads).</summary>
    int Heads { get; }

    /// <summary>L: the number of blocks.</summary>
    int LayerCount { get; }

    /// <summary>Rows of the token-embedding matrix.</summary>
    int VocabularySize { get; }

    /// <summary>The longest sequence the pass runs.</summary>
    int MaxPositions { get; }

    /// <summary>Labels of the representations: "token", "0", …, "L" (decoders add "final").</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Rows <paramref name="ids"/> of the token-embedding matrix as float32 (ids.Length × Dims): the "token"
    /// representation without running any block.</summary>
    void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination);

    /// <summary>
    /// Runs batches one after another (each <c>new PackedBatch(sequences, pass, withAttention)</c>): each representation
    /// of all tokens of a batch goes to <paramref name="sink"/> as soon as it is computed, and with attention asked
    /// <see cref="PackedBatch.Attention"/> is filled. The batches share one set of buffers — one layer's weights and the
    /// activations of the largest batch so far — allocated by this call and dropped at its end, so a run of many batches
    /// allocates them once and holds nothing afterwards. The batches are taken one at a time, each after the previous
    /// one's last representation.
    /// </summary>
    void Forward(IEnumerable<PackedBatch> batches, IHiddenStateSink sink);
}

/// <summary>The materialised form of a forward pass.</summary>
public static class ForwardPasses
{
    /// <summary>Runs a batch of token-id sequences (each ≤ <see cref="IForwardPass.MaxPositions"/>, ids &lt; vocabulary
    /// size) and keeps every representation of every token, sequence by sequence (labels × tokens × D floats: for a
    /// few texts; many texts go through a sink, <see cref="IForwardPass.Forward(IEnumerable{PackedBatch}, IHiddenStateSink)"/>).</summary>
    public static IReadOnlyList<ForwardOutput> Forward(this IForwardPass pass, IReadOnlyList<int[]> sequences, bool withAttention)
    {
        var batch = new PackedBatch(sequences, pass, withAttention);
        var kept = new KeptRepresentations(batch, pass.Labels.Count, pass.Dims);
        pass.Forward([batch], kept);
        return [.. Enumerable.Range(0, batch.Count).Select(b => new ForwardOutput(kept.Hidden[b], batch.Attention?[b]))];
    }

    /// <summary>Copies each sequence's rows of each representation (Hidden[b][r] = [T_b × D]).</summary>
    private sealed class KeptRepresentations : IHiddenStateSink
    {
        private readonly int _d;
        public float[][][] Hidden { get; }

        public KeptRepresentations(PackedBatch batch, int representations, int d)
        {
            _d = d;
            Hidden = new float[batch.Count][][];
            for (int b = 0; b < batch.Count; b++) Hidden[b] = new float[representations][];
        }

        public void Receive(int representation, PackedBatch batch, ReadOnlySpan<float> rows)
        {
            for (int b = 0; b < batch.Count; b++) Hidden[b][representation] = batch.Rows(rows, b, _d).ToArray();
        }
    }
}

/// <summary>
/// A batch of sequences packed row after row into one [N × ·] buffer: sequence b owns rows Start[b] … Start[b+1) and
/// row n is at position Position[n] of its sequence. Holds the attention probabilities when they are asked for.
/// </summary>
public sealed class PackedBatch
{
    public int Count { get; }                 // B sequences
    public int Tokens { get; }                // N packed rows
    public int Longest { get; }               // T of the longest sequence
    public int[] Start { get; }               // [B + 1]
    public int[] Ids { get; }                 // [N] token ids, packed
    public int[] Position { get; }            // [N] position within its sequence

    /// <summary>With attention asked: Attention[b][l] = [H × T_b × T_b] probabilities of layer l (row = query), filled
    /// by the pass; otherwise null.</summary>
    public float[][][]? Attention { get; }

    /// <summary>Checks lengths and ids against <paramref name="pass"/> and, when <paramref name="withAttention"/>, makes
    /// room for every layer's attention.</summary>
    public PackedBatch(IReadOnlyList<int[]> sequences, IForwardPass pass, bool withAttention)
        : this(sequences, pass.MaxPositions, pass.VocabularySize, pass.LayerCount, withAttention) { }

    /// <summary>Checks lengths and ids and, when <paramref name="withAttention"/>, makes room for
    /// <paramref name="layers"/> layers' attention.</summary>
    public PackedBatch(IReadOnlyList<int[]> sequences, int maxPositions, int vocabularySize, int layers, bool withAttention)
    {
        Count = sequences.Count;
        Start = new int[Count + 1];
        for (int b = 0; b < Count; b++)
        {
            if (sequences[b].Length > maxPositions)
                throw new ArgumentException($"sequence {b} has {sequences[b].Length} tokens, more than {maxPositions} positions");
            foreach (int id in sequences[b])
                if ((uint)id >= (uint)vocabularySize) throw new ArgumentException($"token id {id} in sequence {b} is outside the vocabulary (size {vocabularySize})");
            Start[b + 1] = Start[b] + sequences[b].Length;
            Longest = Math.Max(Longest, sequences[b].Length);
        }
        Tokens = Start[Count];
        Ids = new int[Tokens];
        Position = new int[Tokens];
        for (int b = 0; b < Count; b++)
        {
            sequences[b].CopyTo(Ids, Start[b]);
            for (int t = 0; t < sequences[b].Length; t++) Position[Start[b] + t] = t;
        }
        if (withAttention)
        {
            Attention = new float[Count][][];
            for (int b = 0; b < Count; b++) Attention[b] = new float[layers][];
        }
    }

    /// <summary>Tokens of sequence b.</summary>
    public int Length(int b) => Start[b + 1] - Start[b];

    /// <summary>Sequence b's rows [T_b × d] of a packed [N × d] buffer.</summary>
    public ReadOnlySpan<float> Rows(ReadOnlySpan<float> packed, int b, int d) => packed.Slice(Start[b] * d, Length(b) * d);

    /// <summary>"token", "0", …, "L" and, for decoders, "final".</summary>
    public static IReadOnlyList<string> LabelsOf(int layers, bool final) =>
        [.. (string[])["token", .. Enumerable.Range(0, layers + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
         .. final ? (string[])["final"] : []];

}

/// <summary>The work buffers of a forward pass, shared by the batches of a run: grown only for a larger batch, so a run
/// of many batches allocates them once and leaves no large garbage behind.</summary>
public static class WorkBuffer
{
    /// <summary><paramref name="buffer"/> when it holds at least <paramref name="length"/> floats, else a new one stored in it.</summary>
    public static float[] AtLeast(ref float[] buffer, long length)
    {
        if (buffer.LongLength < length) buffer = new float[length];
        return buffer;
    }
}
