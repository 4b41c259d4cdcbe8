#!/bin/sh
# demo.sh - Brigade's demo: three nodes, alpha, beta and gamma, in a
# temporary directory, joined alpha-beta and beta-gamma by PTY lines (like
# null-modem cables).  A mail written on alpha for beta!gamma!user goes
# hop by hop: alpha's rmail queues it for beta, alpha calls beta (logging
# in), beta's uuxqt runs rmail, which queues it for gamma, beta calls
# gamma, and gamma's rmail puts it in user's mailbox.  Prints the
# delivered message (its Received: chain names each hop) and each call's
# log line.  No root, no network.
# usage: tests/demo.sh [BUILD-DIR]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$top/$build ;; esac
bin=$build/bin
dir=$(mktemp -d "${TMPDIR:-/tmp}/brigade-demo.XXXXXX")
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	[ -n "${BRIGADE_KEEP:-}" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM
cd "$dir"

# line NAME A B: two PTYs joined by uuline, $dir/NAME.A and $dir/NAME.B
line() {
	"$bin/uuline" -a "$1.$2" -b "$1.$3" >"$1.out" 2>"$1.err" &
	pids="$pids $!"
	n=0
	until grep -q ready "$1.out" 2>/dev/null; do
		n=$((n + 1)); [ $n -lt 100 ] || { echo "uuline did not start" >&2; exit 1; }
		sleep 0.1
	done
}

# node NAME: a node directory with its config; mail goes to NAME/mail
node() {
	mkdir -p "$1/pub"
	printf '%s\n' "nodename $1" "spool spool" "pubdir pub" "logfile Log" \
		"maildir mail" >"$1/config"
	: >"$1/Systems"; : >"$1/Devices"; : >"$1/Permissions"; : >"$1/passwd"
}

# link CALLER CALLEE LINE: CALLER calls CALLEE on LINE, logging in as
# CALLER; the callee runs rmail for it (the default COMMANDS)
link() {
	printf '%s\n' "$2 Any Direct 38400 - \"\" \\r ogin: $1 ssword: secret-$1" >>"$1/Systems"
	echo "Direct $dir/$3.$1 - 38400 direct" >>"$1/Devices"
	echo "$1 Never Direct 38400 -" >>"$2/Systems"
	echo "$1 secret-$1" >>"$2/passwd"
	echo "LOGNAME=$1 MACHINE=$1" >>"$2/Permissions"
	echo "LOGNAME=$2 MACHINE=$2" >>"$1/Permissions"
}

# call CALLER CALLEE LINE: one call; the callee answers like a getty and
# starts its uuxqt when the call brought executions
call() {
	"$bin/uucico" -I "$2/config" -l <"$3.$2" >"$3.$2" 2>"$2.err" &
	callee=$!
	"$bin/uucico" -I "$1/config" -S "$2"
	wait $callee
}

# wait_for WHAT FILE-TEST...: poll up to 10 s
wait_for() {
	what=$1; shift
	n=0
	until "$@"; do
		n=$((n + 1)); [ $n -lt 100 ] || { echo "demo: $what did not happen" >&2; exit 1; }
		sleep 0.1
	done
}
has_job() { [ -n "$(ls "$1/spool/$2/C." 2>/dev/null)" ]; }

node alpha; node beta; node gamma
echo "mail-user user" >>gamma/config
line ab alpha beta; line bg beta gamma
link alpha beta ab; link beta gamma bg

echo "== alpha: mail for beta!gamma!user"
printf '%s\n' "From: ian@alpha" "To: beta!gamma!user" "Subject: down the line" "" \
	"Mail moves the way buckets move down a fire brigade." |
	"$bin/rmail" -I alpha/config 'beta!gamma!user'
"$bin/uustat" -I alpha/config -a

echo "== alpha calls beta"
call alpha beta ab
wait_for "beta's rmail forwarding to gamma" has_job beta gamma
"$bin/uustat" -I beta/config -a

echo "== beta calls gamma"
call beta gamma bg
wait_for "delivery on gamma" test -s gamma/mail/user

echo "== each call, as its log tells it"
for n in alpha beta gamma; do grep -a -h ' call sys=' "$n/Log" | sed "s/^/$n: /"; done
echo "== the executions"
for n in beta gamma; do grep -a -h 'uuxqt.*executed' "$n/Log" | sed "s/^/$n: /"; done
echo "== gamma's mailbox for user"
cat gamma/mail/user
