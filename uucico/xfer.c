/*
 * xfer.c - the transfer engine: what each S, R, X and E command does to
 * files, in both roles.  Protocols move bytes; this file opens, checks,
 * spools and commits them.  Paths named by the remote are hostile: any
 * ".." is refused outright, the rest is made canonical and must then pass
 * Permissions (READ/WRITE/REQUEST) before anything is opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#include <zlib.h>

#include "lib/log.h"
#include "lib/util.h"
#include "uucico/cmd.h"
#include "uucico/session.h"

#define XFER_BUF (64 * 1024)
#define XFER_CRC_RETRIES 3	/* immediate re-sends after a failed check */
#define XFER_RETRY 2		/* "send again": the end-to-end check failed */

/* xfer_fail - record why the call failed; returns -1 */
static int
xfer_fail(struct session *s, const char *why)
{
	if (s->why[0] == '\0')
		str_copy(s->why, why, sizeof(s->why));
	return -1;
}

/* xfer_reply - send a command reply; -1 when the line failed */
static int
xfer_reply(struct session *s, const char *reply)
{
	log_debug(LOG_D_XFER, "sys=%s: reply \"%s\"", s->remote, reply);
	if (s->proto->ops->sendcmd(s->proto, reply) < 0)
		return xfer_fail(s, "line failed sending a reply");
	return 0;
}

/* xfer_log - the one line per file */
static void
xfer_log(struct session *s, const char *dir, const char *file, unsigned long long bytes,
    long long t0, long long offset, const char *result)
{
	double secs = (double)(now_ms() - t0) / 1000.0;

	log_info("xfer sys=%s dir=%s file=%s bytes=%llu offset=%lld seconds=%.2f result=%s "
	    "integrity=%s", s->remote, dir, file, bytes, offset, secs, result,
	    s->e2e ? "crc32-end-to-end" : proto_integrity(s->proto->ops->name));
}

/* xfer_is_spool_name - whether name is a spool name (D.x or X.x, no '/') */
static int
xfer_is_spool_name(const char *name)
{
	return (name[0] == 'D' || name[0] == 'X') && name[1] == '.' && !strchr(name, '/');
}

/* xfer_has_dotdot - whether a path has a ".." component */
static int
xfer_has_dotdot(const char *p)
{
	const char *q = p;

	while ((q = strstr(q, "..")) != NULL) {
		if ((q == p || q[-1] == '/') && (q[2] == '\0' || q[2] == '/'))
			return 1;
		q += 2;
	}
	return 0;
}

/* xfer_resolve - turn a UUCP file name (~/x, ~user/x, /abs, relative)
 * into a canonical absolute path; when the result names a directory (ends
 * in '/' or exists as one), basename(from) is appended.  0 or -1. */
static int
xfer_resolve(const char *pubdir, const char *name, const char *from, char *out, size_t outlen)
{
	char buf[PATH_MAX * 2];
	const char *base;
	struct stat st;
	int dir;

	if (!name[0] || xfer_has_dotdot(name))
		return -1;
	if (name[0] == '~' && (name[1] == '/' || name[1] == '\0')) {
		if (str_fmt(buf, sizeof(buf), "%s/%s", pubdir, name[1] ? name + 2 : "") < 0)
			return -1;
	} else if (name[0] == '~') {
		char user[64];
		const char *slash = strchr(name, '/');
		size_t len = slash ? (size_t)(slash - name - 1) : strlen(name + 1);
		struct passwd *pw;
		if (len == 0 || len >= sizeof(user))
			return -1;
		memcpy(user, name + 1, len);
		user[len] = '\0';
		pw = getpwnam(user);
		if (!pw)
			return -1;
		if (str_fmt(buf, sizeof(buf), "%s/%s", pw->pw_dir, slash ? slash + 1 : "") < 0)
			return -1;
	} else if (name[0] == '/') {
		if (str_copy(buf, name, sizeof(buf)) < 0)
			return -1;
	} else {
		if (str_fmt(buf, sizeof(buf), "%s/%s", pubdir, name) < 0)
			return -1;
	}
	dir = buf[strlen(buf) - 1] == '/';
	if (path_canon(out, outlen, buf) < 0)
		return -1;
	if (!dir && stat(out, &st) == 0 && S_ISDIR(st.st_mode))
		dir = 1;
	if (dir) {
		base = strrchr(from, '/');
		base = base ? base + 1 : from;
		if (!name_is_safe(base, NAME_MAX))
			return -1;
		if (str_fmt(buf, sizeof(buf), "%s/%s", strcmp(out, "/") ? out : "", base) < 0)
			return -1;
		if (str_copy(out, buf, outlen) < 0)
			return -1;
	}
	return path_is_clean(out) ? 0 : -1;
}

/* xfer_tried_key - the key of one command for the tried list */
static void
xfer_tried_key(const struct spool_job *job, size_t idx, char key[64])
{
	snprintf(key, 64, "%s/%zu", job->id, idx);
}

