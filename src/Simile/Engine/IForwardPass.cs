namespace Simile.Engine;

/// <summary>What one forward pass gives for one sequence: Hidden[r] = [T × D] per representation (see
/// <see cref="IForwardPass.Labels"/>), Attention[l] = [H × T × T] probabilities of layer l (row = query).</summary>
public sealed record ForwardOutput(float[][] Hidden, float[][]? Attention);

/// <summary>
/// A transformer's forward pass through every layer, whatever its architecture: the one seam between the weight
/// sources (Models: ONNX, safetensors, GGUF) and the architectures (Engine: one file each). A batch is a list of
/// token-id sequences, packed one after another (<see cref="PackedBatch"/>); each sequence attends to its own tokens
/// only. Every representation is returned for every token.
/// </summary>
public interface IForwardPass
{
    /// <summary>The architecture as its source names it (e.g. "BertModel", "GPT2LMHeadModel", "Gemma3ForCausalLM").</summary>
    string Architecture { get; }

    /// <summary>D: the width of every representation.</summary>
    int Dims { get; }

    /// <summary>Attention heads of <see cref="ForwardOutput.Attention"/> (query heads).</summary>
    int Heads { get; }

    /// <summary>L: the number of blocks.</summary>
    int LayerCount { get; }

    /// <summary>Rows of the token-embedding matrix.</summary>
    int VocabularySize { get; }

    /// <summary>The longest sequence the pass runs.</summary>
    int MaxPositions { get; }

    /// <summary>Labels of <see cref="ForwardOutput.Hidden"/>: "token", "0", …, "L" (decoders add "final").</summary>
    IReadOnlyList<string> Labels { get; }

    /// <summary>Rows <paramref name="ids"/> of the token-embedding matrix as float32 (ids.Length × Dims): the "token"
    /// representation without running any block.</summary>
    void ReadTokenEmbeddings(ReadOnlySpan<int> ids, Span<float> destination);

    /// <summary>Runs a batch of token-id sequences (each ≤ <see cref="MaxPositions"/>, ids &lt; vocabulary size).</summary>
    IReadOnlyList<ForwardOutput> Forward(IReadOnlyList<int[]> sequences, bool withAttention);
}

/// <summary>
/// A batch of sequences packed row after row into one [N × ·] buffer: sequence b owns rows Start[b] … Start[b+1) and
/// row n is at position Position[n] of its sequence. Holds the outputs and copies representations into them.
/// </summary>
public sealed class PackedBatch
{
    public int Count { get; }                 // B sequences
    public int Tokens { get; }                // N packed rows
    public int Longest { get; }               // T of the longest sequence
    public int[] Start { get; }               // [B + 1]
    public int[] Ids { get; }                 // [N] token ids, packed
    public int[] Position { get; }            // [N] position within its sequence
    public ForwardOutput[] Outputs { get; }

    /// <summary>Checks lengths and ids and allocates outputs with <paramref name="representations"/> slots and, when
    /// <paramref name="withAttention"/>, <paramref name="layers"/> attention slots.</summary>
    public PackedBatch(IReadOnlyList<int[]> sequences, int maxPositions, int vocabularySize, int representations, int layers, bool withAttention)
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
        Outputs = new ForwardOutput[Count];
        for (int b = 0; b < Count; b++)
            Outputs[b] = new ForwardOutput(new float[representations][], withAttention ? new float[layers][] : null);
    }

    /// <summary>Tokens of sequence b.</summary>
    public int Length(int b) => Start[b + 1] - Start[b];

    /// <summary>Copies each sequence's rows of the packed [N × d] buffer into representation slot <paramref name="slot"/>.</summary>
    public void Keep(ReadOnlySpan<float> x, int d, int slot)
    {
        for (int b = 0; b < Count; b++)
            Outputs[b].Hidden[slot] = x.Slice(Start[b] * d, Length(b) * d).ToArray();
    }

    /// <summary>"token", "0", …, "L" and, for decoders, "final".</summary>
    public static IReadOnlyList<string> LabelsOf(int layers, bool final) =>
        [.. (string[])["token", .. Enumerable.Range(0, layers + 1).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))],
         .. final ? (string[])["final"] : []];
}
