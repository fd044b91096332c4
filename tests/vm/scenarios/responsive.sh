#!/bin/sh
# responsive: the misplaced setup (3 busy 300 MiB hogs whose memory is on
# node 0) while `numaplacectl status` and `list` are asked every 0.2 s.
# Memory copies run on the mover threads, so every request must be
# answered (none may give up after numaplacectl's 5 s). Reported, not
# asserted: the latency distribution (p50, p99, max) of requests made while
# moves were in flight, next to the time `numaplacectl --help` takes to run
# at all in the same busy guest, and the socket's own answer time (sock_*:
# ctlping asks the same every 0.1 s, timed inside one process, without a
# process start; every one of its requests must be answered too).
# Asserted: while moves are in flight the event loop runs at its movers'
# nice value (-10), so its own copies do not starve it; at its own (0)
# after.
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
	# Copies can be done in a few seconds, before ten rounds were asked:
	# the rounds after them still count (every answer must come), so
	# keep asking up to 30 s more until there are ten.
	local i
	for i in $(seq 1 150); do
		[ "$(wc -l </tmp/latency)" -ge 10 ] && break
		sleep 0.2
	done
	np_ctl_latency_stop /tmp/latency
	local n fails inflight pn pfails pinflight
	n=$(wc -l </tmp/latency)
	fails=$(awk '$2 != 0 || $5 != 0' /tmp/latency | wc -l)
	awk '$3 > 0' /tmp/latency >/tmp/latency.moving
	inflight=$(wc -l </tmp/latency.moving)
	pn=$(wc -l </tmp/latency.sock)
	pfails=$(awk '$4 != 1' /tmp/latency.sock | wc -l)
	awk '$3 > 0' /tmp/latency.sock >/tmp/latency.sock.moving
	pinflight=$(wc -l </tmp/latency.sock.moving)
	set -- $(np_latency_stats /tmp/latency.moving 1)
	local s50=$1 s99=$2 smax=$3
	set -- $(np_latency_stats /tmp/latency.moving 4)
	local l50=$1 l99=$2 lmax=$3
	set -- $(np_latency_stats /tmp/latency.moving 6)
	local h50=$1 h99=$2 hmax=$3
	set -- $(np_latency_stats /tmp/latency.sock.moving 1)
	local ss50=$1 ss99=$2 ssmax=$3
	set -- $(np_latency_stats /tmp/latency.sock.moving 2)
	np_metric "rounds=$n unanswered=$fails rounds_with_moves_in_flight=$inflight status_p50_s=$s50 status_p99_s=$s99 status_max_s=$smax list_p50_s=$l50 list_p99_s=$l99 list_max_s=$lmax help_p50_s=$h50 help_p99_s=$h99 help_max_s=$hmax"
	np_metric "sock_rounds=$pn sock_unanswered=$pfails sock_rounds_with_moves_in_flight=$pinflight sock_status_p50_s=$ss50 sock_status_p99_s=$ss99 sock_status_max_s=$ssmax sock_list_p50_s=$1 sock_list_p99_s=$2 sock_list_max_s=$3"
	[ "$n" -ge 10 ]; np_check $? "only $n rounds of requests were made"
	[ "$fails" = 0 ]; np_check $? "$fails of $n rounds had a request without an answer"
	# numaplacectl's rounds take about a second in the busy guest and can
	# miss copies of a few seconds; ctlping's every 0.1 s do not.
	[ $((inflight + pinflight)) -ge 1 ]; np_check $? "no status answer (numaplacectl or ctlping) showed a move in flight"
	[ "$pn" -ge 10 ]; np_check $? "ctlping: only $pn rounds"
	# While moves are in flight the loop runs at its movers' nice value when
	# that is below its own (0 here): at 0 it got about a tenth of a CPU a
	# mover copied on. With none in flight, at its own. A round can read
	# the nice value just after the move its status showed ended: at least
	# one in-flight round, and the last round without moves.
	local want=${NP_MOVER_NICE:--10} atwant idle_nice
	[ "$want" -gt 0 ] && want=0
	atwant=$(awk -v w="$want" '$3 > 0 && $5 == w' /tmp/latency.sock | wc -l)
	idle_nice=$(awk '$3 == 0 { n = $5 } END { print n }' /tmp/latency.sock)
	np_metric "loop_nice_in_flight_rounds=$atwant of $pinflight loop_nice_idle=$idle_nice"
	[ "$pinflight" = 0 ] || [ "$atwant" -ge 1 ]
	np_check $? "no ctlping round with moves in flight saw the event loop at its movers' nice $want"
	[ "$idle_nice" = 0 ]; np_check $? "without moves in flight the event loop runs at nice $idle_nice, not its own 0"
	[ "$pfails" = 0 ]; np_check $? "ctlping: $pfails of $pn rounds had a request without an answer"
}

np_ctl_latency_start /tmp/latency
NP_BEFORE_FINISH=np_responsive_check
np_misplaced_body 0
