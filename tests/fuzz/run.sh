#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each: the
# control protocol's request decoder, the memory-policy and numa_maps
# parsers, and every other parser of outside input (tests/fuzz/fuzz_proc.c:
# proc/PID/stat, status and cgroup, proc/vmstat, proc/stat, cpulists and
# masks, the config file). Each target gets a seed corpus from the fixtures.
# Usage: tests/fuzz/run.sh [SECONDS]   (from anywhere; `make fuzz` runs it)
#   SECONDS (or FUZZ_SECONDS): the request decoder's time, default 30; each
#   other target gets FUZZ_TARGET_SECONDS, default a third of that (10),
#   but the memory-policy/numa_maps one two thirds (20).
#   `make fuzz-long FUZZ_SECONDS=N` gives every target N seconds.
# Prints one "fuzz: TARGET execs=N exec/s=R cov=C ft=F" line per target and
# a summary. Exit 0 when nothing was found, non-zero on a crash or leak;
# skipped (exit 0 with a message) when clang with libFuzzer is not installed.
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-30}}
target_secs=${FUZZ_TARGET_SECONDS:-$(( secs / 3 > 0 ? secs / 3 : 1 ))}
mpol_secs=${FUZZ_TARGET_SECONDS:-$(( secs * 2 / 3 > 0 ? secs * 2 / 3 : 1 ))}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$CLANG" ]; then
    echo "fuzz: skipped (clang not installed)"; exit 0
fi
out=build/fuzz
mkdir -p "$out"
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
        "$CLANG" -x c -fsanitize=fuzzer -o "$out/probe" - 2>/dev/null; then
    echo "fuzz: skipped ($CLANG has no libFuzzer)"; exit 0
fi
FLAGS=(-g -O1 -std=gnu11 -D_GNU_SOURCE -Ilib -fsanitize=fuzzer,address,undefined
       -fno-sanitize-recover=undefined)

# seed NAME FILE...: copies FILEs (missing ones skipped) into NAME's corpus.
seed() {
    local name=$1 i=0 f; shift
    mkdir -p "$out/corpus-$name"
    for f in "$@"; do
        [ -f "$f" ] || continue
        cp "$f" "$out/corpus-$name/seed$i"; i=$((i + 1))
    done
}
# fuzz NAME SECONDS MAX_LEN: runs build/fuzz/fuzz_NAME on its corpus, prints
# its figures; a crash or leak fails the script (set -e, pipefail).
total=0
fuzz() {
    local name=$1 t=$2 max_len=$3 log="$out/$1.log"
    if ! ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp "$out/fuzz_$name" -max_total_time="$t" -max_len="$max_len" \
            -print_final_stats=1 -artifact_prefix="$out/$name-" "$out/corpus-$name" >"$log" 2>&1; then
        tail -40 "$log"; echo "fuzz: $name FAILED (log: $log)"; return 1
    fi
    local execs rate cov ft
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    echo "fuzz: $name execs=${execs:-?} exec/s=${rate:-?} cov=${cov:-?} ft=${ft:-?} seconds=$t"
    total=$((total + t))
}

"$CLANG" "${FLAGS[@]}" $(pkg-config --cflags json-c) -o "$out/fuzz_request" \
    tests/fuzz/fuzz_request.c lib/protocol.c lib/advise.c lib/topology.c lib/fsroot.c lib/bitset.c lib/parse.c \
    $(pkg-config --libs json-c)
# Seeds: one valid request per verb and a few near misses.
mkdir -p "$out/corpus-request"
i=0
for s in '{"version":1,"verb":"status"}' '{"version":1,"verb":"list","args":{"limit":5,"all":true}}' \
         '{"version":1,"verb":"show","args":{"pid":1002}}' '{"version":1,"verb":"history","args":{"pid":1,"limit":2}}' \
         '{"version":1,"verb":"dry-run","args":{"enable":true}}' '{"version":1,"verb":"exclude","args":{"name":"memhog-*"}}' \
         '{"version":1,"verb":"move","args":{"pid":7,"nodes":"0-1,3"}}' '{"version":1,"verb":"advise","args":{"ncpus":4,"mb":2048}}' \
         '{"version":1,"verb":"cancel","args":{"pid":7}}' \
         '{"version":1,"ok":false,"error":{"code":"refused","message":"x"}}' '{"version":2}' '[{"a":[1,2.5e3,null]}]'; do
    printf '%s' "$s" > "$out/corpus-request/seed$i"; i=$((i + 1))
done
fuzz request "$secs" 70000

"$CLANG" "${FLAGS[@]}" -o "$out/fuzz_mempolicy" tests/fuzz/fuzz_mempolicy.c lib/mempolicy.c \
    lib/numamaps.c lib/bitset.c lib/parse.c lib/fsroot.c
# Seeds: the numa_maps fixtures (real and hand-made, malformed and overlong
# lines) and the thread numa_maps heads.
seed mempolicy tests/fixtures/numa_maps/* tests/fixtures/mempolicy/proc/*/task/*/numa_maps \
    tests/fixtures/mempolicy-guest/proc/*/numa_maps tests/fixtures/mempolicy-guest/proc/*/task/*/numa_maps
fuzz mempolicy "$mpol_secs" 72000

# The parsers of fuzz_proc.c, one binary each, linked with the whole library
# (the config schema pulls in most of it).
LIB_SRCS=(lib/sample.c lib/sysstate.c lib/bitset.c lib/parse.c lib/fsroot.c lib/config.c
          lib/numamaps.c lib/mempolicy.c lib/topology.c lib/tasksched.c)
proc_target() {
    local name=$1 max_len=$2 macro; shift 2
    macro=NP_FUZZ_$(tr '[:lower:]' '[:upper:]' <<<"$name")
    "$CLANG" "${FLAGS[@]}" -D"$macro" $(pkg-config --cflags libconfig numa) -o "$out/fuzz_$name" \
        tests/fuzz/fuzz_proc.c "${LIB_SRCS[@]}" $(pkg-config --libs libconfig numa) -lm
    seed "$name" "$@"
    fuzz "$name" "$target_secs" "$max_len"
}
# proc/PID/stat: up to 64 KiB lines (a comm cannot be that long, a hostile
# fixture can).
proc_target stat 66000 $(find tests/fixtures -path '*/proc/[0-9]*/stat' | head -40)
proc_target status 16000 $(find tests/fixtures -path '*/proc/[0-9]*/status' | head -40)
proc_target cgroup 8000 $(find tests/fixtures -path '*/proc/[0-9]*/cgroup' | head -40)
proc_target vmstat 16000 $(find tests/fixtures -path '*/proc/vmstat')
proc_target cpustat 66000 $(find tests/fixtures -path '*/proc/stat' -o -path 'tests/fixtures/procstat/*' -type f | head -40)
proc_target cpulist 4000 $(find tests/fixtures -name cpulist -o -name cpumap | head -40)
proc_target config 16000 conf/numaplaced.conf $(find tests/fixtures/conf -type f)
proc_target tasksched 66000 $(find tests/fixtures/sched-guest -name sched)
echo "fuzz: no crash or leak in any target ($total s)"
