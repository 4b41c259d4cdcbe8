#!/bin/sh
# t7300-progress.sh - an operator watching a call: uucico -S sys -v shows
# each file's progress with its rate and an ETA on stderr, and copies the
# log lines there too.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

brigade_node alpha 7 1024
brigade_node beta 7 1024
brigade_system alpha beta "$TRASH/l.a"
brigade_permit alpha 'MACHINE=beta READ=/ WRITE=/'
echo 'alpha Never Direct 115200 -' >beta/Systems
brigade_permit beta 'LOGNAME=alpha MACHINE=alpha READ=/ WRITE=/ REQUEST=yes SENDFILES=yes'

test_expect_success 'a file sent over a 460800 bit/s line shows progress, rate and ETA' '
	UULINE_ARGS="--speed 460800" line_start l || exit 1
	make_file big 150000 || exit 1
	"$BIN/uucp" -I alpha/config -r big "beta!~/big" || exit 1
	"$BIN/uucico" -I alpha/config -S beta -v </dev/null >out 2>progress &
	pid=$!
	wait_holds $pid "$TRASH/l.a" 10 && sleep "$CALL_SETTLE"
	"$BIN/uucico" -I beta/config -u alpha <l.b >l.b 2>callee.err &
	wait $pid || exit 1
	 same_file big beta/pub/big &&
	tr "\r" "\n" <progress >lines &&
	grep -E "^beta send big: [0-9]+/150000 bytes +[0-9]+% [0-9.]+ kB/s ETA [0-9]+:[0-9][0-9]" lines &&
	grep -E "^beta send big: 150000/150000 bytes 100%" lines &&
	test $(grep -c "ETA" lines) -ge 2 &&
	grep -q "call sys=beta role=caller result=ok" progress
'

test_expect_success 'without -v the same call prints no progress' '
	make_file small 20000 || exit 1
	"$BIN/uucp" -I alpha/config -r small "beta!~/small" || exit 1
	line_fresh l || exit 1
	"$BIN/uucico" -I alpha/config -S beta </dev/null >out2 2>err2 &
	pid=$!
	wait_holds $pid "$TRASH/l.a" 10 && sleep "$CALL_SETTLE"
	"$BIN/uucico" -I beta/config -u alpha <l.b >l.b 2>callee2.err &
	wait $pid || exit 1
	 same_file small beta/pub/small &&
	! grep -q "kB/s" err2
'
test_done
