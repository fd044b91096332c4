#!/usr/bin/env bash
# make bench: CPU cost of a full placement cycle on generated sysroot trees
# of 1,000 and 10,000 processes, next to a bare read of the same files, and
# numa_maps parse throughput next to a memchr line count, and the thread
# sampler's cost per sampled thread next to a bare read of the same
# task/TID/stat files. Reports numbers, never judges them: it fails only
# when something does not run, the cycle sees a different tree than was
# generated or the sampler samples nothing or other threads than the tree
# has. Trees are kept in build/bench/ and reused while their parameters and
# the generator are unchanged.
set -euo pipefail
cd "$(dirname "$0")/../.."

OUT=build/bench
SEED=1
SIZES=(1000 10000)
PKGS="numa libevent libconfig libsystemd json-c"

make --no-print-directory build/libnumaplace.a
mkdir -p "$OUT"

# shellcheck disable=SC2046,SC2086
build() {
    cc -std=gnu11 -O2 -Wall -Wextra -Wshadow -D_GNU_SOURCE -Ilib $(pkg-config --cflags $PKGS) \
        -o "$OUT/$1" "tests/bench/$1.c" build/libnumaplace.a $(pkg-config --libs $PKGS) -lm
}
build gensysroot
build bench_cycle

gen_hash=$(sha256sum tests/bench/gensysroot.c | cut -c1-16)
rows="$OUT/rows.tmp"
srows="$OUT/sampler-rows.tmp"
: > "$rows"
: > "$srows"
for n in "${SIZES[@]}"; do
    tree="$OUT/tree-$n"
    stamp="$OUT/tree-$n.stamp"
    key="nprocs $n seed $SEED generator $gen_hash"
    if [[ -d $tree && -f $stamp && $(head -n 1 "$stamp") == "$key" ]]; then
        echo "== reusing $tree"
    else
        echo "== generating $tree"
        rm -rf "$tree" "$stamp"
        gen_out=$("$OUT/gensysroot" "$tree" "$n" "$SEED")
        echo "$gen_out"
        busy=$(awk '$1 == "nprocs" { print $4 }' <<<"$gen_out")
        [[ -n $busy ]] || { echo "bench: gensysroot printed no busy count" >&2; exit 1; }
        # Written last: an interrupted generation is redone next time.
        printf '%s\nbusy %s\n' "$key" "$busy" > "$stamp"
    fi
    busy=$(awk '$1 == "busy" { print $2 }' "$stamp")
    echo "== bench_cycle $tree ($n processes, $busy busy)"
    "$OUT/bench_cycle" "$tree" "$n" "$busy" "$rows" "$srows"
done

{
    echo "numaplace bench: one placement cycle on generated trees (4 nodes x 8 CPUs,"
    echo "~2% busy processes, default config, recording actuator, steady state)"
    echo "host: $(uname -r), $(nproc) CPUs, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
    echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo "CPU ms are process CPU time (user + system), medians; baseline = bare"
    echo "open/read/close of the files a cycle reads; ratios are cycle/baseline"
    echo "and line-count speed/parse speed."
    echo
    printf '%9s %11s %10s %10s %10s %11s %11s %10s\n' processes baseline_ms cycle_ms \
        cycle/base us/process parse_MB/s lines_MB/s lines/parse
    cat "$rows"
    echo
    echo "thread sampler (np_engine_sample_threads, run as between cycles on the last"
    echo "cycle's scored processes): CPU us per sampled thread, medians over passes;"
    echo "bare = open/read/close of the same task/TID/stat files, task dirs listed;"
    echo "threads = task/TID/stat opens seen per pass (checked against the tree)."
    echo
    printf '%9s %8s %8s %14s %17s %12s\n' processes sampled threads bare_us/thread \
        sampler_us/thread sampler/bare
    cat "$srows"
} > "$OUT/results.txt"
rm -f "$rows" "$srows"
echo
cat "$OUT/results.txt"
