#!/bin/sh
# cancel: one busy 300 MiB hog whose memory is on node 0 (a pinned blocker
# holds node 0's CPU, so the hog is moved to another node). Once `status`
# shows its move in flight with some memory copied, `numaplacectl cancel
# PID`. Checked: progress was visible while copying (part done), the move
# stops part-way (no move in flight, history says cancelled, part of the
# memory on the target and part still on node 0), and the hog has its
# original affinity back. Reported, not asserted: the time from the cancel
# request to no move in flight as status sees it, next to the time
# `numaplacectl --help` takes to start in the same busy guest, and the MiB
# copied when the cancel came.
. /scenarios/common.sh

np_inflight_done_kb() {
	numaplacectl --json status 2>/dev/null | grep -o '"done_bytes":[0-9]*' | head -1 |
		sed 's/.*://' | awk '{ print int($1 / 1024) }'
}

np_topology
np_hog taskset -c "$(np_node_cpus 0)" -- --mb 8 --threads 1 --name blocker0 ||
	np_fail_now "could not start the node 0 blocker"
np_hog --mb 300 --threads 1 --first-touch-node 0 --name hog1 || np_fail_now "could not start the hog"
pid=$NP_LAST_PID
orig=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")
np_start_placer

# Wait (at most 60 s) for the move to be in flight with some memory copied;
# count the different progress figures status showed on the way.
done_kb=
seen=0
last=
for i in $(seq 1 300); do
	done_kb=$(np_inflight_done_kb)
	if [ -n "$done_kb" ] && [ "$done_kb" != "$last" ]; then
		seen=$((seen + 1))
		last=$done_kb
	fi
	[ -n "$done_kb" ] && [ "$done_kb" -gt 16384 ] && break
	usleep 200000
done
# Progress is visible: status showed part of the move copied (one
# migrate_pages call showed 0 until it returned).
[ -n "$done_kb" ] && [ "$done_kb" -gt 0 ] && [ "$done_kb" -lt 307200 ]
np_check $? "no move of pid $pid showed part of its memory copied within 60 s"

t0=$(np_now_cs)
numaplacectl cancel "$pid" >/tmp/ctl.cancel 2>&1
np_check $? "numaplacectl cancel $pid failed: $(head -2 /tmp/ctl.cancel)"
stopped=
for i in $(seq 1 600); do
	if numaplacectl status 2>/dev/null | grep -q "^moves in flight: none"; then
		stopped=$(np_now_cs)
		break
	fi
	usleep 50000
done
[ -n "$stopped" ]; np_check $? "the move was still in flight 30 s after the cancel"
stop_cs=$(( ${stopped:-$(np_now_cs)} - t0 ))
h0=$(np_now_cs)
numaplacectl --help >/dev/null 2>&1
help_cs=$(( $(np_now_cs) - h0 ))

now_cpus=$(awk '/^Cpus_allowed_list/ { print $2 }' "/proc/$pid/status")
set -- $(np_locality "$pid")
local_bp=$4
numaplacectl history >/tmp/ctl.history 2>&1
np_metric "done_mib_at_cancel=$((done_kb / 1024)) progress_figures_seen=$seen cancel_to_stopped_s=$(np_cs_to_s $stop_cs) ctl_help_s=$(np_cs_to_s $help_cs) local_pct_after=$(np_bp_to_pct $local_bp) affinity_before=$orig affinity_after=$now_cpus"
grep -E "[[:space:]]$pid[[:space:]]" /tmp/ctl.history | sed 's/^/NPVM: INFO history /'
grep -E "[[:space:]]$pid[[:space:]]" /tmp/ctl.history | grep -q cancelled
np_check $? "history does not say the move of pid $pid was cancelled"
[ "$now_cpus" = "$orig" ]
np_check $? "affinity after the cancel is $now_cpus, was $orig before the move"
# Part-way: some memory is on the target, most of it is not.
on0=$(probe "$pid" | tr ' ' '\n' | sed -n 's/^node_kb=//p' | tr ',' '\n' | sed -n 's/^0://p')
on0=${on0:-0}
np_metric "node0_kb_after=$on0"
[ "$on0" -gt 65536 ] && [ "$on0" -lt 290000 ]
np_check $? "node 0 holds $on0 kB of the hog after the cancel: not a move stopped part-way"
np_finish "cancelled after $((done_kb / 1024)) MiB; stopped $(np_cs_to_s $stop_cs) s after the request; affinity back to $orig"
