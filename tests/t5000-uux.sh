#!/bin/sh
# t5000-uux.sh - uux through the real program: the forms MTAs use
# (Postfix's "uux -r -n -z -a$sender - $nexthop!rmail ($recipient)",
# Exim's "uux - -r -a$g -gC $h!rmail ($u)"), -p, -j, parenthesised
# arguments, several recipients, file arguments, a local execution and
# the refusals, each checked by what uustat -a lists and by the bytes of
# the data and X. files in the spool.  Nothing is sent anywhere.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
[ -x "$BIN/uux" ] || test_skip_all "uux not built"

brigade_node alpha
echo "beta Any Direct 115200 -" >>"$TRASH/alpha/Systems"
CONF=$TRASH/alpha/config
SP=$TRASH/alpha/spool
uux_a() { "$BIN/uux" -I "$CONF" "$@"; }

# block ID - the job's lines in uustat -a (header line first)
block() {
	brigade_jobs alpha | awk -v id="$1" '$1 == id { p = 1; print; next } /^[^\t]/ { p = 0 } p'
}

# xtext ID - the X. file the job sends (its text, from the spool)
xtext() {
	_d=$(block "$1" | awk '/-> beta!X\./ { print $2 }')
	[ -n "$_d" ] && cat "$SP/beta/D./$_d"
}

# dfile ID N - the spool path of the job's Nth data file (not the X.)
dfile() {
	_d=$(block "$1" | awk '/-> beta!D\./ { print $2 }' | sed -n "${2}p")
	[ -n "$_d" ] && echo "$SP/beta/D./$_d"
}

# files_in DIR - how many files DIR holds
files_in() {
	find "$1" -type f 2>/dev/null | wc -l
}

make_allbytes body
printf '%s\n' "From: s@alpha" "Subject: x" "" "text" >small

test_expect_success 'Postfix form: -r -n -z -a$sender - sys!rmail ($recipient)' '
	uux_a -j -r -n -z -asender@alpha.example - "beta!rmail" "(gamma!user)" <body >id &&
	test $(wc -l <id) -eq 1 && id=$(cat id) &&
	block "$id" >blk &&
	head -n 1 blk | grep "^$id beta $(id -un) N " &&
	test $(wc -l <blk) -eq 3 &&
	same_file body "$(dfile "$id" 1)" &&
	d=$(basename "$(dfile "$id" 1)") &&
	xtext "$id" >x &&
	grep -x "U $(id -un) alpha" x &&
	grep -x "F $d" x && grep -x "I $d" x &&
	grep -x "R sender@alpha.example" x &&
	grep -x "C rmail gamma!user" x &&
	test $(grep -c "^[NZn]\$" x) -eq 1 && ! grep -x n x &&
	! grep "^[eQ]" x
'

test_expect_success 'Exim form: - -r -a$g -gC $h!rmail ($u): grade C' '
	uux_a -j - -r -ag@alpha -gC "beta!rmail" "(u@host.uucp)" <small >id &&
	id=$(cat id) &&
	block "$id" | head -n 1 | grep "^$id beta .* C " &&
	same_file small "$(dfile "$id" 1)" &&
	xtext "$id" >x &&
	grep -x "R g@alpha" x && grep -x "C rmail u@host.uucp" x &&
	ls "$SP/beta/D./" | grep -q "^D\.alphaC"
'

test_expect_success '-p is -; -j prints only the id, the id uustat shows' '
	uux_a -r -p -j "beta!rmail (a)" <small >id &&
	grep -E -x "[0-9a-f-]{36}" id &&
	same_file small "$(dfile "$(cat id)" 1)"
'

test_expect_success 'several recipients, blanks and metacharacters in ( )' '
	uux_a -r -j - "beta!rmail (one) (two words) (a;b|c&d\$(e)\`f\`)" two "(\\x)" <small >id &&
	xtext "$(cat id)" >x &&
	head -n 1 x | grep -x Q &&
	grep -x "C rmail one two\\\\040words a;b|c&d\$(e)\`f\` two \\\\\\\\x" x
'

test_expect_success 'no - : no standard input, no I line' '
	uux_a -r -j "beta!rmail (nobody)" </dev/null >id &&
	xtext "$(cat id)" >x &&
	! grep "^I " x && grep -x "C rmail nobody" x &&
	test $(block "$(cat id)" | wc -l) -eq 2
'

test_expect_success '!file is sent along under its name; beta!path is passed as is' '
	printf "file data\n" >f1 &&
	uux_a -r -j "beta!cat !$TRASH/f1 beta!/etc/motd (x)" </dev/null >id &&
	same_file f1 "$(dfile "$(cat id)" 1)" &&
	d=$(basename "$(dfile "$(cat id)" 1)") &&
	xtext "$(cat id)" >x &&
	grep -x "F $d f1" x &&
	grep -x "C cat f1 /etc/motd x" x
'

test_expect_success 'a local command goes to our own execution queue' '
	uux_a -r - "!rmail (me)" <small &&
	ls "$SP/alpha/in" >in &&
	test $(grep -c "^X\." in) -eq 1 && test $(grep -c "^D\." in) -eq 1 &&
	grep -x "C rmail me" "$SP/alpha/in/$(grep "^X\." in)" &&
	same_file small "$SP/alpha/in/$(grep "^D\." in)"
'

test_expect_success 'refusals queue nothing: exit 64 for forms, 73 for a missing file' '
	before=$(files_in "$SP") &&
	for form in "beta!cat gamma!/etc/passwd" "beta!cat <f1" "beta!rmail (open" \
			"beta!/bin/sh" "../x!rmail" "beta!rmail >out"; do
		uux_a -r "$form" </dev/null 2>err; rc=$?
		test $rc -eq 64 || { echo "$form: exit $rc"; exit 1; }
		test -s err || { echo "$form: no message"; exit 1; }
	done &&
	uux_a -r -q "beta!rmail (x)" </dev/null; test $? -eq 64 &&
	uux_a -r; test $? -eq 64 &&
	uux_a -r - "beta!cat !$TRASH/nofile" <small; test $? -eq 73 &&
	test $(files_in "$SP") -eq "$before" &&
	test $(files_in "$SP/beta/D.") -eq $(( $(brigade_jobs alpha | grep -c "	S ") ))
'

test_expect_success 'every job is listed by uustat with all its files present' '
	brigade_jobs alpha >all &&
	test $(grep -c "^[0-9a-f-]\{36\} beta " all) -eq 6 &&
	for d in $(awk "/	S / { print \$2 }" all); do
		test -f "$SP/beta/D./$d" || { echo "missing $d"; exit 1; }
	done
'

test_expect_success 'a system not in Systems is refused, nothing queued' '
	before=$(files_in "$SP") &&
	test_must_fail uux_a -r - "zeta!rmail (u)" <small 2>err &&
	cat err && test -s err &&
	test $(files_in "$SP") -eq "$before" && test ! -d "$SP/zeta"
'

test_done
