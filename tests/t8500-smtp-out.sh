#!/bin/sh
# t8500-smtp-out.sh - uusmtp hands mail from the UUCP world to a real
# Postfix as the smarthost: RFC 976 reverse-paths, bodies byte for byte,
# a Received: line for the hop, STARTTLS when offered, 5xx bounced as an
# rmail job, connection failures deferred and retried, the queue
# lifetime; AUTH against uusmtpd as the smarthost.
. "$(dirname "$0")/lib-smtp.sh"
command -v postfix >/dev/null 2>&1 || test_skip_all 'postfix is not installed'
[ "$(id -u)" = 0 ] || test_skip_all 'a private Postfix needs root'

openssl req -x509 -newkey rsa:2048 -nodes -keyout pfkey.pem -out pfcert.pem -days 2 \
	-subj /CN=sink.example >/dev/null 2>&1
chmod 644 pfkey.pem
pf_start "smtpd_tls_cert_file = $TRASH/pfcert.pem" "smtpd_tls_key_file = $TRASH/pfkey.pem" \
	"smtpd_tls_security_level = may" || { echo "Bail out! postfix did not start"; exit 1; }

gw_node gw beta
cat >>gw/config <<EOM
smtp-smarthost 127.0.0.1:$PF_PORT
gateway-domain gw.example
smtp-reverse-path uucp
smtp-retry 1
EOM

printf 'Subject: =?ISO-2022-JP?B?GyRCJEskWyRzJDQbKEI=?=\nFrom: ian@beta.uucp\nDate: Mon, 30 Nov 2026 01:02:03 +0000\nMessage-ID: <jis@beta.uucp>\n\n\033$B$3$s$K$A$O\033(B\n.leading dot\n..two dots\nlast line\n' >jis.msg

test_expect_success 'a message from beta!ian reaches the Postfix mailbox' '
	"$BIN/uusmtp" -I gw/config -f "beta!ian" user@sink.example <jis.msg &&
	pf_wait_mail "^Subject: =\?ISO-2022-JP" &&
	grep -q "^Return-Path: <ian@beta.uucp>" pf/mail/mbox &&
	grep -q "status=sent" gw/Log
'

test_expect_success 'headers and body arrive byte for byte; Received: lines show both hops' '
	sed -n "/^Subject: =?ISO-2022-JP/,\$p" pf/mail/mbox | sed "\$d" >got &&
	cmp jis.msg got &&
	grep -q "^Received: by gw (Brigade uusmtp) id" pf/mail/mbox &&
	grep -q "by sink.example (Postfix) with ESMTPS" pf/mail/mbox
'

test_expect_success 'UTF-8 with 8BITMIME arrives byte for byte' '
	printf "Subject: Gr\303\274\303\237e\nFrom: ian@beta.uucp\nDate: Mon, 30 Nov 2026 01:02:03 +0000\nMessage-ID: <utf8@beta.uucp>\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n\346\227\245\346\234\254\350\252\236 \303\251t\303\251\n" >utf8.msg &&
	"$BIN/uusmtp" -I gw/config -f "beta!ian" user@sink.example <utf8.msg &&
	pf_wait_mail "^Subject: Gr" &&
	sed -n "/^Subject: Gr/,\$p" pf/mail/mbox | sed "\$d" >got8 && cmp utf8.msg got8
'

test_expect_success 'gateway-style reverse-path: a!b!user@gateway-domain' '
	sed -i "s/^smtp-reverse-path uucp/smtp-reverse-path gateway/" gw/config &&
	printf "Subject: gwstyle\n\nx\n" | "$BIN/uusmtp" -I gw/config -f "beta!delta!ann" other@sink.example &&
	pf_wait_mail "^Subject: gwstyle" &&
	grep -q "^Return-Path: <beta!delta!ann@gw.example>" pf/mail/mbox
'

test_expect_success '5xx: bounced at once to the bang return path as an rmail job' '
	printf "Subject: nobody\n\nx\n" | "$BIN/uusmtp" -I gw/config -f "beta!ian" nobody@sink.example &&
	grep -q "status=bounced" gw/Log &&
	x=$(grep -l "^C rmail beta!ian" gw/spool/gw/in/X.*) && test -n "$x" &&
	d=$(sed -n "s/^I //p" $x) && grep -q "nobody@sink.example.*5.1.1" gw/spool/gw/in/$d &&
	grep -q "^Subject: nobody" gw/spool/gw/in/$d &&
	test -z "$(ls gw/spool/.smtpq | grep -v corrupt)"
'

test_expect_success 'the smarthost down: deferred, then delivered by uusmtp -q' '
	pf_stop &&
	printf "Subject: deferred\n\nlater\n" | "$BIN/uusmtp" -I gw/config -f "beta!ian" user@sink.example &&
	grep -q "status=deferred" gw/Log && test "$(ls gw/spool/.smtpq/*.env | wc -l)" = 1 &&
	"$BIN/uusmtp" -I gw/config -q && test "$(ls gw/spool/.smtpq/*.env | wc -l)" = 1 &&
	pf_start "smtpd_tls_cert_file = $TRASH/pfcert.pem" "smtpd_tls_key_file = $TRASH/pfkey.pem" \
		"smtpd_tls_security_level = may" &&
	sleep 1 && "$BIN/uusmtp" -I gw/config -q &&
	pf_wait_mail "^Subject: deferred" && ! ls gw/spool/.smtpq/*.env 2>/dev/null
'

test_expect_success 'past the queue lifetime: bounced' '
	pf_stop &&
	echo "smtp-queue-lifetime 1" >>gw/config &&
	printf "Subject: expires\n\nx\n" | "$BIN/uusmtp" -I gw/config -f "beta!eve" user@sink.example &&
	sleep 2 && "$BIN/uusmtp" -I gw/config -q &&
	! ls gw/spool/.smtpq/*.env 2>/dev/null &&
	grep -l "^C rmail beta!eve" gw/spool/gw/in/X.* >/dev/null
'

test_expect_success 'the null sender is never bounced to' '
	printf "Subject: dsn\n\nx\n" | "$BIN/uusmtp" -I gw/config -f "" user@sink.example &&
	sleep 2 && "$BIN/uusmtp" -I gw/config -q &&
	grep -q "null sender: dropped" gw/Log
'

test_expect_success 'AUTH and STARTTLS against uusmtpd as the smarthost' '
	gw_node hub beta &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout hub/key.pem -out hub/cert.pem \
		-days 2 -subj /CN=hub >/dev/null 2>&1 &&
	printf "smtp-tls-cert cert.pem\nsmtp-tls-key key.pem\nsmtp-passwd pw\n" >>hub/config &&
	echo "gwuser:gwpass" >hub/pw && gw_start hub &&
	sed -i -e "/^smtp-smarthost/d" -e "/^smtp-queue-lifetime/d" gw/config &&
	printf "smtp-smarthost 127.0.0.1:%s\nsmtp-auth-user gwuser\nsmtp-auth-password gwpass\nsmtp-tls must\n" \
		"$(gw_port hub)" >>gw/config &&
	printf "Subject: via hub\n\nx\n" | "$BIN/uusmtp" -I gw/config -f "beta!ian" someone@far.example &&
	grep -q "status=sent" gw/Log && grep -q "user=gwuser: authenticated" hub/Log &&
	grep -q "TLS started" hub/Log &&
	grep -h "^C rmail" hub/spool/hub/in/X.* | grep -qx "C rmail someone@far.example"
'

test_done
