#!/bin/sh
# t5300-taylor-mail.sh - mail between Brigade and Taylor UUCP 1.07:
# Taylor's "uux - brigade!rmail user" is carried by a Taylor call, run by
# Brigade's uuxqt and delivered by Brigade's rmail; Brigade's "uux -
# taylor!rmail user" (and Brigade's rmail forwarding to taylor!user) is
# run by Taylor's uuxqt with a recording rmail.  The message bytes must be
# identical apart from the From_ line and Received: field each rmail adds.
# Needs root and Taylor UUCP (skipped otherwise).
. "$(dirname "$0")/lib-uucp.sh"
need_taylor
need_brigade
for _p in uux uuxqt rmail; do
	[ -x "$BIN/$_p" ] || test_skip_all "$_p not built"
done
TAYLOR_UUX=${TAYLOR_UUX:-/usr/bin/uux}
TAYLOR_UUXQT=${TAYLOR_UUXQT:-/usr/sbin/uuxqt}
[ -x "$TAYLOR_UUX" ] && [ -x "$TAYLOR_UUXQT" ] || test_skip_all "Taylor uux/uuxqt not installed"
# Run copies: a rebuild of build/bin cannot swap a program mid-test.
mkdir "$TRASH/bin" && cp -p "$BIN"/* "$TRASH/bin/" || exit 1
BIN=$TRASH/bin
line_start l || test_skip_all "no PTY line (uuline or socat)"

# Whoever calls uses l.a, the callee is started on l.b (see call).
brigade_node brigade 3 64
printf '%s\n' "maildir mail" "mail-user user" "command-path $BIN" >>"$TRASH/brigade/config"
brigade_system brigade taylor "$TRASH/l.a"
brigade_permit brigade "LOGNAME=taylor MACHINE=taylor REQUEST=yes SENDFILES=yes"
taylor_node taylor
taylor_system taylor brigade "$TRASH/l.a" 3 64
# Taylor runs rmail for brigade: a script that keeps its argv and input
# (Taylor's uuxqt gives it PATH=command-path only: hence /bin/cat)
mkdir -p "$TRASH/tcmds" "$TRASH/rec"
printf '%s\n' "commands rmail" "command-path $TRASH/tcmds" >>"$TRASH/taylor/sys"
cat >"$TRASH/tcmds/rmail" <<EOF
#!/bin/sh
n=\$(/bin/ls "$TRASH/rec" | /usr/bin/wc -l)	# 0, 2, ...
for a in "\$@"; do printf '%s\n' "\$a"; done >"$TRASH/rec/args.\$n"
/bin/cat >"$TRASH/rec/stdin.\$n"
EOF
chmod 755 "$TRASH/tcmds/rmail"
chown uucp "$TRASH/rec"

# strip_added FILE - FILE without its first From_ line and the Received:
# fields (with their continuation lines) at the top of its header
strip_added() {
	awk 'NR == 1 && /^From / { next }
	     hdr && /^Received:/ { skip = 1; next }
	     hdr && skip && /^[ \t]/ { next }
	     { skip = 0; hdr = 0; print }
	     BEGIN { hdr = 1 }' "$1"
}

# mbox_last FILE - the last message of an mbox without the empty line
# that ends it
mbox_last() {
	awk '/^From / && prev == "" { n++ } { prev = $0; line[n] = line[n] $0 "\n" }
	     END { printf "%s", substr(line[n], 1, length(line[n]) - 1) }' "$1"
}

printf '%s\n' "From: ian@taylor" "To: brigade!user" "Subject: from Taylor" \
	"Message-ID: <1@taylor>" "" "first line" "From the body, escaped in the mbox" \
	"last line" >msg.t
printf '%s\n' "From: mark@brigade" "To: taylor!user" "Subject: from Brigade" "" \
	"arguments and bytes: \$HOME ; | & \`x\`" "From here" "." >msg.b

test_expect_success "Taylor's uux - brigade!rmail user is queued" '
	"$TAYLOR_UUX" -I "$TRASH/taylor/config" -r - "brigade!rmail user" <msg.t &&
	taylor_jobs taylor | grep "brigade"
'

test_expect_success 'Taylor calls; Brigade runs rmail and delivers' '
	call taylor taylor brigade brigade brigade taylor l || { show_logs taylor brigade; false; }
	taylor_call_ok taylor &&
	"$BIN/uuxqt" -I "$TRASH/brigade/config" &&
	n=50; while [ ! -s brigade/mail/user ] && [ $n -gt 0 ]; do sleep 0.1; n=$((n - 1)); done
	grep -a "executed \"rmail user\": exit 0" brigade/Log &&
	test -z "$(taylor_jobs taylor)"
'

test_expect_success 'the delivered message is the sent one plus From_ and Received:' '
	mbox_last brigade/mail/user >got.b &&
	head -n 1 got.b | grep "^From taylor!" &&
	sed -n 2p got.b | grep -x "Received: from taylor by brigade with UUCP (Brigade rmail);" &&
	sed "s/^From the body/>From the body/" msg.t >want &&
	strip_added got.b >got.body && test_cmp want got.body
'

test_expect_success "Brigade's uux - taylor!rmail user, and rmail for taylor!user" '
	"$BIN/uux" -I "$TRASH/brigade/config" -r -a mark - "taylor!rmail (user)" <msg.b &&
	"$BIN/rmail" -I "$TRASH/brigade/config" "taylor!user" <msg.b &&
	test $(brigade_jobs brigade | grep -c "^[0-9a-f-]* taylor ") -eq 2
'

test_expect_success 'Brigade calls; Taylor accepts the executions' '
	logs_rotate taylor brigade &&
	call brigade brigade taylor taylor taylor brigade l || { show_logs brigade taylor; false; }
	brigade_call_ok brigade && taylor_call_ok taylor &&
	test -z "$(brigade_jobs brigade)"
'

test_expect_success "Taylor's uuxqt runs the recording rmail for both" '
	"$TAYLOR_UUXQT" -I "$TRASH/taylor/config" &&
	test -f rec/args.0 && test -f rec/args.2 && test -f rec/stdin.0 && test -f rec/stdin.2 &&
	test $(grep -c "Executing.*rmail" taylor/Log) -eq 2
'

test_expect_success 'argv is exactly "user"; uux bytes identical, rmail adds only its own' '
	echo user >want.args &&
	test_cmp want.args rec/args.0 && test_cmp want.args rec/args.2 &&
	if cmp -s msg.b rec/stdin.0; then u=0 r=2; else u=2 r=0; fi &&
	same_file msg.b rec/stdin.$u &&
	head -n 1 rec/stdin.$r | grep "^From [^ ]* .* remote from brigade\$" &&
	sed -n 2p rec/stdin.$r | grep "^Received: by brigade with UUCP" &&
	strip_added rec/stdin.$r >got.t && test_cmp msg.b got.t
'

test_done
