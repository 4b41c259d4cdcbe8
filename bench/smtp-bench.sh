#!/bin/sh
# smtp-bench.sh - the SMTP gateway's figures.  Not part of make check.
#
#   bench/smtp-bench.sh [build-dir] [clients] [msgs]
#
# 1. uusmtpd: messages per second accepted durably (250 only after the
#    rmail job is in the spool), CLIENTS sessions at once on loopback,
#    each sending MSGS messages of about 1.3 KB pipelined.
# 2. The same sessions against a private Postfix on the same machine that
#    hands each message to Brigade's uux through its pipe transport (the
#    master.cf snippet of docs/gateway.md): the rate at which Postfix said
#    250 (its own queue), and the rate until the last uux job was in
#    Brigade's spool.  Needs root and postfix; skipped otherwise.
# 3. Bytes on the line (uuline --stats, both directions) for LINE_MAILS
#    (200) mails from alpha to beta in one call: one uux each, the way an
#    MTA queues them, versus uubatch's gzip-compressed batched SMTP.  The
#    mails are text (lines of Brigade's own documentation), 1-3 KB each.
set -u
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
case $B in /*) ;; *) B=$TOP/$B ;; esac
CLIENTS=${2:-4}
MSGS=${3:-250}
LINE_MAILS=${LINE_MAILS:-200}
export BRIGADE_TOP=$TOP BRIGADE_BUILD=$B
set -- "$B"
. "$TOP/tests/lib-uucp.sh"
# lib-smtp.sh's helpers (gw_node, pf_start...) without loading lib.sh again
eval "$(sed '/^\. .*lib\.sh"$/d' "$TOP/tests/lib-smtp.sh")"
need_brigade
# the programs run from a copy, so a rebuild of build/ cannot pull one away
mkdir "$TRASH/bin" "$TRASH/helpers" && cp -p "$BIN"/* "$TRASH/bin/" &&
	cp -p "$HELPERS"/* "$TRASH/helpers/" || exit 1
BIN=$TRASH/bin HELPERS=$TRASH/helpers

# elapsed T0 T1 - seconds between two `date +%s.%N` stamps
elapsed() { echo "$2 - $1" | bc; }
# rate N T0 T1 - N per second
rate() { echo "scale=1; $1 / ($3 - $2)" | bc; }

# session FILE DOMAIN-FORM - one SMTP session of MSGS messages; %d in the
# recipient form is the message number
session() {
	{
		printf 'EHLO bench\r\n'
		i=0
		while [ $i -lt "$MSGS" ]; do
			printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<'"$2"'>\r\nDATA\r\n' $i
			printf 'Subject: bench %d\r\n\r\n' $i
			j=0; while [ $j -lt 20 ]; do printf 'a line of about sixty bytes of text in the body of the message\r\n'; j=$((j+1)); done
			printf '.\r\n'
			i=$((i + 1))
		done
		printf 'QUIT\r\n'
	} >"$1"
}

# clients PORT SESSION - CLIENTS smtpc at once; prints the 250s after DATA
clients() {
	c=0; pids=
	while [ $c -lt "$CLIENTS" ]; do
		"$HELPERS/smtpc" -t 600 127.0.0.1 "$1" <"$2" >"$TRASH/out.$c" &
		pids="$pids $!"
		c=$((c + 1))
	done
	for p in $pids; do wait "$p" || true; done
	cat "$TRASH"/out.* | grep -c '^250 2.0.0 Ok' || true
}

# --- 1. uusmtpd ---------------------------------------------------------
gw_node gw beta
gw_start gw || { echo "uusmtpd did not start"; exit 1; }
session "$TRASH/s.gw" 'beta!u%d@gw'
t0=$(date +%s.%N)
ok=$(clients "$(gw_port gw)" "$TRASH/s.gw")
t1=$(date +%s.%N)
echo "uusmtpd: $ok messages accepted durably in $(elapsed "$t0" "$t1") s:" \
	"$(rate "$ok" "$t0" "$t1") messages/s ($CLIENTS clients)"
gw_stop gw

# --- 2. Postfix -> pipe -> uux ------------------------------------------
if [ "$(id -u)" = 0 ] && command -v postfix >/dev/null 2>&1 && id uucp >/dev/null 2>&1; then
	gw_node pfgw beta
	chown -R uucp "$TRASH/pfgw"
	want=$((CLIENTS * MSGS))
	pf_start "relay_domains = uucp" "parent_domain_matches_subdomains = relay_domains" \
		"transport_maps = inline:{ .uucp=uucp:beta }" || { echo "postfix did not start"; exit 1; }
	cat >>"$TRASH/pf/conf/master.cf" <<-EOM
	uucp unix - n n - - pipe
	  flags=Fqhu user=uucp argv=$BIN/uux -I $TRASH/pfgw/config -r -a\$sender - \$nexthop!rmail (\$recipient)
	EOM
	postfix -c "$TRASH/pf/conf" reload >/dev/null 2>&1
	sleep 1
	session "$TRASH/s.pf" 'u%d@beta.uucp'
	t0=$(date +%s.%N)
	ok=$(clients "$PF_PORT" "$TRASH/s.pf")
	t1=$(date +%s.%N)
	n=0
	while [ "$(gw_jobs pfgw beta)" -lt "$ok" ] && [ $n -lt 3000 ]; do sleep 0.1; n=$((n + 1)); done
	t2=$(date +%s.%N)
	jobs=$(gw_jobs pfgw beta)
	echo "Postfix: $ok messages accepted (its queue) in $(elapsed "$t0" "$t1") s:" \
		"$(rate "$ok" "$t0" "$t1") messages/s ($CLIENTS clients)"
	echo "Postfix -> pipe -> uux: $jobs of $want messages in Brigade's spool after" \
		"$(elapsed "$t0" "$t2") s: $(rate "$jobs" "$t0" "$t2") messages/s"
	pf_stop
else
	echo "Postfix -> pipe -> uux: skipped (needs root, postfix and a uucp user)"
fi

# --- 3. bytes on the line: one uux each versus compressed batches -------
cat "$TOP"/docs/*.md "$TOP"/README.md | grep -v '^$' | cut -c1-76 >"$TRASH/text"
tlines=$(wc -l <"$TRASH/text")
mkdir "$TRASH/mails"
i=0
while [ $i -lt "$LINE_MAILS" ]; do
	n=$((15 + (i * 7) % 30))
	start=$(( (i * 53) % (tlines - n) + 1 ))
	{
		printf 'From: sender%d@example.org\nTo: u%d@beta.uucp\n' $((i % 17)) $i
		printf 'Subject: mail %d about the gateway\nDate: Mon, 30 Nov 2026 01:02:03 +0000\n' $i
		printf 'Message-ID: <%d.bench@example.org>\n\n' $i
		sed -n "${start},$((start + n - 1))p" "$TRASH/text"
	} >"$TRASH/mails/m$i"
	i=$((i + 1))
done
payload=$(cat "$TRASH"/mails/m* | wc -c)

# line_run KIND - queue the mails on a fresh alpha the KIND way, one call
# alpha -> beta; prints "bytes-a>b bytes-b>a files-sent protocol"
line_run() {
	# the last run's nodes aside: beta's uuxqt may still be running there
	for n in alpha beta; do [ ! -d "$TRASH/$n" ] || mv "$TRASH/$n" "$TRASH/$n.$$.$(date +%s%N)"; done
	for n in alpha beta; do brigade_node $n; done
	echo "beta Any LineAB 115200 -" >>"$TRASH/alpha/Systems"
	echo "LineAB $TRASH/ab.a - 115200 direct" >>"$TRASH/alpha/Devices"
	echo "alpha Any LineAB 115200 -" >>"$TRASH/beta/Systems"
	echo "LineAB $TRASH/ab.b - 115200 direct" >>"$TRASH/beta/Devices"
	brigade_permit alpha "LOGNAME=beta MACHINE=beta"
	brigade_permit beta "LOGNAME=alpha MACHINE=alpha COMMANDS=rmail:rgsmtp"
	i=0
	while [ $i -lt "$LINE_MAILS" ]; do
		if [ "$1" = uux ]; then
			"$BIN/uux" -I "$TRASH/alpha/config" -r -asender@example.org - "beta!rmail" \
				"(u$i)" <"$TRASH/mails/m$i" || return 1
		else
			"$BIN/uubatch" -I "$TRASH/alpha/config" -s beta -f sender@example.org "u$i" \
				<"$TRASH/mails/m$i" || return 1
		fi
		i=$((i + 1))
	done
	[ "$1" = uux ] || "$BIN/uubatch" -I "$TRASH/alpha/config" -F beta || return 1
	UULINE_ARGS="--stats $TRASH/line.$1"
	call brigade alpha beta brigade beta alpha ab >/dev/null || { show_logs alpha beta >&2; return 1; }
	line_stop ab
	files=$(grep -a "call sys=beta" "$TRASH/alpha/Log" | sed -n 's/.* files_sent=\([0-9]*\) .*/\1/p')
	ab=$(sed -n 's/^a>b bytes=\([0-9]*\).*/\1/p' "$TRASH/line.$1")
	ba=$(sed -n 's/^b>a bytes=\([0-9]*\).*/\1/p' "$TRASH/line.$1")
	proto=$(grep -a -o "protocol [a-zA-Z] packets" "$TRASH/alpha/Log" | head -n 1 | cut -d' ' -f2)
	echo "$ab $ba $files $proto"
}
line_start ab || { echo "no PTY line"; exit 1; }
r=$(line_run uux) || exit 1
set -- $r
echo "line, $LINE_MAILS mails ($payload bytes of mail), one uux each: $1 bytes alpha->beta," \
	"$2 bytes beta->alpha, $3 files sent, protocol $4"
r=$(line_run batch) || exit 1
set -- $r
echo "line, $LINE_MAILS mails ($payload bytes of mail), gzip batches: $1 bytes alpha->beta," \
	"$2 bytes beta->alpha, $3 files sent, protocol $4"
