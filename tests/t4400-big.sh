#!/bin/sh
# t4400-big.sh - big files between two Brigade uucicos: 10 MiB each way in
# one call at g 7/4096, and 1 MiB each way at 3/64 (64-byte packets are
# slow; the smaller file keeps the run short).
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

line_start l || test_skip_all "no PTY line (uuline or socat)"

# big N W P SIZE - aN and bN each queue SIZE bytes for the other; one call
big() {
	brigade_node "a$1" "$2" "$3" && brigade_node "b$1" "$2" "$3" &&
	brigade_system "a$1" "b$1" "$TRASH/l.a" &&
	brigade_system "b$1" "a$1" "$TRASH/l.b" &&
	brigade_permit "a$1" "LOGNAME=b$1 MACHINE=b$1 SENDFILES=yes" &&
	brigade_permit "b$1" "LOGNAME=a$1 MACHINE=a$1 SENDFILES=yes" &&
	make_file "$TRASH/up$1" "$4" && make_file "$TRASH/down$1" "$4" &&
	brigade_queue "a$1" "$TRASH/up$1" "b$1!~/up" &&
	brigade_queue "b$1" "$TRASH/down$1" "a$1!~/down" &&
	CALL_TIMEOUT=240 call brigade "a$1" "b$1" brigade "b$1" "a$1" l
}

# big_ok N SIZE - both arrived intact, logs say so, queues empty
big_ok() {
	same_file "$TRASH/up$1" "$TRASH/b$1/pub/up" &&
	same_file "$TRASH/down$1" "$TRASH/a$1/pub/down" &&
	grep -q "xfer .*dir=send.*bytes=$2" "$TRASH/a$1/Log" &&
	grep -q "xfer .*dir=receive.*bytes=$2" "$TRASH/a$1/Log" &&
	brigade_call_ok "a$1" && brigade_call_ok "b$1" &&
	test -z "$(brigade_jobs "a$1")" && test -z "$(brigade_jobs "b$1")"
}

test_expect_success '10 MiB each way at 7/4096 in one call' '
	big 1 7 4096 10485760 || { show_logs a1 b1; false; }
'
test_expect_success '10 MiB each way: sha256-identical, queues empty' '
	big_ok 1 10485760 || { show_logs a1 b1; false; }
'
test_expect_success '1 MiB each way at 3/64 in one call' '
	big 2 3 64 1048576 || { show_logs a2 b2; false; }
'
test_expect_success '1 MiB each way: sha256-identical, queues empty' '
	big_ok 2 1048576 || { show_logs a2 b2; false; }
'

test_done
