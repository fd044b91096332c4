#!/bin/sh
# cgroupro: the cgroup scenario with the cgroup tree read-only (as under
# ProtectControlGroups=yes, or a container's /sys/fs/cgroup). A busy
# misplaced memhog alone in /sys/fs/cgroup/np-test would be placed through
# the group's cpuset; every write there now fails with EROFS. numaplaced must
# place it by thread affinity instead (>= 99% local, its affinity a proper
# subset of the CPUs), leave the group's cpuset as it was, say so in one
# warning, log no error and stay up.
. /scenarios/common.sh
np_topology
np_cgroup_misplaced_hog
cg=$NP_CG pid=$NP_LAST_PID
cpus_before=$(cat $cg/cpuset.cpus) mems_before=$(cat $cg/cpuset.mems)
mount -o remount,ro /sys/fs/cgroup || np_fail_now "cannot remount /sys/fs/cgroup read-only"
if (echo "$cpus_before" >$cg/cpuset.cpus) 2>/tmp/ro.err; then
	np_fail_now "precondition: $cg/cpuset.cpus still writable"
fi
np_info "cgroup tree read-only: $(cat /tmp/ro.err)"
np_write_conf 'actuator = { migrate_mb_per_s = 1024; use_cgroup = true; };'
np_start_placer
limit=$((NP_DEADLINE + 300 / ${NP_MIG_MBPS:-20}))
NP_WATCH_STOP_EARLY=0 np_watch 9900 "$limit" $pid
cpus=$(cat $cg/cpuset.cpus) mems=$(cat $cg/cpuset.mems)
affinity=$(taskset -pc $pid 2>/dev/null | sed 's/.*: //')
warnings=$(grep -c 'cgroup tree not writable' "$NP_DAEMON_LOG")
errors=$(grep -c '\[err\]\|\[crit\]\|\[alert\]' "$NP_DAEMON_LOG")
np_info "after: affinity '$affinity', cpuset.cpus '$cpus' (was '$cpus_before'), cpuset.mems '$mems' (was '$mems_before')"
np_info "$(grep -m1 'cgroup tree not writable' "$NP_DAEMON_LOG")"
np_metric "time_to_99_s=${NP_T_ALL:+$(np_cs_to_s $NP_T_ALL)} final_local_pct=$(np_bp_to_pct $NP_FINAL_BP) affinity=$affinity warnings=$warnings error_lines=$errors"
[ "$NP_FINAL_MIN_BP" -ge 9900 ]; np_check $? "not >= 99% local after ${limit}s ($(np_bp_to_pct $NP_FINAL_MIN_BP)%)"
[ "$cpus" = "$cpus_before" ] && [ "$mems" = "$mems_before" ]; np_check $? "the group's cpuset changed: cpus '$cpus' mems '$mems'"
ncpus_placed=$(np_expand_list "$affinity" | tr ',' '\n' | grep -c .)
[ -n "$affinity" ] && [ "$ncpus_placed" -lt "$(nproc --all)" ]
np_check $? "affinity '$affinity' is not a proper subset of the CPUs"
[ "$warnings" = 1 ]; np_check $? "$warnings 'cgroup tree not writable' lines, wanted 1"
[ "$errors" = 0 ]; np_check $? "$errors error lines: $(grep '\[err\]' "$NP_DAEMON_LOG" | head -3 | tr '\n' '|')"
np_placer_alive; np_check $? "placer died"
np_finish "read-only cgroup tree: placed by thread affinity ($affinity), group cpuset untouched, one warning"