/* xfer_was_tried - whether a command was already tried in this call */
static int
xfer_was_tried(const struct session *s, const struct spool_job *job, size_t idx)
{
	char key[64];
	size_t i;

	xfer_tried_key(job, idx, key);
	for (i = 0; i < s->ntried; i++)
		if (strcmp(s->tried[i], key) == 0)
			return 1;
	return 0;
}

/* xfer_mark_tried - remember a command not to retry in this call */
static void
xfer_mark_tried(struct session *s, const struct spool_job *job, size_t idx)
{
	if (s->ntried == s->atried) {
		size_t n = s->atried ? s->atried * 2 : 32;
		char (*t)[64] = realloc(s->tried, n * sizeof(*t));
		if (!t)
			return;
		s->tried = t;
		s->atried = n;
	}
	xfer_tried_key(job, idx, s->tried[s->ntried++]);
}

/* xfer_grade_ok - whether a job's grade passes the caller's -p limit */
static int
xfer_grade_ok(const struct session *s, char grade)
{
	return !s->min_grade || (unsigned char)grade <= (unsigned char)s->min_grade;
}

/* xfer_have_work - whether anything is left to send */
int
xfer_have_work(struct session *s)
{
	struct spool_job *jobs;
	size_t n, i, k;
	int found = 0;

	if (!s->caller && !perm_may_send_when_called(&s->perm))
		return 0;
	if (spool_list(s->sp, s->remote, &jobs, &n) < 0)
		return 0;
	for (i = 0; i < n && !found; i++) {
		if (!xfer_grade_ok(s, jobs[i].grade))
			continue;
		for (k = 0; k < jobs[i].ncmd && !found; k++)
			if (!jobs[i].cmd[k].done && !xfer_was_tried(s, &jobs[i], k))
				found = 1;
	}
	spool_list_free(jobs, n);
	return found;
}

/* xfer_crc_prefix - CRC-32 of the first len bytes of the file at path
 * (the part a restarted transfer does not send again); 0 or -1 */
static int
xfer_crc_prefix(const char *path, long long len, unsigned long *crc)
{
	unsigned char buf[8192];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	long long off = 0;

	*crc = crc32(0L, Z_NULL, 0);
	if (fd < 0)
		return len > 0 ? -1 : 0;
	while (off < len) {
		size_t want = len - off < (long long)sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)off);
		if (n <= 0) {
			close(fd);
			return -1;
		}
		*crc = crc32(*crc, buf, (uInt)n);
		off += n;
	}
	close(fd);
	return 0;
}

/* xfer_send_crc - tell a Brigade peer the whole file's CRC-32 */
static int
xfer_send_crc(struct session *s, unsigned long crc)
{
	char line[32];

	if (!s->e2e)
		return 0;
	snprintf(line, sizeof(line), "ZCRC32 %08lx", crc & 0xffffffffUL);
	if (s->proto->ops->sendcmd(s->proto, line) < 0)
		return xfer_fail(s, "line failed sending the file's checksum");
	return 0;
}

/* xfer_check_crc - read the peer's "ZCRC32 x" and compare it with ours:
 * 1 same, 0 different (logged), -1 the line failed */
static int
xfer_check_crc(struct session *s, unsigned long crc, const char *file)
{
	char line[64];
	unsigned long theirs;
	char *end;

	if (s->proto->ops->getcmd(s->proto, line, sizeof(line)) < 0)
		return xfer_fail(s, "line failed waiting for the file's checksum");
	if (strncmp(line, "ZCRC32 ", 7) != 0) {
		log_warnx("sys=%s: expected the checksum of %s, got \"%.40s\"", s->remote, file,
		    line);
		return 0;
	}
	theirs = strtoul(line + 7, &end, 16);
	if (*end != '\0' || end == line + 7 || theirs != (crc & 0xffffffffUL)) {
		log_warnx("sys=%s: end-to-end check failed for %s: CRC-32 sent %.8s, received "
		    "%08lx: rejected, the sender keeps it", s->remote, file, line + 7,
		    crc & 0xffffffffUL);
		return 0;
	}
	log_debug(LOG_D_XFER, "sys=%s: end-to-end CRC-32 %08lx of %s matches", s->remote,
	    crc & 0xffffffffUL, file);
	return 1;
}

/* Progress of one file for an operator watching a call (-v). */
struct xfer_meter {
	const char *dir;	/* "send" or "receive" */
	const char *file;
	long long total;	/* bytes of the whole file, or -1 */
	long long base;		/* bytes already there (a restart) */
	long long t0, last;	/* when it started, when last shown */
};

/* xfer_meter_show - one progress line with rate and ETA, rewritten in
 * place at most twice a second; final ends it with a newline */
