/*
 * session.c - one UUCP call: handshake, the role loop, and the final
 * handshake.  Everything read from the port is hostile: handshake strings
 * are bounded, system names pass name_is_safe before they name files,
 * and a caller we do not know is told so and dropped.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "uucico/cmd.h"
#include "lib/timewin.h"
#include "uucico/sched.h"
#include "uucico/session.h"
#include "uucico/xfer.h"

#define SESSION_DLE 020
#define SESSION_HS_MAX 256

/* session_fail - record why the call failed; returns -1 */
static int
session_fail(struct session *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
session_fail(struct session *s, const char *fmt, ...)
{
	va_list ap;

	if (s->why[0] == '\0') {
		va_start(ap, fmt);
		vsnprintf(s->why, sizeof(s->why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* hs_send - send one handshake string: DLE text NUL */
static int
hs_send(struct session *s, const char *text)
{
	char buf[SESSION_HS_MAX + 2];
	size_t len = strlen(text);

	if (len > SESSION_HS_MAX)
		return -1;
	buf[0] = SESSION_DLE;
	memcpy(buf + 1, text, len);
	buf[len + 1] = '\0';
	log_debug(LOG_D_HANDSHAKE, "sys=%s: handshake send \"%s\"", s->remote, text);
	return port_write(s->port, buf, len + 2);
}

/* hs_get - receive one handshake string: skip to a DLE, then collect up to
 * a NUL or newline.  0, or -1 on timeout, EOF or an overlong string. */
static int
hs_get(struct session *s, char *out, size_t outlen, int timeout_s)
{
	long long deadline = now_ms() + (long long)timeout_s * 1000;
	size_t n = 0;
	int in_msg = 0;
	unsigned char ch;

	for (;;) {
		long long left = deadline - now_ms();
		ssize_t r;
		if (left <= 0)
			return session_fail(s, "timed out in the handshake");
		r = port_read(s->port, &ch, 1, (int)left);
		if (r < 0)
			return session_fail(s, "line closed in the handshake");
		if (r == 0)
			continue;
		if (ch == SESSION_DLE) {
			in_msg = 1;
			n = 0;
			continue;
		}
		if (!in_msg)
			continue;
		if (ch == '\0' || ch == '\n') {
			out[n] = '\0';
			log_debug(LOG_D_HANDSHAKE, "sys=%s: handshake got \"%s\"",
			    s->remote[0] ? s->remote : "-", out);
			return 0;
		}
		if (ch == '\r')
			continue;
		if (n + 1 >= outlen || n + 1 >= SESSION_HS_MAX)
			return session_fail(s, "handshake string too long");
		out[n++] = (char)ch;
	}
}

/* session_features - parse the number after -N or ROKN */
static int
session_features(const char *p)
{
	char *end;
	long v;

	if (*p < '0' || *p > '9')
		return CMD_F_DEFAULT;
	v = strtol(p, &end, 8);
	if (v < 0 || v > 07777)
		return CMD_F_DEFAULT;
	return (int)v;
}

/* session_protocols - the protocols we allow on this call, best first,
 * and why: the Systems/Devices suffix (",g"), else the configuration's
 * "protocol" keyword, else the default for the port.  Protocols that
 * check nothing themselves are dropped on a port that is not reliable,
 * unless the line's own entry names them (the operator's statement that
 * this line, an ssh pipe say, is reliable). */
static const char *
session_protocols(const struct session *s, char *out, size_t outlen)
{
	const char *want = s->protocols, *why = "Systems/Devices entry";
	const char *conf = s->conf ? conf_get(s->conf, "protocol") : NULL;
	int reliable = s->port && s->port->reliable, want_from_entry = want[0] != '\0';
	size_t n = 0;

	if (!want[0] && conf && conf[0]) {
		want = conf;
		why = "configuration keyword protocol";
	}
	if (!want[0]) {
		want = proto_default(reliable);
		why = reliable ? "default for a reliable port" : "default for a port that is not reliable";
	}
	for (; *want && n + 1 < outlen; want++) {
		if (!strchr(proto_supported(), *want) || memchr(out, *want, n))
			continue;
		if (proto_needs_reliable(*want) && !reliable && want_from_entry) {
			/* naming t or e on the line's own entry marks it reliable */
			log_info("sys=%s: protocol %c allowed on %s: its Systems/Devices entry "
			    "names it, so the line is taken as reliable", s->remote[0] ? s->remote : "-",
			    *want, s->port ? s->port->name : "-");
		} else if (proto_needs_reliable(*want) && !reliable) {
			log_warnx("sys=%s: protocol %c needs a reliable port: not used on %s",
			    s->remote[0] ? s->remote : "-", *want, s->port ? s->port->name : "-");
			continue;
		}
		out[n++] = *want;
	}
	out[n] = '\0';
	return why;
}

/* session_start_proto - create and start the chosen protocol */
static int
session_start_proto(struct session *s, char which)
{
	struct proto_params par;
	struct spool_status st;

	memset(&par, 0, sizeof(par));
	par.window = s->conf->g_window;
	par.packsize = s->conf->g_packsize;
	par.timeout_s = s->conf->g_timeout;
	par.retries = s->conf->g_retries;
	par.errors_max = s->conf->g_errors;
	if (spool_status_get(s->sp, s->remote, &st) == 0) {	/* what the last call learnt */
		par.line_ber = st.line_ber;
		par.line_rate = st.line_rate;
	}
	s->proto = proto_new(which, s->port, &par, s->caller);
	if (!s->proto)
		return session_fail(s, "protocol %c is not available", which);
	if (s->proto->ops->start(s->proto) < 0)
		return session_fail(s, "protocol %c failed to start", which);
	log_info("sys=%s: handshake successful: protocol=%c send=%d/%d receive=%d/%d "
	    "integrity=%s", s->remote, which, s->proto->st.send_packsize,
	    s->proto->st.send_window, s->proto->st.recv_packsize, s->proto->st.recv_window,
	    s->e2e ? "crc32-end-to-end" : proto_integrity(which));
	return 0;
}

/* session_caller_handshake - the caller's side of the initial handshake */
static int
session_caller_handshake(struct session *s)
{
	char msg[SESSION_HS_MAX + 1], want[SESSION_HS_MAX + 1], ours[16];
	const char *p, *why;
	char pick = 0;
	int t = s->handshake_timeout;

	/* Skip what a line may still hold from before (a previous call's
	 * final OOOOOOO, a getty's banner) until Shere or the timeout. */
	do {
		if (hs_get(s, msg, sizeof(msg), t) < 0)
			return -1;
		if (strncmp(msg, "Shere", 5) != 0)
			log_debug(LOG_D_HANDSHAKE, "sys=%s: ignoring \"%.40s\" before Shere",
			    s->remote, msg);
	} while (strncmp(msg, "Shere", 5) != 0);
	if (msg[5] == '=' && strcmp(msg + 6, s->remote) != 0)
		return session_fail(s, "called %s but %s answered", s->remote, msg + 6);
	str_fmt(want, sizeof(want), "S%s -R -N0%o", s->conf->nodename,
	    CMD_F_BRIGADE | SESSION_F_CRC32 | SESSION_F_PARTS);
	if (hs_send(s, want) < 0)
		return session_fail(s, "line closed in the handshake");
	if (hs_get(s, msg, sizeof(msg), t) < 0)
		return -1;
	if (msg[0] != 'R')
		return session_fail(s, "expected ROK, got \"%.40s\"", msg);
	if (strncmp(msg, "ROK", 3) != 0) {
		if (strcmp(msg, "RLCK") == 0)
			return session_fail(s, "remote reports a call already in progress (RLCK)");
		if (strcmp(msg, "RBADSEQ") == 0)
			return session_fail(s, "remote reports a bad call sequence (RBADSEQ)");
		if (strcmp(msg, "RLOGIN") == 0)
			return session_fail(s, "remote refused our login name (RLOGIN)");
		return session_fail(s, "remote refused the call: %.60s", msg + 1);
	}
	s->features = 0;
	if (msg[3] == 'N')
		s->features = session_features(msg + 4);
	s->remote_restart = (s->features & CMD_F_RESTART) || strstr(msg, "-R") != NULL;
	s->e2e = (s->features & SESSION_F_CRC32) != 0;
	s->parts = s->e2e && (s->features & SESSION_F_PARTS) != 0;
	if (hs_get(s, msg, sizeof(msg), t) < 0)
		return -1;
	if (msg[0] != 'P')
		return session_fail(s, "expected a protocol list, got \"%.40s\"", msg);
	why = session_protocols(s, ours, sizeof(ours));
	for (p = ours; *p && !pick; p++)
		if (strchr(msg + 1, *p))
			pick = *p;
	log_info("sys=%s: protocols: remote offers \"%.20s\", we allow \"%s\" (%s) on %s: "
	    "picked %c", s->remote, msg + 1, ours, why, s->port->reliable ? "a reliable port" :
	    "a port that is not reliable", pick ? pick : '-');
	if (!pick) {
		hs_send(s, "UN");
		return session_fail(s, "no common protocol (remote offers \"%.20s\", we have \"%s\")",
		    msg + 1, ours);
	}
	str_fmt(want, sizeof(want), "U%c", pick);
	if (hs_send(s, want) < 0)
		return session_fail(s, "line closed in the handshake");
	return session_start_proto(s, pick);
}

/* session_caller_options - read the options of the caller's S string */
static void
session_caller_options(struct session *s, const char *opts)
{
	char buf[SESSION_HS_MAX + 1], *tok, *save = NULL;

	str_copy(buf, opts, sizeof(buf));
	s->features = 0;
	for (tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (strncmp(tok, "-N", 2) == 0)
			s->features = session_features(tok + 2);
		else if (strcmp(tok, "-R") == 0)
			s->remote_restart = 1;
		else if (strncmp(tok, "-p", 2) == 0 && tok[2])
			s->min_grade = tok[2];
		else if (strncmp(tok, "-vgrade=", 8) == 0 && tok[8])
			s->min_grade = tok[8];
		/* -x (a debug level request) and -Q (call sequence) are
		 * accepted and ignored: we keep our own debug settings and
		 * do not use sequence numbers. */
	}
	if (s->features & CMD_F_RESTART)
		s->remote_restart = 1;
}

/* session_callee_handshake - the called side of the initial handshake */
static int
session_callee_handshake(struct session *s)
{
	char msg[SESSION_HS_MAX + 1], out[SESSION_HS_MAX + 1], ours[16];
	const char *why;
	char *sp;
	int si;
	int t = s->handshake_timeout;

	str_fmt(out, sizeof(out), "Shere=%s", s->conf->nodename);
	if (hs_send(s, out) < 0)
		return session_fail(s, "line closed in the handshake");
	if (hs_get(s, msg, sizeof(msg), t) < 0)
		return -1;
	if (msg[0] != 'S')
		return session_fail(s, "expected the caller's name, got \"%.40s\"", msg);
	sp = strchr(msg, ' ');
	if (sp)
		*sp++ = '\0';
	if (!name_is_safe(msg + 1, sizeof(s->remote) - 1)) {
		hs_send(s, "RYou are unknown to me");
		return session_fail(s, "caller sent a bad system name");
	}
	str_copy(s->remote, msg + 1, sizeof(s->remote));
	if (hdb_find_system(s->hdb, s->remote, 0) < 0) {
		hs_send(s, "RYou are unknown to me");
		return session_fail(s, "unknown system %s (login %s) refused", s->remote, s->login);
	}
	if (!perm_login_may_be(s->hdb, s->remote, s->login)) {
		hs_send(s, "RLOGIN");
		return session_fail(s, "system %s may not use login %s (VALIDATE)", s->remote,
		    s->login);
	}
	session_caller_options(s, sp ? sp : "");
	if (spool_lock(s->sp, s->remote) < 0) {
		hs_send(s, "RLCK");
		return session_fail(s, "system %s is already locked by another call", s->remote);
	}
	s->locked = 1;
	s->perm = perm_for_login(s->hdb, s->login, s->conf->pubdir);
	s->e2e = (s->features & SESSION_F_CRC32) != 0;
	s->parts = s->e2e && (s->features & SESSION_F_PARTS) != 0;
	if (strstr(sp ? sp : "", "-N"))
		str_fmt(out, sizeof(out), "ROKN0%o", CMD_F_BRIGADE | SESSION_F_CRC32 | SESSION_F_PARTS);
	else
		str_copy(out, "ROK", sizeof(out));
	if (hs_send(s, out) < 0)
		return session_fail(s, "line closed in the handshake");
	si = hdb_find_system(s->hdb, s->remote, 0);
	if (!s->protocols[0] && si >= 0)
		str_copy(s->protocols, s->hdb->sys[si].protocols, sizeof(s->protocols));
	why = session_protocols(s, ours, sizeof(ours));
	log_info("sys=%s: protocols: offering \"%s\" (%s) on %s", s->remote, ours, why,
	    s->port->reliable ? "a reliable port" : "a port that is not reliable");
	str_fmt(out, sizeof(out), "P%s", ours);
	if (hs_send(s, out) < 0)
		return session_fail(s, "line closed in the handshake");
	if (hs_get(s, msg, sizeof(msg), t) < 0)
		return -1;
	if (msg[0] != 'U')
		return session_fail(s, "expected a protocol choice, got \"%.40s\"", msg);
	if (msg[1] == 'N' || !msg[1] || !strchr(ours, msg[1]))
		return session_fail(s, "caller chose no protocol we offered (\"%.20s\")", msg);
	log_info("sys=%s: protocols: caller picked %c", s->remote, msg[1]);
	return session_start_proto(s, msg[1]);
}

/* session_loop - the command loop, switching roles until both are done */
static int
session_loop(struct session *s)
{
	char line[8192];
	int master = s->caller;

	if (s->proto->ops->next)
		return xfer_duplex(s);	/* a protocol with channels */
	for (;;) {
		if (master) {
			if (xfer_master(s) < 0)
				return -1;
			if (s->proto->ops->sendcmd(s->proto, "H") < 0)
				return session_fail(s, "line failed sending H");
			if (s->proto->ops->getcmd(s->proto, line, sizeof(line)) < 0)
				return session_fail(s, "line failed waiting for the hang-up reply");
			if (strncmp(line, "HY", 2) == 0) {
				s->proto->ops->sendcmd(s->proto, "HY");
				return 0;
			}
			if (strncmp(line, "HN", 2) != 0)
				return session_fail(s, "unexpected reply to H: \"%.40s\"", line);
			log_debug(LOG_D_XFER, "sys=%s: remote has work: roles switch", s->remote);
			master = 0;
			continue;
		}
		if (s->proto->ops->getcmd(s->proto, line, sizeof(line)) < 0)
			return session_fail(s, "line failed waiting for a command");
		log_debug(LOG_D_XFER, "sys=%s: got command \"%.200s\"", s->remote, line);
		if (line[0] == 'H') {
			if (line[1] == 'Y')
				continue;	/* a late HY from a hang-up already agreed */
			if (xfer_have_work(s)) {
				if (s->proto->ops->sendcmd(s->proto, "HN") < 0)
					return session_fail(s, "line failed sending HN");
				master = 1;
				continue;
			}
			if (s->proto->ops->sendcmd(s->proto, "HY") < 0)
				return session_fail(s, "line failed sending HY");
			/* The master answers with HY; a master that just
			 * drops the line has agreed all the same. */
			if (s->proto->ops->getcmd(s->proto, line, sizeof(line)) < 0)
				log_debug(LOG_D_XFER, "sys=%s: no final HY", s->remote);
			return 0;
		}
		if (xfer_slave(s, line) < 0)
			return -1;
	}
}

/* session_finish - close the protocol and do the final handshake */
static void
session_finish(struct session *s)
{
	char msg[SESSION_HS_MAX + 1];

	if (s->proto)
		s->proto->ops->shutdown(s->proto);
	hs_send(s, s->caller ? "OOOOOO" : "OOOOOOO");
	hs_send(s, s->caller ? "OOOOOO" : "OOOOOOO");
	/* Wait briefly for the other side's O's: it may simply hang up, and
	 * the protocol's shutdown may already have read them. */
	while (hs_get(s, msg, sizeof(msg), 1) == 0)
		if (msg[0] == 'O')
			break;
}

/* session_log_call - the one line per call */
static void
session_log_call(struct session *s, int ok)
{
	double secs = (double)(now_ms() - s->t_start) / 1000.0;

	if (s->proto)
		log_info("sys=%s: protocol %c packets: sent=%lu resent=%lu received=%lu "
		    "checksum_errors=%lu timeouts=%lu", s->remote, s->proto->ops->name,
		    s->proto->st.packets_sent, s->proto->st.packets_resent,
		    s->proto->st.packets_received, s->proto->st.checksum_errors,
		    s->proto->st.timeouts);
	log_info("call sys=%s role=%s result=%s files_sent=%u files_received=%u files_resent=%u "
	    "bytes_sent=%llu bytes_received=%llu seconds=%.2f%s%s%s",
	    s->remote[0] ? s->remote : "-", s->caller ? "caller" : "callee", ok ? "ok" : "failed",
	    s->files_sent, s->files_received, s->files_resent, s->bytes_sent, s->bytes_received, secs, ok ? "" : " reason=\"",
	    ok ? "" : s->why, ok ? "" : "\"");
}

/* session_status - record the call's outcome in the system's status */
static void
session_status(struct session *s, int ok)
{
	struct spool_status st;

	if (!s->remote[0] || !name_is_safe(s->remote, sizeof(s->remote) - 1))
		return;
	if (!s->caller && hdb_find_system(s->hdb, s->remote, 0) < 0)
		return;		/* no status files for strangers */
	if (spool_status_get(s->sp, s->remote, &st) < 0)
		memset(&st, 0, sizeof(st));
	st.last_call = time(NULL);
	if (s->proto && s->proto->st.line_rate > 0.0) {	/* for the next call */
		st.line_ber = s->proto->st.line_ber;
		st.line_rate = s->proto->st.line_rate;
	}
	if (ok) {
		st.result = SPOOL_ST_OK;
		st.retries = 0;
		st.next_retry = 0;
		st.reason[0] = '\0';
	} else {
		int idx = hdb_find_system(s->hdb, s->remote, 0);
		int minutes = idx >= 0 ? timewin_retry(s->hdb->sys[idx].time) : -1;

		st.result = SPOOL_ST_FAILED;
		/* a call the line cut after work got through (a file, or part
		 * of one kept for restart) shows the link works: the next try
		 * comes after the first wait, not a doubled one, so a link
		 * that drops every minute still moves its queue call by call.
		 * Other failures back off as a call that never connected:
		 * doubling from the Systems ";N" minutes, capped at 23 hours */
		if (s->files_sent + s->files_received > 0 || s->bytes_cut > 0)
			st.retries = 1;
		else
			st.retries++;
		st.next_retry = st.last_call +
		    sched_backoff(st.retries, minutes > 0 ? minutes * 60L : 0);
		str_copy(st.reason, s->why, sizeof(st.reason));
	}
	spool_status_put(s->sp, s->remote, &st);
}

/* session_run - common body of both roles */
static int
session_run(struct session *s, int (*handshake)(struct session *))
{
	int ok;

	s->t_start = now_ms();
	if (s->handshake_timeout <= 0)
		s->handshake_timeout = 60;
	ok = handshake(s) == 0 && session_loop(s) == 0;
	if (s->proto || ok)
		session_finish(s);
	if (!ok)
		log_warnx("sys=%s: call failed: %s", s->remote[0] ? s->remote : "-", s->why);
	session_log_call(s, ok);
	session_status(s, ok);
	if (s->locked) {
		spool_unlock(s->sp, s->remote);
		s->locked = 0;
	}
	return ok ? 0 : -1;
}

/* session_call - the caller's call */
int
session_call(struct session *s)
{
	s->caller = 1;
	s->perm = perm_for_machine(s->hdb, s->remote, s->conf->pubdir);
	return session_run(s, session_caller_handshake);
}

/* session_answer - the callee's call */
int
session_answer(struct session *s)
{
	s->caller = 0;
	return session_run(s, session_callee_handshake);
}

/* session_free - release the session's allocations */
void
session_free(struct session *s)
{
	if (s->proto)
		s->proto->ops->free(s->proto);
	s->proto = NULL;
	free(s->tried);
	s->tried = NULL;
	s->ntried = s->atried = 0;
}
