#!/usr/bin/env bash
# The long fuzz run: 100,000 mutated inputs per reader (override with COUNT=…, SEED=…, TARGET=name[,name]).
# Failing inputs are saved to tests/Simile.Fuzz/failures/ (make small ones regression files in tests/Simile.Tests/Fuzz/regressions/).
set -euo pipefail
cd "$(dirname "$0")/../.."
dotnet build tests/Simile.Fuzz -c Release -v quiet -nologo
# Each input is written to a temporary folder before it is read: a RAM disk makes that free (26 readers × 100,000 in
# about 10 minutes; the real MiniLM ONNX file, 90 MB a copy, takes about 0.13 s per input even there: split it over
# cores with --first/--count, e.g. TARGET=onnx-minilm COUNT=5000 and --first 0, 5000, …).
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi
exec dotnet tests/Simile.Fuzz/bin/Release/net10.0/Simile.Fuzz.dll \
  --target "${TARGET:-all}" --count "${COUNT:-100000}" --seed "${SEED:-1}" --save tests/Simile.Fuzz/failures "$@"
