#!/bin/sh
# badline.sh - one file and many small mails sent between two Brigade nodes
# over a bad simulated line (uuline: bit errors, hang-ups), across as many
# calls as it takes, and what it took.  The full-size runs of "surviving a
# bad line"; tests/t2500-bad-line.sh is the same harness at CI size.
#
# usage: bench/badline.sh [options] [BUILD_DIR]
#   -s SPEED     line speed in bit/s, 10 bits a byte      (115200)
#   -e BER       bit-error rate, each bit flipped          (1e-5)
#   -H SECS[..MAX]  hang up SECS, or a random SECS..MAX,
#                seconds into every call; 0 never          (20..60)
#   -f BYTES     size of the one random file                (10485760)
#   -m COUNT     number of mails                            (500)
#   -M BYTES     size of each mail                          (2048)
#   -p PROTO     protocols the caller offers, e.g. i or g   (Brigade's
#                default: i on a PTY line)
#   -g W/P       g window and packet size, with -p g        (7/64)
#   -c CALLS     give up after CALLS calls                  (2000)
#   -t SECONDS   give up after SECONDS of wall time         (14400)
#   -S SEED      first line seed; call n uses SEED+n        (2500)
#   -k           keep the work directory even on success
#   -C WORKDIR   go on with the run kept in WORKDIR (its line, sizes and
#                queue as they were; -c and -t count this part only): a run
#                longer than one sitting is made in parts, as an
#                intermittent site's calls are, and the report covers them all
# The mails are 2 KB random files queued with uucp, one job each, as the
# CI test does (the spool and the transfer see them as mails: one small
# job per message); the big file is one job.  Printed at the end:
#   calls        calls made until the sender's queue was empty
#   line s       seconds the line carried traffic (uuline's active=, summed)
#   wall s       wall-clock seconds for all calls
#   efficiency   bytes of the files that arrived intact / (speed / 10 *
#                line seconds)
#   intact       files whose sha256 matches at the receiver, of all files
#   duplicates   files received (logged result=ok) more than once, plus
#                files at the receiver that were never sent
#   resumes      receives logged with offset > 0: file@offset and result
#   packets      resent, checksum errors and timeouts over the sender's calls
#   flips        bits uuline flipped, hang-ups it made
# The report's head names the tree's commit ($BRIGADE_REV names it for a
# copy made without .git, e.g. by git archive).
# Exit status 0 when everything arrived intact, exactly once.
BADLINE_SPEED=115200 BADLINE_BER=1e-5 BADLINE_HANGUP=20..60
BADLINE_FILE=10485760 BADLINE_MAILS=500 BADLINE_MAIL_SIZE=2048
BADLINE_G=7/64 BADLINE_MAXCALLS=2000 BADLINE_MAXSECS=14400
_proto= _keep= _seed=2500 _cont=
while getopts s:e:H:f:m:M:p:g:c:t:S:kC: _o; do
	case $_o in
	s) BADLINE_SPEED=$OPTARG ;;
	e) BADLINE_BER=$OPTARG ;;
	H) BADLINE_HANGUP=$OPTARG ;;
	f) BADLINE_FILE=$OPTARG ;;
	m) BADLINE_MAILS=$OPTARG ;;
	M) BADLINE_MAIL_SIZE=$OPTARG ;;
	p) _proto=$OPTARG ;;
	g) BADLINE_G=$OPTARG ;;
	c) BADLINE_MAXCALLS=$OPTARG ;;
	t) BADLINE_MAXSECS=$OPTARG ;;
	S) _seed=$OPTARG ;;
	k) _keep=1 ;;
	C) _cont=$(cd "$OPTARG" && pwd) || exit 2 ;;
	*) sed -n '2,/^# Exit status/s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
