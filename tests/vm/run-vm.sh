#!/bin/bash
# Boot a multi-node NUMA guest (qemu TCG) and run one scenario in it.
#
# usage: tests/vm/run-vm.sh [--nodes N] [--cpus-per-node C] [--mem-per-node MB]
#            [--dist 'matrix'] [--cpuless N] [--placer numaplaced|coexist|numad|kernel|none]
#            [--timeout S] [--interval S] [--append 'k=v ...'] [--log FILE]
#            [--no-build] SCENARIO
#
# A scenario can set its own defaults with a "# vm: --cpus-per-node 2" line.
# Exit status: 0 only if the guest printed "NPVM: PASS <scenario>" and no
# FAIL line.  The serial log is kept in $NP_VM_CACHE/logs/.
set -eu
. "$(dirname "$0")/lib.sh"

nodes=4 cpn=1 mb=1536 dist='' cpuless=0 placer=numaplaced timeout_s=300 interval=3
append='' log='' build=1
usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
# A scenario may ask for a different VM shape with a "# vm: OPTIONS" line;
# those options go first so the command line still overrides them.
scenario_opts=()
for last; do :; done
if [ $# -gt 0 ] && [ -f "$NP_VM_DIR/scenarios/${last}.sh" ]; then
	read -r -a scenario_opts <<<"$(sed -n 's/^# vm: //p' "$NP_VM_DIR/scenarios/$last.sh" | head -n1)"
fi
set -- "${scenario_opts[@]}" "$@"
while [ $# -gt 0 ]; do
	case $1 in
	--nodes) nodes=$2; shift 2 ;;
	--cpus-per-node) cpn=$2; shift 2 ;;
	--mem-per-node) mb=$2; shift 2 ;;
	--dist) dist=$2; shift 2 ;;
	--cpuless) cpuless=$2; shift 2 ;;   # the last N nodes have no CPUs
	--placer) placer=$2; shift 2 ;;
	--timeout) timeout_s=$2; shift 2 ;;
	--interval) interval=$2; shift 2 ;;
	--append) append=$2; shift 2 ;;
	--log) log=$2; shift 2 ;;
	--no-build) build=0; shift ;;
	-h | --help) usage ;;
	-*) echo "unknown option $1" >&2; usage ;;
	*) break ;;
	esac
done
[ $# -eq 1 ] || usage
scenario=$1
case $placer in numaplaced | coexist | numad | kernel | none) ;; *) np_die "bad --placer $placer" ;; esac
[ -f "$NP_VM_DIR/scenarios/$scenario.sh" ] || np_die "no scenario $scenario"

np_ensure_deps
np_fetch_kernel
initrd=$NP_VM_CACHE/initramfs.cpio.gz
if [ "$build" = 1 ] || [ ! -f "$initrd" ]; then
	# The daemon the guest runs is the tree's: build it first, or a stale
	# binary is measured as if it were the tree (it happened: a batch of
	# runs in a worktree measured a binary two sessions old).
	if [ "$NP_VM_DAEMON_DIR" = "$NP_REPO/daemon" ]; then
		make -s -C "$NP_REPO" all >&2 || np_die "cannot build the daemon (make all)"
	fi
	initrd=$(np_build_initramfs)
fi

NP_LOG=${log:-$NP_VM_CACHE/logs/$scenario-$placer.log}
t0=$(date +%s.%N)
np_log "booting $nodes nodes x $cpn cpu x ${mb} MiB, scenario=$scenario placer=$placer (log: $NP_LOG)"
rc=0
np_boot "$nodes" "$cpn" "$mb" "$dist" "$timeout_s" \
	"np.scenario=$scenario np.placer=$placer np.interval=$interval $append" \
	"$initrd" "$cpuless" || rc=$?
t1=$(date +%s.%N)
wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
[ "$rc" -eq 124 ] && np_log "qemu killed after ${timeout_s}s (host timeout)"
np_log "qemu exit $rc after ${wall}s wall"
echo "NPVM: METRIC scenario=$scenario placer=$placer host_wall_s=$wall"
np_verdict "$NP_LOG" "$scenario"
