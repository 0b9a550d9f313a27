using System.Globalization;

namespace Simile.Fuzz;

/// <summary>
/// <c>dotnet run --project tests/Simile.Fuzz -c Release -- [--target NAME|all] [--count N] [--seed S] [--first I]
/// [--time-limit SECONDS] [--save FOLDER] [--refusals] [--list] | --target NAME --replay FILE</c>. Prints one line per target; exit code 1 when any input failed.
/// Failing inputs are written to the --save folder as TARGET-INDEX.bin (replay them with the regression tests).
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        string target = "all"; int count = 1000, seed = 1, first = 0; double limit = 10; string? save = null; bool refusals = false;
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--target": target = Next(); break;
                case "--count": count = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--seed": seed = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--first": first = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--time-limit": limit = double.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--save": save = Next(); break;
                case "--refusals": refusals = true; break;   // also print every refusal (index and message)
                case "--replay":
                {
                    // --replay FILE (after --target NAME): runs one saved input and prints its outcome
                    var t = FuzzTargets.Get(target);
                    using var one = new FuzzRunner { TimeLimit = TimeSpan.FromSeconds(limit) };
                    var (kind, detail) = one.RunOne(t, t.Seeds()!, File.ReadAllBytes(Next()));
                    Console.WriteLine($"{kind}: {detail}");
                    return kind is "ok" or "refused" ? 0 : 1;
                }
                case "--list":
                    foreach (var t in FuzzTargets.All) Console.WriteLine($"{t.Name,-26} mutates {t.MutatedFile}");
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown argument {args[i]}; see the comment in tests/Simile.Fuzz/Program.cs");
                    return 2;
            }
        }
        var targets = target == "all" ? FuzzTargets.All : target.Split(',').Select(FuzzTargets.Get).ToList();
        if (save is not null) Directory.CreateDirectory(save);
        int failed = 0;
        using var runner = new FuzzRunner { TimeLimit = TimeSpan.FromSeconds(limit) };
        foreach (var t in targets)
        {
            if (t.Seeds() is null) { Console.WriteLine($"{t.Name,-26} skipped: {t.UnavailableReason}"); continue; }
            var report = runner.Run(t, seed, count, first, f =>
            {
                Console.WriteLine("  " + f);
                if (save is not null) File.WriteAllBytes(Path.Combine(save, $"{f.Target}-{f.Index}.bin"), f.Input);
            }, refusals ? (i, message) => Console.WriteLine($"  {t.Name} #{i} refused: {message}") : null);
            Console.WriteLine(report);
            failed += report.Failures.Count;
        }
        Console.WriteLine(failed == 0 ? "fuzz: no failures" : $"fuzz: {failed} failing inputs");
        return failed == 0 ? 0 : 1;
    }
}
