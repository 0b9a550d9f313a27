#!/usr/bin/env bash
# The long fuzz run: 100,000 mutated inputs per reader (override with COUNT=…, SEED=…, TARGET=name[,name]).
# Failing inputs are saved to tests/Simile.Fuzz/failures/ (make small ones regression files in tests/Simile.Tests/Fuzz/regressions/).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/Simile.Fuzz -c Release -v quiet -nologo
exec dotnet tests/Simile.Fuzz/bin/Release/net10.0/Simile.Fuzz.dll \
  --target "${TARGET:-all}" --count "${COUNT:-100000}" --seed "${SEED:-1}" --save tests/Simile.Fuzz/failures "$@"
