#!/bin/sh
# t0100-install - make install into a scratch DESTDIR: every program that
# was built lands in bin/ (uucico in sbin/), uureplay and the rsmtp,
# rcsmtp and rbsmtp links are there, every manual page in docs/man is
# installed in its section, every installed program has a page, and the
# installed uureplay delivers over two hops (when the maps are there).  A
# new program without an install line or a page fails here.
. "$(dirname "$0")/lib.sh"

command -v make >/dev/null || test_skip_all "no make"
[ -x "$BIN/uucico" ] || test_skip_all "nothing built in $BIN"

D=$TRASH/inst
PFX=/usr/local
MAN=$D$PFX/share/man

# "-o all": install what is built; never rebuild (this may be a sanitizer
# build, made with flags this make does not know)
test_expect_success 'make install into a DESTDIR' '
	make -s -C "$TOP" -o all O="$BUILD" DESTDIR="$D" PREFIX="$PFX" SYSCONFDIR=/etc install >out 2>&1 ||
	{ cat out; false; }
'

test_expect_success 'every built program is installed, uucico in sbin' '
	test -x "$D$PFX/sbin/uucico" && test ! -e "$D$PFX/bin/uucico" &&
	for p in "$BIN"/*; do
		n=${p##*/}
		[ "$n" = uucico ] && continue
		test -x "$D$PFX/bin/$n" || { echo "not installed: $n"; return 1; }
		cmp -s "$p" "$D$PFX/bin/$n" || { echo "differs: $n"; return 1; }
	done
'


test_expect_success 'uureplay is installed and runs' '
	test -x "$D$PFX/bin/uureplay" &&
	cmp "$TOP/tools/uureplay.sh" "$D$PFX/bin/uureplay" &&
	{ "$D$PFX/bin/uureplay" 2>err; test $? = 64; } &&
	grep -q "^usage: uureplay" err
'

test_expect_success 'rsmtp, rcsmtp and rbsmtp are links to rgsmtp, named as called' '
	for n in rsmtp rcsmtp rbsmtp; do
		test -L "$D$PFX/bin/$n" && test "$(readlink "$D$PFX/bin/$n")" = rgsmtp &&
		test_must_fail "$D$PFX/bin/$n" -Z 2>err &&
		grep -q "^usage: $n " err || { echo "bad: $n"; cat err; return 1; }
	done
'

test_expect_success 'every page in docs/man is installed in its section' '
	n=0 &&
	for m in "$TOP"/docs/man/*.[0-9]; do
		s=${m##*.} && b=${m##*/} &&
		cmp "$m" "$MAN/man$s/$b" || { echo "not installed: $b"; return 1; }
		n=$((n + 1))
	done &&
	test "$n" -ge 20
'

test_expect_success 'every installed program has a page' '
	for p in "$D$PFX"/bin/* "$D$PFX"/sbin/*; do
		n=${p##*/}
		ls "$MAN"/man[158]/"$n".[158] >/dev/null 2>&1 || { echo "no page: $n"; return 1; }
	done
'

test_expect_success 'the pages of the rsmtp names lead to rgsmtp(8)' '
	for n in rsmtp rcsmtp rbsmtp; do
		test "$(readlink "$MAN/man8/$n.8")" = rgsmtp.8 || return 1
	done &&
	grep -q "^rgsmtp, rsmtp, rcsmtp, rbsmtp " "$MAN/man8/rgsmtp.8"
'

# The installed programs work together: uucico in sbin calls, the callee's
# uuxqt runs rmail from bin (what the replay of two hops needs).
if [ -d "$SHARED/uumap/1992" ]; then
	test_expect_success 'the installed uureplay delivers over two hops' '
		"$D$PFX/bin/uureplay" -d "$TRASH/r" -m "$SHARED/uumap/1992" uunet rutgers >out 2>err &&
		grep -q "^== delivered over 2 hops\$" out
	'
else
	test_skip 'the installed uureplay delivers over two hops' "no map data at $SHARED/uumap"
fi

test_done
