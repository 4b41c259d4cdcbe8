#!/bin/sh
# t4750-proto-G.sh - SVR4's G protocol between Brigade and Taylor UUCP 1.07
# over a PTY line in both roles: files both ways (0, 1, 4097 and 300000
# bytes, every byte value), sha256-identical, G named in both logs, at
# window/packet 7/64 and 3/1024; then Brigade to Brigade with G.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

SIZES="0 1 4097 300000"
TAYLOR_PROTOCOL=G BRIGADE_LINE_PROTOCOLS=G
export TAYLOR_PROTOCOL BRIGADE_LINE_PROTOCOLS

line_start l || test_skip_all "no PTY line (uuline or socat)"

if [ "$(id -u)" = 0 ] && [ -x "$TAYLOR_UUCICO" ]; then
n=0
for wp in 7/64 3/1024; do
	w=${wp%/*} p=${wp#*/}
	n=$((n + 1))
	test_expect_success "Taylor calls Brigade with G $wp: files both ways" '
		taylor_node tc$n && taylor_system tc$n bc$n "$TRASH/l.a" $w $p &&
		brigade_node bc$n $w $p && brigade_system bc$n tc$n "$TRASH/l.b" &&
		brigade_permit bc$n "LOGNAME=tc$n MACHINE=tc$n SENDFILES=yes" &&
		taylor_queue_both tc$n bc$n &&
		{ call taylor tc$n bc$n brigade bc$n tc$n l || { show_logs bc$n tc$n; false; }; } &&
		taylor_check_both tc$n bc$n G
	'
	test_expect_success "Brigade calls Taylor with G $wp: files both ways" '
		brigade_node br$n $w $p && brigade_system br$n tr$n "$TRASH/l.a" &&
		brigade_permit br$n "LOGNAME=tr$n MACHINE=tr$n SENDFILES=yes" &&
		taylor_node tr$n && taylor_system tr$n br$n "$TRASH/l.b" $w $p &&
		taylor_queue_both tr$n br$n &&
		{ call brigade br$n tr$n taylor tr$n br$n l || { show_logs br$n tr$n; false; }; } &&
		taylor_check_both tr$n br$n G
	'
done
else
	test_skip 'Brigade and Taylor with G' 'needs root and Taylor UUCP'
fi

test_expect_success 'Brigade to Brigade with G: files both ways, end-to-end CRC' '
	brigade_node ga 7 256 && brigade_system ga gb "$TRASH/l.a" &&
	brigade_node gb 7 256 && brigade_system gb ga "$TRASH/l.b" &&
	brigade_permit gb "LOGNAME=ga MACHINE=ga SENDFILES=yes" &&
	mkdir -p "$TRASH/gout" "$TRASH/gback" &&
	for sz in $SIZES; do
		make_file "$TRASH/gout/g$sz" $sz && brigade_queue ga "$TRASH/gout/g$sz" "gb!~/g$sz" &&
		make_file "$TRASH/gback/h$sz" $sz && brigade_queue gb "$TRASH/gback/h$sz" "ga!~/h$sz" ||
		return 1
	done &&
	{ call brigade ga gb brigade gb ga l || { show_logs ga gb; false; }; } &&
	same_dir "$TRASH/gout" "$TRASH/gb/pub" && same_dir "$TRASH/gback" "$TRASH/ga/pub" &&
	grep -a -q "handshake successful: protocol=G" "$TRASH/ga/Log" &&
	grep -a -q "integrity=crc32-end-to-end" "$TRASH/gb/Log" &&
	test -z "$(brigade_jobs ga)" && test -z "$(brigade_jobs gb)"
'

test_done
