#!/bin/sh
# t4700-proto-i.sh - Taylor's i protocol: Brigade and Taylor UUCP 1.07 over
# a PTY line in both roles (files both ways: 0, 1, 4097 bytes, 1 MiB, every
# byte value; sha256-identical; Taylor's log shows the call completed),
# both roles again at a bit-error rate of 1e-5 (256 KiB each way), then
# Brigade to Brigade with i, on a clean line and through uuline at a
# bit-error rate of 1e-4, where every file must still arrive intact and the
# sender must have shrunk its packets to the error rate.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

SIZES="0 1 4097 1048576"
TAYLOR_PROTOCOL=i
export TAYLOR_PROTOCOL

line_start l || test_skip_all "no PTY line (uuline or socat)"

if [ "$(id -u)" = 0 ] && [ -x "$TAYLOR_UUCICO" ]; then
test_expect_success 'Taylor calls Brigade with i: files both ways' '
	taylor_node t1 && taylor_system t1 b1 "$TRASH/l.a" &&
	brigade_node b1 && brigade_system b1 t1 "$TRASH/l.b" &&
	brigade_permit b1 "LOGNAME=t1 MACHINE=t1 REQUEST=yes SENDFILES=yes" &&
	taylor_queue_both t1 b1 fetch &&
	{ call taylor t1 b1 brigade b1 t1 l || { show_logs b1 t1; false; }; } &&
	taylor_check_both t1 b1 i fetch &&
	grep -a -q "protocols: offering \"igG\" (default for a port that is not reliable)" \
		"$TRASH/b1/Log"
'

test_expect_success 'Brigade calls Taylor with i: files both ways' '
	brigade_node b2 && brigade_system b2 t2 "$TRASH/l.a" &&
	brigade_permit b2 "LOGNAME=t2 MACHINE=t2 REQUEST=yes SENDFILES=yes" &&
	taylor_node t2 && taylor_system t2 b2 "$TRASH/l.b" &&
	taylor_queue_both t2 b2 fetch &&
	{ call brigade b2 t2 taylor t2 b2 l || { show_logs b2 t2; false; }; } &&
	taylor_check_both t2 b2 i fetch &&
	grep -a -q "protocols: .*picked i" "$TRASH/b2/Log"
'

# Brigade sends Taylor a 2 MiB file and 12 small ones: the small files
# whose channels free up while the big one streams go out between its
# packets (SPOS each time), and Taylor must put every byte in its place.
test_expect_success 'Brigade to Taylor with i: small files interleaved with a big one' '
	brigade_node b5 && brigade_system b5 t5 "$TRASH/l.a" &&
	brigade_permit b5 "LOGNAME=t5 MACHINE=t5 REQUEST=yes SENDFILES=yes" &&
	taylor_node t5 && taylor_system t5 b5 "$TRASH/l.b" &&
	mkdir -p "$TRASH/out5" &&
	make_file "$TRASH/out5/big" 2097152 && brigade_queue b5 "$TRASH/out5/big" "t5!~/big" &&
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
		make_file "$TRASH/out5/s$n" $((n * 700)) &&
		brigade_queue b5 "$TRASH/out5/s$n" "t5!~/s$n" || return 1
	done &&
	{ call brigade b5 t5 taylor t5 b5 l || { show_logs b5 t5; false; }; } &&
	same_dir "$TRASH/out5" "$TRASH/t5/pub" && taylor_call_ok t5 && brigade_call_ok b5 &&
	test -z "$(brigade_jobs b5)" &&
	grep -a "sending command \"S .*/out5/s12" "$TRASH/b5/Log" | head -1 &&
	s12=$(grep -a -n "sending command \"S .*/out5/s12" "$TRASH/b5/Log" | head -1 | cut -d: -f1) &&
	big_ok=$(grep -a -n "xfer sys=t5 dir=send file=.*/out5/big .*result=ok" "$TRASH/b5/Log" | cut -d: -f1) &&
	echo "s12 started at line $s12, big confirmed at line $big_ok" && test "$s12" -lt "$big_ok"
'

