#!/bin/sh
# reload: after numaplaced has placed a misplaced memhog, a broken config
# is written and SIGHUP sent.  The daemon must keep running, log the
# rejection (a new log line matching reject|invalid|error|parse|fail), and
# the placement must stay unchanged for 3 more intervals.
. /scenarios/common.sh
[ "$NP_PLACER" = numaplaced ] || np_fail_now "reload only makes sense with numaplaced"
np_topology
# As in misplaced: a small busy process pinned to node 0 keeps the hog off
# node 0, so its memory there is remote and numaplaced has to place it.
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker"
np_hog --mb 300 --threads 1 --first-touch-node 0 --name hog1 || np_fail_now "memhog"
pid=$NP_LAST_PID
np_write_conf
np_start_placer
np_watch 9900 "$NP_DEADLINE" $pid
[ -n "$NP_T_ALL" ] || np_fail_now "not placed before the reload (min $(np_bp_to_pct $NP_FINAL_MIN_BP)%)"
# Local alone is not placed: an unpinned hog that happens to run on node 0
# is local with nothing done (seen: numaplaced then bound it, correctly,
# after the reload). Wait for numaplaced's own move to be recorded.
placed=
for i in $(seq 1 $((NP_DEADLINE * 4))); do
	numaplacectl history 2>/dev/null | awk -v p="$pid" '$3 == p { f = 1 } END { exit !f }' && placed=1 && break
	sleep 0.25
done
[ -n "$placed" ] || np_fail_now "numaplaced recorded no move of pid $pid before the reload"
np_watch 9900 "$NP_DEADLINE" $pid
[ -n "$NP_T_ALL" ] || np_fail_now "not local after the move (min $(np_bp_to_pct $NP_FINAL_MIN_BP)%)"
snap0=$(np_snapshot $pid)
lines0=$(wc -l <"$NP_DAEMON_LOG")
printf 'interval = ;\nthis is { not libconfig\n' >"$NP_CONF"
kill -HUP "$NP_PLACER_PID"
sleep $((NP_INTERVAL * 3))
snap1=$(np_snapshot $pid)
new=$(tail -n +$((lines0 + 1)) "$NP_DAEMON_LOG")
np_info "log after SIGHUP: $(echo "$new" | tr '\n' '|')"
np_placer_alive; np_check $? "daemon died after SIGHUP with a broken config"
echo "$new" | grep -qiE 'reject|invalid|error|pars|fail'; np_check $? "no rejection logged"
diff=$(np_same_placement "$snap0" "$snap1" 1024); np_check $? "placement changed: $diff"
np_finish "broken config rejected, daemon alive, placement unchanged"
