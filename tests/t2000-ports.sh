#!/bin/sh
# t2000-ports.sh - ports from the outside: a TCP caller and callee on
# loopback, a pipe port running a program whose stdin/stdout is a stdio
# port, and a tty port on each side of a uuline.
. "$(dirname "$0")/lib.sh"

PORTCAT=$HELPERS/portcat
head -c 300000 /dev/urandom >data

"$PORTCAT" listen 127.0.0.1 0 portno 2>listen.err &
listener=$!
cleanup "kill $listener 2>/dev/null"
wait_for_file portno

test_expect_success 'TCP: binary data to the callee and back' '
	"$PORTCAT" connect 127.0.0.1 "$(cat portno)" <data >back &&
	cmp data back
'

test_expect_success 'TCP: the callee counted every byte both ways' '
	wait_for_line listen.err "^in=" &&
	grep -x "in=300000 out=300000" listen.err
'

test_expect_success 'TCP: a port nobody listens on is refused' '
	wait_for_line listen.err "^in=" &&
	test_must_fail "$PORTCAT" connect 127.0.0.1 "$(cat portno)" </dev/null 2>err &&
	grep "connect 127.0.0.1:.*refused" err
'

"$PORTCAT" listen 127.0.0.1 0 portno2 2>listen2.err &
listener2=$!
cleanup "kill $listener2 2>/dev/null"
wait_for_file portno2

test_expect_success 'TCP: a second listener on a busy port fails' '
	test_must_fail "$PORTCAT" listen 127.0.0.1 "$(cat portno2)" portno3 2>err &&
	grep "listen 127.0.0.1:.*in use" err &&
	kill $listener2
'

test_expect_success 'pipe: a program on a stdio port echoes binary data' '
	"$PORTCAT" pipe "$PORTCAT" stdio <data >back 2>pipe.err &&
	cmp data back &&
	grep -x "in=300000 out=300000" pipe.err
'

test_expect_success 'pipe: a program that does not exist fails at once' '
	test_must_fail "$PORTCAT" pipe ./no-such-program </dev/null 2>err &&
	grep "cannot run ./no-such-program: No such file" err
'

uuline -a line.a -b line.b >line.out 2>line.err &
line=$!
cleanup "kill $line 2>/dev/null"
wait_for_line line.out '^ready$'

test_expect_success 'tty: ports on both ends of a uuline carry binary data' '
	"$PORTCAT" ttyecho line.b 300000 2>echo.err &
	echo=$!
	"$PORTCAT" tty line.a <data >back &&
	wait $echo &&
	cmp data back &&
	grep -x "in=300000 out=300000" echo.err
'

head -c 5000 data >part

test_expect_success 'tty: both ends reopened work again' '
	"$PORTCAT" ttyecho line.a 5000 2>echo.err &
	echo=$!
	"$PORTCAT" tty line.b <part >back &&
	wait $echo &&
	cmp part back
'

test_expect_success 'tty: a path that is not a terminal is refused' '
	test_must_fail "$PORTCAT" tty data </dev/null 2>err &&
	grep "not a terminal" err
'

test_done