test_expect_success 'Brigade and Taylor with i at BER 1e-5, both roles: NAKs, files intact' '
	UULINE_ARGS="--ber 1e-5 --seed 11" && export UULINE_ARGS &&
	for R in 3 4; do
		taylor_node t$R && brigade_node b$R &&
		if [ $R = 3 ]; then
			taylor_system t$R b$R "$TRASH/l.a" && brigade_system b$R t$R "$TRASH/l.b"
		else
			brigade_system b$R t$R "$TRASH/l.a" && taylor_system t$R b$R "$TRASH/l.b"
		fi &&
		brigade_permit b$R "LOGNAME=t$R MACHINE=t$R REQUEST=yes SENDFILES=yes" &&
		make_file "$TRASH/o$R" 262144 && taylor_queue t$R "$TRASH/o$R" "b$R!~/o" &&
		make_file "$TRASH/k$R" 262144 && brigade_queue b$R "$TRASH/k$R" "t$R!~/k" &&
		if [ $R = 3 ]; then
			call taylor t$R b$R brigade b$R t$R l
		else
			call brigade b$R t$R taylor t$R b$R l
		fi &&
		same_file "$TRASH/o$R" "$TRASH/b$R/pub/o" &&
		same_file "$TRASH/k$R" "$TRASH/t$R/pub/k" &&
		taylor_call_ok t$R && brigade_call_ok b$R &&
		grep -a "protocol i packets" "$TRASH/b$R/Log" &&
		grep -a -q "protocol i packets: .*checksum_errors=[1-9]" "$TRASH/b$R/Log" ||
		{ show_logs b$R t$R; return 1; }
	done
'
else
	test_skip 'Brigade and Taylor with i' 'needs root and Taylor UUCP'
fi

# bb_pair A B - two Brigade nodes on line l, A calls B
bb_pair() {
	brigade_node "$1" && brigade_system "$1" "$2" "$TRASH/l.a" &&
	brigade_node "$2" && brigade_system "$2" "$1" "$TRASH/l.b" &&
	brigade_permit "$2" "LOGNAME=$1 MACHINE=$1 REQUEST=yes SENDFILES=yes"
}

test_expect_success 'Brigade to Brigade with i: picked by default, files both ways' '
	bb_pair ba bb && mkdir -p "$TRASH/bout" "$TRASH/bback" &&
	for sz in $SIZES; do
		make_file "$TRASH/bout/o$sz" $sz &&
		brigade_queue ba "$TRASH/bout/o$sz" "bb!~/o$sz" &&
		make_file "$TRASH/bb/pub/f$sz" $sz &&
		brigade_queue ba "bb!~/f$sz" "$TRASH/bback/f$sz" || return 1
	done &&
	{ call brigade ba bb brigade bb ba l || { show_logs ba bb; false; }; } &&
	same_dir "$TRASH/bout" "$TRASH/bb/pub" &&
	for sz in $SIZES; do
		same_file "$TRASH/bb/pub/f$sz" "$TRASH/bback/f$sz" || return 1
	done &&
	grep -a -q "handshake successful: protocol=i" "$TRASH/ba/Log" &&
	grep -a -q "protocols: caller picked i" "$TRASH/bb/Log"
'

# Both sides have 12 files for each other, over a line with 50 ms each
# way: the callee sends its work without waiting to become master, each
# side has several files in flight on its channels while the other's are
# in flight too, and a file's data goes out before its SY comes back.
test_expect_success 'Brigade to Brigade with i: several files in flight both ways at once' '
	line_stop l && UULINE_ARGS="--latency 50" && export UULINE_ARGS &&
	line_start l && bb_pair be bf && mkdir -p "$TRASH/eout" "$TRASH/fout" &&
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
		make_file "$TRASH/eout/e$n" $((n * 3000)) &&
		brigade_queue be "$TRASH/eout/e$n" "bf!~/e$n" &&
		make_file "$TRASH/fout/f$n" $((n * 2000)) &&
		brigade_queue bf "$TRASH/fout/f$n" "be!~/f$n" || return 1
	done &&
	{ call brigade be bf brigade bf be l || { show_logs be bf; false; }; } &&
	same_dir "$TRASH/eout" "$TRASH/bf/pub" && same_dir "$TRASH/fout" "$TRASH/be/pub" &&
	test -z "$(brigade_jobs be)" && test -z "$(brigade_jobs bf)" &&
	for n in be bf; do
		grep -a "channels: at most" "$TRASH/$n/Log" &&
		grep -a -q -E "channels: at most [2-7] commands of ours and [2-7] of the remote.s in flight at once, ([4-9]|1[0-4]) both ways" "$TRASH/$n/Log" ||
		return 1
	done &&
	first_data=$(grep -a -n "i: send DATA .* lch=1 rch=0 len=[1-9]" "$TRASH/be/Log" | head -1 | cut -d: -f1) &&
	first_sy=$(grep -a -n "i: got command \"SY" "$TRASH/be/Log" | head -1 | cut -d: -f1) &&
	echo "first data line $first_data, first SY line $first_sy" &&
	test "$first_data" -lt "$first_sy" &&
	! grep -a -q "roles switch" "$TRASH/be/Log" "$TRASH/bf/Log"
