#!/bin/sh
# t4500-protocols.sh - the t and e protocols over TCP against Taylor UUCP
# in both roles (files both ways, sha256-identical), protocol choice and
# its log lines, t over a PTY line whose entries name it (Brigade to
# Brigade and to Taylor), and the end-to-end CRC-32 between Brigade nodes over a
# line that flips bits (BER 1e-5 and 1e-4, g): no corrupted file is ever
# delivered, and at 1e-4 the check really rejects and resends files.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade

PORT0=$(( 20000 + $$ % 20000 ))

# tcp_listen NODE PORT LOGIN - Brigade answers TCP calls on PORT, LOGIN
# logging in with password pw (the listener prompts)
tcp_listen() {
	grep -q "^$3 " "$TRASH/$1/passwd" || echo "$3 pw" >>"$TRASH/$1/passwd"
	"$BIN/uucico" -I "$TRASH/$1/config" -x "$BRIGADE_DEBUG" \
		-L "127.0.0.1:$2" >"$TRASH/$1/listen.out" 2>&1 &
	echo $! >"$TRASH/$1/listen.pid"
	echo $! >>"$TRASH/.line-pids"
	wait_for_line "$TRASH/$1/listen.out" '^listening' 10
}

# tcp_unlisten NODE - stop NODE's listener
tcp_unlisten() {
	kill "$(cat "$TRASH/$1/listen.pid")" 2>/dev/null
	sleep 0.2
}

# tcp_system NODE PEER PORT [PROTOS [nochat]] - Brigade reaches PEER over
# TCP, logging in as NODE with password pw (not with nochat)
tcp_system() {
	_chat="ogin: $1 ssword: pw"
	[ "${5:-}" = nochat ] && _chat=""
	echo "$2 Any TCP${4:+,$4} $3 127.0.0.1 $_chat" >>"$TRASH/$1/Systems"
}

# brigade_tcp_call NODE PEER - one Brigade call over TCP; 0 when it exits 0
brigade_tcp_call() {
	timeout 60 "$BIN/uucico" -I "$TRASH/$1/config" -x "$BRIGADE_DEBUG" -S "$2" \
		</dev/null >"$TRASH/$1/caller.out" 2>&1
}

# picked NODE P - the node's Log shows protocol P picked and started
picked() {
	grep -a -q "protocols: .*picked $2" "$TRASH/$1/Log" &&
	grep -a -q "handshake successful: protocol=$2" "$TRASH/$1/Log"
}

test_expect_success 'Brigade to Brigade over TCP: t picked by default, files both ways' '
	brigade_node ba && brigade_node bb &&
	tcp_system ba bb $PORT0 && tcp_system bb ba $PORT0 &&
	brigade_permit bb "LOGNAME=ba MACHINE=ba REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/x1" 70000 && make_file "$TRASH/bb/pub/y1" 5000 &&
	brigade_queue ba "$TRASH/x1" "bb!~/x1" &&
	brigade_queue ba "bb!~/y1" "$TRASH/ba/pub/y1" &&
	tcp_listen bb $PORT0 ba &&
	brigade_tcp_call ba bb &&
	same_file "$TRASH/x1" "$TRASH/bb/pub/x1" &&
	same_file "$TRASH/bb/pub/y1" "$TRASH/ba/pub/y1" &&
	picked ba t &&
	grep -a -q "protocols: offering \"teigG\" (default for a reliable port)" "$TRASH/bb/Log" &&
	grep -a -q "integrity=crc32-end-to-end" "$TRASH/ba/Log"
'

test_expect_success 'the protocol keyword and a Systems suffix choose e' '
	echo "protocol eg" >>"$TRASH/bb/config" &&
	tcp_unlisten bb && logs_rotate ba bb &&
	tcp_listen bb $PORT0 ba &&
	make_file "$TRASH/x2" 30000 &&
	brigade_queue ba "$TRASH/x2" "bb!~/x2" &&
	brigade_tcp_call ba bb &&
	same_file "$TRASH/x2" "$TRASH/bb/pub/x2" &&
	grep -a -q "offering \"eg\" (configuration keyword protocol)" "$TRASH/bb/Log" &&
	picked ba e &&
	: >"$TRASH/ba/Systems" && tcp_system ba bb $PORT0 g &&
	make_file "$TRASH/x3" 3000 && brigade_queue ba "$TRASH/x3" "bb!~/x3" &&
	logs_rotate ba && brigade_tcp_call ba bb &&
	same_file "$TRASH/x3" "$TRASH/bb/pub/x3" &&
	grep -a -q "we allow \"g\" (Systems/Devices entry)" "$TRASH/ba/Log" &&
	picked ba g
