# lib-smtp.sh - helpers for the SMTP gateway's tests, on top of lib.sh.
#
#   gw_node NAME [NEIGHBOUR...]   a node directory whose Systems knows the neighbours
#   gw_start NAME                 run uusmtpd on 127.0.0.1 (a free port) in the
#                                 background; gw_port NAME prints its port
#   crlf                          stdin to stdout with every LF made CRLF
#   gw_jobs NAME SYS              number of jobs queued for SYS
#   pf_start / pf_stop            a private Postfix (see below)
. "$(dirname "$0")/lib.sh"

# Servers started inside a test (a subshell) are recorded here, so the
# cleanup registered once at load time stops them all.
: >"$TRASH/.gw-pids"
cleanup 'for _p in $(cat "$TRASH/.gw-pids"); do kill $_p; done; [ -f "$TRASH/pf/conf/main.cf" ] && postfix -c "$TRASH/pf/conf" stop'

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
	echo $! >>"$TRASH/.gw-pids"
	wait_for_line "$TRASH/$1.listen" "^listening on" 10
}

gw_port() {
	sed -n 's/^listening on 127.0.0.1://p' "$TRASH/$1.listen" | head -n 1
}

gw_stop() {
	_gp=$(cat "$TRASH/$1.pid")
	kill "$_gp" 2>/dev/null
	wait "$_gp" 2>/dev/null
	# a server started in another (sub)shell is not our child, so wait
	# cannot see it end: wait until it is gone, so that a restarted
	# server finds its port free
	_gn=100
	while kill -0 "$_gp" 2>/dev/null && [ $_gn -gt 0 ]; do
		sleep 0.1; _gn=$((_gn - 1))
	done
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

# pf_start [EXTRA-MAIN-CF-LINES] - a private Postfix on 127.0.0.1:$PF_PORT
# (needs root, as Postfix does); mail for sink.example lands in
# $TRASH/pf/mail/mbox; only user@ and other@sink.example exist.  Stopped
# at exit.
pf_start() {
	_pf=$TRASH/pf
	PF_PORT=$(( 30000 + $$ % 20000 ))
	mkdir -p "$_pf/conf" "$_pf/data" "$_pf/mail"
	for _q in pid public private maildrop incoming active deferred defer bounce corrupt \
		flush hold saved trace; do mkdir -p "$_pf/queue/$_q"; done
	(cd "$_pf/queue" && chown postfix private incoming active deferred defer bounce corrupt \
		flush hold saved trace maildrop public && chgrp postdrop maildrop public &&
		chmod 730 maildrop && chmod 710 public) || return 1
	chown postfix "$_pf/data"
	chown 65534 "$_pf/mail"
	cat >"$_pf/conf/main.cf" <<-EOM
	compatibility_level = 3.6
	queue_directory = $_pf/queue
	data_directory = $_pf/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = sink.example
	mydestination =
	inet_interfaces = 127.0.0.1
	inet_protocols = ipv4
	smtpd_peername_lookup = no
	mynetworks = 127.0.0.0/8
	alias_maps =
	alias_database =
	virtual_mailbox_domains = sink.example
	virtual_mailbox_base = $_pf/mail
	virtual_mailbox_maps = inline:{ user@sink.example=mbox, other@sink.example=mbox }
	virtual_uid_maps = static:65534
	virtual_gid_maps = static:65534
	maillog_file = /dev/stdout
	smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
	EOM
	printf '%s\n' "$@" >>"$_pf/conf/main.cf"
	{
		echo "127.0.0.1:$PF_PORT inet n - n - - smtpd"
		for _s in "pickup unix n - n 60 1 pickup" "cleanup unix n - n - 0 cleanup" \
			"qmgr unix n - n 300 1 qmgr" "rewrite unix - - n - - trivial-rewrite" \
			"bounce unix - - n - 0 bounce" "defer unix - - n - 0 bounce" \
			"trace unix - - n - 0 bounce" "verify unix - - n - 1 verify" \
			"flush unix n - n 1000? 0 flush" "proxymap unix - - n - - proxymap" \
			"smtp unix - - n - - smtp" "relay unix - - n - - smtp" \
			"showq unix n - n - - showq" "error unix - - n - - error" \
			"retry unix - - n - - error" "discard unix - - n - - discard" \
			"virtual unix - n n - - virtual" "anvil unix - - n - 1 anvil" \
			"scache unix - - n - 1 scache" "tlsmgr unix - - n 1000? 1 tlsmgr" \
			"postlog unix-dgram n - n - 1 postlogd"; do
			echo "$_s"
		done
	} >"$_pf/conf/master.cf"
	postfix -c "$_pf/conf" start-fg >"$_pf/maillog" 2>&1 &
	wait_for_line "$_pf/maillog" "daemon started" 20
}

pf_stop() {
	_pid=$(tr -d ' ' <"$TRASH/pf/queue/pid/master.pid" 2>/dev/null)
	postfix -c "$TRASH/pf/conf" stop >/dev/null 2>&1
	_n=50
	while [ -n "$_pid" ] && kill -0 "$_pid" 2>/dev/null && [ $_n -gt 0 ]; do
		sleep 0.1; _n=$((_n - 1)); done
	:
}

# pf_wait_mail REGEX - until the sink mailbox has a line matching REGEX
pf_wait_mail() {
	wait_for_line "$TRASH/pf/mail/mbox" "$1" 20
}
