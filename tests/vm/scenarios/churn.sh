#!/bin/sh
# churn: a stream of short-lived memhogs (80 MiB, 1-3 s) that exit while
# the placer scans them, plus one long-lived misplaced memhog.  Asserts: the
# daemon is alive, its log has at most NP_MAX_ERRORS (default 5) lines
# containing "error", and the long-lived process ends >= 99% local.
. /scenarios/common.sh
np_topology
# blocker0 keeps the long hog's thread off node 0 (see np_misplaced_body)
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker"
np_hog --mb 300 --threads 1 --first-touch-node 0 --name longhog || np_fail_now "long memhog"
long=$NP_LAST_PID
np_write_conf
np_start_placer
end=$(( $(np_now_cs) + ${NP_CHURN_S:-30} * 100 )) spawned=0
while [ "$(np_now_cs)" -lt "$end" ]; do
	# not via np_hog: we do not wait for ready, and they exit on their own
	memhog --mb 80 --threads 1 --seconds $((spawned % 3 + 1)) \
		--first-touch-node $((spawned % 4)) --name "short$spawned" >/dev/null 2>&1 &
	spawned=$((spawned + 1))
	usleep 500000
done
wait_s=$((NP_DEADLINE))
np_watch 9900 $(( ${NP_CHURN_S:-30} + wait_s )) $long
errors=0
[ -f "$NP_DAEMON_LOG" ] && errors=$(grep -ci error "$NP_DAEMON_LOG")
np_metric "spawned=$spawned error_lines=$errors final_local_pct=$(np_bp_to_pct $NP_FINAL_BP) placer_cpu_s=$(np_placer_cpu_s)"
np_placer_alive; np_check $? "placer died"
[ "$errors" -le "${NP_MAX_ERRORS:-5}" ]; np_check $? "$errors error lines in the daemon log"
[ "$NP_FINAL_MIN_BP" -ge 9900 ]; np_check $? "long-lived hog only $(np_bp_to_pct $NP_FINAL_MIN_BP)% local"
np_finish "$spawned short-lived hogs, $errors error lines, long-lived hog placed"
