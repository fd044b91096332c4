#!/bin/sh
# mempolicy: work whose memory someone placed on purpose with a memory
# policy is left alone, CPUs included, whichever way numaplaced reads its
# memory (numa_maps, then page sampling forced by sample_above_mb = 64),
# and a process that takes a policy after numaplaced placed it is given
# its CPUs back.
#   A: numactl --interleave=all (a task policy, MongoDB's documented setup)
#   B: numactl --preferred=1, its thread kept off node 1 by a busy blocker
#   C: 40 MiB default + a 200 MiB buffer mbind()ed interleave (MySQL's
#      innodb_numa_interleave): only that mapping carries the policy
#   D: two workers; worker 0 called set_mempolicy(interleave) on itself and
#      streams a 200 MiB buffer of its own: only task/TID/numa_maps shows it
# Each phase: pgmigrate_success unchanged (64 pages of slack), affinity and
# per-node memory unchanged (1 MiB), `numaplacectl show` gives the policy.
# THP is madvise-only here: khugepaged collapsing an interleaved range
# into one huge page moves memory between nodes (seen: 1.8 MiB onto node
# 0 of A with 0 pages migrated), which is the kernel's doing, not a placer's.
#   E (phase 3): misplaced and default; once numaplaced has placed it, it
#      mbind()s its buffer interleave: its original affinity must come back
#      within 4 intervals.
. /scenarios/common.sh
np_topology
echo madvise >/sys/kernel/mm/transparent_hugepage/enabled || np_fail_now "cannot set THP to madvise"
[ "$NP_PLACER" = numaplaced ] || np_fail_now "mempolicy checks numaplaced's own view; run it with numaplaced"
np_hog taskset -c "$(np_node_cpus 1)" -- --mb 8 --threads 1 --name blocker1 || np_fail_now "blocker"
np_hog numactl --interleave=all -- --mb 200 --threads 1 --name polA || np_fail_now "memhog A"
a=$NP_LAST_PID
np_hog numactl --preferred=1 -- --mb 200 --threads 1 --name polB || np_fail_now "memhog B"
b=$NP_LAST_PID
np_hog --mb 40 --threads 1 --mbind-interleave 200 --first-touch-node 2 --name polC || np_fail_now "memhog C"
c=$NP_LAST_PID
np_hog --mb 64 --threads 2 --thread-interleave 200 --first-touch-node 3 --name polD || np_fail_now "memhog D"
d=$NP_LAST_PID
hogs="$a $b $c $d"
sleep 1
probe $hogs | sed 's/^/NPVM: INFO probe start /'
# The kernel's own words for each policy (parser fixtures come from these).
for p in $hogs; do
	grep -m 3 -E ' (bind|interleave|prefer|weighted)' /proc/$p/numa_maps | sed "s/^/NPVM: INFO numa_maps $p: /"
	for t in $(ls /proc/$p/task); do
		head -n 1 /proc/$p/task/$t/numa_maps | sed "s/^/NPVM: INFO task numa_maps $p\/$t: /"
	done
done

# A phase: numaplaced with EXTRA config for 4 intervals, then checks.
policy_phase() { # policy_phase NAME EXTRA-CONFIG
	local name=$1 mig0 mig snap0 snap1 diff p
	np_write_conf "$2"
	snap0=$(np_snapshot $hogs)
	mig0=$(np_vmstat pgmigrate_success)
	np_start_placer
	sleep $((NP_INTERVAL * 4))
	for p in $hogs; do
		np_ctl_to /tmp/ctl.show show "$p"
		sed "s/^/NPVM: INFO $name show $p: /" /tmp/ctl.show
		grep -q '^reason: mempolicy: memory policy ' /tmp/ctl.show
		np_check $? "$name: show $p gives no memory policy reason: $(head -3 /tmp/ctl.show | tr '\n' '|')"
	done
	np_ctl_to /tmp/ctl.list list --all
	sed "s/^/NPVM: INFO $name list: /" /tmp/ctl.list
	mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
	snap1=$(np_snapshot $hogs)
	np_metric "phase=$name migrated_pages=$mig"
	[ "$mig" -le 64 ]; np_check $? "$name: $mig pages migrated"
	diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "$name: placement changed: $diff"
	grep -E 'nodes [-0-9,]+ -> ' "$NP_DAEMON_LOG" | sed "s/^/NPVM: INFO $name daemon acted: /"
	tail -n 40 "$NP_DAEMON_LOG" | sed "s/^/NPLOG: $name: /"
	np_placer_alive; np_check $? "$name: placer died"
	kill "$NP_PLACER_PID" 2>/dev/null
	wait "$NP_PLACER_PID" 2>/dev/null
	NP_PLACER_PID=
}
policy_phase numa_maps 'candidates = { min_rss_mb = 64; min_cpu = 0.2; };'
policy_phase sampled 'candidates = { min_rss_mb = 64; min_cpu = 0.2; sample_above_mb = 64; };'