'
tcp_unlisten bb

test_expect_success 'a PTY line is not reliable: i (then g), never t or e' '
	line_start p &&
	brigade_node pa && brigade_node pb &&
	brigade_system pa pb "$TRASH/p.a" && brigade_system pb pa "$TRASH/p.b" &&
	brigade_permit pb "LOGNAME=pa MACHINE=pa REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/p1" 2000 && brigade_queue pa "$TRASH/p1" "pb!~/p1" &&
	call brigade pa pb brigade pb pa p &&
	same_file "$TRASH/p1" "$TRASH/pb/pub/p1" &&
	grep -a -q "offering \"igG\" (default for a port that is not reliable)" "$TRASH/pb/Log" &&
	picked pa i &&
	grep -a -q "integrity=crc32-end-to-end" "$TRASH/pa/Log"
'

# A line whose own Systems and Devices entries name t ("Direct,t") is the
# operator's word that it is reliable: t runs over the PTY, and each side
# logs why it allowed t there.
test_expect_success 'a PTY line whose entries say Direct,t: t, taken as reliable' '
	BRIGADE_LINE_PROTOCOLS=t && export BRIGADE_LINE_PROTOCOLS &&
	brigade_node qa && brigade_node qb &&
	brigade_system qa qb "$TRASH/q.a" && brigade_system qb qa "$TRASH/q.b" &&
	grep -q "^qb Any Direct,t 115200 -\$" "$TRASH/qa/Systems" &&
	grep -q "^Direct,t $TRASH/q.a - 115200 direct\$" "$TRASH/qa/Devices" &&
	brigade_permit qb "LOGNAME=qa MACHINE=qa REQUEST=yes SENDFILES=yes" &&
	make_file "$TRASH/q1" 60000 && make_file "$TRASH/qb/pub/q2" 7000 &&
	brigade_queue qa "$TRASH/q1" "qb!~/q1" &&
	brigade_queue qa "qb!~/q2" "$TRASH/qa/pub/q2" &&
	call brigade qa qb brigade qb qa q &&
	line_stop q &&
	same_file "$TRASH/q1" "$TRASH/qb/pub/q1" &&
	same_file "$TRASH/qb/pub/q2" "$TRASH/qa/pub/q2" &&
	picked qa t &&
	for n in qa qb; do
		grep -a -q "protocol t allowed on .*: its Systems/Devices entry names it, so the line is taken as reliable" \
			"$TRASH/$n/Log" || { show_logs $n; exit 1; }
	done &&
	grep -a -q "offering \"t\" (Systems/Devices entry) on a port that is not reliable" "$TRASH/qb/Log" &&
	grep -a -q "caller picked t" "$TRASH/qb/Log"
'

if [ "$(id -u)" -eq 0 ] && [ -x "$TAYLOR_UUCICO" ] && [ -x "$TAYLOR_UUCP" ] && id uucp >/dev/null 2>&1; then
	# Taylor runs t over a direct port when its sys entry names it
	test_expect_success 'Brigade calls Taylor over a PTY with t: files both ways' '
		BRIGADE_LINE_PROTOCOLS=t TAYLOR_PROTOCOL=t &&
		export BRIGADE_LINE_PROTOCOLS TAYLOR_PROTOCOL &&
		brigade_node bq && taylor_node tq &&
		brigade_system bq tq "$TRASH/r.a" && taylor_system tq bq "$TRASH/r.b" &&
		make_file "$TRASH/bq-o" 80000 && make_file "$TRASH/tq-k" 20000 &&
		brigade_queue bq "$TRASH/bq-o" "tq!~/o" &&
		taylor_queue tq "$TRASH/tq-k" "bq!~/k" &&
		call brigade bq tq taylor tq bq r &&
		line_stop r &&
		same_file "$TRASH/bq-o" "$TRASH/tq/pub/o" &&
		same_file "$TRASH/tq-k" "$TRASH/bq/pub/k" &&
		taylor_call_ok tq &&
		grep -q "Handshake successful (protocol .t.)" "$TRASH/tq/Log" &&
		picked bq t &&
		grep -a -q "protocol t allowed on .*names it, so the line is taken as reliable" "$TRASH/bq/Log" &&
		grep -a -q "integrity=transport" "$TRASH/bq/Log"
	'
else
	test_skip 'Brigade calls Taylor over a PTY with t' "needs root and Taylor UUCP"
fi