'

test_expect_success 'Brigade to Brigade with i at BER 1e-4: every file intact' '
	line_stop l && UULINE_ARGS="--ber 1e-4 --seed 7" && export UULINE_ARGS &&
	line_start l && bb_pair bc bd && mkdir -p "$TRASH/cout" "$TRASH/cback" &&
	for n in 1 2 3 4 5 6 7 8; do
		make_file "$TRASH/cout/c$n" 131072 &&
		brigade_queue bc "$TRASH/cout/c$n" "bd!~/c$n" || return 1
	done &&
	for n in 1 2 3; do
		make_file "$TRASH/bd/pub/d$n" 65536 &&
		brigade_queue bc "bd!~/d$n" "$TRASH/cback/d$n" || return 1
	done &&
	{ call brigade bc bd brigade bd bc l || { show_logs bc bd; false; }; } &&
	same_dir "$TRASH/cout" "$TRASH/bd/pub" &&
	for n in 1 2 3; do
		same_file "$TRASH/bd/pub/d$n" "$TRASH/cback/d$n" || return 1
	done &&
	grep -a "protocol i packets" "$TRASH/bc/Log" "$TRASH/bd/Log" &&
	grep -a -q "protocol i packets: .*checksum_errors=[1-9]" "$TRASH/bc/Log" &&
	grep -a -q "protocol i packets: .*checksum_errors=[1-9]" "$TRASH/bd/Log" &&
	grep -a "i: data packets of" "$TRASH/bc/Log" &&
	grep -a -q -E "i: data packets of ([0-9]{2}|[1-5][0-9]{2}) bytes at the end \(the peer allows 1024" "$TRASH/bc/Log" &&
	test -z "$(brigade_jobs bc)"
'

# The next call over the same link starts from what the last one learnt:
# its error rate and speed are kept in the system's status (uustat -s
# shows them), and the sender's first packets are already short.
test_expect_success 'Brigade to Brigade with i at BER 1e-4: the next call starts from the last' '
	"$BIN/uustat" -I "$TRASH/bc/config" -s bd >st.bc &&
	"$BIN/uustat" -I "$TRASH/bd/config" -s bc >st.bd &&
	cat st.bc st.bd &&
	ber=$(sed -n "s/.* line=ber:\([0-9.e+-]*\),\([0-9]*\)B\/s.*/\1/p" st.bc) &&
	rate=$(sed -n "s/.* line=ber:[0-9.e+-]*,\([0-9]*\)B\/s.*/\1/p" st.bc) &&
	echo "caller kept ber $ber, $rate B/s" &&
	awk -v b="$ber" -v r="$rate" "BEGIN { exit !(b > 2e-5 && b < 5e-4 && r > 1000) }" &&
	grep -q " line=ber:" st.bd &&
	mkdir -p "$TRASH/cout2" &&
	for n in 1 2; do
		make_file "$TRASH/cout2/c2$n" 65536 &&
		brigade_queue bc "$TRASH/cout2/c2$n" "bd!~/c2$n" || return 1
	done &&
	line_stop l && UULINE_ARGS="--ber 1e-4 --seed 9" && export UULINE_ARGS && line_start l &&
	{ call brigade bc bd brigade bd bc l || { show_logs bc bd; false; }; } &&
	same_file "$TRASH/cout2/c21" "$TRASH/bd/pub/c21" &&
	same_file "$TRASH/cout2/c22" "$TRASH/bd/pub/c22" &&
	grep -a "starting from the last call" "$TRASH/bc/Log" "$TRASH/bd/Log" &&
	grep -a -q -E "i: starting from the last call.s line \(bit-error rate [0-9.]+e-0[45], [0-9]+ bytes/s\): data packets of ([0-9]{2}|[1-5][0-9]{2}) bytes" "$TRASH/bc/Log" &&
	grep -a -q "i: starting from the last call.s line" "$TRASH/bd/Log"
'

test_done