# Phase 3: E is placed, then takes a policy of its own.
kill $a $b $c $d 2>/dev/null
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker0"
np_hog --mb 200 --threads 1 --first-touch-node 0 --mbind-on-signal --name polE || np_fail_now "memhog E"
e=$NP_LAST_PID
orig=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$e/status)
np_write_conf 'candidates = { min_rss_mb = 64; min_cpu = 0.2; };'
np_start_placer
limit=$((NP_DEADLINE + 200 / ${NP_MIG_MBPS:-15}))
i=0 placed=
while [ $i -lt $((limit * 2)) ]; do
	placed=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$e/status)
	[ "$placed" != "$orig" ] && break
	i=$((i + 1))
	usleep 500000
done
np_info "E affinity: started $orig, placed $placed after $((i / 2)) s"
if [ "$placed" = "$orig" ]; then
	np_check 1 "E was not placed within ${limit} s (precondition for the release check)"
else
	# Let the memory follow first: mbind waits for the mmap lock that
	# migrate_pages holds while it copies (21 s for 200 MiB under TCG).
	i=0
	while [ $i -lt $((limit * 2)) ]; do
		set -- $(np_locality $e)
		[ "$3" -ge 9900 ] && break
		i=$((i + 1))
		usleep 500000
	done
	np_info "E local after $((i / 2)) s more: $(probe $e)"
	kill -USR1 $e
	i=0
	while ! grep -q 'mbind done' /tmp/hog.$NP_HOGN.out && [ $i -lt 100 ]; do usleep 100000; i=$((i + 1)); done
	grep -q 'mbind done' /tmp/hog.$NP_HOGN.out; np_check $? "E did not mbind: $(cat /tmp/hog.$NP_HOGN.out)"
	t0=$(np_now_cs)
	i=0 now=$placed
	while [ $i -lt $((NP_INTERVAL * 4 * 2)) ]; do
		now=$(awk '/^Cpus_allowed_list/ { print $2 }' /proc/$e/status)
		[ "$now" = "$orig" ] && break
		i=$((i + 1))
		usleep 500000
	done
	np_metric "phase=release released_after_s=$(np_cs_to_s $(( $(np_now_cs) - t0 )))"
	[ "$now" = "$orig" ]; np_check $? "E's affinity not given back after its mbind: $now (started $orig)"
	np_ctl_to /tmp/ctl.show show "$e"
	sed "s/^/NPVM: INFO release show $e: /" /tmp/ctl.show
	grep -q '^reason: mempolicy: memory policy interleave' /tmp/ctl.show
	np_check $? "release: show $e gives no memory policy reason"
fi
np_placer_alive; np_check $? "placer died"
# What reading policies costs a large 4 KiB-page process: a full numa_maps
# read (a sampled process's rescan) against the 128-byte head numaplaced
# reads per thread, and the process's longest mmap+munmap meanwhile.
kill $e 2>/dev/null
mapscost --mb 512 --reads 10 | sed 's/^MAPSCOST /NPVM: METRIC scenario=mempolicy placer=numaplaced cost: /'
np_finish "interleave, preferred, mbind and thread policies untouched on both paths; a policy taken after placement released E"
