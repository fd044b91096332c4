#!/bin/sh
# oversub: more busy processes than CPUs. Five busy 300 MiB memhogs on four
# one-CPU nodes, hog i's memory first touched on node i mod 4 (node 0 holds
# two), threads then free. No placement makes every
# hog local (two must share a CPU), and the scheduler keeps moving tasks
# between the nodes; kernel balancing chases them with page migrations
# (3.6x the minimal pages in an earlier run). Metrics only, for every
# placer (run it with --placer kernel, coexist, numaplaced): pages
# migrated, the first time the hogs are 95% local together, locality
# averaged over the whole run (the same NP_DURATION for each), final
# locality and the placer's CPU. The pages of different placers are
# compared as a ratio in docs/comparison.md, not judged here.
. /scenarios/common.sh
np_topology
nodes=$(np_nodes | wc -l)
n=${NP_HOGS_N:-5}
pids=
i=0
while [ "$i" -lt "$n" ]; do
	np_hog --mb "${NP_HOG_MB:-300}" --threads 1 --first-touch-node $((i % nodes)) --name "over$i" ||
		np_fail_now "could not start memhog $i"
	pids="$pids $NP_LAST_PID"
	i=$((i + 1))
done
sleep 1
set -- $(np_locality $pids)
np_metric "phase=before local_pct=$(np_bp_to_pct $4) remote_kb=$1 total_kb=$2"
probe $pids | sed 's/^/NPVM: INFO probe before /'
mig0=$(np_vmstat pgmigrate_success)
np_write_conf
np_start_placer
duration=${NP_DURATION:-60}
NP_WATCH_STOP_EARLY=0 np_watch 9900 "$duration" $pids
mig=$(( $(np_vmstat pgmigrate_success) - mig0 ))
np_metric "time_to_95_s=${NP_T_95:+$(np_cs_to_s $NP_T_95)} pages_migrated=$mig avg_local_pct=$(np_bp_to_pct $NP_AVG_BP) final_local_pct=$(np_bp_to_pct $NP_FINAL_BP) min_local_pct=$(np_bp_to_pct $NP_FINAL_MIN_BP) placer_cpu_s=$(np_placer_cpu_s) duration_s=$duration"
np_placer_alive; np_check $? "placer died"
np_finish "metrics only for placer $NP_PLACER (average local $(np_bp_to_pct $NP_AVG_BP)%, $mig pages migrated)"
