#!/bin/sh
# demo: three busy 300 MiB memhogs first-touch node 0 (a pinned blocker
# keeps node 0's one CPU busy, so their threads run elsewhere), then np.placer runs until every hog is at least 95% local or
# np.demo_s seconds (default 90) pass. For each hog it prints a before and
# after table (memory per node, the node its threads run on, locality, the
# time it took, and numaplaced's own account from `history`), and one
# METRIC line that tests/vm/demo.sh sets beside the other placers' runs.
# FAILs when the hogs are not local by the deadline, except for placer
# none, which is there to show what happens without a placer.
. /scenarios/common.sh
np_topology
# A busy blocker keeps node 0's CPU, so the hogs' threads run elsewhere.
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker"
pids=
for i in 1 2 3; do
	np_hog --mb 300 --threads 1 --first-touch-node 0 --name "hog$i" || np_fail_now "memhog $i"
	pids="$pids $NP_LAST_PID"
done
sleep 1
for p in $pids; do probe "$p" >"/tmp/demo.before.$p"; done
base=$(np_vmstat pgmigrate_success)
np_write_conf
np_start_placer
deadline=$((${NP_DEMO_S:-90} * 100))
# Since when (cs since the placer started) each hog has read >= 95% local
# without a drop: a thread the scheduler puts on node 0 for a moment reads
# local there, so one reading is not enough. Done when all are at once.
: >/tmp/demo.reached
while :; do
	now=$(($(np_now_cs) - NP_PLACER_START))
	all=1
	for p in $pids; do
		set -- $(np_locality "$p")
		if [ "$3" -lt 9500 ]; then
			all=0
			sed -i "/^$p /d" /tmp/demo.reached
		elif ! grep -q "^$p " /tmp/demo.reached; then
			echo "$p $now" >>/tmp/demo.reached
		fi
	done
	[ $all = 1 ] && break
	[ "$now" -ge "$deadline" ] && break
	sleep 0.5
done
elapsed=$(($(np_now_cs) - NP_PLACER_START))
# /proc/vmstat counts a migrate_pages call's pages when the call returns:
# let numaplaced's copies in flight finish (30 s at most) before reading.
if [ "$NP_PLACER" = numaplaced ] && command -v numaplacectl >/dev/null; then
	i=0
	while [ $i -lt 60 ] && ! numaplacectl status 2>/dev/null | grep -q "moves in flight: none"; do
		sleep 0.5
		i=$((i + 1))
	done
fi
migrated=$(($(np_vmstat pgmigrate_success) - base))

# row LABEL BEFORE AFTER: one line of a workload's table.
row() { printf 'NPVM: INFO   %-15s %-28s %s\n' "$1" "$2" "$3"; }
# mem "PROBE line": memory per node in MiB.
mem() { np_field "$1" node_kb | tr ',' '\n' | awk -F: '{ printf "%s%s:%d", (NR > 1 ? " " : ""), $1, $2 / 1024 }'; }
runs_on() { echo "node $(np_field "$1" run_nodes)"; }
local_pct() { np_bp_to_pct "$(np_field "$1" local_bp)"; }
# The least a placer could have moved for where the hogs ended: each hog's
# memory that was not already on the nodes its threads end on.
needed_kb=0
n=0
for p in $pids; do
	n=$((n + 1))
	before=$(cat "/tmp/demo.before.$p")
	after=$(probe "$p")
	needed_kb=$((needed_kb + $(np_field "$before" node_kb | tr ',' '\n' |
		awk -F: -v ends=",$(np_field "$after" run_nodes)," '{ if (index(ends, "," $1 ",") == 0) kb += $2 } END { print kb + 0 }')))
	reached=$(awk -v p="$p" '$1 == p { print $2 }' /tmp/demo.reached)
	echo "NPVM: INFO ----- hog$n (pid $p, $(($(np_field "$before" total_kb) / 1024)) MiB) -----"
	row "" "before" "after $(np_cs_to_s "$elapsed") s of $NP_PLACER"
	row "memory (MiB)" "$(mem "$before")" "$(mem "$after")"
	row "threads run on" "$(runs_on "$before")" "$(runs_on "$after")"
	row "local" "$(local_pct "$before")%" "$(local_pct "$after")%"
	if [ -n "$reached" ]; then reached="$(np_cs_to_s "$reached") s"; else reached="not reached"; fi
	row "95% local after" "" "$reached"
	if [ "$NP_PLACER" = numaplaced ] && command -v numaplacectl >/dev/null; then
		# From the JSON reply (one key per line), oldest action first.
		numaplacectl --json history --pid "$p" 2>&1 | awk -F'"' '
			function flush() { if (have) line[++n] = sprintf("CPUs on nodes %s -> %s, %.0f MiB moved in %.1f s, %s, locality after %.0f%%", from, to, mib, ms / 1000, res, after); have = 0 }
			$2 == "time" { flush() }
			$2 == "pid" { have = 1 }
			$2 == "from" { from = $4 } $2 == "to" { to = $4 } $2 == "result" { res = $4 }
			$2 == "moved_bytes" { split($3, v, /[:,]/); mib = v[2] / 1048576 }
			$2 == "duration_ms" { split($3, v, /[:,]/); ms = v[2] }
			$2 == "locality_after" { split($3, v, /[:,]/); after = v[2] * 100 }
			END { flush(); for (i = n; i >= 1 && i > n - 3; i--) print line[i] }' | while read -r line; do
			row "numaplaced did" "" "$line"
		done
	fi
done
set -- $(np_locality $pids)
final=$4 min=$3
all_s=never
[ $all = 1 ] &&
	all_s=$(np_cs_to_s "$(awk '$2 > m { m = $2 } END { print m + 0 }' /tmp/demo.reached)")
np_metric "all_local_95_s=$all_s final_local_pct=$(np_bp_to_pct "$final") min_local_pct=$(np_bp_to_pct "$min") pages_migrated=$migrated remote_pages_before=$((needed_kb / 4)) placer_cpu_s=$(np_placer_cpu_s) watched_s=$(np_cs_to_s "$elapsed")"
if [ "$NP_PLACER" = numaplaced ] && command -v numaplacectl >/dev/null; then
	echo "NPVM: INFO ----- numaplacectl status -----"
	numaplacectl status 2>&1 | sed 's/^/NPVM: INFO   /'
fi
if [ "$NP_PLACER" != none ]; then
	np_check $([ "$all_s" != never ]; echo $?) "not every hog reached 95% local in ${NP_DEMO_S:-90} s (final $(np_bp_to_pct "$final")%)"
fi
if [ "$all_s" = never ]; then
	np_finish "not every hog got local in $(np_cs_to_s "$elapsed") s (final $(np_bp_to_pct "$final")% local)"
else
	np_finish "every hog 95% local after $all_s s (final $(np_bp_to_pct "$final")%, $migrated pages migrated)"
fi
