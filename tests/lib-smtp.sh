# lib-smtp.sh - helpers for the SMTP gateway's tests, on top of lib.sh.
#
#   gw_node NAME [NEIGHBOUR...]   a node directory whose Systems knows the neighbours
#   gw_start NAME                 run uusmtpd on 127.0.0.1 (a free port) in the
#                                 background; gw_port NAME prints its port
#   crlf                          stdin to stdout with every LF made CRLF
#   gw_jobs NAME SYS              number of jobs queued for SYS
. "$(dirname "$0")/lib.sh"

gw_node() {
	_d=$TRASH/$1
	shift
	mkdir -p "$_d/spool" "$_d/pub"
	{
		echo "nodename $(basename "$_d")"
		echo "spool spool"
		echo "pubdir pub"
		echo "logfile Log"
		echo "local-domain gw.example"
		echo "smtp-listen 127.0.0.1:0"
	} >"$_d/config"
	: >"$_d/Systems"
	for _n in "$@"; do echo "$_n Any Direct 115200 -" >>"$_d/Systems"; done
}

gw_start() {
	"$BIN/uusmtpd" -I "$TRASH/$1/config" >"$TRASH/$1.listen" 2>"$TRASH/$1.err" &
	echo $! >"$TRASH/$1.pid"
	cleanup "kill $(cat "$TRASH/$1.pid") 2>/dev/null"
	wait_for_line "$TRASH/$1.listen" "^listening on" 10
}

gw_port() {
	sed -n 's/^listening on 127.0.0.1://p' "$TRASH/$1.listen" | head -n 1
}

gw_stop() {
	kill "$(cat "$TRASH/$1.pid")" 2>/dev/null
	wait "$(cat "$TRASH/$1.pid")" 2>/dev/null
	:
}

crlf() {
	sed 's/$/\r/'
}

gw_jobs() {
	ls "$TRASH/$1/spool/$2/C." 2>/dev/null | wc -l
}

# gw_local_jobs NAME - executions queued for the node itself
gw_local_jobs() {
	ls "$TRASH/$1/spool/$1/in" 2>/dev/null | grep -c '^X\.'
}
