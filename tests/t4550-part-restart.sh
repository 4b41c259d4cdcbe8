#!/bin/sh
# t4550-part-restart.sh - a file that fails the end-to-end CRC-32 is kept
# whole by the receiver with a note of its bad parts, and the sender's
# next S gets only those parts asked for again ("SY 0x<size> P..:..."):
# Brigade to Brigade over g with small packets on a line that flips bits
# often enough that g's checksum lets some damage through on a 2 MiB file.
# The receiver must reject each damaged copy naming fewer parts than the
# file has ("repair=N"), the sender's re-sends carry only those parts'
# bytes, and the file arrives intact.  Then, without bit errors and for
# both engines (g: one command at a time; i: data streamed before the
# SY), partial files left by an earlier call: a prefix with a bad byte
# (the copy completed from it fails, one part is asked for again), a whole
# copy with two bad parts and its note (only those two parts go), the same
# without the note (the check fails first), and a note of another file
# (ignored: the file starts afresh).
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

BER=${T4550_BER:-3e-5}
SEED=${T4550_SEED:-4550}
SIZE=$((2 * 1024 * 1024 + 12345))
PARTS=$(( (SIZE + 65535) / 65536 ))

test_expect_success "2 MiB over g at BER $BER: rejected copies resend only their bad parts" '
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
	grep -a "dir=send file=$TRASH/big " "$TRASH/pa/Log" >"$TRASH/sends" &&
	cat "$TRASH/sends" | sed "s/^/# /" &&
	grep -a "result=corrupt-rejected repair=" "$TRASH/pb/Log" >"$TRASH/rejected" &&
	most=$(sed -n "s/.* repair=\\([0-9]*\\).*/\\1/p" "$TRASH/rejected" | sort -n | tail -1) &&
	grep -a " repair=[0-9]" "$TRASH/sends" >"$TRASH/repairs" &&
	rbytes=$(sed -n "s/.* bytes=\\([0-9]*\\) .*/\\1/p" "$TRASH/repairs" | sort -n | tail -1) &&
	total=$(sed -n "s/.* bytes=\\([0-9]*\\) .*/\\1/p" "$TRASH/sends" |
		awk "{ t += \$1 } END { print t }") &&
	echo "# $SIZE bytes ($PARTS parts) in $tries calls: $(wc -l <"$TRASH/rejected")" \
		"copies rejected, at most $most parts asked for again, the largest re-send" \
		"$rbytes bytes, $total bytes sent in all" &&
	test "$most" -lt "$PARTS" &&
	test "$rbytes" -gt 0 && test "$rbytes" -lt $((SIZE / 2)) &&
	grep -a -q "result=ok repair=" "$TRASH/sends"
'

# crc32 FILE - its CRC-32 (zlib's) in hex, from gzip's trailer
crc32() {
	gzip -1 -c "$1" | tail -c 8 | od -An -N4 -tx4 | tr -d " "
}

# flip FILE OFFSET - change the byte at OFFSET
flip() {
	_c=X && if [ "$(od -An -tu1 -j"$2" -N1 "$1" | tr -d " ")" = 88 ]; then _c=Y; fi &&
	printf "%s" "$_c" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

# sent_parts N LOG PROTO - the sender's log has a repair of N parts of
# 64 KiB that went with result=ok: over g exactly their bytes, over i at
# most 256 KiB more (what was streamed before the SY, then skipped)
sent_parts() {
	_n=$(sed -n "s/.*dir=send .* bytes=\([0-9]*\) offset=0 .*result=ok repair=$1 .*/\1/p" \
		"$2") &&
	test -n "$_n" && test "$_n" -ge $(($1 * 65536)) &&
	if [ "$3" = g ]; then test "$_n" -eq $(($1 * 65536)); else
		test "$_n" -le $(($1 * 65536 + 262144)); fi
}

# planted NAME PROTO HOW - PROTO between two fresh nodes; the receiver
# already holds, for the queued file of 1.5 MiB (25 parts):
#   prefix: its first MiB with byte 300000 (part 5) changed
#   note:   all of it with parts 2 and 5 changed, and the note naming them
#   whole:  the same without the note
#   other:  the same with a note for another file (a different CRC-32)
planted() {
	_a=${1}a _b=${1}b _s=$((3 * 512 * 1024 + 999))
	brigade_node $_a && brigade_node $_b &&
	echo "protocol $2" >>"$TRASH/$_a/config" && echo "protocol $2" >>"$TRASH/$_b/config" &&
	brigade_system $_a $_b "$TRASH/$1.a" && brigade_system $_b $_a "$TRASH/$1.b" &&
	brigade_permit $_b "LOGNAME=$_a MACHINE=$_a REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/$1.src" $_s &&
	brigade_queue $_a "$TRASH/$1.src" "$_b!~/$1.dst" &&
	temp=$(ls "$TRASH/$_a/spool/$_b/D./") &&
	test -n "$temp" &&
	mkdir -p "$TRASH/$_b/spool/.Temp/$_a" &&
	part="$TRASH/$_b/spool/.Temp/$_a/$temp" &&
	note="$TRASH/$_b/spool/.Temp/$_a/.$temp.repair" &&
	case $3 in
	prefix) head -c 1048576 "$TRASH/$1.src" >"$part" ;;
	*) cp "$TRASH/$1.src" "$part" && flip "$part" 70000 ;;
	esac &&
	flip "$part" 300000 &&
	crc=$(crc32 "$TRASH/$1.src") && test ${#crc} = 8 &&
	case $3 in
	note) printf "%x %s P10000:4800000\n" $_s $crc >"$note" ;;
	other) _d=0 && case $crc in 0*) _d=1 ;; esac &&
		printf "%x %s%s P10000:4800000\n" $_s $_d $(echo $crc | cut -c2-) >"$note" &&
		! grep -q " $crc " "$note" ;;
	esac &&
	! cmp -s "$part" "$TRASH/$1.src" &&
	call brigade $_a $_b brigade $_b $_a "$1" &&
	test -z "$(brigade_jobs $_a)" &&
	same_file "$TRASH/$1.src" "$TRASH/$_b/pub/$1.dst" &&
	! test -e "$part" && ! test -e "$note" &&
	grep -a "xfer .*dir=send" "$TRASH/$_a/Log" | sed "s/^/# /" &&
	grep -a -q "protocol=$2" "$TRASH/$_a/Log" &&
	case $3 in
	prefix)
		grep -a -q "result=corrupt-rejected repair=1 " "$TRASH/$_b/Log" &&
		grep -a -q "dir=send .* offset=1048576 .*result=rejected-will-resend" \
			"$TRASH/$_a/Log" &&
		sent_parts 1 "$TRASH/$_a/Log" $2 &&
		grep -a -q "dir=receive .* bytes=65536 offset=0 .*result=ok repaired=1 " \
			"$TRASH/$_b/Log" ;;
	note)
		! grep -a -q "result=corrupt-rejected" "$TRASH/$_b/Log" &&
		sent_parts 2 "$TRASH/$_a/Log" $2 &&
		grep -a -q "dir=receive .* bytes=131072 offset=0 .*result=ok repaired=2 " \
			"$TRASH/$_b/Log" ;;
	whole)
		grep -a -q "result=corrupt-rejected repair=2 " "$TRASH/$_b/Log" &&
		grep -a -q "dir=send .* bytes=0 offset=$_s .*result=rejected-will-resend" \
			"$TRASH/$_a/Log" &&
		sent_parts 2 "$TRASH/$_a/Log" $2 ;;
	other)
		grep -a -q "does not match this one: starting afresh" "$TRASH/$_b/Log" &&
		! grep -a -q "result=corrupt-rejected" "$TRASH/$_b/Log" &&
		grep -a -q "dir=send .* bytes=$_s offset=0 .*result=ok " "$TRASH/$_a/Log" ;;
	esac
}

