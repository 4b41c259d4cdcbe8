# lib-uucp.sh - two uucicos on one simulated line: Brigade and Taylor UUCP
# nodes in the trash directory, the line between them, one call at a time.
# Sourced by the t4xxx scripts after nothing else (it sources lib.sh).
#
# Nodes live in $TRASH/NAME.  A Brigade node has NAME/config, Systems,
# Devices, Permissions, passwd, spool/, pub/ and Log; a Taylor node has a
# private Taylor config (NAME/config, sys, port, passwd, spool/, pub/,
# lock/, Log, Stats, Debug) owned by uid uucp, because Taylor's binaries,
# run as root with -I, switch to uucp for good.
#
#   need_brigade                 skip unless $BIN/uucico, uucp, uustat exist
#   need_taylor                  skip unless root and /usr/sbin/uucico
#   line_start NAME              a PTY pair: $TRASH/NAME.a and $TRASH/NAME.b
#                                (uuline gets $UULINE_ARGS, e.g. --ber 1e-5)
#   line_stop NAME               end it (cuts the line in mid-call)
#   line_fresh NAME              stop and start it again (done before each call)
#   brigade_node NAME [W P]      a Brigade node asking for window W packet P
#   brigade_system NODE PEER DEV [chat...]    Systems + Devices entries
#                                ($BRIGADE_LINE_PROTOCOLS: "Direct,t" in both)
#   brigade_permit NODE 'LOGNAME=... ...'     one Permissions line
#   taylor_node NAME             a Taylor node
#   taylor_system NODE PEER DEV [W P]         sys (protocol $TAYLOR_PROTOCOL, g) + port entry
#   call KIND NODE PEER  KIND NODE LOGIN DEV  one call; 0 when both exit 0
#   logs_rotate NODE...          start each node's Log afresh
#   taylor_call_ok NODE          Log has "Call complete", no error lines
#   taylor_queue_both T B [fetch]  files of each size in $SIZES both ways
#   taylor_check_both T B PROTO [fetch]  they arrived intact, PROTO used
#   brigade_call_ok NODE         Log has "call ... result=ok"
#   same_file A B                sha256 of A and B equal
#   make_file PATH SIZE          SIZE random bytes; make_allbytes PATH
#
# How a call is started, and why (measured with Taylor UUCP 1.07):
# - Taylor discards unread input when it opens a port and sends Shere only
#   once, so the callee must start after the caller holds its end of the
#   line open.  A fixed sleep is either slow or flaky; instead `call` starts
#   the caller, polls /proc/PID/fd until that very process has the caller's
#   PTY slave open, waits CALL_SETTLE seconds more (the caller may flush
#   the line right after opening it), and only then starts the callee with
#   the other slave as stdin and stdout.  The same order is used whichever
#   program is on either side, so Brigade is tested the way Taylor needs.
# - Taylor closes and reopens nothing on the callee side, but the caller
#   closes its port at the end of the call and sleeps ~2 s: `call` waits for
#   both processes, so a Taylor caller costs 2 s per call.
# - The PTY slaves must belong to uucp for a Taylor caller to open them.
# - The line is sim/uuline.  Without it (early development only) socat
#   stands in; socat ends when one side closes its slave, so each call gets
#   a fresh line there.  Set BRIGADE_LINE=socat to force that.

. "${BRIGADE_TOP:-$(cd "$(dirname "$0")/.." && pwd)}/tests/lib.sh"

TAYLOR_UUCICO=${TAYLOR_UUCICO:-/usr/sbin/uucico}
TAYLOR_UUCP=${TAYLOR_UUCP:-/usr/bin/uucp}
TAYLOR_UUSTAT=${TAYLOR_UUSTAT:-/usr/bin/uustat}
TAYLOR_DEBUG=${TAYLOR_DEBUG:-abnormal,chat,handshake,uucp-proto}
BRIGADE_DEBUG=${BRIGADE_DEBUG:-all}
CALL_TIMEOUT=${CALL_TIMEOUT:-60}
CALL_SETTLE=${CALL_SETTLE:-0.3}

# need_brigade - skip the script unless Brigade's uucico and tools are built
need_brigade() {
	for _p in uucico uucp uustat; do
		if [ ! -x "$BIN/$_p" ]; then
			if [ -n "${CI:-}" ]; then
				echo "Bail out! $BIN/$_p is not built"
				exit 1
			fi
			test_skip_all "$BIN/$_p is not built yet"
		fi
	done
}

