using System.Globalization;
using System.Reflection;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>A verb as <see cref="Program.Configure"/> registers it: its words ("compare", "grid plan") and its settings type.</summary>
public sealed record CliVerb(string Path, Type Settings)
{
    /// <summary>Every option the settings type declares (its own and its base classes'), then -h|--help|-? which every verb accepts.</summary>
    public IReadOnlyList<CliOption> Options { get; } =
        Settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Attribute: p.GetCustomAttribute<CommandOptionAttribute>()))
            .Where(o => o.Attribute is not null)
            .Select(o => new CliOption(
                o.Attribute!.LongNames.Select(n => "--" + n).Concat(o.Attribute.ShortNames.Select(n => "-" + n)).ToArray(),
                TakesValue: o.Attribute.ValueName is not null && !o.Attribute.ValueIsOptional,
                IsFlag: o.Property.PropertyType == typeof(bool)))
            .Append(new CliOption(["--help", "-h", "-?"], TakesValue: false, IsFlag: false))
            .ToArray();

    /// <summary>Positional arguments the verb takes (<see cref="int.MaxValue"/> when the last one takes a list).</summary>
    public int Arguments { get; } = Settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.GetCustomAttribute<CommandArgumentAttribute>() is not null)
        .Sum(p => p.PropertyType.IsArray ? int.MaxValue / 2 : 1);

    /// <summary>The option named <paramref name="name"/> ("--out", "-o"), or null.</summary>
    public CliOption? Find(string name) => Options.FirstOrDefault(o => o.Names.Contains(name, StringComparer.Ordinal));
}

/// <summary>One option of a verb: its names ("--out", "-o"), whether it takes a value, whether it is a true/false flag.</summary>
public sealed record CliOption(IReadOnlyList<string> Names, bool TakesValue, bool IsFlag);

/// <summary>
/// Strict option parsing: before Spectre.Console.Cli binds anything, every option of the command line must be one the
/// verb declares and every positional argument one it takes. Otherwise the run stops with exit code 2 and one line that
/// names the option and the closest real option of that verb (a user who typed <c>--permutatoins 5000</c> must not
/// get the default 1,000 permutations and believe they ran what they typed). Spectre's own strict mode stays on
/// behind this check as a second guard.
/// </summary>
public static class StrictParsing
{
    /// <summary>
    /// Checks <paramref name="args"/> against the verb they name (none: nothing to check; an unknown verb is
    /// Spectre's error) and returns them with the one alias applied: <c>--k</c> / <c>--k=5</c> (the kNN option as the
    /// measure literature writes it) means <c>--neighbours</c> on the verbs that have it (Spectre.Console.Cli does
    /// not accept one-letter long options).
    /// </summary>
    public static string[] Check(string[] args, IReadOnlyList<CliVerb> verbs)
    {
        var verb = verbs.Where(v => Matches(args, v.Path)).MaxBy(v => v.Path.Length);
        if (verb is null) return args;
        int start = verb.Path.Split(' ').Length;
        bool neighbours = verb.Find("--neighbours") is not null;
        var result = args.Take(start).ToList();
        int positional = 0;
        for (int i = start; i < args.Length; i++)
        {
            string token = args[i];
            if (neighbours && (token == "--k" || token.StartsWith("--k=", StringComparison.Ordinal))) token = "--neighbours" + token[3..];
            result.Add(token);
            if (token == "--")
            {
                result.AddRange(args.Skip(i + 1));   // Spectre's remaining arguments: under strict parsing, its own error
                break;
            }
            if (token.StartsWith("--", StringComparison.Ordinal))
            {
                int end = token.IndexOfAny(['=', ':']);
                string name = end < 0 ? token : token[..end];
                var option = verb.Find(name) ?? throw Unknown(name, verb);
                if (end < 0) i = SkipValue(args, i, option, result);
            }
            else if (token.Length > 1 && token[0] == '-' && !double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                // A short option, or several flags in one ("-vh"); the last may take the next argument as its value.
                for (int c = 1; c < token.Length; c++)
                {
                    var option = verb.Find("-" + token[c]) ?? throw Unknown("-" + token[c], verb);
                    if (c == token.Length - 1) i = SkipValue(args, i, option, result);
                }
            }
            else if (++positional > verb.Arguments)
                throw new SimileException(
                    $"unexpected argument '{token}': 'simile {verb.Path}' takes {Count(verb.Arguments)}",
                    $"remove it, quote a value that contains spaces, or see 'simile {verb.Path} --help'");
        }
        return result.ToArray();
    }

