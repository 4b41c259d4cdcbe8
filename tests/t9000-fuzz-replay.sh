#!/bin/sh
# t9000-fuzz-replay.sh - every fuzz target, built with the replay driver
# (under the sanitizers in make check), runs its seed corpus and a few
# thousand mutated inputs without a crash or a sanitizer report.  The long
# campaigns are "make fuzz" (libFuzzer).
. "$(dirname "$0")/lib.sh"

targets=$(ls "$BUILD"/fuzz/fuzz_* 2>/dev/null)
[ -n "$targets" ] || test_skip_all "no fuzz targets built in $BUILD/fuzz"
for t in $targets; do
	n=$(basename "$t")
	test_expect_success "$n survives its corpus and 3000 mutated inputs" '
		"$t" -n 3000 -s 7 "$TOP/tests/fuzz/corpus/$n" >out 2>err &&
		grep -q "^ok " out
	'
done
test_done
