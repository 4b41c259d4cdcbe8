#!/bin/sh
# t5100-uuxqt.sh - uuxqt on beta runs what alpha's uux queued, after a real
# call: a permitted recording command gets its arguments byte-exact (shell
# metacharacters, blanks) and its standard input; sh and a command not in
# COMMANDS are refused with a logged reason and a notice, and nothing runs;
# X. files that name files outside the spool, or are malformed, are moved
# to .Corrupt and never run; exit 75 is retried; missing data is waited
# for, then given up.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
[ -x "$BIN/uux" ] && [ -x "$BIN/uuxqt" ] || test_skip_all "uux/uuxqt not built"
line_start l || test_skip_all "no PTY line (uuline or socat)"

brigade_node alpha
brigade_node beta
brigade_system alpha beta "$TRASH/l.a"
brigade_system beta alpha "$TRASH/l.b"
brigade_permit alpha "LOGNAME=beta MACHINE=beta"
brigade_permit beta "LOGNAME=alpha MACHINE=alpha COMMANDS=rmail:record:flaky"
mkdir -p "$TRASH/cmds" "$TRASH/rec"
echo "command-path $TRASH/cmds" >>"$TRASH/beta/config"
# record: each argument on a line of its own (NUL-free), stdin kept
cat >"$TRASH/cmds/record" <<EOF
#!/bin/sh
n=\$(/bin/cat "$TRASH/rec.count" 2>/dev/null || echo 0)
echo \$((n + 1)) >"$TRASH/rec.count"
for a in "\$@"; do printf '%s\n' "\$a"; done >"$TRASH/rec/args.\$n"
/bin/cat >"$TRASH/rec/stdin.\$n"
printf '%s\n' "\$UU_MACHINE \$UU_USER \$PATH" >"$TRASH/rec/env.\$n"
EOF
cat >"$TRASH/cmds/flaky" <<EOF
#!/bin/sh
if [ -e "$TRASH/flaky.once" ]; then echo ran >"$TRASH/flaky.ran"; exit 0; fi
: >"$TRASH/flaky.once"
exit 75
EOF
cat >"$TRASH/cmds/sh" <<EOF
#!/bin/sh
: >"$TRASH/pwned"
EOF
cp "$TRASH/cmds/sh" "$TRASH/cmds/cat"
chmod +x "$TRASH/cmds/"*

uux_a() { "$BIN/uux" -I "$TRASH/alpha/config" -r "$@"; }
uuxqt_b() { "$BIN/uuxqt" -I "$TRASH/beta/config"; }
in_b=$TRASH/beta/spool/alpha/in

# wait_xqt - until no X. file is left in beta's in/ (uucico starts a
# uuxqt of its own after the call; ours may find the files locked)
wait_xqt() {
	_n=100
	while [ $_n -gt 0 ]; do
		uuxqt_b
		ls "$in_b" 2>/dev/null | grep -q '^X\.' || return 0
		sleep 0.1; _n=$((_n - 1))
	done
	ls -l "$in_b" >&2
	return 1
}

test_expect_success 'alpha queues four requests for beta' '
	printf "line one\nline two \\\\ \\$HOME\n" >msg &&
	uux_a -a "sender@alpha" - "beta!record" "(a;b|c&d\$e(f)g)" "(x  y)" "(\\back)" <msg &&
	uux_a -a "sender@alpha" "beta!sh -c (touch $TRASH/pwned)" </dev/null &&
	uux_a -z "beta!cat" "(/etc/passwd)" </dev/null &&
	uux_a -n beta!flaky </dev/null &&
	test $(ls "$TRASH/alpha/spool/beta/C." | wc -l) -eq 4
'

test_expect_success 'one call carries them' '
	call brigade alpha beta brigade beta alpha l || { show_logs alpha beta; false; }
	brigade_call_ok alpha && wait_xqt
'

