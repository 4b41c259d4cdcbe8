#!/bin/sh
# t8100-relay-battery.sh - the classic open-relay battery against the
# gateway from an untrusted (loopback) client with swaks: nothing that
# leaves the UUCP world is accepted; with SMTP AUTH only the right
# password opens relaying; a trusted network relays, but never through
# '%' or '!' in a local part.
. "$(dirname "$0")/lib-smtp.sh"
command -v swaks >/dev/null 2>&1 || test_skip_all 'swaks is not installed'

gw_node gw beta
echo "smtp-passwd smtp-passwd" >>gw/config
echo "ann:right-horse-battery" >gw/smtp-passwd
chmod 600 gw/smtp-passwd
gw_start gw || exit 1
port=$(gw_port gw)

# rcpt_denied FROM TO - swaks gets 550 for the recipient
rcpt_denied() {
	swaks --server 127.0.0.1 --port $port --from "$1" --to "$2" --quit-after RCPT \
		--helo battery.example </dev/null >s.out 2>&1
	rc=$?
	cat s.out
	[ $rc = 24 ] && grep -q "^<\*\* *550 5.7.1" s.out
}

# rcpt_ok FROM TO [swaks args] - the recipient is accepted
rcpt_ok() {
	_f=$1 _t=$2; shift 2
	swaks --server 127.0.0.1 --port $port --from "$_f" --to "$_t" --quit-after RCPT "$@" \
		--helo battery.example </dev/null >s.out 2>&1
	rc=$?
	cat s.out
	[ $rc = 0 ] && grep -q "^<- *250 2.1.5" s.out
}

test_expect_success 'control: mail into the UUCP world is accepted' '
	rcpt_ok a@example.org "beta!user@gw" && rcpt_ok a@example.org "user@beta.uucp" &&
	rcpt_ok a@example.org "postmaster@gw.example" && rcpt_ok "<>" "user@BETA.UUCP"
'

while read -r from to; do
	[ "$from" = "-" ] && from="<>"
	test_expect_success "relay denied: <$from> to <$to>" "rcpt_denied '$from' '$to'"
done <<'EOF2'
a@example.org user@other.example
a@example.org "user@other.example"@gw
a@example.org "user@other.example"@gw.example
a@example.org user%other.example@gw
a@example.org user%other.example@gw.example
a@example.org other.example!user@gw
a@example.org other.example!user@gw.example
a@example.org @gw:user@other.example
a@example.org @gw.example,@gw:user@other.example
a@example.org user@[192.0.2.1]
a@example.org user@[127.0.0.1]
a@example.org "user@[192.0.2.1]"@gw
a@example.org user@other.example.
a@example.org user%other.example.@gw
a@example.org user@other.example@gw
a@example.org USER@Other.EXAMPLE
a@example.org UsEr%oThEr.ExAmPlE@GW.EXAMPLE
a@example.org beta!user@other.example
a@example.org unknownhost!user@gw
a@example.org user@unknownhost.uucp
- user@other.example
- user%other.example@gw
user@gw.example user@other.example
postmaster@gw user%other.example@gw
EOF2

test_expect_success 'AUTH with the wrong password fails and relaying stays denied' '
	swaks --server 127.0.0.1 --port $port --from a@example.org --to user@other.example \
		-a PLAIN --auth-user ann --auth-password wrong --quit-after RCPT >s.out 2>&1;
	cat s.out && grep -q "^<\*\* *535 5.7.8" s.out &&
	printf "EHLO x\nAUTH PLAIN AGFubgB3cm9uZw==\nMAIL FROM:<a@example.org>\nRCPT TO:<user@other.example>\nQUIT\n" |
		crlf | "$HELPERS/smtpc" 127.0.0.1 $port >raw.out &&
	grep -q "^535 " raw.out && grep -q "^550 5.7.1" raw.out
'

test_expect_success 'AUTH LOGIN with the wrong user fails' '
	swaks --server 127.0.0.1 --port $port --from a@example.org --to user@other.example \
		-a LOGIN --auth-user bob --auth-password right-horse-battery --quit-after RCPT >s.out 2>&1;
	grep -q "^<\*\* *535" s.out
'

test_expect_success 'AUTH PLAIN and LOGIN with the right password relay to the Internet' '
	rcpt_ok a@example.org user@other.example -a PLAIN --auth-user ann \
		--auth-password right-horse-battery &&
	rcpt_ok a@example.org user@other.example -a LOGIN --auth-user ann \
		--auth-password right-horse-battery
'

test_expect_success 'even authenticated, % and ! in a local part do not reach the Internet' '
	swaks --server 127.0.0.1 --port $port --from a@example.org --to user%other.example@gw \
		-a PLAIN --auth-user ann --auth-password right-horse-battery --quit-after RCPT >s.out 2>&1;
	grep -q "^<\*\* *550 5.7.1" s.out
'

test_expect_success 'an authenticated message is queued for rmail on the gateway itself' '
	swaks --server 127.0.0.1 --port $port --from a@example.org --to user@other.example \
		-a PLAIN --auth-user ann --auth-password right-horse-battery --body "authed" >s.out 2>&1 &&
	grep -q "^<- *250 2.0.0" s.out &&
	grep -h "^C rmail" gw/spool/gw/in/X.* | grep -qx "C rmail user@other.example"
'

test_expect_success 'nothing was queued for a denied recipient' '
	! grep -rl "other.example" gw/spool/beta 2>/dev/null | grep -q . &&
	test "$(gw_local_jobs gw)" = 1
'

test_expect_success 'a trusted network relays, still not through %' '
	gw_stop gw && echo "smtp-trust 127.0.0.0/8" >>gw/config && gw_start gw &&
	port=$(gw_port gw) &&
	rcpt_ok a@example.org user@other.example &&
	rcpt_denied a@example.org "user%other.example@gw"
'

test_done
