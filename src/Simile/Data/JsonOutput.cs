using System.Text;
using System.Text.Json;

namespace Simile.Data;

/// <summary>
/// The JSON conventions of every results file: indented UTF-8 with a final newline, numbers at full precision
/// (the shortest text that round-trips), and NaN/±Inf or absent values written as null (JSON has no NaN).
/// </summary>
public static class JsonOutput
{
    /// <summary>Runs <paramref name="body"/> on an indented writer and returns the document text plus "\n".</summary>
    public static string Document(Action<Utf8JsonWriter> body) => Text(body) + "\n";

    /// <summary>
    /// Runs <paramref name="body"/> on a writer and returns the text (no final newline): indented or compact; with
    /// <paramref name="relaxedEscaping"/> non-ASCII text is written as is (plan files, HTML-embedded hover data),
    /// otherwise with the default (escaping) encoder.
    /// </summary>
    public static string Text(Action<Utf8JsonWriter> body, bool indented = true, bool relaxedEscaping = false)
    {
        using var stream = new MemoryStream();
        var options = new JsonWriterOptions { Indented = indented };
        if (relaxedEscaping) options.Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
        using (var w = new Utf8JsonWriter(stream, options))
            body(w);
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>"name": v, or "name": null when v is NaN, infinite or absent.</summary>
    public static void Number(Utf8JsonWriter w, string name, double? v)
    {
        w.WritePropertyName(name);
        Value(w, v);
    }

    /// <summary>An array element: v, or null when v is NaN, infinite or absent.</summary>
    public static void Value(Utf8JsonWriter w, double? v)
    {
        if (v is double d && double.IsFinite(d)) w.WriteNumberValue(d);
        else w.WriteNullValue();
    }

    public static void NumberArray(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) Value(w, v);
        w.WriteEndArray();
    }

    public static void StringArray(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
