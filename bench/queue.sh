#!/bin/sh
# queue.sh - what a long queue costs.  A site that was cut off for days
# holds thousands of mails; this queues COUNT of them with uux (rmail jobs:
# each a data file and an execute file), lists them with uustat -a, and
# sends them all to a second node in one call over an unpaced PTY line
# (uuline), then counts what arrived: with Brigade at both ends, then with
# Taylor UUCP at both ends (which needs root).
#
# usage: bench/queue.sh [-n COUNT] [-M BYTES] [-i IMPLS] [BUILD_DIR]
#   -n COUNT   mails to queue                      (5000)
#   -M BYTES   size of each mail                   (200)
#   -i IMPLS   "brigade", "taylor" or both         ("brigade taylor")
# One line each, with:
#   ms/mail    milliseconds to queue one mail (one uux each)
#   uustat s   uustat -a's seconds with the queue full; rss KB its peak
#              RSS, KB/mail that above an empty queue's, per mail
#   call s     the caller's wall seconds for the call; cpu s its CPU time;
#              rss KB its peak RSS, KB/mail that above the empty-queue
#              uustat's, per mail
#   arrived    execute files at the receiver, of COUNT; once: "yes" when
#              all arrived and the sender's queue is empty
# Exit status 0 when every run delivered everything.
_count=5000 _size=200 _impls="brigade taylor"
while getopts n:M:i: _o; do
	case $_o in
	n) _count=$OPTARG ;;
	M) _size=$OPTARG ;;
	i) _impls=$OPTARG ;;
	*) sed -n '2,/^# Exit status/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
. "$(dirname "$0")/lib-build.sh"
. "$TOP/tests/lib-uucp.sh"
need_brigade
[ -x /usr/bin/time ] || { echo "queue: /usr/bin/time is needed (Debian package time)" >&2; exit 2; }

TAYLOR_UUX=${TAYLOR_UUX:-/usr/bin/uux}
BASE=$TRASH

# queue_ms - milliseconds since the epoch
queue_ms() {
	date +%s%3N
}

# queue_child PID - the uucico /usr/bin/time PID runs (or PID)
queue_child() {
	_up= _w=100
	while [ -z "$_up" ] && [ "$_w" -gt 0 ]; do
		for _st in /proc/[0-9]*/stat; do
			read -r _pid _comm _state _ppid _rest <"$_st" 2>/dev/null || continue
			[ "$_ppid" = "$1" ] && [ "$_comm" = "(uucico)" ] && _up=$_pid
		done
		[ -n "$_up" ] || sleep 0.1
		_w=$((_w - 1))
	done
	echo "${_up:-$1}"
}

# queue_uux IMPL ARGS... - IMPL's uux for node s
queue_uux() {
	if [ "$1" = brigade ]; then
		shift; "$BIN/uux" -I "$TRASH/s/config" "$@"
	else
		shift; "$TAYLOR_UUX" -I "$TRASH/s/config" "$@"
	fi
}

# queue_jobs IMPL - IMPL's uustat -a for node s
queue_jobs() {
	if [ "$1" = brigade ]; then
		"$BIN/uustat" -I "$TRASH/s/config" -a
	else
		"$TAYLOR_UUSTAT" -I "$TRASH/s/config" -a
	fi
}

