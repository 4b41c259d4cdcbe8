#!/bin/sh
# uureplay.sh - bring a piece of the historic UUCP network back to life:
# take the map route from host FROM to host TO, make a Brigade node for
# every host on it (its name, Systems entries for its neighbours on the
# path, its own route index built from the maps as seen from it), join
# consecutive nodes with PTY lines through uuline, and send a mail from
# FROM to TO!USER.  Every node routes with "route-hop-by-hop yes", so each
# relay chooses the next hop itself by its own index; the script checks
# that the mail arrives with a Received: chain naming every host in order.
#
# usage: tools/uureplay.sh [-b BUILD] [-d DIR] [-u USER] -m MAPDIR FROM TO
#   -m MAPDIR  directory of map files ([du].* are read, in C order)
#   -b BUILD   build directory (default build)
#   -d DIR     work here (kept) instead of a temporary directory (removed)
#   -u USER    the recipient at TO (default user)
# Exit 0 when the mail arrived as expected.  The maps are only read:
# host names are used as node names only if they are safe system names.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=build bset= dir= user=user maps= maxhops=30
while getopts b:d:u:m: o; do
	case $o in
	b) build=$OPTARG bset=1 ;; d) dir=$OPTARG ;; u) user=$OPTARG ;; m) maps=$OPTARG ;;
	*) echo "usage: uureplay.sh [-b BUILD] [-d DIR] [-u USER] -m MAPDIR FROM TO" >&2; exit 64 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] && [ -n "$maps" ] || { echo "usage: uureplay.sh [-b BUILD] [-d DIR] [-u USER] -m MAPDIR FROM TO" >&2; exit 64; }