static void
xfer_meter_show(struct session *s, struct xfer_meter *m, unsigned long long done, int final)
{
	long long now = now_ms(), el = now - m->t0;
	double rate = el > 0 ? (double)done * 1000.0 / (double)el : 0.0;
	long long have = m->base + (long long)done, eta = -1;
	const char *base = strrchr(m->file, '/');

	if (!s->progress || (!final && now - m->last < 500))
		return;
	m->last = now;
	if (m->total > 0 && rate > 0 && have <= m->total)
		eta = (long long)((double)(m->total - have) / rate);
	if (m->total > 0)
		fprintf(stderr, "\r%s %s %.40s: %lld/%lld bytes %3lld%% %.1f kB/s", s->remote, m->dir,
		    base ? base + 1 : m->file, have, m->total,
		    m->total ? have * 100 / m->total : 100, rate / 1000.0);
	else
		fprintf(stderr, "\r%s %s %.40s: %lld bytes %.1f kB/s", s->remote, m->dir,
		    base ? base + 1 : m->file, have, rate / 1000.0);
	if (eta >= 0 && !final)
		fprintf(stderr, " ETA %lld:%02lld  ", eta / 60, eta % 60);
	else
		fprintf(stderr, "%s", final ? "          \n" : "");
	fflush(stderr);
}

/* xfer_send_body - send the bytes of fd from its current offset pos,
 * then the end-of-file mark, then (to a Brigade peer) the CRC-32 of the
 * whole file at path; 0 or -1 */
static int
xfer_send_body(struct session *s, int fd, const char *path, long long pos,
    unsigned long long *bytes)
{
	char *buf = malloc(XFER_BUF);
	unsigned long crc = crc32(0L, Z_NULL, 0);
	struct xfer_meter m;
	struct stat st;
	ssize_t r;

	if (!buf)
		return xfer_fail(s, "out of memory");
	if (s->e2e && xfer_crc_prefix(path, pos, &crc) < 0) {
		free(buf);
		return xfer_fail(s, "read error on a file being sent");
	}
	s->proto->send_size = fstat(fd, &st) == 0 ? (long long)st.st_size - pos : -1;
	s->proto->send_pos = pos;
	m.dir = "send";
	m.file = s->show_name ? s->show_name : path;
	s->show_name = NULL;
	m.total = s->proto->send_size >= 0 ? s->proto->send_size + pos : -1;
	m.base = pos;
	m.t0 = m.last = now_ms();
	for (;;) {
		/* smaller reads when someone watches, so the meter moves */
		r = read(fd, buf, s->progress ? 4096 : XFER_BUF);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			return xfer_fail(s, "read error on a file being sent");
		}
		if (s->proto->ops->senddata(s->proto, buf, (size_t)r) < 0) {
			free(buf);
			return xfer_fail(s, "line failed while sending a file");
		}
		if (r == 0)
			break;
		crc = crc32(crc, (const Bytef *)buf, (uInt)r);
		*bytes += (unsigned long long)r;
		xfer_meter_show(s, &m, *bytes, 0);
	}
	free(buf);
	xfer_meter_show(s, &m, *bytes, 1);
	if (s->crc_in_cmd) {
		/* the receiver has it from the S command already */
		s->crc_in_cmd = 0;
		return 0;
	}
	return xfer_send_crc(s, crc);
}

/* xfer_recv_body - receive file bytes into r until the end-of-file mark,
 * then (from a Brigade peer) check the whole file's CRC-32: 1 good, 0 the
 * check failed (the caller rejects the file), -1 the line failed */
static int
xfer_recv_body(struct session *s, struct spool_recv *r, const char *file,
    unsigned long long *bytes)
{
	char *buf = malloc(XFER_BUF);
	unsigned long crc = crc32(0L, Z_NULL, 0);
	struct xfer_meter m = { "receive", file, s->expect_size, (long long)r->offset, 0, 0 };
	ssize_t n;
	int werr = 0;

	if (!buf)
		return xfer_fail(s, "out of memory");
	m.t0 = m.last = now_ms();
	if (s->e2e && r->offset > 0 && xfer_crc_prefix(r->temp, (long long)r->offset, &crc) < 0)
		crc = ~0UL;	/* an unreadable prefix can only fail the check */
	for (;;) {
		n = s->proto->ops->getdata(s->proto, buf, XFER_BUF);
		if (n < 0) {
			free(buf);
			return xfer_fail(s, "line failed while receiving a file");
		}
		if (n == 0)
			break;
		if (!werr && write_all(r->fd, buf, (size_t)n) < 0)
			werr = errno;
		crc = crc32(crc, (const Bytef *)buf, (uInt)n);
		*bytes += (unsigned long long)n;
		xfer_meter_show(s, &m, *bytes, 0);
	}
	free(buf);
	xfer_meter_show(s, &m, *bytes, 1);
	if (werr) {
		/* A full disk or a write error: fail the call so the sender
		 * keeps the file queued; nothing is lost. */
		errno = werr;
		log_warn("sys=%s: cannot write received data", s->remote);
		return xfer_fail(s, werr == ENOSPC ? "spool disk full" : "write error on spool");
	}
	if (s->crc_given) {
		s->crc_given = 0;
		if (s->crc_expect == (crc & 0xffffffffUL)) {
			log_debug(LOG_D_XFER, "sys=%s: end-to-end CRC-32 %08lx of %s matches",
			    s->remote, s->crc_expect, file);
			return 1;
		}
		log_warnx("sys=%s: end-to-end check failed for %s: CRC-32 sent %08lx, received "
		    "%08lx: rejected, the sender keeps it", s->remote, file, s->crc_expect,
		    crc & 0xffffffffUL);
		return 0;
	}
	return s->e2e ? xfer_check_crc(s, crc, file) : 1;
}

