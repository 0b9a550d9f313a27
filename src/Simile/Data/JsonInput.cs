using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;

namespace Simile.Data;

/// <summary>
/// Reading JSON files from users and downloads: System.Text.Json parses a document whose strings hold invalid UTF-8
/// or lone UTF-16 surrogate escapes (<c>"\ud800"</c>), and fails only later, with an InvalidOperationException,
/// when such a string is read. <see cref="Parse"/> checks every string and property name first, so a damaged
/// file is refused up front with a <see cref="SimileException"/> that names the file, the place and the fix.
/// </summary>
public static class JsonInput
{
    /// <summary>Parses <paramref name="bytes"/> (the content of <paramref name="path"/>); every string is known to decode afterwards.</summary>
    public static JsonDocument Parse(byte[] bytes, string path, string fix, JsonDocumentOptions options = default)
    {
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions
        {
            AllowTrailingCommas = options.AllowTrailingCommas,
            CommentHandling = options.CommentHandling,
            MaxDepth = options.MaxDepth,
        });
        try
        {
            while (reader.Read())
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
                    _ = GetString(ref reader, path, fix);
            return JsonDocument.Parse(bytes, options);
        }
        catch (JsonException e)
        {
            throw NotJson(path, fix, e);
        }
    }

    /// <summary>The current string or property name, or a <see cref="SimileException"/> when it is not valid text.</summary>
    public static string GetString(ref Utf8JsonReader reader, string path, string fix)
    {
        try
        {
            return reader.GetString() ?? "";
        }
        catch (InvalidOperationException e)   // invalid UTF-8 bytes, or an escaped lone surrogate
        {
            long at = reader.TokenStartIndex;
            string what = reader.TokenType == JsonTokenType.PropertyName ? "a property name" : "a string";
            throw new SimileException($"'{path}', byte {at}: {what} is not valid text ({(Utf8.IsValid(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan) ? "a lone UTF-16 surrogate escape" : "invalid UTF-8")})",
                fix, e);
        }
    }

    public static SimileException NotJson(string path, string fix, JsonException e) =>
        new($"'{path}' is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}): {FirstSentence(e.Message)}", fix, e);

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).Trim();
    }
}
