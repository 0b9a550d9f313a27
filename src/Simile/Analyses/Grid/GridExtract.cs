using System.Text.Json;
using Simile.Analyses.Layers;
using Simile.Data;

namespace Simile.Analyses.Grid;

/// <summary>The extracted vectors of one model, as read back from the plan's store.</summary>
/// <param name="Values">[Labels.Count × Words × Dims] float32, row-major (the .npy data).</param>
public sealed record GridVectors(string Model, string Architecture, IReadOnlyList<string> Labels, int Words, int Dims, float[] Values)
{
    /// <summary>The words × dims matrix of representation <paramref name="layer"/>, as float64.</summary>
    public Matrix Layer(int layer) => Matrix.FromFloats(Words, Dims, Values.AsSpan(layer * Words * Dims, Words * Dims));
}

/// <summary>
/// Extraction task K of a plan: model K's word vectors at the plan's representations, through the existing
/// <see cref="WordVectorsExport"/> (<c>vectors/&lt;model&gt;.npy</c> + its JSON sidecar, both written atomically), then a
/// done stamp holding the plan hash. A task whose stamp matches the plan is already done (rerunning is a no-op);
/// a task killed mid-way has no stamp and leaves no half-written file, so it simply runs again.
/// </summary>
public static class GridExtract
{
    /// <summary>Runs task <paramref name="task"/>; returns false when it was already done for this plan (and <paramref name="force"/> is off).</summary>
    public static bool Run(GridPlan plan, int task, bool force = false, IProgress<double>? progress = null)
    {
        CheckTask(plan, task);
        if (!force && IsDone(plan, task)) return false;
        var model = plan.Models[task];
        bool isStatic = WordVectorsExport.IsStaticModel(model.Source);
        // Context does not apply to static models (one vector per word): they are read alone whatever the plan's context.
        var context = isStatic ? ContextSpec.None : plan.ContextSpec();
        string layers = isStatic && plan.Representations.Equals("all", StringComparison.OrdinalIgnoreCase) ? WordVectorsExport.TokenLabel : plan.Representations;
        var export = WordVectorsExport.Compute(model.Source, plan.Words, layers, context, plan.Subword, plan.Engine, progress);
        export = export with { Model = model.Name };
        string stamp = plan.DoneStampPath(task);
        AtomicFile.TryDelete(stamp);            // the old stamp must not vouch for the new files while they are replaced
        export.Write(plan.VectorsPath(task));
        AtomicFile.WriteAllText(stamp, plan.Hash + "\n");
        return true;
    }

    /// <summary>True when model <paramref name="task"/>'s vectors and sidecar exist and its stamp names this plan's hash.</summary>
    public static bool IsDone(GridPlan plan, int task)
    {
        string stamp = plan.DoneStampPath(task), npy = plan.VectorsPath(task);
        return File.Exists(stamp) && File.Exists(npy) && File.Exists(WordVectorsExport.SidecarPath(npy))
            && File.ReadAllText(stamp).Trim() == plan.Hash;
    }

    internal static void CheckTask(GridPlan plan, int task)
    {
        if (task < 0 || task >= plan.Models.Count)
            throw new SimileException($"--task {task} is outside the plan's extraction tasks 0..{plan.Models.Count - 1}",
                $"use --task K with K from 0 to {plan.Models.Count - 1} (one task per model, e.g. --array=0-{plan.Models.Count - 1})");
    }

    /// <summary>
    /// Reads every model's vectors for comparison. Throws naming the tasks to (re)run when a model is missing or was
    /// extracted for another plan.
    /// </summary>
    public static IReadOnlyList<GridVectors> ReadAll(GridPlan plan)
    {
        var notDone = Enumerable.Range(0, plan.Models.Count).Where(k => !IsDone(plan, k)).ToList();
        if (notDone.Count > 0)
            throw new SimileException(
                $"the vectors of {string.Join(", ", notDone.Select(k => $"{plan.Models[k].Name} (task {k})"))} are missing or were made for another plan",
                $"run 'simile grid extract --plan {plan.Folder} --task K' for K = {string.Join(", ", notDone)} first");
        var list = new List<GridVectors>(plan.Models.Count);
        for (int k = 0; k < plan.Models.Count; k++) list.Add(Read(plan, k));
        return list;
    }

    private static GridVectors Read(GridPlan plan, int task)
    {
        string npy = plan.VectorsPath(task);
        var array = NpyFile.Read(npy);
        using var doc = JsonDocument.Parse(File.ReadAllText(WordVectorsExport.SidecarPath(npy)));
        var root = doc.RootElement;
        var labels = root.GetProperty("layers").EnumerateArray().Select(x => x.GetString()!).ToList();
        var words = root.GetProperty("words").EnumerateArray().Select(x => x.GetString()!).ToList();
        if (array.Float32 is null || array.Shape.Length != 3 || array.Shape[0] != labels.Count || array.Shape[1] != plan.Words.Count
            || !words.SequenceEqual(plan.Words.Words))
            throw new SimileException($"{npy} does not hold the plan's words at its representations",
                $"run 'simile grid extract --plan {plan.Folder} --task {task} --force' again");
        return new GridVectors(plan.Models[task].Name, root.GetProperty("architecture").GetString() ?? "", labels,
            array.Shape[1], array.Shape[2], array.Float32);
    }
}
