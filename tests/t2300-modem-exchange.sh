#!/bin/sh
# t2300-modem-exchange.sh - calls dialed through emulated Hayes modems:
# uuexchange joins the modems by number through uuline; the answering
# side is uugetty handing the line to `uucico -l`.  Brigade dials Brigade
# with the real hayes Dialers chat and a login chat; BUSY, NO CARRIER and
# no answer are told apart in the status; the modem's AT commands answer
# as a Hayes modem does; Taylor UUCP dials Brigade and Brigade dials Taylor.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
[ -x "$BIN/uuexchange" ] && [ -x "$BIN/uugetty" ] || test_skip_all "uuexchange not built"

"$BIN/uuexchange" --speed 115200 --seed 7 \
	--modem 1001="$TRASH/m1" --modem 2002="$TRASH/m2" --modem 3003="$TRASH/m3" \
	--modem 4004="$TRASH/m4,busy" --modem 5005="$TRASH/m5" --modem 6006="$TRASH/m6" \
	>"$TRASH/ex.out" 2>"$TRASH/ex.err" &
echo $! >>"$TRASH/.line-pids"
wait_for_line "$TRASH/ex.out" '^ready' 10 || test_skip_all "uuexchange did not start"

# getty NODE-KIND MODEM COMMAND... - answer calls on MODEM with COMMAND
getty() {
	_m=$1; shift
	"$BIN/uugetty" "$TRASH/$_m" "$@" >"$TRASH/getty-$_m.out" 2>&1 &
	echo $! >>"$TRASH/.line-pids"
}

# b1 calls: Devices ACU on modem 1001 with the hayes dialer from Dialers.example
brigade_node b1
echo "lockdir $TRASH/b1/lock" >>"$TRASH/b1/config"
mkdir -p "$TRASH/b1/lock"
grep '^hayes' "$TOP/Dialers.example" >"$TRASH/b1/Dialers"
echo 'nodial	""	"" ATZ OK ATS7=2 OK ATDT\T CONNECT' >>"$TRASH/b1/Dialers"
cat >"$TRASH/b1/Devices" <<EOF
ACU $TRASH/m1 - 115200 hayes
ACU2 $TRASH/m1 - 115200 nodial
EOF
cat >"$TRASH/b1/Systems" <<EOF
b2 Any ACU,g 115200 2-0=02 "" \r\c ogin:-\r-ogin: b1 ssword: pw-b1
busy Any ACU,g 115200 4004 ogin: b1 ssword: x
nobody Any ACU,g 115200 9999 ogin: b1 ssword: x
silent Any ACU2,g 115200 5005 ogin: b1 ssword: x
t6 Any ACU,g 115200 6006 "" \r\c ogin:-\r-ogin: b1 ssword: pw-t6
EOF
echo "MACHINE=b2:t6 LOGNAME=b1 REQUEST=yes SENDFILES=yes" >"$TRASH/b1/Permissions"

# b2 answers on modem 2002 through uugetty
brigade_node b2
echo "b1 Any ACU,g 115200 1001 \"\"" >"$TRASH/b2/Systems"
echo "b1 pw-b1" >"$TRASH/b2/passwd"
echo "t3 pw-t3" >>"$TRASH/b2/passwd"
echo "t3 Any ACU,g 115200 3003 \"\"" >>"$TRASH/b2/Systems"
echo "LOGNAME=b1:t3 MACHINE=b1:t3 REQUEST=yes SENDFILES=yes" >"$TRASH/b2/Permissions"
getty m2 "$BIN/uucico" -I "$TRASH/b2/config" -x all -l

b1_call() {
	"$BIN/uucico" -I "$TRASH/b1/config" -x all -f -S "$1" >"$TRASH/b1/caller.out" 2>&1
}

test_expect_success 'the modem answers AT commands as a Hayes modem' '
	exec 5<>"$TRASH/m5" &&
	python3 - "$TRASH/m5" <<-\EOF
	import os, sys, time, select, tty
	fd = os.open(sys.argv[1], os.O_RDWR | os.O_NOCTTY)
	tty.setraw(fd)
	def cmd(s, want, t=3.0):
	    os.write(fd, s)
	    got = b""; end = time.time() + t
	    while want not in got and time.time() < end:
	        r, _, _ = select.select([fd], [], [], 0.1)
	        if r: got += os.read(fd, 256)
	    assert want in got, (s, want, got)
	    return got
	cmd(b"ATZ\r", b"ATZ\r\r\nOK\r\n")
	cmd(b"ATE0\r", b"\r\nOK\r\n")
	assert cmd(b"ATV0\r", b"0\r") == b"0\r"
	cmd(b"ATS7=1 S0=0\r", b"0\r")
	cmd(b"ATDT4004\r", b"7\r")
	cmd(b"ATV1\r", b"OK")
	cmd(b"ATQ1\r", b"")
	os.write(fd, b"ATZ\r"); time.sleep(0.3)
	cmd(b"ATE0\r", b"OK")
	cmd(b"ATX4\r", b"OK")
	cmd(b"ATFOO\r", b"ERROR")
	cmd(b"ATDT99\r", b"NO CARRIER")
	EOF
'