# BER test: 200 small files over a line flipping one bit in 100000.
test_expect_success 'BER 1e-5 with g: 200 files, none delivered corrupted' '
	line_stop p &&
	UULINE_ARGS="--ber 1e-5 --seed 4500" && export UULINE_ARGS &&
	brigade_node ea && brigade_node eb &&
	echo "protocol g" >>"$TRASH/ea/config" && echo "protocol g" >>"$TRASH/eb/config" &&
	brigade_system ea eb "$TRASH/e.a" && brigade_system eb ea "$TRASH/e.b" &&
	brigade_permit eb "LOGNAME=ea MACHINE=ea REQUEST=yes SENDFILES=yes" &&
	mkdir -p "$TRASH/esrc" && i=0 &&
	while [ $i -lt 200 ]; do
		make_file "$TRASH/esrc/m$i" $(( 200 + i * 53 % 1800 )) &&
		brigade_queue ea "$TRASH/esrc/m$i" "eb!~/m$i" || exit 1
		i=$((i + 1))
	done &&
	tries=0 &&
	while [ -n "$(brigade_jobs ea)" ] && [ $tries -lt 6 ]; do
		call brigade ea eb brigade eb ea e
		tries=$((tries + 1))
	done &&
	unset UULINE_ARGS &&
	test -z "$(brigade_jobs ea)" &&
	bad=0 && i=0 &&
	while [ $i -lt 200 ]; do
		same_file "$TRASH/esrc/m$i" "$TRASH/eb/pub/m$i" >/dev/null 2>&1 || bad=$((bad + 1))
		i=$((i + 1))
	done &&
	rejected=$(grep -a -c "result=corrupt-rejected" "$TRASH/eb/Log" || :) &&
	resent=$(grep -a -c "result=rejected-will-resend" "$TRASH/ea/Log" || :) &&
	echo "# 200 files in $tries calls: $bad corrupted, $rejected caught by the CRC-32, $resent re-sent" &&
	test "$bad" -eq 0 &&
	test "$rejected" -eq "$resent" &&
	picked ea g
'

# At BER 1e-4, g's checksum lets through some packets whose first data
# byte was flipped: the end-to-end CRC-32 must catch every such file, the
# sender must send it again, and no corrupted file may be delivered.
test_expect_success 'BER 1e-4 with g: the end-to-end CRC rejects and resends' '
	UULINE_ARGS="--ber 1e-4 --seed 4501" && export UULINE_ARGS &&
	brigade_node ga && brigade_node gb &&
	for n in ga gb; do
		printf "protocol g\nprotocol-parameter g errors 100000\n%s\n%s\n" \
			"protocol-parameter g timeout 1" "protocol-parameter g packet-size 32" \
			>>"$TRASH/$n/config"
	done &&
	brigade_system ga gb "$TRASH/g.a" && brigade_system gb ga "$TRASH/g.b" &&
	brigade_permit gb "LOGNAME=ga MACHINE=ga REQUEST=yes SENDFILES=yes" &&
	mkdir -p "$TRASH/gsrc" && i=0 &&
	while [ $i -lt 10 ]; do
		make_file "$TRASH/gsrc/n$i" 16384 &&
		brigade_queue ga "$TRASH/gsrc/n$i" "gb!~/n$i" || exit 1
		i=$((i + 1))
	done &&
	tries=0 &&
	while [ -n "$(brigade_jobs ga)" ] && [ $tries -lt 6 ]; do
		call brigade ga gb brigade gb ga g
		tries=$((tries + 1))
	done &&
	unset UULINE_ARGS &&
	test -z "$(brigade_jobs ga)" &&
	bad=0 && i=0 &&
	while [ $i -lt 10 ]; do
		same_file "$TRASH/gsrc/n$i" "$TRASH/gb/pub/n$i" >/dev/null 2>&1 || bad=$((bad + 1))
		i=$((i + 1))
	done &&
	rejected=$(grep -a -c "result=corrupt-rejected" "$TRASH/gb/Log" || :) &&
	resent=$(grep -a -c "result=rejected-will-resend" "$TRASH/ga/Log" || :) &&
	echo "# 10 x 16 KiB in $tries calls: $bad corrupted, $rejected caught by the CRC-32, $resent re-sent" &&
	test "$bad" -eq 0 &&
	test "$rejected" -gt 0 &&
	test "$rejected" -eq "$resent" &&
	picked ga g
'

if ! { [ "$(id -u)" -eq 0 ] && [ -x "$TAYLOR_UUCICO" ] && command -v socat >/dev/null 2>&1; }; then
	test_skip 'Taylor over TCP' "needs root, Taylor UUCP and socat"
	test_done
	exit $?
