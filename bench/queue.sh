#!/bin/sh
# queue.sh - what a long queue costs.  A site that was cut off for days
# holds thousands of mails; this queues COUNT of them with uux (rmail jobs:
# each a data file and an execute file, two commands), lists them with
# uustat, and sends them all to a second node in one call over an unpaced
# PTY line (uuline), then counts what arrived.
#
# usage: bench/queue.sh [-n COUNT] [-M BYTES] [BUILD_DIR]
#   -n COUNT   mails to queue                      (5000)
#   -M BYTES   size of each mail                   (200)
# Printed:
#   queue        seconds to queue them all (one uux each), per mail
#   uustat -a    seconds, peak RSS, and RSS above an empty queue's per mail
#   call         the caller's wall seconds, CPU seconds and peak RSS; the
#                RSS above the empty-queue uustat's, per mail
#   arrived      execute files at the receiver, of COUNT; "exactly once"
#                when each name is there once and the sender's queue is empty
# Exit status 0 when every mail arrived and the queue is empty.
_count=5000 _size=200
while getopts n:M: _o; do
	case $_o in
	n) _count=$OPTARG ;;
	M) _size=$OPTARG ;;
	*) sed -n '2,/^# Exit status/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
. "$(dirname "$0")/lib-build.sh"
. "$TOP/tests/lib-uucp.sh"
need_brigade
[ -x /usr/bin/time ] || { echo "queue: /usr/bin/time is needed (Debian package time)" >&2; exit 2; }

brigade_node s && brigade_system s r "$TRASH/l.a" &&
	brigade_permit s "LOGNAME=r MACHINE=r" &&
	brigade_node r && brigade_system r s "$TRASH/l.b" &&
	brigade_permit r "LOGNAME=s MACHINE=s" || exit 1
export BRIGADE_CONFIG=$TRASH/s/config

# queue_ms - milliseconds since the epoch
queue_ms() {
	date +%s%3N
}

head -c "$_size" /dev/urandom | od -An -tx1 | tr -d ' \n' | head -c "$_size" >"$TRASH/mail"
echo >>"$TRASH/mail"
/usr/bin/time -f "%e %M" -o "$TRASH/empty.time" "$BIN/uustat" -a >/dev/null
_t0=$(queue_ms)
_i=1
while [ "$_i" -le "$_count" ]; do
	"$BIN/uux" -r - "r!rmail" "user$_i" <"$TRASH/mail" >/dev/null || exit 1
	_i=$((_i + 1))
done
_t1=$(queue_ms)
/usr/bin/time -f "%e %M" -o "$TRASH/list.time" "$BIN/uustat" -a >"$TRASH/list"
_jobs=$(grep -c -v '^	' "$TRASH/list")
[ "$_jobs" -eq "$_count" ] || { echo "queue: uustat lists $_jobs jobs, not $_count" >&2; exit 1; }

line_start l || exit 1
/usr/bin/time -f "%e %U %S %M" -o "$TRASH/call.time" \
	"$BIN/uucico" -I "$TRASH/s/config" -S r </dev/null >"$TRASH/caller.out" 2>&1 &
_cp=$!
_up= _w=100
while [ -z "$_up" ] && [ "$_w" -gt 0 ]; do	# uucico, under time
	for _st in /proc/[0-9]*/stat; do
		read -r _pid _comm _state _ppid _rest <"$_st" 2>/dev/null || continue
		[ "$_ppid" = "$_cp" ] && [ "$_comm" = "(uucico)" ] && _up=$_pid
	done
	[ -n "$_up" ] || sleep 0.1
	_w=$((_w - 1))
done
wait_holds "${_up:-$_cp}" "$TRASH/l.a" 10 || echo "queue: the caller never opened the line" >&2
sleep "$CALL_SETTLE"
"$BIN/uucico" -I "$TRASH/r/config" -q -u s <"$TRASH/l.b" >"$TRASH/l.b" \
	2>"$TRASH/callee.err" &
_ep=$!
_wait_pid "$_cp" $((_count / 10 + 600)); _crc=$WAIT_RC
_wait_pid "$_ep" 30; _erc=$WAIT_RC
line_stop l

_arrived=$(find "$TRASH/r/spool/s/in" -name 'X.*' | wc -l)
_left=$("$BIN/uustat" -a | grep -c -v '^	')
read -r _le _lm <"$TRASH/empty.time"
read -r _ue _um <"$TRASH/list.time"
read -r _ce _cu _cs _cm <"$TRASH/call.time"
awk -v n="$_count" -v sz="$_size" -v q0="$_t0" -v q1="$_t1" -v le="$_lm" -v ue="$_ue" -v um="$_um" \
    -v ce="$_ce" -v cu="$_cu" -v cs="$_cs" -v cm="$_cm" 'BEGIN {
	printf "%d mails of %d bytes, uux rmail jobs (2 commands each)\n", n, sz
	printf "queue:     %.1f s, %.1f ms a mail\n", (q1 - q0) / 1000, (q1 - q0) / n
	printf "uustat -a: %.2f s, peak RSS %d KB (%d KB with an empty queue), %.2f KB a mail\n",
	    ue, um, le, (um - le) / n
	printf "call:      %.1f s wall, %.1f s CPU, peak RSS %d KB, %.2f KB a mail\n",
	    ce, cu + cs, cm, (cm - le) / n
}'
echo "caller exit $_crc, callee exit $_erc; arrived: $_arrived of $_count; left queued: $_left"
if [ "$_arrived" -eq "$_count" ] && [ "$_left" -eq 0 ] && [ "$_crc" -eq 0 ]; then
	echo "arrived: all, exactly once"
	exit 0
fi
exit 1
