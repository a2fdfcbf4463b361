#!/bin/sh
# Builds the libFuzzer targets (tools/fuzz/Package.swift) with address sanitizer and runs each for
# FUZZ_SECONDS (default 600), seeded with examples/, Lessons/ and traces made by the built CLI.
# New interesting inputs land in tools/fuzz/corpus/<target>/ (commit the small ones: the CLI corpus
# test replays them); crashes land in tools/fuzz/findings/<target>/. Usage: tools/fuzz/run.sh [TARGET…]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
seconds=${FUZZ_SECONDS:-600}
targets=${*:-FuzzSpec FuzzTrace FuzzLesson FuzzShape}

cd "$here"
# -Xswiftc, not --sanitize: SwiftPM's --sanitize instruments only this package's targets, and the code under
# test lives in the convtrace dependency (without coverage libFuzzer fuzzes blind).
flags="-c release --build-path $here/.build-cov -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address"
swift build $flags
bin=$(swift build $flags --show-bin-path)

seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT
mkdir -p "$seeds/FuzzSpec" "$seeds/FuzzTrace" "$seeds/FuzzLesson" "$seeds/FuzzShape"
cp "$root"/examples/*.yaml "$seeds/FuzzSpec/"
cp "$root"/Lessons/*.md "$seeds/FuzzLesson/" 2>/dev/null || true
convtrace="$root/.build/release/convtrace"
[ -x "$convtrace" ] || convtrace="$root/.build/debug/convtrace"
if [ -x "$convtrace" ]; then
    for spec in conv-basic max-pool conv-transpose; do
        "$convtrace" trace "$root/examples/$spec.yaml" -o "$seeds/FuzzTrace/$spec.jsonl" || true
        "$convtrace" trace "$root/examples/$spec.yaml" -o "$seeds/FuzzTrace/$spec.ctb" || true
    done
fi
printf '\005\000\000\000\000\000\000\000\003\000\000\000\000\000\000\000\002\000\000\000\000\000\000\000' > "$seeds/FuzzShape/conv-5-3-2"

for t in $targets; do
    mkdir -p "$here/corpus/$t" "$here/findings/$t" "$here/.work/$t"
    echo "== $t for ${seconds}s"
    "$bin/$t" "$here/.work/$t" "$here/corpus/$t" "$seeds/$t" -max_total_time="$seconds" -max_len=65536 \
        -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$here/findings/$t/" -print_final_stats=1 2>&1 | tail -25 || true
    # Keep a minimal set covering what the run found (the committed regression corpus).
    "$bin/$t" -merge=1 -max_len=65536 "$here/corpus/$t" "$here/.work/$t" 2>&1 | tail -2 || true
done
