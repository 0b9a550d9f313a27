using Simile.Analyses.Grid;
using Simile.Data;

namespace Simile.Reports.Runs;

/// <summary>What a grid run or merge wrote: the merged result and the files (results.json, report.html, grids/).</summary>
public sealed record GridRunResult(GridResult Result, IReadOnlyList<string> Files);

/// <summary>The <c>grid run</c> and <c>grid merge</c> runs: read the plan, compute or merge the pairs, write the outputs.</summary>
public static class GridRun
{
    /// <summary><c>grid run</c>: every step of the plan in this process (extract, compare all pairs), then the outputs.</summary>
    public static GridRunResult All(string planFolder, IProgress<StageProgress>? progress = null)
    {
        var result = GridMerge.RunAll(GridPlan.Read(planFolder), progress);
        return new GridRunResult(result, GridReport.Write(result));
    }

    /// <summary><c>grid merge</c>: checks every shard of the <paramref name="shards"/>-shard set (null: the set present), then the outputs.</summary>
    public static GridRunResult Merge(string planFolder, int? shards)
    {
        var result = GridMerge.Merge(GridPlan.Read(planFolder), shards);
        return new GridRunResult(result, GridReport.Write(result));
    }
}