/* xfer_space_ok - whether the spool has room for size more bytes */
static int
xfer_space_ok(struct session *s, long long size)
{
	struct statvfs vfs;

	if (size <= 0 || statvfs(spool_dir(s->sp), &vfs) < 0)
		return 1;
	return (unsigned long long)size + 1024ULL * 1024 <
	    (unsigned long long)vfs.f_bavail * vfs.f_frsize;
}

/* xfer_write_exec - an E command's execution file beside its data */
static int
xfer_write_exec(struct session *s, const struct cmd *c, const char *dname)
{
	char xname[SPOOL_WIRE_MAX], path[PATH_MAX], text[4096];
	int n;

	if (spool_wire_name(s->sp, 'X', s->remote, 'N', xname) < 0 ||
	    spool_in_path(s->sp, s->remote, xname, path, sizeof(path)) < 0)
		return -1;
	n = snprintf(text, sizeof(text), "U %s %s\nF %s\nI %s\n%s%s%s%s%s%sC %s\n",
	    c->user[0] ? c->user : "uucp", s->remote, dname, dname,
	    cmd_has_option(c, 'N') ? "N\n" : "", cmd_has_option(c, 'Z') ? "Z\n" : "",
	    cmd_has_option(c, 'R') && c->notify[0] ? "R " : "",
	    cmd_has_option(c, 'R') && c->notify[0] ? c->notify : "",
	    cmd_has_option(c, 'R') && c->notify[0] ? "\n" : "",
	    cmd_has_option(c, 'e') ? "e\n" : "", c->command);
	if (n < 0 || (size_t)n >= sizeof(text))
		return -1;
	return file_write_atomic(path, text, (size_t)n, 0600);
}

/* xfer_slave_send - the master sends us a file (S or E) */
static int
xfer_slave_send(struct session *s, struct cmd *c)
{
	char final[PATH_MAX], reply[64], dname[SPOOL_WIRE_MAX];
	struct spool_recv r;
	unsigned long long bytes = 0;
	int spooled, restart, good = 0;
	mode_t mode, um;
	long long t0 = now_ms();
	char no = c->kind;	/* 'S' or 'E': the reply letter */

	spooled = c->kind == 'E' || xfer_is_spool_name(c->to);
	if (c->kind == 'E') {
		if (spool_wire_name(s->sp, 'D', s->remote, 'N', dname) < 0 ||
		    spool_in_path(s->sp, s->remote, dname, final, sizeof(final)) < 0)
			goto temp_fail;
	} else if (spooled) {
		if (spool_in_path(s->sp, s->remote, c->to, final, sizeof(final)) < 0) {
			log_warnx("sys=%s: refused %s: bad spool name", s->remote, c->to);
			goto refuse;
		}
	} else {
		if (xfer_resolve(s->perm.pubdir, c->to, c->from, final, sizeof(final)) < 0) {
			log_warnx("sys=%s: refused to write \"%s\": bad file name", s->remote, c->to);
			goto refuse;
		}
		if (!perm_may_write(&s->perm, final)) {
			log_warnx("sys=%s: refused to write %s: not permitted (WRITE)", s->remote,
			    final);
			goto refuse;
		}
	}
	if (spool_recv_seen(s->sp, s->remote, c->temp)) {
		log_info("sys=%s: %s already received (temp %s): SN8", s->remote, final, c->temp);
		snprintf(reply, sizeof(reply), "%cN8", no);
		return xfer_reply(s, reply);
	}
	if (!xfer_space_ok(s, c->size)) {
		log_warnx("sys=%s: no room for %lld bytes: SN6", s->remote, c->size);
		snprintf(reply, sizeof(reply), "%cN6", no);
		return xfer_reply(s, reply);
	}
	restart = s->remote_restart && c->size >= 0;
	if (spool_recv_begin(s->sp, s->remote, c->temp, restart, &r) < 0) {
		log_warn("sys=%s: cannot create a temporary file", s->remote);
		goto temp_fail;
	}
	if (r.offset > 0 && (c->size < 0 || r.offset > c->size)) {
		spool_recv_abort(s->sp, &r, 0);
		if (spool_recv_begin(s->sp, s->remote, c->temp, 0, &r) < 0)
			goto temp_fail;
	}
	if (r.offset > 0)
		snprintf(reply, sizeof(reply), "%cY 0x%llx", no, (unsigned long long)r.offset);
	else
		snprintf(reply, sizeof(reply), "%cY", no);
	s->expect_size = c->size;
	s->crc_given = s->e2e && c->crc[0];
	s->crc_expect = s->crc_given ? strtoul(c->crc, NULL, 16) : 0;
	if (xfer_reply(s, reply) < 0 || (good = xfer_recv_body(s, &r, final, &bytes)) < 0) {
		spool_recv_abort(s->sp, &r, 1);
		xfer_log(s, "receive", final, bytes, t0, (long long)r.offset, "interrupted");
		return -1;
	}
	if (!good) {
		spool_recv_abort(s->sp, &r, 0);
		s->files_failed++;
		xfer_log(s, "receive", final, bytes, t0, (long long)r.offset, "corrupt-rejected");
		return xfer_reply(s, "CN5");
	}
	um = umask(0);
	umask(um);
	mode = spooled ? 0600 : (((c->mode & 0111) ? 0777 : 0666) & ~um);
	if (spool_recv_commit(s->sp, &r, final, mode, !cmd_has_option(c, 'f')) < 0) {
		log_warn("sys=%s: cannot move the received file to %s", s->remote, final);
		spool_recv_abort(s->sp, &r, 0);
		xfer_log(s, "receive", final, bytes, t0, (long long)r.offset, "failed");
		return xfer_reply(s, "CN5");
	}
	if (c->kind == 'E' && xfer_write_exec(s, c, dname) < 0)
		log_warn("sys=%s: cannot write the execution file for %s", s->remote, dname);
	if (c->kind == 'E' || (spooled && c->to[0] == 'X'))
		s->brought_exec = 1;
	s->files_received++;
	s->bytes_received += bytes;
	xfer_log(s, "receive", final, bytes, t0, (long long)r.offset, "ok");
	return xfer_reply(s, "CY");
refuse:
	snprintf(reply, sizeof(reply), "%cN2", no);
	return xfer_reply(s, reply);
temp_fail:
	snprintf(reply, sizeof(reply), "%cN4", no);
	return xfer_reply(s, reply);
}

