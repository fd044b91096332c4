#!/bin/sh
# demo: misplaced memhogs, then numaplaced (or np.placer); prints locality
# before and after, numaplacectl status when available, and the daemon log.
# Always PASSes if the workloads ran; it is for humans, not for CI.
. /scenarios/common.sh
np_topology
pids=
for i in 1 2 3; do
	np_hog --mb 300 --threads 1 --first-touch-node 0 --name "hog$i" || np_fail_now "memhog $i"
	pids="$pids $NP_LAST_PID"
done
sleep 1
echo "NPVM: INFO ===== before placement ====="
probe $pids | sed 's/^/NPVM: INFO   /'
np_write_conf
np_start_placer
sleep "${NP_DEMO_S:-$((NP_INTERVAL * 8))}"
echo "NPVM: INFO ===== after $(np_cs_to_s $(($(np_now_cs) - NP_PLACER_START))) s of $NP_PLACER ====="
probe $pids | sed 's/^/NPVM: INFO   /'
set -- $(np_locality $pids)
np_metric "final_local_pct=$(np_bp_to_pct $4) placer_cpu_s=$(np_placer_cpu_s)"
if command -v numaplacectl >/dev/null; then
	echo "NPVM: INFO ===== numaplacectl status ====="
	numaplacectl status 2>&1 | sed 's/^/NPVM: INFO   /'
fi
np_finish "demo done (final local $(np_bp_to_pct $4)%)"
