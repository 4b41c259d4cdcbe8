#!/bin/sh
# bench/run.sh - the same transfers with Brigade and with Taylor UUCP on the
# same simulated line (uuline), and a table of the results.
#
# usage: bench/run.sh [BUILD_DIR]          (make bench runs it)
#
# For each line speed, latency, bit-error rate, protocol (g and G once per
# window/packet size) and payload, a sender node calls a receiver of the
# same kind over a fresh uuline; calls repeat (resuming) until the queue is
# empty.  Measured:
#   calls       calls made (at most 20, or fewer within BENCH_ROW_SECONDS)
#   line s      seconds the line carried traffic (uuline's first byte in to
#               last byte out, summed over calls): not the processes' run
#               time, which for Taylor includes ~2 s asleep after hanging up
#   B/s         payload bytes / line seconds
#   eff         payload bytes / (speed / 10 * line seconds): 8N1 line use
#   ratio       Brigade's B/s / Taylor's B/s on the same row
#   cpu s/MiB   the sending uucico's user+system CPU per MiB of payload
#   rss KB      its peak resident set size
#   intact      every file's sha256 matches at the receiver; "no" with
#               "limit" after it: the row ran out of calls or time first
#               (then only the files that arrived intact count as payload)
# Environment: BENCH_SPEEDS ("9600 115200"), BENCH_LATENCIES ("0", one-way
# milliseconds, uuline --latency), BENCH_BERS ("0 1e-5"), BENCH_PROTOS
# (BENCH_PROTO, else "g": any of g G i t e, each forced on both ends;
# Taylor gets it through TAYLOR_PROTOCOL), BENCH_G ("3/64 7/4096",
# window/packet for g and G; i, t and e run with both sides' defaults),
# BENCH_SIZE (1048576),
# BENCH_MAILS (200), BENCH_MAIL_SIZE (2048), BENCH_IMPLS ("brigade
# taylor"), BENCH_OUT (table file, default bench/results.txt),
# BENCH_LOADS ("file mails"), BENCH_ROW_SECONDS (no limit: stop a row's
# calls after so many seconds).  BENCH_QUICK=1 changes the defaults to a
# few minutes' run: 115200 bit/s only, a 256 KiB file and 50 mails.
# Taylor needs root.
#
# t and e check nothing: Brigade offers them only on a reliable port, or
# on a line whose own Systems/Devices entry names them, so for t and e
# both Brigade nodes get "Direct,t" (or ",e") on both entries; Taylor runs
# them over the PTY when its sys names them.  On a line with bit errors a
# t or e row is expected to fail: a corrupted file shows as "no", a call
# that loses its framing runs into the row's limits ("no limit"); set
# BENCH_ROW_SECONDS so that such a row ends.
. "$(dirname "$0")/lib-build.sh"
. "$TOP/tests/lib-uucp.sh"
. "$TOP/bench/lib-badline.sh"
need_brigade

if [ -n "${BENCH_QUICK:-}" ]; then
	BENCH_SPEEDS=${BENCH_SPEEDS:-115200}
	BENCH_SIZE=${BENCH_SIZE:-262144}
	BENCH_MAILS=${BENCH_MAILS:-50}
fi
BENCH_SPEEDS=${BENCH_SPEEDS:-9600 115200}
BENCH_LATENCIES=${BENCH_LATENCIES:-0}
BENCH_BERS=${BENCH_BERS:-0 1e-5}
BENCH_G=${BENCH_G:-3/64 7/4096}
BENCH_SIZE=${BENCH_SIZE:-1048576}
BENCH_MAILS=${BENCH_MAILS:-200}
BENCH_MAIL_SIZE=${BENCH_MAIL_SIZE:-2048}
BENCH_IMPLS=${BENCH_IMPLS:-brigade taylor}
BENCH_LOADS=${BENCH_LOADS:-file mails}
BENCH_OUT=${BENCH_OUT:-$TOP/bench/results.txt}
BENCH_PROTOS=${BENCH_PROTOS:-${BENCH_PROTO:-g}}	# Brigade would pick i on its own
BENCH_ROW_SECONDS=${BENCH_ROW_SECONDS:-}
for _p in $BENCH_PROTOS; do
	case $_p in
	g|G|i|t|e) ;;
	*) echo "bench/run.sh: BENCH_PROTOS: unknown protocol $_p (g G i t e)" >&2; exit 2 ;;
	esac
done
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

