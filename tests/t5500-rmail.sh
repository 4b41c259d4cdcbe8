#!/bin/sh
# t5500-rmail.sh - rmail on node beta: local delivery into an mbox (exact
# bytes, >From escaping, concurrent deliveries intact), forwarding a bang
# path as one rmail job per neighbour, bounces for the hop limit, an
# oversize message and an unknown user (a null sender's to the dead-letter
# file instead), and a full disk: EX_TEMPFAIL with the mailbox unchanged.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/rmail" ] || test_skip_all "rmail not built"

mkdir beta
printf 'nodename beta\nmail-user alice\nmail-user bob\n' >beta/config
printf 'alpha Any TCP 5400 127.0.0.1\ngamma Any TCP 5401 127.0.0.1\n' >beta/Systems
CONF=$TRASH/beta/config
export BRIGADE_CONFIG="$CONF"
MAIL=$TRASH/beta/mail
unset UU_MACHINE UU_USER

# expect_code N command... - command exits with status N
expect_code() {
	_want=$1; shift
	"$@"; _got=$?
	[ "$_got" -eq "$_want" ] || { echo "exit $_got, wanted $_want: $*" >&2; return 1; }
}

# normalize FILE - the dates rmail writes become DATE
normalize() {
	sed -e 's/^\(From [^ ]*\) .*[0-9]\{4\}$/\1 DATE/' \
	    -e 's/^	[A-Z][a-z][a-z], .*[+-][0-9]\{4\}$/	DATE/' "$1"
}