. "$(dirname "$0")/lib-build.sh"
[ -n "$_keep" ] && export BRIGADE_KEEP=1
. "$TOP/tests/lib-uucp.sh"
. "$TOP/bench/lib-badline.sh"
need_brigade
BADLINE_SEED=$_seed
BADLINE_PROTO=$_proto
_prev_calls=0 _prev_wall=0
if [ -n "$_cont" ]; then
	# the run's own settings, from the head of its report
	_hd=$(sed -n 2p "$_cont/report" 2>/dev/null)
	case $_hd in
	"# speed="*) ;;
	*) echo "badline: $_cont/report does not start a bad-line run" >&2; exit 2 ;;
	esac
	_get() { echo "$_hd" | sed -n "s/.* $1=\([^ ]*\).*/\1/p"; }
	BADLINE_SPEED=$(_get speed) BADLINE_BER=$(_get ber) BADLINE_HANGUP=$(_get hangup) BADLINE_FILE=$(_get file)
	BADLINE_SPEED=${BADLINE_SPEED:-$(echo "$_hd" | sed -n 's/^# speed=\([0-9]*\).*/\1/p')}
	_proto=$(_get proto)
	[ "$_proto" = default ] && _proto=
	# the next call's seed follows the last one used; calls and wall time so far
	_seed=$(find "$_cont" -maxdepth 1 -name 'l.stats.*' | sed 's/.*\.//' | sort -n | tail -n 1)
	BADLINE_SEED=${_seed:-$(_get seed)}
	_prev_calls=$(sed -n 's/^calls: //p' "$_cont/report" | tail -n 1)
	_prev_wall=$(sed -n 's/.*wall seconds: //p' "$_cont/report" | tail -n 1)
	_prev_calls=${_prev_calls:-0} _prev_wall=${_prev_wall:-0}
	cd / && rmdir "$TRASH"
	TRASH=$_cont
	cd "$TRASH" || exit 1
	export BRIGADE_KEEP=1
	BADLINE_KS=brigade BADLINE_KR=brigade
fi

