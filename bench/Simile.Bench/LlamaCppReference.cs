using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Simile.Bench;

/// <summary>
/// <c>llamacpp-reference OUT-DIR</c>: writes the tiny decoder checkpoints of tests/reference/modern (Gemma 2, Gemma 3,
/// Phi-3, OLMo 2: random weights from a fixed seed, Hugging Face folder with config.json + F32 model.safetensors, and the
/// GGUF copy in the layout of llama.cpp's convert_hf_to_gguf.py), runs llama.cpp (LLamaSharp 0.30.0, CPU backend) on each
/// GGUF file and records, through the graph's eval callback, every block output (<c>l_out-l</c>), the scaled embeddings of
/// Gemma (<c>inp_scaled</c>) and the final norm (<c>result_norm</c>) for three token sequences: the llama.cpp side of the
/// tests' GGUF checks. The settings are chosen so that Hugging Face and llama.cpp compute the same function
/// (query_pre_attn_scalar = head_dim, Gemma 3's pattern 6 and local base 10000, Phi-3's window longer than the texts).
/// </summary>
public static class LlamaCppReference
{
    public sealed record Spec(string Family, string Arch, string HfArchitecture, int D, int L, int H, int KV, int Hd, int I, int V,
        double Eps, double Theta, int Seed)
    {
        public bool Gemma => Arch is "gemma2" or "gemma3";
        public double SoftCap { get; init; }
        public int Window { get; init; }
        public double LinearFactor { get; init; }
        public double PartialRotary { get; init; } = 1;
        public double[]? ShortFactors { get; init; }     // LongRoPE (Phi-3.5, Phi-4-mini)
        public int MaxPositions { get; init; } = 128;
        public int OriginalMax { get; init; } = 128;     // original_max_position_embeddings / rope.scaling.original_context_length
        public double AttentionFactor => MaxPositions > OriginalMax ? Math.Sqrt(1 + Math.Log((double)MaxPositions / OriginalMax) / Math.Log(OriginalMax)) : 1;
    }

    public static readonly Spec[] Specs =
    [
        new("gemma2", "gemma2", "Gemma2ForCausalLM", 32, 4, 4, 2, 8, 64, 300, 1e-6, 10000, 21) { SoftCap = 2.0, Window = 3 },
        new("gemma3", "gemma3", "Gemma3ForCausalLM", 32, 6, 4, 2, 8, 64, 300, 1e-6, 1e6, 22) { Window = 3, LinearFactor = 8 },
        new("phi3", "phi3", "Phi3ForCausalLM", 32, 3, 4, 2, 8, 64, 300, 1e-5, 10000, 23) { PartialRotary = 0.5, Window = 2047 },
        new("olmo2", "olmo2", "Olmo2ForCausalLM", 32, 3, 4, 2, 8, 64, 300, 1e-6, 500000, 24),
        // Phi-3.5 / Phi-4-mini style LongRoPE: max_position_embeddings 2048 over an original 512 (factor 4). llama.cpp picks
        // the short or long factors by its context size (padded to 256 here), not by the text: with a context within the
        // original 512 it uses the short factors, as HF does for texts within the original context.
        new("phi3-longrope", "phi3", "Phi3ForCausalLM", 32, 3, 4, 2, 8, 64, 300, 1e-5, 10000, 25)
            { PartialRotary = 0.5, Window = 2047, ShortFactors = [1.0, 2.5], MaxPositions = 2048, OriginalMax = 512 },
    ];

    public static readonly int[][] Sequences = [[1, 5, 9, 3, 22, 7, 30], [2, 17], [4, 4, 39, 0, 12, 250, 7, 7, 101]];

