#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) and runs each: the
# control protocol's request decoder, the memory-policy and numa_maps
# parsers, and every other parser of outside input (tests/fuzz/fuzz_proc.c:
# proc/PID/stat, status and cgroup, proc/vmstat, proc/stat, cpulists and
# masks, the config file, node meminfo/distance/online/hugepage files through
# the topology reader). Each target gets a seed corpus from the fixtures.
# Usage: tests/fuzz/run.sh [SECONDS]   (from anywhere; `make fuzz` runs it)
#   SECONDS (or FUZZ_SECONDS): the request decoder's time, default 30; each
#   other target gets FUZZ_TARGET_SECONDS, default a third of that (10),
#   but the memory-policy/numa_maps one two thirds (20).
#   `make fuzz-long FUZZ_SECONDS=N` gives every target N seconds;
#   FUZZ_RUNS=N (`make fuzz-long FUZZ_RUNS=10000000`) gives every target N
#   executions instead, however long they take. FUZZ_TARGETS="a b" runs
#   only the targets named.
# The config target runs without libFuzzer's per-input leak check: libconfig
# 1.5 leaks on every rejected file (suppressed, see lsan.supp), so that check
# ran a full leak scan nearly every time (984 exec/s instead of ~30,000).
# LeakSanitizer still checks at exit everything any input left unfreed (a
# leak of our own planted on one path fails the run).
set -euo pipefail
cd "$(dirname "$0")/../.."
secs=${1:-${FUZZ_SECONDS:-30}}
target_secs=${FUZZ_TARGET_SECONDS:-$(( secs / 3 > 0 ? secs / 3 : 1 ))}
mpol_secs=${FUZZ_TARGET_SECONDS:-$(( secs * 2 / 3 > 0 ? secs * 2 / 3 : 1 ))}
CLANG=${CLANG:-$(command -v clang-14 || command -v clang || true)}
if [ -z "$CLANG" ]; then
    echo "fuzz: skipped (clang not installed)"; exit 0