# need_taylor - skip the script unless Taylor UUCP can be driven here
need_taylor() {
	[ "$(id -u)" -eq 0 ] || test_skip_all "Taylor UUCP tests need root (it runs as uucp)"
	[ -x "$TAYLOR_UUCICO" ] || test_skip_all "$TAYLOR_UUCICO is not installed"
	[ -x "$TAYLOR_UUCP" ] || test_skip_all "$TAYLOR_UUCP is not installed"
	id uucp >/dev/null 2>&1 || test_skip_all "no user uucp"
}

# _line_kind - uuline when built, else socat
_line_kind() {
	if [ "${BRIGADE_LINE:-}" = socat ]; then
		echo socat
	elif [ -x "$BIN/uuline" ]; then
		echo uuline
	elif command -v socat >/dev/null 2>&1; then
		echo socat
	else
		echo none
	fi
}

# line_start NAME - a PTY pair with slaves $TRASH/NAME.a and $TRASH/NAME.b
line_start() {
	_ln=$1
	rm -f "$TRASH/$_ln.a" "$TRASH/$_ln.b" "$TRASH/$_ln.out"
	case $(_line_kind) in
	uuline)
		# shellcheck disable=SC2086 # UULINE_ARGS: extra options, split
		"$BIN/uuline" -a "$TRASH/$_ln.a" -b "$TRASH/$_ln.b" ${UULINE_ARGS:-} \
			>"$TRASH/$_ln.out" 2>"$TRASH/$_ln.err" &
		_lp=$!
		if ! wait_for_line "$TRASH/$_ln.out" '^ready' 10; then
			echo "uuline did not say ready" >&2
			cat "$TRASH/$_ln.err" >&2
			kill "$_lp" 2>/dev/null
			return 1
		fi
		;;
	socat)
		socat "pty,raw,echo=0,link=$TRASH/$_ln.a" \
			"pty,raw,echo=0,link=$TRASH/$_ln.b" \
			2>"$TRASH/$_ln.err" &
		_lp=$!
		wait_for_file "$TRASH/$_ln.b" 10 || return 1
		wait_for_file "$TRASH/$_ln.a" 10 || return 1
		;;
	*)
		echo "neither uuline nor socat" >&2
		return 1
		;;
	esac
	echo "$_lp" >"$TRASH/$_ln.pid"
	echo "$_lp" >>"$TRASH/.line-pids"	# for _lines_kill; see below
	# A Taylor caller (uid uucp) opens the slave itself.
	if [ "$(id -u)" -eq 0 ] && id uucp >/dev/null 2>&1; then
		chown uucp "$TRASH/$_ln.a" "$TRASH/$_ln.b"
	fi
	return 0
}

# _lines_kill - end every line this script started.  Lines are often
# started inside a test's subshell, where a registered cleanup would be
# lost, so their pids go to a file and one cleanup reads it.
_lines_kill() {
	[ -f "$TRASH/.line-pids" ] || return 0
	for _p in $(cat "$TRASH/.line-pids"); do
		kill "$_p" 2>/dev/null
	done
	return 0
}
cleanup _lines_kill

# line_stop NAME - end the line process and wait for it
line_stop() {
	[ -f "$TRASH/$1.pid" ] || return 0
	_lp=$(cat "$TRASH/$1.pid")
	kill "$_lp" 2>/dev/null
	_n=50
	while kill -0 "$_lp" 2>/dev/null && [ $_n -gt 0 ]; do
		sleep 0.1; _n=$((_n - 1))
	done
	kill -9 "$_lp" 2>/dev/null
	rm -f "$TRASH/$1.pid"
	return 0
}

# line_fresh NAME - a new line for each call: the line may still hold the
# bytes the last call's two sides sent after the other had gone (the final
# "OOOOOOO"), and a caller that reads them before Shere fails
line_fresh() {
	line_stop "$1"
	line_start "$1"
}