/* xfer_slave_request - the master asks us for a file (R) */
static int
xfer_slave_request(struct session *s, struct cmd *c)
{
	char path[PATH_MAX], real[PATH_MAX], reply[64], line[256];
	struct stat st;
	unsigned long long bytes = 0;
	long long t0 = now_ms();
	int fd;

	if (!perm_may_request(&s->perm)) {
		log_warnx("sys=%s: refused request for %s: REQUEST not permitted", s->remote,
		    c->from);
		return xfer_reply(s, "RN2");
	}
	if (xfer_is_spool_name(c->from) ||
	    xfer_resolve(s->perm.pubdir, c->from, c->from, path, sizeof(path)) < 0 ||
	    !realpath(path, real) || !perm_may_read(&s->perm, real)) {
		log_warnx("sys=%s: refused request for \"%s\": not permitted (READ) or missing",
		    s->remote, c->from);
		return xfer_reply(s, "RN2");
	}
	fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		log_warnx("sys=%s: refused request for %s: not a readable file", s->remote, real);
		return xfer_reply(s, "RN2");
	}
	fcntl(fd, F_SETFL, 0);
	if (c->size >= 0 && st.st_size > c->size) {
		close(fd);
		log_warnx("sys=%s: %s is larger than the remote accepts", s->remote, real);
		return xfer_reply(s, "RN6");
	}
	snprintf(reply, sizeof(reply), "RY 0%o", (unsigned)(st.st_mode & 0777));
	if (xfer_reply(s, reply) < 0 || xfer_send_body(s, fd, real, 0, &bytes) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	if (s->proto->ops->getcmd(s->proto, line, sizeof(line)) < 0)
		return xfer_fail(s, "line failed waiting for the copy result");
	s->files_sent++;
	s->bytes_sent += bytes;
	xfer_log(s, "send", real, bytes, t0, 0, line[0] == 'C' && line[1] == 'Y' ? "ok" :
	    s->e2e ? "rejected-will-resend" : "failed");
	return 0;
}

/* xfer_slave_uucp - the master asks us to run uucp (X): queue sends of
 * files we may read to the master itself */
