#!/bin/sh
# t7100-uustat.sh - uustat against a spool the test builds: the listing
# (id, system, user, grade, age, size, pending commands), --json for jobs
# and systems (checked field by field with python3), -q counts, -m status
# with the last failure's reason and the next retry, -r rejuvenates a job,
# -k kills one with its data; uuname and uulog filters.
. "$(dirname "$0")/lib-uucp.sh"
need_brigade
command -v python3 >/dev/null 2>&1 || test_skip_all "python3 is needed to read JSON"

brigade_node a
cat >"$TRASH/a/Systems" <<EOF
b Any TCP 540 b.example
c Wk0800-1700 TCP 540 c.example
b Never TCP 541 b2.example
EOF
cfg=$TRASH/a/config
me=$(id -un)

test_expect_success 'build a spool: 3 jobs for b, 1 for c, a status for c' '
	head -c 1000 /dev/urandom >f1000 && head -c 2500 /dev/urandom >f2500 &&
	head -c 7 /dev/urandom >f7 &&
	"$BIN/uucp" -I "$cfg" -r -j -g A f1000 "b!~/one" >id1 &&
	"$BIN/uucp" -I "$cfg" -r -j -g n f2500 f7 "b!~/dir/" >id2 &&
	"$BIN/uucp" -I "$cfg" -r -j "b!/etc/motd" "$TRASH/got" >id3 &&
	"$BIN/uucp" -I "$cfg" -r -j -g Z f7 "c!~/seven" >id4 &&
	now=$(date +%s) &&
	mkdir -p "$TRASH/a/spool/.Status" &&
	echo "last=$((now - 60)) result=failed retries=2 next=$((now + 540)) reason=cannot connect to c.example:540: refused" \
		>"$TRASH/a/spool/.Status/c" &&
	for f in id1 id2 id3 id4; do test -s $f || exit 1; done
'

test_expect_success 'listing: one line per job with system, user, grade, age and size' '
	"$BIN/uustat" -I "$cfg" -a >list && cat list &&
	test $(grep -c "^[0-9a-f-]\{36\} " list) -eq 4 &&
	grep "^$(cat id1) b $me A [0-9]*s 1000$" list &&
	grep "^$(cat id2) b $me n [0-9]*s 2507$" list &&
	grep "^$(cat id3) b $me " list &&
	grep "^$(cat id4) c $me Z [0-9]*s 7$" list &&
	grep "	S .*/f1000 -> b!~/one" list &&
	grep "	R b!/etc/motd -> $TRASH/got" list
'

test_expect_success '-s lists one system (status first) in grade order' '
	"$BIN/uustat" -I "$cfg" -s b >sb && cat sb &&
	head -n 1 sb | grep "^b never " &&
	grep "^[0-9a-f]\{8\}-" sb | cut -d" " -f4 >grades &&
	sed -n 1p grades | grep -x A && sed -n 3p grades | grep -x n
'

test_expect_success '--json: every job with its fields' '
	"$BIN/uustat" -I "$cfg" -a --json >jobs.json &&
	cat >check.py <<-\EOF &&
	import json, sys
	d = json.load(sys.stdin)
	id1, id2, id4, me = sys.argv[1:5]
	j = {x["id"]: x for x in d["jobs"]}
	assert len(j) == 4, j
	assert j[id1]["sys"] == "b" and j[id1]["grade"] == "A" and j[id1]["bytes"] == 1000
	assert j[id1]["user"] == me and 0 <= j[id1]["age"] < 120
	assert [c["kind"] for c in j[id1]["commands"]] == ["S"]
	assert j[id1]["commands"][0]["to"] == "~/one"
	assert j[id2]["bytes"] == 2507 and len(j[id2]["commands"]) == 2
	assert j[id4]["sys"] == "c" and j[id4]["grade"] == "Z"
	print("ok")
	EOF
	python3 check.py "$(cat id1)" "$(cat id2)" "$(cat id4)" "$me" <jobs.json
'

test_expect_success '--json -m: status, reason and next retry per system' '
	"$BIN/uustat" -I "$cfg" -m --json >sys.json &&
	cat >check2.py <<-\EOF &&
	import json, sys, time
	d = json.load(sys.stdin)
	s = {x["name"]: x for x in d["systems"]}
	assert set(s) == {"b", "c"}, s
	assert s["b"]["result"] == "never" and s["b"]["jobs"] == 3
	c = s["c"]
	assert c["result"] == "failed" and c["retries"] == 2 and c["jobs"] == 1
	assert c["reason"].startswith("cannot connect to c.example"), c
	assert c["next_retry"] > time.time() + 400, c
	print("ok")
	EOF
	python3 check2.py <sys.json
'

test_expect_success '-m and -q as text' '
	"$BIN/uustat" -I "$cfg" -m >m && cat m &&
	grep "^c failed last=.* retries=2 next=2.* reason=cannot connect to c.example:540: refused$" m &&
	grep "^b never " m &&
	"$BIN/uustat" -I "$cfg" -q >q && cat q &&
	grep -x "b 3 jobs never" q && grep -x "c 1 job failed" q
'

test_expect_success '-r rejuvenates an old job' '
	f=$(ls "$TRASH"/a/spool/c/C./C.*) &&
	sed "s/^queued .*/queued 1000000000/" "$f" >"$f.new" && mv "$f.new" "$f" &&
	"$BIN/uustat" -I "$cfg" -s c | grep " Z [0-9]*d 7$" &&
	"$BIN/uustat" -I "$cfg" -r "$(cut -c1-8 id4)" &&
	"$BIN/uustat" -I "$cfg" -s c | grep " Z [0-9]*s 7$" &&
	test_must_fail "$BIN/uustat" -I "$cfg" -r nosuchjob
'

test_expect_success '-k kills a job and its data files' '
	ls "$TRASH"/a/spool/b/D./ >before && test $(wc -l <before) -eq 3 &&
	"$BIN/uustat" -I "$cfg" -k "$(cat id2)" &&
	ls "$TRASH"/a/spool/b/D./ >after && test $(wc -l <after) -eq 1 &&
	"$BIN/uustat" -I "$cfg" -a >list2 &&
	! grep "$(cat id2)" list2 && test $(grep -c "^[0-9a-f]\{8\}-" list2) -eq 3 &&
	"$BIN/uustat" -I "$cfg" -q | grep -x "b 2 jobs never"
'

test_expect_success 'uuname lists each system once; -l our name' '
	"$BIN/uuname" -I "$cfg" >names && printf "b\nc\n" >expect && test_cmp expect names &&
	test "$("$BIN/uuname" -I "$cfg" -l)" = a
'

test_expect_success 'uulog filters by system and user' '
	"$BIN/uulog" -I "$cfg" -s c >lc && cat lc &&
	test $(wc -l <lc) -ge 2 && ! grep -v "sys=c[ :]" lc &&
	"$BIN/uulog" -I "$cfg" -u "$me" >lu && test $(wc -l <lu) -eq 4 &&
	"$BIN/uulog" -I "$cfg" -u nobody-here >ln && test ! -s ln &&
	"$BIN/uulog" -I "$cfg" -s b -n 1 >l1 && test $(wc -l <l1) -eq 1 && grep "sys=b" l1
'

test_done
