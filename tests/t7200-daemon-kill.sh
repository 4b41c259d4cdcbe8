#!/bin/sh
# t7200-daemon-kill.sh - SIGKILL the daemon at random instants while it is
# sending to two TCP neighbours, sometimes alone (its calls go on as
# orphans), more often with every process group it and its predecessors
# made (a crash: calls cut mid-file),
# restart it each time, and at the end check that every file arrived
# whole and exactly once (one "result=ok" receive per file on the
# receiving side; a resend after a lost confirmation is refused by SN8),
# that the queue is empty and no partial file is left in the way.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

base=$(( 42000 + ($$ % 2000) * 5 ))
P1=$((base + 1)) P2=$((base + 2))
NFILES=${NFILES:-24}
KILLS=${KILLS:-10}

# callee NAME PORT - a neighbour answering TCP calls from hub
callee() {
	brigade_node "$1" 1 32
	echo "hub secret" >"$TRASH/$1/passwd"
	echo "hub Never TCP $base 127.0.0.1" >"$TRASH/$1/Systems"
	brigade_permit "$1" "LOGNAME=hub MACHINE=hub READ=/ WRITE=/"
	"$BIN/uucico" -I "$TRASH/$1/config" -L "127.0.0.1:$2" >"$TRASH/$1/listen.out" 2>&1 &
	echo $! >>"$TRASH/.pids"
}
[ -x /bin/kill ] || test_skip_all "no /bin/kill to signal a process group"
cleanup 'for p in $(cat "$TRASH/.pids" 2>/dev/null); do /bin/kill -9 -- -$p; kill -9 $p; done'

# protocol g with window 1 and 32-byte packets: slow enough on loopback
# that the kills land in the middle of calls and files
brigade_node hub 1 32
printf 'queue-check 0.1\nretry-time 1\nmax-call-time 60\n' >>"$TRASH/hub/config"
chat='ogin: hub ssword: secret'
cat >"$TRASH/hub/Systems" <<EOF
n1 Any TCP,g $P1 127.0.0.1 $chat
n2 Any TCP,g $P2 127.0.0.1 $chat
EOF
mkdir -p "$TRASH/src"

# daemon_start - start the daemon, record its pid
daemon_start() {
	"$BIN/uucico" -I "$TRASH/hub/config" --daemon >>"$TRASH/hub/daemon.out" 2>&1 &
	echo $! >"$TRASH/daemon.pid"
	echo $! >>"$TRASH/.pids"
}

# rand_tenths LO HI - a random number of tenths of a second, as "S.T"
rand_tenths() {
	_r=$(( $(od -An -N2 -tu2 /dev/urandom) % ($2 - $1 + 1) + $1 ))
	echo "$((_r / 10)).$((_r % 10))"
}

test_expect_success 'queue files for two neighbours' '
	callee n1 $P1 && callee n2 $P2 &&
	wait_for_line "$TRASH/n1/listen.out" "^listening" &&
	wait_for_line "$TRASH/n2/listen.out" "^listening" &&
	i=0 &&
	while [ $i -lt $NFILES ]; do
		make_file "$TRASH/src/f$i" $(( 160000 + i * 56000 )) &&
		if [ $((i % 2)) -eq 0 ]; then s=n1; else s=n2; fi &&
		brigade_queue hub "$TRASH/src/f$i" "$s!~/f$i" || exit 1
		i=$((i + 1))
	done &&
	test $("$BIN/uustat" -I "$TRASH/hub/config" -a | grep -c "^[0-9a-f]\{8\}-") -eq $NFILES
'

test_expect_success "SIGKILL the daemon $KILLS times at random instants" '
	k=0 && group=0 &&
	while [ $k -lt $KILLS ]; do
		daemon_start
		wait_for_line "$TRASH/hub/daemon.out" "^daemon ready pid=$(cat "$TRASH/daemon.pid")" 5 ||
			exit 1
		sleep $(rand_tenths 1 8)
		pid=$(cat "$TRASH/daemon.pid")
		echo $pid >>"$TRASH/daemon.pids"
		if [ $(( $(od -An -N1 -tu1 /dev/urandom) % 3 )) -ne 0 ]; then
			# a crash: every daemon so far with its calls (also the
			# orphaned calls of daemons killed alone)
			for p in $(cat "$TRASH/daemon.pids"); do /bin/kill -9 -- -$p 2>/dev/null; done
			group=$((group + 1))
		else
			kill -9 $pid
		fi
		sleep 0.2
		k=$((k + 1))
	done &&
	say "kills: $KILLS, of them with the process group: $group" &&
	echo "group kills: $group"
'

test_expect_success 'restarted, the daemon delivers the rest' '
	daemon_start &&
	n=400 &&
	while [ $n -gt 0 ] && [ -n "$("$BIN/uustat" -I "$TRASH/hub/config" -a)" ]; do
		sleep 0.1; n=$((n - 1))
	done &&
	"$BIN/uustat" -I "$TRASH/hub/config" -a >left && test ! -s left &&
	kill -TERM $(cat "$TRASH/daemon.pid")
'

test_expect_success 'every file arrived whole' '
	i=0 &&
	while [ $i -lt $NFILES ]; do
		if [ $((i % 2)) -eq 0 ]; then s=n1; else s=n2; fi &&
		same_file "$TRASH/src/f$i" "$TRASH/$s/pub/f$i" || exit 1
		i=$((i + 1))
	done
'

test_expect_success 'and exactly once (one committed receive per file)' '
	cat "$TRASH"/n1/Log "$TRASH"/n2/Log |
	grep -a "xfer sys=hub dir=receive .* result=ok" |
	sed "s/.* file=\([^ ]*\) .*/\1/" | sort | uniq -c | sort -rn >counts &&
	head -n 3 counts &&
	test $(wc -l <counts) -eq $NFILES &&
	test "$(head -n 1 counts | awk "{print \$1}")" -eq 1 &&
	say "receives cut short: $(cat "$TRASH"/n1/Log "$TRASH"/n2/Log | grep -a -c "dir=receive .*result=interrupted")," \
		"SN8 refusals: $(cat "$TRASH"/n1/Log "$TRASH"/n2/Log | grep -a -c "SN8")," \
		"calls started: $(grep -a -c "call started" "$TRASH/hub/Log")"
'

test_done