from=$1 to=$2
case $build in /*) ;; *) build=$top/$build ;; esac
case $maps in /*) ;; *) maps=$(pwd)/$maps ;; esac
bin=$build/bin
sbin=$bin
# installed as PREFIX/bin/uureplay: the programs are beside it, uucico in PREFIX/sbin
if [ -z "$bset" ] && [ ! -x "$bin/uuroute" ]; then
	bin=$(cd "$(dirname "$0")" && pwd) sbin=$(cd "$(dirname "$0")/.." && pwd)/sbin
fi
keep=
if [ -n "$dir" ]; then mkdir -p "$dir"; keep=1; else dir=$(mktemp -d "${TMPDIR:-/tmp}/uureplay.XXXXXX"); fi
dir=$(cd "$dir" && pwd)
pids=
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null || :; done
	wait 2>/dev/null || :
	[ -n "$keep" ] || rm -rf "$dir"
}
trap cleanup EXIT INT TERM
cd "$dir"
mapfiles=$(cd "$maps" && LC_ALL=C ls -d [du].* | sed "s|^|$maps/|")

die() { echo "uureplay: $*" >&2; exit 1; }
safe() { printf '%s\n' "$1" | grep -Eq '^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$'; }

# routes HOST: HOST's route index, from the maps as seen from HOST
routes() {
	mkdir -p "$1"
	# shellcheck disable=SC2086
	"$bin/uuroute" -l "$1" -o "$1/routes" $mapfiles
}

# the path: each host asks its own index for the way to TO
safe "$from" && safe "$to" || die "$from or $to is not a usable system name"
path=$from h=$from n=0
while [ "$h" != "$to" ]; do
	routes "$h" || die "no route index for $h"
	r=$("$bin/uuroute" -i "$h/routes" "$to!$user") || die "$h has no route to $to"
	nh=${r%%!*}
	safe "$nh" || die "$h routes to $to by $r: $nh is not a usable system name"
	case " $path " in *" $nh "*) die "routing loop at $nh: $path" ;; esac
	echo "$h: $to!$user -> $r"
	path="$path $nh" h=$nh n=$((n + 1))
	[ $n -lt $maxhops ] || die "more than $maxhops hops"
done
echo "path: $path"

# line NAME A B: two PTYs joined by uuline, $dir/NAME.A and $dir/NAME.B
line() {
	"$bin/uuline" -a "$1.$2" -b "$1.$3" >"$1.out" 2>"$1.err" &
	pids="$pids $!"
	i=0
	until grep -q ready "$1.out" 2>/dev/null; do
		i=$((i + 1)); [ $i -lt 100 ] || die "uuline did not start"
		sleep 0.1
	done
}

# node NAME: the node's config (its index is already in NAME/routes)
node() {
	mkdir -p "$1/pub"
	printf '%s\n' "nodename $1" "spool spool" "pubdir pub" "logfile Log" \
		"maildir mail" "route-index routes" "route-hop-by-hop yes" >"$1/config"
	: >"$1/Systems"; : >"$1/Devices"; : >"$1/Permissions"; : >"$1/passwd"
}

# link CALLER CALLEE LINE: CALLER calls CALLEE on LINE
link() {
	printf '%s\n' "$2 Any Direct 38400 - \"\" \\r ogin: $1 ssword: secret-$1" >>"$1/Systems"
	echo "Direct $dir/$3.$1 - 38400 direct" >>"$1/Devices"
	echo "$1 Never Direct 38400 -" >>"$2/Systems"
	echo "$1 secret-$1" >>"$2/passwd"
	echo "LOGNAME=$1 MACHINE=$1" >>"$2/Permissions"
	echo "LOGNAME=$2 MACHINE=$2" >>"$1/Permissions"
}

# call CALLER CALLEE LINE: one call; the callee answers like a getty
call() {
	"$sbin/uucico" -I "$2/config" -l <"$3.$2" >"$3.$2" 2>"$2.err" &
	callee=$!
	"$sbin/uucico" -I "$1/config" -S "$2" || die "$1 could not call $2"
	wait $callee || die "$2 failed answering $1"
}

# wait_for WHAT TEST...: poll up to 20 s
wait_for() {
	what=$1; shift
	i=0
	until "$@"; do
		i=$((i + 1)); [ $i -lt 200 ] || die "$what did not happen"
		sleep 0.1
	done
}
has_job() { [ -n "$(ls "$1/spool/$2/C." 2>/dev/null)" ]; }

routes "$to"
prev= k=0
for h in $path; do
	node "$h"
	if [ -n "$prev" ]; then
		k=$((k + 1)); line "l$k" "$prev" "$h"; link "$prev" "$h" "l$k"
	fi
	prev=$h
done
echo "mail-user $user" >>"$to/config"

printf '%s\n' "From: replay@$from" "To: $to!$user" "Subject: replay $from to $to" "" \
	"Sent over the maps of the UUCP Mapping Project, one hop at a time." |
	"$bin/rmail" -I "$from/config" "$to!$user" || die "rmail on $from failed"

prev= k=0
for h in $path; do
	if [ -n "$prev" ]; then
		k=$((k + 1))
		wait_for "$prev's rmail queueing for $h" has_job "$prev" "$h"
		call "$prev" "$h" "l$k"
	fi
	prev=$h
done
wait_for "delivery on $to" test -s "$to/mail/$user"

echo "== each hop's choice, from its Log"
for h in $path; do
	grep -a -h "to=$to!$user status=sent" "$h/Log" 2>/dev/null | sed "s/^[^ ]* [^ ]* [^ ]* /$h: /" || :
done
echo "== $to's mailbox for $user"
cat "$to/mail/$user"

# the Received: chain, newest first, must name the path backwards
want=$(set -- $path; p=$1; shift; for h; do echo "from $p by $h"; p=$h; done | tac)
got=$(grep -a '^Received: from ' "$to/mail/$user" | sed 's/^Received: \(from [^ ]* by [^ ]*\).*/\1/')
[ "$got" = "$want" ] || die "Received: chain differs: got
$got
wanted
$want"
echo "== delivered over $k hops"
