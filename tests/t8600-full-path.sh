#!/bin/sh
# t8600-full-path.sh - rmail on a gateway node hands Internet recipients
# to uusmtp (one run for all of them, exit codes mapped: 75 retried, 65
# bounced, a missing uusmtp retried), and the whole way through real
# programs: swaks speaks SMTP to uusmtpd at alpha, alpha's rmail queues
# the message for its smarthost beta, alpha calls beta over a PTY line,
# beta's uuxqt runs rmail, rmail runs uusmtp, uusmtp delivers to a private
# Postfix, which puts it into a mailbox: the Received: chain names every
# hop and an ISO-2022-JP body and a UTF-8 8BITMIME body arrive byte for
# byte.  The Postfix part needs root (as Postfix does) and swaks.
. "$(dirname "$0")/lib-smtp.sh"
# lib-uucp.sh for the line and the calls, without loading lib.sh twice
mkdir -p "$TRASH/.nolib/tests" && : >"$TRASH/.nolib/tests/lib.sh"
_top=${BRIGADE_TOP:-}
BRIGADE_TOP=$TRASH/.nolib
. "$TOP/tests/lib-uucp.sh"
BRIGADE_TOP=$_top
need_brigade
for _p in rmail uusmtp uusmtpd uuxqt uuline; do
	[ -x "$BIN/$_p" ] || test_skip_all "$_p not built"