    public static int Run(string[] args)
    {
        string outDir = args.Length > 0 ? args[0] : Path.Combine("tests", "reference", "modern");
        var results = new Dictionary<string, object>();
        foreach (var s in Specs)
        {
            var tensors = Weights(s);
            string hfDir = Path.Combine(outDir, s.Family + "-tiny");
            Directory.CreateDirectory(hfDir);
            WriteSafetensors(Path.Combine(hfDir, "model.safetensors"), tensors);
            File.WriteAllText(Path.Combine(hfDir, "config.json"), ConfigJson(s));
            // The tokenizer of llama-tiny (287 byte-level BPE tokens, within the 300-row vocabulary), so that the folders
            // open in every verb.
            foreach (string name in new[] { "tokenizer.json", "tokenizer_config.json" })
                if (File.Exists(Path.Combine(outDir, "llama-tiny", name)))
                    File.Copy(Path.Combine(outDir, "llama-tiny", name), Path.Combine(hfDir, name), overwrite: true);
            string ggufDir = Path.Combine(outDir, s.Family + "-tiny-gguf");
            Directory.CreateDirectory(ggufDir);
            string gguf = Path.Combine(ggufDir, s.Family + "-tiny-F32.gguf");
            WriteGguf(gguf, s, tensors);
            Console.WriteLine($"{s.Family}: wrote {hfDir} and {gguf}");
            results[s.Family] = new Dictionary<string, object>
            {
                ["gguf"] = Path.GetFileName(gguf),
                ["sequences"] = Sequences.Select(ids => RunLlamaCpp(gguf, s, ids)).ToList(),
            };
        }
        var doc = new Dictionary<string, object>
        {
            ["description"] = "llama.cpp (LLamaSharp 0.30.0, LLamaSharp.Backend.Cpu, float32 CPU, F32 KV cache, flash attention off, 1 thread) hidden states of the tiny GGUF files, " +
                "read through the graph's eval callback: '0' = inp_scaled (Gemma) or the embedding rows, 'l' = l_out-(l-1), 'final' = the context's embeddings (pooling none: result_norm). " +
                "Written by bench/Simile.Bench llamacpp-reference (see tests/reference/modern/README.md).",
            ["families"] = results,
        };
        string json = Path.Combine(outDir, "decoders-tiny-llamacpp.json");
        File.WriteAllText(json, JsonSerializer.Serialize(doc, new JsonSerializerOptions { WriteIndented = false }));
        Console.WriteLine($"wrote {json}");
        return 0;
    }

    // ------------------------------------------------------------------ weights (HF names, numpy shapes)

