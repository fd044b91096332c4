#!/bin/sh
# idle: what scanning costs beside thousands of idle processes. 2,000
# sleeping processes and one busy local 200 MiB memhog (the work), then the
# placer runs with the same interval as numad's (run it with --interval 5
# for "both scanning every 5 s"; numad gets -i INTERVAL:INTERVAL). Metrics
# only: the placer's CPU seconds per second over a 30 s window after a
# 10 s warm-up, and the processes it saw. Compare numad and numaplaced
# rows of the same guest setup as a ratio.
. /scenarios/common.sh
np_topology
n=${NP_IDLE_N:-2000}
i=0
while [ "$i" -lt "$n" ]; do
	sleep 100000 &
	i=$((i + 1))
done
np_hog --mb 200 --threads 1 --first-touch-node 1 --name work || np_fail_now "could not start the work"
taskset -p -c "$(np_node_cpus 1)" "$NP_LAST_PID" >/dev/null   # local, and kept so
np_info "$(ls -d /proc/[0-9]* | wc -l) processes"
NP_NUMAD_MIN_INTERVAL=$NP_INTERVAL
np_start_placer
sleep "${NP_WARMUP:-10}"
[ -n "$NP_PLACER_PID" ] || np_fail_now "no placer process to measure"
c0=$(np_cpu_ticks "$NP_PLACER_PID")
t0=$(np_now_cs)
sleep "${NP_WINDOW:-30}"
c1=$(np_cpu_ticks "$NP_PLACER_PID")
t1=$(np_now_cs)
# ticks are centiseconds (USER_HZ 100), like np_now_cs
per_s_milli=$(( (c1 - c0) * 1000 / (t1 - t0) ))
np_metric "idle_processes=$n window_s=$(np_cs_to_s $((t1 - t0))) placer_cpu_s=$(np_cs_to_s $((c1 - c0))) cpu_s_per_s=$(printf "%d.%03d" $((per_s_milli / 1000)) $((per_s_milli % 1000)))"
np_placer_alive; np_check $? "placer died"
np_finish "placer $NP_PLACER used $(np_cs_to_s $((c1 - c0))) s of CPU in $(np_cs_to_s $((t1 - t0))) s beside $n idle processes"
