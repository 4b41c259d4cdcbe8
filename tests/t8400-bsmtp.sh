#!/bin/sh
# t8400-bsmtp.sh - batched SMTP: 500 messages kept by uubatch for a
# neighbour marked for batching, packed into gzip batches queued as
# rgsmtp executions; rgsmtp on the other side queues each message for
# rmail exactly once, also when a batch arrives twice; a cut-off or
# damaged batch delivers nothing and says why; plain rsmtp batches.
. "$(dirname "$0")/lib-smtp.sh"

gw_node alpha beta
gw_node beta alpha
echo "bsmtp-batch-size 10000" >>alpha/config

# batches - the data files holding alpha's queued batches for beta
batches() {
	for x in $(grep -l "^C r.*smtp" alpha/spool/beta/D./* 2>/dev/null); do
		echo "alpha/spool/beta/D./$(sed -n "s/^I //p" "$x")"
	done
}

# delivered - rmail executions queued on beta
delivered() {
	grep -h "^C rmail" beta/spool/beta/in/X.* 2>/dev/null
}

test_expect_success '500 messages kept for beta' '
	i=0; while [ $i -lt 500 ]; do
		printf "From alpha!sender Mon Nov 30 01:02:03 2026\nSubject: m%d\n\nbody of message %d\n.dot line\n" $i $i |
			"$BIN/uubatch" -I alpha/config -s beta -f "alpha!sender" "u$i" || exit 1
		i=$((i + 1))
	done &&
	test "$(ls alpha/spool/.bsmtp/out/beta | wc -l)" = 500
'

test_expect_success 'uubatch -F packs them into compressed rgsmtp batches' '
	"$BIN/uubatch" -I alpha/config -F beta &&
	test -z "$(ls alpha/spool/.bsmtp/out/beta)" &&
	n=$(batches | wc -l) && test "$n" -ge 1 &&
	for b in $(batches); do gzip -t "$b" || exit 1; done &&
	say "$n batches, $(cat $(batches) | wc -c) bytes on the line for 500 messages"
'

test_expect_success 'rgsmtp on beta queues every message once' '
	for b in $(batches); do "$BIN/rgsmtp" -I beta/config <"$b" || exit 1; done &&
	test "$(delivered | wc -l)" = 500 &&
	test "$(delivered | sort -u | wc -l)" = 500 &&
	x=$(grep -l "^C rmail u7\$" beta/spool/beta/in/X.*) &&
	d=beta/spool/beta/in/$(sed -n "s/^I //p" "$x") &&
	head -n 1 "$d" | grep -q "^From alpha!sender " &&
	grep -qx "Subject: m7" "$d" && grep -qx ".dot line" "$d" &&
	! grep -q "^From alpha!sender Mon Nov 30 01:02:03" "$d"
'

test_expect_success 'the same batch again delivers nothing twice' '
	for b in $(batches); do "$BIN/rgsmtp" -I beta/config <"$b" || exit 1; done &&
	test "$(delivered | wc -l)" = 500
'

test_expect_success 'a batch cut off in the middle delivers nothing and reports the damage' '
	i=0; while [ $i -lt 20 ]; do
		printf "Subject: cut%d\n\nx\n" $i | "$BIN/uubatch" -I alpha/config -s beta -f "alpha!s" "c$i"
		i=$((i + 1)); done &&
	rm -f alpha/spool/beta/D./* alpha/spool/beta/C./* &&
	"$BIN/uubatch" -I alpha/config -F beta && b=$(batches) &&
	size=$(wc -c <"$b") && head -c $((size / 2)) "$b" >cut.gz &&
	test_must_fail "$BIN/rgsmtp" -I beta/config <cut.gz 2>cut.err &&
	grep -q "nothing delivered" cut.err && test "$(delivered | wc -l)" = 500 &&
	grep -q "refused, nothing delivered" beta/Log &&
	head -c $((size - 4)) "$b" >cut2.gz &&
	test_must_fail "$BIN/rgsmtp" -I beta/config <cut2.gz 2>/dev/null &&
	test "$(delivered | wc -l)" = 500 &&
	"$BIN/rgsmtp" -I beta/config <"$b" && test "$(delivered | wc -l)" = 520
'

test_expect_success 'a plain batch without QUIT is refused as a whole' '
	printf "HELO alpha\nMAIL FROM:<alpha!s>\nRCPT TO:<p1>\nDATA\nhi\n.\n" >noquit &&
	test_must_fail "$BIN/rgsmtp" -I beta/config <noquit 2>err && grep -q "cut off" err &&
	test "$(delivered | wc -l)" = 520
'

test_expect_success 'rsmtp: a plain batch, also under that name' '
	printf "HELO alpha\nMAIL FROM:<alpha!s>\nRCPT TO:<p1>\nRCPT TO:<p2>\nDATA\nhi\n..x\n.\nQUIT\n" >plain &&
	ln -sf "$BIN/rgsmtp" rsmtp && ./rsmtp -I beta/config <plain &&
	delivered | grep -qx "C rmail p1 p2"
'

if command -v python3 >/dev/null 2>&1; then
test_expect_success 'rcsmtp: a compress(1) batch whose codes grow past 9 bits' '
	{ printf "HELO alpha\n"; i=0; while [ $i -lt 300 ]; do
		printf "MAIL FROM:<alpha!s>\nRCPT TO:<z%d>\nDATA\nSubject: lzw %d\n\nline %d\n.\n" $i $i $i
		i=$((i + 1)); done; printf "QUIT\n"; } >lzw.txt &&
	python3 "$TOP/tests/lzw-compress.py" <lzw.txt >lzw.Z &&
	{ ! command -v uncompress >/dev/null || uncompress -c <lzw.Z | cmp - lzw.txt; } &&
	ln -sf "$BIN/rgsmtp" rcsmtp && ./rcsmtp -I beta/config <lzw.Z &&
	test "$(delivered | grep -c "^C rmail z")" = 300
'
else
test_skip 'rcsmtp: a compress(1) batch' 'no python3 to make one'
fi

test_expect_success 'bytes on the line: 200 mails one rmail job each versus batches' '
	rm -rf alpha/spool/beta && mkdir one &&
	i=0; while [ $i -lt 200 ]; do
		printf "From: a@alpha.uucp\nSubject: message number %d of the comparison\n\nThis is the body of message %d. It says the same thing as the others.\n" $i $i >one/m &&
		"$BIN/uubatch" -I alpha/config -s beta -f "alpha!sender" "user$i" <one/m || exit 1
		i=$((i + 1)); done &&
	"$BIN/uubatch" -I alpha/config -F beta &&
	batched=$(cat $(batches) | wc -c) &&
	rm -rf alpha/spool/beta &&
	i=0; while [ $i -lt 200 ]; do
		printf "From alpha!sender Mon Nov 30 01:02:03 2026\nFrom: a@alpha.uucp\nSubject: message number %d of the comparison\n\nThis is the body of message %d. It says the same thing as the others.\n" $i $i |
			"$BIN/uux" -I alpha/config - "beta!rmail" "user$i" >/dev/null 2>&1 || exit 1
		i=$((i + 1)); done;
	single=$(cat alpha/spool/beta/D./* | wc -c) &&
	say "200 mails: $single bytes of files as one uux each, $batched bytes batched" &&
	test "$batched" -lt "$single"
'

test_done
