#!/bin/sh
# t1000-spool - the spool's per-system locks across real processes: HDB
# lock files, refusal while the holder lives, stale locks broken once.
. "$(dirname "$0")/lib.sh"

T=$HELPERS/spool_torture
S=$TRASH/spool

test_expect_success 'a live holder keeps the lock' '
	"$T" hold "$S" beta >hold.out &
	echo $! >hold.pid &&
	wait_for_line hold.out "^locked$" &&
	test_must_fail "$T" lock "$S" beta
'
cleanup 'kill -9 $(cat "$TRASH/hold.pid") 2>/dev/null'

test_expect_success 'LCK.beta holds the pid as ten characters and a newline' '
	printf "%10d\n" $(cat hold.pid) >expect &&
	test_cmp expect "$S/.Lock/LCK.beta" &&
	test $(wc -c <"$S/.Lock/LCK.beta") -eq 11
'

test_expect_success 'the lock of a killed holder is broken' '
	pid=$(cat hold.pid) && kill -9 $pid &&
	n=50 && while kill -0 $pid 2>/dev/null && [ $n -gt 0 ]; do sleep 0.1; n=$((n-1)); done
	test -e "$S/.Lock/LCK.beta" &&
	"$T" lock "$S" beta &&
	! test -e "$S/.Lock/LCK.beta"
'

test_expect_success 'other systems are not affected' '
	"$T" hold "$S" gamma >g.out &
	echo $! >g.pid &&
	wait_for_line g.out "^locked$" &&
	"$T" lock "$S" delta &&
	kill -9 $(cat g.pid)
'

test_expect_success 'racing breakers: exactly one takes a stale lock' '
	sh -c "exit 0" & dead=$!; wait $dead
	printf "%10d\n" $dead >"$S/.Lock/LCK.race" &&
	for i in 1 2 3 4 5 6; do
		"$T" hold "$S" race >race.$i 2>&1 &
		echo $! >>race.pids
	done
	sleep 2
	n=$(cat race.[0-9] | grep -c "^locked$")
	kill -9 $(cat race.pids) 2>/dev/null
	echo "holders: $n"
	test "$n" -eq 1
'

test_done
