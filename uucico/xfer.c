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
#include "uucico/xfer.h"

#define XFER_BUF (64 * 1024)
#define XFER_LINE 8192		/* a command line we build */
#define XFER_REPAIR_MAX_SIZE (1LL << 30)	/* repair positions stay under 2^31 */

/* xfer_fail - record why the call failed; returns -1 */
int
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

/* xfer_log_more - the one line per file; more: " kept=N" (the bytes of
 * a rejected file kept for its restart), " repair=N" (its parts to send
 * again) or "" */
static void
xfer_log_more(struct session *s, const char *dir, const char *file, unsigned long long bytes,
    long long t0, long long offset, const char *result, const char *more)
{
	double secs = (double)(now_ms() - t0) / 1000.0;

	if (strcmp(result, "interrupted") == 0 || strcmp(result, "unconfirmed") == 0)
		s->bytes_cut += bytes;
	log_info("xfer sys=%s dir=%s file=%s bytes=%llu offset=%lld seconds=%.2f result=%s%s "
	    "integrity=%s", s->remote, dir, file, bytes, offset, secs, result, more,
	    s->e2e ? "crc32-end-to-end" : proto_integrity(s->proto->ops->name));
}

/* xfer_log - the one line per file */
static void
xfer_log(struct session *s, const char *dir, const char *file, unsigned long long bytes,
    long long t0, long long offset, const char *result)
{
	xfer_log_more(s, dir, file, bytes, t0, offset, result, "");
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
int
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
void
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
int
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

/* xfer_crc_fd - CRC-32 of the first len bytes of fd, and with p->size
 * set, of each part (p->n of them; len must need at most CMD_PARTS_MAX);
 * 0 or -1 */
static int
xfer_crc_fd(int fd, long long len, unsigned long *crc, struct cmd_parts *p)
{
	unsigned char buf[8192];
	long long off = 0, end;
	unsigned i = 0;

	*crc = crc32(0L, Z_NULL, 0);
	if (p->size > 0) {
		p->n = (unsigned)(len / p->size + (len % p->size != 0));
		if (p->n > CMD_PARTS_MAX)
			return -1;
	}
	while (off < len) {
		end = p->size > 0 ? ((long long)i + 1) * p->size : len;
		if (end > len)
			end = len;
		if (p->size > 0)
			p->crc[i] = crc32(0L, Z_NULL, 0);
		while (off < end) {
			size_t want = end - off < (long long)sizeof(buf) ? (size_t)(end - off) :
			    sizeof(buf);
			ssize_t n = pread(fd, buf, want, (off_t)off);
			if (n <= 0)
				return -1;
			*crc = crc32(*crc, buf, (uInt)n);
			if (p->size > 0)
				p->crc[i] = crc32(p->crc[i], buf, (uInt)n);
			off += n;
		}
		i++;
	}
	return 0;
}

/* xfer_crc_prefix - CRC-32 of the first len bytes of the file at path
 * (the part a restarted transfer does not send again); 0 or -1 */
static int
xfer_crc_prefix(const char *path, long long len, unsigned long *crc)
{
	struct cmd_parts none;
	int fd = open(path, O_RDONLY | O_CLOEXEC), r;

	*crc = crc32(0L, Z_NULL, 0);
	if (fd < 0)
		return len > 0 ? -1 : 0;
	none.size = 0;
	none.n = 0;
	r = xfer_crc_fd(fd, len, crc, &none);
	close(fd);
	return r;
}

/* xfer_meter_start - begin a progress line for one file */
static void
xfer_meter_start(struct xfer_meter *m, const char *dir, const char *file, long long total,
    long long base)
{
	m->dir = dir;
	str_copy(m->file, file, sizeof(m->file));
	m->total = total;
	m->base = base;
	m->t0 = m->last = now_ms();
}

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

/* xfer_in_dest - where the peer's S or E goes: 0, or -1 with the reply
 * letter's refusal code in *code (2 not permitted, 4 our trouble) */
static int
xfer_in_dest(struct session *s, struct xfer_in *in, int *code)
{
	const struct cmd *c = &in->c;

	*code = 2;
	in->spooled = c->kind == 'E' || xfer_is_spool_name(c->to);
	if (c->kind == 'E') {
		*code = 4;
		if (spool_wire_name(s->sp, 'D', s->remote, 'N', in->dname) < 0 ||
		    spool_in_path(s->sp, s->remote, in->dname, in->final, sizeof(in->final)) < 0)
			return -1;
	} else if (in->spooled) {
		if (spool_in_path(s->sp, s->remote, c->to, in->final, sizeof(in->final)) < 0) {
			log_warnx("sys=%s: refused %s: bad spool name", s->remote, c->to);
			return -1;
		}
	} else {
		if (xfer_resolve(s->perm.pubdir, c->to, c->from, in->final, sizeof(in->final)) < 0) {
			log_warnx("sys=%s: refused to write \"%s\": bad file name", s->remote, c->to);
			return -1;
		}
		if (!perm_may_write(&s->perm, in->final)) {
			log_warnx("sys=%s: refused to write %s: not permitted (WRITE)", s->remote,
			    in->final);
			return -1;
		}
	}
	return 0;
}

/* xfer_in_may_repair - whether a rejected copy of the peer's file may be
 * kept whole for its bad parts to be sent again: an S from a Brigade peer
 * with its CRC-32, restartable, larger than one part */
static int
xfer_in_may_repair(const struct session *s, const struct xfer_in *in)
{
	return s->parts && s->remote_restart && !in->request && in->c.kind == 'S' &&
	    in->c.crc[0] && in->r.key[0] && in->c.size <= XFER_REPAIR_MAX_SIZE &&
	    cmd_part_size(in->c.size) > 0;
}

/* xfer_in_note_text - the note for the peer's file with these bad parts:
 * "<size> <crc> P<partsize>:<bitmap>"; 0 or -1 */
static int
xfer_in_note_text(const struct xfer_in *in, const struct cmd_repair *rep, char *out,
    size_t outlen)
{
	char p[CMD_REPAIR_MAX];

	if (cmd_format_repair(rep, p, sizeof(p)) < 0)
		return -1;
	return str_fmt(out, outlen, "%llx %08lx %s\n", (unsigned long long)in->c.size,
	    strtoul(in->c.crc, NULL, 16) & 0xffffffffUL, p);
}

/* xfer_in_note_read - whether the note beside the partial file is one
 * for this very file (same size and CRC-32, the partial file whole): rep
 * set from it */
static int
xfer_in_note_read(struct session *s, struct xfer_in *in, const char *note)
{
	char want[SPOOL_NOTE_MAX + 1], text[CMD_REPAIR_MAX];
	const char *p = strchr(note, ' ');
	size_t len;

	p = p ? strchr(p + 1, ' ') : NULL;
	if (!p || !xfer_in_may_repair(s, in) || in->r.offset != in->c.size)
		return 0;
	len = strcspn(p + 1, "\n");
	if (len >= sizeof(text))
		return 0;
	memcpy(text, p + 1, len);
	text[len] = '\0';
	if (cmd_parse_repair(text, in->c.size, &in->rep) < 0)
		return 0;
	return xfer_in_note_text(in, &in->rep, want, sizeof(want)) == 0 && strcmp(want, note) == 0;
}

/* xfer_in_note - a note of bad parts beside the partial file: for the
 * same file, only those parts are asked for (1); else note and partial
 * file go and the file starts afresh (0), or -1 when that fails */
static int
xfer_in_note(struct session *s, struct xfer_in *in)
{
	char *note = spool_recv_note_get(&in->r);
	int same;

	if (!note)
		return 0;
	same = xfer_in_note_read(s, in, note);
	free(note);
	if (same) {
		in->repair = 1;
		in->next = in->c.size;
		in->rep_end = in->c.size + cmd_repair_len(&in->rep, in->c.size);
		log_info("sys=%s: %s: asking again for %u of its %u parts (%lld bytes)", s->remote,
		    in->final, in->rep.nbad, in->rep.n, in->rep_end - in->c.size);
		return 1;
	}
	memset(&in->rep, 0, sizeof(in->rep));
	log_info("sys=%s: %s: the kept copy does not match this one: starting afresh", s->remote,
	    in->final);
	spool_recv_abort(s->sp, &in->r, 0);
	return spool_recv_begin(s->sp, s->remote, in->c.temp, 0, &in->r);
}

/* xfer_in_offer - the peer offers us a file (S or E) */
int
xfer_in_offer(struct session *s, const struct cmd *c, struct xfer_in *in, char *reply,
    size_t rlen)
{
	char no = c->kind;	/* 'S' or 'E': the reply letter */
	int code, restart;

	memset(in, 0, sizeof(*in));
	in->c = *c;
	in->t0 = now_ms();
	if (xfer_in_dest(s, in, &code) < 0) {
		snprintf(reply, rlen, "%cN%d", no, code);
		return XFER_DONE;
	}
	if (spool_recv_seen(s->sp, s->remote, c->temp)) {
		log_info("sys=%s: %s already received (temp %s): SN8", s->remote, in->final, c->temp);
		snprintf(reply, rlen, "%cN8", no);
		return XFER_DONE;
	}
	if (!xfer_space_ok(s, c->size)) {
		log_warnx("sys=%s: no room for %lld bytes: SN6", s->remote, c->size);
		snprintf(reply, rlen, "%cN6", no);
		return XFER_DONE;
	}
	restart = s->remote_restart && c->size >= 0;
	if (spool_recv_begin(s->sp, s->remote, c->temp, restart, &in->r) < 0) {
		log_warn("sys=%s: cannot create a temporary file", s->remote);
		snprintf(reply, rlen, "%cN4", no);
		return XFER_DONE;
	}
	if (in->r.offset > 0 && (c->size < 0 || in->r.offset > c->size)) {
		spool_recv_abort(s->sp, &in->r, 0);
		if (spool_recv_begin(s->sp, s->remote, c->temp, 0, &in->r) < 0) {
			snprintf(reply, rlen, "%cN4", no);
			return XFER_DONE;
		}
	}
	in->next = (long long)in->r.offset;
	if (in->next > 0 && xfer_in_note(s, in) < 0) {
		snprintf(reply, rlen, "%cN4", no);
		return XFER_DONE;
	}
	in->open = 1;
	if (!in->repair)
		in->next = (long long)in->r.offset;
	in->crc = crc32(0L, Z_NULL, 0);
	if (s->e2e && !in->repair && in->next > 0 &&
	    xfer_crc_prefix(in->r.temp, in->next, &in->crc) < 0)
		in->crc = ~0UL;	/* an unreadable prefix can only fail the check */
	in->crc_given = s->e2e && c->crc[0];
	in->crc_expect = in->crc_given ? strtoul(c->crc, NULL, 16) : 0;
	if (in->repair) {
		char p[CMD_REPAIR_MAX];
		xfer_meter_start(&in->m, "receive", in->final, in->rep_end - in->next, 0);
		if (cmd_format_repair(&in->rep, p, sizeof(p)) < 0 ||
		    str_fmt(reply, rlen, "%cY 0x%llx %s", no, (unsigned long long)in->next,
		    p) < 0) {
			xfer_in_interrupted(s, in);
			snprintf(reply, rlen, "%cN4", no);
			return XFER_DONE;
		}
		return XFER_GO;
	}
	xfer_meter_start(&in->m, "receive", in->final, c->size, in->next);
	if (in->next > 0)
		snprintf(reply, rlen, "%cY 0x%llx", no, (unsigned long long)in->next);
	else
		snprintf(reply, rlen, "%cY", no);
	return XFER_GO;
}

/* xfer_in_put - bytes of the repair stream at in->next into the parts
 * they belong to; 0 or -1 */
static int
xfer_in_put(struct session *s, struct xfer_in *in, const unsigned char *b, size_t n)
{
	long long off, run;
	ssize_t w;
	size_t k;

	if (in->next + (long long)n > in->rep_end) {
		log_warnx("sys=%s: %zu bytes at %lld, past the parts asked for (%lld)", s->remote,
		    n, in->next, in->rep_end);
		return xfer_fail(s, "file data out of place");
	}
	while (n > 0) {
		off = cmd_repair_map(&in->rep, in->c.size, in->next - in->c.size, &run);
		if (off < 0)
			return xfer_fail(s, "file data out of place");
		k = (long long)n < run ? n : (size_t)run;
		w = in->werr ? (ssize_t)k : pwrite(in->r.fd, b, k, (off_t)off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			in->werr = w < 0 && errno ? errno : EIO;
			w = (ssize_t)k;
		}
		b += w;
		n -= (size_t)w;
		in->next += w;
		in->bytes += (unsigned long long)w;
	}
	xfer_meter_show(s, &in->m, in->bytes, 0);
	return 0;
}

/* xfer_in_bytes - file bytes at pos */
int
xfer_in_bytes(struct session *s, struct xfer_in *in, long long pos, const void *buf, size_t n)
{
	const unsigned char *b = buf;

	if (pos > in->next) {
		log_warnx("sys=%s: file data at %lld, expected %lld", s->remote, pos, in->next);
		return xfer_fail(s, "file data out of place");
	}
	if (pos < in->next) {	/* streamed before our SY named the offset */
		long long skip = in->next - pos;
		if (skip >= (long long)n)
			return 0;
		b += skip;
		n -= (size_t)skip;
	}
	if (in->repair)
		return xfer_in_put(s, in, b, n);
	if (!in->werr && write_all(in->r.fd, b, n) < 0)
		in->werr = errno ? errno : EIO;
	in->crc = crc32(in->crc, b, (uInt)n);
	in->next += (long long)n;
	in->bytes += n;
	xfer_meter_show(s, &in->m, in->bytes, 0);
	return 0;
}

/* xfer_in_has_parts - whether the sender follows this file's data with
 * its parts' CRC-32s: the peer's S or E, larger than one part (the same
 * rule as xfer_out_open's, from the size the command gave) */
static int
xfer_in_has_parts(const struct session *s, const struct xfer_in *in)
{
	return s->parts && !in->request && in->c.size > 0 && cmd_part_size(in->c.size) > 0;
}

/* xfer_in_wants_crc - whether a line follows the data */
int
xfer_in_wants_crc(const struct session *s, const struct xfer_in *in)
{
	return s->e2e && (!in->crc_given || xfer_in_has_parts(s, in));
}

/* xfer_in_crc_good - compare the file's CRC-32 with what the sender said
 * (in the S command, or the line "ZCRC32 x"): 1 same, 0 not (logged);
 * parts gets the part list the line carried (n 0: none) */
static int
xfer_in_crc_good(struct session *s, struct xfer_in *in, const char *crcline,
    struct cmd_parts *parts)
{
	unsigned long ours = in->crc & 0xffffffffUL, theirs = in->crc_expect, crc;
	int found;

	parts->n = 0;
	if (!s->e2e)
		return 1;
	found = crcline ? cmd_parse_trailer(crcline, in->c.size, &crc, parts) : 0;
	if (!xfer_in_has_parts(s, in))
		parts->n = 0;
	if (xfer_in_has_parts(s, in) && parts->n == 0)
		log_warnx("sys=%s: no usable part list for %s: \"%.40s\"", s->remote, in->final,
		    crcline ? crcline : "");
	if (!in->crc_given) {
		if (!found) {
			log_warnx("sys=%s: expected the checksum of %s, got \"%.40s\"", s->remote,
			    in->final, crcline ? crcline : "");
			return 0;
		}
		theirs = crc;
	}
	if (theirs == ours) {
		log_debug(LOG_D_XFER, "sys=%s: end-to-end CRC-32 %08lx of %s matches", s->remote,
		    ours, in->final);
		return 1;
	}
	log_warnx("sys=%s: end-to-end check failed for %s: CRC-32 sent %08lx, received %08lx: "
	    "rejected, the sender keeps it", s->remote, in->final, theirs, ours);
	return 0;
}

/* xfer_in_keep - a rejected file whose parts are known: find the first
 * part that differs from the sender's, cut the partial file there (made
 * durable) for the restart; the bytes kept, or 0 when none are (a file
 * asked for with R, no restart, no usable list, nothing good) */
static long long
xfer_in_keep(struct session *s, struct xfer_in *in, const struct cmd_parts *theirs)
{
	struct cmd_parts *ours;
	unsigned long whole;
	long long kept = 0;
	unsigned i;

	if (in->request || !s->remote_restart || !in->r.key[0] || theirs->n == 0 ||
	    (!in->repair && in->next != in->c.size) || !(ours = malloc(sizeof(*ours))))
		return 0;
	ours->size = theirs->size;
	ours->n = 0;
	if (xfer_crc_fd(in->r.fd, in->c.size, &whole, ours) == 0 && ours->n == theirs->n) {
		for (i = 0; i < ours->n && ours->crc[i] == theirs->crc[i]; i++)
			;
		if (i < ours->n)
			kept = (long long)i * theirs->size;
		if (kept > 0)
			log_warnx("sys=%s: %s: part %u of %u (from byte %lld) differs: the %lld "
			    "bytes before it are kept for the restart", s->remote, in->final, i + 1,
			    ours->n, kept, kept);
	}
	free(ours);
	if (kept > 0 && spool_recv_truncate(&in->r, (off_t)kept) < 0) {
		log_warn("sys=%s: cannot cut the partial file of %s", s->remote, in->final);
		kept = 0;
	}
	return kept;
}

/* xfer_in_mark - a rejected S that may be repaired: keep the whole file
 * (made durable) with a note of the parts that differ from the sender's;
 * how many those are, or 0 when it cannot be done (then the file is cut
 * or dropped as before) */
static unsigned
xfer_in_mark(struct session *s, struct xfer_in *in, const struct cmd_parts *theirs)
{
	struct cmd_parts *ours;
	struct cmd_repair *rep = &in->rep;
	char note[SPOOL_NOTE_MAX + 1];
	unsigned long whole;
	unsigned i;

	if (!xfer_in_may_repair(s, in) || theirs->n == 0 ||
	    theirs->size != cmd_part_size(in->c.size) ||
	    (!in->repair && in->next != in->c.size) || !(ours = malloc(sizeof(*ours))))
		return 0;
	ours->size = theirs->size;
	ours->n = 0;
	memset(rep, 0, sizeof(*rep));
	if (xfer_crc_fd(in->r.fd, in->c.size, &whole, ours) == 0 && ours->n == theirs->n) {
		rep->size = theirs->size;
		rep->n = theirs->n;
		for (i = 0; i < rep->n; i++)
			if (ours->crc[i] != theirs->crc[i]) {
				rep->bad[i] = 1;
				rep->nbad++;
			}
	}
	free(ours);
	if (rep->nbad == 0 || fsync(in->r.fd) < 0 ||
	    xfer_in_note_text(in, rep, note, sizeof(note)) < 0 ||
	    spool_recv_note_put(&in->r, note) < 0) {
		if (rep->nbad > 0)
			log_warn("sys=%s: cannot keep the note of bad parts of %s", s->remote,
			    in->final);
		spool_recv_note_drop(&in->r);
		return 0;
	}
	log_warnx("sys=%s: %s: %u of its %u parts differ: the file is kept, those parts are "
	    "asked for again", s->remote, in->final, rep->nbad, rep->n);
	return rep->nbad;
}

/* xfer_in_recrc - a repaired file's CRC-32, read back from the file (the
 * running one covers only what came); an unreadable one fails the check */
static void
xfer_in_recrc(struct xfer_in *in)
{
	struct cmd_parts none;

	none.size = 0;
	none.n = 0;
	if (xfer_crc_fd(in->r.fd, in->c.size, &in->crc, &none) < 0)
		in->crc = ~in->crc_expect;
}

/* xfer_in_check - a write error or a failed end-to-end check ends the
 * file here: -1 (the call fails) or 0 (reply is CN5); XFER_GO: commit */
static int
xfer_in_check(struct session *s, struct xfer_in *in, const char *crcline, long long off,
    char *reply, size_t rlen)
{
	struct cmd_parts *parts;
	long long kept = 0;
	unsigned nbad;
	char more[40] = "";

	if (in->werr) {
		/* A full disk or a write error: fail the call so the sender
		 * keeps the file queued; nothing is lost. */
		errno = in->werr;
		log_warn("sys=%s: cannot write received data", s->remote);
		spool_recv_abort(s->sp, &in->r, !in->request);
		in->open = 0;
		xfer_log(s, "receive", in->final, in->bytes, in->t0, off, "interrupted");
		return xfer_fail(s, in->werr == ENOSPC ? "spool disk full" : "write error on spool");
	}
	if (!(parts = malloc(sizeof(*parts)))) {
		xfer_in_interrupted(s, in);
		return xfer_fail(s, "out of memory");
	}
	if (in->repair)
		xfer_in_recrc(in);
	if (xfer_in_crc_good(s, in, crcline, parts)) {
		free(parts);
		return XFER_GO;
	}
	nbad = xfer_in_mark(s, in, parts);
	if (nbad == 0)
		kept = xfer_in_keep(s, in, parts);
	free(parts);
	spool_recv_abort(s->sp, &in->r, nbad > 0 || kept > 0);
	in->open = 0;
	s->files_failed++;
	if (nbad > 0)
		snprintf(more, sizeof(more), " repair=%u", nbad);
	else
		snprintf(more, sizeof(more), " kept=%lld", kept);
	xfer_log_more(s, "receive", in->final, in->bytes, in->t0, off, "corrupt-rejected", more);
	str_copy(reply, "CN5", rlen);
	return 0;
}

/* xfer_in_finish - the file is complete: check, commit, log, reply */
int
xfer_in_finish(struct session *s, struct xfer_in *in, const char *crcline, char *reply,
    size_t rlen)
{
	long long off = in->request || in->repair ? 0 : (long long)in->r.offset;
	char more[40] = "";
	mode_t mode, um;
	int r;

	xfer_meter_show(s, &in->m, in->bytes, 1);
	if ((r = xfer_in_check(s, in, crcline, off, reply, rlen)) != XFER_GO)
		return r;
	um = umask(0);
	umask(um);
	if (in->request)
		mode = ((in->mode & 0111) ? 0777 : 0666) & ~um;
	else
		mode = in->spooled ? 0600 : (((in->c.mode & 0111) ? 0777 : 0666) & ~um);
	in->open = 0;
	if (spool_recv_commit(s->sp, &in->r, in->final, mode, !cmd_has_option(&in->c, 'f')) < 0) {
		log_warn("sys=%s: cannot %s %s", s->remote, in->request ? "store" :
		    "move the received file to", in->final);
		spool_recv_abort(s->sp, &in->r, 0);
		xfer_log(s, "receive", in->final, in->bytes, in->t0, off, "failed");
		str_copy(reply, "CN5", rlen);
		return 0;
	}
	if (in->c.kind == 'E' && xfer_write_exec(s, &in->c, in->dname) < 0)
		log_warn("sys=%s: cannot write the execution file for %s", s->remote, in->dname);
	if (in->c.kind == 'E' || (!in->request && in->spooled && in->c.to[0] == 'X'))
		s->brought_exec = 1;
	s->files_received++;
	s->bytes_received += in->bytes;
	if (in->repair)
		snprintf(more, sizeof(more), " repaired=%u", in->rep.nbad);
	xfer_log_more(s, "receive", in->final, in->bytes, in->t0, off, "ok", more);
	str_copy(reply, "CY", rlen);
	return 0;
}

/* xfer_in_repair_progress - a repair cut short by the line: the parts
 * that came whole in this call leave the note, so the next call asks for
 * the rest only (on a line that hangs up sooner than all of them take,
 * asking for all again would never end).  The file's final check still
 * catches a part that came damaged.  At least one part stays asked for. */
static void
xfer_in_repair_progress(struct session *s, struct xfer_in *in)
{
	struct cmd_repair rep = in->rep;
	long long got = in->next - in->c.size, at = 0, len;
	char note[SPOOL_NOTE_MAX + 1];
	unsigned i, left = rep.nbad, done = 0;

	for (i = 0; i < rep.n && left > 1; i++) {
		if (!rep.bad[i])
			continue;
		len = (long long)(i + 1) * rep.size > in->c.size ? in->c.size - (long long)i * rep.size :
		    rep.size;
		if (at + len > got)
			break;
		at += len;
		rep.bad[i] = 0;
		left--;
		done++;
	}
	if (done == 0)
		return;
	rep.nbad = left;
	if (fsync(in->r.fd) < 0 || xfer_in_note_text(in, &rep, note, sizeof(note)) < 0 ||
	    spool_recv_note_put(&in->r, note) < 0) {
		log_warn("sys=%s: cannot note the repair's progress on %s", s->remote, in->final);
		return;
	}
	log_info("sys=%s: %s: %u of %u parts repaired before the line failed; %u still to come",
	    s->remote, in->final, done, in->rep.nbad, left);
}

/* xfer_in_interrupted - the line failed mid-file */
void
xfer_in_interrupted(struct session *s, struct xfer_in *in)
{
	if (!in->open)
		return;
	if (in->repair)
		xfer_in_repair_progress(s, in);
	/* a partial of the peer's S is kept for a restart; a request's not */
	spool_recv_abort(s->sp, &in->r, !in->request);
	in->open = 0;
	xfer_log(s, "receive", in->final, in->bytes, in->t0, in->request ? 0 :
	    (long long)in->r.offset, "interrupted");
}

/* xfer_in_request - our R command */
int
xfer_in_request(struct session *s, struct spool_job *job, size_t k, struct xfer_in *in,
    char *line, size_t len)
{
	struct spool_cmd *sc = &job->cmd[k];
	struct cmd *c = &in->c;
	struct statvfs vfs;

	memset(in, 0, sizeof(*in));
	in->request = 1;
	in->t0 = now_ms();
	if (xfer_resolve(s->conf->pubdir, sc->to, sc->from, in->final, sizeof(in->final)) < 0) {
		log_warnx("sys=%s job=%s: bad local destination %s: dropping", s->remote, job->id,
		    sc->to);
		return XFER_DONE;
	}
	c->kind = 'R';
	str_copy(c->from, sc->from, sizeof(c->from));
	str_copy(c->to, sc->to, sizeof(c->to));
	str_copy(c->user, sc->user[0] ? sc->user : job->user, sizeof(c->user));
	str_copy(c->options, sc->options, sizeof(c->options));
	c->size = -1;
	if (statvfs(spool_dir(s->sp), &vfs) == 0)
		c->size = (long long)((unsigned long long)vfs.f_bavail * vfs.f_frsize / 2);
	if (cmd_format(c, s->features, line, len) < 0) {
		log_warnx("sys=%s job=%s: cannot express request for %s: dropping", s->remote,
		    job->id, c->from);
		return XFER_DONE;
	}
	return XFER_GO;
}

/* xfer_in_answered - RY or RN to our R */
int
xfer_in_answered(struct session *s, struct spool_job *job, struct xfer_in *in, const char *reply)
{
	long long rsize = -1;

	if (reply[0] != 'R' || (reply[1] != 'Y' && reply[1] != 'N'))
		return xfer_fail(s, "unexpected reply to a request");
	if (reply[1] == 'N') {
		int code = atoi(reply + 2);
		log_warnx("sys=%s job=%s: remote refused request for %s: %s", s->remote, job->id,
		    in->c.from, reply);
		return (code == 6 || code == 9) ? XFER_LATER : XFER_DONE;
	}
	cmd_parse_ry(reply, &in->mode, &rsize);
	if (spool_recv_begin(s->sp, s->remote, "", 0, &in->r) < 0)
		return xfer_fail(s, "cannot create a temporary file for a request");
	in->open = 1;
	in->next = 0;
	in->crc = crc32(0L, Z_NULL, 0);
	in->t0 = now_ms();
	xfer_meter_start(&in->m, "receive", in->final, rsize, 0);
	return XFER_GO;
}

/* xfer_out_open - open the regular file o->path names for sending, its
 * permission bits in *mode; 0 or -1 */
static int
xfer_out_open(struct session *s, struct xfer_out *o, unsigned *mode)
{
	struct stat st;

	o->fd = open(o->path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (o->fd < 0)
		return -1;
	if (fstat(o->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(o->fd);
		o->fd = -1;
		return -1;
	}
	fcntl(o->fd, F_SETFL, 0);
	o->size = o->end = st.st_size;
	*mode = (unsigned)(st.st_mode & 0777);
	o->crc = crc32(0L, Z_NULL, 0);
	/* our S or E larger than one part: each part's CRC-32 follows the
	 * data (the rule xfer_in_has_parts applies to the size we send) */
	o->parts.n = 0;
	o->parts.size = o->job && s->parts && (s->features & CMD_F_SIZE) ?
	    cmd_part_size(o->size) : 0;
	if (s->e2e && xfer_crc_fd(o->fd, o->size, &o->crc, &o->parts) < 0) {
		close(o->fd);
		o->fd = -1;
		return -1;
	}
	if (!s->e2e)
		o->parts.size = 0;
	return 0;
}

/* xfer_out_job - our S or E for job's command k */
int
xfer_out_job(struct session *s, struct spool_job *job, size_t k, struct xfer_out *o, char *line,
    size_t len)
{
	struct spool_cmd *sc = &job->cmd[k];
	struct cmd *c = &o->c;
	unsigned mode;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->job = job;
	o->k = k;
	o->t0 = now_ms();
	if (strchr(sc->options, 'C')) {
		if (spool_data_path(s->sp, s->remote, sc->temp, o->path, sizeof(o->path)) < 0)
			o->path[0] = '\0';
	} else {
		str_copy(o->path, sc->from, sizeof(o->path));
	}
	if (!o->path[0] || xfer_out_open(s, o, &mode) < 0) {
		log_warn("sys=%s job=%s: cannot open %s: dropping the command", s->remote, job->id,
		    o->path);
		return XFER_DONE;
	}
	c->kind = sc->kind;
	str_copy(c->from, sc->from[0] ? sc->from : sc->temp, sizeof(c->from));
	str_copy(c->to, sc->to, sizeof(c->to));
	str_copy(c->user, sc->user[0] ? sc->user : job->user, sizeof(c->user));
	str_copy(c->options, sc->options, sizeof(c->options));
	str_copy(c->temp, sc->temp[0] ? sc->temp : "D.0", sizeof(c->temp));
	c->mode = sc->mode ? sc->mode : mode;
	str_copy(c->notify, sc->notify, sizeof(c->notify));
	str_copy(c->command, sc->command, sizeof(c->command));
	c->size = o->size;
	/* Between Brigade peers the whole file's CRC-32 travels in the S
	 * command itself (no extra packet per file); E has it after. */
	if (c->kind == 'S' && s->e2e)
		snprintf(c->crc, sizeof(c->crc), "%08lx", o->crc & 0xffffffffUL);
	o->crc_after = s->e2e && c->kind != 'S';
	xfer_meter_start(&o->m, "send", c->from, o->size, 0);
	if (c->kind == 'E' && !(s->features & CMD_F_EXEC)) {
		log_warnx("sys=%s job=%s: the remote has no E command", s->remote, job->id);
		xfer_out_close(o);
		return XFER_LATER;
	}
	if (cmd_format(c, s->features, line, len) < 0) {
		log_warnx("sys=%s job=%s: cannot express %s for this remote: dropping", s->remote,
		    job->id, c->from);
		xfer_out_close(o);
		return XFER_DONE;
	}
	return XFER_GO;
}

/* xfer_out_repair - an SY that asks for some parts only: the stream
 * becomes those parts' bytes at positions from o->size on (a bad list
 * gets nothing: the check fails again and the retry rule decides).
 * 1 when the SY had a list, else 0. */
static int
xfer_out_repair(struct session *s, struct xfer_out *o, const char *reply)
{
	int r = cmd_parse_sy_repair(reply, o->size, &o->rep);

	if (r == 0)
		return 0;
	if (r < 0 || o->rep.size != o->parts.size || o->rep.n != o->parts.n) {
		log_warnx("sys=%s: a part list for %s that does not fit it: \"%.80s\"", s->remote,
		    o->c.from, reply);
		memset(&o->rep, 0, sizeof(o->rep));
		o->end = o->size;
	} else {
		o->end = o->size + cmd_repair_len(&o->rep, o->size);
		log_info("sys=%s: %s: the remote asks again for %u of its %u parts (%lld bytes)",
		    s->remote, o->c.from, o->rep.nbad, o->rep.n, o->end - o->size);
	}
	o->start = o->pos = o->size;
	o->m.base = 0;
	o->m.total = o->end - o->size;
	return 1;
}

/* xfer_out_started - SY or SN to our S/E */
int
xfer_out_started(struct session *s, struct xfer_out *o, const char *reply)
{
	long long pos = 0;

	if (reply[0] != o->c.kind || (reply[1] != 'Y' && reply[1] != 'N'))
		return xfer_fail(s, "unexpected reply to a send command");
	if (reply[1] == 'N') {
		int code = atoi(reply + 2), later = code == 4 || code == 6 || code == 9;
		log_warnx("sys=%s job=%s: remote refused %s -> %s: %s (%s)", s->remote,
		    o->job ? o->job->id : "-", o->c.from, o->c.to, reply, code == 8 ?
		    "already received" : later ? "will try later" : "will not succeed; dropped");
		if (code == 8)
			s->files_sent++;
		return later ? XFER_LATER : XFER_DONE;
	}
	if (s->e2e && o->parts.n > 0 && xfer_out_repair(s, o, reply))
		return XFER_GO;
	if (cmd_parse_sy(reply, &pos) < 0 || pos < 0 || pos > o->size)
		pos = 0;
	o->start = pos;
	if (pos > o->pos)
		o->pos = pos;
	o->m.base = pos;
	return XFER_GO;
}

/* xfer_out_request - the peer asks us for a file (R) */
int
xfer_out_request(struct session *s, const struct cmd *c, struct xfer_out *o, char *reply,
    size_t rlen)
{
	char path[PATH_MAX];
	unsigned mode;

	memset(o, 0, sizeof(*o));
	o->fd = -1;
	o->c = *c;
	o->t0 = now_ms();
	str_copy(reply, "RN2", rlen);
	if (!perm_may_request(&s->perm)) {
		log_warnx("sys=%s: refused request for %s: REQUEST not permitted", s->remote,
		    c->from);
		return XFER_DONE;
	}
	if (xfer_is_spool_name(c->from) ||
	    xfer_resolve(s->perm.pubdir, c->from, c->from, path, sizeof(path)) < 0 ||
	    !realpath(path, o->path) || !perm_may_read(&s->perm, o->path)) {
		log_warnx("sys=%s: refused request for \"%s\": not permitted (READ) or missing",
		    s->remote, c->from);
		return XFER_DONE;
	}
	if (xfer_out_open(s, o, &mode) < 0) {
		log_warnx("sys=%s: refused request for %s: not a readable file", s->remote, o->path);
		return XFER_DONE;
	}
	if (c->size >= 0 && o->size > c->size) {
		xfer_out_close(o);
		log_warnx("sys=%s: %s is larger than the remote accepts", s->remote, o->path);
		str_copy(reply, "RN6", rlen);
		return XFER_DONE;
	}
	str_copy(o->c.from, o->path, sizeof(o->c.from));
	o->crc_after = s->e2e;
	xfer_meter_start(&o->m, "send", o->path, o->size, 0);
	snprintf(reply, rlen, "RY 0%o", mode);
	return XFER_GO;
}

/* xfer_out_read - the next bytes to send */
ssize_t
xfer_out_read(struct session *s, struct xfer_out *o, void *buf, size_t len)
{
	long long off = o->pos, run;
	ssize_t n;

	if (o->pos >= o->end) {
		xfer_meter_show(s, &o->m, o->bytes, 1);
		return 0;
	}
	if ((long long)len > o->end - o->pos)
		len = (size_t)(o->end - o->pos);
	if (o->rep.nbad > 0) {
		off = cmd_repair_map(&o->rep, o->size, o->pos - o->size, &run);
		if (off < 0)
			return xfer_fail(s, "a part to send again is out of the file");
		if ((long long)len > run)
			len = (size_t)run;
	}
	do
		n = pread(o->fd, buf, len, (off_t)off);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return xfer_fail(s, "read error on a file being sent");
	o->pos += n;
	o->bytes += (unsigned long long)n;
	xfer_meter_show(s, &o->m, o->bytes, 0);
	return n;
}

/* xfer_out_crcline - "ZCRC32 x", "ZPARTS ..." or both after the data,
 * when any goes */
const char *
xfer_out_crcline(const struct xfer_out *o, char *buf, size_t len)
{
	if (!o->crc_after && o->parts.n == 0)
		return NULL;
	if (cmd_format_trailer(o->crc_after, o->crc, &o->parts, buf, len) < 0)
		return NULL;
	return buf;
}

/* xfer_out_log - the line for a file sent (" repair=N": only N parts went) */
static void
xfer_out_log(struct session *s, const struct xfer_out *o, const char *result)
{
	char more[40] = "";

	if (o->rep.nbad > 0)
		snprintf(more, sizeof(more), " repair=%u", o->rep.nbad);
	xfer_log_more(s, "send", o->c.from, o->bytes, o->t0, o->rep.nbad > 0 ? 0 : o->start,
	    result, more);
}

/* xfer_out_confirmed - CY or CN after the data */
int
xfer_out_confirmed(struct session *s, struct xfer_out *o, const char *reply)
{
	const char *id = o->job ? o->job->id : "-";

	if (reply[0] == 'C' && reply[1] == 'Y') {
		s->files_sent++;
		s->bytes_sent += o->bytes;
		xfer_out_log(s, o, "ok");
		return XFER_DONE;
	}
	if (s->e2e && strncmp(reply, "CN5", 3) == 0) {
		xfer_out_log(s, o, "rejected-will-resend");
		log_warnx("sys=%s job=%s: remote rejected %s (%s): sending it again", s->remote, id,
		    o->c.to, reply);
		return o->job ? XFER_RETRY : XFER_DONE;
	}
	s->files_failed++;
	xfer_out_log(s, o, "refused");
	log_warnx("sys=%s job=%s: remote could not store %s: %s", s->remote, id, o->c.to, reply);
	return XFER_DONE;
}

/* xfer_out_interrupted - the line failed before the file was confirmed */
void
xfer_out_interrupted(struct session *s, struct xfer_out *o, const char *result)
{
	xfer_out_log(s, o, result);
}

/* xfer_out_close - release o's file */
void
xfer_out_close(struct xfer_out *o)
{
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

/* xfer_uucp_request - our X command */
int
xfer_uucp_request(struct session *s, struct spool_job *job, size_t k, char *line, size_t len)
{
	struct spool_cmd *sc = &job->cmd[k];
	struct cmd c;

	memset(&c, 0, sizeof(c));
	c.kind = 'X';
	str_copy(c.from, sc->from, sizeof(c.from));
	str_copy(c.to, sc->to, sizeof(c.to));
	str_copy(c.user, sc->user[0] ? sc->user : job->user, sizeof(c.user));
	str_copy(c.options, sc->options, sizeof(c.options));
	return cmd_format(&c, s->features, line, len) < 0 ? XFER_DONE : XFER_GO;
}

/* xfer_uucp_run - the master asks us to run uucp (X): queue sends of
 * files we may read to the master itself */
void
xfer_uucp_run(struct session *s, const struct cmd *c, char *reply, size_t rlen)
{
	char pattern[PATH_MAX], real[PATH_MAX];
	const char *bang = strchr(c->to, '!');
	glob_t g;
	size_t i;
	int queued = 0;

	str_copy(reply, "XN", rlen);
	if (!perm_may_request(&s->perm) || !bang ||
	    (size_t)(bang - c->to) != strlen(s->remote) ||
	    strncmp(c->to, s->remote, strlen(s->remote)) != 0 ||
	    xfer_resolve(s->perm.pubdir, c->from, c->from, pattern, sizeof(pattern)) < 0) {
		log_warnx("sys=%s: refused uucp request %s -> %s", s->remote, c->from, c->to);
		return;
	}
	if (glob(pattern, 0, NULL, &g) != 0)
		return;
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
		sc.from = real;
		sc.to = bang + 1;
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
	if (queued)
		str_copy(reply, "XY", rlen);
}

/* xfer_parse_cmd - a command from the peer, or the refusal to send */
int
xfer_parse_cmd(struct session *s, const char *line, struct cmd *c, char *reply, size_t rlen)
{
	char err[128];

	if (cmd_parse(line, c, err, sizeof(err)) == 0 && strchr("SREX", c->kind))
		return 0;
	log_warnx("sys=%s: bad command \"%.80s\": %s", s->remote, line, err);
	reply[0] = '\0';
	if (line[0] && strchr("SRE", line[0]))
		snprintf(reply, rlen, "%cN2", line[0]);
	else if (line[0] == 'X')
		str_copy(reply, "XN", rlen);
	return -1;
}

/*
 * The command loop: one command at a time, each waited for (g, G, t, e).
 */

/* xfer_get - the next command string from the peer; 0 or -1 */
static int
xfer_get(struct session *s, char *line, size_t len, const char *what)
{
	if (s->proto->ops->getcmd(s->proto, line, len) < 0)
		return xfer_fail(s, what);
	return 0;
}

/* xfer_recv_file - receive a file's bytes into in, then its checksum
 * line if one follows; reply CY/CN5.  0, or -1 when the call failed. */
static int
xfer_recv_file(struct session *s, struct xfer_in *in, char *reply, size_t rlen)
{
	char *buf = malloc(XFER_BUF), crcline[CMD_TRAILER_MAX];
	ssize_t n;

	if (!buf) {
		xfer_in_interrupted(s, in);
		return xfer_fail(s, "out of memory");
	}
	while ((n = s->proto->ops->getdata(s->proto, buf, XFER_BUF)) > 0)
		if (xfer_in_bytes(s, in, in->next, buf, (size_t)n) < 0)
			break;
	free(buf);
	if (n != 0 || (xfer_in_wants_crc(s, in) && xfer_get(s, crcline, sizeof(crcline),
	    "line failed waiting for the file's checksum") < 0)) {
		xfer_in_interrupted(s, in);
		return xfer_fail(s, "line failed while receiving a file");
	}
	return xfer_in_finish(s, in, xfer_in_wants_crc(s, in) ? crcline : NULL, reply, rlen);
}

/* xfer_send_file - send o's bytes from o->pos, the end mark and the
 * checksum line if one goes; 0 or -1 */
static int
xfer_send_file(struct session *s, struct xfer_out *o)
{
	char *buf = malloc(XFER_BUF), crcline[CMD_TRAILER_MAX];
	const char *cl;
	ssize_t r;

	if (!buf)
		return xfer_fail(s, "out of memory");
	s->proto->send_size = o->end - o->pos;
	s->proto->send_pos = o->pos;
	do {
		/* smaller reads when someone watches, so the meter moves */
		r = xfer_out_read(s, o, buf, s->progress ? 4096 : XFER_BUF);
		if (r >= 0 && s->proto->ops->senddata(s->proto, buf, (size_t)r) < 0)
			r = xfer_fail(s, "line failed while sending a file");
	} while (r > 0);
	free(buf);
	if (r < 0)
		return -1;
	cl = xfer_out_crcline(o, crcline, sizeof(crcline));
	if (cl && s->proto->ops->sendcmd(s->proto, cl) < 0)
		return xfer_fail(s, "line failed sending the file's checksum");
	return 0;
}

/* xfer_slave_send - the master sends us a file (S or E) */
static int
xfer_slave_send(struct session *s, const struct cmd *c)
{
	struct xfer_in *in = malloc(sizeof(*in));
	char reply[256];
	int r;

	if (!in)
		return xfer_fail(s, "out of memory");
	r = xfer_in_offer(s, c, in, reply, sizeof(reply));
	if (xfer_reply(s, reply) < 0) {
		xfer_in_interrupted(s, in);
		free(in);
		return -1;
	}
	if (r == XFER_GO)
		r = xfer_recv_file(s, in, reply, sizeof(reply)) < 0 ? -1 : xfer_reply(s, reply);
	else
		r = 0;
	free(in);
	return r;
}

/* xfer_slave_request - the master asks us for a file (R) */
static int
xfer_slave_request(struct session *s, const struct cmd *c)
{
	struct xfer_out *o = malloc(sizeof(*o));
	char reply[64], line[256];
	int r;

	if (!o)
		return xfer_fail(s, "out of memory");
	r = xfer_out_request(s, c, o, reply, sizeof(reply));
	if (xfer_reply(s, reply) < 0 || r != XFER_GO) {
		xfer_out_close(o);
		free(o);
		return r == XFER_GO ? -1 : s->why[0] ? -1 : 0;
	}
	r = xfer_send_file(s, o) < 0 ||
	    xfer_get(s, line, sizeof(line), "line failed waiting for the copy result") < 0 ? -1 : 0;
	if (r == 0)
		xfer_out_confirmed(s, o, line);
	else
		xfer_out_interrupted(s, o, "interrupted");
	xfer_out_close(o);
	free(o);
	return r;
}

/* xfer_slave - carry out one master command */
int
xfer_slave(struct session *s, const char *line)
{
	struct cmd *c = malloc(sizeof(*c));
	char reply[64];
	int r;

	if (!c)
		return xfer_fail(s, "out of memory");
	if (xfer_parse_cmd(s, line, c, reply, sizeof(reply)) < 0) {
		free(c);
		if (!reply[0])
			return xfer_fail(s, "the remote sent an unknown command");
		return xfer_reply(s, reply);
	}
	switch (c->kind) {
	case 'S':
	case 'E':
		r = xfer_slave_send(s, c);
		break;
	case 'R':
		r = xfer_slave_request(s, c);
		break;
	default:
		xfer_uucp_run(s, c, reply, sizeof(reply));
		r = xfer_reply(s, reply);
		break;
	}
	free(c);
	return r;
}

/* xfer_master_send - one S or E command: XFER_DONE, XFER_LATER,
 * XFER_RETRY, or -1; *left: the bytes this try had to send (after a
 * restart offset, or only the parts asked for again) */
static int
xfer_master_send(struct session *s, struct spool_job *job, size_t k, long long *left)
{
	struct xfer_out *o = malloc(sizeof(*o));
	char line[XFER_LINE], reply[256];
	int ret;

	if (!o)
		return xfer_fail(s, "out of memory");
	ret = xfer_out_job(s, job, k, o, line, sizeof(line));
	if (ret != XFER_GO)
		goto out;
	log_debug(LOG_D_XFER, "sys=%s: command \"%s\"", s->remote, line);
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    xfer_get(s, reply, sizeof(reply), "line failed sending a command") < 0) {
		ret = xfer_fail(s, "line failed sending a command");
		goto out;
	}
	ret = xfer_out_started(s, o, reply);
	if (ret != XFER_GO)
		goto out;
	if (o->pos > 0 && lseek(o->fd, (off_t)o->pos, SEEK_SET) < 0)
		o->pos = o->start = 0;
	if (xfer_send_file(s, o) < 0) {
		xfer_out_interrupted(s, o, "interrupted");
		ret = -1;
		goto out;
	}
	if (xfer_get(s, reply, sizeof(reply), "line failed waiting for the copy result") < 0) {
		xfer_out_interrupted(s, o, "unconfirmed");
		ret = -1;
		goto out;
	}
	ret = xfer_out_confirmed(s, o, reply);
out:
	*left = o->end - o->start;
	xfer_out_close(o);
	free(o);
	return ret;
}

/* xfer_master_request - one R command: XFER_DONE, XFER_LATER,
 * XFER_RETRY, or -1 */
static int
xfer_master_request(struct session *s, struct spool_job *job, size_t k)
{
	struct xfer_in *in = malloc(sizeof(*in));
	char line[XFER_LINE], reply[256];
	int ret;

	if (!in)
		return xfer_fail(s, "out of memory");
	ret = xfer_in_request(s, job, k, in, line, sizeof(line));
	if (ret != XFER_GO)
		goto out;
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    xfer_get(s, reply, sizeof(reply), "line failed sending a request") < 0) {
		ret = xfer_fail(s, "line failed sending a request");
		goto out;
	}
	ret = xfer_in_answered(s, job, in, reply);
	if (ret != XFER_GO)
		goto out;
	if (xfer_recv_file(s, in, reply, sizeof(reply)) < 0) {
		ret = -1;
		goto out;
	}
	ret = strcmp(reply, "CY") == 0 ? XFER_DONE : s->e2e ? XFER_RETRY : XFER_DONE;
	if (xfer_reply(s, reply) < 0)
		ret = -1;
out:
	free(in);
	return ret;
}

/* xfer_master_uucp - one X command: XFER_DONE or -1 */
static int
xfer_master_uucp(struct session *s, struct spool_job *job, size_t k)
{
	char line[XFER_LINE], reply[64];

	if (xfer_uucp_request(s, job, k, line, sizeof(line)) != XFER_GO)
		return XFER_DONE;
	if (s->proto->ops->sendcmd(s->proto, line) < 0 ||
	    xfer_get(s, reply, sizeof(reply), "line failed sending an X command") < 0)
		return xfer_fail(s, "line failed sending an X command");
	log_info("sys=%s job=%s: uucp request %s -> %s: %s", s->remote, job->id,
	    job->cmd[k].from, job->cmd[k].to, reply);
	return XFER_DONE;
}

/* xfer_master_cmd - run one command once; *left: the bytes a file sent
 * had to carry (-1 for the rest) */
static int
xfer_master_cmd(struct session *s, struct spool_job *job, size_t k, long long *left)
{
	*left = -1;
	switch (job->cmd[k].kind) {
	case 'S':
	case 'E':
		return xfer_master_send(s, job, k, left);
	case 'R':
		return xfer_master_request(s, job, k);
	case 'X':
		return xfer_master_uucp(s, job, k);
	default:
		log_warnx("sys=%s job=%s: unknown command kind %c: dropping", s->remote, job->id,
		    job->cmd[k].kind);
		return XFER_DONE;
	}
}

/* xfer_master_one - run one command, sending it again a few times when
 * the end-to-end check fails; a try that had fewer bytes to send than
 * the one before (the receiver kept more good parts, or asked for fewer
 * parts again) does not count, so a long file on a noisy line gets there
 * part by part.  XFER_DONE, XFER_LATER or -1 */
static int
xfer_master_one(struct session *s, struct spool_job *job, size_t k)
{
	long long left, before = -1;
	int tries = 0, r;

	while ((r = xfer_master_cmd(s, job, k, &left)) == XFER_RETRY) {
		s->files_resent++;
		if (before >= 0 && left >= 0 && left < before) {
			before = left;
			continue;
		}
		if (before < 0)
			before = left;
		if (++tries > XFER_CRC_RETRIES) {
			log_warnx("sys=%s job=%s: still failing the end-to-end check: kept for "
			    "the next call", s->remote, job->id);
			return XFER_LATER;
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
				if (r == XFER_DONE && spool_cmd_done(s->sp, &jobs[i], k) < 0)
					log_warn("sys=%s job=%s: cannot mark command done",
					    s->remote, jobs[i].id);
			}
		}
		spool_list_free(jobs, n);
	} while (progress);
	return 0;
}
