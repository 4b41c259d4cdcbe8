#!/bin/sh
# t4300-hostile.sh - a Brigade callee against peers that misbehave: writes
# outside WRITE or with "..", an unknown system, a wrong password, random
# bytes on the line, and a peer that vanishes in mid-file (the job stays
# queued and a second call finishes it).
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

line_start l || test_skip_all "no PTY line (uuline or socat)"

if [ "$(id -u)" -eq 0 ] && [ -x "$TAYLOR_UUCICO" ] && id uucp >/dev/null 2>&1; then
	have_taylor=yes
else
	have_taylor=
	say "Taylor UUCP cannot be driven here (not root or not installed): its tests skip"
fi

# (A Taylor caller whose password is refused waits for Shere until its own
# timeout, so that call is cut short with CALL_TIMEOUT; the killed Taylor
# leaves its locks behind, removed before the next call.)

# Brigade callee b1 with default Permissions (WRITE = pubdir) for t1.
brigade_node b1 3 64
brigade_system b1 t1 "$TRASH/l.b"
brigade_permit b1 "LOGNAME=t1 MACHINE=t1 REQUEST=yes"
mkdir -p "$TRASH/outside"
chmod 777 "$TRASH/outside"

if [ -n "$have_taylor" ]; then
test_expect_success 'remote writes outside WRITE and through .. are refused (SN2)' '
	taylor_node t1 && taylor_system t1 b1 "$TRASH/l.a" 3 64 &&
	make_file "$TRASH/payload" 300 &&
	taylor_queue t1 "$TRASH/payload" "b1!$TRASH/outside/x1" &&
	taylor_queue t1 "$TRASH/payload" "b1!~/../../x2" &&
	taylor_queue t1 "$TRASH/payload" "b1!~/sub/../../x3" &&
	taylor_queue t1 "$TRASH/payload" "b1!~/fine" &&
	call taylor t1 b1 brigade b1 t1 l || { show_logs t1 b1; false; }
'

test_expect_success 'nothing written outside; the allowed file arrived' '
	test ! -e "$TRASH/outside/x1" && test ! -e "$TRASH/x2" &&
	test ! -e "$TRASH/b1/x2" && test ! -e "$TRASH/x3" && test ! -e "$TRASH/b1/x3" &&
	test -z "$(find "$TRASH" -name "x[123]" -print)" &&
	same_file "$TRASH/payload" "$TRASH/b1/pub/fine"
'

test_expect_success 'Taylor was told "permission denied" three times' '
	cat "$TRASH/t1/Log" &&
	test "$(grep -c "permission denied by remote" "$TRASH/t1/Log")" -eq 3 &&
	grep -q "Call complete" "$TRASH/t1/Log"
'

test_expect_success 'Brigade logged each refusal' '
	grep -E "refus|denied|SN2|not permitted" "$TRASH/b1/Log" &&
	test "$(grep -c -E "refus|denied|SN2|not permitted" "$TRASH/b1/Log")" -ge 3
'

test_expect_success 'an unknown system is told "You are unknown to me"' '
	taylor_node stranger && taylor_system stranger b1 "$TRASH/l.a" 3 64 &&
	make_file "$TRASH/s-payload" 10 &&
	taylor_queue stranger "$TRASH/s-payload" "b1!~/from-stranger" &&
	logs_rotate b1 &&
	test_must_fail call taylor stranger b1 brigade b1 stranger l &&
	grep "Handshake failed (You are unknown to me)" "$TRASH/stranger/Log" &&
	test ! -e "$TRASH/b1/pub/from-stranger"
'

test_expect_success 'a wrong password is refused (uucico -l)' '
	brigade_node b3 3 64 && brigade_system b3 t3 "$TRASH/l.b" &&
	brigade_permit b3 "LOGNAME=t3 MACHINE=t3" &&
	echo "t3 secret" >"$TRASH/b3/passwd" &&
	taylor_node t3 &&
	taylor_system t3 b3 "$TRASH/l.a" 3 64 "ogin: t3 ssword: wrong" &&
	make_file "$TRASH/p3" 10 && taylor_queue t3 "$TRASH/p3" "b3!~/p3" &&
	CALL_TIMEOUT=10 test_must_fail call taylor t3 b3 brigade b3 - l &&
	test ! -e "$TRASH/b3/pub/p3" &&
	! grep -q "Handshake successful" "$TRASH/t3/Log" &&
	grep -E "wrong login or password|login.*(refused|failed|incorrect)" "$TRASH/b3/Log" ||
	{ show_logs t3 b3; false; }
'

test_expect_success 'the right password is accepted (uucico -l)' '
	sed -i "s/ssword: wrong/ssword: secret/" "$TRASH/t3/sys" &&
	rm -f "$TRASH/t3/lock/"LCK* && logs_rotate t3 &&
	call taylor t3 b3 brigade b3 - l &&
	same_file "$TRASH/p3" "$TRASH/b3/pub/p3" && taylor_call_ok t3 ||
	{ show_logs t3 b3; false; }