# brigade_node NAME [WINDOW PACKSIZE] - a Brigade node directory
brigade_node() {
	_d=$TRASH/$1
	mkdir -p "$_d/spool" "$_d/pub"
	{
		echo "nodename $1"
		echo "spool spool"
		echo "pubdir pub"
		echo "logfile Log"
		if [ $# -ge 3 ]; then
			echo "protocol-parameter g window $2"
			echo "protocol-parameter g packet-size $3"
		fi
	} >"$_d/config"
	: >"$_d/Systems"; : >"$_d/Devices"; : >"$_d/Permissions"; : >"$_d/passwd"
}

# brigade_system NODE PEER DEV [CHAT...] - reach PEER over the line at DEV;
# with $BRIGADE_LINE_PROTOCOLS (say "t") both entries name those protocols
# ("Direct,t"), which for t or e also marks the line reliable
brigade_system() {
	_d=$TRASH/$1; _peer=$2; _dev=$3
	_ty=Direct${BRIGADE_LINE_PROTOCOLS:+,$BRIGADE_LINE_PROTOCOLS}
	shift 3
	printf '%s\n' "$_peer Any $_ty 115200 - $*" | sed 's/ *$//' >>"$_d/Systems"
	echo "$_ty $_dev - 115200 direct" >>"$_d/Devices"
}

# brigade_permit NODE 'LOGNAME=... MACHINE=...' - one Permissions line
brigade_permit() {
	echo "$2" >>"$TRASH/$1/Permissions"
}

# taylor_node NAME - a Taylor UUCP node with a private configuration
taylor_node() {
	_d=$TRASH/$1
	mkdir -p "$_d/spool" "$_d/pub" "$_d/lock"
	cat >"$_d/config" <<EOF
nodename $1
spool $_d/spool
pubdir $_d/pub
lockdir $_d/lock
logfile $_d/Log
statfile $_d/Stats
debugfile $_d/Debug
sysfile $_d/sys
portfile $_d/port
dialfile $_d/dial
callfile $_d/call
passwdfile $_d/passwd
v2-files no
hdb-files no
run-uuxqt never
EOF
	: >"$_d/sys"; : >"$_d/port"; : >"$_d/dial"; : >"$_d/call"; : >"$_d/passwd"
	: >"$_d/Log"; : >"$_d/Stats"; : >"$_d/Debug"
	chown -R uucp "$_d"
	chmod 1777 "$_d/pub"
}

# taylor_system NODE PEER DEV [WINDOW PACKSIZE [CHAT]] - sys and port
# entries; with TAYLOR_PROTOCOL=G, WINDOW and PACKSIZE are set for G as
# well.  TAYLOR_PROTOCOL=t (or e) runs t over the PTY as it is: a port
# is "reliable true" by default, and a sys "protocol" line names what the
# negotiation may use (measured with Taylor UUCP 1.07)
taylor_system() {
	_d=$TRASH/$1; _peer=$2; _dev=$3
	cat >>"$_d/sys" <<EOF
system $_peer
time any
port line-$_peer
chat ${6:-""}
chat-timeout 5
protocol ${TAYLOR_PROTOCOL:-g}
max-retries 0
EOF
	if [ $# -ge 5 ]; then
		cat >>"$_d/sys" <<EOF
protocol-parameter g window $4
protocol-parameter g packet-size $5
EOF
		# Taylor keeps G's parameters apart from g's (Brigade's g
		# parameters serve both)
		case ${TAYLOR_PROTOCOL:-g} in
		*G*) printf 'protocol-parameter G window %s\nprotocol-parameter G packet-size %s\n' \
			"$4" "$5" >>"$_d/sys" ;;
		esac
	fi
	cat >>"$_d/port" <<EOF
port line-$_peer
type direct
device $_dev
speed 115200
carrier false
hardflow false
EOF
}

# taylor_queue NODE ARGS... - run Taylor's uucp for NODE (as uucp, copied)
taylor_queue() {
	_d=$TRASH/$1; shift
	"$TAYLOR_UUCP" -I "$_d/config" -r -C "$@"
}

# brigade_queue NODE ARGS... - run Brigade's uucp for NODE
brigade_queue() {
	_d=$TRASH/$1; shift
	"$BIN/uucp" -I "$_d/config" -r "$@"
}

# brigade_jobs NODE - Brigade's uustat -a (empty when nothing is queued)
brigade_jobs() {
	"$BIN/uustat" -I "$TRASH/$1/config" -a
}

# taylor_jobs NODE - Taylor's uustat -a
taylor_jobs() {
	"$TAYLOR_UUSTAT" -I "$TRASH/$1/config" -a
}

# logs_rotate NODE... - keep old logs as Log.N, start each Log empty
logs_rotate() {
	for _n in "$@"; do
		_d=$TRASH/$_n
		_i=1
		while [ -e "$_d/Log.$_i" ]; do _i=$((_i + 1)); done
		[ -f "$_d/Log" ] && mv "$_d/Log" "$_d/Log.$_i"
		[ -f "$_d/Debug" ] && mv "$_d/Debug" "$_d/Debug.$_i"
		if [ -f "$_d/sys" ]; then	# Taylor: files it can write
			: >"$_d/Log"; : >"$_d/Debug"
			chown uucp "$_d/Log" "$_d/Debug"
		fi
	done
}

# _holds_open PID PATH - the process PID has PATH's target open
_holds_open() {
	_t=$(readlink -f "$2")
	for _f in /proc/"$1"/fd/*; do
		[ "$(readlink "$_f" 2>/dev/null)" = "$_t" ] && return 0
	done
	return 1
}

# _wait_pid PID SECONDS - wait for PID to end; kill it after SECONDS.
# Sets WAIT_RC to its exit status (124 after a timeout, as timeout(1)
# does).  Not in a $(...): only this shell can reap its children.
_wait_pid() {
	_n=$(( $2 * 10 ))
	while kill -0 "$1" 2>/dev/null && [ $_n -gt 0 ]; do
		sleep 0.1; _n=$((_n - 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill "$1" 2>/dev/null; sleep 0.5; kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		WAIT_RC=124
		return
	fi
	wait "$1"
	WAIT_RC=$?
}

# caller_start KIND NODE PEER - start a caller in the background (CALLER_PID)
caller_start() {
	_d=$TRASH/$2
	case $1 in
	brigade)
		"$BIN/uucico" -I "$_d/config" -x "$BRIGADE_DEBUG" -S "$3" \
			</dev/null >"$_d/caller.out" 2>&1 &
		;;
	taylor)
		"$TAYLOR_UUCICO" -I "$_d/config" -D -q -x "$TAYLOR_DEBUG" -S "$3" \
			</dev/null >"$_d/caller.out" 2>&1 &
		;;
	esac
	CALLER_PID=$!
}

# callee_start KIND NODE LOGIN DEV - start a callee on DEV (CALLEE_PID);
# LOGIN "-" runs Brigade's callee with its own login prompt (-l)
callee_start() {
	_d=$TRASH/$2
	case $1 in
	brigade)
		if [ "$3" = - ]; then
			"$BIN/uucico" -I "$_d/config" -x "$BRIGADE_DEBUG" -l \
				<"$4" >"$4" 2>"$_d/callee.err" &
		else
			"$BIN/uucico" -I "$_d/config" -x "$BRIGADE_DEBUG" -u "$3" \
				<"$4" >"$4" 2>"$_d/callee.err" &
		fi
		;;
	taylor)
		"$TAYLOR_UUCICO" -I "$_d/config" -D -q -x "$TAYLOR_DEBUG" -u "$3" \
			<"$4" >"$4" 2>"$_d/callee.err" &
		;;
	esac
	CALLEE_PID=$!
}

# wait_holds PID DEV [SECONDS] - until PID has DEV open (0), or PID ended
wait_holds() {
	_n=$(( ${3:-10} * 20 ))
	while [ $_n -gt 0 ]; do
		_holds_open "$1" "$2" && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.05; _n=$((_n - 1))
	done
	return 1
}

# call CKIND CNODE PEER EKIND ENODE LOGIN LINE - one call over line LINE:
# the caller CNODE (its Devices/port name LINE.a) calls PEER; the callee
# ENODE runs on LINE.b as LOGIN.  Sets CALLER_RC and CALLEE_RC; returns 0
# when both are 0.  The logs are the nodes' own; the programs' stdout and
# stderr are in CNODE/caller.out and ENODE/callee.err.
call() {
	_ck=$1 _cn=$2 _peer=$3 _ek=$4 _en=$5 _login=$6 _line=$7
	line_fresh "$_line" || return 1
	caller_start "$_ck" "$_cn" "$_peer"
	_cp=$CALLER_PID
	if ! wait_holds "$_cp" "$TRASH/$_line.a" 10; then
		echo "caller $_cn never opened $_line.a" >&2
	fi
	sleep "$CALL_SETTLE"
	callee_start "$_ek" "$_en" "$_login" "$TRASH/$_line.b"
	_ep=$CALLEE_PID
	_wait_pid "$_cp" "$CALL_TIMEOUT"; CALLER_RC=$WAIT_RC
	_wait_pid "$_ep" 10; CALLEE_RC=$WAIT_RC
	echo "call $_cn -> $_en: caller exit $CALLER_RC, callee exit $CALLEE_RC"
	[ "$CALLER_RC" -eq 0 ] && [ "$CALLEE_RC" -eq 0 ]
}

# taylor_call_ok NODE - Taylor's Log shows a completed call and no error
taylor_call_ok() {
	_log=$TRASH/$1/Log
	if ! grep -q 'Call complete' "$_log"; then
		echo "$1: no 'Call complete' in Log:" >&2
		cat "$_log" >&2
		return 1
	fi
	if grep -E 'ERROR|[Ff]ailed' "$_log" >&2; then
		echo "$1: error lines in Log (above)" >&2
		return 1
	fi
	return 0
}

# brigade_call_ok NODE - Brigade's Log shows a completed call
brigade_call_ok() {
	_log=$TRASH/$1/Log
	if ! grep -a -q -E '^(.* )?call .*result=ok' "$_log"; then
		echo "$1: no 'call ... result=ok' line in Log:" >&2
		tail -n 30 "$_log" >&2
		return 1
	fi
	return 0
}


# taylor_queue_both T B [fetch] - Taylor node T sends B a file of each size
# in $SIZES and one of every byte value; Brigade node B sends T the same
# back; with "fetch", T also asks B (R) for a file of each size
taylor_queue_both() {
	_t=$1 _b=$2
	mkdir -p "$TRASH/out-$_t" "$TRASH/back-$_b"
	for sz in $SIZES; do
		make_file "$TRASH/out-$_t/o$sz" "$sz" &&
		taylor_queue "$_t" "$TRASH/out-$_t/o$sz" "$_b!~/o$sz" &&
		if [ "${3:-}" = fetch ]; then
			make_file "$TRASH/$_b/pub/f$sz" "$sz" &&
			taylor_queue "$_t" "$_b!~/f$sz" "$TRASH/$_t/pub/f$sz"
		fi &&
		make_file "$TRASH/back-$_b/k$sz" "$sz" &&
		brigade_queue "$_b" "$TRASH/back-$_b/k$sz" "$_t!~/k$sz" || return 1
	done
	make_allbytes "$TRASH/out-$_t/bytes" &&
	taylor_queue "$_t" "$TRASH/out-$_t/bytes" "$_b!~/bytes" &&
	make_allbytes "$TRASH/back-$_b/kbytes" &&
	brigade_queue "$_b" "$TRASH/back-$_b/kbytes" "$_t!~/kbytes"
}

# taylor_check_both T B PROTO [fetch] - what taylor_queue_both queued
# arrived byte for byte, both calls completed, both queues are empty and
# both logs name PROTO
taylor_check_both() {
	_t=$1 _b=$2
	same_dir "$TRASH/out-$_t" "$TRASH/$_b/pub" &&
	same_dir "$TRASH/back-$_b" "$TRASH/$_t/pub" || return 1
	if [ "${4:-}" = fetch ]; then
		for sz in $SIZES; do
			same_file "$TRASH/$_b/pub/f$sz" "$TRASH/$_t/pub/f$sz" || return 1
		done
	fi
	taylor_call_ok "$_t" && brigade_call_ok "$_b" &&
	test -z "$(brigade_jobs "$_b")" && test -z "$(taylor_jobs "$_t")" &&
	grep -q "Handshake successful (protocol '$3'" "$TRASH/$_t/Log" &&
	grep -a -q "handshake successful: protocol=$3" "$TRASH/$_b/Log"
}
# show_logs NODE... - print the nodes' logs (for a failing test's output)
show_logs() {
	for _n in "$@"; do
		echo "== $_n/Log"
		tail -n 40 "$TRASH/$_n/Log" 2>/dev/null
		for _f in caller.out callee.err; do
			[ -s "$TRASH/$_n/$_f" ] && { echo "== $_n/$_f"; tail -n 20 "$TRASH/$_n/$_f"; }
		done
	done
	return 0
}

# same_file A B - equal sha256 (says which differ)
same_file() {
	if [ ! -f "$2" ]; then
		echo "missing: $2" >&2
		return 1
	fi
	_h1=$(sha256sum <"$1" | cut -d' ' -f1)
	_h2=$(sha256sum <"$2" | cut -d' ' -f1)
	if [ "$_h1" != "$_h2" ]; then
		echo "differ: $1 ($(wc -c <"$1") bytes) $2 ($(wc -c <"$2") bytes)" >&2
		return 1
	fi
	return 0
}

# same_dir A B - every file of A is in B with the same sha256
same_dir() {
	_bad=0
	for _f in "$1"/*; do
		[ -f "$_f" ] || continue
		same_file "$_f" "$2/$(basename "$_f")" || _bad=$((_bad + 1))
	done
	[ $_bad -eq 0 ]
}

# make_file PATH SIZE - SIZE random bytes, world-readable
make_file() {
	head -c "$2" /dev/urandom >"$1"
	chmod 644 "$1"
}

# make_allbytes PATH - every byte value 0..255, then 4096 random bytes
make_allbytes() {
	_i=0
	while [ $_i -lt 256 ]; do
		# shellcheck disable=SC2059
		printf "\\$(printf %03o $_i)"
		_i=$((_i + 1))
	done >"$1"
	head -c 4096 /dev/urandom >>"$1"
	chmod 644 "$1"
}
