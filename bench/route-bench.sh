#!/bin/sh
# route-bench.sh - time and peak memory for uuroute to parse and route each
# era of the maps, and route lookups per second through a compiled index.
# Not part of make check.  Usage: bench/route-bench.sh [build-dir]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
BIN=${1:-$TOP/build}/bin
SHARED=${BRIGADE_SHARED:-$TOP/../shared}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for era in 1988 1992; do
	cd "$SHARED/uumap/$era"
	/usr/bin/time -v "$BIN/uuroute" -c -l uunet [du].* >"$TMP/out" 2>"$TMP/time"
	printf "%s: %s rows, elapsed %s, peak RSS %s kB\n" "$era" "$(wc -l <"$TMP/out")" \
	    "$(sed -n 's/.*Elapsed (wall clock) time.*: //p' "$TMP/time")" \
	    "$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$TMP/time")"
	"$BIN/uuroute" -l uunet -o "$TMP/idx.$era" [du].*
	cut -f2 "$TMP/out" | awk '{ print "joe@" $0 }' >"$TMP/addr"
	n=$(wc -l <"$TMP/addr")
	start=$(date +%s%N)
	xargs "$BIN/uuroute" -i "$TMP/idx.$era" <"$TMP/addr" >/dev/null 2>&1 || true
	end=$(date +%s%N)
	echo "$era: $n lookups (with index loads per xargs batch) in $(( (end - start) / 1000000 )) ms," \
	    "$(( n * 1000000000 / (end - start + 1) )) lookups/s"
done
