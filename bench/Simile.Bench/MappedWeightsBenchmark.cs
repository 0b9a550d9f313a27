using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using Simile.Models.HuggingFace;

namespace Simile.Bench;

/// <summary>
/// <c>forward-memory</c>: writes a GPT-2-XL-shaped float32 checkpoint (n_embd 1600, 25 heads, vocabulary 50257,
/// <c>--layers</c> blocks, default 8 ≈ 1.3 GB) to a temporary folder, opens it, runs one sentence, and reports the file
/// size against the growth of the process's private (non-file-backed) memory: mapped weights are not copied.
/// </summary>
public static class MappedWeightsBenchmark
{
    public static int Run(string[] args)
    {
        int layers = 8;
        int i = Array.IndexOf(args, "--layers");
        if (i >= 0 && i + 1 < args.Length) layers = int.Parse(args[i + 1]);
        const int D = 1600, H = 25, I = 6400, V = 50257, P = 1024;
        string dir = Path.Combine(Path.GetTempPath(), "simile-bench-gpt2xl-" + Environment.ProcessId);
        Directory.CreateDirectory(dir);
        try
        {
            var tensors = new List<(string Name, long[] Shape)> { ("wte.weight", [V, D]), ("wpe.weight", [P, D]) };
            for (int l = 0; l < layers; l++)
            {
                string h = $"h.{l}.";
                tensors.AddRange([(h + "ln_1.weight", [D]), (h + "ln_1.bias", [D]), (h + "attn.c_attn.weight", [D, 3 * D]), (h + "attn.c_attn.bias", [3 * D]),
                    (h + "attn.c_proj.weight", [D, D]), (h + "attn.c_proj.bias", [D]), (h + "ln_2.weight", [D]), (h + "ln_2.bias", [D]),
                    (h + "mlp.c_fc.weight", [D, I]), (h + "mlp.c_fc.bias", [I]), (h + "mlp.c_proj.weight", [I, D]), (h + "mlp.c_proj.bias", [D])]);
            }
            tensors.AddRange([("ln_f.weight", [D]), ("ln_f.bias", [D])]);
            long fileBytes = WriteCheckpoint(Path.Combine(dir, "model.safetensors"), tensors);
            File.WriteAllText(Path.Combine(dir, "config.json"), JsonSerializer.Serialize(new
            {
                model_type = "gpt2", n_embd = D, n_layer = layers, n_head = H, n_positions = P, vocab_size = V,
                layer_norm_epsilon = 1e-5, activation_function = "gelu_new",
            }));
            WriteByteVocabulary(dir);

            var process = Process.GetCurrentProcess();
            GC.Collect();
            process.Refresh();
            long before = process.PrivateMemorySize64;
            var clock = Stopwatch.StartNew();
            using var model = HuggingFaceModel.Open(dir);
            var run = model.Run(["the galaxy and the banana were on the table"], withAttention: false)[0];
            double seconds = clock.Elapsed.TotalSeconds;
            process.Refresh();
            long after = process.PrivateMemorySize64;
            Console.WriteLine($"forward-memory: GPT-2-XL shape, {layers} blocks, checkpoint {fileBytes / 1e9:F2} GB (float32, mapped)");
            Console.WriteLine($"  opened and ran {run.Input.Count} tokens through {run.Labels.Count} representations in {seconds:F1} s");
            Console.WriteLine($"  private memory grew by {(after - before) / 1e6:F0} MB ({100.0 * (after - before) / fileBytes:F1}% of the weights)");
            if (layers < 48) Console.WriteLine("  (--layers 48 gives the full GPT-2-XL size, 6.2 GB)");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Streams a safetensors file of small pseudo-random float32 values (deterministic), returns its length.</summary>
    private static long WriteCheckpoint(string path, List<(string Name, long[] Shape)> tensors)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, shape) in tensors)
        {
            long bytes = shape.Aggregate(4L, (a, b) => a * b);
            header["transformer." + name] = new { dtype = "F32", shape, data_offsets = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        using var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        Span<byte> len = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(len, (ulong)padded);
        fs.Write(len);
        fs.Write(json);
        for (int k = json.Length; k < padded; k++) fs.WriteByte((byte)' ');
        var chunk = new float[1 << 18];
        var bytesChunk = System.Runtime.InteropServices.MemoryMarshal.AsBytes(chunk.AsSpan());
        uint state = 12345;
        for (long written = 0; written < offset;)
        {
            for (int k = 0; k < chunk.Length; k++) { state = state * 1664525 + 1013904223; chunk[k] = ((state >> 8) / 16777216f - 0.5f) * 0.05f; }
            int n = (int)Math.Min(bytesChunk.Length, offset - written);
            fs.Write(bytesChunk[..n]);
            written += n;
        }
        return fs.Length;
    }

    /// <summary>A byte-level BPE vocabulary of the 256 byte tokens plus a few merges (enough to tokenize any text).</summary>
    private static void WriteByteVocabulary(string dir)
    {
        var keep = new List<int>();
        for (int b = '!'; b <= '~'; b++) keep.Add(b);
        for (int b = 0xA1; b <= 0xAC; b++) keep.Add(b);
        for (int b = 0xAE; b <= 0xFF; b++) keep.Add(b);
        var vocab = new Dictionary<string, int>();
        int next = 0;
        for (int b = 0; b < 256; b++) vocab[keep.Contains(b) ? ((char)b).ToString() : ((char)(256 + next++)).ToString()] = b;
        foreach (var t in new[] { "Ġt", "he", "Ġthe" }) vocab[t] = vocab.Count;
        vocab["<|endoftext|>"] = vocab.Count;
        File.WriteAllText(Path.Combine(dir, "vocab.json"), JsonSerializer.Serialize(vocab));
        File.WriteAllLines(Path.Combine(dir, "merges.txt"), ["#version: 0.2", "Ġ t", "h e", "Ġt he"]);
    }
}
