#!/bin/sh
# t8200-smtp-malformed.sh - malformed SMTP against uusmtpd: over-long
# lines (1000 bytes, 64 KiB), bare LF, NUL, DATA that never ends, 8-bit
# headers, messages over SIZE, 1000 RCPTs, error and no-progress limits,
# a client sending one byte a second.  Each gets its reply or a timeout,
# others are still served, and nothing partial is ever queued.
. "$(dirname "$0")/lib-smtp.sh"

gw_node gw beta
printf 'smtp-max-size 4096\nsmtp-timeout 2\n' >>gw/config

run() {
	crlf | "$BIN/uusmtpd" -I gw/config -i
}

# nothing_queued - the spool holds no job and no stray data
nothing_queued() {
	test "$(gw_jobs gw beta)" = 0 && test -z "$(find gw/spool/beta -type f 2>/dev/null)"
}

long() {
	head -c "$1" /dev/zero | tr '\0' x
}

test_expect_success 'a command line over 1000 bytes: 500, and the session goes on' '
	{ echo "EHLO x"; echo "NOOP $(long 1200)"; echo "NOOP"; echo QUIT; } | run >out &&
	cat out && sed -n 7p out | grep -q "^500 5.5.2 Line too long" &&
	sed -n 8p out | grep -q "^250 " && grep -q "^221" out
'

test_expect_success 'a line over 64 KiB: 500 and the connection is closed' '
	{ echo "EHLO x"; echo "NOOP $(long 70000)"; echo "NOOP"; echo QUIT; } | run >out &&
	tail -n 1 out | grep -q "^500 5.5.2 Line too long, closing" && ! grep -q "^221" out
'

test_expect_success 'a message line over 1000 bytes: refused, nothing queued' '
	{ echo "HELO x"; echo "MAIL FROM:<a@b.example>"; echo "RCPT TO:<beta!u@gw>"; echo DATA;
	  long 1500; echo; echo "."; echo QUIT; } | run >out &&
	grep -q "^500 5.5.2 Message has a line longer" out && nothing_queued
'

test_expect_success 'bare LF in DATA: 521, closed, nothing queued' '
	{ printf "HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<beta!u@gw>\r\nDATA\r\n";
	  printf "Subject: smuggle\n\n.\nMAIL FROM:<x@y.example>\r\n.\r\nQUIT\r\n"; } |
		"$BIN/uusmtpd" -I gw/config -i >out &&
	grep -q "^521 5.5.2" out && ! grep -q "^250 2.0.0" out && nothing_queued
'

test_expect_success 'bare LF ending commands is tolerated' '
	printf "HELO x\nNOOP\nQUIT\n" | "$BIN/uusmtpd" -I gw/config -i >out &&
	grep -q "^221" out
'

test_expect_success 'NUL bytes: 500 in a command, 554 in a message, nothing queued' '
	{ printf "HELO x\r\nNO\000OP\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<beta!u@gw>\r\nDATA\r\n";
	  printf "a\000b\r\n.\r\nQUIT\r\n"; } | "$BIN/uusmtpd" -I gw/config -i >out &&
	grep -q "^500 5.5.2" out && grep -q "^554 5.6.0" out && nothing_queued
'

test_expect_success 'DATA that never ends: the client leaves, nothing queued' '
	{ echo "HELO x"; echo "MAIL FROM:<a@b.example>"; echo "RCPT TO:<beta!u@gw>"; echo DATA;
	  echo "half a message"; } | run >out &&
	grep -q "^354" out && ! grep -q "^250 2.0.0" out && nothing_queued &&
	grep -q "connection lost during DATA, nothing queued" gw/Log
'

test_expect_success 'messages over SIZE: 552 at MAIL and after DATA, nothing queued' '
	{ echo "EHLO x"; echo "MAIL FROM:<a@b.example> SIZE=5000"; echo "MAIL FROM:<a@b.example>";
	  echo "RCPT TO:<beta!u@gw>"; echo DATA;
	  i=0; while [ $i -lt 100 ]; do echo "line $i $(long 60)"; i=$((i+1)); done;
	  echo .; echo QUIT; } | run >out &&
	test "$(grep -c "^552 5.3.4" out)" = 2 && nothing_queued
