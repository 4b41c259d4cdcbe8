#!/bin/sh
# demo.sh - Brigade's demo: two nodes, alpha and beta, joined by a PTY
# line in a temporary directory.  Each queues a file for the other; alpha
# calls beta, logs in, and one call moves both files (and fetches a third)
# over the g protocol.  No root, no network.
# usage: tests/demo.sh [BUILD-DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
bin=$build/bin
dir=$(mktemp -d "${TMPDIR:-/tmp}/brigade-demo.XXXXXX")
linepid=
cleanup() {
	[ -n "$linepid" ] && kill "$linepid" 2>/dev/null
	wait 2>/dev/null
	[ -n "${BRIGADE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM
cd "$dir"

# A line: two PTYs joined by uuline, like a null-modem cable.
"$bin/uuline" -a line.alpha -b line.beta >uuline.out 2>uuline.err &
linepid=$!
n=0
until grep -q ready uuline.out 2>/dev/null; do
	n=$((n + 1)); [ $n -lt 100 ] || { echo "uuline did not start" >&2; exit 1; }
	sleep 0.1
done

# node NAME PEER: a node directory with its config and HDB files.
node() {
	mkdir -p "$1/pub"
	cat >"$1/config" <<EOC
nodename $1
spool spool
pubdir pub
logfile Log
protocol-parameter g window 3
protocol-parameter g packet-size 64
EOC
	cat >"$1/Permissions" <<EOC
LOGNAME=$2 MACHINE=$2 READ=$dir/$1/pub WRITE=$dir/$1/pub REQUEST=yes SENDFILES=yes
EOC
	echo "$2 secret-$2" >"$1/passwd"
}
node alpha beta
node beta alpha
# alpha calls beta over its end of the line and logs in as "alpha".
printf '%s\n' 'beta Any Direct 38400 - "" \r ogin: alpha ssword: secret-alpha' >alpha/Systems
echo "Direct $dir/line.alpha - 38400 direct" >alpha/Devices
echo 'alpha Never Direct 38400 -' >beta/Systems

printf 'Mail moves the way buckets move down a fire brigade.\n' >note-for-beta
head -c 20000 /dev/urandom >binary-for-alpha
printf 'A file in beta'"'"'s public directory.\n' >beta/pub/fetch-me
"$bin/uucp" -I alpha/config -r note-for-beta 'beta!~/note-from-alpha'
"$bin/uucp" -I alpha/config -r 'beta!~/fetch-me' '~/fetched-from-beta'
"$bin/uucp" -I beta/config -r binary-for-alpha 'alpha!~/binary-from-beta'
echo "== queued on alpha"; "$bin/uustat" -I alpha/config -a
echo "== queued on beta"; "$bin/uustat" -I beta/config -a

# beta answers on its end of the line like a getty; alpha calls.
"$bin/uucico" -I beta/config -l <line.beta >line.beta 2>beta.err &
callee=$!
"$bin/uucico" -I alpha/config -S beta
wait $callee
echo "== alpha's log"; cat alpha/Log
echo "== beta's log"; cat beta/Log
echo "== beta received:"; cat beta/pub/note-from-alpha
echo "== alpha fetched:"; cat alpha/pub/fetched-from-beta
cmp binary-for-alpha alpha/pub/binary-from-beta && echo "== alpha received 20000 random bytes intact"
