#!/bin/sh
# t2500-bad-line.sh - surviving a bad line: 192 KiB and twenty 2 KB
# small files over a 115200 bit/s line with bit errors (1e-5) and hang-ups
# every 5 to 10 seconds, across as many calls as it takes: every byte intact
# by sha256 (not by the protocol's word), each file received exactly once,
# and a cut-off send resumed at its offset.  bench/run.sh runs the full
# sizes (10 MiB, 500 mails) with the same harness.
. "$(dirname "$0")/lib-uucp.sh"
. "$TOP/bench/lib-badline.sh"
need_brigade

BADLINE_OPTS="--speed 115200 --ber 1e-5 --hangup 5..10"
BADLINE_CALL_TIMEOUT=30
BADLINE_PROTO=g		# g, as both ends of old lines speak it
badline_nodes brigade brigade 7 64 || test_skip_all "cannot set up the nodes"

badline_make_src src 196608 20 || { echo "Bail out! cannot make the files"; exit 1; }

test_expect_success 'Brigade to Brigade: everything through, calls cut short' '
	badline_queue src &&
	badline_run 25 70 &&
	echo "calls=$BADLINE_CALLS seconds=$BADLINE_SECONDS $(badline_counts) resumed=$(badline_resumed)" &&
	cat "$TRASH"/l.stats.* | grep -c "hangups=1" >hangups &&
	test "$(cat hangups)" -ge 1 ||
	{ show_logs s r; false; }
'

test_expect_success 'every byte intact (sha256) and each file received once' '
	badline_check src
'

test_expect_success 'a cut-off send resumed at its offset' '
	test "$(badline_resumed)" -ge 1 ||
	{ grep -a "xfer " "$TRASH"/r/Log; false; }
'

test_expect_success 'the line really was bad: bits flipped, packets resent' '
	flips=$(cat "$TRASH"/l.stats.* | sed -n "s/.*flips=\([0-9]*\).*/\1/p" | awk "{s+=\$1} END {print s}") &&
	echo "flips=$flips $(badline_counts)" &&
	test "$flips" -gt 5 &&
	badline_counts | grep -v "resent=0 "
'

test_expect_success 'each call starts from the line the last one measured' '
	grep -a "starting from the last call" "$TRASH/s/Log" | head -n 3 &&
	grep -a -q -E "g: starting from the last call.s line \(bit-error rate [0-9.]+e-0[5-7], [0-9]+ bytes/s\)" "$TRASH/s/Log" &&
	"$BIN/uustat" -I "$TRASH/s/config" -s r | grep " line=ber:"
'

# A call the line cut after a file, or part of one kept for restart, got
# through shows the link works: the next try is due after the first wait
# (the Systems ";N" minutes, else 5 minutes), not a doubled one, however
# many calls were cut so before; a daemon keeps moving such a queue.
test_expect_success 'calls cut after progress leave the first retry wait, not a doubled one' '
	mkdir -p "$TRASH/cut" && make_file "$TRASH/cut/big" 400000 &&
	brigade_queue s "$TRASH/cut/big" "r!~/cut" &&
	{ CALL_TIMEOUT=30 call brigade s r brigade r s l; true; } &&
	{ CALL_TIMEOUT=30 call brigade s r brigade r s l; true; } &&
	test -n "$(brigade_jobs s)" &&
	cat "$TRASH/s/spool/.Status/r" "$TRASH/r/spool/.Status/s" &&
	for st in "$TRASH/s/spool/.Status/r" "$TRASH/r/spool/.Status/s"; do
		grep -q "result=failed retries=1 " "$st" &&
		last=$(sed -n "s/^last=\([0-9]*\) .*/\1/p" "$st") &&
		next=$(sed -n "s/.* next=\([0-9]*\) .*/\1/p" "$st") &&
		test $((next - last)) -eq 300 || return 1
	done
'

test_done