# _bench_intact_bytes SRCDIR - bytes of SRCDIR's files that arrived intact
_bench_intact_bytes() {
	for _f in "$1"/*; do
		cmp -s "$_f" "$TRASH/r/pub/$(basename "$_f")" && wc -c <"$_f"
	done | awk '{ s += $1 } END { printf "%d\n", s }'
}

# bench_one IMPL SPEED LAT BER PROTO W P PAYLOAD - one run; prints a result
# line (W and P are "-" for i)
bench_one() {
	TRASH=$BASE/run-$1-$2-$3-$4-$5-$6-$7-$8
	mkdir -p "$TRASH"
	BADLINE_OPTS="--speed $2 --latency $3 --ber $4"
	BADLINE_TIME=$TRASH/time
	BADLINE_PROTO=$5
	TAYLOR_PROTOCOL=$5
	export TAYLOR_PROTOCOL
	case $5 in
	t|e) BRIGADE_LINE_PROTOCOLS=$5 ;;
	*) BRIGADE_LINE_PROTOCOLS= ;;
	esac
	export BRIGADE_LINE_PROTOCOLS
	BADLINE_CALL_TIMEOUT=$((BENCH_SIZE * 40 / $2 + 300))
	if [ -n "$BENCH_ROW_SECONDS" ] && [ "$BADLINE_CALL_TIMEOUT" -gt "$BENCH_ROW_SECONDS" ]; then
		BADLINE_CALL_TIMEOUT=$BENCH_ROW_SECONDS
	fi
	if [ "$1" = taylor ]; then
		chmod 755 "$TRASH"
	fi
	if [ "$6" = - ]; then
		badline_nodes "$1" "$1"
	else
		badline_nodes "$1" "$1" "$6" "$7"
	fi >/dev/null 2>&1 || { echo "$*: setup failed" >&2; return 1; }
	badline_queue "$BASE/payload/$8" >/dev/null 2>&1
	_done=yes
	badline_run 20 $BENCH_ROW_SECONDS >/dev/null 2>&1 || _done=no
	_ok=no
	badline_check "$BASE/payload/$8" >/dev/null 2>&1 && _ok=yes
	line_stop l
	if [ "$_done" = yes ]; then
		_bytes=$(cat "$BASE/payload/$8"/* | wc -c)
	else
		_ok="no limit"
		_bytes=$(_bench_intact_bytes "$BASE/payload/$8")
	fi
	_act=$(badline_active)
	_pr=$5
	[ "$6" = - ] || _pr=$5$6/$7
	awk -v impl="$1" -v sp="$2" -v lat="$3" -v ber="$4" -v pr="$_pr" -v pay="$8" -v bytes="$_bytes" \
	    -v act="$_act" -v calls="$BADLINE_CALLS" -v ok="$_ok" -v tf="$BADLINE_TIME" 'BEGIN {
		cpu = 0; rss = 0
		while ((getline l < tf) > 0) { if (split(l, f, ",") == 3) { cpu += f[1] + f[2]; if (f[3] > rss) rss = f[3] } }
		bps = act > 0 ? bytes / act : 0
		eff = act > 0 ? 100 * bytes / (sp / 10 * act) : 0
		cpm = bytes > 0 ? cpu / (bytes / 1048576) : 0
		printf "%-7s %6s %3s %-6s %-7s %-5s %5d %9.1f %9.0f %5.1f%% %8.3f %7d %s\n", impl, sp, lat, ber, pr, pay,
		    calls, act, bps, eff, cpm, rss, ok
	}'
}

{
	echo "# Brigade vs Taylor UUCP over uuline, $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) CPUs,"
	echo "# $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); file $BENCH_SIZE bytes, $BENCH_MAILS mails of $BENCH_MAIL_SIZE bytes"
	printf "%-7s %6s %3s %-6s %-7s %-5s %5s %9s %9s %6s %8s %7s %s\n" impl speed lat ber proto load calls \
	    "line s" "B/s" eff "cpu/MiB" "rss KB" intact
} | tee "$BENCH_OUT"
# bench_protos - every protocol with its sizes: "g 3 64", "i - -"
bench_protos() {
	for _p in $BENCH_PROTOS; do
		case $_p in
		g|G) for _g in $BENCH_G; do echo "$_p ${_g%/*} ${_g#*/}"; done ;;
		*) echo "$_p - -" ;;
		esac
	done
}
for sp in $BENCH_SPEEDS; do
	for lat in $BENCH_LATENCIES; do
		for ber in $BENCH_BERS; do
			bench_protos | while read -r pr w p; do
				for pay in $BENCH_LOADS; do
					for impl in $BENCH_IMPLS; do
						bench_one "$impl" "$sp" "$lat" "$ber" "$pr" "$w" "$p" "$pay" </dev/null
					done | tee -a "$BENCH_OUT" >"$BASE/rows"
					cat "$BASE/rows"
					awk '{ v[$1] = $9 } END { if (v["taylor"] > 0 && v["brigade"] > 0)
					    printf "%-41s ratio Brigade/Taylor %.2f\n", "", v["brigade"] / v["taylor"] }' \
					    "$BASE/rows" | tee -a "$BENCH_OUT"
				done
			done
		done
	done
done
TRASH=$BASE
