#!/bin/sh
# responsive: the misplaced setup (3 busy 300 MiB hogs whose memory is on
# node 0) while `numaplacectl status` and `list` are asked every 0.2 s.
# Memory copies run on the mover threads, so every request must be
# answered (none may give up after numaplacectl's 5 s). Reported, not
# asserted: the latency distribution (p50, p99, max) of requests made while
# moves were in flight, next to the time `numaplacectl --help` takes to run
# at all in the same busy guest.
. /scenarios/common.sh

# p50 p99 max of column COL of FILE's lines (centiseconds -> seconds).
np_latency_stats() { # FILE COL
	awk -v c="$2" '{ print $c }' "$1" | sort -n >/tmp/lat.col
	local n p50 p99 max
	n=$(wc -l </tmp/lat.col)
	[ "$n" -gt 0 ] || { echo "0 0 0"; return; }
	p50=$(sed -n "$(( (n + 1) / 2 ))p" /tmp/lat.col)
	p99=$(sed -n "$(( (n * 99 + 99) / 100 ))p" /tmp/lat.col)
	max=$(tail -1 /tmp/lat.col)
	echo "$(np_cs_to_s "$p50") $(np_cs_to_s "$p99") $(np_cs_to_s "$max")"
}

np_responsive_check() {
	np_ctl_latency_stop
	local n fails inflight
	n=$(wc -l </tmp/latency)
	fails=$(awk '$2 != 0 || $5 != 0' /tmp/latency | wc -l)
	awk '$3 > 0' /tmp/latency >/tmp/latency.moving
	inflight=$(wc -l </tmp/latency.moving)
	set -- $(np_latency_stats /tmp/latency.moving 1)
	local s50=$1 s99=$2 smax=$3
	set -- $(np_latency_stats /tmp/latency.moving 4)
	local l50=$1 l99=$2 lmax=$3
	set -- $(np_latency_stats /tmp/latency.moving 6)
	np_metric "rounds=$n unanswered=$fails rounds_with_moves_in_flight=$inflight status_p50_s=$s50 status_p99_s=$s99 status_max_s=$smax list_p50_s=$l50 list_p99_s=$l99 list_max_s=$lmax help_p50_s=$1 help_p99_s=$2 help_max_s=$3"
	[ "$n" -ge 10 ]; np_check $? "only $n rounds of requests were made"
	[ "$fails" = 0 ]; np_check $? "$fails of $n rounds had a request without an answer"
	[ "$inflight" -ge 1 ]; np_check $? "no status answer showed a move in flight"
}

np_ctl_latency_start /tmp/latency
NP_BEFORE_FINISH=np_responsive_check
np_misplaced_body 0