'

test_expect_success '8-bit headers and body are accepted and kept byte for byte' '
	printf "Subject: Gr\374\337e \343\201\202\nFrom: J\366rg <j@b.example>\n\nK\344se\n" >8bit.msg &&
	{ echo "EHLO x"; echo "MAIL FROM:<a@b.example> BODY=8BITMIME"; echo "RCPT TO:<beta!u@gw>";
	  echo DATA; cat 8bit.msg; echo .; echo QUIT; } | run >out &&
	grep -q "^250 2.0.0" out &&
	f=$(grep -L "^C rmail" gw/spool/beta/D./*) &&
	sed "1,/^	[A-Z][a-z][a-z], /d" "$f" >got && cmp 8bit.msg got &&
	rm -rf gw/spool/beta
'

test_expect_success '1000 RCPTs: 100 accepted, the rest 452, one job for them' '
	{ echo "EHLO x"; echo "MAIL FROM:<a@b.example>";
	  i=0; while [ $i -lt 1000 ]; do echo "RCPT TO:<beta!u$i@gw>"; i=$((i+1)); done;
	  echo DATA; echo hi; echo .; echo QUIT; } | run >out &&
	test "$(grep -c "^250 2.1.5" out)" = 100 && test "$(grep -c "^452 4.5.3" out)" = 900 &&
	grep -q "^250 2.0.0" out && test "$(gw_jobs gw beta)" = 1 &&
	test "$(grep -h "^C rmail" gw/spool/beta/D./* | wc -w)" = 102 &&
	rm -rf gw/spool/beta
'

test_expect_success 'too many errors: 421 and closed' '
	{ echo "HELO x"; i=0; while [ $i -lt 15 ]; do echo "BOGUS $i"; i=$((i+1)); done; echo QUIT; } |
		run >out &&
	test "$(grep -c "^500 5.5.2" out)" = 10 && tail -n 1 out | grep -q "^421 4.7.0"
'

test_expect_success 'commands without progress: 421 and closed' '
	{ echo "HELO x"; i=0; while [ $i -lt 30 ]; do echo "NOOP"; i=$((i+1)); done; echo QUIT; } |
		run >out &&
	tail -n 1 out | grep -q "^421 4.7.0 .* without mail" && ! grep -q "^221" out
'

test_expect_success 'commands out of order: 503' '
	{ echo "MAIL FROM:<a@b.example>"; echo "HELO x"; echo "RCPT TO:<beta!u@gw>"; echo DATA;
	  echo QUIT; } | run >out &&
	test "$(grep -c "^503 5.5.1" out)" = 3
'

test_expect_success 'one byte a second: timeout 421 while another client is served' '
	gw_start gw || exit 1
	port=$(gw_port gw)
	printf "EHLO slow.example\r\nQUIT\r\n" | "$HELPERS/smtpc" -d 1000 -t 15 127.0.0.1 $port >slow.out &
	slow=$! && sleep 1 &&
	printf "HELO fast\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<beta!fast@gw>\r\nDATA\r\nquick\r\n.\r\nQUIT\r\n" |
		"$HELPERS/smtpc" -t 5 127.0.0.1 $port >fast.out &&
	grep -q "^250 2.0.0" fast.out &&
	wait $slow && cat slow.out && grep -q "^421 4.4.2 .*Timeout" slow.out &&
	! grep -q "^250" slow.out
'

test_expect_success 'DATA that stops without leaving: timeout 421, nothing queued' '
	rm -rf gw/spool/beta && port=$(gw_port gw) &&
	{ printf "HELO x\r\nMAIL FROM:<a@b.example>\r\nRCPT TO:<beta!u@gw>\r\nDATA\r\nhalf\r\n"; sleep 5; } |
		"$HELPERS/smtpc" -t 10 127.0.0.1 $port >stall.out;
	grep -q "^421 4.4.2" stall.out && nothing_queued &&
	grep -q "timeout during DATA, nothing queued" gw/Log
'

test_done