done
# The programs run from a copy, so a rebuild of build/bin during the run
# cannot swap one under the test; rmail finds uusmtp beside itself.
mkdir "$TRASH/bin" && cp -p "$BIN"/* "$TRASH/bin/" || exit 1
BIN=$TRASH/bin

# test_expect_code CODE COMMAND... - COMMAND exits with status CODE
test_expect_code() {
	_want=$1
	shift
	"$@"
	_got=$?
	[ "$_got" = "$_want" ] || { echo "exit $_got, wanted $_want: $*" >&2; return 1; }
}

# --- rmail's hook, with a stand-in uusmtp that records its call ---------
gw_node gw beta
cat >>gw/config <<EOM
maildir mail
mail-user ian
smtp-smarthost 127.0.0.1:9
smtp-client $TRASH/fake-uusmtp
EOM
cat >fake-uusmtp <<EOM
#!/bin/sh
n=\$(ls $TRASH/fake.* 2>/dev/null | grep -c args)
printf '%s\n' "\$@" >$TRASH/fake.\$n.args
cat >$TRASH/fake.\$n.in
exit \$(cat $TRASH/fake-exit)
EOM
chmod 755 fake-uusmtp
echo 0 >fake-exit
printf 'From ian Mon Nov 30 01:02:03 2026 remote from beta\nSubject: out\n\nbody\n' >out.msg

test_expect_success 'two Internet recipients and a local one: one uusmtp run, exit 0' '
	"$BIN/rmail" -I gw/config a@one.example ian b@two.example <out.msg &&
	test "$(ls fake.*.args | wc -l)" = 1 &&
	printf "%s\n" -I "$TRASH/gw/config" -f "beta!ian" -- a@one.example b@two.example >want &&
	test_cmp want fake.0.args &&
	head -n 1 fake.0.in | grep -q "^Received: from beta by gw with UUCP (Brigade rmail);" &&
	sed 1,2d fake.0.in >got && printf "Subject: out\n\nbody\n" >want && test_cmp want got &&
	grep -q "^Subject: out" gw/mail/ian &&
	test "$(grep -c "status=sent smtp=uusmtp" gw/Log)" = 2 &&
	test "$(gw_jobs gw beta)" = 0
'

test_expect_success 'uusmtp says 75: rmail says 75, nothing queued, nothing bounced' '
	echo 75 >fake-exit &&
	test_expect_code 75 "$BIN/rmail" -I gw/config a@one.example <out.msg &&
	test "$(gw_jobs gw beta)" = 0 && test "$(gw_local_jobs gw)" = 0 &&
	grep -q "to=a@one.example status=deferred.*uusmtp exit 75" gw/Log
'

test_expect_success 'uusmtp says 75 after a local delivery: the rest queued again here' '
	"$BIN/rmail" -I gw/config ian a@one.example <out.msg &&
	test "$(gw_local_jobs gw)" = 1 &&
	grep -h "^C rmail" gw/spool/gw/in/X.* | grep -qx "C rmail a@one.example" &&
	rm -f gw/spool/gw/in/*
'

test_expect_success 'uusmtp says 65: rmail bounces to the return path and says 65' '
	echo 65 >fake-exit &&
	test_expect_code 65 "$BIN/rmail" -I gw/config a@one.example <out.msg &&
	test "$(gw_jobs gw beta)" = 1 &&
	grep -h "^C rmail" gw/spool/beta/D./* | grep -qx "C rmail ian" &&
	grep -q "status=bounced ex=65" gw/Log
'

test_expect_success 'no uusmtp to run: 75, so uuxqt tries again' '
	sed -i "s|^smtp-client .*|smtp-client $TRASH/nowhere|" gw/config &&
	test_expect_code 75 "$BIN/rmail" -I gw/config a@one.example <out.msg &&
	sed -i "s|^smtp-client .*|smtp-client $TRASH/fake-uusmtp|" gw/config
'

test_expect_success 'a bounce for an Internet sender goes out by uusmtp from <>' '
	echo 0 >fake-exit && rm -f fake.* &&
	printf "From someone@far.example Mon Nov 30 01:02:03 2026\nSubject: x\n\nx\n" |
		test_expect_code 67 "$BIN/rmail" -I gw/config nosuchuser &&
	printf "%s\n" -I "$TRASH/gw/config" -f "" -- someone@far.example >want &&
	test_cmp want fake.0.args && grep -q "nosuchuser" fake.0.in
'

test_expect_success 'without smtp-smarthost the UUCP smarthost neighbour still gets it' '
	sed -i -e "/^smtp-smarthost/d" gw/config && echo "smarthost beta" >>gw/config &&
	rm -f fake.* && "$BIN/rmail" -I gw/config a@one.example <out.msg &&
	! ls fake.* 2>/dev/null && grep -h "^C rmail" gw/spool/beta/D./* | grep -qx "C rmail a@one.example"
'

test_expect_success 'the real uusmtp beside rmail, uusmtpd as the smarthost' '
	gw_node hub &&
	echo "smtp-trust 127.0.0.0/8" >>hub/config && gw_start hub &&
	sed -i "/^smtp-client/d" gw/config &&
	echo "smtp-smarthost 127.0.0.1:$(gw_port hub)" >>gw/config &&
	"$BIN/rmail" -I gw/config someone@far.example other@far.example <out.msg &&
	grep -q "smtp-out .*status=sent" gw/Log &&
	grep -h "^C rmail" hub/spool/hub/in/X.* | grep -qx "C rmail someone@far.example other@far.example" &&
	d=hub/spool/hub/in/$(sed -n "s/^I //p" hub/spool/hub/in/X.*) &&
	grep -q "^Received: by gw (Brigade uusmtp) id" "$d" &&
	grep -q "^Received: from beta by gw with UUCP" "$d" && grep -qx "body" "$d"
'

# --- the full path: SMTP in at alpha -> UUCP -> beta -> SMTP out ---------
if [ "$(id -u)" != 0 ] || ! command -v postfix >/dev/null 2>&1 ||
	! command -v swaks >/dev/null 2>&1; then
	for t in 'SMTP in at alpha' 'UUCP to beta' 'SMTP out at beta' 'Received: chain' \
		'bodies byte for byte'; do
		test_skip "$t" 'needs root, postfix and swaks'
	done
	test_done
	exit $?
fi

pf_start || { echo "Bail out! postfix did not start"; exit 1; }
line_start ab || test_skip_all "no PTY line"
for n in alpha beta; do
	brigade_node $n 7 4096
	cat >>"$TRASH/$n/config" <<-EOM
	maildir mail
	command-path $BIN
	smtp-listen 127.0.0.1:0
	EOM
done
cat >>alpha/config <<EOM
smtp-trust 127.0.0.0/8
smarthost beta
EOM
cat >>beta/config <<EOM
smtp-smarthost 127.0.0.1:$PF_PORT
smtp-tls no
EOM
echo "beta Any LineAB 115200 -" >>alpha/Systems
echo "LineAB $TRASH/ab.a - 115200 direct" >>alpha/Devices
echo "alpha Any LineAB 115200 -" >>beta/Systems
echo "LineAB $TRASH/ab.b - 115200 direct" >>beta/Devices
brigade_permit alpha "LOGNAME=beta MACHINE=beta"
brigade_permit beta "LOGNAME=alpha MACHINE=alpha"
gw_start alpha || exit 1

printf 'Subject: =?ISO-2022-JP?B?GyRCJEskWyRzJDQbKEI=?=\nFrom: sender@example.org\nTo: user@sink.example\nDate: Mon, 30 Nov 2026 01:02:03 +0000\nMessage-ID: <jis@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=ISO-2022-JP\n\n\033$B$3$s$K$A$O\033(B\n.leading dot\n..two dots\nlast line\n' >jis.msg
printf 'Subject: Gr\303\274\303\237e\nFrom: sender@example.org\nTo: user@sink.example, other@sink.example\nDate: Mon, 30 Nov 2026 01:02:03 +0000\nMessage-ID: <utf8@example.org>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: 8bit\n\n\346\227\245\346\234\254\350\252\236 \303\251t\303\251\n.\303\251\n' >utf8.msg

# swaks ends the data with CRLF . CRLF itself: without the last newline
# it sends exactly jis.msg
head -c -1 jis.msg >jis.data

# headers_of ID - that message's header fields, one line each (unfolded)
headers_of() {
	msg_of "$1" | awk '/^$/ { exit } /^[ \t]/ { sub(/^[ \t]+/, ""); f = f " " $0; next }
		{ if (f != "") print f; f = $0 } END { if (f != "") print f }'
}

# xqt_drain NODE FROM - run NODE's uuxqt until FROM's in/ holds no X.
# file (a uuxqt that uucico started may hold some; ours skips those)
xqt_drain() {
	_n=100
	while [ $_n -gt 0 ]; do
		"$BIN/uuxqt" -I "$TRASH/$1/config" || return 1
		ls "$TRASH/$1/spool/$2/in" 2>/dev/null | grep -q '^X\.' || return 0
		sleep 0.2; _n=$((_n - 1))
	done
	return 1
}

# msg_of ID - the mbox record whose Message-ID is <ID>, without the From_
# line and the blank line Postfix ends it with
msg_of() {
	awk -v id="Message-ID: <$1>" '
		/^From / { if (keep) exit; n = 0; next }
		{ buf[n++] = $0 } $0 == id { keep = 1 }
		END { if (keep) for (i = 0; i < n - 1; i++) print buf[i] }' pf/mail/mbox
}

test_expect_success 'SMTP in at alpha: swaks (ISO-2022-JP) and 8BITMIME for the Internet' '
	swaks --server 127.0.0.1 --port "$(gw_port alpha)" --helo client.example \
		--from sender@example.org --to user@sink.example --data @jis.data >s.out 2>&1 &&
	grep -q "^<- *250 2.0.0" s.out &&
	{ printf "EHLO client.example\nMAIL FROM:<sender@example.org> BODY=8BITMIME\n" &&
	  printf "RCPT TO:<user@sink.example>\nRCPT TO:<other@sink.example>\nDATA\n" &&
	  sed "s/^\./../" utf8.msg && printf ".\nQUIT\n"; } | crlf >s8.in &&
	"$HELPERS/smtpc" 127.0.0.1 "$(gw_port alpha)" <s8.in >s8.out &&
	grep -q "^250 2.0.0" s8.out &&
	test "$(gw_local_jobs alpha)" = 2 &&
	"$BIN/uuxqt" -I alpha/config &&
	test "$(gw_jobs alpha beta)" = 2 &&
	grep -h "^C rmail" alpha/spool/beta/D./* | sort >cmds &&
	printf "C rmail user@sink.example\nC rmail user@sink.example other@sink.example\n" >want &&
	test_cmp want cmds
'

test_expect_success 'UUCP to beta: one call carries both, beta runs rmail' '
	call brigade alpha beta brigade beta alpha ab || { show_logs alpha beta; false; }
	brigade_call_ok alpha && test "$(gw_jobs alpha beta)" = 0 &&
	xqt_drain beta alpha &&
	test "$(grep -a -c "executed \"rmail user@sink.example.*exit 0" beta/Log)" = 2
'

test_expect_success 'SMTP out at beta: uusmtp delivered three copies to the mailbox' '
	grep -q "smtp-out .*to=<other@sink.example>.*status=sent" beta/Log &&
	wait_for_line pf/maillog "to=<other@sink.example>.*status=sent" 20 &&
	n=0 && while [ "$(grep -c "^Message-ID: <" pf/mail/mbox)" -lt 3 ] && [ $n -lt 100 ]; do
		sleep 0.2; n=$((n + 1)); done &&
	test "$(grep -c "^Message-ID: <jis@example.org>" pf/mail/mbox)" = 1 &&
	test "$(grep -c "^Message-ID: <utf8@example.org>" pf/mail/mbox)" = 2 &&
	grep -q "^Return-Path: <sender@example.org>" pf/mail/mbox &&
	test -z "$(ls beta/spool/.smtpq 2>/dev/null)"
'

test_expect_success 'Received: chain: Postfix, uusmtp at beta, rmail at beta and alpha, uusmtpd at alpha' '
	for id in jis@example.org utf8@example.org; do
		headers_of $id | sed -n "s/^Received: //p" | sed "s/;.*//" >chain.$id &&
		cat chain.$id &&
		sed -n 1p chain.$id | grep -q "^from beta .*by sink.example (Postfix) with ESMTP" &&
		sed -n 2p chain.$id | grep -q "^by beta (Brigade uusmtp) id" &&
		sed -n 3p chain.$id | grep -q "^from alpha by beta with UUCP (Brigade rmail)" &&
		sed -n 4p chain.$id | grep -q "^by alpha with UUCP (Brigade rmail)" &&
		sed -n 5p chain.$id | grep -q "^from client.example (\[127.0.0.1\]) by alpha (Brigade uusmtpd) with ESMTP" &&
		test "$(wc -l <chain.$id)" = 5 || exit 1
	done
'

test_expect_success 'bodies byte for byte: ISO-2022-JP and UTF-8 8BITMIME' '
	msg_of jis@example.org | sed -n "/^Subject: /,\$p" >got.jis && cmp jis.msg got.jis &&
	msg_of utf8@example.org | sed -n "/^Subject: /,\$p" >got.utf8 && cmp utf8.msg got.utf8
'

test_done
