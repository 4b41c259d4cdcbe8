#!/bin/sh
# t4600-tcp.sh - calls over TCP on loopback: Brigade's built-in listener
# (uucico -L, a login prompt per call) and one call answered on stdin as
# inetd or a systemd socket would hand it over (socat stands in for inetd).
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

port=$(( 20000 + $$ % 20000 ))
brigade_node alpha 7 1024
brigade_node beta 7 1024
printf '%s\n' "beta Any TCP $port 127.0.0.1 \"\" \\r ogin: alpha ssword: pw-alpha" >alpha/Systems
echo 'TCP - - Any TCP' >alpha/Devices
echo 'alpha Never' >beta/Systems
echo 'alpha pw-alpha' >beta/passwd
echo 'LOGNAME=alpha MACHINE=alpha READ=/ WRITE=/ REQUEST=yes SENDFILES=yes' >beta/Permissions
echo 'MACHINE=beta READ=/ WRITE=/ REQUEST=yes' >alpha/Permissions

test_expect_success 'uucico -L listens on a loopback port' '
	"$BIN/uucico" -I beta/config -L 127.0.0.1:$port >listen.out 2>listen.err &
	echo $! >listen.pid &&
	wait_for_line listen.out "^listening" 10
'
cleanup 'kill $(cat listen.pid) 2>/dev/null'

test_expect_success 'files both ways in one TCP call' '
	make_file a2b 100000 && make_file b2a 70000 &&
	"$BIN/uucp" -I alpha/config -r a2b "beta!~/a2b" &&
	"$BIN/uucp" -I beta/config -r b2a "alpha!~/b2a" &&
	"$BIN/uucico" -I alpha/config -S beta &&
	same_file a2b beta/pub/a2b && same_file b2a alpha/pub/b2a &&
	brigade_call_ok alpha && grep -q "login: alpha logged in" beta/Log
'

test_expect_success 'a wrong password over TCP is refused and nothing moves' '
	sed -i "s/pw-alpha\$/wrong/" alpha/Systems &&
	make_file again 1000 &&
	"$BIN/uucp" -I alpha/config -r again "beta!~/again" &&
	test_must_fail "$BIN/uucico" -I alpha/config -S beta &&
	! test -e beta/pub/again &&
	"$BIN/uustat" -I alpha/config -a | grep -q again &&
	grep -q "wrong login or password" beta/Log
'

test_expect_success 'the failed call is in the status with its reason' '
	"$BIN/uustat" -I alpha/config -s beta >st &&
	grep -i -q "fail" st
'

test_expect_success 'a call answered on stdin (inetd style) completes' '
	command -v socat >/dev/null || { echo "socat missing"; exit 1; }
	kill $(cat listen.pid) && n=0 &&
	while kill -0 $(cat listen.pid) 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.05; n=$((n + 1))
	done &&
	sed -i "s/wrong\$/pw-alpha/" alpha/Systems || exit 1
	socat TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr EXEC:"$BIN/uucico -I beta/config -l" \
		2>socat.err &
	echo $! >socat.pid
	# until socat listens (/proc/net/tcp state 0A)
	hex=$(printf ":%04X " $port) && n=0 &&
	until grep -q "${hex}00000000:0000 0A " /proc/net/tcp || [ $n -gt 100 ]; do
		sleep 0.05; n=$((n + 1))
	done &&
	"$BIN/uucico" -I alpha/config -S beta &&
	same_file again beta/pub/again
'
cleanup 'kill $(cat socat.pid) 2>/dev/null'

test_done
