#!/bin/sh
# smtp-bench.sh - messages per second the SMTP gateway accepts durably
# (250 only after the rmail job is in the spool): uusmtpd on loopback,
# CLIENTS sessions at once, each sending MSGS messages pipelined.  Not
# part of make check.  Usage: bench/smtp-bench.sh [build-dir] [clients] [msgs]
set -eu
TOP=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-$TOP/build}
CLIENTS=${2:-4}
MSGS=${3:-250}
TMP=$(mktemp -d)
trap 'kill $pid 2>/dev/null; rm -rf "$TMP"' EXIT
mkdir -p "$TMP/gw/spool"
printf 'nodename gw\nspool spool\nlogfile Log\nsmtp-listen 127.0.0.1:0\n' >"$TMP/gw/config"
echo "beta Any Direct 115200 -" >"$TMP/gw/Systems"
"$B/bin/uusmtpd" -I "$TMP/gw/config" >"$TMP/listen" &
pid=$!
while ! grep -q listening "$TMP/listen" 2>/dev/null; do sleep 0.1; done
port=$(sed -n 's/^listening on 127.0.0.1://p' "$TMP/listen")
{
	printf 'EHLO bench\r\n'
	i=0
	while [ $i -lt "$MSGS" ]; do
		printf 'MAIL FROM:<a@example.org>\r\nRCPT TO:<beta!u%d@gw>\r\nDATA\r\n' $i
		printf 'Subject: bench %d\r\n\r\n' $i
		j=0; while [ $j -lt 20 ]; do printf 'a line of about sixty bytes of text in the body of the message\r\n'; j=$((j+1)); done
		printf '.\r\n'
		i=$((i + 1))
	done
	printf 'QUIT\r\n'
} >"$TMP/session"
start=$(date +%s.%N)
c=0
pids=
while [ $c -lt "$CLIENTS" ]; do
	"$B/helpers/smtpc" -t 600 127.0.0.1 "$port" <"$TMP/session" >"$TMP/out.$c" &
	pids="$pids $!"
	c=$((c + 1))
done
for p in $pids; do wait "$p" || true; done
end=$(date +%s.%N)
ok=$(cat "$TMP"/out.* | grep -c '^250 2.0.0 Ok: queued' || true)
echo "$ok messages accepted durably in $(echo "$end - $start" | bc) s:" \
	"$(echo "scale=1; $ok / ($end - $start)" | bc) messages/s ($CLIENTS clients)"
