#!/bin/sh
# t4550-part-restart.sh - a file that fails the end-to-end CRC-32 restarts
# from its last good part, not from zero: Brigade to Brigade over g with
# small packets on a line that flips bits often enough that g's checksum
# lets some damage through on every pass over a 2 MiB file.  The receiver
# must reject each damaged copy, keep the parts before the first bad one
# (log "kept=N"), and the sender's next S must resume there ("offset=N").
# Then, without bit errors and for both engines (g: one command at a
# time; i: data streamed before the SY), a partial file left by an earlier
# call with a bad byte in its fifth part: the restarted copy fails the
# check, the first four parts are kept, and the re-send resumes at 256 KiB.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

BER=${T4550_BER:-3e-5}
SEED=${T4550_SEED:-4550}
SIZE=$((2 * 1024 * 1024 + 12345))

test_expect_success "2 MiB over g at BER $BER: rejected copies resume from a kept part" '
	UULINE_ARGS="--ber $BER --seed $SEED" && export UULINE_ARGS &&
	brigade_node pa 7 64 && brigade_node pb 7 64 &&
	for n in pa pb; do
		printf "protocol g\nprotocol-parameter g errors 100000\n%s\n" \
			"protocol-parameter g timeout 1" >>"$TRASH/$n/config"
	done &&
	brigade_system pa pb "$TRASH/p.a" && brigade_system pb pa "$TRASH/p.b" &&
	brigade_permit pb "LOGNAME=pa MACHINE=pa REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/big" $SIZE &&
	brigade_queue pa "$TRASH/big" "pb!~/big" &&
	tries=0 &&
	while [ -n "$(brigade_jobs pa)" ] && [ $tries -lt 4 ]; do
		call brigade pa pb brigade pb pa p
		tries=$((tries + 1))
	done &&
	unset UULINE_ARGS &&
	test -z "$(brigade_jobs pa)" &&
	same_file "$TRASH/big" "$TRASH/pb/pub/big" &&
	grep -a "result=corrupt-rejected" "$TRASH/pb/Log" >"$TRASH/rejected" &&
	grep -a "dir=send file=$TRASH/big " "$TRASH/pa/Log" >"$TRASH/sends" &&
	rejected=$(wc -l <"$TRASH/rejected") &&
	kept=$(sed -n "s/.* kept=\\([0-9]*\\).*/\\1/p" "$TRASH/rejected" | sort -n | tail -1) &&
	resumed=$(sed -n "s/.* offset=\\([0-9]*\\) .*/\\1/p" "$TRASH/sends" | sort -n | tail -1) &&
	echo "# $SIZE bytes in $tries calls: $rejected copies rejected, most kept $kept," \
		"furthest resume $resumed" &&
	cat "$TRASH/sends" | sed "s/^/# /" &&
	test "$rejected" -gt 0 &&
	test "${kept:-0}" -gt 0 &&
	test "${resumed:-0}" -gt 0 &&
	grep -a -q " offset=$kept " "$TRASH/sends"
'

# planted NODE PROTO - PROTO between two fresh nodes; the receiver already
# holds the first MiB of the queued file with byte 300000 changed
planted() {
	_a=${1}a _b=${1}b
	brigade_node $_a && brigade_node $_b &&
	echo "protocol $2" >>"$TRASH/$_a/config" && echo "protocol $2" >>"$TRASH/$_b/config" &&
	brigade_system $_a $_b "$TRASH/$1.a" && brigade_system $_b $_a "$TRASH/$1.b" &&
	brigade_permit $_b "LOGNAME=$_a MACHINE=$_a REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/$1.src" $((3 * 512 * 1024 + 999)) &&
	brigade_queue $_a "$TRASH/$1.src" "$_b!~/$1.dst" &&
	temp=$(ls "$TRASH/$_a/spool/$_b/D./") &&
	test -n "$temp" &&
	mkdir -p "$TRASH/$_b/spool/.Temp/$_a" &&
	part="$TRASH/$_b/spool/.Temp/$_a/$temp" &&
	head -c 1048576 "$TRASH/$1.src" >"$part" &&
	c=X && if [ "$(od -An -tu1 -j300000 -N1 "$part" | tr -d " ")" = 88 ]; then c=Y; fi &&
	printf "%s" "$c" | dd of="$part" bs=1 seek=300000 conv=notrunc 2>/dev/null &&
	! cmp -s "$part" "$TRASH/$1.src" &&
	call brigade $_a $_b brigade $_b $_a "$1" &&
	test -z "$(brigade_jobs $_a)" &&
	same_file "$TRASH/$1.src" "$TRASH/$_b/pub/$1.dst" &&
	grep -a "xfer .*dir=send" "$TRASH/$_a/Log" | sed "s/^/# /" &&
	grep -a -q "result=corrupt-rejected kept=262144 " "$TRASH/$_b/Log" &&
	grep -a -q "dir=send .* offset=1048576 .*result=rejected-will-resend" "$TRASH/$_a/Log" &&
	grep -a -q "dir=send .* offset=262144 .*result=ok" "$TRASH/$_a/Log" &&
	grep -a -q "dir=receive .* offset=262144 .*result=ok" "$TRASH/$_b/Log" &&
	grep -a -q "protocol=$2" "$TRASH/$_a/Log"
}

test_expect_success 'g: a bad kept partial is cut to its good parts, the re-send resumes' '
	planted kg g
'

test_expect_success 'i: the same with data streamed before the SY' '
	planted ki i
'

test_done
