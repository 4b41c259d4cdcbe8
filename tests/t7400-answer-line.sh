#!/bin/sh
# t7400-answer-line.sh - answering calls on a tty line, as on a serial port
# with a getty: uucico -L /dev/... (and the daemon's "listen /dev/..." line)
# prompts for a login, runs the call, drops the line and answers again.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

brigade_node alpha
brigade_node beta
brigade_system alpha beta "$TRASH/l.a" '"" \r ogin: alpha ssword: pw-alpha'
brigade_permit alpha 'MACHINE=beta READ=/ WRITE=/'
echo 'alpha Never' >beta/Systems
echo 'alpha pw-alpha' >beta/passwd
brigade_permit beta 'LOGNAME=alpha MACHINE=alpha READ=/ WRITE=/ REQUEST=yes SENDFILES=yes'
line_start l

test_expect_success 'uucico -L on a tty answers a call after a login prompt' '
	"$BIN/uucico" -I beta/config -L "$TRASH/l.b" >listen.out 2>listen.err &
	echo $! >listen.pid
	wait_for_line listen.out "^listening" 10 || exit 1
	make_file one 30000 && "$BIN/uucp" -I alpha/config -r one "beta!~/one" &&
	"$BIN/uucico" -I alpha/config -S beta </dev/null >c1.out 2>&1 &&
	same_file one beta/pub/one && grep -q "login: alpha logged in" beta/Log
'
cleanup 'kill $(cat listen.pid) 2>/dev/null'

test_expect_success 'the line is answered again for the next call' '
	make_file two 20000 && "$BIN/uucp" -I alpha/config -r two "beta!~/two" &&
	"$BIN/uucp" -I beta/config -r one "alpha!~/back" &&
	"$BIN/uucico" -I alpha/config -S beta </dev/null >c2.out 2>&1 &&
	same_file two beta/pub/two && same_file one alpha/pub/back &&
	test $(grep -c "login: alpha logged in" beta/Log) -eq 2
'

test_expect_success 'the daemon answers on a "listen /dev/..." line' '
	kill $(cat listen.pid) && n=0 &&
	while kill -0 $(cat listen.pid) 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.05; n=$((n + 1))
	done &&
	! kill -0 $(cat listen.pid) 2>/dev/null &&
	echo "listen $TRASH/l.b" >>beta/config &&
	echo "queue-check 1" >>beta/config || exit 1
	"$BIN/uucico" -I beta/config --daemon >d.out 2>d.err &
	echo $! >listen.pid
	wait_for_line beta/Log "answering calls on" 10 || exit 1
	make_file three 10000 && "$BIN/uucp" -I alpha/config -r three "beta!~/three" &&
	"$BIN/uucico" -I alpha/config -S beta </dev/null >c3.out 2>&1 &&
	same_file three beta/pub/three
'
test_done