    /// <summary>The index of the last argument <paramref name="option"/> consumes (its value, or "true"/"false" after a flag).</summary>
    private static int SkipValue(string[] args, int i, CliOption option, List<string> result)
    {
        bool next = i + 1 < args.Length;
        if ((option.TakesValue && next) || (option.IsFlag && next && bool.TryParse(args[i + 1], out _)))
        {
            result.Add(args[i + 1]);
            return i + 1;
        }
        return i;
    }

    private static bool Matches(string[] args, string path)
    {
        var words = path.Split(' ');
        return args.Length >= words.Length && words.Select((w, k) => args[k] == w).All(x => x);
    }

    private static string Count(int arguments) => arguments switch
    {
        0 => "no arguments, only options",
        1 => "one argument",
        _ => $"{arguments} arguments",
    };

    private static SimileException Unknown(string name, CliVerb verb)
    {
        string help = $"see 'simile {verb.Path} --help' for every option of {verb.Path}";
        var closest = Closest(name, verb);
        return new SimileException($"unknown option '{name}'", closest is null ? help : $"did you mean {closest}? Or {help}");
    }

    /// <summary>
    /// The verb's option nearest to <paramref name="name"/> by edit distance (insertions, deletions, substitutions and
    /// swaps of neighbouring letters each count 1), when it is near enough to be a slip: at most a third of the longer
    /// name, and at least 1 — or the one option that starts with what was typed (an abbreviation). None for a one-letter
    /// option: every other letter is as near.
    /// </summary>
    internal static string? Closest(string name, CliVerb verb)
    {
        if (!name.StartsWith("--", StringComparison.Ordinal)) return null;
        var names = verb.Options.SelectMany(o => o.Names).Where(n => n.StartsWith("--", StringComparison.Ordinal)).ToArray();
        string typed = name.TrimStart('-').ToLowerInvariant();
        var best = names.Select(n => (Name: n, Bare: n.TrimStart('-'))).Select(n => (n.Name, n.Bare, Distance: EditDistance(typed, n.Bare)))
            .OrderBy(x => x.Distance).ThenBy(x => x.Name, StringComparer.Ordinal).FirstOrDefault();
        if (best.Name is not null && best.Distance <= Math.Max(1, Math.Max(typed.Length, best.Bare.Length) / 3)) return best.Name;
        if (typed.Length >= 3)
        {
            var prefixed = names.Where(n => n.TrimStart('-').StartsWith(typed, StringComparison.Ordinal)).ToArray();
            if (prefixed.Length == 1) return prefixed[0];
        }
        return null;
    }

    /// <summary>Optimal string alignment distance: Levenshtein plus a swap of two neighbouring letters as one edit.</summary>
    internal static int EditDistance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }

    /// <summary>The settings type of a command class (<c>Command&lt;TSettings&gt;</c> or <c>AsyncCommand&lt;TSettings&gt;</c>).</summary>
    internal static Type SettingsOf(Type command)
    {
        for (var t = command; t is not null; t = t.BaseType)
            if (t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(Command<>) || t.GetGenericTypeDefinition() == typeof(AsyncCommand<>)))
                return t.GetGenericArguments()[0];
        throw new ArgumentException($"{command} is not a Command<TSettings>", nameof(command));
    }
}
