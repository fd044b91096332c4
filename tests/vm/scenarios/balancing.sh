#!/bin/sh
# balancing: kernel.numa_balancing changed while numaplaced runs. Under
# coexist (balancing off at start) it is turned on, then off: each change
# is logged once, within two intervals, and status follows it (the kernel
# moves pages / numaplaced moves memory). Under takeover (balancing on at
# start) numaplaced turns it off, turns it off again when someone turns it
# back on, and puts the first value back when it exits (SIGTERM).
. /scenarios/common.sh

nb() { cat /proc/sys/kernel/numa_balancing; }
# Waits (at most 2 intervals + 1 s) for the daemon's log to hold N lines
# matching PATTERN; prints how long it took (s) or "never".
wait_log() { # PATTERN N
	local t0 i=0 limit=$(( (NP_INTERVAL * 2 + 1) * 10 ))
	t0=$(np_now_cs)
	while [ "$(grep -c "$1" "$NP_DAEMON_LOG")" -lt "$2" ]; do
		i=$((i + 1))
		[ "$i" -gt "$limit" ] && { echo never; return 1; }
		usleep 100000
	done
	np_cs_to_s $(( $(np_now_cs) - t0 ))
}
status_line() { numaplacectl status 2>/dev/null | grep '^kernel numa_balancing' | head -1; }

# --- coexist
echo 0 >/proc/sys/kernel/numa_balancing
np_write_conf 'policy = { numa_balancing = "coexist"; };'
np_start_placer
sleep "$NP_INTERVAL"
echo 1 >/proc/sys/kernel/numa_balancing
on_s=$(wait_log 'kernel.numa_balancing is 1: placing CPUs' 1)
np_check $? "coexist: turning balancing on was not logged within two intervals"
np_info "coexist on: status says: $(status_line)"
status_line | grep -q 'the kernel moves'
np_check $? "coexist: status does not say the kernel moves pages: $(status_line)"
echo 0 >/proc/sys/kernel/numa_balancing
off_s=$(wait_log 'kernel.numa_balancing is 0: numaplaced moves memory itself' 1)
np_check $? "coexist: turning balancing off was not logged within two intervals"
sleep "$NP_INTERVAL"
n=$(grep -c 'kernel.numa_balancing is' "$NP_DAEMON_LOG")
[ "$n" = 2 ]; np_check $? "coexist: $n kernel.numa_balancing lines for two changes"
[ "$(nb)" = 0 ]; np_check $? "coexist changed kernel.numa_balancing to $(nb)"
kill "$NP_PLACER_PID"; wait "$NP_PLACER_PID" 2>/dev/null
cp "$NP_DAEMON_LOG" /tmp/coexist.log

# --- takeover
echo 1 >/proc/sys/kernel/numa_balancing
np_write_conf 'policy = { numa_balancing = "takeover"; };'
np_start_placer
sleep 1
[ "$(nb)" = 0 ]; np_check $? "takeover: kernel.numa_balancing is $(nb) after start, not 0"
sleep "$NP_INTERVAL"
echo 1 >/proc/sys/kernel/numa_balancing
again_s=$(wait_log 'policy takeover: kernel.numa_balancing 1 -> 0' 2)
np_check $? "takeover: balancing turned back on was not taken over again within two intervals"
[ "$(nb)" = 0 ]; np_check $? "takeover: kernel.numa_balancing is $(nb), not 0"
kill "$NP_PLACER_PID"; wait "$NP_PLACER_PID" 2>/dev/null
NP_PLACER_PID=
[ "$(nb)" = 1 ]; np_check $? "takeover: kernel.numa_balancing is $(nb) after exit, not 1 again"
grep 'numa_balancing' /tmp/coexist.log "$NP_DAEMON_LOG" | sed 's/^/NPVM: INFO log /'
np_metric "coexist_on_logged_after_s=$on_s coexist_off_logged_after_s=$off_s takeover_again_after_s=$again_s"
np_finish "balancing changes followed: coexist logged on after ${on_s} s and off after ${off_s} s, takeover took it back after ${again_s} s and restored 1 at exit"
