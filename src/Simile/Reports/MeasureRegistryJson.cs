using Simile.Comparison.Measures;
using Simile.Data;

namespace Simile.Reports;

/// <summary>The measure registry as one JSON document (<c>simile measures --json</c>).</summary>
public static class MeasureRegistryJson
{
    /// <summary>{"measures": [{name, family, kind, parameters, invariances, identity_value, symmetric, scale, max_items, reference, divergences}, …]}.</summary>
    public static string Write() => JsonOutput.Document(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("measures");
        foreach (var m in MeasureRegistry.All)
        {
            w.WriteStartObject();
            w.WriteString("name", m.Name);
            w.WriteString("family", m.Family);
            w.WriteString("kind", m.Direction == MeasureDirection.Distance ? "distance" : "similarity");
            w.WriteString("parameters", m.Parameters);
            w.WriteStartArray("invariances");
            foreach (string p in m.Invariances.Names()) w.WriteStringValue(p.Replace(' ', '_'));
            w.WriteEndArray();
            JsonOutput.Number(w, "identity_value", m.IdentityValue);
            w.WriteBoolean("symmetric", m.Symmetric);
            w.WriteString("scale", m.Scale);
            if (m.MaxItems == int.MaxValue) w.WriteNull("max_items"); else w.WriteNumber("max_items", m.MaxItems);
            w.WriteString("reference", m.Reference);
            w.WriteString("divergences", m.Divergences);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });
}
