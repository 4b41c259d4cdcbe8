#!/bin/sh
# t1200-uucp-uustat - queue copies with uucp, look at them and kill them
# with uustat.
. "$(dirname "$0")/lib.sh"

mkdir node
printf 'nodename alpha\n' >node/config
CONF=$TRASH/node/config
export BRIGADE_CONFIG=$CONF
printf 'hello world\n' >file1
printf 'second file\n' >"file two"

test_expect_success 'uucp -r -j queues a send and prints the job id' '
	uucp -r -j file1 "beta!~/incoming/" >id &&
	grep -E "^[0-9a-f-]{36}$" id &&
	test -f node/spool/beta/C./C.$(cat id)
'

test_expect_success 'the spooled copy has the file content (-C)' '
	ls node/spool/beta/D./ >names &&
	test $(wc -l <names) -eq 1 &&
	grep -E "^D\.alphaN[0-9A-Za-z]{4}$" names &&
	test_cmp file1 node/spool/beta/D./$(cat names)
'

test_expect_success 'uustat -a shows the job and its command' '
	uustat -a >out &&
	grep "^$(cat id) beta .* N [0-9]*s 12$" out &&
	grep "S $TRASH/file1 -> beta!~/incoming/file1" out
'

test_expect_success 'uucp -c sends from the original path, no spool copy' '
	uucp -I "$CONF" -r -c -j "file two" "beta!/tmp/two" >id2 &&
	test $(ls node/spool/beta/D./ | wc -l) -eq 1 &&
	grep -F "cmd S $TRASH/file\\stwo /tmp/two" node/spool/beta/C./C.$(cat id2) &&
	grep " D.0 " node/spool/beta/C./C.$(cat id2)
'

test_expect_success 'several sources go into a directory' '
	uucp -r -j file1 "file two" "beta!~/dir" >id3 &&
	uustat -s beta >out &&
	grep "S $TRASH/file1 -> beta!~/dir/file1" out &&
	grep "S $TRASH/file two -> beta!~/dir/file two" out
'

test_expect_success 'a remote source queues a fetch (R)' '
	mkdir got &&
	uucp -r -j "beta!/etc/motd" got >id4 &&
	uustat -a >out &&
	grep "R beta!/etc/motd -> $TRASH/got/motd" out
'

test_expect_success 'grades order the queue' '
	uucp -r -g A -j file1 "beta!~/urgent" >idA &&
	uustat -a | grep -v "^	" | head -n 1 | grep "^$(cat idA) .* A "
'

test_expect_success 'uustat -q and -m summarize per system' '
	uucp -r file1 "gamma!~/x" &&
	uustat -q >q &&
	grep "^beta 5 jobs never$" q &&
	grep "^gamma 1 job never$" q &&
	uustat -m >m &&
	grep "^beta never last=- retries=0" m
'

test_expect_success 'uustat -k kills a job by prefix and removes its data' '
	id=$(cat id) &&
	uustat -k $(echo $id | cut -c1-13) &&
	! test -e node/spool/beta/C./C.$id &&
	test $(ls node/spool/beta/D./ | grep -c .) -eq 3 &&
	! uustat -a | grep "^$id"
'

test_expect_success 'uustat -k of an unknown job fails' '
	test_must_fail uustat -k 00000000-dead 2>err &&
	grep "no such job" err
'

test_expect_success 'bad arguments are refused clearly' '
	test_must_fail uucp -r file1 "../x!~/a" 2>err && grep "bad system name" err &&
	test_must_fail uucp -r file1 "beta!relative" 2>err && grep "absolute or start with ~" err &&
	test_must_fail uucp -r nosuch "beta!~/a" 2>err && grep "nosuch" err &&
	test_must_fail uucp -r file1 other 2>err && grep "both ends are local" err &&
	test_must_fail uucp -r -g "#" file1 "beta!~/a" 2>err && grep "grade" err &&
	test_must_fail uucp -r "beta!/a" "gamma!/b" 2>err && grep "not supported" err &&
	test_must_fail uucp -r file1 2>err && grep usage err &&
	test_must_fail uustat -s "a/b" 2>err && grep "bad system name" err
'

test_expect_success 'without -r, uucp starts uucico for the system' '
	mkdir fakebin &&
	cp "$BIN/uucp" fakebin/uucp &&
	printf "#!/bin/sh\necho \"\$@\" >\"%s/started\"\n" "$TRASH" >fakebin/uucico &&
	chmod +x fakebin/uucico &&
	fakebin/uucp file1 "delta!~/y" &&
	wait_for_file started 10 &&
	test "$(cat started)" = "-I $CONF -s delta"
'

test_done
