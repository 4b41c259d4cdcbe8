#!/bin/sh
# t2550-slow-bad-line.sh - surviving a slow, noisy line: a 32 KiB file and
# eight 2 KB small files over 9600 bit/s with a bit-error rate of 1e-4 and
# hang-ups every 15 to 25 seconds, over i (the default on a serial line),
# across as many calls as it takes: every byte intact by sha256, each file
# received exactly once, a cut-off send resumed at its offset, and every
# call after the first starting from the line the last one measured.
# bench/badline.sh runs the full sizes (10 MiB, 500 mails).
. "$(dirname "$0")/lib-uucp.sh"
. "$TOP/bench/lib-badline.sh"
need_brigade

BADLINE_OPTS="--speed 9600 --ber 1e-4 --hangup 15..25"
BADLINE_CALL_TIMEOUT=60
BADLINE_SEED=2550
badline_nodes brigade brigade || test_skip_all "cannot set up the nodes"

badline_make_src src 32768 8 || { echo "Bail out! cannot make the files"; exit 1; }

test_expect_success 'Brigade to Brigade over i: everything through, calls cut short' '
	badline_queue src &&
	badline_run 20 400 &&
	echo "calls=$BADLINE_CALLS seconds=$BADLINE_SECONDS resumed=$(badline_resumed)" &&
	grep -a "protocol i packets" "$TRASH/s/Log" &&
	test "$(cat "$TRASH"/l.stats.* | grep -c "hangups=1")" -ge 1 ||
	{ show_logs s r; false; }
'

test_expect_success 'every byte intact (sha256) and each file received once' '
	badline_check src
'

test_expect_success 'a cut-off send resumed at its offset' '
	test "$(badline_resumed)" -ge 1 ||
	{ grep -a "xfer " "$TRASH"/r/Log; false; }
'

test_expect_success 'the line really was bad: CRC errors and NAKs, packets resent' '
	grep -a -q "protocol i packets: .*resent=[1-9]" "$TRASH/s/Log" &&
	grep -a -q "protocol i packets: .*checksum_errors=[1-9]" "$TRASH/r/Log"
'

test_expect_success 'calls after the first start from the line the last one measured' '
	grep -a "starting from the last call" "$TRASH/s/Log" | head -n 3 &&
	grep -a -q -E "i: starting from the last call.s line \(bit-error rate [0-9.]+e-0[45], [0-9]+ bytes/s\): data packets of ([0-9]{2}|[1-2][0-9]{2}) bytes" "$TRASH/s/Log"
'

# The receiver only answered: its commands, each acknowledged behind a
# window of the sender's data, timed as a few bytes a second.  That makes a
# safe resend timer, but it is not the line, and is not kept as one.
test_expect_success 'the sender keeps the line rate; the receiver no rate of its commands' '
	"$BIN/uustat" -I "$TRASH/s/config" -s r >st.s &&
	"$BIN/uustat" -I "$TRASH/r/config" -s s >st.r &&
	cat st.s st.r &&
	rate=$(sed -n "s/.* line=ber:[0-9.e+-]*,\([0-9]*\)B\/s.*/\1/p" st.s) &&
	test "$rate" -ge 700 && test "$rate" -le 1300 &&
	! grep -q " line=" st.r
'

test_done
