# lib-badline.sh - transfers over a bad simulated line, across as many calls
# as it takes: sourced after tests/lib-uucp.sh by tests/t2500-bad-line.sh
# (small sizes) and bench/run.sh (full sizes).
#
# Node s sends to node r over uuline ($TRASH/l.a, $TRASH/l.b); every call
# gets a fresh line made with $BADLINE_OPTS (speed, bit errors, hang-ups)
# and a seed of its own, so each call meets different errors.  Intact means
# the sha256 of every file matches at the far end, whatever the protocol
# said; exactly once means the receiver's log shows one completed receive
# per file; a resumed send is a receive or send logged with offset > 0.
#
#   badline_nodes KIND_S KIND_R [W P]   s and r (brigade or taylor each)
#   badline_make_src DIR BYTES COUNT   a file and COUNT 2 KB mails in DIR
#   badline_queue SRCDIR               queue every file of SRCDIR for r
#   badline_run MAXCALLS               call until s's queue is empty
#   badline_check SRCDIR               intact and exactly once
#   badline_resumed                    number of resumed transfers seen

BADLINE_OPTS=${BADLINE_OPTS:-}
BADLINE_SEED=${BADLINE_SEED:-2500}
BADLINE_CALLS=0
BRIGADE_DEBUG=${BADLINE_DEBUG:-handshake}
TAYLOR_DEBUG=${BADLINE_TAYLOR_DEBUG:-abnormal}

# line_start NAME - (replaces lib-uucp's) a uuline with $BADLINE_OPTS and
# the next seed
line_start() {
	_ln=$1
	BADLINE_SEED=$((BADLINE_SEED + 1))
	rm -f "$TRASH/$_ln.a" "$TRASH/$_ln.b" "$TRASH/$_ln.out"
	# shellcheck disable=SC2086
	"$BIN/uuline" -a "$TRASH/$_ln.a" -b "$TRASH/$_ln.b" $BADLINE_OPTS \
		--seed "$BADLINE_SEED" --stats "$TRASH/$_ln.stats.$BADLINE_SEED" \
		>"$TRASH/$_ln.out" 2>"$TRASH/$_ln.err" &
	_lp=$!
	echo "$_lp" >"$TRASH/$_ln.pid"
	echo "$_lp" >>"$TRASH/.line-pids"
	wait_for_line "$TRASH/$_ln.out" '^ready' 10 || return 1
	if [ "$(id -u)" -eq 0 ] && id uucp >/dev/null 2>&1; then
		chown uucp "$(readlink -f "$TRASH/$_ln.a")" "$(readlink -f "$TRASH/$_ln.b")"
		chown -h uucp "$TRASH/$_ln.a" "$TRASH/$_ln.b"
	fi
	return 0
}

# caller_start KIND NODE PEER - (replaces lib-uucp's) a caller that ignores
# the retry wait a cut-off call leaves behind
caller_start() {
	_d=$TRASH/$2
	# with BADLINE_TIME set, /usr/bin/time appends "user,system,maxrss_kb"
	_tm=
	[ -n "${BADLINE_TIME:-}" ] && _tm="/usr/bin/time -a -o $BADLINE_TIME -f %U,%S,%M"
	case $1 in
	brigade)
		$_tm "$BIN/uucico" -I "$_d/config" -x "$BRIGADE_DEBUG" -f -S "$3" \
			</dev/null >"$_d/caller.out" 2>&1 &
		;;
	taylor)
		rm -f "$_d/lock/"LCK* "$_d/spool/.Status/$3" 2>/dev/null
		$_tm "$TAYLOR_UUCICO" -I "$_d/config" -D -q -x "$TAYLOR_DEBUG" -f -S "$3" \
			</dev/null >"$_d/caller.out" 2>&1 &
		;;
	esac
	CALLER_PID=$!
}