static int
xfer_slave_uucp(struct session *s, struct cmd *c)
{
	char pattern[PATH_MAX], real[PATH_MAX];
	const char *bang = strchr(c->to, '!');
	glob_t g;
	size_t i;
	int queued = 0;

	if (!perm_may_request(&s->perm) || !bang ||
	    (size_t)(bang - c->to) != strlen(s->remote) ||
	    strncmp(c->to, s->remote, strlen(s->remote)) != 0 ||
	    xfer_resolve(s->perm.pubdir, c->from, c->from, pattern, sizeof(pattern)) < 0) {
		log_warnx("sys=%s: refused uucp request %s -> %s", s->remote, c->from, c->to);
		return xfer_reply(s, "XN");
	}
	if (glob(pattern, 0, NULL, &g) != 0)
		return xfer_reply(s, "XN");
	for (i = 0; i < g.gl_pathc; i++) {
		struct spool_job job;
		struct spool_cmd sc;
		struct stat st;
		if (!realpath(g.gl_pathv[i], real) || !perm_may_read(&s->perm, real) ||
		    stat(real, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		memset(&job, 0, sizeof(job));
		memset(&sc, 0, sizeof(sc));
		str_copy(job.sys, s->remote, sizeof(job.sys));
		job.grade = 'N';
		str_copy(job.user, c->user, sizeof(job.user));
		sc.kind = 'S';
		str_copy(sc.from, real, sizeof(sc.from));
		str_copy(sc.to, bang + 1, sizeof(sc.to));
		str_copy(sc.user, c->user, sizeof(sc.user));
		str_copy(sc.options, "c", sizeof(sc.options));
		str_copy(sc.temp, "D.0", sizeof(sc.temp));
		sc.mode = st.st_mode & 0777;
		job.ncmd = 1;
		job.cmd = &sc;
		if (spool_queue(s->sp, &job) == 0)
			queued++;
	}
	globfree(&g);
	return xfer_reply(s, queued ? "XY" : "XN");
}

/* xfer_slave - carry out one master command */
int
xfer_slave(struct session *s, const char *line)
{
	struct cmd *c = malloc(sizeof(*c));
	char err[128], reply[8];
	int r;

	if (!c)
		return xfer_fail(s, "out of memory");
	if (cmd_parse(line, c, err, sizeof(err)) < 0) {
		log_warnx("sys=%s: bad command \"%.80s\": %s", s->remote, line, err);
		free(c);
		if (strchr("SRXE", line[0]) && line[0]) {
			snprintf(reply, sizeof(reply), "%cN2", line[0]);
			if (line[0] == 'X')
				str_copy(reply, "XN", sizeof(reply));
			return xfer_reply(s, reply);
		}
		return xfer_fail(s, "the remote sent an unknown command");
	}
	switch (c->kind) {
	case 'S':
	case 'E':
		r = xfer_slave_send(s, c);
		break;
	case 'R':
		r = xfer_slave_request(s, c);
		break;
	case 'X':
		r = xfer_slave_uucp(s, c);
		break;
	default:
		r = xfer_fail(s, "the remote sent an unexpected command");
		break;
	}
	free(c);
	return r;
}

/* xfer_master_send - send one S or E command; returns 1 done, 0 try
 * later, -1 call failed */
static int
xfer_master_send(struct session *s, struct spool_job *job, struct spool_cmd *sc)
{
	struct cmd *c = calloc(1, sizeof(*c));
	char line[8192], path[PATH_MAX], reply[256];
	struct stat st;
	long long pos = 0, t0 = now_ms();
	unsigned long long bytes = 0;
	int fd, ret = -1, spooled = strchr(sc->options, 'C') != NULL;

	if (!c)
		return xfer_fail(s, "out of memory");
	if (spooled) {
		if (spool_data_path(s->sp, s->remote, sc->temp, path, sizeof(path)) < 0)
			path[0] = '\0';
	} else {
		str_copy(path, sc->from, sizeof(path));
	}
	fd = path[0] ? open(path, O_RDONLY | O_CLOEXEC) : -1;
	if (fd < 0 || fstat(fd, &st) < 0) {
		log_warn("sys=%s job=%s: cannot open %s: dropping the command", s->remote, job->id,
		    path);
		if (fd >= 0)
			close(fd);
		free(c);
		return 1;
	}
	c->kind = sc->kind;
	str_copy(c->from, sc->from[0] ? sc->from : sc->temp, sizeof(c->from));
	str_copy(c->to, sc->to, sizeof(c->to));
	str_copy(c->user, sc->user[0] ? sc->user : job->user, sizeof(c->user));
	str_copy(c->options, sc->options, sizeof(c->options));
	str_copy(c->temp, sc->temp[0] ? sc->temp : "D.0", sizeof(c->temp));
	c->mode = sc->mode ? sc->mode : (unsigned)(st.st_mode & 0777);
	str_copy(c->notify, sc->notify, sizeof(c->notify));
	str_copy(c->command, sc->command, sizeof(c->command));
	c->size = st.st_size;
	s->crc_in_cmd = 0;
	if (c->kind == 'S' && s->e2e) {
		/* Between Brigade peers the whole file's CRC-32 travels in the
		 * S command itself: no extra packet per file */
		unsigned long crc;
		if (xfer_crc_prefix(path, c->size, &crc) == 0) {
			snprintf(c->crc, sizeof(c->crc), "%08lx", crc & 0xffffffffUL);
			s->crc_in_cmd = 1;
		}
	}
	if (c->kind == 'E' && !(s->features & CMD_F_EXEC)) {
		log_warnx("sys=%s job=%s: the remote has no E command", s->remote, job->id);
		ret = 0;
		goto out;
	}
	if (cmd_format(c, s->features, line, sizeof(line)) < 0) {
		log_warnx("sys=%s job=%s: cannot express %s for this remote: dropping", s->remote,
		    job->id, c->from);
		ret = 1;
		goto out;
	}
	log_debug(LOG_D_XFER, "sys=%s: command \"%s\"", s->remote, line);
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    s->proto->ops->getcmd(s->proto, reply, sizeof(reply)) < 0) {
		xfer_fail(s, "line failed sending a command");
		goto out;
	}
	if (reply[0] != c->kind || (reply[1] != 'Y' && reply[1] != 'N')) {
		xfer_fail(s, "unexpected reply to a send command");
		goto out;
	}
	if (reply[1] == 'N') {
		int code = atoi(reply + 2);
		ret = (code == 4 || code == 6 || code == 9) ? 0 : 1;
		log_warnx("sys=%s job=%s: remote refused %s -> %s: %s (%s)", s->remote, job->id,
		    c->from, c->to, reply, code == 8 ? "already received" :
		    ret ? "will not succeed; dropped" : "will try later");
		if (code == 8)
			s->files_sent++;
		goto out;
	}
	if (cmd_parse_sy(reply, &pos) < 0 || pos < 0 || pos > c->size)
		pos = 0;
	if (pos > 0 && lseek(fd, (off_t)pos, SEEK_SET) < 0)
		pos = 0;
	s->show_name = c->from;
	if (xfer_send_body(s, fd, path, pos, &bytes) < 0) {
		xfer_log(s, "send", c->from, bytes, t0, pos, "interrupted");
		goto out;
	}
	if (s->proto->ops->getcmd(s->proto, reply, sizeof(reply)) < 0) {
		xfer_fail(s, "line failed waiting for the copy result");
		xfer_log(s, "send", c->from, bytes, t0, pos, "unconfirmed");
		goto out;
	}
	if (reply[0] == 'C' && reply[1] == 'Y') {
		s->files_sent++;
		s->bytes_sent += bytes;
		xfer_log(s, "send", c->from, bytes, t0, pos, "ok");
	} else if (s->e2e && strncmp(reply, "CN5", 3) == 0) {
		xfer_log(s, "send", c->from, bytes, t0, pos, "rejected-will-resend");
		log_warnx("sys=%s job=%s: remote rejected %s (%s): sending it again", s->remote,
		    job->id, c->to, reply);
		ret = XFER_RETRY;
		goto out;
	} else {
		s->files_failed++;
		xfer_log(s, "send", c->from, bytes, t0, pos, "refused");
		log_warnx("sys=%s job=%s: remote could not store %s: %s", s->remote, job->id,
		    c->to, reply);
	}
	ret = 1;
out:
	close(fd);
	free(c);
	return ret;
}

/* xfer_local_dest - where a file we fetch from the remote goes */
static int
xfer_local_dest(struct session *s, const char *to, const char *from, char *out, size_t outlen)
{
	return xfer_resolve(s->conf->pubdir, to, from, out, outlen);
}

/* xfer_master_request - one R command; 1 done, 0 later, -1 call failed */
static int
xfer_master_request(struct session *s, struct spool_job *job, struct spool_cmd *sc)
{
	struct cmd *c = calloc(1, sizeof(*c));
	char line[8192], reply[256], final[PATH_MAX];
	struct spool_recv r;
	unsigned long long bytes = 0;
	long long rsize, t0 = now_ms();
	unsigned mode;
	mode_t um;
	int ret = -1, good;

	if (!c)
		return xfer_fail(s, "out of memory");
	if (xfer_local_dest(s, sc->to, sc->from, final, sizeof(final)) < 0) {
		log_warnx("sys=%s job=%s: bad local destination %s: dropping", s->remote, job->id,
		    sc->to);
		free(c);
		return 1;
	}
	c->kind = 'R';
	str_copy(c->from, sc->from, sizeof(c->from));
	str_copy(c->to, sc->to, sizeof(c->to));
	str_copy(c->user, sc->user[0] ? sc->user : job->user, sizeof(c->user));
	str_copy(c->options, sc->options, sizeof(c->options));
	c->size = -1;
	{
		struct statvfs vfs;
		if (statvfs(spool_dir(s->sp), &vfs) == 0)
			c->size = (long long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / 2);
	}
	if (cmd_format(c, s->features, line, sizeof(line)) < 0) {
		log_warnx("sys=%s job=%s: cannot express request for %s: dropping", s->remote,
		    job->id, c->from);
		ret = 1;
		goto out;
	}
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    s->proto->ops->getcmd(s->proto, reply, sizeof(reply)) < 0) {
		xfer_fail(s, "line failed sending a request");
		goto out;
	}
	if (reply[0] != 'R' || (reply[1] != 'Y' && reply[1] != 'N')) {
		xfer_fail(s, "unexpected reply to a request");
		goto out;
	}
	if (reply[1] == 'N') {
		int code = atoi(reply + 2);
		ret = (code == 6 || code == 9) ? 0 : 1;
		log_warnx("sys=%s job=%s: remote refused request for %s: %s", s->remote, job->id,
		    c->from, reply);
		goto out;
	}
	cmd_parse_ry(reply, &mode, &rsize);
	if (spool_recv_begin(s->sp, s->remote, "", 0, &r) < 0) {
		/* We must still swallow the file to stay in step. */
		xfer_fail(s, "cannot create a temporary file for a request");
		goto out;
	}
	s->expect_size = rsize;
	good = xfer_recv_body(s, &r, final, &bytes);
	if (good < 0) {
		spool_recv_abort(s->sp, &r, 0);
		xfer_log(s, "receive", final, bytes, t0, 0, "interrupted");
		goto out;
	}
	if (!good) {
		spool_recv_abort(s->sp, &r, 0);
		xfer_log(s, "receive", final, bytes, t0, 0, "corrupt-rejected");
		ret = s->proto->ops->sendcmd(s->proto, "CN5") < 0 ? -1 : XFER_RETRY;
		goto out;
	}
	um = umask(0);
	umask(um);
	if (spool_recv_commit(s->sp, &r, final, ((mode & 0111) ? 0777 : 0666) & ~um,
	    !strchr(c->options, 'f')) < 0) {
		log_warn("sys=%s: cannot store %s", s->remote, final);
		spool_recv_abort(s->sp, &r, 0);
		xfer_log(s, "receive", final, bytes, t0, 0, "failed");
		ret = s->proto->ops->sendcmd(s->proto, "CN5") < 0 ? -1 : 1;
		goto out;
	}
	s->files_received++;
	s->bytes_received += bytes;
	xfer_log(s, "receive", final, bytes, t0, 0, "ok");
	ret = s->proto->ops->sendcmd(s->proto, "CY") < 0 ? xfer_fail(s, "line failed") : 1;
out:
	free(c);
	return ret;
}