# spooled SYS - the data files queued for SYS, as text
spooled() {
	cat "$TRASH"/beta/spool/"$1"/D./* 2>/dev/null
}

printf '%s\n' "From mark Mon Jan  2 15:04:05 2006 remote from alpha" "Subject: hello" \
    "Message-ID: <1@alpha>" "" "first line" "From the body" ">From quoted already" >msg1
printf '%s\n' "From alpha!mark DATE" "Received: from alpha by beta with UUCP (Brigade rmail);" \
    "	DATE" "Subject: hello" "Message-ID: <1@alpha>" "" "first line" ">From the body" \
    ">>From quoted already" "" >expect

test_expect_success 'local user: exact mbox content with >From escaping' '
	rmail alice <msg1 &&
	normalize "$MAIL/alice" >actual &&
	test_cmp expect actual &&
	test "$(stat -c %a "$MAIL/alice")" = 600 &&
	grep -E "from=alpha!mark to=alice status=sent mailbox" beta/Log
'

test_expect_success 'a second message is appended after a blank line' '
	rmail -I "$CONF" alice <msg1 &&
	normalize "$MAIL/alice" >actual &&
	cat expect expect >expect2 && test_cmp expect2 actual &&
	test ! -e "$MAIL/alice.lock"
'

test_expect_success 'four concurrent rmails to one mailbox all arrive intact' '
	for w in A B C D; do
		{ echo "From $w Mon Jan  2 15:04:05 2006 remote from alpha"; echo "Subject: $w";
		  echo; seq 1 20000 | sed "s/^/$w line /"; } >big.$w || return 1
	done &&
	{ rmail bob <big.A & rmail bob <big.B & rmail bob <big.C & rmail bob <big.D & wait; } &&
	test $(grep -c "^From alpha!" "$MAIL/bob") -eq 4 &&
	for w in A B C D; do
		test $(grep -c "^$w line " "$MAIL/bob") -eq 20000 &&
		first=$(grep -n "^$w line 1\$" "$MAIL/bob" | cut -d: -f1) &&
		last=$(grep -n "^$w line 20000\$" "$MAIL/bob" | cut -d: -f1) &&
		test $((last - first)) -eq 19999 || return 1
	done &&
	test $(grep -c "status=sent mailbox" beta/Log) -eq 6
'

test_expect_success 'a bang path goes to the neighbour as one job with both recipients' '
	rmail "alpha!far!carol" "alpha!dave" "dave@gamma.uucp" <msg1 &&
	uustat -a >jobs &&
	test $(grep -c "^[0-9a-f-]\{36\} alpha " jobs) -eq 1 &&
	test $(grep -c "^[0-9a-f-]\{36\} gamma " jobs) -eq 1 &&
	spooled alpha >alpha.files &&
	grep "^C rmail far!carol dave\$" alpha.files &&
	grep "^From alpha!mark .* remote from beta\$" alpha.files &&
	grep "^Received: from alpha by beta with UUCP" alpha.files &&
	grep "^From the body\$" alpha.files &&
	spooled gamma >gamma.files &&
	grep "^C rmail dave\$" gamma.files &&
	grep -E "to=alpha!far!carol status=sent relay=alpha job=" beta/Log
'

test_expect_success 'an unknown host with no smarthost bounces (EX_NOHOST)' '
	rm -rf beta/spool/alpha &&
	expect_code 68 rmail "nowhere!user" <msg1 &&
	spooled alpha >b.files &&
	grep "^C rmail mark\$" b.files &&
	grep "^From MAILER-DAEMON .* remote from beta\$" b.files &&
	grep "no route to host" b.files &&
	grep "^Message-ID: <1@alpha>\$" b.files
'

test_expect_success 'the smarthost takes what has no route' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	echo "smarthost gamma" >>beta/config &&
	rmail "nowhere!user" "user@example.org" <msg1 &&
	spooled gamma >s.files &&
	grep "^C rmail nowhere!user user@example.org\$" s.files &&
	sed -i "/^smarthost/d" beta/config
'

test_expect_success 'an unknown local user bounces with EX_NOUSER, a bad name too' '
	rm -rf beta/spool/alpha &&
	cp "$MAIL/alice" alice.before &&
	expect_code 67 rmail nosuchuser <msg1 &&
	expect_code 67 rmail ".." <msg1 &&
	expect_code 67 rmail "../etc/passwd" <msg1 &&
	expect_code 65 rmail "a;b@" <msg1 &&
	test_cmp alice.before "$MAIL/alice" &&
	test ! -e "$MAIL/nosuchuser" &&
	spooled alpha >u.files &&
	grep "no such user" u.files &&
	grep -E "to=nosuchuser status=bounced ex=67" beta/Log
'

test_expect_success 'delivered and failed recipients: mailbox gets it, sender a bounce' '
	rm -rf beta/spool/alpha &&
	expect_code 67 rmail alice nosuchuser <msg1 &&
	test $(grep -c "^From alpha!mark " "$MAIL/alice") -eq 3 &&
	spooled alpha | grep "^  nosuchuser\$"
'

test_expect_success 'a null sender is never bounced: dead letter instead' '
	rm -rf beta/spool/alpha &&
	sed "1s/^From mark/From MAILER-DAEMON/" msg1 >null.msg &&
	expect_code 67 rmail nosuchuser <null.msg &&
	test -z "$(spooled alpha)" &&
	grep "^Message-ID: <1@alpha>\$" "$MAIL/.dead.letter" &&
	grep "null sender" beta/Log
'

# hops N - a message with N Received: fields
hops() {
	echo "From mark Mon Jan  2 15:04:05 2006 remote from alpha"
	for i in $(seq 1 "$1"); do echo "Received: from h$i by h$((i + 1)) with UUCP; date"; done
	printf "Subject: loop\n\nround and round\n"
}

test_expect_success 'thirty Received: fields pass, thirty-one bounce (EX_UNAVAILABLE)' '
	hops 30 >h30 && hops 31 >h31 &&
	rmail alice <h30 &&
	rm -rf beta/spool/alpha &&
	expect_code 69 rmail alice <h31 &&
	test $(grep -c "^Subject: loop" "$MAIL/alice") -eq 1 &&
	spooled alpha >h.files &&
	grep "too many hops (31 Received: fields, limit 30)" h.files &&
	echo "max-hops 5" >>beta/config &&
	hops 6 >h6 && expect_code 69 rmail alice <h6 &&
	sed -i "/^max-hops/d" beta/config
'

test_expect_success 'an oversize message is refused with EX_DATAERR and bounced' '
	rm -rf beta/spool/alpha &&
	echo "max-message-size 4k" >>beta/config &&
	{ cat msg1; seq 1 2000; } >huge &&
	cp "$MAIL/alice" alice.before &&
	expect_code 65 rmail alice <huge &&
	test_cmp alice.before "$MAIL/alice" &&
	spooled alpha >o.files &&
	grep "message larger than 4096 bytes" o.files &&
	sed -i "/^max-message-size/d" beta/config
'

test_expect_success 'a full disk (file size limit): EX_TEMPFAIL, mailbox unchanged' '
	cp "$MAIL/alice" alice.before &&
	size=$(stat -c %s "$MAIL/alice") &&
	{ cat msg1; seq 1 3000; } >m3 &&
	blocks=$(( (size + 4096) / 512 )) &&
	{ (ulimit -f $blocks; exec rmail alice <m3); test $? -eq 75; } &&
	test_cmp alice.before "$MAIL/alice" &&
	test ! -e "$MAIL/alice.lock" &&
	grep -E "to=alice status=deferred" beta/Log
'

test_expect_success 'a stale lock is broken' '
	: >"$MAIL/alice.lock" && touch -d "1 hour ago" "$MAIL/alice.lock" &&
	rmail alice <msg1 && test ! -e "$MAIL/alice.lock"
'

test_expect_success 'no recipient is a usage error; a bad From_ line a data error' '
	expect_code 64 rmail <msg1 &&
	printf "From \n\nx\n" >badfrom &&
	expect_code 65 rmail alice <badfrom
'

test_done
