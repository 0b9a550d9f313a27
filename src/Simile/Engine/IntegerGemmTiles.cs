namespace Simile.Engine;

/// <summary>
/// The tiling both integer products (<see cref="Q8Gemm"/> and <see cref="KQuantGemm"/>) share: weight rows in tiles of
/// about 192 KB of quants (they stay in L2 while every token group passes over them; a multiple of the micro-kernel's
/// row group), at least 4 tiles per thread so the threads finish together, every token group over every row group of a
/// tile, tiles in parallel unless the product is small.
/// </summary>
internal static class IntegerGemmTiles
{
    /// <summary>One micro-kernel call: the outputs of tokens n0 … n0 + tokenGroup − 1 and rows m0 … m0 + rowGroup − 1.</summary>
    internal interface IBlock
    {
        void Run(int n0, int m0);
    }

    /// <summary>Runs <paramref name="block"/> over a tokens × weightRows output, <paramref name="valuesPerRow"/> quants a row.</summary>
    public static void Run<TBlock>(TBlock block, int tokens, int weightRows, int valuesPerRow, int tokenGroup, int rowGroup)
        where TBlock : struct, IBlock
    {
        int threads = Math.Max(1, Math.Min(Gemm.MaxThreads, Environment.ProcessorCount));
        int rowsPerTile = Math.Max(rowGroup, 192 * 1024 / valuesPerRow / rowGroup * rowGroup);
        int perThread = (weightRows + 4 * threads - 1) / (4 * threads);
        rowsPerTile = Math.Max(rowGroup, Math.Min(rowsPerTile, (perThread + rowGroup - 1) / rowGroup * rowGroup));
        int tiles = (weightRows + rowsPerTile - 1) / rowsPerTile;
        void Tile(int tile)
        {
            int m0 = tile * rowsPerTile, m1 = Math.Min(weightRows, m0 + rowsPerTile);
            for (int n = 0; n < tokens; n += tokenGroup)
                for (int m = m0; m < m1; m += rowGroup)
                    block.Run(n, m);
        }
        if (threads == 1 || tiles == 1 || (long)tokens * weightRows * valuesPerRow < 1 << 20)
            for (int t = 0; t < tiles; t++) Tile(t);
        else
            KernelLoop.For(tiles, threads, Tile);
    }
}
