#!/bin/sh
# t5200-mail-chain.sh - 1000 mails of assorted sizes (a few bytes to about
# 100 KB, text, 8-bit bodies, lines that look like From_ lines) from alpha
# to beta!gamma!user, through the alpha-beta-gamma chain: all queued on
# alpha first (half by rmail, half by uux the way an MTA calls it), one
# call per hop carries all of them, uuxqt runs them on beta and gamma.
# Every mail must arrive in gamma's mailbox exactly once with its body
# intact (each carries an id and the sha256 of its body), with a
# Received: line for each hop, and no spool may keep anything.
# MAILS=n runs another number; the time of each phase is printed.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
for _p in uux uuxqt rmail; do
	[ -x "$BIN/$_p" ] || test_skip_all "$_p not built"
done
[ -x "$HELPERS/mailcheck" ] || test_skip_all "helper mailcheck not built"
MAILS=${MAILS:-1000}
# The programs run from a copy: a rebuild of build/bin during the run
# cannot swap one under the test, and uuxqt's command-path names only
# Brigade's programs, never another rmail found on the system.
mkdir "$TRASH/bin" && cp -p "$BIN"/* "$TRASH/bin/" || exit 1
BIN=$TRASH/bin
CALL_TIMEOUT=${CALL_TIMEOUT:-240}

line_start ab || test_skip_all "no PTY line (uuline or socat)"
line_start bg || test_skip_all "no PTY line"

for n in alpha beta gamma; do
	brigade_node $n 7 4096
	echo "maildir mail" >>"$TRASH/$n/config"
	echo "command-path $BIN" >>"$TRASH/$n/config"
done
echo "mail-user user" >>"$TRASH/gamma/config"
# link NODE PEER DEV TYPE - reach PEER on DEV, a device type of its own
# (beta has two lines: a Systems entry must name exactly one)
link() {
	echo "$2 Any $4 115200 -" >>"$TRASH/$1/Systems"
	echo "$4 $3 - 115200 direct" >>"$TRASH/$1/Devices"
}
link alpha beta "$TRASH/ab.a" LineAB
link beta alpha "$TRASH/ab.b" LineAB
link beta gamma "$TRASH/bg.a" LineBG
link gamma beta "$TRASH/bg.b" LineBG
brigade_permit alpha "LOGNAME=beta MACHINE=beta"
brigade_permit beta "LOGNAME=alpha MACHINE=alpha"
brigade_permit beta "LOGNAME=gamma MACHINE=gamma"
brigade_permit gamma "LOGNAME=beta MACHINE=beta"

# phase NAME - print (to the TAP stream, fd 3) the seconds since the
# last phase
exec 3>&1
date +%s.%N >"$TRASH/.t0"
phase() {
	_t1=$(date +%s.%N)
	say "$(printf '%-24s %6.1f s' "$1" "$(awk "BEGIN { print $_t1 - $(cat "$TRASH/.t0") }")")" >&3
	echo "$_t1" >"$TRASH/.t0"
}

# xqt_drain NODE FROM - run NODE's uuxqt until FROM's in/ holds no X.
# file (the uuxqt uucico started may hold some; ours skips those)
xqt_drain() {
	_in=$TRASH/$1/spool/$2/in
	_n=600
	while [ $_n -gt 0 ]; do
		"$BIN/uuxqt" -I "$TRASH/$1/config" || return 1
		ls "$_in" 2>/dev/null | grep -q '^X\.' || return 0
		sleep 0.2; _n=$((_n - 1))
	done
	echo "$1: X. files left in $_in" >&2
	return 1
}

# jobs_of NODE SYS - number of jobs queued on NODE for SYS
jobs_of() {
	ls "$TRASH/$1/spool/$2/C." 2>/dev/null | wc -l
}

mkdir mails
test_expect_success "make $MAILS messages" '
	"$HELPERS/mailcheck" gen mails "$MAILS" 5200 &&
	test $(wc -l <mails/manifest) -eq "$MAILS" &&
	say "$(cat mails/m[0-9]* | wc -c) bytes of mail" >&3 &&
	phase "generate"
'

test_expect_success 'the checker notices a lost, a doubled and a damaged mail' '
	mkdir chk && head -n 3 mails/manifest >chk/manifest &&
	for m in m0000 m0001 m0002; do
		printf "From x Mon Jan  2 15:04:05 2006\n" && cat mails/$m && echo
	done >chk/good &&
	"$HELPERS/mailcheck" check chk/good chk/manifest &&
	sed -n "/^From x/,\$p" chk/good | head -n 8 >chk/one &&
	cat chk/good chk/one >chk/dup &&
	test_must_fail "$HELPERS/mailcheck" check chk/dup chk/manifest &&
	head -c -40 chk/good >chk/cut && echo >>chk/cut &&
	test_must_fail "$HELPERS/mailcheck" check chk/cut chk/manifest &&
	sed "0,/^\$/!s/a/b/" chk/good >chk/bad &&
	! cmp -s chk/good chk/bad &&
	test_must_fail "$HELPERS/mailcheck" check chk/bad chk/manifest
'

test_expect_success "alpha queues $MAILS mails for beta!gamma!user" '
	i=0 &&
	for m in mails/m[0-9]*; do
		if [ $((i % 2)) -eq 0 ]; then
			"$BIN/rmail" -I "$TRASH/alpha/config" "beta!gamma!user" <$m || exit 1
		else
			"$BIN/uux" -I "$TRASH/alpha/config" -r -n -z -atester@alpha - \
				"beta!rmail" "(gamma!user)" <$m || exit 1
		fi
		i=$((i + 1))
	done &&
	phase "queue on alpha" &&
	test $(jobs_of alpha beta) -eq "$MAILS"
'

test_expect_success 'one call alpha -> beta carries everything' '
	call brigade alpha beta brigade beta alpha ab || { show_logs alpha beta; false; }
	phase "call alpha -> beta" &&
	brigade_call_ok alpha &&
	test $(jobs_of alpha beta) -eq 0 &&
	grep -a "call sys=beta" alpha/Log | grep "files_sent=$((2 * MAILS)) "
'

test_expect_success 'beta runs rmail for each: all queued for gamma' '
	xqt_drain beta alpha &&
	phase "uuxqt + rmail on beta" &&
	test $(grep -a -c "executed \"rmail gamma!user\": exit 0" beta/Log) -eq "$MAILS" &&
	test $(jobs_of beta gamma) -eq "$MAILS"
'

test_expect_success 'one call beta -> gamma carries everything' '
	call brigade beta gamma brigade gamma beta bg || { show_logs beta gamma; false; }
	phase "call beta -> gamma" &&
	grep -a "call sys=gamma" beta/Log | grep "result=ok" &&
	test $(jobs_of beta gamma) -eq 0
'

test_expect_success 'gamma delivers every mail' '
	xqt_drain gamma beta &&
	phase "uuxqt + rmail on gamma" &&
	test $(grep -a -c "executed \"rmail user\": exit 0" gamma/Log) -eq "$MAILS"
'

test_expect_success "each of the $MAILS arrived exactly once, body intact" '
	"$HELPERS/mailcheck" check gamma/mail/user mails/manifest >check.out
	rc=$?
	tail -n 20 check.out
	test $rc -eq 0 &&
	test $(grep -c "^From beta!alpha!" gamma/mail/user) -eq "$MAILS"
'

test_expect_success 'every mail names both hops in its Received: lines' '
	test $(grep -a -c "^Received: from beta by gamma with UUCP" gamma/mail/user) -eq "$MAILS" &&
	test $(grep -a -c "^Received: from alpha by beta with UUCP" gamma/mail/user) -eq "$MAILS"
'

test_expect_success 'nothing is left in any spool, nothing bounced' '
	for n in alpha beta gamma; do
		left=$(find "$n/spool" -type f ! -path "*/.Status/*" ! -path "*/.Received/*" \
			! -name .Sequence ! -name "*.lock" ! -name .joblock | head -n 5)
		test -z "$left" || { echo "$n: $left"; exit 1; }
	done &&
	test ! -e alpha/mail && test ! -e beta/mail &&
	! grep -a "bounced\|deferred\|refused" alpha/Log beta/Log gamma/Log
'

test_done
