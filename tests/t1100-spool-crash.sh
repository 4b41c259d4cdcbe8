#!/bin/sh
# t1100-spool-crash - kill -9 a spool writer and reader hundreds of times
# at random instants; every job must end up queued whole or done, done
# once, and received once (SN8 records cover the "sent, not marked done"
# window).
. "$(dirname "$0")/lib.sh"

T=$HELPERS/spool_torture
ROUNDS=${BRIGADE_TORTURE_ROUNDS:-200}

for cycle in 1 2 3; do
	test_expect_success "storm $cycle: $ROUNDS rounds of kill -9" '
		"$T" storm "$TRASH/t" "$ROUNDS" >storm.out 2>&1 ||
		{ cat storm.out; false; }
	'
	test_expect_success "cycle $cycle: queue whole, all sent once, received once" '
		"$T" check "$TRASH/t" >check.out 2>&1; rc=$?
		cat check.out
		test $rc -eq 0 &&
		grep -q "all whole: yes" check.out
	'
	sed -n "s/^# /# cycle $cycle: /p" check.out
done

test_expect_success 'no corrupt files, no stray lock' '
	test -z "$(ls -A "$TRASH/t/out/.Corrupt")" &&
	test -z "$(ls -A "$TRASH/t/in/.Corrupt")" &&
	! test -e "$TRASH/t/out/.Lock/LCK.beta"
'

test_expect_success 'every job was queued and sent' '
	q=$(grep -c "^Q " "$TRASH/t/queued.ledger") &&
	s=$(grep -c "^D " "$TRASH/t/sent.ledger") &&
	echo "queued $q sent $s" &&
	test "$q" -gt 100 && test "$s" -ge "$q"
'

test_done