fi
out=${FUZZ_OUT:-build/fuzz}
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
# fuzz NAME SECONDS MAX_LEN [exit-leak-check]: runs build/fuzz/fuzz_NAME on
# its corpus for SECONDS (or FUZZ_RUNS executions), prints its figures; a
# crash or leak fails the script (set -e, pipefail). exit-leak-check: leaks
# are looked for once at exit, not after each input, and the run goes in
# processes of at most a million executions each (one corpus, growing), so
# the library's suppressed leaks (~0.5 GB a million) stay under libFuzzer's
# 2 GB RSS limit.
total=0
fuzz() {
    local name=$1 t=$2 max_len=$3 mode=${4:-} log="$out/$1.log" leaks=1 piece_max=0
    if [ -n "${FUZZ_TARGETS:-}" ] && [[ " $FUZZ_TARGETS " != *" $name "* ]]; then
        return 0
    fi
    [ "$mode" = exit-leak-check ] && { leaks=0; piece_max=1000000; }
    local started=$SECONDS left_runs=${FUZZ_RUNS:-0} execs=0 pieces=0 cov ft
    : >"$log"
    while :; do
        local limit=() piece_log="$log.piece"
        if [ -z "${FUZZ_RUNS:-}" ]; then
            local left_secs=$((t - (SECONDS - started)))
            [ "$pieces" -gt 0 ] && [ "$left_secs" -le 0 ] && break
            limit+=(-max_total_time=$((left_secs > 0 ? left_secs : 1)))
            [ "$piece_max" -gt 0 ] && limit+=(-runs="$piece_max")
        else
            [ "$left_runs" -le 0 ] && break
            local n=$left_runs
            [ "$piece_max" -gt 0 ] && [ "$n" -gt "$piece_max" ] && n=$piece_max
            limit+=(-runs="$n")
        fi
        if ! ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=tests/fuzz/lsan.supp "$out/fuzz_$name" "${limit[@]}" -max_len="$max_len" \
                -detect_leaks=$leaks -print_final_stats=1 -artifact_prefix="$out/$name-" "$out/corpus-$name" >"$piece_log" 2>&1; then
            cat "$piece_log" >>"$log"; tail -40 "$piece_log"; echo "fuzz: $name FAILED (log: $log)"; return 1
        fi
        cat "$piece_log" >>"$log"
        local n_done
        n_done=$(sed -n 's/^stat::number_of_executed_units: *//p' "$piece_log" | tail -1)
        execs=$((execs + ${n_done:-0})); left_runs=$((left_runs - ${n_done:-0})); pieces=$((pieces + 1))
        [ "$piece_max" -eq 0 ] || [ "${n_done:-0}" -eq 0 ] && break
    done
    rm -f "$log.piece"
    local elapsed=$((SECONDS - started))
    cov=$(grep -Eo 'cov: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    ft=$(grep -Eo 'ft: [0-9]+' "$log" | tail -1 | cut -d' ' -f2)
    echo "fuzz: $name execs=$execs exec/s=$((execs / (elapsed > 0 ? elapsed : 1))) cov=${cov:-?} ft=${ft:-?} seconds=$elapsed processes=$pieces"
    total=$((total + elapsed))
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
    local name=$1 max_len=$2 mode=${PROC_TARGET_MODE:-} macro; shift 2
    macro=NP_FUZZ_$(tr '[:lower:]' '[:upper:]' <<<"$name")
    "$CLANG" "${FLAGS[@]}" -D"$macro" $(pkg-config --cflags libconfig numa) -o "$out/fuzz_$name" \
        tests/fuzz/fuzz_proc.c "${LIB_SRCS[@]}" $(pkg-config --libs libconfig numa) -lm
    seed "$name" "$@"
    fuzz "$name" "$target_secs" "$max_len" $mode
}
# proc/PID/stat: up to 64 KiB lines (a comm cannot be that long, a hostile
# fixture can).
proc_target stat 66000 $(find tests/fixtures -path '*/proc/[0-9]*/stat' | head -40)
proc_target status 16000 $(find tests/fixtures -path '*/proc/[0-9]*/status' | head -40)
proc_target cgroup 8000 $(find tests/fixtures -path '*/proc/[0-9]*/cgroup' | head -40)
proc_target vmstat 16000 $(find tests/fixtures -path '*/proc/vmstat')
proc_target cpustat 66000 $(find tests/fixtures -path '*/proc/stat' -o -path 'tests/fixtures/procstat/*' -type f | head -40)
proc_target cpulist 4000 $(find tests/fixtures -name cpulist -o -name cpumap | head -40)
PROC_TARGET_MODE=exit-leak-check proc_target config 16000 conf/numaplaced.conf $(find tests/fixtures/conf -type f)
proc_target tasksched 66000 $(find tests/fixtures/sched-guest -name sched)
# Node files of the guest-4node capture: a seed per file the target can
# replace (its first byte picks which, in fuzz_proc.c's order), with the
# real content and with the slit-8node and cpuless-3node ones.
topo_seeds=$out/topology-seeds
rm -rf "$topo_seeds"; mkdir -p "$topo_seeds"
k=0
for pair in 0:node1/meminfo 1:node2/distance 2:online 3:node3/cpulist 4:has_cpu \
            5:node0/hugepages/hugepages-2048kB/free_hugepages 6:node0/hugepages/hugepages-2048kB/nr_hugepages; do
    for fx in guest-4node slit-8node cpuless-3node; do
        f=tests/fixtures/$fx/sys/devices/system/node/${pair#*:}
        [ -f "$f" ] || continue
        { printf "\\$(printf '%03o' "${pair%%:*}")"; cat "$f"; } >"$topo_seeds/s$k"; k=$((k + 1))
    done
done
printf '\007' >"$topo_seeds/s$k"; cat tests/fixtures/guest-4node/sys/devices/system/cpu/online >>"$topo_seeds/s$k"
proc_target topology 8000 "$topo_seeds"/*
echo "fuzz: no crash or leak in any target ($total s)"
