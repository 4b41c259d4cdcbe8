#!/bin/sh
# t8000-smtp-in.sh - uusmtpd accepts mail for the UUCP world: one rmail
# job per next hop with a Received: field, 250 only once queued, the
# ESMTP extensions, STARTTLS, many clients at once, a full disk.
. "$(dirname "$0")/lib-smtp.sh"

gw_node gw beta delta

session() {
	crlf <<-EOM
	EHLO client.example
	MAIL FROM:<someone@example.org> BODY=8BITMIME
	RCPT TO:<beta!ian@gw>
	RCPT TO:<joe@beta.uucp>
	RCPT TO:<delta!x!ann@gw.example>
	RCPT TO:<root@gw>
	DATA
	Subject: hello

	..a line that began with a dot
	body
	.
	QUIT
	EOM
}

test_expect_success 'one session on stdin: every recipient accepted and queued' '
	session | "$BIN/uusmtpd" -I gw/config -i >out &&
	cat out &&
	test "$(grep -c "^250 2.1.5" out)" = 4 &&
	grep -q "^250 2.0.0 Ok: queued" out && grep -q "^221" out
'

test_expect_success 'recipients for the same neighbour share one job' '
	test "$(gw_jobs gw beta)" = 1 && test "$(gw_jobs gw delta)" = 1 &&
	test "$(gw_local_jobs gw)" = 1 &&
	grep -h "^C rmail" gw/spool/beta/D./* | grep -qx "C rmail ian joe" &&
	grep -h "^C rmail" gw/spool/delta/D./* | grep -qx "C rmail x!ann" &&
	grep -h "^C rmail" gw/spool/gw/in/X.* | grep -qx "C rmail root"
'

test_expect_success 'the message: From_ line, Received: naming client and HELO, body unstuffed' '
	f=$(grep -L "^C rmail" gw/spool/beta/D./*) &&
	head -n 1 "$f" | grep -q "^From someone@example.org " &&
	grep -q "^Received: from client.example (\[unknown\])" "$f" &&
	grep -q "by gw (Brigade uusmtpd) with ESMTP id" "$f" &&
	printf "Subject: hello\n\n.a line that began with a dot\nbody\n" >expect &&
	sed "1,/^	[A-Z][a-z][a-z], /d" "$f" >actual && test_cmp expect actual
'

test_expect_success 'EHLO lists the extensions; VRFY says nothing; no AUTH without a password file' '
	printf "EHLO x\nVRFY root\nHELP\nEXPN staff\nQUIT\n" | crlf |
		"$BIN/uusmtpd" -I gw/config -i >out &&
	for e in PIPELINING "SIZE 10485760" 8BITMIME ENHANCEDSTATUSCODES; do
		grep -q "^250.$e" out || exit 1
	done &&
	! grep -q "AUTH" out && grep -q "^252 " out && grep -q "^214 " out && grep -q "^502 " out
'

test_expect_success 'standalone: listens on a loopback port, swaks delivers' '
	gw_start gw && test -n "$(gw_port gw)" &&
	swaks --server 127.0.0.1 --port $(gw_port gw) --from a@example.org --to "beta!bob@gw" \
		--helo swaks.example --body "from swaks" >swaks.out 2>&1 &&
	grep -q "<-  250 2.0.0 Ok: queued" swaks.out &&
	test "$(gw_jobs gw beta)" = 2 &&
	grep -l "from swaks" gw/spool/beta/D./* | xargs grep -q "^Received: from swaks.example (\[127.0.0.1\])"
'

test_expect_success 'many clients at once, while one sits idle' '
	printf "EHLO idle\r\n" | "$HELPERS/smtpc" -t 8 127.0.0.1 $(gw_port gw) >idle.out &
	idle=$! &&
	for i in $(seq 1 20); do
		printf "HELO c$i\nMAIL FROM:<a@b.example>\nRCPT TO:<beta!u$i@gw>\nDATA\nm$i\n.\nQUIT\n" |
			crlf | "$HELPERS/smtpc" 127.0.0.1 $(gw_port gw) >c$i.out &
	done; wait_ok=0 &&
	for i in $(seq 1 20); do
		while ! grep -q "^221" c$i.out 2>/dev/null && [ $wait_ok -lt 100 ]; do
			sleep 0.1; wait_ok=$((wait_ok + 1)); done
		grep -q "^250 2.0.0" c$i.out || exit 1
	done &&
	test "$(gw_jobs gw beta)" = 22 &&
	kill $idle 2>/dev/null; :
'

test_expect_success 'pipelined messages in one write' '
	{ printf "EHLO p\n"; for i in 1 2 3; do
		printf "MAIL FROM:<a@b.example>\nRCPT TO:<delta!p$i@gw>\nDATA\nmsg $i\n.\n"; done
	  printf "QUIT\n"; } | crlf | "$HELPERS/smtpc" 127.0.0.1 $(gw_port gw) >pipe.out &&
	test "$(grep -c "^250 2.0.0 Ok: queued" pipe.out)" = 3 &&
	test "$(gw_jobs gw delta)" = 4
'

test_expect_success 'a full disk: 452 and nothing queued' '
	before=$(find gw/spool -type f | wc -l) &&
	{ printf "HELO f\nMAIL FROM:<a@b.example>\nRCPT TO:<beta!full@gw>\nDATA\n";
	  i=0; while [ $i -lt 400 ]; do echo "line $i of a message bigger than the file size limit allows xxxxxxxxxxxxxxxxxxxx"; i=$((i+1)); done
	  printf ".\nQUIT\n"; } | crlf >big.txt &&
	(ulimit -f 16; "$BIN/uusmtpd" -I gw/config -i <big.txt >full.out) &&
	grep -q "^452 4.3.1" full.out &&
	test "$(find gw/spool -type f | wc -l)" = "$before"
'

if command -v openssl >/dev/null 2>&1; then
test_expect_success 'STARTTLS with a configured certificate, then AUTH is offered' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout gw/key.pem -out gw/cert.pem \
		-days 2 -subj /CN=gw.example >/dev/null 2>&1 &&
	gw_stop gw &&
	printf "smtp-tls-cert cert.pem\nsmtp-tls-key key.pem\nsmtp-passwd smtp-passwd\n" >>gw/config &&
	echo "ann:s3cret" >gw/smtp-passwd && chmod 600 gw/smtp-passwd &&
	gw_start gw &&
	printf "EHLO x\r\n" | "$HELPERS/smtpc" -t 2 127.0.0.1 $(gw_port gw) >plain.out;
	grep -q "^250-STARTTLS" plain.out &&
	{ printf "EHLO tls.example\r\n"; sleep 1; printf "MAIL FROM:<a@b.example>\r\nRCPT TO:<beta!tls@gw>\r\nDATA\r\nover tls\r\n.\r\nQUIT\r\n"; } |
		timeout 20 openssl s_client -starttls smtp -connect 127.0.0.1:$(gw_port gw) -quiet \
		-ign_eof >tls.out 2>tls.err;
	cat tls.out &&
	grep -q "^250-AUTH PLAIN LOGIN" tls.out && grep -q "^250 2.0.0 Ok: queued" tls.out &&
	grep -l "over tls" gw/spool/beta/D./* | xargs grep -q "with ESMTPS id"
'
else
test_skip 'STARTTLS' 'no openssl command'
fi

test_done