fi

# taylor_tcp NODE PEER PORT PROTO - Taylor reaches PEER over TCP with PROTO
taylor_tcp() {
	cat >>"$TRASH/$1/sys" <<EOT
system $2
time any
port tcp-$2
address 127.0.0.1
chat ${5:-""}
protocol $4
max-retries 0
EOT
	cat >>"$TRASH/$1/port" <<EOT
port tcp-$2
type tcp
service $3
EOT
}

n=0
for P in t e; do
	n=$((n + 1)); port=$((PORT0 + n))
	test_expect_success "Taylor calls Brigade over TCP with $P: files both ways" '
		taylor_node tc$P && brigade_node bc$P &&
		taylor_tcp tc$P bc$P $port $P "ogin: tc$P ssword: pw" &&
		tcp_system bc$P tc$P $port &&
		brigade_permit bc$P "LOGNAME=tc$P MACHINE=tc$P REQUEST=yes SENDFILES=yes" &&
		make_file "$TRASH/tc$P-o" 100000 && make_allbytes "$TRASH/bc$P/pub/all" &&
		make_file "$TRASH/bc$P-k" 20000 &&
		taylor_queue tc$P "$TRASH/tc$P-o" "bc$P!~/o" &&
		taylor_queue tc$P "bc$P!~/all" "$TRASH/tc$P/pub/all" &&
		brigade_queue bc$P "$TRASH/bc$P-k" "tc$P!~/k" &&
		tcp_listen bc$P $port tc$P &&
		timeout 60 "$TAYLOR_UUCICO" -I "$TRASH/tc$P/config" -D -q -x "$TAYLOR_DEBUG" \
			-S bc$P </dev/null >"$TRASH/tc$P/caller.out" 2>&1 &&
		tcp_unlisten bc$P &&
		same_file "$TRASH/tc$P-o" "$TRASH/bc$P/pub/o" &&
		same_file "$TRASH/bc$P/pub/all" "$TRASH/tc$P/pub/all" &&
		same_file "$TRASH/bc$P-k" "$TRASH/tc$P/pub/k" &&
		taylor_call_ok tc$P && picked bc$P "$P" 2>/dev/null ||
		grep -a -q "caller picked $P" "$TRASH/bc$P/Log" &&
		grep -a "integrity=transport" "$TRASH/bc$P/Log" >/dev/null
	'

	n=$((n + 1)); port=$((PORT0 + n))
	test_expect_success "Brigade calls Taylor over TCP with $P: files both ways" '
		taylor_node te$P && brigade_node be$P &&
		taylor_tcp te$P be$P 1 $P &&
		tcp_system be$P te$P $port "" nochat &&
		printf "#!/bin/sh\nexec %s -I %s -D -q -x all -u be$P\n" "$TAYLOR_UUCICO" \
			"$TRASH/te$P/config" >"$TRASH/te$P/answer" && chmod +x "$TRASH/te$P/answer" &&
		make_file "$TRASH/be$P-o" 100000 && make_allbytes "$TRASH/te$P/pub/all" &&
		make_file "$TRASH/te$P-k" 20000 &&
		brigade_queue be$P "$TRASH/be$P-o" "te$P!~/o" &&
		brigade_queue be$P "te$P!~/all" "$TRASH/be$P/pub/all" &&
		taylor_queue te$P "$TRASH/te$P-k" "be$P!~/k" &&
		socat -t 10 TCP-LISTEN:$port,bind=127.0.0.1,reuseaddr \
			EXEC:"$TRASH/te$P/answer" \
			2>"$TRASH/te$P/socat.err" &
		sp=$! && echo $sp >>"$TRASH/.line-pids" && sleep 0.5 &&
		brigade_tcp_call be$P te$P &&
		_wait_pid $sp 10 &&
		same_file "$TRASH/be$P-o" "$TRASH/te$P/pub/o" &&
		same_file "$TRASH/te$P/pub/all" "$TRASH/be$P/pub/all" &&
		same_file "$TRASH/te$P-k" "$TRASH/be$P/pub/k" &&
		grep -q "Call complete" "$TRASH/te$P/Log" &&
		# socat ends its child with SIGTERM once the socket closes: the
		# only error line allowed comes after "Call complete"
		! grep -v "Got termination signal" "$TRASH/te$P/Log" | grep -E "ERROR|[Ff]ailed" &&
		picked be$P "$P" &&
		grep -a -q "integrity=transport" "$TRASH/be$P/Log"
	'
done

test_done
