#!/bin/sh
# t7000-daemon.sh - uucico --daemon on node hub with three neighbours that
# answer over TCP on loopback: n1 (Any), n2 (Any/C: urgent grades only)
# and n3 (nobody listens: every call fails).  Work is queued at random
# instants while the daemon runs.  Checks: everything for n1 and the
# urgent work for n2 arrives, n2's bulk work stays queued (outside its
# window), never two calls at once with one system, n3 backs off with
# growing waits and its status says why, SIGHUP reloads, SIGTERM ends it.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

base=$(( 20000 + ($$ % 2000) * 10 ))
P1=$((base + 1)) P2=$((base + 2)) P3=$((base + 3)) P5=$((base + 5))

# callee NAME PORT - a neighbour answering TCP calls from hub
callee() {
	brigade_node "$1"
	echo "hub secret" >"$TRASH/$1/passwd"
	echo "hub Never TCP $base 127.0.0.1 ogin: $1 ssword: pw1" >"$TRASH/$1/Systems"
	brigade_permit "$1" "LOGNAME=hub MACHINE=hub READ=/ WRITE=/ REQUEST=yes"
	"$BIN/uucico" -I "$TRASH/$1/config" -L "127.0.0.1:$2" >"$TRASH/$1/listen.out" 2>&1 &
	echo $! >>"$TRASH/.pids"
}
cleanup 'for p in $(cat "$TRASH/.pids" 2>/dev/null); do kill $p; done'

brigade_node hub
cat >>"$TRASH/hub/config" <<EOF
queue-check 0.2
retry-time 2
max-call-time 3
listen 127.0.0.1:$base
EOF
echo "n1 pw1" >"$TRASH/hub/passwd"
chat='ogin: hub ssword: secret'
cat >"$TRASH/hub/Systems" <<EOF
n1 Any TCP $P1 127.0.0.1 $chat
n2 Any/C TCP $P2 127.0.0.1 $chat
n3 Any TCP $P3 127.0.0.1 $chat
EOF
brigade_permit hub "MACHINE=n1:n2:n3 LOGNAME=n1 READ=/ WRITE=/"
mkdir -p "$TRASH/src"

test_expect_success 'neighbours listen, the daemon starts' '
	callee n1 $P1 && callee n2 $P2 &&
	wait_for_line "$TRASH/n1/listen.out" "^listening" &&
	wait_for_line "$TRASH/n2/listen.out" "^listening" || exit 1
	"$BIN/uucico" -I "$TRASH/hub/config" --daemon >"$TRASH/hub/daemon.out" 2>&1 &
	echo $! >"$TRASH/daemon.pid" && echo $! >>"$TRASH/.pids" &&
	wait_for_line "$TRASH/hub/daemon.out" "^daemon ready"
'

test_expect_success 'work queued at random instants while it runs' '
	i=0 &&
	while [ $i -lt 8 ]; do
		make_file "$TRASH/src/f$i" $((1000 + i * 3000)) &&
		case $((i % 4)) in
		0|1) brigade_queue hub "$TRASH/src/f$i" "n1!~/f$i" ;;
		2) brigade_queue hub -g A "$TRASH/src/f$i" "n2!~/f$i" ;;
		3) brigade_queue hub "$TRASH/src/f$i" "n3!~/f$i" ;;
		esac || exit 1
		sleep 0.$(( $(od -An -N1 -tu1 /dev/urandom) % 9 + 1 ))
		i=$((i + 1))
	done &&
	make_file "$TRASH/src/bulk" 5000 &&
	brigade_queue hub -g n "$TRASH/src/bulk" "n2!~/bulk"
'

test_expect_success 'all of n1 and the urgent work of n2 arrive' '
	for i in 0 1 4 5; do
		wait_for_file "$TRASH/n1/pub/f$i" 30 && same_file "$TRASH/src/f$i" "$TRASH/n1/pub/f$i" ||
			{ show_logs hub n1; exit 1; }
	done &&
	for i in 2 6; do
		wait_for_file "$TRASH/n2/pub/f$i" 30 && same_file "$TRASH/src/f$i" "$TRASH/n2/pub/f$i" ||
			{ show_logs hub n2; exit 1; }
	done
'

test_expect_success 'n2 bulk work waits outside its window (grade n, Any/C)' '
	sleep 2 &&
	test ! -e "$TRASH/n2/pub/bulk" &&
	"$BIN/uustat" -I "$TRASH/hub/config" -s n2 >n2.st &&
	grep " n2 .* n " n2.st
'

test_expect_success 'the failing neighbour backs off with growing waits' '
	wait_for_line "$TRASH/hub/Log" "daemon sys=n3: call ended .*retries=3" 40 &&
	grep "daemon sys=n3: call started" "$TRASH/hub/Log" >n3.starts &&
	n=$(wc -l <n3.starts) &&
	echo "n3 attempts: $n" &&
	test "$n" -ge 3 && test "$n" -le 5 &&
	"$BIN/uustat" -I "$TRASH/hub/config" -m >m.out && cat m.out &&
	grep "^n3 failed .*retries=[3-9].*next=2.*reason=cannot connect" m.out &&
	grep "^n1 ok " m.out
'

