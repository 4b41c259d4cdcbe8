#!/bin/sh
# t6100-oracle - uuroute against pathalias's own table for the 1992 maps
# seen from uunet (shared/uumap/oracle): every name, and its cost.
. "$(dirname "$0")/lib.sh"

SHARED=${BRIGADE_SHARED:-$TOP/../shared}
MAPS=$SHARED/uumap/1992
ORACLE=$SHARED/uumap/oracle/1992-from-uunet.tsv
test -f "$ORACLE" || test_skip_all "no map data at $SHARED/uumap (set BRIGADE_SHARED)"

# Every name's cost must equal pathalias's: no mismatch is allowed.
KNOWN_MISMATCH=0

test_expect_success 'the 1992 maps route from uunet without a warning' '
	(cd "$MAPS" && LC_ALL=C "$BIN/uuroute" -c -l uunet [du].*) >table 2>err &&
	test ! -s err &&
	test $(wc -l <table) -gt 30000
'

# pathalias keeps 68,668 links for these maps (uumap README); the parser
# reads 68,698 declarations (docs/routing.md, "Counting links").
test_expect_success 'the links declared are counted' '
	(cd "$MAPS" && LC_ALL=C "$BIN/uuroute" -v -l uunet [du].*) 2>count >/dev/null &&
	grep -q "^links declared 68698 (to itself 86, duplicates 780), kept 67833;" count
'

test_expect_success 'every oracle name is routed, and no other' '
	cut -f2 table | LC_ALL=C sort >mine &&
	cut -f2 "$ORACLE" | LC_ALL=C sort >theirs &&
	test_cmp theirs mine
'

test_expect_success "every cost equals pathalias's" '
	awk -F "\t" "NR == FNR { c[\$2] = \$1; next }
	    (\$2 in c) && c[\$2] != \$1 { bad++ }
	    END { print bad + 0 }" "$ORACLE" table >bad &&
	say "cost mismatches: $(cat bad) of $(wc -l <"$ORACLE")" &&
	test $(cat bad) -le $KNOWN_MISMATCH
'

test_expect_success 'routes differ from pathalias'"'"'s only where costs tie' '
	awk -F "\t" "NR == FNR { c[\$2] = \$1; r[\$2] = \$3; next }
	    r[\$2] != \$3 && c[\$2] != \$1 { bad++ }
	    END { print bad + 0 }" "$ORACLE" table >badroute &&
	test $(cat badroute) -eq 0
'

test_expect_success 'every hop of every route is declared (ours and pathalias'"'"'s)' '
	here=$(pwd) &&
	(cd "$MAPS" && LC_ALL=C "$BIN/uuroute" -l uunet -k "$here/table" [du].*) >hops 2>bad &&
	say "ours: $(cat hops)" &&
	test ! -s bad &&
	grep -q "^routes 33377 .* undeclared 0 skipped 0\$" hops &&
	(cd "$MAPS" && LC_ALL=C "$BIN/uuroute" -l uunet -k "$ORACLE" [du].*) >hops 2>bad &&
	say "pathalias: $(cat hops)" &&
	test ! -s bad &&
	grep -q "^routes 33377 .* undeclared 0 skipped 0\$" hops
'

test_expect_success 'the hop check finds a hop that is not declared' '
	printf "1\tx\tmimsy!ghg!%%s\n2\ty\tnosuchhost!%%s\n" >fake &&
	here=$(pwd) &&
	(cd "$MAPS" && test_must_fail env LC_ALL=C "$BIN/uuroute" -l uunet -k "$here/fake" [du].*) >hops 2>bad &&
	grep -q "undeclared 2" hops &&
	test $(wc -l <bad) -eq 2
'

test_expect_success 'the local host and its aliases cost 0 and route %s' '
	grep -q "^0	uunet	%s\$" table
'

test_done