BADLINE_OPTS="--speed $BADLINE_SPEED --ber $BADLINE_BER"
if [ "$BADLINE_HANGUP" != 0 ]; then
	BADLINE_OPTS="$BADLINE_OPTS --hangup $BADLINE_HANGUP"
	# a call ends at the hang-up; the margin covers a call that hangs on
	BADLINE_CALL_TIMEOUT=$((${BADLINE_HANGUP#*..} + 120))
else
	BADLINE_CALL_TIMEOUT=$((BADLINE_FILE * 40 / BADLINE_SPEED + 600))
fi

# badline_say WORDS - a line of the report, also kept in the work directory
badline_say() {
	echo "$*" | tee -a "$TRASH/report"
}

# badline_resumes - "file@offset result" for every receive the receiver
# logged with offset > 0 (the sender logs the same transfer too)
badline_resumes() {
	cat "$TRASH"/r/Log* 2>/dev/null |
	    sed -n 's/.*xfer .*dir=receive file=\([^ ]*\) .*offset=\([1-9][0-9]*\) .*result=\([a-z]*\).*/\1@\2 \3/p' |
	    sed 's|^.*/||'
}

# badline_duplicates - files received ok more than once, or never sent
badline_duplicates() {
	_dup=$(cat "$TRASH"/r/Log* | sed -n 's/.*xfer .*dir=receive file=[^ ]*\/\([^ /]*\) .*result=ok.*/\1/p' |
	    sort | uniq -d | wc -l)
	_extra=0
	for _f in "$TRASH"/r/pub/*; do
		[ -e "$_f" ] || continue
		[ -e "$TRASH/src/$(basename "$_f")" ] || _extra=$((_extra + 1))
	done
	echo $((_dup + _extra))
}

# badline_intact - files whose sha256 matches at the receiver, and their
# bytes
badline_intact() {
	_n=0 _b=0
	for _f in "$TRASH"/src/*; do
		if same_file "$_f" "$TRASH/r/pub/$(basename "$_f")" 2>/dev/null; then
			_n=$((_n + 1)) _b=$((_b + $(wc -c <"$_f")))
		fi
	done
	echo "$_n $_b"
}

# badline_packets - packets resent, checksum errors, timeouts: every protocol
badline_packets() {
	cat "$TRASH"/s/Log* 2>/dev/null | grep -a "protocol [a-z] packets:" | awk '
	{ for (i = 1; i <= NF; i++) { split($i, kv, "="); s[kv[1]] += kv[2] } }
	END { printf "sent=%d resent=%d checksum_errors=%d timeouts=%d\n",
	    s["sent"], s["resent"], s["checksum_errors"], s["timeouts"] }'
}

# the tree's commit, or $BRIGADE_REV for a copy made without .git
_rev=$(git -C "$TOP" rev-parse --short HEAD 2>/dev/null) || _rev=
_rev="Brigade ${_rev:-${BRIGADE_REV:-of unknown commit}}"
if [ -n "$_cont" ]; then
	badline_say "# continued $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) CPUs;" \
	    "$_rev, after $_prev_calls calls and $_prev_wall s"
else
badline_say "# bench/badline.sh $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -srm), $(nproc) CPUs," \
    "$(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'); $_rev"
badline_say "# speed=$BADLINE_SPEED ber=$BADLINE_BER hangup=$BADLINE_HANGUP file=$BADLINE_FILE" \
    "mails=${BADLINE_MAILS}x$BADLINE_MAIL_SIZE proto=${_proto:-default}${_proto:+ g=$BADLINE_G} seed=$_seed" \
    "work=$TRASH"
if [ "$_proto" = g ]; then
	badline_nodes brigade brigade "${BADLINE_G%/*}" "${BADLINE_G#*/}"
else
	badline_nodes brigade brigade
fi || { echo "badline: cannot set up the nodes" >&2; exit 1; }
mkdir -p "$TRASH/src"
make_file "$TRASH/src/file" "$BADLINE_FILE"
_i=1
while [ "$_i" -le "$BADLINE_MAILS" ]; do
	make_file "$TRASH/src/mail$_i" "$BADLINE_MAIL_SIZE"
	_i=$((_i + 1))
done
badline_queue "$TRASH/src" || { echo "badline: cannot queue" >&2; exit 1; }
fi

_done=yes
badline_run "$BADLINE_MAXCALLS" "$BADLINE_MAXSECS" || _done=no
BADLINE_CALLS=$((BADLINE_CALLS + _prev_calls)) BADLINE_SECONDS=$((BADLINE_SECONDS + _prev_wall))
line_stop l
_files=$(find "$TRASH/src" -type f | wc -l)
_act=$(badline_active)
set -- $(badline_intact)
_intact=$1 _bytes=$2	# efficiency counts what arrived intact only
_dups=$(badline_duplicates)
_resumes=$(badline_resumes)
_flips=$(cat "$TRASH"/l.stats.* | sed -n 's/.*flips=\([0-9]*\).*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
_hangups=$(cat "$TRASH"/l.stats.* | sed -n 's/^hangups=//p' | awk '{ s += $1 } END { print s + 0 }')
badline_say "queue emptied: $_done"
badline_say "calls: $BADLINE_CALLS"
badline_say "line seconds: $_act  wall seconds: $BADLINE_SECONDS"
badline_say "efficiency: $(awk -v b="$_bytes" -v a="$_act" -v s="$BADLINE_SPEED" \
    'BEGIN { if (a > 0) printf "%.1f%% (%d payload bytes, %.0f B/s)", 100 * b / (s / 10 * a), b, b / a; else print "-" }')"
badline_say "files intact: $_intact of $_files (sha256)"
badline_say "duplicates: $_dups"
badline_say "resumes: $(echo "$_resumes" | grep -c .)  last part of the file:" \
    "$(grep -a 'dir=receive file=[^ ]*/file ' "$TRASH"/r/Log | tail -n 1 |
    sed 's/.*bytes=\([0-9]*\) offset=\([0-9]*\) .*result=\([a-z-]*\).*/offset=\2 bytes=\1 \3/')"
echo "$_resumes" | grep . | sed 's/^/  /' | tee -a "$TRASH/report"
badline_say "packets: $(badline_packets)"
badline_say "line: flips=$_flips hangups=$_hangups"
if [ "$_done" = yes ] && [ "$_intact" -eq "$_files" ] && [ "$_dups" -eq 0 ]; then
	exit 0
fi
test_failed=1	# keeps the work directory
exit 1
