using static Simile.Bench.BenchSupport;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LLama;
using LLama.Common;
using LLama.Native;
using Simile.Engine;
using Simile.Models.Gguf;
using Simile.Models.HuggingFace;

namespace Simile.Bench;

/// <summary>
/// <c>forward-llama</c>: prompt processing of 64 sequences × 16 tokens on a randomly initialised model of the
/// Llama-3.2-1B shape (hidden 2048, 16 layers, 32 heads, 8 KV heads, head dim 64, intermediate 8192; vocabulary
/// <c>--vocab</c>, default 32,000: it does not change the prompt cost), by the native pass (from a safetensors F16 copy,
/// converted to float32 one layer at a time) and by llama.cpp (LLamaSharp 0.30.0, CPU backend) on GGUF files of the same
/// weights (F16, and Q8_0 quantised here), with the same thread count. Prints tokens/s and the ratio.
/// On the Q8_0 file the native pass runs twice: weights widened to float32, and the int8 path
/// (<see cref="LlamaModel.IntegerProducts"/>, <see cref="Q8Gemm"/>), which is what llama.cpp computes.
/// Q4_K_M: a third file in llama-quantize's Q4_K_M mix (<see cref="TypeOf"/>), run by the k-quant integer path.
/// Each file type ends in one line <c>ratio TYPE native-tokens/s ÷ llama.cpp-tokens/s</c>.
/// Usage: <c>Simile.Bench forward-llama [--quant F16|Q8_0|Q4_K_M]… [--layers 16] [--vocab 32000] [--threads N] [--reps 2]
/// [--dir DIR] [--no-q8] [--no-f16] [--widened] [--values] [--kernels] [--kernel-only]</c>.
/// </summary>
public static class LlamaForwardBenchmark
{
    private const int Hidden = 2048, Heads = 32, KvHeads = 8, HeadDim = 64, Intermediate = 8192, Sequences = 64, Tokens = 16;

