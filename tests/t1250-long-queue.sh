#!/bin/sh
# t1250-long-queue.sh - a long queue, at CI size: 150 mails queued with
# uux as rmail jobs, listed by uustat, and all sent in one call to a second
# node over a PTY line; each arrives once and the queue ends empty.  Taylor
# UUCP does the same at both ends where it can run (root).  The full size
# (5000 mails, with time and peak RSS a mail) is bench/queue.sh.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
[ -x /usr/bin/time ] || test_skip_all "/usr/bin/time is not installed (Debian package time)"

test_expect_success 'bench/queue.sh at 150 mails: all arrive, exactly once' '
	TMPDIR=$TRASH sh "$TOP/bench/queue.sh" -n 150 "$BUILD" >out 2>&1 ||
	{ cat out; false; }
	cat out &&
	grep -E "^brigade +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9]+ +[0-9.-]+ +150 yes$" out &&
	grep -E "^taylor .* 150 yes$|^taylor  \(skipped" out
'

test_done
