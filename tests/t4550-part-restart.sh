#!/bin/sh
# t4550-part-restart.sh - a file that fails the end-to-end CRC-32 restarts
# from its last good part, not from zero: Brigade to Brigade over g with
# small packets on a line that flips bits often enough that g's checksum
# lets some damage through on every pass over a 2 MiB file.  The receiver
# must reject each damaged copy, keep the parts before the first bad one
# (log "kept=N"), and the sender's next S must resume there ("offset=N").
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

test_done