test_expect_success 'g: a bad kept prefix: the completed copy fails, one part goes again' '
	planted kg g prefix
'

test_expect_success 'i: the same with data streamed before the SY' '
	planted ki i prefix
'

test_expect_success 'g: a whole copy with two bad parts and its note: only they go' '
	planted ng g note
'

test_expect_success 'i: the same with data streamed before the SY' '
	planted ni i note
'

test_expect_success 'g: a whole copy with two bad parts, no note: checked, then they go' '
	planted wg g whole
'

test_expect_success 'i: a note for another file is dropped with its partial file' '
	planted oi i other
'

# A repair of 12 parts (768 KiB) over a line that hangs up every 8 s: each
# call notes the parts that came whole, the next asks only for the rest.
test_expect_success 'g: a repair cut by hang-ups goes on with the parts still to come' '
	_s=$((3 * 512 * 1024 + 999)) &&
	brigade_node ha && brigade_node hb &&
	echo "protocol g" >>"$TRASH/ha/config" && echo "protocol g" >>"$TRASH/hb/config" &&
	brigade_system ha hb "$TRASH/h.a" && brigade_system hb ha "$TRASH/h.b" &&
	brigade_permit hb "LOGNAME=ha MACHINE=ha REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/h.src" $_s && brigade_queue ha "$TRASH/h.src" "hb!~/h.dst" &&
	temp=$(ls "$TRASH/ha/spool/hb/D./") && mkdir -p "$TRASH/hb/spool/.Temp/ha" &&
	cp "$TRASH/h.src" "$TRASH/hb/spool/.Temp/ha/$temp" &&
	flip "$TRASH/hb/spool/.Temp/ha/$temp" 70000 && flip "$TRASH/hb/spool/.Temp/ha/$temp" 700000 &&
	printf "%x %s P10000:7ff8000\n" $_s $(crc32 "$TRASH/h.src") \
		>"$TRASH/hb/spool/.Temp/ha/.$temp.repair" &&
	line_stop h; UULINE_ARGS="--speed 230400 --hangup 8" && export UULINE_ARGS &&
	line_start h && n=0 &&
	while [ -n "$(brigade_jobs ha)" ] && [ $n -lt 8 ]; do
		call brigade ha hb brigade hb ha h; n=$((n + 1))
	done &&
	unset UULINE_ARGS &&
	same_file "$TRASH/h.src" "$TRASH/hb/pub/h.dst" &&
	grep -a "parts repaired before the line failed" "$TRASH/hb/Log" | sed "s/^/# /" &&
	grep -a -q "repaired before the line failed; [1-9][0-9]* still to come" "$TRASH/hb/Log" &&
	asked=$(sed -n "s/.*dir=send .*offset=0 .*repair=\([0-9]*\) .*/\1/p" "$TRASH/ha/Log" |
		tr "\n" " ") && echo "parts asked for, call by call: $asked" &&
	first=${asked%% *} && last=$(echo $asked | awk "{print \$NF}") &&
	test "$first" -eq 12 && test "$last" -lt "$first" &&
	! grep -a -q "result=corrupt-rejected" "$TRASH/hb/Log"
'

test_done
