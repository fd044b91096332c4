#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs them: the
# control protocol's request decoder for FUZZ_SECONDS (default 30), then the
# memory-policy and numa_maps parsers for FUZZ_MEMPOLICY_SECONDS (default
# two thirds of that, 20).
# Usage: tests/fuzz/run.sh [SECONDS]   (from anywhere; `make fuzz` runs it)
# Exit 0 when nothing was found, non-zero on a crash or leak; skipped
# (exit 0 with a message) when clang with libFuzzer is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-30}}
mpol_secs=${FUZZ_MEMPOLICY_SECONDS:-$(( secs * 2 / 3 > 0 ? secs * 2 / 3 : 1 ))}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$CLANG" ]; then
    echo "fuzz: skipped (clang not installed)"; exit 0
fi
out=build/fuzz
mkdir -p "$out/corpus" "$out/corpus-mempolicy"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
        "$CLANG" -x c -fsanitize=fuzzer -o "$out/probe" - 2>/dev/null; then
    echo "fuzz: skipped ($CLANG has no libFuzzer)"; exit 0
fi
"$CLANG" -g -O1 -std=gnu11 -D_GNU_SOURCE -Ilib $(pkg-config --cflags json-c) \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -o "$out/fuzz_request" tests/fuzz/fuzz_request.c lib/protocol.c lib/bitset.c lib/parse.c \
    $(pkg-config --libs json-c)
# Seeds: one valid request per verb and a few near misses.
i=0
for s in '{"version":1,"verb":"status"}' '{"version":1,"verb":"list","args":{"limit":5,"all":true}}' \
         '{"version":1,"verb":"show","args":{"pid":1002}}' '{"version":1,"verb":"history","args":{"pid":1,"limit":2}}' \
         '{"version":1,"verb":"dry-run","args":{"enable":true}}' '{"version":1,"verb":"exclude","args":{"name":"memhog-*"}}' \
         '{"version":1,"verb":"move","args":{"pid":7,"nodes":"0-1,3"}}' '{"version":1,"verb":"advise","args":{"ncpus":4,"mb":2048}}' \
         '{"version":1,"ok":false,"error":{"code":"refused","message":"x"}}' '{"version":2}' '[{"a":[1,2.5e3,null]}]'; do
    printf '%s' "$s" > "$out/corpus/seed$i"; i=$((i + 1))
done
ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_request" -max_total_time="$secs" -max_len=70000 \
    -print_final_stats=1 -artifact_prefix="$out/" "$out/corpus" 2>&1 | tail -15

"$CLANG" -g -O1 -std=gnu11 -D_GNU_SOURCE -Ilib \
    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
    -o "$out/fuzz_mempolicy" tests/fuzz/fuzz_mempolicy.c lib/mempolicy.c lib/numamaps.c \
    lib/bitset.c lib/parse.c lib/fsroot.c
# Seeds: the numa_maps fixtures (real and hand-made, malformed and overlong
# lines) and the thread numa_maps heads.
i=0
for f in tests/fixtures/numa_maps/* tests/fixtures/mempolicy/proc/*/task/*/numa_maps \
         tests/fixtures/mempolicy-guest/proc/*/numa_maps tests/fixtures/mempolicy-guest/proc/*/task/*/numa_maps; do
    cp "$f" "$out/corpus-mempolicy/seed$i"; i=$((i + 1))
done
ASAN_OPTIONS=detect_leaks=1 "$out/fuzz_mempolicy" -max_total_time="$mpol_secs" -max_len=72000 \
    -print_final_stats=1 -artifact_prefix="$out/mempolicy-" "$out/corpus-mempolicy" 2>&1 | tail -15
echo "fuzz: no crash in $secs s (request) + $mpol_secs s (mempolicy)"
