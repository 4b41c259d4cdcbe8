# lib.sh - shell test library for Brigade's integration tests, after git's
# t/test-lib.sh.  Each script sources this, runs in a fresh trash directory
# and prints TAP for prove.
#
#   test_expect_success 'title' 'commands'
#   test_must_fail command...        succeeds when command exits non-zero
#   test_cmp expect actual           files equal (diff shown otherwise)
#   test_skip_all 'why'              skip the whole script (plan 1..0)
#   cleanup 'commands'               run at exit (stop daemons, ...)
#   wait_for_file FILE [SECONDS]     until FILE exists
#   wait_for_line FILE REGEX [SECS]  until a line of FILE matches
#   test_done                        print the plan; exit status
#
# Binaries are in $BIN (build/bin), the source tree in $TOP.

set -u
TOP=${BRIGADE_TOP:-$(cd "$(dirname "$0")/.." && pwd)}
BUILD=${BRIGADE_BUILD:-$TOP/build}
BIN=$BUILD/bin
HELPERS=$BUILD/helpers
export PATH="$BIN:$PATH"
SHARED=${BRIGADE_SHARED:-$TOP/../shared}

test_count=0
test_failed=0
test_name=$(basename "$0" .sh)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/brigade-$test_name.XXXXXX")
chmod 755 "$TRASH"
cd "$TRASH" || exit 1
_cleanups=""

cleanup() {
	_cleanups="$1
$_cleanups"
}

_run_cleanups() {
	eval "$_cleanups" >/dev/null 2>&1
	if [ "$test_failed" -eq 0 ] && [ -z "${BRIGADE_KEEP:-}" ]; then
		cd / && rm -rf "$TRASH"
	else
		echo "# trash kept: $TRASH"
	fi
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

say() { echo "# $*"; }

test_expect_success() {
	test_count=$((test_count + 1))
	_out=$TRASH/.test-$test_count.out
	if (eval "$2") >"$_out" 2>&1; then
		echo "ok $test_count - $1"
	else
		test_failed=$((test_failed + 1))
		echo "not ok $test_count - $1"
		sed 's/^/#   /' "$_out" | tail -n 40
	fi
}

test_skip() {
	test_count=$((test_count + 1))
	echo "ok $test_count - $1 # skip $2"
}

test_skip_all() {
	echo "1..0 # SKIP $1"
	trap - EXIT
	cd / && rm -rf "$TRASH"
	exit 0
}

test_must_fail() {
	if "$@"; then
		echo "expected failure: $*" >&2
		return 1
	fi
	return 0
}

test_cmp() {
	diff -u "$1" "$2"
}

# wait_for_file FILE [SECONDS]
wait_for_file() {
	_n=$(( ${2:-10} * 10 ))
	while [ ! -e "$1" ] && [ "$_n" -gt 0 ]; do sleep 0.1; _n=$((_n - 1)); done
	[ -e "$1" ]
}

# wait_for_line FILE REGEX [SECONDS]
wait_for_line() {
	_n=$(( ${3:-10} * 10 ))
	while ! grep -q -E "$2" "$1" 2>/dev/null && [ "$_n" -gt 0 ]; do
		sleep 0.1; _n=$((_n - 1))
	done
	grep -q -E "$2" "$1" 2>/dev/null
}

test_done() {
	echo "1..$test_count"
	[ "$test_failed" -eq 0 ]
}
