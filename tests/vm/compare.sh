#!/bin/bash
# Compare placers on the misplaced, hugetlb, oversub and spanbal scenarios
# (coexist: numaplaced beside the kernel's balancing, the "kernel +
# numaplaced" row; spanbal's locality is per thread, with balancing on for
# every placer):
#   tests/vm/compare.sh [--duration S] [--placers 'none kernel numad numaplaced coexist']
# Prints one row per scenario x placer: time to 95% local (aggregate), final
# local fraction, pages migrated (pgmigrate_success delta, 4 KiB pages) and
# placer CPU seconds.  Non-numaplaced placers are observed for --duration
# seconds (default 45); numaplaced for its deadline (5 intervals).
set -eu
. "$(dirname "$0")/lib.sh"
duration=45 placers="none kernel numad numaplaced coexist" scenarios="misplaced hugetlb oversub spanbal"
while [ $# -gt 0 ]; do
	case $1 in
	--duration) duration=$2; shift 2 ;;
	--placers) placers=$2; shift 2 ;;
	--scenarios) scenarios=$2; shift 2 ;;
	*) echo "usage: $0 [--duration S] [--placers LIST] [--scenarios LIST]" >&2; exit 2 ;;
	esac
done
np_ensure_deps
np_fetch_kernel
np_build_initramfs >/dev/null
rows=()
for s in $scenarios; do
	for p in $placers; do
		log=$NP_VM_CACHE/logs/compare-$s-$p.log
		"$NP_VM_DIR/run-vm.sh" --no-build --placer "$p" --timeout $((duration + 180)) \
			--append "np.duration=$duration" --log "$log" "$s" >/dev/null 2>&1 || true
		# metric line with the results of the placement phase
		m=$(tr -d '\r' <"$log" | grep -a 'NPVM: METRIC' | grep -a 'final_local_pct=' | tail -n1)
		get() { echo "$m" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
		if [ -z "$m" ]; then
			res=$(tr -d '\r' <"$log" | grep -a -o 'NPVM: FAIL.*' | head -n1 | cut -c1-60)
			rows+=("$(printf '%-10s %-11s %s' "$s" "$p" "${res:-no result}")")
		else
			rows+=("$(printf '%-10s %-11s %12s %10s %14s %10s' "$s" "$p" \
				"$(get time_to_95_s)" "$(get final_local_pct)" "$(get pages_migrated)" "$(get placer_cpu_s)")")
		fi
	done
done
printf '%-10s %-11s %12s %10s %14s %10s\n' scenario placer t95_local_s final_pct pages_migrated placer_cpu
printf '%s\n' "${rows[@]}"
