#!/bin/sh
# t6050-rmail-route - rmail with a "route-index" (written by uuroute -o):
# a first hop that is not a neighbour, user@host.uucp for a far host and
# a domain are routed by the index; what it does not know still goes to
# the smarthost or bounces; a damaged index is not used.
. "$(dirname "$0")/lib.sh"
[ -x "$BIN/rmail" ] || test_skip_all "rmail not built"

mkdir beta
printf 'nodename beta\nmail-user alice\nroute-index routes\n' >beta/config
printf 'alpha Any TCP 5400 127.0.0.1\ngamma Any TCP 5401 127.0.0.1\n' >beta/Systems
export BRIGADE_CONFIG="$TRASH/beta/config"
unset UU_MACHINE UU_USER

cat >net.map <<'MAP'
beta	alpha(DIRECT), gamma(HOURLY)
alpha	far(DIRECT), gamma(DIRECT)
far	farther(DEMAND)
gamma	.example.org(LOCAL), far(DAILY)
gamma = gamma.uucp
MAP

printf '%s\n' "From mark Mon Jan  2 15:04:05 2006 remote from alpha" "Subject: hi" "" "body" >msg

# expect_code N command... - command exits with status N
expect_code() {
	_want=$1; shift
	"$@"; _got=$?
	[ "$_got" -eq "$_want" ] || { echo "exit $_got, wanted $_want: $*" >&2; return 1; }
}

# spooled SYS - the data files queued for SYS, as text
spooled() {
	cat "$TRASH"/beta/spool/"$1"/D./* 2>/dev/null
}

test_expect_success 'uuroute -l beta -o writes the index' '
	"$BIN/uuroute" -l beta -o beta/routes net.map &&
	test -s beta/routes &&
	test "$("$BIN/uuroute" -i beta/routes farther!carol)" = "alpha!far!farther!carol"
'

test_expect_success 'a far first hop, a far user@host.uucp and a domain are routed' '
	rmail "farther!carol" "dave@far.uucp" "erin@www.example.org" <msg &&
	spooled alpha >a.files &&
	grep "^C rmail far!farther!carol far!dave gamma!www.example.org!erin\$" a.files &&
	test -z "$(spooled gamma)" &&
	grep -E "to=farther!carol status=sent relay=alpha job=" beta/Log
'

test_expect_success 'route-hop-by-hop: the next hop gets the address as it came' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	echo "route-hop-by-hop yes" >>beta/config &&
	rmail "farther!carol" "dave@far.uucp" <msg &&
	spooled alpha | grep "^C rmail farther!carol far!dave\$" &&
	sed -i "/^route-hop-by-hop/d" beta/config
'

test_expect_success 'a neighbour first hop is not looked up' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	rmail "gamma!far!x" <msg &&
	spooled gamma | grep "^C rmail far!x\$" &&
	test -z "$(spooled alpha)"
'

test_expect_success 'a host the index does not know bounces without a smarthost' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	expect_code 68 rmail "nowhere!user" <msg &&
	spooled alpha | grep "no route to host"
'

test_expect_success 'and goes to the smarthost with one' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	echo "smarthost gamma" >>beta/config &&
	rmail "nowhere!user" "farther!z" <msg &&
	spooled gamma | grep "^C rmail nowhere!user\$" &&
	spooled alpha | grep "^C rmail far!farther!z\$"
'

test_expect_success 'a damaged index is not used: a warning, then the smarthost' '
	rm -rf beta/spool/alpha beta/spool/gamma &&
	head -c 40 beta/routes >beta/routes.bad && mv beta/routes.bad beta/routes &&
	rmail "farther!z" <msg &&
	spooled gamma | grep "^C rmail farther!z\$" &&
	grep "route-index .*not used" beta/Log
'

test_done
