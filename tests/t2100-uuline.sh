#!/bin/sh
# t2100-uuline.sh - uuline joins two PTYs like a serial line: binary data
# passes both ways, a side may be closed and reopened, bit errors are
# reproducible from a seed, and a paced line is not faster than its speed.
. "$(dirname "$0")/lib.sh"

# line_start NAME ARGS... - start a uuline with links NAME.a and NAME.b
line_start() {
	_name=$1
	shift
	uuline -a "$_name.a" -b "$_name.b" --stats "$_name.stats" "$@" \
		>"$_name.out" 2>"$_name.err" &
	echo $! >"$_name.pid"
	cleanup "kill $! 2>/dev/null"
	wait_for_line "$_name.out" '^ready$'
}

# line_stop NAME - stop it and wait for its final counts
line_stop() {
	rm -f "$1.stats"
	kill "$(cat "$1.pid")" && wait_for_line "$1.stats" '^hangups='
}

# line_send NAME FILE OUT - FILE into side a, read as many bytes from side b into OUT
line_send() {
	_n=$(wc -c <"$2")
	timeout 20 head -c "$_n" <"$1.b" >"$3" &
	_reader=$!
	cat "$2" >"$1.a"
	wait "$_reader"
}

head -c 4194304 /dev/urandom >data1
head -c 3000000 /dev/urandom >data2
head -c 65536 /dev/urandom >small

line_start line

test_expect_success 'uuline prints both slave paths and links to them' '
	grep -E "^a=/dev/pts/[0-9]+ b=/dev/pts/[0-9]+$" line.out &&
	a=$(sed -n "s/^a=\([^ ]*\) b=.*/\1/p" line.out) &&
	b=$(sed -n "s/^a=[^ ]* b=\(.*\)/\1/p" line.out) &&
	test "$(readlink line.a)" = "$a" &&
	test "$(readlink line.b)" = "$b" &&
	test -c line.a && test -c line.b
'

test_expect_success 'random binary data passes both ways at once' '
	timeout 30 head -c 4194304 <line.b >recv1 &
	r1=$!
	timeout 30 head -c 3000000 <line.a >recv2 &
	r2=$!
	cat data1 >line.a &
	w1=$!
	cat data2 >line.b &&
	wait $w1 && wait $r1 && wait $r2 &&
	cmp data1 recv1 &&
	cmp data2 recv2
'

test_expect_success 'a side closed and reopened still works' '
	for i in 1 2 3 4 5; do
		printf "call $i\r\n" >line.a &&
		timeout 5 head -c 8 <line.b >got &&
		printf "call $i\r\n" >want &&
		cmp want got || return 1
	done &&
	kill -0 "$(cat line.pid)"
'

test_expect_success 'bytes sent while the other side is closed wait for it' '
	printf "while-closed" >line.b &&
	timeout 5 head -c 12 <line.a >got &&
	printf "while-closed" >want &&
	test_cmp want got
'

test_expect_success 'on SIGTERM uuline writes its counts and removes its links' '
	line_stop line &&
	a2b=$((4194304 + 5 * 8)) &&
	b2a=$((3000000 + 12)) &&
	grep -x "a>b bytes=$a2b delivered=$a2b flips=0 drops=0 eaten=0" line.stats &&
	grep -x "b>a bytes=$b2a delivered=$b2a flips=0 drops=0 eaten=0" line.stats &&
	grep -x "hangups=0" line.stats &&
	test ! -e line.a && test ! -e line.b
'

# Three noisy lines: seed 42 twice, seed 43 once.
for run in n1:42 n2:42 n3:43; do
	name=${run%:*}
	line_start "$name" --ber 0.001 --seed "${run#*:}"
	line_send "$name" small "$name.recv"
	line_stop "$name"
done

test_expect_success '--ber flips bits, the same ones for the same seed' '
	! cmp -s small n1.recv &&
	cmp n1.recv n2.recv &&
	! cmp -s n1.recv n3.recv &&
	test "$(grep "^a>b" n1.stats)" = "$(grep "^a>b" n2.stats)" &&
	flips=$(sed -n "s/^a>b .*flips=\([0-9]*\) .*/\1/p" n1.stats) &&
	test "$flips" -gt 100 && test "$flips" -lt 1000
'

line_start slow --speed 9600
head -c 960 /dev/urandom >bytes960

test_expect_success 'a line at 9600 bps takes at least its time' '
	t0=$(date +%s%N) &&
	line_send slow bytes960 slow.recv &&
	t1=$(date +%s%N) &&
	line_stop slow &&
	cmp bytes960 slow.recv &&
	test $(( (t1 - t0) / 1000000 )) -ge 900
'

line_start lossy --drop 0.01 --eat-xonxoff --seed 7
# 65536 bytes without XON/XOFF, then 100 of each
tr -d '\021\023' <small >clean
printf '%0100d' 0 | tr 0 '\021' >flow
printf '%0100d' 0 | tr 0 '\023' >>flow
cat clean flow >mixed

test_expect_success '--drop loses bytes and --eat-xonxoff removes XON/XOFF, counted' '
	timeout 10 cat <lossy.b >lossy.recv &
	r=$!
	n=$(wc -c <clean) &&
	cat mixed >lossy.a &&
	sleep 1 && kill $r 2>/dev/null; wait $r;
	line_stop lossy &&
	drops=$(sed -n "s/^a>b .*drops=\([0-9]*\) .*/\1/p" lossy.stats) &&
	eaten=$(sed -n "s/^a>b .*eaten=\([0-9]*\)$/\1/p" lossy.stats) &&
	test "$eaten" -eq 200 &&
	test "$drops" -gt 300 && test "$drops" -lt 1000 &&
	test "$(wc -c <lossy.recv)" -eq $((n - drops)) &&
	! grep -q "$(printf "\021")" lossy.recv
'

line_start hup --hangup 1 --max-hangups 2

test_expect_success '--hangup drops the line after the first byte, new PTYs follow the links' '
	old=$(readlink hup.a) &&
	exec 7<>hup.a &&
	printf x >&7 &&
	wait_for_line hup.out "^hangup 1 " &&
	! printf y >&7 2>/dev/null; exec 7>&- ;
	new=$(readlink hup.a) &&
	test "$old" != "$new" &&
	printf "again\n" >hup.a &&
	timeout 5 head -c 6 <hup.b >got &&
	printf "again\n" >want && test_cmp want got &&
	wait_for_line hup.out "^hangup 2 " &&
	line_stop hup &&
	grep -x "hangups=2" hup.stats
'

test_expect_success 'usage and bad arguments' '
	uuline --help >usage &&
	grep "^usage: uuline" usage &&
	test_must_fail uuline --bogus 2>err &&
	grep "^usage: uuline" err &&
	test_must_fail uuline --ber 2 &&
	test_must_fail uuline --speed fast &&
	test_must_fail uuline --hangup 5..2 &&
	test_must_fail uuline --hangup 0 &&
	test_must_fail uuline --drop 1.5 &&
	test_must_fail uuline extra
'

test_done
