#!/bin/sh
# pidreuse: process churn with PIDs coming back. kernel.pid_max is lowered
# to 2048 and a churner forks np.churn_rate (default 1000) short-lived
# processes a second for np.churn_s (default 60) seconds, each touching
# 64 KiB and exiting, beside one misplaced busy 300 MiB hog. Shown: every
# action numaplaced applied was to the hog (start-time identity: no churner
# that took a PID numaplaced had seen got an action), the hog is made
# local, the daemon log stays quiet (lines per minute reported), and the
# daemon's RSS stays flat (within 2 MiB from its first minute to the end).
. /scenarios/common.sh
[ "$NP_PLACER" = numaplaced ] || np_fail_now "pidreuse checks numaplaced's own actions"
np_topology
echo 2048 >/proc/sys/kernel/pid_max || np_fail_now "cannot lower kernel.pid_max"
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 || np_fail_now "blocker"
np_hog --mb 300 --threads 1 --first-touch-node 0 --name longhog || np_fail_now "long memhog"
long=$NP_LAST_PID
np_write_conf
np_start_placer
rss() { awk '/^VmRSS:/ { print $2 }' "/proc/$NP_PLACER_PID/status"; }
secs=${NP_CHURN_S:-60}
churner "${NP_CHURN_RATE:-1000}" "$secs" 64 >/tmp/churner.out 2>&1 &
churner_pid=$!
sleep 10
rss_start=$(rss)
wait "$churner_pid"
np_info "$(cat /tmp/churner.out)"
rss_end=$(rss)
np_watch 9900 $((secs + 10 + NP_DEADLINE)) $long
# Every action in the history is the hog's.
actions=$(numaplacectl --json history --limit 1000 2>/dev/null | sed -n 's/^ *"pid":\([0-9]*\),$/\1/p')
nactions=$(echo "$actions" | grep -c .)
others=$(echo "$actions" | grep -v -x "$long" | sort -u | tr '\n' ' ')
# The daemon's own lines (not -v debug output) per minute of churn.
lines=$(grep -v '\[debug\]' "$NP_DAEMON_LOG" | grep -c .)
errors=$(grep -v '\[debug\]' "$NP_DAEMON_LOG" | grep -ci 'error')
per_min=$((lines * 60 / (secs + 10)))
forked=$(sed -n 's/.*forked \([0-9]*\).*/\1/p' /tmp/churner.out)
wraps=$(sed -n 's/.*pid wraps \([0-9]*\).*/\1/p' /tmp/churner.out)
np_metric "forked=${forked:-0} pid_wraps=${wraps:-0} actions=$nactions actions_on_others=$(echo $others | wc -w) log_lines_per_min=$per_min error_lines=$errors rss_kb_start=$rss_start rss_kb_end=$rss_end final_local_pct=$(np_bp_to_pct $NP_FINAL_BP) placer_cpu_s=$(np_placer_cpu_s)"
np_placer_alive; np_check $? "placer died"
[ "${wraps:-0}" -ge 1 ]; np_check $? "PIDs never wrapped: $(cat /tmp/churner.out)"
[ -z "$others" ]; np_check $? "actions on processes other than the hog: $others"
[ "$nactions" -ge 1 ]; np_check $? "no action on the hog at all"
[ "$errors" -le "${NP_MAX_ERRORS:-5}" ]; np_check $? "$errors error lines in the daemon log"
[ $((rss_end - rss_start)) -le 2048 ]; np_check $? "daemon RSS grew from $rss_start to $rss_end kB"
[ "$NP_FINAL_MIN_BP" -ge 9900 ]; np_check $? "hog only $(np_bp_to_pct $NP_FINAL_MIN_BP)% local"
np_finish "$forked forks, $wraps PID wraps, $nactions actions all on the hog, $per_min log lines/min, RSS $rss_start -> $rss_end kB"
