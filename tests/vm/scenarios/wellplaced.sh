#!/bin/sh
# wellplaced: one busy memhog per node, each first-touching its own node;
# unpinned but local.  A placer must leave them alone: no pages migrated
# (pgmigrate_success unchanged, small slack for kernel noise) and
# affinity/cgroup unchanged.
# Why 2 CPUs per node: with single-CPU nodes the guest scheduler (NUMA
# balancing off) swaps busy unpinned threads between nodes within seconds,
# so "unpinned but local" does not last; with two CPUs per node the
# threads stay within their node.  Why taskset first: while the hogs start
# one after the other the scheduler may spread them anywhere; each hog
# starts under taskset on its node (memhog restores that inherited affinity
# after first touch) and all are unpinned once all four run.
# vm: --cpus-per-node 2
. /scenarios/common.sh
np_topology
pids=
for n in $(np_nodes); do
	np_hog taskset -c "$(np_node_cpus $n)" -- --mb 200 --threads 1 --first-touch-node "$n" --name "local$n" ||
		np_fail_now "could not start memhog on node $n"
	pids="$pids $NP_LAST_PID"
done
all=$(cat /sys/devices/system/cpu/online)
for p in $pids; do taskset -a -p -c "$all" "$p" >/dev/null; done
# The precondition depends on the guest scheduler keeping each thread on
# its node; give it up to 10 s to settle, else the scenario would test
# something else.
i=0
while :; do
	sleep 2
	set -- $(np_locality $pids)
	[ "$3" -ge 9900 ] && break
	i=$((i + 1))
	if [ $i -ge 5 ]; then
		probe $pids | sed 's/^/NPVM: INFO probe unsettled /'
		np_fail_now "precondition: hogs not local before the placer started (min $(np_bp_to_pct $3)%)"
	fi
done
probe $pids | sed 's/^/NPVM: INFO probe before /'
snap0=$(np_snapshot $pids)
mig0=$(np_vmstat pgmigrate_success)
np_write_conf
np_start_placer
sleep $((NP_INTERVAL * 4))
probe $pids | sed 's/^/NPVM: INFO probe after /'
snap1=$(np_snapshot $pids)
mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
set -- $(np_locality $pids)
np_metric "pages_migrated=$mig final_local_pct=$(np_bp_to_pct $4) placer_cpu_s=$(np_placer_cpu_s)"
np_placer_alive; np_check $? "placer died"
[ "$mig" -le "${NP_MIGRATE_SLACK:-64}" ]; np_check $? "$mig pages migrated (expected none)"
diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "placement changed: $diff"
np_finish "4 local hogs untouched, $mig pages migrated"
