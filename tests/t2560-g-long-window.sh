#!/bin/sh
# t2560-g-long-window.sh - g on a line where the window takes longer to
# carry than the retransmission timeout: at 9600 bit/s seven 1 KiB packets
# take 7.5 s on the line (seven of 4 KiB, 30 s), and a write to a full
# line blocks until there is room (a 1 KiB write about 1 s, a 4 KiB one
# 4 s).  With a timeout of 1 s the file must still go through in one
# call, without a timeout or a packet sent twice: the sender's timer also
# waits the line time of what is unacknowledged.  (Before, every timeout
# sent the whole window again behind the first copy, the line never
# caught up, and the call failed.)
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

UULINE_ARGS="--speed 9600"
export UULINE_ARGS
line_start l || test_skip_all "cannot start uuline"

test_expect_success 'g 7/1024 at 9600 bit/s with a 1 s timeout: through, nothing resent' '
	brigade_node a 7 1024 && echo "protocol-parameter g timeout 1" >>"$TRASH/a/config" &&
	brigade_system a b "$TRASH/l.a" && sed -i "s/ Direct / Direct,g /" "$TRASH/a/Systems" &&
	brigade_node b 7 1024 && echo "protocol-parameter g timeout 1" >>"$TRASH/b/config" &&
	brigade_system b a "$TRASH/l.b" &&
	brigade_permit b "LOGNAME=a MACHINE=a SENDFILES=yes" &&
	make_file "$TRASH/f" 24576 && brigade_queue a "$TRASH/f" "b!~/f" &&
	{ call brigade a b brigade b a l || { show_logs a b; false; }; } &&
	same_file "$TRASH/f" "$TRASH/b/pub/f" &&
	grep -a "protocol g packets" "$TRASH/a/Log" &&
	grep -a -q "handshake successful: protocol=g send=1024/7" "$TRASH/a/Log" &&
	grep -a -q "protocol g packets: .*resent=0 .*timeouts=0" "$TRASH/a/Log"
'

test_done