test_expect_success 'waits between n3 attempts grow (2 s, 4 s, ...)' '
	sed -n "s/^[^ ]* [0-9-]* \([0-9]*\):\([0-9]*\):\([0-9]*\).*/\1 \2 \3/p" n3.starts |
	awk "{ t = \$1 * 3600 + \$2 * 60 + \$3; if (NR > 1) print t - p; p = t }" >gaps &&
	cat gaps &&
	awk "NR == 1 && \$1 < 2 { exit 1 } NR == 2 && \$1 < 4 { exit 1 }" gaps
'

test_expect_success 'never two calls at once with one system' '
	for s in n1 n2 n3; do
		grep -E "daemon sys=$s: call (started|ended)" "$TRASH/hub/Log" |
		awk "/started/ { if (open) exit 1; open = 1 } /ended/ { open = 0 }" ||
			{ echo "overlapping calls to $s"; exit 1; }
	done &&
	test $(grep -c "daemon sys=n1: call started" "$TRASH/hub/Log") -ge 1
'

test_expect_success 'a neighbour with nothing queued is polled on request (uupoll)' '
	n=$(grep -c "daemon sys=n1: call started" "$TRASH/hub/Log") &&
	"$BIN/uupoll" -I "$TRASH/hub/config" n1 &&
	wait_for_line "$TRASH/hub/Log" "daemon sys=n1: call started .*reason=poll" 10 &&
	wait_for_file "$TRASH/hub/spool/.Poll" 1 &&
	n=10 && while [ -e "$TRASH/hub/spool/.Poll/n1" ] && [ $n -gt 0 ]; do sleep 0.5; n=$((n-1)); done &&
	test ! -e "$TRASH/hub/spool/.Poll/n1"
'

test_expect_success 'the daemon answers calls on its listen address' '
	wait_for_line "$TRASH/hub/daemon.out" "^listening 127.0.0.1:$base" &&
	make_file "$TRASH/src/up" 3000 &&
	brigade_queue n1 "$TRASH/src/up" "hub!~/up" &&
	"$BIN/uucico" -I "$TRASH/n1/config" -S hub &&
	same_file "$TRASH/src/up" "$TRASH/hub/pub/up"
'

if command -v socat >/dev/null 2>&1; then
test_expect_success 'a call longer than max-call-time is ended, and says so' '
	socat TCP-LISTEN:$P5,bind=127.0.0.1,reuseaddr,fork EXEC:"sleep 20" &
	echo $! >>"$TRASH/.pids" &&
	sleep 0.3 &&
	echo "n5 Any TCP $P5 127.0.0.1 $chat" >>"$TRASH/hub/Systems" &&
	kill -HUP $(cat "$TRASH/daemon.pid") &&
	wait_for_line "$TRASH/hub/Log" "configuration reloaded: 4 systems" 10 &&
	brigade_queue hub "$TRASH/src/f0" "n5!~/slow" &&
	wait_for_line "$TRASH/hub/Log" "daemon sys=n5: call pid=[0-9]* ran past max-call-time" 15 &&
	wait_for_line "$TRASH/hub/Log" "daemon sys=n5: call ended .*reason=\"call exceeded max-call-time\"" 15
'
else
	test_skip 'a call longer than max-call-time is ended' 'no socat'
fi

test_expect_success 'SIGHUP reloads the configuration' '
	echo "n4 Never TCP $P1 127.0.0.1 $chat" >>"$TRASH/hub/Systems" &&
	kill -HUP $(cat "$TRASH/daemon.pid") &&
	wait_for_line "$TRASH/hub/Log" "configuration reloaded: [45] systems" 10 &&
	brigade_queue hub "$TRASH/src/f0" "n4!~/never" &&
	sleep 1.5 &&
	! grep "daemon sys=n4: call started" "$TRASH/hub/Log"
'

test_expect_success 'SIGTERM ends the daemon cleanly' '
	pid=$(cat "$TRASH/daemon.pid") &&
	kill -TERM $pid &&
	n=50 && while kill -0 $pid 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n-1)); done &&
	! kill -0 $pid 2>/dev/null &&
	grep "daemon: stopped" "$TRASH/hub/Log"
'

test_expect_success 'all queued work for a neighbour goes in one call' '
	for i in a b c; do
		make_file "$TRASH/src/batch-$i" 20000 &&
		brigade_queue hub "$TRASH/src/batch-$i" "n1!~/batch-$i" || exit 1
	done &&
	before=$(grep -c "daemon sys=n1: call started" "$TRASH/hub/Log") || exit 1
	"$BIN/uucico" -I "$TRASH/hub/config" --daemon >"$TRASH/hub/daemon2.out" 2>&1 &
	echo $! >"$TRASH/daemon.pid" && echo $! >>"$TRASH/.pids" &&
	for i in a b c; do wait_for_file "$TRASH/n1/pub/batch-$i" 20 || exit 1; done &&
	n=20 && while [ $(grep -c "daemon sys=n1: call ended" "$TRASH/hub/Log") -le $before ] &&
		[ $n -gt 0 ]; do sleep 0.5; n=$((n - 1)); done &&
	after=$(grep -c "daemon sys=n1: call started" "$TRASH/hub/Log") &&
	test $((after - before)) -eq 1 &&
	kill -TERM $(cat "$TRASH/daemon.pid")
'

test_done