'
else
	test_skip 'hostile remote requests from Taylor' 'Taylor UUCP cannot be driven here'
fi

# jobs_only - uustat -a without the ages, which change as time passes
jobs_only() {
	sed -E "s/ [0-9]+[smhd] / /"
}

# random_bytes DEV PID SECONDS - random bytes to DEV while PID lives
random_bytes() {
	_n=$(( $3 * 20 ))
	while [ $_n -gt 0 ] && kill -0 "$2" 2>/dev/null; do
		head -c 256 /dev/urandom || break
		sleep 0.05; _n=$((_n - 1))
	done >"$1"
}

test_expect_success 'random bytes on the line: the callee gives up, spool intact' '
	brigade_node b2 3 64 && brigade_system b2 t2 "$TRASH/l.b" &&
	brigade_permit b2 "LOGNAME=t2 MACHINE=t2" &&
	make_file "$TRASH/q2" 5000 && brigade_queue b2 "$TRASH/q2" "t2!~/q2" &&
	brigade_jobs b2 | jobs_only >"$TRASH/jobs-before" && test -s "$TRASH/jobs-before" &&
	line_fresh l &&
	callee_start brigade b2 t2 "$TRASH/l.b" &&
	pid=$CALLEE_PID &&
	random_bytes "$TRASH/l.a" $pid 10 &&
	_wait_pid $pid 60 && rc=$WAIT_RC &&
	echo "callee exit $rc" &&
	test $rc -ne 0 && test $rc -ne 124 &&
	brigade_jobs b2 | jobs_only >"$TRASH/jobs-after" &&
	test_cmp "$TRASH/jobs-before" "$TRASH/jobs-after" &&
	test -z "$(ls "$TRASH/b2/pub")" ||
	{ show_logs b2; false; }
'

test_expect_success 'random bytes: the log says why the call failed' '
	grep -a -E "call .*role=callee.*result=" "$TRASH/b2/Log" >"$TRASH/call2" &&
	cat -v "$TRASH/call2" && ! grep -q "result=ok" "$TRASH/call2"
'

test_expect_success 'random bytes: the log holds no raw bytes from the wire' '
	! LC_ALL=C grep -a -n "[^[:print:][:space:]]" "$TRASH/b2/Log" | cat -v | grep .
'

# Peer vanishes in mid-file: Brigade a4 sends 10 MiB to Brigade b4; once
# b4 has received a good part, b4 is killed and the line cut.
brigade_node a4 7 4096
brigade_node b4 7 4096
brigade_system a4 b4 "$TRASH/l.a"
brigade_system b4 a4 "$TRASH/l.b"
brigade_permit b4 "LOGNAME=a4 MACHINE=a4"

# received_some NODE BYTES - some file in NODE (not a log) has BYTES or more
received_some() {
	find "$TRASH/$1" -type f -size +"$(( $2 / 1024 ))"k \
		! -name "Log*" ! -name "*.out" ! -name "*.err" | grep -q .
}

test_expect_success 'a peer that vanishes in mid-file leaves the job queued' '
	make_file "$TRASH/big4" 10485760 &&
	brigade_queue a4 "$TRASH/big4" "b4!~/big4" &&
	line_fresh l &&
	caller_start brigade a4 b4 && cp=$CALLER_PID &&
	wait_holds $cp "$TRASH/l.a" 10 && sleep "$CALL_SETTLE" &&
	callee_start brigade b4 a4 "$TRASH/l.b" && ep=$CALLEE_PID &&
	n=300 &&
	while ! received_some b4 1048576 && [ $n -gt 0 ] && kill -0 $ep 2>/dev/null; do
		sleep 0.05; n=$((n - 1))
	done &&
	kill -9 $ep && line_stop l &&
	_wait_pid $ep 5 &&
	_wait_pid $cp 120 && echo "caller exit $WAIT_RC" &&
	test $WAIT_RC -ne 0 && test $WAIT_RC -ne 124 &&
	brigade_jobs a4 | tee "$TRASH/jobs4" && test -s "$TRASH/jobs4" &&
	! same_file "$TRASH/big4" "$TRASH/b4/pub/big4" 2>/dev/null ||
	{ show_logs a4 b4; false; }
'

test_expect_success 'a second call completes the job' '
	logs_rotate a4 b4 &&
	call brigade a4 b4 brigade b4 a4 l &&
	same_file "$TRASH/big4" "$TRASH/b4/pub/big4" &&
	test -z "$(brigade_jobs a4)" && brigade_call_ok a4 ||
	{ show_logs a4 b4; false; }
'

# Restart from an offset is optional in UUCP; say what happened.
if grep -q -E "xfer .*(offset|restart|resum)[a-z]*=[1-9]" "$TRASH/a4/Log" 2>/dev/null; then
	say "the second call resumed: $(grep -E "xfer .*(offset|restart|resum)" "$TRASH/a4/Log")"
else
	say "the second call sent the file from the start"
fi

test_done