/* xfer_master_uucp - one X command; 1 done, -1 call failed */
static int
xfer_master_uucp(struct session *s, struct spool_job *job, struct spool_cmd *sc)
{
	struct cmd c;
	char line[8192], reply[64];

	memset(&c, 0, sizeof(c));
	c.kind = 'X';
	str_copy(c.from, sc->from, sizeof(c.from));
	str_copy(c.to, sc->to, sizeof(c.to));
	str_copy(c.user, sc->user[0] ? sc->user : job->user, sizeof(c.user));
	str_copy(c.options, sc->options, sizeof(c.options));
	if (cmd_format(&c, s->features, line, sizeof(line)) < 0)
		return 1;
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    s->proto->ops->getcmd(s->proto, reply, sizeof(reply)) < 0)
		return xfer_fail(s, "line failed sending an X command");
	log_info("sys=%s job=%s: uucp request %s -> %s: %s", s->remote, job->id, c.from, c.to,
	    reply);
	return 1;
}

/* xfer_master_cmd - run one command once; 1 done, 0 later, XFER_RETRY
 * send again, -1 call failed */
static int
xfer_master_cmd(struct session *s, struct spool_job *job, size_t k)
{
	struct spool_cmd *sc = &job->cmd[k];

	switch (sc->kind) {
	case 'S':
	case 'E':
		return xfer_master_send(s, job, sc);
	case 'R':
		return xfer_master_request(s, job, sc);
	case 'X':
		return xfer_master_uucp(s, job, sc);
	default:
		log_warnx("sys=%s job=%s: unknown command kind %c: dropping", s->remote, job->id,
		    sc->kind);
		return 1;
	}
}

