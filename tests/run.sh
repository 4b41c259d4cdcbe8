#!/bin/sh
# run.sh - run Brigade's tests with prove and print "N passed, N failed".
# usage: tests/run.sh BUILD-DIR [test files...]
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
shift 2>/dev/null || true
case $build in /*) ;; *) build=$top/$build ;; esac
export BRIGADE_BUILD="$build" BRIGADE_TOP="$top"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ $# -eq 0 ]; then
	set -- $(find "$build/tests" -maxdepth 1 -type f -perm -u+x | sort) $(ls "$top"/tests/t[0-9]*.sh | sort)
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
prove -v -j"${BRIGADE_JOBS:-2}" "$@" >"$log" 2>&1
status=$?
# Show failures and the summary, not every passing line.
grep -v -E '^(ok [0-9]+.*|# [^ ].*|#|ok|1\.\.[0-9]+|\s*)$' "$log" | tail -n 200
passed=$(grep -c -E '^ok [0-9]+' "$log")
failed=$(grep -c -E '^not ok [0-9]+' "$log")
skipped=$(grep -c -E '^ok [0-9]+.*# (skip|SKIP)' "$log")
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
	failed=1	# a script died without a "not ok" line: count it
fi
echo "$((passed - skipped)) passed, $failed failed, $skipped skipped"
exit $status
