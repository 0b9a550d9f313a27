using System.ComponentModel;
using Spectre.Console.Cli;

namespace Simile.Cli;

/// <summary>The options every verb takes: the settings of each verb derive from this class.</summary>
public abstract class VerbSettings : CommandSettings
{
    [CommandOption("-v|--verbose")]
    [Description("Print more: load and compute times; the plan of compare and rdm (route per measure, row blocks, memory estimate) on stderr; an internal error's stack trace.")]
    public bool Verbose { get; init; }
}
