#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, with AddressSanitizer) of the ping, device and site decoders,
# their validation, and the timestamp and region-code parsers.
#
#   bash Deploy/fuzz.sh            # 10 minutes
#   bash Deploy/fuzz.sh 3600       # an hour
#
# Seeds come from Tests/Fuzz/corpus; inputs libFuzzer finds interesting are kept in
# .build/fuzz/corpus (not committed). A crashing input is written to Tests/Fuzz/regressions/, where
# the test suite (DecoderRegressionTests) replays it on every run: commit it with the fix.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
out=.build/fuzz
mkdir -p "$out/corpus" Tests/Fuzz/regressions
echo "fuzz: building the decoder target with -sanitize=fuzzer,address…" >&2
swiftc -O -D NADI_FUZZ -sanitize=fuzzer,address -parse-as-library -module-name NadiFuzz -package-name nadi \
    -enable-upcoming-feature InternalImportsByDefault -enable-upcoming-feature MemberImportVisibility \
    Sources/NadiCore/*.swift Tests/NadiCoreTests/DecoderFuzzHarness.swift -o "$out/decoders"
echo "fuzz: running for ${seconds}s" >&2
"$out/decoders" "$out/corpus" Tests/Fuzz/corpus \
    -max_total_time="$seconds" -max_len=65536 -timeout=10 -rss_limit_mb=4096 \
    -artifact_prefix=Tests/Fuzz/regressions/ -print_final_stats=1
