#!/bin/sh
# t4000-pair.sh - two Brigade uucicos over a PTY line: files both ways in
# one call (sends, fetches, and the callee's own queue once it is master),
# sizes 0, 1, 4097 and every byte value, 200 files in one call, and the g
# window/packet settings 1/32, 3/64, 7/4096 and different ones each way.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

line_start l || test_skip_all "no PTY line (uuline or socat)"

# pair N CW CP EW EP - nodes aN (caller) and bN (callee) asking for the
# given g window and packet size; each may send what it likes.
pair() {
	brigade_node "a$1" "$2" "$3"
	brigade_node "b$1" "$4" "$5"
	brigade_system "a$1" "b$1" "$TRASH/l.a"
	brigade_system "b$1" "a$1" "$TRASH/l.b"
	brigade_permit "a$1" "LOGNAME=b$1 MACHINE=b$1 READ=/ WRITE=/ REQUEST=yes SENDFILES=yes"
	brigade_permit "b$1" "LOGNAME=a$1 MACHINE=a$1 READ=/ WRITE=/ REQUEST=yes SENDFILES=yes"
	mkdir -p "$TRASH/src$1" "$TRASH/a$1/got"
}

# both_ways N - queue files in every direction for aN -> bN, then call
both_ways() {
	n=$1 a=a$1 b=b$1 s=$TRASH/src$1
	make_file "$s/empty" 0
	make_file "$s/one" 1
	make_file "$s/page1" 4097
	make_allbytes "$s/bytes"
	make_file "$s/big" ${BIGSIZE:-100000}
	for f in empty one page1 bytes big; do
		brigade_queue $a "$s/$f" "$b!~/$f" || return 1
	done
	# what aN fetches from bN, and what bN sends when it is master
	make_file "$TRASH/$b/pub/fetch-one" 1
	make_allbytes "$TRASH/$b/pub/fetch-bytes"
	make_file "$TRASH/$b/pub/fetch-big" ${BIGSIZE:-100000}
	for f in fetch-one fetch-bytes fetch-big; do
		brigade_queue $a "$b!~/$f" "$TRASH/$a/got/$f" || return 1
	done
	mkdir -p "$TRASH/back$n"
	make_file "$TRASH/back$n/back-empty" 0
	make_allbytes "$TRASH/back$n/back-bytes"
	make_file "$TRASH/back$n/back-page1" 4097
	for f in back-empty back-bytes back-page1; do
		brigade_queue $b "$TRASH/back$n/$f" "$a!~/$f" || return 1
	done
	test -n "$(brigade_jobs $a)" || { echo "$a: uustat -a lists nothing"; return 1; }
	test -n "$(brigade_jobs $b)" || { echo "$b: uustat -a lists nothing"; return 1; }
	call brigade $a $b brigade $b $a l || { show_logs $a $b; return 1; }
}

# check_both_ways N - every file arrived intact, queues empty, logs say so
check_both_ways() {
	n=$1 a=a$1 b=b$1
	same_dir "$TRASH/src$n" "$TRASH/$b/pub" &&
	for f in fetch-one fetch-bytes fetch-big; do
		same_file "$TRASH/$b/pub/$f" "$TRASH/$a/got/$f" || return 1
	done &&
	same_dir "$TRASH/back$n" "$TRASH/$a/pub" &&
	test -z "$(brigade_jobs $a)" && test -z "$(brigade_jobs $b)" &&
	brigade_call_ok $a && brigade_call_ok $b &&
	test "$(grep -c 'xfer .*dir=send' "$TRASH/$a/Log")" -eq 5 &&
	test "$(grep -c 'xfer .*dir=receive' "$TRASH/$a/Log")" -eq 6 &&
	test "$(grep -c 'xfer .*dir=receive' "$TRASH/$b/Log")" -eq 5 &&
	test "$(grep -c 'xfer .*dir=send' "$TRASH/$b/Log")" -eq 6
}

for s in "1 1 32 1 32" "2 3 64 3 64" "3 7 4096 7 4096" "4 7 4096 3 64"; do
	set -- $s
	test_expect_success "window/packet caller $2/$3 callee $4/$5: files both ways in one call" "
		pair $1 $2 $3 $4 $5 && both_ways $1
	"
	test_expect_success "window/packet caller $2/$3 callee $4/$5: all sha256-identical, queues empty" "
		check_both_ways $1 || { show_logs a$1 b$1; false; }
	"
done

test_expect_success 'both logs give each xfer its byte count' '
	grep -q "xfer .*file=.*bytes=4097" "$TRASH/a2/Log" &&
	grep -q "xfer .*bytes=0" "$TRASH/b2/Log" &&
	grep -q "call .*role=caller.*result=ok" "$TRASH/a2/Log" &&
	grep -q "call .*role=callee.*result=ok" "$TRASH/b2/Log"
'

test_expect_success '200 files in one call' '
	pair 5 3 64 3 64 &&
	i=0 &&
	while [ $i -lt 200 ]; do
		make_file "$TRASH/src5/m$i" $((i * 37 % 3000)) &&
		brigade_queue a5 "$TRASH/src5/m$i" "b5!~/m$i" || exit 1
		i=$((i + 1))
	done &&
	call brigade a5 b5 brigade b5 a5 l || { show_logs a5 b5; false; }
'

test_expect_success '200 files: every one identical, none left queued' '
	test "$(ls "$TRASH/b5/pub" | wc -l)" -eq 200 &&
	same_dir "$TRASH/src5" "$TRASH/b5/pub" &&
	test -z "$(brigade_jobs a5)" &&
	test "$(grep -c "xfer .*dir=send" "$TRASH/a5/Log")" -eq 200
'

test_expect_success 'a call with nothing to do completes' '
	logs_rotate a5 b5 &&
	call brigade a5 b5 brigade b5 a5 l &&
	brigade_call_ok a5 && ! grep -q "xfer " "$TRASH/a5/Log"
'

test_done
