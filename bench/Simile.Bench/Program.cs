namespace Simile.Bench;

public static class Program
{
    public static int Main(string[] args)
    {
        Console.WriteLine("Simile benchmarks: see README (bench section).");
        return 0;
    }
}
