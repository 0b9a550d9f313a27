namespace Simile.Data;

/// <summary>
/// One vector per word from one source (a model's token embeddings, a layer's hidden states, a file):
/// n words × d features (float32 model values widened to float64), with where it came from.
/// </summary>
public sealed record VectorSet(IReadOnlyList<string> Words, Matrix Vectors, string Source)
{
    public int Count => Vectors.Rows;
    public int Dims => Vectors.Cols;
}
