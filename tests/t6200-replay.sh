#!/bin/sh
# t6200-replay - tools/uureplay.sh over the 1992 maps: nine historic hosts
# from uunet to ghg, each a Brigade node with its own route index, joined
# by PTY lines; the mail arrives with the Received: chain of the path and
# every relay's Log shows it chose the next hop by its own index.
. "$(dirname "$0")/lib.sh"

SHARED=${BRIGADE_SHARED:-$TOP/../shared}
test -d "$SHARED/uumap/1992" || test_skip_all "no map data at $SHARED/uumap (set BRIGADE_SHARED)"
[ -x "$BIN/uuline" ] && [ -x "$BIN/rmail" ] || test_skip_all "uuline or rmail not built"

PATHS="uunet mimsy rutgers bcm academ lobster uhnix1 splut ghg"

test_expect_success 'a replay across nine hosts delivers the mail' '
	"$TOP/tools/uureplay.sh" -b "$(dirname "$BIN")" -d "$TRASH/r" -m "$SHARED/uumap/1992" uunet ghg >out 2>err &&
	grep "^path: $PATHS\$" out &&
	grep "^== delivered over 8 hops\$" out
'

test_expect_success 'the Received: chain names every host, newest first' '
	set -- $PATHS && p=$1 && shift &&
	for h; do echo "from $p by $h"; p=$h; done | tac >expect &&
	grep "^Received: from " r/ghg/mail/user | sed "s/^Received: \(from [^ ]* by [^ ]*\).*/\1/" >actual &&
	test_cmp expect actual
'

test_expect_success 'each relay chose its next hop by its own index' '
	set -- $PATHS && h=$1 && shift &&
	for nh; do
		grep "to=ghg!user status=sent relay=$nh " "r/$h/Log" &&
		route=$("$BIN/uuroute" -i "r/$h/routes" ghg!x) &&
		test "${route%%!*}" = "$nh" || return 1
		h=$nh
	done
'

test_done
