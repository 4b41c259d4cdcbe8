#!/bin/sh
# t5400-mail-hostile.sh - hostile requests end to end between two Brigade
# nodes, alpha and beta, over a real call: "uux beta!sh -c 'touch ...'"
# and a command outside COMMANDS are refused by beta's uuxqt with a
# logged reason, nothing runs, and the notice travels back and lands in
# the requester's mailbox on alpha; an X. file altered in alpha's spool
# to name files outside beta's spool is moved aside on beta; recipients
# full of shell metacharacters reach rmail's argv byte for byte; and a
# mail that loops (alpha's smarthost is beta, beta's is alpha) is bounced
# at the hop limit and its bounce delivered, within a bounded number of
# calls.  (t5100 covers uuxqt's own decisions one by one.)
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
for _p in uux uuxqt rmail; do
	[ -x "$BIN/$_p" ] || test_skip_all "$_p not built"
done
# Run copies: a rebuild of build/bin cannot swap a program mid-test.
mkdir "$TRASH/bin" && cp -p "$BIN"/* "$TRASH/bin/" || exit 1
BIN=$TRASH/bin
line_start l || test_skip_all "no PTY line (uuline or socat)"

PWNED=/tmp/brigade-pwned.$$
cleanup "rm -f $PWNED $PWNED.2"
for n in alpha beta; do
	brigade_node $n
	printf '%s\n' "maildir mail" "mail-user ian" "max-hops 3" >>"$TRASH/$n/config"
done
brigade_system alpha beta "$TRASH/l.a"
brigade_system beta alpha "$TRASH/l.b"
brigade_permit alpha "LOGNAME=beta MACHINE=beta SENDFILES=yes"
brigade_permit beta "LOGNAME=alpha MACHINE=alpha SENDFILES=yes"
# beta's rmail is a wrapper that records its argv (one per line), then
# runs Brigade's rmail; command-path: the wrapper first, then the real
# system directories, so a sh that were allowed would really run.
mkdir "$TRASH/cmds"
cat >"$TRASH/cmds/rmail" <<EOF
#!/bin/sh
for a in "\$@"; do printf '%s\n' "\$a"; done >>"$TRASH/rmail.argv"
exec "$BIN/rmail" "\$@"
EOF
chmod +x "$TRASH/cmds/rmail"
echo "command-path $TRASH/cmds:/usr/sbin:/usr/bin:/bin" >>"$TRASH/beta/config"
echo "command-path $BIN" >>"$TRASH/alpha/config"

exec 3>&1	# the TAP stream, for numbers worth seeing

uux_a() { "$BIN/uux" -I "$TRASH/alpha/config" -r "$@"; }

# exchange - one call alpha -> beta (both send), then uuxqt on both
exchange() {
	call brigade alpha beta brigade beta alpha l || { show_logs alpha beta; return 1; }
	# uucico starts uuxqt in the background after a call that brought
	# executions: let it finish, so that the queue counts read below are
	# not taken while it is half way through a request
	_n=100
	while pgrep -f "uuxqt -I $TRASH/" >/dev/null && [ $_n -gt 0 ]; do
		sleep 0.1; _n=$((_n - 1))
	done
	"$BIN/uuxqt" -I "$TRASH/beta/config" && "$BIN/uuxqt" -I "$TRASH/alpha/config"
}

# queued NODE - number of jobs queued on NODE (for any system)
queued() {
	find "$TRASH/$1/spool" -path "*/C./*" -type f | wc -l
}

test_expect_success 'alpha queues sh, cat and a doctored request for beta' '
	uux_a -a ian "beta!sh -c (touch $PWNED)" </dev/null &&
	uux_a -a ian "beta!cat" "(/etc/passwd)" </dev/null &&
	echo "harmless" | uux_a -j -a ian - "beta!rmail (ian)" >id &&
	d=$(brigade_jobs alpha | awk -v id="$(cat id)" "\$1 == id { p = 1; next }
		/^[^\t]/ { p = 0 } p && /-> beta!X\\./ { print \$2 }") &&
	x=alpha/spool/beta/D./$d && grep -x "C rmail ian" "$x" &&
	printf "U ian alpha\nF /etc/shadow\nI ../../../etc/passwd\nC rmail ian\n" >"$x" &&
	test $(queued alpha) -eq 3
'

test_expect_success 'one call: beta refuses sh and cat with reasons; nothing ran' '
	exchange &&
	test ! -e "$PWNED" &&
	grep -a "refused \"sh -c touch $PWNED\"" beta/Log | grep "not allowed (COMMANDS)" &&
	grep -a "refused \"cat /etc/passwd\"" beta/Log | grep "not allowed (COMMANDS)" &&
	! grep -a "executed \"sh\|executed \"cat" beta/Log
'

test_expect_success 'the doctored X. file was moved aside on beta, never run' '
	ls beta/spool/.Corrupt >corrupt && test $(grep -c "^alpha\.X\." corrupt) -eq 1 &&
	grep -a "never run \"rmail ian\"" beta/Log | grep "\"/etc/shadow\" is not in the spool" &&
	test ! -e rmail.argv
'

test_expect_success 'the notices came back to ian on alpha in the next call' '
	exchange &&
	grep -a "execution failed: sh -c touch $PWNED" alpha/mail/ian &&
	grep -a "execution failed: cat /etc/passwd" alpha/mail/ian &&
	test $(grep -c "^From " alpha/mail/ian) -eq 2 &&
	test $(queued alpha) -eq 0 && test $(queued beta) -eq 0
'

printf "%s\n" "ian" "a;b|c&d\$(touch $PWNED.2)" "\`touch $PWNED.2\`" "x y" "'q'" \
	">out" "*" "ian" >want.argv
test_expect_success 'metacharacters reach rmail argv unchanged, none acts' '
	rm -f rmail.argv &&
	echo "Subject: meta" | uux_a - "beta!rmail" "(ian)" "(a;b|c&d\$(touch $PWNED.2))" \
		"(\`touch $PWNED.2\`)" "(x y)" "('\''q'\'')" "(>out)" "(*)" "(ian)" &&
	exchange &&
	test_cmp want.argv rmail.argv &&
	test ! -e "$PWNED.2" && test ! -e "$TRASH/beta/out" &&
	grep -a "Subject: meta" beta/mail/ian &&
	grep -a -F "to=a;b|c&d\$(touch $PWNED.2) status=bounced" beta/Log
'

test_expect_success 'a mail looping between smarthosts is bounced at the hop limit' '
	echo "smarthost beta" >>alpha/config && echo "smarthost alpha" >>beta/config &&
	logs_rotate alpha beta && rm -f alpha/mail/ian &&
	printf "%s\n" "From ian Mon Jan  2 15:04:05 2006" "Subject: round and round" "" \
		"loop body" | "$BIN/rmail" -I "$TRASH/alpha/config" nobody@nowhere.example &&
	calls=0 &&
	while [ $((calls += 1)) -le 16 ]; do
		exchange || exit 1
		[ $(queued alpha) -eq 0 ] && [ $(queued beta) -eq 0 ] && break
	done &&
	say "the loop and its bounce took $calls calls" >&3 &&
	test $(queued alpha) -eq 0 && test $(queued beta) -eq 0 &&
	cat alpha/Log beta/Log | grep -a "status=bounced" >bounced &&
	test $(wc -l <bounced) -eq 1 && grep "ex=69" bounced &&
	test $(grep -c "^From " alpha/mail/ian) -eq 1 &&
	grep -a "Subject: round and round" alpha/mail/ian &&
	grep -a -i "MAILER-DAEMON" alpha/mail/ian &&
	test ! -e beta/mail/nobody && test ! -e alpha/mail/nobody
'

test_done