# _holds_open PID PATH - (replaces lib-uucp's) PID or a child of it (the
# uucico under /usr/bin/time) has PATH's target open
_holds_open() {
	_t=$(readlink -f "$2")
	for _p in "$1" $(cat /proc/"$1"/task/*/children 2>/dev/null); do
		for _f in /proc/"$_p"/fd/*; do
			[ "$(readlink "$_f" 2>/dev/null)" = "$_t" ] && return 0
		done
	done
	return 1
}

# badline_nodes KIND_S KIND_R [W P] - node s (KIND_S) sends to r (KIND_R);
# $BADLINE_PROTO (say "g") limits Brigade's caller to those protocols.
# Call it outside a test (the kinds are remembered in variables).
badline_nodes() {
	BADLINE_KS=$1 BADLINE_KR=$2
	if [ "$1" = brigade ]; then
		brigade_node s ${3:+"$3" "$4"} &&
		brigade_system s r "$TRASH/l.a" &&
		if [ -n "${BADLINE_PROTO:-}" ]; then
			sed -i "s/ Direct / Direct,$BADLINE_PROTO /" "$TRASH/s/Systems"
		fi &&
		brigade_permit s "LOGNAME=r MACHINE=r SENDFILES=yes"
	else
		taylor_node s && taylor_system s r "$TRASH/l.a" ${3:+"$3" "$4"} &&
		sed -i 's/^chat-timeout 5/chat-timeout 20/' "$TRASH/s/sys"
	fi || return 1
	if [ "$2" = brigade ]; then
		brigade_node r ${3:+"$3" "$4"} &&
		brigade_system r s "$TRASH/l.b" &&
		brigade_permit r "LOGNAME=s MACHINE=s SENDFILES=yes"
	else
		taylor_node r && taylor_system r s "$TRASH/l.b" ${3:+"$3" "$4"}
	fi
}

# badline_make_src SRCDIR BYTES COUNT - a random file "big" of BYTES and
# COUNT 2 KB "mail1".."mailN" files in SRCDIR
badline_make_src() {
	mkdir -p "$1" && make_file "$1/big" "$2" || return 1
	_i=1
	while [ "$_i" -le "$3" ]; do
		make_file "$1/mail$_i" 2048 || return 1
		_i=$((_i + 1))
	done
}

# badline_queue SRCDIR - queue every file of SRCDIR for r's pub
badline_queue() {
	for _f in "$1"/*; do
		if [ "$BADLINE_KS" = brigade ]; then
			brigade_queue s "$_f" "r!~/"
		else
			taylor_queue s "$_f" "r!~/"
		fi || return 1
	done
}

# _badline_pending - s still has work queued
_badline_pending() {
	if [ "$BADLINE_KS" = brigade ]; then
		[ -n "$(brigade_jobs s)" ]
	else
		[ -n "$(taylor_jobs s)" ]
	fi
}

# badline_run MAXCALLS [SECONDS] - call until the queue is empty (0), or
# MAXCALLS calls have been made or SECONDS have passed (1); BADLINE_CALLS
# counts the calls, BADLINE_SECONDS the time
badline_run() {
	BADLINE_CALLS=0
	_t0=$(date +%s)
	while _badline_pending; do
		BADLINE_SECONDS=$(($(date +%s) - _t0))
		[ "$BADLINE_CALLS" -ge "$1" ] && return 1
		[ -n "${2:-}" ] && [ "$BADLINE_SECONDS" -ge "$2" ] && return 1
		BADLINE_CALLS=$((BADLINE_CALLS + 1))
		CALL_TIMEOUT=${BADLINE_CALL_TIMEOUT:-600} call "$BADLINE_KS" s r \
			"$BADLINE_KR" r s l >/dev/null 2>&1
	done
	BADLINE_SECONDS=$(($(date +%s) - _t0))
	return 0
}

# badline_check SRCDIR - every file arrived intact, each received once
badline_check() {
	_bad=0
	for _f in "$1"/*; do
		_n=$(basename "$_f")
		same_file "$_f" "$TRASH/r/pub/$_n" || _bad=$((_bad + 1))
		if [ "$BADLINE_KR" = brigade ]; then
			_c=$(cat "$TRASH"/r/Log* | grep -a -c "xfer .*dir=receive file=[^ ]*/$_n .*result=ok")
			if [ "$_c" -ne 1 ]; then
				echo "$_n received $_c times" >&2
				_bad=$((_bad + 1))
			fi
		fi
	done
	[ "$_bad" -eq 0 ]
}

# badline_resumed - transfers logged as resumed at an offset > 0
badline_resumed() {
	cat "$TRASH"/r/Log* "$TRASH"/s/Log* 2>/dev/null | grep -a -c "xfer .*offset=[1-9]"
}

# badline_active - seconds the line carried traffic, over all calls
badline_active() {
	cat "$TRASH"/l.stats.* 2>/dev/null | sed -n 's/^active=//p' | awk '{ s += $1 } END { printf "%.3f\n", s }'
}

# badline_counts - packets resent, checksum errors and timeouts summed
# over the sender's calls
badline_counts() {
	cat "$TRASH"/s/Log* 2>/dev/null | grep -a "protocol g packets:" | awk '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] in s) s[kv[1]] += kv[2]
	  else if (kv[1] == "resent" || kv[1] == "checksum_errors" || kv[1] == "timeouts") s[kv[1]] = kv[2] } }
	END { printf "resent=%d checksum_errors=%d timeouts=%d\n", s["resent"], s["checksum_errors"], s["timeouts"] }'
}
