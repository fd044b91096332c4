#!/bin/sh
# cgroup: a busy misplaced memhog alone in the cgroup v2 group
# /sys/fs/cgroup/np-test (cpuset enabled).  With actuator.use_cgroup the
# placer must place it through the group's cpuset.cpus/cpuset.mems: those
# get set to a proper subset and the memory follows (>= 99% local and
# inside cpuset.mems).
. /scenarios/common.sh
np_topology
np_cgroup_misplaced_hog
cg=$NP_CG pid=$NP_LAST_PID
np_info "memhog cgroup: $(cat /proc/$pid/cgroup) cpus='$(cat $cg/cpuset.cpus)' mems='$(cat $cg/cpuset.mems)'"
np_write_conf 'actuator = { migrate_mb_per_s = 1024; use_cgroup = true; };'
np_start_placer
# Watch the whole deadline (5 intervals + 12 s to copy 300 MiB under TCG)
# and judge the final state.
limit=$((NP_DEADLINE + 300 / ${NP_MIG_MBPS:-20}))
NP_WATCH_STOP_EARLY=0 np_watch 9900 "$limit" $pid
cpus=$(cat $cg/cpuset.cpus) mems=$(cat $cg/cpuset.mems)
np_info "after: cpuset.cpus='$cpus' cpuset.mems='$mems' effective mems='$(cat $cg/cpuset.mems.effective)'"
np_metric "time_to_99_s=${NP_T_ALL:+$(np_cs_to_s $NP_T_ALL)} final_local_pct=$(np_bp_to_pct $NP_FINAL_BP) cpuset_cpus=$cpus cpuset_mems=$mems"
[ -n "$cpus" ] && [ -n "$mems" ]; np_check $? "cpuset.cpus/cpuset.mems of np-test not set"
[ "$NP_FINAL_MIN_BP" -ge 9900 ]; np_check $? "not >= 99% local after ${limit}s ($(np_bp_to_pct $NP_FINAL_MIN_BP)%)"
# memory within cpuset.mems: every node holding > 1 MiB must be in mems
allowed=",$(np_expand_list "$(cat $cg/cpuset.mems.effective)"),"
out=$(probe $pid | tr ' ' '\n' | sed -n 's/^node_kb=//p' | tr ',' '\n' |
	awk -F: -v ok="$allowed" '$2 > 1024 && index(ok, "," $1 ",") == 0 { print $1 }')
[ -z "$out" ]; np_check $? "memory on nodes $out outside cpuset.mems=$mems"
np_placer_alive; np_check $? "placer died"
np_finish "placed via cgroup np-test (cpus=$cpus mems=$mems)"
