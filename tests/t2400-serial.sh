#!/bin/sh
# t2400-serial.sh - serial lines through Brigade's ports on real ttys: a
# PTY pair (termios: libserialport 0.1.1 cannot open PTYs) takes speed,
# parity, data and stop bits, carries data, reports a hang-up when the far
# end goes away, and is locked with an HDB LCK.. file while open; a UART
# (/dev/ttyS0, or $BRIGADE_SERIAL) takes the same settings through
# libserialport when there is one to open.
. "$(dirname "$0")/lib.sh"
[ -x "$HELPERS/serialcheck" ] || test_skip_all "serialcheck helper not built"
command -v python3 >/dev/null || test_skip_all "python3 is needed to hold a PTY master"

# pty_pair - a PTY whose master python3 holds: slave path in pty.path; the
# master copies what it reads to pty.got and closes after pty.hold seconds
pty_pair() {
	python3 - "$1" <<-\EOF &
	import os, sys, time, select
	m, s = os.openpty()
	open("pty.path", "w").write(os.ttyname(s) + "\n")
	os.close(s)
	os.write(m, b"hello serial\n")
	end = time.time() + float(sys.argv[1])
	got = b""
	while time.time() < end:
	    r, _, _ = select.select([m], [], [], 0.1)
	    if r:
	        try: got += os.read(m, 1024)
	        except OSError: time.sleep(0.1)
	open("pty.got", "wb").write(got)
	os.close(m)
	EOF
	echo $! >pty.pid
	cleanup "kill $! 2>/dev/null"
	wait_for_file pty.path 5
}

# Linux PTYs force 8 bits without parity (the pty driver clears CSIZE and
# PARENB on every change), so parity and data bits are checked on a UART
# below; speed and stop bits stick on a PTY.
test_expect_success 'a PTY takes speed and stop bits' '
	pty_pair 2 &&
	"$HELPERS/serialcheck" tty "$(cat pty.path)" 9600 N 8 2 >out &&
	cat out &&
	grep -x "speed=9600 parity=N bits=8 stop=2 clocal=1" out &&
	"$HELPERS/serialcheck" tty "$(cat pty.path)" 115200 N 8 1 >out &&
	grep -x "speed=115200 parity=N bits=8 stop=1 clocal=1" out &&
	"$HELPERS/serialcheck" tty "$(cat pty.path)" 19200 N 8 1 >out &&
	grep -x "speed=19200 parity=N bits=8 stop=1 clocal=1" out
'

test_expect_success 'data arrives, then the far end hanging up is seen as a hang-up' '
	rm -f pty.path && pty_pair 2 &&
	"$HELPERS/serialcheck" tty "$(cat pty.path)" 9600 N 8 1 10 >out &&
	cat out &&
	grep -x "read 13" out &&
	grep -x "hangup" out
'

test_expect_success 'a bad speed is refused' '
	rm -f pty.path && pty_pair 1 &&
	"$HELPERS/serialcheck" tty "$(cat pty.path)" 12345 N 8 1 >out;
	grep "open failed" out
'

dev=${BRIGADE_SERIAL:-/dev/ttyS0}
if [ -r "$dev" ] && [ -w "$dev" ] && "$HELPERS/serialcheck" serial "$dev" 9600 N 8 1 >probe 2>&1 &&
	grep -q "^speed=" probe; then
	test_expect_success "libserialport sets $dev: speed, parity, framing" '
		"$HELPERS/serialcheck" serial "$dev" 19200 E 7 2 >out &&
		cat out &&
		grep -x "speed=19200 parity=E bits=7 stop=2 clocal=1" out &&
		"$HELPERS/serialcheck" serial "$dev" 57600 O 8 1 >out &&
		grep -x "speed=57600 parity=O bits=8 stop=1 clocal=1" out &&
		"$HELPERS/serialcheck" serial "$dev" 115200 N 8 1 >out &&
		grep -x "speed=115200 parity=N bits=8 stop=1 clocal=1" out
	'
	test_expect_success "termios sets $dev too: parity and data bits stick on a UART" '
		"$HELPERS/serialcheck" tty "$dev" 2400 E 7 1 >out &&
		cat out &&
		grep -x "speed=2400 parity=E bits=7 stop=1 clocal=1" out &&
		"$HELPERS/serialcheck" tty "$dev" 38400 O 8 2 >out &&
		grep -x "speed=38400 parity=O bits=8 stop=2 clocal=1" out
	'
	test_expect_success "a live lock on $dev keeps it; the lock goes with the port" '
		name=$(basename "$(readlink -f "$dev")") &&
		if [ -w /var/lock ]; then
			sleep 30 &
			holder=$!
			printf "%10d\n" $holder >"/var/lock/LCK..$name" &&
			"$HELPERS/serialcheck" serial "$dev" 9600 N 8 1 >out;
			kill $holder; rm -f "/var/lock/LCK..$name";
			grep "locked by pid $holder" out &&
			"$HELPERS/serialcheck" serial "$dev" 9600 N 8 1 >out &&
			test ! -e "/var/lock/LCK..$name"
		fi
	'
else
	test_skip "libserialport on a UART" "no serial device to open ($dev: $(head -c 200 probe 2>/dev/null))"
fi

test_done