    public static int Run(string[] args)
    {
        int layers = Arg(args, "--layers", 16), vocab = Arg(args, "--vocab", 32000), reps = Arg(args, "--reps", 2);
        int threads = Arg(args, "--threads", Environment.ProcessorCount);
        string dir = ArgText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), $"simile-bench-llama-L{layers}-V{vocab}");
        if (args.Contains("--kernel-only"))
        {
            Gemm.MaxThreads = threads;
            KernelComparison(threads);
            return 0;
        }
        // File types: every --quant given (F16, Q8_0, Q4_K_M), else F16 and Q8_0 (minus --no-f16 / --no-q8).
        var quants = args.Select((a, i) => (a, i)).Where(p => p.a == "--quant" && p.i + 1 < args.Length).Select(p => args[p.i + 1]).ToList();
        if (quants.Count == 0)
        {
            if (!args.Contains("--no-f16")) quants.Add("F16");
            if (!args.Contains("--no-q8")) quants.Add("Q8_0");
        }
        foreach (var q in quants)
            if (q is not ("F16" or "Q8_0" or "Q4_K_M")) { Console.Error.WriteLine($"unknown --quant '{q}': F16, Q8_0 or Q4_K_M"); return 2; }
        Directory.CreateDirectory(dir);
        var tensors = Layout(layers, vocab);
        string st = Path.Combine(dir, "model.safetensors"), f16 = Path.Combine(dir, "model-F16.gguf"),
            q80 = Path.Combine(dir, "model-Q8_0.gguf"), q4 = Path.Combine(dir, "model-Q4_K_M.gguf");
        bool needF16 = quants.Contains("F16");
        string? Missing(bool wanted, string path) => wanted && !File.Exists(path) ? path : null;
        var (wSt, wF16, wQ8, wQ4) = (Missing(needF16, st), Missing(needF16, f16), Missing(quants.Contains("Q8_0"), q80), Missing(quants.Contains("Q4_K_M"), q4));
        if (wSt is not null || wF16 is not null || wQ8 is not null || wQ4 is not null)
        {
            var sw = Stopwatch.StartNew();
            WriteFiles(tensors, layers, vocab, wSt, wF16, wQ8, wQ4);
            File.WriteAllText(Path.Combine(dir, "config.json"), ConfigJson(layers, vocab));
            Console.WriteLine($"wrote the random model ({tensors.Sum(t => t.Count):N0} parameters) in {sw.Elapsed.TotalSeconds:F0} s: {dir}");
        }

        var rng = new Random(7);
        var sequences = Enumerable.Range(0, Sequences).Select(_ => Enumerable.Range(0, Tokens).Select(_ => rng.Next(300, vocab)).ToArray()).ToList();
        int total = Sequences * Tokens;
        Console.WriteLine($"forward-llama: Llama-3.2-1B shape with {layers} layers, vocab {vocab}; {Sequences} sequences × {Tokens} tokens = {total} tokens; {threads} threads; best of {reps}");
        Console.WriteLine($"  load before: {File.ReadAllText("/proc/loadavg").Trim()}");

        Gemm.MaxThreads = threads;
        if (args.Contains("--kernels")) KernelComparison(threads);
        bool widened = args.Contains("--widened");
        var ratios = new List<string>();
        foreach (var q in quants)
        {
            string path = q switch { "F16" => f16, "Q8_0" => q80, _ => q4 };
            double mine;
            if (q == "F16")
            {
                using var ckpt = SafetensorsCheckpoint.Open(dir);
                var config = HuggingFaceConfig.Load(dir).Decoder!;
                using var weights = new SafetensorsDecoderWeights(ckpt, config);
                var model = new LlamaModel(weights);
                mine = Best(reps, () => model.Forward(sequences, withAttention: false));
                Console.WriteLine($"  native F16 (safetensors → float32 per layer):   {total / mine,8:F1} tokens/s  ({mine:F2} s)");
            }
            else
            {
                using var gguf = GgufDecoderWeights.Open(path);
                var model = new LlamaModel(gguf);
                if (!model.UsesInt8) throw new InvalidOperationException($"the integer path is not available for the {q} file");
                string kernel = model.IntegerKind == IntegerProductKind.Q8_0 ? Q8Gemm.KernelDescription : KQuantGemm.KernelDescription;
                mine = Best(reps, () => model.Forward(sequences, withAttention: false));
                Console.WriteLine($"  native {q} GGUF, integer path ({kernel}): {total / mine,8:F1} tokens/s  ({mine:F2} s)");
                if (widened)
                {
                    var wide = new LlamaModel(gguf) { IntegerProducts = false };
                    double t = Best(reps, () => wide.Forward(sequences, withAttention: false));
                    Console.WriteLine($"  native {q} GGUF, widened to float32:  {total / t,8:F1} tokens/s  ({t:F2} s)");
                }
            }
            double llama = LlamaCpp(path, sequences, threads, reps);
            Console.WriteLine($"  llama.cpp {q}: {total / llama,8:F1} tokens/s  ({llama:F2} s)   load now: {File.ReadAllText("/proc/loadavg").Trim()}");
            ratios.Add($"ratio {q} {llama / mine:F3}");
            if (args.Contains("--values") && q != "F16") CompareValues(path, sequences.Take(4).ToList(), threads);
        }
        foreach (var r in ratios) Console.WriteLine(r);
        return 0;
    }

    /// <summary>
    /// The final hidden states (after the last norm) of a few sequences by the integer path and by llama.cpp
    /// (LLamaSharp embeddings, no pooling), each against the widened float32 pass on the same dequantized weights.
    /// </summary>
    private static void CompareValues(string path, List<int[]> sequences, int threads)
    {
        using var gguf = GgufDecoderWeights.Open(path);
        var exact = new LlamaModel(gguf) { IntegerProducts = false }.Forward(sequences, withAttention: false);
        var integer = new LlamaModel(gguf).Forward(sequences, withAttention: false);
        var p = new ModelParams(path)
        {
            ContextSize = (uint)(sequences.Count * Tokens * 2), BatchSize = (uint)(sequences.Count * Tokens), UBatchSize = 512,
            SeqMax = (uint)sequences.Count, Threads = threads, BatchThreads = threads, GpuLayerCount = 0,
            Embeddings = true, PoolingType = LLamaPoolingType.None,
        };
        using var weights = LLamaWeights.LoadFromFile(p);
        using var ctx = weights.CreateContext(p);
        var batch = new LLamaBatch();
        for (int s = 0; s < sequences.Count; s++)
            for (int t = 0; t < Tokens; t++) batch.Add(sequences[s][t], t, (LLamaSeqId)s, true);
        if (ctx.NativeHandle.Decode(batch) != DecodeResult.Ok) throw new InvalidOperationException("llama.cpp decode failed");
        double refMax = 0, dInt = 0, dLlama = 0, sInt = 0, sLlama = 0, sRef = 0, dBoth = 0, sBoth = 0;
        int i = 0;
        for (int s = 0; s < sequences.Count; s++)
        {
            var f = exact[s].Hidden[^1];
            var g = integer[s].Hidden[^1];
            int d = f.Length / Tokens;
            for (int t = 0; t < Tokens; t++, i++)
            {
                var e = ctx.NativeHandle.GetEmbeddingsIth(i);
                for (int j = 0; j < d; j++)
                {
                    double r = f[t * d + j], a = g[t * d + j] - r, b = e[j] - r;
                    refMax = Math.Max(refMax, Math.Abs(r));
                    dInt = Math.Max(dInt, Math.Abs(a)); dLlama = Math.Max(dLlama, Math.Abs(b));
                    sInt += a * a; sLlama += b * b; sRef += r * r;
                    dBoth = Math.Max(dBoth, Math.Abs(a - b)); sBoth += (a - b) * (a - b);
                }
            }
        }
        Console.WriteLine($"  values, final hidden states of {sequences.Count}×{Tokens} tokens against the widened float32 pass: "
            + $"integer path max {dInt / refMax:E2} / rms {Math.Sqrt(sInt / sRef):E2}, llama.cpp max {dLlama / refMax:E2} / rms {Math.Sqrt(sLlama / sRef):E2}; integer path against llama.cpp max {dBoth / refMax:E2} / rms {Math.Sqrt(sBoth / sRef):E2} (relative to max |h| and rms h)");
    }

    /// <summary>One gate|up-shaped product, [1024 × 2048] · [16384 × 2048]ᵀ: float32 GEMM against the int8 Q8_0 kernel.</summary>
    private static void KernelComparison(int threads)
    {
        const int n = Sequences * Tokens, m = 2 * Intermediate, k = Hidden;
        var rng = new XorShift(99);
        var x = new float[n * k];
        for (int i = 0; i < x.Length; i++) x[i] = rng.NextSigned();
        var wf = new float[(long)m * k];
        for (long i = 0; i < wf.Length; i++) wf[i] = 0.035f * rng.NextSigned();
        var blocks = new byte[Q8Matrix.BlockBytesOf(m, k)];
        for (int b = 0; b < blocks.Length / 34; b++)
        {
            BinaryPrimitives.WriteHalfLittleEndian(blocks.AsSpan(b * 34), (Half)(0.035f / 127));
            for (int i = 0; i < 32; i++) blocks[b * 34 + 2 + i] = (byte)(sbyte)(wf[b * 32L + i] / 0.035f * 127);
        }
        var wq = new Q8Matrix(m, k);
        wq.SetRows(0, m, blocks);
        var y = new float[(long)n * m];
        var a = new Q8Activations();
        double flops = 2.0 * n * m * k;
        double tf = Best(3, () => { Gemm.Multiply(x, wf, y, n, m, k, transposeB: true); return 0; });
        double tq = Best(3, () => { a.Quantize(x, n, k); Q8Gemm.Multiply(a, wq, y, m); return 0; });
        Console.WriteLine($"  kernel, [{n}×{k}]·[{m}×{k}]ᵀ on {threads} threads: float32 GEMM {flops / tf / 1e9:F1} GFLOP/s, int8 Q8_0 {flops / tq / 1e9:F1} GFLOP/s (incl. quantising X)");
        var q4 = KQuantize.Q4_K(wf);
        var wk = new KQuantMatrix(m, k);
        var ak = new Q8KActivations();
        double tUnpack = Best(3, () => { wk.SetRows(KQuantType.Q4_K, 0, m, q4); return 0; });
        double tQuant = Best(3, () => { ak.Quantize(x, n, k); return 0; });
        double tMul = Best(3, () => { KQuantGemm.Multiply(ak, wk, y, m); return 0; });
        Console.WriteLine($"  kernel, same shape, Q4_K × Q8_K: {flops / tMul / 1e9:F1} GFLOP/s products only; quantising X {tQuant * 1e3:F0} ms, unpacking W {tUnpack * 1e3:F0} ms, products {tMul * 1e3:F0} ms");
    }

    private static double LlamaCpp(string path, List<int[]> sequences, int threads, int reps)
    {
        var p = new ModelParams(path)
        {
            ContextSize = (uint)(Sequences * Tokens * 2),
            BatchSize = (uint)(Sequences * Tokens),
            UBatchSize = 512,
            SeqMax = (uint)Sequences,
            Threads = threads,
            BatchThreads = threads,
            GpuLayerCount = 0,
        };
        using var weights = LLamaWeights.LoadFromFile(p);
        using var ctx = weights.CreateContext(p);
        return Best(reps, () =>
        {
            ctx.NativeHandle.MemoryClear(true);
            var batch = new LLamaBatch();
            for (int s = 0; s < sequences.Count; s++)
                for (int t = 0; t < Tokens; t++)
                    batch.Add(sequences[s][t], t, (LLamaSeqId)s, t == Tokens - 1);
            var result = ctx.NativeHandle.Decode(batch);
            if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode: {result}");
            return result;
        });
    }

    // ---------------------------------------------------------------- the random model, written twice

    private sealed record Tensor(string HfName, string GgufName, long[] Shape, bool Norm, bool PermuteHeads = false, int PermuteCount = 0)
    {
        public long Count => Shape.Aggregate(1L, (a, b) => a * b);
    }

    private static List<Tensor> Layout(int layers, int vocab)
    {
        var list = new List<Tensor> { new("model.embed_tokens.weight", "token_embd.weight", [vocab, Hidden], false) };
        for (int l = 0; l < layers; l++)
        {
            string h = $"model.layers.{l}.", g = $"blk.{l}.";
            list.Add(new(h + "input_layernorm.weight", g + "attn_norm.weight", [Hidden], true));
            list.Add(new(h + "self_attn.q_proj.weight", g + "attn_q.weight", [Heads * HeadDim, Hidden], false, true, Heads));
            list.Add(new(h + "self_attn.k_proj.weight", g + "attn_k.weight", [KvHeads * HeadDim, Hidden], false, true, KvHeads));
            list.Add(new(h + "self_attn.v_proj.weight", g + "attn_v.weight", [KvHeads * HeadDim, Hidden], false));
            list.Add(new(h + "self_attn.o_proj.weight", g + "attn_output.weight", [Hidden, Heads * HeadDim], false));
            list.Add(new(h + "post_attention_layernorm.weight", g + "ffn_norm.weight", [Hidden], true));
            list.Add(new(h + "mlp.gate_proj.weight", g + "ffn_gate.weight", [Intermediate, Hidden], false));
            list.Add(new(h + "mlp.up_proj.weight", g + "ffn_up.weight", [Intermediate, Hidden], false));
            list.Add(new(h + "mlp.down_proj.weight", g + "ffn_down.weight", [Hidden, Intermediate], false));
        }
        list.Add(new("model.norm.weight", "output_norm.weight", [Hidden], true));
        return list;
    }

    private static string ConfigJson(int layers, int vocab) =>
        $$"""{"architectures":["LlamaForCausalLM"],"model_type":"llama","hidden_size":{{Hidden}},"num_hidden_layers":{{layers}},"num_attention_heads":{{Heads}},"num_key_value_heads":{{KvHeads}},"head_dim":{{HeadDim}},"intermediate_size":{{Intermediate}},"vocab_size":{{vocab}},"rms_norm_eps":1e-05,"rope_theta":500000.0,"max_position_embeddings":2048,"tie_word_embeddings":true,"hidden_act":"silu"}""";

    /// <summary>Safetensors (F16, HF layout; norms F32) and GGUF v3 (F16 or Q8_0 matrices, F32 norms; q/k rows permuted as
    /// llama.cpp's converter does), the same random values in all.</summary>
    private static void WriteFiles(List<Tensor> tensors, int layers, int vocab, string? stPath, string? f16Path, string? q8Path, string? q4Path)
    {
        // safetensors header
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var t in tensors)
        {
            long bytes = t.Count * (t.Norm ? 4 : 2);
            header[t.HfName] = new Dictionary<string, object> { ["dtype"] = t.Norm ? "F32" : "F16", ["shape"] = t.Shape, ["data_offsets"] = new[] { offset, offset + bytes } };
            offset += bytes;
        }
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(header);
        int padded = (json.Length + 7) / 8 * 8;
        using var st = stPath is null ? null : new BufferedStream(File.Create(stPath), 1 << 22);
        if (st is not null)
        {
            Span<byte> u64 = stackalloc byte[8];
            BinaryPrimitives.WriteUInt64LittleEndian(u64, (ulong)padded);
            st.Write(u64);
            st.Write(json);
            for (int i = json.Length; i < padded; i++) st.WriteByte((byte)' ');
        }

        using var g16 = f16Path is null ? null : new BufferedStream(File.Create(f16Path), 1 << 22);
        using var g8 = q8Path is null ? null : new BufferedStream(File.Create(q8Path), 1 << 22);
        using var g4 = q4Path is null ? null : new BufferedStream(File.Create(q4Path), 1 << 22);
        if (g16 is not null) WriteGgufHeader(g16, tensors, layers, vocab, FileType.F16);
        if (g8 is not null) WriteGgufHeader(g8, tensors, layers, vocab, FileType.Q8_0);
        if (g4 is not null) WriteGgufHeader(g4, tensors, layers, vocab, FileType.Q4_K_M);

        var rng = new XorShift(12345);
        foreach (var t in tensors)
        {
            int rows = (int)t.Shape[0], cols = t.Shape.Length > 1 ? (int)t.Shape[1] : 1;
            var values = new float[rows * (long)cols];
            if (t.Norm) for (long i = 0; i < values.Length; i++) values[i] = 1f + 0.05f * rng.NextSigned();
            else for (long i = 0; i < values.Length; i++) values[i] = (float)(Half)(0.035f * rng.NextSigned());   // ≈ N(0, 0.02) spread
            var bytes = new byte[values.Length * (t.Norm ? 4 : 2)];
            if (t.Norm) Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
            else for (long i = 0; i < values.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(bytes.AsSpan((int)(2 * i)), (Half)values[i]);
            st?.Write(bytes);

            // GGUF: q/k rows permuted per head (row 2i+j of the file = HF row j·hd/2 + i)
            var g = values;
            if (t.PermuteHeads)
            {
                g = new float[values.Length];
                int hd = rows / t.PermuteCount, half = hd / 2;
                for (int h = 0; h < t.PermuteCount; h++)
                    for (int i = 0; i < half; i++)
                        for (int j = 0; j < 2; j++)
                            Array.Copy(values, (long)(h * hd + j * half + i) * cols, g, (long)(h * hd + 2 * i + j) * cols, cols);
            }
            if (g16 is not null) WriteGgufData(g16, g, TypeOf(t, FileType.F16, layers));
            if (g8 is not null) WriteGgufData(g8, g, TypeOf(t, FileType.Q8_0, layers));
            if (g4 is not null) WriteGgufData(g4, g, TypeOf(t, FileType.Q4_K_M, layers));
        }
    }

    private const int Alignment = 32;

    private enum FileType { F16 = 1, Q8_0 = 7, Q4_K_M = 15 }   // general.file_type (llama_ftype)

    /// <summary>
    /// The ggml type of a tensor in each file: norms F32; F16 and Q8_0 files all matrices in that type; Q4_K_M as
    /// llama-quantize chooses (llama-quant.cpp): Q4_K, except Q6_K for the token embeddings when the output matrix is
    /// tied to them (as here), and for attn_v and ffn_down of the layers where use_more_bits(i, n) holds:
    /// i &lt; n/8, i ≥ 7n/8, or (i − n/8) % 3 = 2.
    /// </summary>
    private static uint TypeOf(Tensor t, FileType file, int layers)
    {
        if (t.Norm) return 0;
        if (file == FileType.F16) return 1;
        if (file == FileType.Q8_0) return 8;
        bool MoreBits(int i) => i < layers / 8 || i >= 7 * layers / 8 || (i - layers / 8) % 3 == 2;
        if (t.GgufName == "token_embd.weight") return 14;
        var parts = t.GgufName.Split('.');
        if (parts[0] == "blk" && (parts[2] == "attn_v" || parts[2] == "ffn_down") && MoreBits(int.Parse(parts[1]))) return 14;
        return 12;
    }

    private static long GgufBytes(Tensor t, uint type) => type switch
    {
        0 => t.Count * 4, 1 => t.Count * 2, 8 => t.Count / 32 * 34, 12 => t.Count / 256 * 144, _ => t.Count / 256 * 210,
    };

    private static void WriteGgufHeader(Stream s, List<Tensor> tensors, int layers, int vocab, FileType file)
    {
        var w = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        void Str(string v) { var b = Encoding.UTF8.GetBytes(v); w.Write((ulong)b.Length); w.Write(b); }
        var kv = new List<Action>();
        void KvU32(string k, uint v) => kv.Add(() => { Str(k); w.Write(4u); w.Write(v); });
        void KvF32(string k, float v) => kv.Add(() => { Str(k); w.Write(6u); w.Write(v); });
        void KvStr(string k, string v) => kv.Add(() => { Str(k); w.Write(8u); Str(v); });
        void KvArr<T>(string k, uint type, IReadOnlyList<T> items, Action<T> write) =>
            kv.Add(() => { Str(k); w.Write(9u); w.Write(type); w.Write((ulong)items.Count); foreach (var x in items) write(x); });
        KvStr("general.architecture", "llama");
        KvStr("general.name", "simile-bench-random");
        KvU32("general.file_type", (uint)file);
        KvU32("llama.context_length", 2048);
        KvU32("llama.embedding_length", Hidden);
        KvU32("llama.block_count", (uint)layers);
        KvU32("llama.feed_forward_length", Intermediate);
        KvU32("llama.rope.dimension_count", HeadDim);
        KvU32("llama.attention.head_count", Heads);
        KvU32("llama.attention.head_count_kv", KvHeads);
        KvF32("llama.attention.layer_norm_rms_epsilon", 1e-5f);
        KvF32("llama.rope.freq_base", 500000f);
        KvU32("llama.vocab_size", (uint)vocab);
        // A SentencePiece-style vocabulary: <unk> <s> </s>, the 256 byte pieces, then filler pieces.
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        for (int b = 0; b < 256; b++) tokens.Add($"<0x{b:X2}>");
        while (tokens.Count < vocab) tokens.Add($"▁t{tokens.Count}");
        var types = tokens.Select((_, i) => i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : 1).ToList();
        KvStr("tokenizer.ggml.model", "llama");
        KvArr("tokenizer.ggml.tokens", 8u, tokens, Str);
        KvArr("tokenizer.ggml.scores", 6u, tokens.Select((_, i) => -(float)i).ToList(), x => w.Write(x));
        KvArr("tokenizer.ggml.token_type", 5u, types, x => w.Write(x));
        KvU32("tokenizer.ggml.bos_token_id", 1);
        KvU32("tokenizer.ggml.eos_token_id", 2);
        KvU32("tokenizer.ggml.unknown_token_id", 0);

        w.Write(Encoding.ASCII.GetBytes("GGUF"));
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        w.Write((ulong)kv.Count);
        foreach (var a in kv) a();
        long offset = 0;
        foreach (var t in tensors)
        {
            Str(t.GgufName);
            w.Write((uint)t.Shape.Length);
            for (int d = t.Shape.Length - 1; d >= 0; d--) w.Write((ulong)t.Shape[d]);   // ggml ne[]: reversed numpy shape
            uint type = TypeOf(t, file, layers);
            w.Write(type);
            w.Write((ulong)offset);
            offset += (GgufBytes(t, type) + Alignment - 1) / Alignment * Alignment;
        }
        w.Flush();
        long pad = (Alignment - s.Position % Alignment) % Alignment;
        for (int i = 0; i < pad; i++) s.WriteByte(0);
    }

    /// <summary>One tensor's data: F32 (type 0), F16 (1), Q8_0 (8: blocks of 32, a half scale d = max|x|/127 and
    /// round(x/d) as signed bytes, as ggml's quantize_row_q8_0_ref), Q4_K (12) or Q6_K (14) (<see cref="KQuantize"/>,
    /// rows quantised in parallel), padded to the alignment.</summary>
    private static void WriteGgufData(Stream s, float[] v, uint type)
    {
        long written;
        if (type is 12 or 14)
        {
            int bb = type == 12 ? 144 : 210;
            long blocks = v.Length / 256;
            var b = new byte[blocks * bb];
            const int perTask = 256;
            Parallel.For(0, (int)((blocks + perTask - 1) / perTask), c =>
            {
                long b0 = (long)c * perTask, b1 = Math.Min(blocks, b0 + perTask);
                var src = v.AsSpan((int)(b0 * 256), (int)((b1 - b0) * 256));
                var q = type == 12 ? KQuantize.Q4_K(src) : KQuantize.Q6_K(src);
                q.CopyTo(b.AsSpan((int)(b0 * bb)));
            });
            s.Write(b);
            written = b.Length;
            long pad4 = (Alignment - written % Alignment) % Alignment;
            for (int i = 0; i < pad4; i++) s.WriteByte(0);
            return;
        }
        if (type == 0)
        {
            var b = new byte[v.Length * 4];
            Buffer.BlockCopy(v, 0, b, 0, b.Length);
            s.Write(b);
            written = b.Length;
        }
        else if (type == 1)
        {
            var b = new byte[v.Length * 2];
            for (int i = 0; i < v.Length; i++) BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(2 * i), (Half)v[i]);
            s.Write(b);
            written = b.Length;
        }
        else
        {
            var b = new byte[v.Length / 32 * 34];
            for (int blk = 0; blk < v.Length / 32; blk++)
            {
                float amax = 0;
                for (int j = 0; j < 32; j++) amax = Math.Max(amax, Math.Abs(v[blk * 32 + j]));
                float d = amax / 127f, id = d != 0 ? 1f / d : 0f;
                BinaryPrimitives.WriteHalfLittleEndian(b.AsSpan(blk * 34), (Half)d);
                for (int j = 0; j < 32; j++) b[blk * 34 + 2 + j] = (byte)(sbyte)MathF.Round(v[blk * 32 + j] * id);
            }
            s.Write(b);
            written = b.Length;
        }
        long pad = (Alignment - written % Alignment) % Alignment;
        for (int i = 0; i < pad; i++) s.WriteByte(0);
    }

    private sealed class XorShift(ulong state)
    {
        /// <summary>Uniform in [−1, 1).</summary>
        public float NextSigned()
        {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            return (float)((state >> 40) * (1.0 / (1UL << 24))) * 2f - 1f;
        }
    }
}
