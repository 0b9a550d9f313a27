namespace Simile.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "forward") return ForwardBenchmark.Run(args[1..]);
        if (args.Length > 0 && args[0] == "forward-memory") return MappedWeightsBenchmark.Run(args[1..]);
        Console.WriteLine("Simile benchmarks: see README (bench section).");
        return 0;
    }
}