test_expect_success 'Brigade dials Brigade with the hayes chat, logs in, file intact' '
	make_file "$TRASH/f1" 40000 &&
	brigade_queue b1 "$TRASH/f1" "b2!~/f1" &&
	b1_call b2 &&
	brigade_call_ok b1 &&
	same_file "$TRASH/f1" "$TRASH/b2/pub/f1" &&
	grep -q "dialing 2-0=02" "$TRASH/b1/Log" &&
	grep -q "^dial 1001 2,0,02" "$TRASH/ex.out" &&
	grep -q "^connect 1001 2002 speed=115200" "$TRASH/ex.out" &&
	grep -q "login: b1 logged in" "$TRASH/b2/Log" ||
	{ show_logs b1 b2; cat "$TRASH/ex.out" "$TRASH/getty-m2.out"; false; }
'

test_expect_success 'a live LCK.. file keeps the device; a stale one is broken' '
	sleep 60 &
	holder=$!
	lock="$TRASH/b1/lock/LCK..$(readlink -f "$TRASH/m1" | sed "s,^/dev/,,; s,/,_,g")" &&
	printf "%10d\n" $holder >"$lock" &&
	make_file "$TRASH/f1b" 100 && brigade_queue b1 "$TRASH/f1b" "b2!~/f1b" &&
	test_must_fail b1_call b2 &&
	"$BIN/uustat" -I "$TRASH/b1/config" -s b2 | grep "locked by pid $holder" &&
	test -f "$lock" && kill $holder && wait $holder;
	b1_call b2 &&
	grep -q "breaking stale lock" "$TRASH/b1/Log" &&
	same_file "$TRASH/f1b" "$TRASH/b2/pub/f1b" &&
	test ! -e "$lock"
'

test_expect_success 'a busy number: BUSY in the log and in uustat -s' '
	make_file "$TRASH/f2" 10 && brigade_queue b1 "$TRASH/f2" "busy!~/f2" &&
	test_must_fail b1_call busy &&
	"$BIN/uustat" -I "$TRASH/b1/config" -s busy >st &&
	cat st &&
	grep -q "modem said \\\\\\?\"BUSY" st &&
	grep -q "dialing 4004 on .* failed: modem said \"BUSY\"" "$TRASH/b1/Log"
'

test_expect_success 'an unknown number: NO CARRIER; a number nobody answers: NO ANSWER' '
	make_file "$TRASH/f3" 10 && brigade_queue b1 "$TRASH/f3" "nobody!~/f3" &&
	brigade_queue b1 "$TRASH/f3" "silent!~/f3" &&
	test_must_fail b1_call nobody &&
	"$BIN/uustat" -I "$TRASH/b1/config" -s nobody | grep "NO CARRIER" &&
	test_must_fail b1_call silent &&
	"$BIN/uustat" -I "$TRASH/b1/config" -s silent | grep "NO ANSWER"
'

if [ "$(id -u)" -eq 0 ] && [ -x "$TAYLOR_UUCICO" ] && id uucp >/dev/null 2>&1; then
taylor_node t3
cat >>"$TRASH/t3/sys" <<EOF
system b2
time any
port modem3
phone 2002
chat ogin:-\r-ogin: t3 ssword: pw-t3
chat-timeout 10
protocol g
max-retries 0
EOF
cat >"$TRASH/t3/port" <<EOF
port modem3
type modem
device $TRASH/m3
dialer hayes
speed 115200
carrier false
hardflow false
EOF
cat >"$TRASH/t3/dial" <<EOF
dialer hayes
chat "" ATZ\r\c OK ATDT\D\r\c CONNECT
chat-fail BUSY
chat-fail NO\sCARRIER
chat-timeout 20
EOF
chown -R uucp "$TRASH/t3"

test_expect_success 'Taylor UUCP dials Brigade through the modems and logs in' '
	make_file "$TRASH/f4" 30000 &&
	taylor_queue t3 "$TRASH/f4" "b2!~/f4" &&
	chown uucp "$(readlink -f "$TRASH/m3")" &&
	timeout 60 "$TAYLOR_UUCICO" -I "$TRASH/t3/config" -D -q -x "$TAYLOR_DEBUG" -S b2 \
		</dev/null >"$TRASH/t3/caller.out" 2>&1 &&
	same_file "$TRASH/f4" "$TRASH/b2/pub/f4" &&
	taylor_call_ok t3 &&
	grep -q "^connect 3003 2002" "$TRASH/ex.out" ||
	{ show_logs t3 b2; tail -20 "$TRASH/t3/Debug"; cat "$TRASH/ex.out"; false; }
'

taylor_node t6
echo "b1 pw-t6" >"$TRASH/t6/passwd"
cat >>"$TRASH/t6/sys" <<EOF
system b1
time any
called-login b1
protocol g
EOF
chown -R uucp "$TRASH/t6"
getty m6 "$TAYLOR_UUCICO" -I "$TRASH/t6/config" -x "$TAYLOR_DEBUG" -l

test_expect_success 'Brigade dials Taylor UUCP through the modems and logs in' '
	make_file "$TRASH/f5" 30000 &&
	brigade_queue b1 "$TRASH/f5" "t6!~/f5" &&
	b1_call t6 &&
	brigade_call_ok b1 &&
	same_file "$TRASH/f5" "$TRASH/t6/pub/f5" &&
	grep -q "^connect 1001 6006" "$TRASH/ex.out" ||
	{ show_logs b1 t6; tail -20 "$TRASH/t6/Debug"; cat "$TRASH/ex.out" "$TRASH/getty-m6.out"; false; }
'
else
	test_skip 'Taylor UUCP through the modems' 'Taylor UUCP cannot be driven here (needs root)'
fi

test_done
