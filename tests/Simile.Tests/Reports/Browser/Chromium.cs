using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Simile.Tests.Reports.Browser;

/// <summary>
/// A headless Chromium (the system's Debian package) driven over the DevTools protocol on a WebSocket: one page,
/// commands with replies, and every event kept for inspection. No browser download, no driver package.
/// </summary>
internal sealed class Chromium : IDisposable
{
    private readonly Process _process;
    private readonly string _profile;
    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;
    private int _nextId;

    /// <summary>Every event received: method and params.</summary>
    public ConcurrentQueue<(string Method, JsonElement Params)> Events { get; } = new();

    /// <summary>The system Chromium, or null when it is not installed.</summary>
    public static string? Executable()
    {
        foreach (var path in new[] { Environment.GetEnvironmentVariable("SIMILE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" })
            if (!string.IsNullOrEmpty(path) && File.Exists(path)) return path;
        return null;
    }

    /// <summary>Why browser tests cannot run here (null: they can); throws when CI=true and Chromium is missing.</summary>
    public static string? SkipReason()
    {
        if (Executable() is not null) return null;
        if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("CI=true but Chromium is not installed: .ci/run installs the Debian package 'chromium' before the tests");
        return "Chromium is not installed (apt-get install -y chromium); browser tests skipped outside CI";
    }

    private Chromium(Process process, string profile, Uri page)
    {
        _process = process;
        _profile = profile;
        _socket.Options.KeepAliveInterval = TimeSpan.Zero;
        _socket.ConnectAsync(page, CancellationToken.None).Wait(TimeSpan.FromSeconds(30));
        _reader = Task.Run(ReadLoop);
    }

    public static Chromium Launch()
    {
        string exe = Executable() ?? throw new InvalidOperationException("Chromium is not installed");
        string profile = Path.Combine(Path.GetTempPath(), "simile-chromium-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(profile);
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                                  "--disable-dev-shm-usage", $"--user-data-dir={profile}", "--remote-debugging-port=0", "about:blank" })
            psi.ArgumentList.Add(a);
        var process = Process.Start(psi)!;
        process.OutputDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        var port = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.ErrorDataReceived += (_, e) =>
        {
            const string marker = "DevTools listening on ";
            if (e.Data is { } line && line.Contains(marker)) port.TrySetResult(line[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim());
        };
        process.BeginErrorReadLine();
        if (!port.Task.Wait(TimeSpan.FromSeconds(60)))
        {
            try { process.Kill(true); } catch (InvalidOperationException) { }
            throw new TimeoutException("Chromium did not start its DevTools endpoint within 60 s");
        }
        var browser = new Uri(port.Task.Result);
        using var http = new HttpClient();
        string list = http.GetStringAsync($"http://{browser.Host}:{browser.Port}/json/list").Result;
        var page = JsonNode.Parse(list)!.AsArray().First(t => (string?)t!["type"] == "page")!;
        return new Chromium(process, profile, new Uri((string)page["webSocketDebuggerUrl"]!));
    }

    /// <summary>Sends a command and waits for its result (throws on a protocol error).</summary>
    public JsonElement Send(string method, object? parameters = null, int timeoutSeconds = 60)
    {
        int id = Interlocked.Increment(ref _nextId);
        var reply = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = reply;
        var json = JsonSerializer.Serialize(new { id, method, @params = parameters ?? new { } });
        lock (_socket)
            _socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None).Wait();
        if (!reply.Task.Wait(TimeSpan.FromSeconds(timeoutSeconds))) throw new TimeoutException($"{method}: no reply");
        return reply.Task.Result;
    }

    /// <summary>Evaluates a JavaScript expression in the page (promises awaited) and returns its value.</summary>
    public JsonElement Eval(string expression)
    {
        var r = Send("Runtime.evaluate", new { expression, returnByValue = true, awaitPromise = true });
        if (r.TryGetProperty("exceptionDetails", out var ex)) throw new InvalidOperationException("page script failed: " + ex);
        return r.GetProperty("result").TryGetProperty("value", out var v) ? v : default;
    }

    /// <summary>Opens <paramref name="url"/> and waits until the page has loaded.</summary>
    public void Navigate(string url)
    {
        Send("Page.navigate", new { url });
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (Eval("document.readyState").GetString() == "complete" && Eval("location.href").GetString() == url) return;
            Thread.Sleep(50);
        }
        throw new TimeoutException("page did not load: " + url);
    }

    private async Task ReadLoop()
    {
        var buffer = new byte[1 << 16];
        var message = new MemoryStream();
        try
        {
            while (!_stop.IsCancellationRequested && _socket.State == WebSocketState.Open)
            {
                var r = await _socket.ReceiveAsync(buffer, _stop.Token);
                if (r.MessageType == WebSocketMessageType.Close) break;
                message.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage) continue;
                using (var doc = JsonDocument.Parse(message.ToArray()))
                {
                    var root = doc.RootElement;
                    if (root.TryGetProperty("id", out var idProp) && _pending.TryRemove(idProp.GetInt32(), out var waiter))
                    {
                        if (root.TryGetProperty("error", out var error)) waiter.TrySetException(new InvalidOperationException(error.ToString()));
                        else waiter.TrySetResult(root.GetProperty("result").Clone());
                    }
                    else if (root.TryGetProperty("method", out var m))
                        Events.Enqueue((m.GetString()!, root.TryGetProperty("params", out var p) ? p.Clone() : default));
                }
                message.SetLength(0);
            }
        }
        catch (OperationCanceledException) { }
        catch (WebSocketException) { }
    }

    public void Dispose()
    {
        _stop.Cancel();
        try { _socket.Abort(); } catch (WebSocketException) { }
        try { if (!_process.HasExited) _process.Kill(true); _process.WaitForExit(10_000); } catch (InvalidOperationException) { }
        _process.Dispose();
        try { Directory.Delete(_profile, true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
