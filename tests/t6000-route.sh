#!/bin/sh
# t6000-route - uuroute as a program: both eras of real maps parse with no
# warning, the table format, single-address routes, the index, --dot.
. "$(dirname "$0")/lib.sh"

SHARED=${BRIGADE_SHARED:-$TOP/../shared}
test -d "$SHARED/uumap/1992" || test_skip_all "no map data at $SHARED/uumap (set BRIGADE_SHARED)"

cat >small.map <<'MAP'
# a small map
alpha	beta(DIRECT), gamma(DAILY)
beta	gamma(HOURLY),
	<leaf>(LOCAL)
gamma	.dom.org(LOCAL)
gamma = gamma.uucp
MAP

for era in 1988 1992; do
	test_expect_success "every $era map file parses with no warning" '
		(cd "$SHARED/uumap/'$era'" && "$BIN/uuroute" -l uunet [du].*) >out 2>err &&
		test ! -s err && test -s out
	'
done

test_expect_success 'table and -c costs' '
	"$BIN/uuroute" -c -l alpha small.map | LC_ALL=C sort -k2 >out &&
	printf "725\t.dom.org\tbeta!gamma!%%s\n0\talpha\t%%s\n200\tbeta\tbeta!%%s\n700\tgamma\tbeta!gamma!%%s\n700\tgamma.uucp\tbeta!gamma!%%s\n225\tleaf\tbeta!leaf!%%s\n" >expect &&
	test_cmp expect out
'

test_expect_success 'one address: user@host.uucp, host!user, domain, far bang path' '
	"$BIN/uuroute" -l alpha -a joe@gamma.uucp small.map >out &&
	echo "beta!gamma!joe" >expect && test_cmp expect out &&
	"$BIN/uuroute" -l alpha -a leaf!joe small.map >out &&
	echo "beta!leaf!joe" >expect && test_cmp expect out &&
	"$BIN/uuroute" -l alpha -a joe@www.dom.org small.map >out &&
	echo "beta!gamma!www.dom.org!joe" >expect && test_cmp expect out &&
	"$BIN/uuroute" -l alpha -a gamma!x!joe small.map >out &&
	echo "beta!gamma!x!joe" >expect && test_cmp expect out &&
	test_must_fail "$BIN/uuroute" -l alpha -a joe@nowhere small.map
'

test_expect_success 'index written once, used by -i' '
	"$BIN/uuroute" -l alpha -o idx small.map &&
	"$BIN/uuroute" -i idx joe@leaf.uucp >out &&
	echo "beta!leaf!joe" >expect && test_cmp expect out &&
	echo garbage >bad && test_must_fail "$BIN/uuroute" -i bad x!y
'

test_expect_success 'a bad line warns with file:line and the rest routes' '
	printf "alpha beta(NOSUCH)\nalpha delta(DIRECT)\n" >bad.map &&
	"$BIN/uuroute" -l alpha bad.map >out 2>err &&
	grep -q "bad.map:1:" err && grep -q "^delta	delta!%s" out
'

test_expect_success '--dot draws the tree and a neighbourhood' '
	"$BIN/uuroute" -l alpha --dot small.map >tree.dot &&
	grep -q "\"beta\" -> \"gamma\"" tree.dot &&
	"$BIN/uuroute" --dot=beta small.map >n.dot &&
	grep -q "\"alpha\" -> \"beta\"" n.dot && grep -q "\"beta\" -> \"leaf\"" n.dot
'

test_expect_success 'usage' '
	"$BIN/uuroute" --help | grep -q "^usage: uuroute" &&
	test_must_fail "$BIN/uuroute"
'

test_done
