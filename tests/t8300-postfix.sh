#!/bin/sh
# t8300-postfix.sh - a real Postfix in front of the gateway: mail for
# the UUCP world that swaks hands to Postfix is relayed over SMTP to
# uusmtpd and becomes an rmail job for the right neighbour, with both
# Received: lines; Postfix's own relay test (an Internet address through
# the gateway) is refused by uusmtpd and bounced by Postfix.
. "$(dirname "$0")/lib-smtp.sh"
command -v postfix >/dev/null 2>&1 || test_skip_all 'postfix is not installed'
command -v swaks >/dev/null 2>&1 || test_skip_all 'swaks is not installed'
[ "$(id -u)" = 0 ] || test_skip_all 'a private Postfix needs root'

gw_node gw beta delta
gw_start gw || exit 1
gwport=$(gw_port gw)
pf_start "relay_domains = uucp, gw.example" \
	"transport_maps = inline:{ uucp=smtp:[127.0.0.1]:$gwport, .uucp=smtp:[127.0.0.1]:$gwport, gw.example=smtp:[127.0.0.1]:$gwport }" \
	"parent_domain_matches_subdomains = relay_domains" \
	"smtp_tls_security_level = none" || { echo "Bail out! postfix did not start"; exit 1; }

test_expect_success 'swaks -> Postfix -> uusmtpd: an rmail job for beta' '
	swaks --server 127.0.0.1 --port $PF_PORT --from a@example.org --to ian@beta.uucp \
		--header "Subject: through postfix" --body "hello over UUCP" >s.out 2>&1 &&
	grep -q "^<- *250 2.0.0" s.out &&
	wait_for_line gw/Log "sys=beta job=.*queued rmail" 20 &&
	grep -h "^C rmail" gw/spool/beta/D./* | grep -qx "C rmail ian"
'

test_expect_success 'the job holds both Received: lines and the body' '
	f=$(grep -l "hello over UUCP" gw/spool/beta/D./*) &&
	grep -q "^Received: from sink.example (\[127.0.0.1\])" "$f" &&
	grep -q "by sink.example (Postfix)" "$f" && grep -q "^Subject: through postfix" "$f"
'

test_expect_success 'two recipients at delta from Postfix share one job' '
	swaks --server 127.0.0.1 --port $PF_PORT --from a@example.org \
		--to "x@delta.uucp,y@delta.uucp" --body "two" >s.out 2>&1 &&
	wait_for_line gw/Log "sys=delta job=" 20 &&
	test "$(gw_jobs gw delta)" = 1 &&
	grep -h "^C rmail" gw/spool/delta/D./* | grep -qx "C rmail x y"
'

test_expect_success 'an address the gateway refuses comes back from Postfix as a bounce' '
	swaks --server 127.0.0.1 --port $PF_PORT --from bounce-me@sink.example \
		--to "user%other.example@gw.example" --body "relay attempt" >s.out 2>&1 &&
	wait_for_line pf/maillog "status=bounced.*550 5.7.1" 20 &&
	! grep -rl "relay attempt" gw/spool/beta gw/spool/delta 2>/dev/null | grep -q .
'

test_done
