namespace Simile;

/// <summary>
/// The one exception type for problems the user can fix: bad input files, unknown models, shapes that do
/// not fit. <see cref="Exception.Message"/> names the problem (and the place: file, line, column, row);
/// <see cref="Fix"/> says what to do. The CLI prints <see cref="OneLine"/> on stderr and exits with code 2.
/// </summary>
public sealed class SimileException : Exception
{
    public string Fix { get; }

    public SimileException(string problem, string fix, Exception? inner = null) : base(problem, inner)
    {
        Fix = fix;
    }

    /// <summary>"problem. Fix: what to do" on one line.</summary>
    public string OneLine
    {
        get
        {
            string p = Message.TrimEnd().TrimEnd('.');
            string line = string.IsNullOrWhiteSpace(Fix) ? p + "." : $"{p}. Fix: {Fix.TrimEnd()}";
            return line.Replace('\n', ' ').Replace('\r', ' ');
        }
    }
}
