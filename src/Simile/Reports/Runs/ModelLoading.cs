using System.Diagnostics;
using Simile.Data;
using Simile.Models;

namespace Simile.Reports.Runs;

/// <summary>A model that was loaded, and how long it took.</summary>
public sealed record LoadedModel(string Name, TimeSpan Elapsed);

/// <summary>An optional model that could not be had (the run carried on without it), and why.</summary>
public sealed record SkippedModel(string Name, string Reason);

/// <summary>
/// Loads the word-embedding models of a run in order, each as a progress stage "loading NAME". A model named in
/// <c>optional</c> that cannot be had is skipped (with its reason) instead of failing the run; on any other failure the
/// models loaded so far are released.
/// </summary>
public sealed class ModelLoading : IDisposable
{
    public List<IWordEmbeddings> Models { get; } = [];
    public List<LoadedModel> Loaded { get; } = [];
    public List<SkippedModel> Skipped { get; } = [];

    public static ModelLoading Load(IReadOnlyList<string> names, IReadOnlySet<string>? optional,
        Func<string, IProgress<double>?, IWordEmbeddings> open, IProgress<StageProgress>? progress)
    {
        var loading = new ModelLoading();
        try
        {
            foreach (string name in names)
            {
                var clock = Stopwatch.StartNew();
                IWordEmbeddings model;
                try
                {
                    model = open(name, FractionProgress.Of(progress, $"loading {name}"));
                }
                catch (SimileException e) when (optional?.Contains(name) == true)
                {
                    loading.Skipped.Add(new SkippedModel(name, e.OneLine));
                    continue;
                }
                loading.Models.Add(model);
                loading.Loaded.Add(new LoadedModel(name, clock.Elapsed));
            }
        }
        catch
        {
            loading.Dispose();
            throw;
        }
        return loading;
    }

    public void Dispose()
    {
        foreach (var m in Models) m.Dispose();
        Models.Clear();
    }
}