test_expect_success 'record got its arguments byte-exact and its input' '
	printf "%s\n" "a;b|c&d\$e(f)g" "x  y" "\\back" >want &&
	test_cmp want rec/args.0 &&
	test_cmp msg rec/stdin.0 &&
	grep -q "^alpha " rec/env.0 &&
	grep -a "executed \"record" beta/Log
'

test_expect_success 'sh and cat were refused, logged, never run' '
	test ! -e pwned &&
	grep -a "refused \"sh -c touch" beta/Log | grep "not allowed (COMMANDS)" &&
	grep -a "refused \"cat /etc/passwd\"" beta/Log
'

test_expect_success 'each refusal queued a notice (rmail) back to alpha' '
	grep -a "notice queued to" beta/Log >notices &&
	test $(wc -l <notices) -eq 2 &&
	grep -l "execution failed: sh -c" beta/spool/alpha/D./* &&
	grep -l "^C rmail sender@alpha" beta/spool/alpha/D./* &&
	grep -l "^C rmail root\|^C rmail $(id -un)" beta/spool/alpha/D./*
'

test_expect_success 'exit 75 is kept, then retried by the next run' '
	grep -a "deferred \"flaky\": exit 75" beta/Log &&
	test -e flaky.ran &&
	grep -a "executed \"flaky\"" beta/Log &&
	! grep -a "notice queued to.*exit" beta/Log
'

test_expect_success 'an X. file naming a file outside the spool is moved aside' '
	printf "U ian alpha\nF /etc/passwd\nI /etc/passwd\nC record x\n" >"$in_b/X.evil1" &&
	printf "U ian alpha\nF ../beta/in/D.x\nC record y\n" >"$in_b/X.evil2" &&
	printf "U ian alpha\nI D.../../x\nC record y\n" >"$in_b/X.evil3" &&
	uuxqt_b &&
	test ! -e "$in_b/X.evil1" && test ! -e "$in_b/X.evil2" && test ! -e "$in_b/X.evil3" &&
	ls beta/spool/.Corrupt | grep -c "X.evil" >n && test $(cat n) -eq 3 &&
	grep -a "X.evil1: never run" beta/Log | grep "not in the spool" &&
	test $(ls rec | grep -c args) -eq 1
'

test_expect_success 'malformed X. files are moved aside with the reason' '
	printf "U ian alpha\nF D.a\n" >"$in_b/X.bad1" &&
	printf "U ian alpha\nQ\nC record bad\\\\9\n" >"$in_b/X.bad2" &&
	printf "C record\nC record\nU a b\n" >"$in_b/X.bad3" &&
	uuxqt_b &&
	grep -a "X.bad1: corrupt: malformed execution file: line 2: no C line" beta/Log &&
	grep -a "X.bad2: corrupt: malformed.*bad quoting" beta/Log &&
	grep -a "X.bad3: corrupt: malformed.*second C line" beta/Log &&
	test $(ls beta/spool/.Corrupt | grep -c "X.bad") -eq 3
'

test_expect_success 'missing data is waited for, then given up' '
	printf "U ian alpha\nF D.notyet\nI D.notyet\nC record z\n" >"$in_b/X.wait" &&
	uuxqt_b && test -e "$in_b/X.wait" &&
	touch -d "2 days ago" "$in_b/X.wait" &&
	uuxqt_b && test ! -e "$in_b/X.wait" &&
	grep -a "gave up \"record z\": data file D.notyet never arrived" beta/Log &&
	test $(ls rec | grep -c args) -eq 1
'

test_expect_success 'a local request runs on the node itself' '
	echo "LOGNAME=x MACHINE=beta COMMANDS=record" >>beta/Permissions &&
	echo hello | "$BIN/uux" -I "$TRASH/beta/config" -r - "record (local arg)" &&
	uuxqt_b &&
	printf "local arg\n" >want && test_cmp want rec/args.1 &&
	echo hello >want && test_cmp want rec/stdin.1
'

test_done
