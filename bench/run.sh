#!/bin/sh
# bench/run.sh - the same transfers with Brigade and with Taylor UUCP on the
# same simulated line (uuline), and a table of the results.
#
# usage: bench/run.sh [BUILD_DIR]          (make bench runs it)
#
# For each line speed, bit-error rate, g window/packet size and payload, a
# sender node calls a receiver of the same kind over a fresh uuline; calls
# repeat (resuming) until the queue is empty.  Measured:
#   line s      seconds the line carried traffic (uuline's first byte in to
#               last byte out, summed over calls): not the processes' run
#               time, which for Taylor includes ~2 s asleep after hanging up
#   B/s         payload bytes / line seconds
#   eff         payload bytes / (speed / 10 * line seconds): 8N1 line use
#   ratio       Brigade's B/s / Taylor's B/s on the same row
#   cpu s/MiB   the sending uucico's user+system CPU per MiB of payload
#   rss KB      its peak resident set size
#   intact      every file's sha256 matches at the receiver
# Environment: BENCH_SPEEDS ("9600 115200"), BENCH_BERS ("0 1e-5"),
# BENCH_G ("3/64 7/4096"), BENCH_SIZE (1048576), BENCH_MAILS (200),
# BENCH_MAIL_SIZE (2048), BENCH_IMPLS ("brigade taylor"), BENCH_OUT (table
# file, default bench/results.txt), BENCH_PROTO (g), BENCH_LOADS ("file
# mails").  BENCH_QUICK=1 changes the defaults to a few minutes' run:
# 115200 bit/s only, a 256 KiB file and 50 mails.  Taylor needs root.
BUILD=${1:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
export BRIGADE_TOP=$TOP BRIGADE_BUILD=$TOP/$BUILD
set -- "$BUILD"
. "$TOP/tests/lib-uucp.sh"
. "$TOP/bench/lib-badline.sh"
need_brigade

if [ -n "${BENCH_QUICK:-}" ]; then
	BENCH_SPEEDS=${BENCH_SPEEDS:-115200}
	BENCH_SIZE=${BENCH_SIZE:-262144}
	BENCH_MAILS=${BENCH_MAILS:-50}
fi
BENCH_SPEEDS=${BENCH_SPEEDS:-9600 115200}
BENCH_BERS=${BENCH_BERS:-0 1e-5}
BENCH_G=${BENCH_G:-3/64 7/4096}
BENCH_SIZE=${BENCH_SIZE:-1048576}
BENCH_MAILS=${BENCH_MAILS:-200}
BENCH_MAIL_SIZE=${BENCH_MAIL_SIZE:-2048}
BENCH_IMPLS=${BENCH_IMPLS:-brigade taylor}
BENCH_LOADS=${BENCH_LOADS:-file mails}
BENCH_OUT=${BENCH_OUT:-$TOP/bench/results.txt}
BADLINE_PROTO=${BENCH_PROTO:-g}	# the g comparison: Brigade would pick i on its own
if [ "$(id -u)" -ne 0 ] || [ ! -x "$TAYLOR_UUCICO" ]; then
	echo "# Taylor UUCP cannot be driven here (needs root): Brigade only" >&2
	BENCH_IMPLS=brigade
fi

BASE=$TRASH
mkdir -p "$BASE/payload/file" "$BASE/payload/mails"
make_file "$BASE/payload/file/file1" "$BENCH_SIZE"
_i=1
while [ $_i -le "$BENCH_MAILS" ]; do
	make_file "$BASE/payload/mails/mail$_i" "$BENCH_MAIL_SIZE"
	_i=$((_i + 1))
done

# bench_one IMPL SPEED BER W P PAYLOAD - one run; prints a result line
bench_one() {
	TRASH=$BASE/run-$1-$2-$3-$4-$5-$6
	mkdir -p "$TRASH"
	BADLINE_OPTS="--speed $2 --ber $3"
	BADLINE_TIME=$TRASH/time
	BADLINE_CALL_TIMEOUT=$((BENCH_SIZE * 40 / $2 + 300))
	if [ "$1" = taylor ]; then
		chmod 755 "$TRASH"
	fi
	badline_nodes "$1" "$1" "$4" "$5" >/dev/null 2>&1 || { echo "$*: setup failed" >&2; return 1; }
	badline_queue "$BASE/payload/$6" >/dev/null 2>&1
	badline_run 20 >/dev/null 2>&1
	_ok=no
	badline_check "$BASE/payload/$6" >/dev/null 2>&1 && _ok=yes
	line_stop l
	_bytes=$(cat "$BASE/payload/$6"/* | wc -c)
	_act=$(badline_active)
	awk -v impl="$1" -v sp="$2" -v ber="$3" -v g="$4/$5" -v pay="$6" -v bytes="$_bytes" \
	    -v act="$_act" -v calls="$BADLINE_CALLS" -v ok="$_ok" -v tf="$BADLINE_TIME" 'BEGIN {
		cpu = 0; rss = 0
		while ((getline l < tf) > 0) { if (split(l, f, ",") == 3) { cpu += f[1] + f[2]; if (f[3] > rss) rss = f[3] } }
		bps = act > 0 ? bytes / act : 0
		eff = act > 0 ? 100 * bytes / (sp / 10 * act) : 0
		printf "%-7s %6s %-6s %-6s %-5s %5d %9.1f %9.0f %5.1f%% %8.3f %7d %s\n", impl, sp, ber, g, pay,
		    calls, act, bps, eff, cpu / (bytes / 1048576), rss, ok
	}'
}

{
	echo "# Brigade vs Taylor UUCP over uuline, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) CPUs,"
	echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); file $BENCH_SIZE bytes, $BENCH_MAILS mails of $BENCH_MAIL_SIZE bytes"
	printf "%-7s %6s %-6s %-6s %-5s %5s %9s %9s %6s %8s %7s %s\n" impl speed ber g load calls "line s" "B/s" eff \
	    "cpu/MiB" "rss KB" intact
} | tee "$BENCH_OUT"
for sp in $BENCH_SPEEDS; do
	for ber in $BENCH_BERS; do
		for g in $BENCH_G; do
			for pay in $BENCH_LOADS; do
				for impl in $BENCH_IMPLS; do
					bench_one "$impl" "$sp" "$ber" "${g%/*}" "${g#*/}" "$pay"
				done | tee -a "$BENCH_OUT" >"$BASE/rows"
				cat "$BASE/rows"
				awk '{ v[$1] = $8 } END { if (v["taylor"] > 0 && v["brigade"] > 0)
				    printf "%-7s %6s %-6s %-6s %-5s ratio Brigade/Taylor %.2f\n", "", "", "", "", "", v["brigade"] / v["taylor"] }' \
				    "$BASE/rows" | tee -a "$BENCH_OUT"
			done
		done
	done
done
TRASH=$BASE