/* xfer_master_one - run one command, sending it again a few times when
 * the end-to-end check fails; 1 done, 0 later, -1 call failed */
static int
xfer_master_one(struct session *s, struct spool_job *job, size_t k)
{
	int tries = 0, r;

	while ((r = xfer_master_cmd(s, job, k)) == XFER_RETRY) {
		s->files_resent++;
		if (++tries > XFER_CRC_RETRIES) {
			log_warnx("sys=%s job=%s: still failing the end-to-end check: kept for "
			    "the next call", s->remote, job->id);
			return 0;
		}
	}
	return r;
}

/* xfer_master - send all our work for the remote */
int
xfer_master(struct session *s)
{
	struct spool_job *jobs;
	size_t n, i, k;
	int progress;

	do {
		progress = 0;
		if (spool_list(s->sp, s->remote, &jobs, &n) < 0)
			return xfer_fail(s, "cannot read the spool");
		for (i = 0; i < n; i++) {
			if (!xfer_grade_ok(s, jobs[i].grade))
				continue;
			for (k = 0; k < jobs[i].ncmd; k++) {
				int r;
				if (jobs[i].cmd[k].done || xfer_was_tried(s, &jobs[i], k))
					continue;
				xfer_mark_tried(s, &jobs[i], k);
				progress = 1;
				r = xfer_master_one(s, &jobs[i], k);
				if (r < 0) {
					spool_list_free(jobs, n);
					return -1;
				}
				if (r == 1 && spool_cmd_done(s->sp, &jobs[i], k) < 0)
					log_warn("sys=%s job=%s: cannot mark command done",
					    s->remote, jobs[i].id);
			}
		}
		spool_list_free(jobs, n);
	} while (progress);
	return 0;
}
