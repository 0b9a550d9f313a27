using static Simile.Bench.BenchSupport;
using System.Diagnostics;
using System.Text;
using Simile.Models;
using Simile.Models.Gguf;

namespace Simile.Bench;

/// <summary>
/// <c>gguf-embeddings [--type Q4_K|Q8_0|F16] [--words N]</c>: token-embedding extraction of N words (default 1,000) from
/// an 8B-shaped GGUF file (Llama-3-8B's vocabulary 128,256 × hidden 4,096). The file is written sparse to a temporary
/// folder: a byte-level BPE tokenizer of 128,256 tokens (byte alphabet, the words' prefixes with their merges, reserved
/// special tokens as padding) and <c>token_embd.weight</c> only, whose rows are zero except the words' rows (random
/// blocks). Times the whole path a user runs (<c>ModelCatalogue.Resolve</c>: map and validate the file, read the
/// tokenizer metadata, build the tokenizer; then tokenize and dequantize the rows) and samples the process's private
/// (anonymous) resident memory every 2 ms to report its peak growth.
/// </summary>
public static class GgufEmbeddingBenchmark
{
    private const int Vocab = 128256, Hidden = 4096;

    public static int Run(string[] args)
    {
        string typeName = ArgText(args, "--type") ?? "Q4_K";
        int nWords = int.Parse(ArgText(args, "--words") ?? "1000");
        var type = Enum.Parse<GgmlType>(typeName);
        string dir = Path.Combine(Path.GetTempPath(), "simile-bench-gguf-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var rng = new Random(42);
            var words = new HashSet<string>();
            while (words.Count < nWords)
                words.Add(new string(Enumerable.Range(0, rng.Next(5, 9)).Select(_ => (char)('a' + rng.Next(26))).ToArray()));
            var wordList = words.ToList();
            string path = Path.Combine(dir, "llama-8b-shaped.gguf");
            var clockWrite = Stopwatch.StartNew();
            long size = WriteFile(path, type, wordList, rng);
            Console.WriteLine($"gguf-embeddings: {typeName} token_embd {Vocab:N0} x {Hidden:N0}, file {size / 1e9:F2} GB (sparse), written in {clockWrite.Elapsed.TotalSeconds:F1} s");

            GC.Collect();
            long before = RssAnon();
            long peak = before;
            bool sampling = true;
            var sampler = new Thread(() => { while (Volatile.Read(ref sampling)) { peak = Math.Max(peak, RssAnon()); Thread.Sleep(2); } }) { IsBackground = true };
            sampler.Start();
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            using var model = ModelCatalogue.Resolve(path);
            double open = clock.Elapsed.TotalSeconds;
            var set = model.Vectors(wordList, SubwordPolicy.Error);
            double total = clock.Elapsed.TotalSeconds;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            Volatile.Write(ref sampling, false);
            sampler.Join();
            peak = Math.Max(peak, RssAnon());
            double check = 0;
            for (int r = 0; r < set.Vectors.Rows; r++) check += set.Vectors.Row(r)[0];
            Console.WriteLine($"  open + tokenizer ({Vocab:N0} tokens): {open:F2} s; {nWords:N0} words tokenized and dequantized: {total - open:F3} s; total {total:F2} s wall, {cpu:F2} s CPU (all threads)");
            Console.WriteLine($"  private (anonymous) resident memory: peak growth {(peak - before) / 1e6:F0} MB (before {before / 1e6:F0} MB)  [checksum {check:G6}]");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary><c>gguf-dequant</c>: dequantization throughput of every supported type (4096 × 1024 values of random blocks, best of 5).</summary>
    public static int RunDequant()
    {
        const int n = 4096 * 1024;
        var dst = new float[n];
        var rng = new Random(1);
        Console.WriteLine($"gguf-dequant: {n:N0} values per run, best of 5 (Vector256 {(System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? "on" : "off")})");
        foreach (var type in GgmlTypes.Dequantizable)
        {
            int block = GgmlTypes.BlockSize(type), size = GgmlTypes.TypeSize(type);
            var src = new byte[n / block * size];
            rng.NextBytes(src);
            if (type is not (GgmlType.F32 or GgmlType.F16 or GgmlType.BF16))
                for (int b = 0; b < src.Length; b += size)
                    foreach (int at in HalfOffsets(type))
                        BitConverter.TryWriteBytes(src.AsSpan(b + at), BitConverter.HalfToUInt16Bits((Half)0.01));
            double best = double.MaxValue;
            for (int rep = 0; rep < 5; rep++)
            {
                var c = Stopwatch.StartNew();
                GgmlDequantize.Row(type, src, dst);
                best = Math.Min(best, c.Elapsed.TotalSeconds);
            }
            Console.WriteLine($"  {type,-5} {n / best / 1e9,6:F2} Gvalues/s  ({src.Length / best / 1e9:F2} GB/s of blocks)");
        }
        return 0;
    }

    private static int[] HalfOffsets(GgmlType t) => t switch
    {
        GgmlType.Q4_1 or GgmlType.Q5_1 or GgmlType.Q4_K or GgmlType.Q5_K => [0, 2],
        GgmlType.Q2_K => [80, 82],
        GgmlType.Q3_K => [108],
        GgmlType.Q6_K => [208],
        _ => [0],
    };

    /// <summary>RssAnon from /proc/self/status (bytes): resident memory not backed by a file.</summary>
    private static long RssAnon()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return Process.GetCurrentProcess().PrivateMemorySize64;
    }

    /// <summary>GPT-2's byte → printable character map (the alphabet of byte-level BPE tokens).</summary>
    private static string[] ByteAlphabet()
    {
        var keep = new List<int>();
        for (int b = '!'; b <= '~'; b++) keep.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) keep.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) keep.Add(b);
        var map = new string[256];
        int next = 0;
        for (int b = 0; b < 256; b++) map[b] = keep.Contains(b) ? ((char)b).ToString() : ((char)(256 + next++)).ToString();
        return map;
    }

    private static long WriteFile(string path, GgmlType type, List<string> words, Random rng)
    {
        var tokens = new List<string>(ByteAlphabet());
        var index = tokens.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i);
        var merges = new List<string>();
        var wordIds = new List<int>();
        foreach (var w in words)
        {
            string cur = "Ġ";
            foreach (char ch in w)
            {
                string next = cur + ch;
                if (!index.ContainsKey(next)) { merges.Add(cur + " " + ch); index[next] = tokens.Count; tokens.Add(next); }
                cur = next;
            }
            wordIds.Add(index[cur]);
        }
        var types = Enumerable.Repeat(1, tokens.Count).ToList();
        for (int k = 0; tokens.Count < Vocab; k++) { tokens.Add($"<|reserved_special_token_{k}|>"); types.Add(3); }

        int block = GgmlTypes.BlockSize(type), typeSize = GgmlTypes.TypeSize(type);
        long rowBytes = Hidden / block * typeSize;
        using var fs = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 20);
        var w8 = new BinaryWriter(fs, Encoding.UTF8, leaveOpen: true);
        void Str(string s) { var b = Encoding.UTF8.GetBytes(s); w8.Write((ulong)b.Length); w8.Write(b); }
        w8.Write(GgufFile.Magic); w8.Write(3u); w8.Write(1UL); w8.Write(7UL);
        Str("general.architecture"); w8.Write((uint)GgufValueType.String); Str("llama");
        Str("llama.embedding_length"); w8.Write((uint)GgufValueType.UInt32); w8.Write((uint)Hidden);
        Str("tokenizer.ggml.model"); w8.Write((uint)GgufValueType.String); Str("gpt2");
        Str("tokenizer.ggml.pre"); w8.Write((uint)GgufValueType.String); Str("llama-bpe");
        Str("tokenizer.ggml.tokens"); w8.Write((uint)GgufValueType.Array); w8.Write((uint)GgufValueType.String); w8.Write((ulong)tokens.Count);
        foreach (var t in tokens) Str(t);
        Str("tokenizer.ggml.token_type"); w8.Write((uint)GgufValueType.Array); w8.Write((uint)GgufValueType.Int32); w8.Write((ulong)types.Count);
        foreach (var t in types) w8.Write(t);
        Str("tokenizer.ggml.merges"); w8.Write((uint)GgufValueType.Array); w8.Write((uint)GgufValueType.String); w8.Write((ulong)merges.Count);
        foreach (var m in merges) Str(m);
        Str("token_embd.weight"); w8.Write(2u); w8.Write((ulong)Hidden); w8.Write((ulong)Vocab); w8.Write((uint)type); w8.Write(0UL);
        w8.Flush();
        long data = (fs.Position + 31) / 32 * 32;
        fs.SetLength(data + rowBytes * Vocab);      // sparse: unwritten rows read as zero blocks
        var row = new byte[rowBytes];
        foreach (int id in wordIds)
        {
            rng.NextBytes(row);
            // Finite half scales: the first 2 (or 4) bytes of each block (Q8_0 d; Q4_K d, dmin).
            if (type is GgmlType.Q8_0 or GgmlType.Q4_K)
                for (int b = 0; b < row.Length; b += typeSize)
                    for (int h = 0; h < (type == GgmlType.Q4_K ? 4 : 2); h += 2)
                        BitConverter.TryWriteBytes(row.AsSpan(b + h), BitConverter.HalfToUInt16Bits((Half)(rng.NextDouble() * 0.02)));
            if (type == GgmlType.F16)
                for (int b = 0; b < row.Length; b += 2)
                    BitConverter.TryWriteBytes(row.AsSpan(b), BitConverter.HalfToUInt16Bits((Half)(rng.NextDouble() - 0.5)));
            fs.Position = data + rowBytes * id;
            fs.Write(row);
        }
        return fs.Length;
    }
}
