using System.Globalization;

namespace Simile.Analyses.Planning;

/// <summary>
/// How much memory a plan may use: parsed from <c>--memory</c> ("2GB", "512MB", "1.5G", bytes), or by default a safe
/// share (<see cref="DefaultShare"/>) of the memory available: the smallest of /proc/meminfo MemAvailable and the
/// free part of the process's cgroup limit (v2 <c>memory.max</c> − <c>memory.current</c>, v1
/// <c>memory.limit_in_bytes</c> − <c>memory.usage_in_bytes</c>).
/// </summary>
public static class MemoryBudget
{
    /// <summary>The share of the available memory a plan may use by default.</summary>
    public const double DefaultShare = 0.8;

    /// <summary>The smallest budget a user may give: 1 byte (any tiny budget gives the over-budget line, which names what fits).</summary>
    public const long MinBytes = 1;

    /// <summary>The largest budget a user may give: 1,024 TB.</summary>
    public const long MaxBytes = 1L << 50;

    /// <summary>Used when the operating system says nothing (not Linux): 4 GB.</summary>
    public const long Fallback = 4L << 30;

    /// <summary>The default budget in bytes.</summary>
    public static long Default() => (long)(DefaultShare * Available());

    /// <summary>Bytes available to this process now (see the class summary).</summary>
    public static long Available()
    {
        long best = long.MaxValue;
        long? meminfo = MemAvailable();
        if (meminfo is long m) best = Math.Min(best, m);
        long? cgroup = CgroupFree();
        if (cgroup is long c) best = Math.Min(best, c);
        if (best == long.MaxValue) best = Fallback;
        return Math.Max(0, best);
    }

    /// <summary>Parses a size: a number with an optional unit B, K/KB, M/MB, G/GB, T/TB (powers of 1024; KiB etc. too).</summary>
    public static long Parse(string text, string option = "--memory")
    {
        string s = text.Trim().Replace("_", "").Replace(" ", "");
        int split = 0;
        while (split < s.Length && (char.IsDigit(s[split]) || s[split] == '.')) split++;
        string number = s[..split], unit = s[split..].ToUpperInvariant();
        long scale = unit switch
        {
            "" or "B" => 1,
            "K" or "KB" or "KIB" => 1L << 10,
            "M" or "MB" or "MIB" => 1L << 20,
            "G" or "GB" or "GIB" => 1L << 30,
            "T" or "TB" or "TIB" => 1L << 40,
            _ => 0,
        };
        if (scale == 0 || !double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !(v > 0) || v * scale > long.MaxValue / 2)
            throw new SimileException($"{option} '{text}' is not a memory size", $"give a size such as {option} 2GB or {option} 512MB");
        return (long)(v * scale);
    }

    /// <summary>"1.6 GB", "240 MB", "12 KB".</summary>
    public static string Format(long bytes)
    {
        double b = bytes;
        if (b >= 1L << 30) return (b / (1L << 30)).ToString(b >= 10L << 30 ? "0" : "0.0", CultureInfo.InvariantCulture) + " GB";
        if (b >= 1L << 20) return (b / (1L << 20)).ToString("0", CultureInfo.InvariantCulture) + " MB";
        return Math.Ceiling(b / 1024).ToString("0", CultureInfo.InvariantCulture) + " KB";
    }

    /// <summary>A size to put in a hint: rounded up to whole GB (or 100 MB below 1 GB), e.g. "3GB".</summary>
    public static string Hint(long bytes)
    {
        if (bytes < 1L << 30) return $"{(bytes + (100L << 20) - 1) / (100L << 20) * 100}MB";
        return $"{(bytes + (1L << 30) - 1) >> 30}GB";
    }

    private static long? MemAvailable()
    {
        try
        {
            if (!File.Exists("/proc/meminfo")) return null;
            foreach (string line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    return long.Parse(parts[1], CultureInfo.InvariantCulture) * 1024;
                }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    /// <summary>Limit minus usage of the process's memory cgroup (v2, else v1); null when unlimited or unknown.</summary>
    private static long? CgroupFree()
    {
        try
        {
            if (!File.Exists("/proc/self/cgroup")) return null;
            string? v2 = null, v1 = null;
            foreach (string line in File.ReadLines("/proc/self/cgroup"))
            {
                var parts = line.Split(':', 3);
                if (parts.Length < 3) continue;
                if (parts[0] == "0" && parts[1] == "") v2 = parts[2];
                else if (parts[1].Split(',').Contains("memory")) v1 = parts[2];
            }
            if (v2 is not null)
            {
                var r = LimitMinusUsage(Path.Join("/sys/fs/cgroup", v2, "memory.max"), Path.Join("/sys/fs/cgroup", v2, "memory.current"));
                if (r is not null) return r;
            }
            if (v1 is not null)
            {
                var r = LimitMinusUsage(Path.Join("/sys/fs/cgroup/memory", v1, "memory.limit_in_bytes"),
                    Path.Join("/sys/fs/cgroup/memory", v1, "memory.usage_in_bytes"));
                if (r is not null) return r;
                return LimitMinusUsage("/sys/fs/cgroup/memory/memory.limit_in_bytes", "/sys/fs/cgroup/memory/memory.usage_in_bytes");
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException) { }
        return null;
    }

    private static long? LimitMinusUsage(string limitPath, string usagePath)
    {
        if (!File.Exists(limitPath)) return null;
        string limit = File.ReadAllText(limitPath).Trim();
        if (limit == "max" || !long.TryParse(limit, NumberStyles.Integer, CultureInfo.InvariantCulture, out long l)) return null;
        if (l >= 1L << 60) return null;   // v1 "unlimited" is a page-rounded long.MaxValue
        long used = 0;
        if (File.Exists(usagePath) && long.TryParse(File.ReadAllText(usagePath).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long u))
            used = u;
        return Math.Max(0, l - used);
    }
}