    public static List<(string Name, int[] Shape, float[] Values)> Weights(Spec s)
    {
        var rng = new Random(s.Seed);
        var list = new List<(string, int[], float[])>();
        void Add(string name, double scale, double center, params int[] shape)
        {
            var v = new float[shape.Aggregate(1, (a, b) => a * b)];
            for (int i = 0; i < v.Length; i++)
                v[i] = (float)(center + scale * Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble()));
            list.Add((name, shape, v));
        }
        int q = s.H * s.Hd, kv = s.KV * s.Hd;
        double nc = s.Gemma ? 0 : 1;
        bool olmo = s.Arch == "olmo2", phi = s.Arch == "phi3";
        Add("model.embed_tokens.weight", s.Gemma ? 0.2 : 1.0, 0, s.V, s.D);
        for (int l = 0; l < s.L; l++)
        {
            string p = $"model.layers.{l}.";
            if (!olmo) Add(p + "input_layernorm.weight", 0.1, nc, s.D);
            if (phi) Add(p + "self_attn.qkv_proj.weight", 0.3, 0, q + 2 * kv, s.D);
            else
            {
                Add(p + "self_attn.q_proj.weight", 0.3, 0, q, s.D);
                Add(p + "self_attn.k_proj.weight", 0.3, 0, kv, s.D);
                Add(p + "self_attn.v_proj.weight", 0.3, 0, kv, s.D);
            }
            if (s.Arch == "gemma3") { Add(p + "self_attn.q_norm.weight", 0.1, 0, s.Hd); Add(p + "self_attn.k_norm.weight", 0.1, 0, s.Hd); }
            if (olmo) { Add(p + "self_attn.q_norm.weight", 0.1, 1, q); Add(p + "self_attn.k_norm.weight", 0.1, 1, kv); }
            Add(p + "self_attn.o_proj.weight", 0.2, 0, s.D, q);
            Add(p + "post_attention_layernorm.weight", 0.1, nc, s.D);
            if (s.Gemma) Add(p + "pre_feedforward_layernorm.weight", 0.1, nc, s.D);
            if (s.Gemma || olmo) Add(p + "post_feedforward_layernorm.weight", 0.1, nc, s.D);
            if (phi) Add(p + "mlp.gate_up_proj.weight", 0.2, 0, 2 * s.I, s.D);
            else { Add(p + "mlp.gate_proj.weight", 0.2, 0, s.I, s.D); Add(p + "mlp.up_proj.weight", 0.2, 0, s.I, s.D); }
            Add(p + "mlp.down_proj.weight", 0.2, 0, s.D, s.I);
        }
        Add("model.norm.weight", 0.1, nc, s.D);
        if (!s.Gemma) Add("lm_head.weight", 0.2, 0, s.V, s.D);
        return list;
    }

    private static string ConfigJson(Spec s)
    {
        var c = new Dictionary<string, object?>
        {
            ["architectures"] = new[] { s.HfArchitecture },
            ["model_type"] = s.Arch == "gemma3" ? "gemma3_text" : s.Arch,
            ["hidden_size"] = s.D, ["num_hidden_layers"] = s.L, ["num_attention_heads"] = s.H, ["num_key_value_heads"] = s.KV,
            ["head_dim"] = s.Hd, ["intermediate_size"] = s.I, ["vocab_size"] = s.V, ["rms_norm_eps"] = s.Eps, ["rope_theta"] = s.Theta,
            ["max_position_embeddings"] = s.MaxPositions, ["tie_word_embeddings"] = s.Gemma, ["torch_dtype"] = "float32",
        };
        if (s.Gemma)
        {
            c["hidden_activation"] = "gelu_pytorch_tanh";
            c["query_pre_attn_scalar"] = s.Hd;
            c["sliding_window"] = s.Window;
            c["attn_logit_softcapping"] = s.SoftCap > 0 ? s.SoftCap : null;
            c["final_logit_softcapping"] = s.Arch == "gemma2" ? 30.0 : null;
        }
        else c["hidden_act"] = "silu";
        if (s.Arch == "gemma3")
        {
            c["sliding_window_pattern"] = 6;
            c["rope_local_base_freq"] = 10000.0;
            c["rope_scaling"] = new Dictionary<string, object> { ["rope_type"] = "linear", ["factor"] = s.LinearFactor };
        }
        if (s.Arch == "phi3")
        {
            c["partial_rotary_factor"] = s.PartialRotary;
            c["sliding_window"] = s.Window;
            c["original_max_position_embeddings"] = s.OriginalMax;
            c["rope_scaling"] = s.ShortFactors is null ? null : new Dictionary<string, object>
            {
                ["type"] = "longrope", ["short_factor"] = s.ShortFactors, ["long_factor"] = s.ShortFactors.Select(v => 3 * v).ToArray(),
            };
        }
        if (s.Arch == "olmo2") c["attention_bias"] = false;
        return JsonSerializer.Serialize(c, new JsonSerializerOptions { WriteIndented = true });
    }

    private static void WriteSafetensors(string path, List<(string Name, int[] Shape, float[] Values)> tensors)
    {
        var header = new Dictionary<string, object>();
        long offset = 0;
        foreach (var (name, shape, values) in tensors)
        {
            header[name] = new Dictionary<string, object> { ["dtype"] = "F32", ["shape"] = shape, ["data_offsets"] = new[] { offset, offset + 4L * values.Length } };
            offset += 4L * values.Length;
        }
        var h = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        int pad = (8 - h.Length % 8) % 8;
        using var f = File.Create(path);
        var w = new BinaryWriter(f);
        w.Write((ulong)(h.Length + pad));
        w.Write(h);
        for (int i = 0; i < pad; i++) w.Write((byte)' ');
        foreach (var (_, _, values) in tensors) foreach (float v in values) w.Write(v);
    }

    // ------------------------------------------------------------------ GGUF as convert_hf_to_gguf.py writes it

    private static string GgufName(string hf, string arch)
    {
        if (hf == "model.embed_tokens.weight") return "token_embd.weight";
        if (hf == "model.norm.weight") return "output_norm.weight";
        if (hf == "lm_head.weight") return "output.weight";
        var parts = hf.Split('.');
        string module = string.Join('.', parts[3..^1]);
        string name = module switch
        {
            "input_layernorm" => "attn_norm",
            "self_attn.q_proj" => "attn_q",
            "self_attn.k_proj" => "attn_k",
            "self_attn.v_proj" => "attn_v",
            "self_attn.qkv_proj" => "attn_qkv",
            "self_attn.o_proj" => "attn_output",
            "self_attn.q_norm" => "attn_q_norm",
            "self_attn.k_norm" => "attn_k_norm",
            "post_attention_layernorm" => arch == "phi3" ? "ffn_norm" : "post_attention_norm",
            "pre_feedforward_layernorm" => "ffn_norm",
            "post_feedforward_layernorm" => "post_ffw_norm",
            "mlp.gate_proj" => "ffn_gate",
            "mlp.up_proj" or "mlp.gate_up_proj" => "ffn_up",
            "mlp.down_proj" => "ffn_down",
            _ => throw new ArgumentException(hf),
        };
        return $"blk.{parts[2]}.{name}.weight";
    }

    private static void WriteGguf(string path, Spec s, List<(string Name, int[] Shape, float[] Values)> tensors)
    {
        const int Alignment = 32;
        using var f = File.Create(path);
        var w = new BinaryWriter(f, Encoding.UTF8);
        void Str(string v) { var b = Encoding.UTF8.GetBytes(v); w.Write((ulong)b.Length); w.Write(b); }
        var kv = new List<Action>();
        void U32(string k, uint v) => kv.Add(() => { Str(k); w.Write(4u); w.Write(v); });
        void F32(string k, float v) => kv.Add(() => { Str(k); w.Write(6u); w.Write(v); });
        void S(string k, string v) => kv.Add(() => { Str(k); w.Write(8u); Str(v); });
        void Arr<T>(string k, uint type, IReadOnlyList<T> items, Action<T> write) =>
            kv.Add(() => { Str(k); w.Write(9u); w.Write(type); w.Write((ulong)items.Count); foreach (var x in items) write(x); });
        string a = s.Arch;
        S("general.architecture", a);
        S("general.name", s.Family + "-tiny");
        U32("general.file_type", 0);
        U32($"{a}.context_length", (uint)s.MaxPositions);
        U32($"{a}.embedding_length", (uint)s.D);
        U32($"{a}.block_count", (uint)s.L);
        U32($"{a}.feed_forward_length", (uint)s.I);
        U32($"{a}.attention.head_count", (uint)s.H);
        U32($"{a}.attention.head_count_kv", (uint)s.KV);
        F32($"{a}.attention.layer_norm_rms_epsilon", (float)s.Eps);
        U32($"{a}.attention.key_length", (uint)s.Hd);
        U32($"{a}.attention.value_length", (uint)s.Hd);
        if (a != "gemma2") F32($"{a}.rope.freq_base", (float)s.Theta);
        if (s.Gemma) U32($"{a}.attention.sliding_window", (uint)s.Window);
        if (a == "gemma2") { F32($"{a}.attn_logit_softcapping", (float)s.SoftCap); F32($"{a}.final_logit_softcapping", 30f); }
        if (s.LinearFactor > 0) { S($"{a}.rope.scaling.type", "linear"); F32($"{a}.rope.scaling.factor", (float)s.LinearFactor); }
        if (a == "phi3")
        {
            U32($"{a}.rope.dimension_count", (uint)(s.Hd * s.PartialRotary));
            U32($"{a}.attention.sliding_window", (uint)s.Window);
            if (s.ShortFactors is not null)
            {
                U32($"{a}.rope.scaling.original_context_length", (uint)s.OriginalMax);
                F32($"{a}.rope.scaling.attn_factor", (float)s.AttentionFactor);
            }
        }
        else U32($"{a}.rope.dimension_count", (uint)s.Hd);
        // A SentencePiece-style vocabulary: <unk> <s> </s>, 256 byte pieces, then filler pieces.
        var tokens = new List<string> { "<unk>", "<s>", "</s>" };
        for (int b = 0; b < 256 && tokens.Count < s.V; b++) tokens.Add($"<0x{b:X2}>");
        // llama.cpp's Phi-3 vocabulary looks these chat tokens up by name
        string[] chat = a == "phi3" ? ["<|endoftext|>", "<|end|>", "<|user|>", "<|assistant|>", "<|system|>"] : [];
        tokens.AddRange(chat);
        while (tokens.Count < s.V) tokens.Add($"▁t{tokens.Count}");
        var types = tokens.Select((_, i) => i == 0 ? 2 : i < 3 ? 3 : i < 259 ? 6 : i < 259 + chat.Length ? 3 : 1).ToList();
        S("tokenizer.ggml.model", "llama");
        Arr("tokenizer.ggml.tokens", 8u, tokens, Str);
        Arr("tokenizer.ggml.scores", 6u, tokens.Select((_, i) => -(float)i).ToList(), x => w.Write(x));
        Arr("tokenizer.ggml.token_type", 5u, types, x => w.Write(x));
        U32("tokenizer.ggml.bos_token_id", 1);
        U32("tokenizer.ggml.eos_token_id", 2);
        U32("tokenizer.ggml.unknown_token_id", 0);

        // Gemma norms are stored as 1 + w (convert_hf_to_gguf.py: name.endswith("norm.weight"): data_torch + 1)
        var data = tensors.Select(t => (Name: GgufName(t.Name, a), t.Shape,
            Values: s.Gemma && t.Name.EndsWith("norm.weight", StringComparison.Ordinal) ? t.Values.Select(x => x + 1f).ToArray() : t.Values))
            .Where(t => t.Name != "output.weight" || !s.Gemma).ToList();
        if (s.ShortFactors is not null)
        {
            data.Add(("rope_factors_long.weight", [s.ShortFactors.Length], s.ShortFactors.Select(v => (float)(3 * v)).ToArray()));
            data.Add(("rope_factors_short.weight", [s.ShortFactors.Length], s.ShortFactors.Select(v => (float)v).ToArray()));
        }
        w.Write(Encoding.ASCII.GetBytes("GGUF"));
        w.Write(3u);
        w.Write((ulong)data.Count);
        w.Write((ulong)kv.Count);
        foreach (var k in kv) k();
        long offset = 0;
        foreach (var t in data)
        {
            Str(t.Name);
            w.Write((uint)t.Shape.Length);
            for (int d = t.Shape.Length - 1; d >= 0; d--) w.Write((ulong)t.Shape[d]);
            w.Write(0u);
            w.Write((ulong)offset);
            offset += (4L * t.Values.Length + Alignment - 1) / Alignment * Alignment;
        }
        w.Flush();
        void Pad() { long p = (Alignment - f.Position % Alignment) % Alignment; for (int i = 0; i < p; i++) f.WriteByte(0); }
        Pad();
        foreach (var t in data)
        {
            foreach (float v in t.Values) w.Write(v);
            w.Flush();
            Pad();
        }
    }

    // ------------------------------------------------------------------ llama.cpp with an eval callback

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    [return: MarshalAs(UnmanagedType.I1)]
    private delegate bool EvalCallback(IntPtr tensor, [MarshalAs(UnmanagedType.I1)] bool ask, IntPtr userData);

    private static IntPtr _ggmlBase;
    private static unsafe delegate* unmanaged[Cdecl]<IntPtr, IntPtr> _getName;
    private static unsafe delegate* unmanaged[Cdecl]<IntPtr, nuint> _nbytes;
    private static unsafe delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, nuint, void> _tensorGet;

    private static unsafe void BindGgml()
    {
        if (_ggmlBase != IntPtr.Zero) return;
        string? lib = File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(p => p.Length >= 6 && p[5].EndsWith("libggml-base.so", StringComparison.Ordinal)).Select(p => p[5]).FirstOrDefault();
        _ggmlBase = NativeLibrary.Load(lib ?? throw new InvalidOperationException("libggml-base.so is not loaded"));
        _getName = (delegate* unmanaged[Cdecl]<IntPtr, IntPtr>)NativeLibrary.GetExport(_ggmlBase, "ggml_get_name");
        _nbytes = (delegate* unmanaged[Cdecl]<IntPtr, nuint>)NativeLibrary.GetExport(_ggmlBase, "ggml_nbytes");
        _tensorGet = (delegate* unmanaged[Cdecl]<IntPtr, void*, nuint, nuint, void>)NativeLibrary.GetExport(_ggmlBase, "ggml_backend_tensor_get");
    }

    private static unsafe Dictionary<string, object> RunLlamaCpp(string gguf, Spec s, int[] ids)
    {
        var captured = new Dictionary<string, float[]>();
        bool Wanted(string n) => n.StartsWith("l_out-", StringComparison.Ordinal) || n is "result_norm" or "inp_scaled" or "inp_embd";
        EvalCallback cb = (t, ask, _) =>
        {
            string name = Marshal.PtrToStringUTF8(_getName(t)) ?? "";
            if (ask) return Wanted(name);
            if (!Wanted(name)) return true;
            int type = *(int*)t;
            if (type != 0) throw new InvalidOperationException($"{name} is ggml type {type}, not F32");
            long ne0 = *(long*)((byte*)t + 16), ne1 = *(long*)((byte*)t + 24);
            nuint bytes = _nbytes(t);
            if ((long)bytes != ne0 * ne1 * 4) throw new InvalidOperationException($"{name}: {bytes} bytes for [{ne0} × {ne1}]");
            var v = new float[ne0 * ne1];
            fixed (float* p = v) _tensorGet(t, p, 0, bytes);
            captured[name] = v;
            return true;
        };
        var mp = new ModelParams(gguf) { ContextSize = 128, BatchSize = 128, UBatchSize = 128, GpuLayerCount = 0, Threads = 1, BatchThreads = 1 };
        using var weights = LLamaWeights.LoadFromFile(mp);
        BindGgml();
        var cp = LLamaContextParams.Default();
        cp.n_ctx = 128;
        cp.n_batch = 128;
        cp.n_ubatch = 128;
        cp.n_seq_max = 1;
        cp.n_threads = 1;
        cp.n_threads_batch = 1;
        cp.embeddings = true;
        cp.llama_pooling_type = LLamaPoolingType.None;
        cp.cb_eval = Marshal.GetFunctionPointerForDelegate(cb);
        cp.type_k = GGMLType.GGML_TYPE_F32;                                            // the default F16 cache rounds k and v
        cp.type_v = GGMLType.GGML_TYPE_F32;
        cp.llama_flash_attn_type = LLamaFlashAttentionType.LLAMA_FLASH_ATTENTION_TYPE_DISABLED;
        using var ctx = SafeLLamaContextHandle.Create(weights.NativeHandle, cp);
        var batch = new LLamaBatch();
        for (int t = 0; t < ids.Length; t++) batch.Add(ids[t], t, (LLamaSeqId)0, true);
        var result = ctx.Decode(batch);
        if (result != DecodeResult.Ok) throw new InvalidOperationException($"llama.cpp decode: {result}");
        GC.KeepAlive(cb);
        var layers = new Dictionary<string, double[][]>();
        double[][] Rows(float[] v) => Enumerable.Range(0, ids.Length).Select(r => v.Skip(r * s.D).Take(s.D).Select(x => (double)x).ToArray()).ToArray();
        if (captured.TryGetValue(s.Gemma ? "inp_scaled" : "inp_embd", out var e)) layers["0"] = Rows(e);
        for (int l = 0; l < s.L; l++)
            layers[(l + 1).ToString(CultureInfo.InvariantCulture)] = Rows(captured[$"l_out-{l}"]);
        // The final norm is the context's embedding output (pooling none: result_norm, one row per token).
        var final = new float[ids.Length * s.D];
        for (int t = 0; t < ids.Length; t++) ctx.GetEmbeddingsIth((LLamaPos)t).CopyTo(final.AsSpan(t * s.D, s.D));
        layers["final"] = Rows(final);
        Console.WriteLine($"  {s.Family} [{string.Join(",", ids)}]: captured {string.Join(", ", captured.Keys.Order())}");
        return new Dictionary<string, object> { ["ids"] = ids, ["layers"] = layers };
    }
}