# queue_one IMPL - the whole run with IMPL at both ends; one line of figures
queue_one() {
	TRASH=$BASE/$1
	mkdir -p "$TRASH" && cd "$TRASH" || return 1
	if [ "$1" = brigade ]; then
		brigade_node s && brigade_system s r "$TRASH/l.a" &&
			brigade_permit s "LOGNAME=r MACHINE=r" &&
			brigade_node r && brigade_system r s "$TRASH/l.b" &&
			brigade_permit r "LOGNAME=s MACHINE=s"
		_uucico=$BIN/uucico _uustat=$BIN/uustat
	else
		taylor_node s && taylor_system s r "$TRASH/l.a" &&
			taylor_node r && taylor_system r s "$TRASH/l.b"
		_uucico=$TAYLOR_UUCICO _uustat=$TAYLOR_UUSTAT
	fi || return 1
	/usr/bin/time -f "%e %M" -o "$TRASH/empty.time" "$_uustat" -I "$TRASH/s/config" -a \
		>/dev/null
	_t0=$(queue_ms)
	_i=1
	while [ "$_i" -le "$_count" ]; do
		queue_uux "$1" -r - "r!rmail" "user$_i" <"$BASE/mail" >/dev/null || return 1
		_i=$((_i + 1))
	done
	_t1=$(queue_ms)
	/usr/bin/time -f "%e %M" -o "$TRASH/list.time" "$_uustat" -I "$TRASH/s/config" -a \
		>"$TRASH/list"
	line_start l || return 1
	if [ "$1" = brigade ]; then
		/usr/bin/time -f "%e %U %S %M" -o "$TRASH/call.time" \
			"$_uucico" -I "$TRASH/s/config" -S r </dev/null >"$TRASH/caller.out" 2>&1 &
	else
		/usr/bin/time -f "%e %U %S %M" -o "$TRASH/call.time" \
			"$_uucico" -I "$TRASH/s/config" -D -q -S r </dev/null >"$TRASH/caller.out" 2>&1 &
	fi
	_cp=$!
	wait_holds "$(queue_child "$_cp")" "$TRASH/l.a" 10 ||
		echo "queue: the caller never opened the line" >&2
	sleep "$CALL_SETTLE"
	if [ "$1" = brigade ]; then
		"$_uucico" -I "$TRASH/r/config" -q -u s <"$TRASH/l.b" >"$TRASH/l.b" 2>"$TRASH/callee.err" &
	else
		"$_uucico" -I "$TRASH/r/config" -D -q -u s <"$TRASH/l.b" >"$TRASH/l.b" 2>"$TRASH/callee.err" &
	fi
	_ep=$!
	_wait_pid "$_cp" $((_count / 10 + 600)); _crc=$WAIT_RC
	_wait_pid "$_ep" 30; _erc=$WAIT_RC
	line_stop l
	_arrived=$(find "$TRASH/r/spool" -type f -name 'X.*' ! -path '*/.*' | wc -l)
	_left=$(queue_jobs "$1" | wc -l)
	read -r _le _lm <"$TRASH/empty.time"
	read -r _ue _um <"$TRASH/list.time"
	read -r _ce _cu _cs _cm <"$TRASH/call.time"
	_ok=no
	[ "$_arrived" -eq "$_count" ] && [ "$_left" -eq 0 ] && [ "$_crc" -eq 0 ] && _ok=yes
	awk -v impl="$1" -v n="$_count" -v q0="$_t0" -v q1="$_t1" -v le="$_lm" -v ue="$_ue" \
	    -v um="$_um" -v ce="$_ce" -v cu="$_cu" -v cs="$_cs" -v cm="$_cm" -v a="$_arrived" \
	    -v ok="$_ok" 'BEGIN {
		printf "%-7s %7.1f %9.2f %8d %9.2f %8.1f %7.1f %8d %9.2f %5d %s\n", impl,
		    (q1 - q0) / n, ue, um, (um - le) / n, ce, cu + cs, cm, (cm - le) / n, a, ok
	}'
	[ "$_ok" = yes ]
}

head -c "$_size" /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c "$_size" >"$BASE/mail"
echo >>"$BASE/mail"
echo "# $_count mails of $_size bytes queued with uux (rmail), then one call sends them all"
echo "# $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) CPUs"
printf "%-7s %7s %9s %8s %9s %8s %7s %8s %9s %5s %s\n" impl "ms/mail" "uustat s" "rss KB" \
    "KB/mail" "call s" "cpu s" "rss KB" "KB/mail" arrived "once"
_status=0
for _impl in $_impls; do
	if [ "$_impl" = taylor ]; then
		if [ "$(id -u)" -ne 0 ] || [ ! -x "$TAYLOR_UUCICO" ] || [ ! -x "$TAYLOR_UUX" ] ||
		    ! id uucp >/dev/null 2>&1; then
			echo "taylor  (skipped: Taylor UUCP needs root, its uucico and uux, and the uucp user)"
			continue
		fi
	fi
	queue_one "$_impl" || _status=1
done
exit $_status
