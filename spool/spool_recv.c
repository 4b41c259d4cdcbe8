/*
 * spool_recv.c - receiving files (partial files kept for restart, SN8
 * records) and the per-system status files.
 *
 * Trust: sys and the sender's temporary name come from the wire; they
 * have passed util.h's checks in the session code and are checked again
 * here (a name that fails, or the dummy "D.0", is not used as a key: such
 * a transfer gets a private partial file, no restart and no SN8 record).
 * Status files are parsed bounded; a broken one is moved aside.
 *
 * SN8.  A sender that crashed after we committed a file, but before it
 * heard our confirmation, sends it again; we must answer "already have
 * it" (SN8) instead of committing it twice.  Recording the receipt and
 * renaming the file into place are two steps and a crash may fall
 * between them, so neither order alone is safe: rename first and a crash
 * loses the record (file committed twice); record first and a crash
 * leaves a record of a file that never arrived (file lost).  So:
 *   1. fsync the partial file .Temp/SYS/TEMP;
 *   2. write the record .Received/SYS/TEMP atomically and durably;
 *   3. rename the partial file to its final name, fsync both directories.
 * and spool_recv_seen answers yes only when the record exists AND the
 * partial file is gone.  A crash between 2 and 3 leaves record and
 * partial file both: "not seen", so the resent file is received again
 * (restarting from the partial file) and committed once.  After 3 the
 * partial file is gone and the answer is "seen".  The rename is atomic,
 * so there is no instant where the file is both in place and unrecorded.
 * Records and partial files older than recv_max_age (7 days unless set)
 * are pruned when the system's lock is taken (a partial file's record is
 * removed before the partial file, never after).
 *
 * Status file SPOOL/.Status/SYS, one line:
 *   last=<epoch> result=<never|ok|failed|talking> retries=<n> next=<epoch> reason=<escaped>
 * reason runs to the end of the line; '\\' and newline are escaped as
 * "\\\\" and "\\n".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool_int.h"

/* spool_recv_key_ok - whether a sender temp name may key restart/SN8 */
static int
spool_recv_key_ok(const char *t)
{
	return t && t[0] != '.' && strcmp(t, "D.0") != 0 &&
	    name_is_safe(t, SPOOL_WIRE_MAX + 7);
}

/* spool_set_recv_max_age - how long SN8 records are kept */
void
spool_set_recv_max_age(struct spool *sp, time_t seconds)
{
	sp->recv_max_age = seconds > 0 ? seconds : SPOOL_RECV_AGE_DEFAULT;
}

/* spool_recv_paths - the partial file and record paths for a key */
static int
spool_recv_paths(const struct spool *sp, const char *sys, const char *key, char *part,
    char *rec)
{
	if (str_fmt(part, PATH_MAX, "%s/.Temp/%s/%s", sp->dir, sys, key) < 0 ||
	    str_fmt(rec, PATH_MAX, "%s/.Received/%s/%s", sp->dir, sys, key) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* spool_recv_seen - whether sys's file with this temp name was committed */
int
spool_recv_seen(struct spool *sp, const char *sys, const char *sender_temp)
{
	char part[PATH_MAX], rec[PATH_MAX];
	struct stat st;

	if (!spool_sys_ok(sys) || !spool_recv_key_ok(sender_temp))
		return 0;
	if (spool_recv_paths(sp, sys, sender_temp, part, rec) < 0)
		return 0;
	if (stat(rec, &st) < 0)
		return 0;
	return lstat(part, &st) < 0 && errno == ENOENT;
}

/* spool_recv_note_path - the note beside r's partial file; 0 or -1 */
static int
spool_recv_note_path(const struct spool_recv *r, char *out, size_t outlen)
{
	const char *slash = strrchr(r->temp, '/');

	if (!r->key[0] || !slash)
		return -1;
	return str_fmt(out, outlen, "%.*s/.%s.repair", (int)(slash - r->temp), r->temp,
	    r->key);
}

/* spool_recv_note_put - write the note beside the partial file */
int
spool_recv_note_put(struct spool_recv *r, const char *text)
{
	char path[PATH_MAX];
	size_t len = strlen(text);

	if (len > SPOOL_NOTE_MAX || spool_recv_note_path(r, path, sizeof(path)) < 0) {
		errno = EINVAL;
		return -1;
	}
	return file_write_atomic(path, text, len, 0600);
}

/* spool_recv_note_get - the note beside the partial file, or NULL */
char *
spool_recv_note_get(struct spool_recv *r)
{
	char path[PATH_MAX], *text;

	if (spool_recv_note_path(r, path, sizeof(path)) < 0)
		return NULL;
	text = file_read(path, SPOOL_NOTE_MAX, NULL);
	if (!text && errno != ENOENT)
		unlink(path);	/* too large or unreadable: of no use */
	return text;
}

/* spool_recv_note_drop - remove the note beside the partial file */
void
spool_recv_note_drop(struct spool_recv *r)
{
	char path[PATH_MAX];

	if (spool_recv_note_path(r, path, sizeof(path)) == 0 && unlink(path) == 0)
		fsync_dir(path, 0);
}

/* spool_recv_begin - open the partial file for a transfer */
int
spool_recv_begin(struct spool *sp, const char *sys, const char *sender_temp, int restart,
    struct spool_recv *r)
{
	char dir[PATH_MAX], rec[PATH_MAX];
	struct stat st;
	int flags = O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW;

	memset(r, 0, sizeof(*r));
	r->fd = -1;
	if (!spool_sys_ok(sys)) {
		errno = EINVAL;
		return -1;
	}
	str_copy(r->sys, sys, sizeof(r->sys));
	if (str_fmt(dir, sizeof(dir), "%s/.Temp/%s", sp->dir, sys) < 0 || spool_mkdir(dir) < 0)
		return -1;
	if (!spool_recv_key_ok(sender_temp)) {
		r->fd = spool_tmp_open(dir, r->temp, sizeof(r->temp), 0600);
		return r->fd < 0 ? -1 : 0;
	}
	str_copy(r->key, sender_temp, sizeof(r->key));
	if (spool_recv_paths(sp, sys, r->key, r->temp, rec) < 0)
		return -1;
	if (!restart)
		flags |= O_TRUNC;
	r->fd = open(r->temp, flags, 0600);
	if (r->fd < 0)
		return -1;
	if (fstat(r->fd, &st) < 0 || lseek(r->fd, st.st_size, SEEK_SET) < 0) {
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	r->offset = st.st_size;
	if (st.st_size == 0)
		spool_recv_note_drop(r);	/* a note without its partial file */
	return 0;
}

/* spool_recv_record - durably record the receipt of r as final */
static int
spool_recv_record(struct spool *sp, const struct spool_recv *r, const char *final)
{
	char dir[PATH_MAX], part[PATH_MAX], rec[PATH_MAX], *text;
	int n, ret, err;

	if (str_fmt(dir, sizeof(dir), "%s/.Received/%s", sp->dir, r->sys) < 0 ||
	    spool_mkdir(dir) < 0)
		return -1;
	if (spool_recv_paths(sp, r->sys, r->key, part, rec) < 0)
		return -1;
	n = snprintf(NULL, 0, "time=%lld final=%s\n", (long long)time(NULL), final);
	text = malloc((size_t)n + 1);
	if (!text)
		return -1;
	snprintf(text, (size_t)n + 1, "time=%lld final=%s\n", (long long)time(NULL), final);
	ret = spool_write_new(dir, rec, text, (size_t)n, 0644);
	err = errno;
	free(text);
	errno = err;
	return ret;
}

/* spool_recv_copy - move the partial file to final across file systems:
 * copy to a temporary beside final, fsync, rename, then unlink */
static int
spool_recv_copy(struct spool_recv *r, const char *final, mode_t mode)
{
	char tmp[PATH_MAX], dir[PATH_MAX], buf[65536], *slash;
	ssize_t got;
	int out, err;

	str_copy(dir, final, sizeof(dir));
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	out = spool_tmp_open(dir, tmp, sizeof(tmp), mode);
	if (out < 0)
		return -1;
	if (lseek(r->fd, 0, SEEK_SET) < 0)
		goto fail;
	while ((got = read(r->fd, buf, sizeof(buf))) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (write_all(out, buf, (size_t)got) < 0)
			goto fail;
	}
	if (fchmod(out, mode) < 0 || fsync(out) < 0 || close(out) < 0) {
		out = -1;
		goto fail;
	}
	out = -1;
	if (rename(tmp, final) < 0 || fsync_dir(final, 0) < 0)
		goto fail;
	if (unlink(r->temp) < 0)
		return -1;
	return 0;
fail:
	err = errno;
	if (out >= 0)
		close(out);
	unlink(tmp);
	errno = err;
	return -1;
}

/* spool_recv_commit - record and move a complete file into place */
int
spool_recv_commit(struct spool *sp, struct spool_recv *r, const char *final, mode_t mode,
    int mkdirs)
{
	char dir[PATH_MAX], *slash;

	if (r->fd < 0 || final[0] != '/' || !path_is_clean(final) ||
	    str_copy(dir, final, sizeof(dir)) < 0) {
		errno = EINVAL;
		return -1;
	}
	slash = strrchr(dir, '/');
	if (slash == dir)
		dir[1] = '\0';
	else
		*slash = '\0';
	if (mkdirs && mkdir_p(dir, 0755) < 0)
		return -1;
	if (fchmod(r->fd, mode & 07777) < 0 || fsync(r->fd) < 0)
		return -1;
	if (r->key[0] && spool_recv_record(sp, r, final) < 0)
		return -1;
	if (rename(r->temp, final) < 0) {
		if (errno != EXDEV || spool_recv_copy(r, final, mode & 07777) < 0)
			return -1;
	} else if (fsync_dir(final, 0) < 0) {
		return -1;
	}
	fsync_dir(r->temp, 0);
	close(r->fd);
	r->fd = -1;
	spool_recv_note_drop(r);
	return 0;
}

/* spool_recv_truncate - cut the partial file to len bytes, durably */
int
spool_recv_truncate(struct spool_recv *r, off_t len)
{
	if (r->fd < 0 || len < 0 || ftruncate(r->fd, len) < 0 || fsync(r->fd) < 0 ||
	    lseek(r->fd, len, SEEK_SET) < 0)
		return -1;
	if (r->offset > len)
		r->offset = len;
	spool_recv_note_drop(r);
	return 0;
}

/* spool_recv_abort - close, and keep or drop the partial file */
void
spool_recv_abort(struct spool *sp, struct spool_recv *r, int keep)
{
	(void)sp;
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	if ((!keep || !r->key[0]) && r->temp[0]) {
		unlink(r->temp);
		spool_recv_note_drop(r);
	}
}

/* spool_recv_prune_dir - remove files older than cutoff from dir */
static void
spool_recv_prune_dir(const char *dir, time_t cutoff)
{
	char path[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (path_join(path, sizeof(path), dir, de->d_name) < 0)
			continue;
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < cutoff)
			unlink(path);
	}
	closedir(d);
}

/* spool_recv_prune_partials - drop partial files older than cutoff; the
 * record of each goes first, so a record never outlives its partial file
 * and turns into a false "seen" */
static void
spool_recv_prune_partials(struct spool *sp, const char *sys, time_t cutoff)
{
	char dir[PATH_MAX], part[PATH_MAX], rec[PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (str_fmt(dir, sizeof(dir), "%s/.Temp/%s", sp->dir, sys) < 0 || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' || de->d_name[1] == '.'))
			continue;
		if (spool_recv_paths(sp, sys, de->d_name, part, rec) < 0 ||
		    lstat(part, &st) < 0 || !S_ISREG(st.st_mode) || st.st_mtime >= cutoff)
			continue;
		if (unlink(rec) == 0)
			fsync_dir(rec, 0);
		unlink(part);
	}
	closedir(d);
}

/* spool_recv_prune_sys - drop sys's SN8 records and partial files older
 * than the max age */
int
spool_recv_prune_sys(struct spool *sp, const char *sys)
{
	char dir[PATH_MAX];
	time_t cutoff = time(NULL) - sp->recv_max_age;

	if (!spool_sys_ok(sys) ||
	    str_fmt(dir, sizeof(dir), "%s/.Received/%s", sp->dir, sys) < 0)
		return -1;
	spool_recv_prune_partials(sp, sys, cutoff);
	spool_recv_prune_dir(dir, cutoff);
	return 0;
}

/* spool_recv_prune - public entry: prune one system's SN8 records */
int
spool_recv_prune(struct spool *sp, const char *sys)
{
	return spool_recv_prune_sys(sp, sys);
}

/* spool_in_path - where files received for executions from sys live */
int
spool_in_path(const struct spool *sp, const char *sys, const char *name, char *out,
    size_t outlen)
{
	if (!spool_sys_ok(sys) || !name || (strncmp(name, "D.", 2) != 0 &&
	    strncmp(name, "X.", 2) != 0) || !name_is_safe(name, SPOOL_SYS_MAX - 1)) {
		errno = EINVAL;
		return -1;
	}
	if (str_fmt(out, outlen, "%s/%s/in", sp->dir, sys) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	mkdir_p(out, 0755);	/* so a commit without mkdirs finds it */
	if (str_fmt(out, outlen, "%s/%s/in/%s", sp->dir, sys, name) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static const char *spool_st_names[] = { "never", "ok", "failed", "talking" };

/* spool_status_parse - parse one status line; 0 or -1 */
static int
spool_status_parse(const char *text, struct spool_status *st)
{
	char res[16];
	long long last, next;
	int retries, used = 0, i;
	const char *p;
	size_t o = 0;

	if (sscanf(text, "last=%lld result=%15s retries=%d next=%lld %n", &last, res,
	    &retries, &next, &used) != 4 || used == 0 || last < 0 || next < 0 || retries < 0)
		return -1;
	if (strncmp(text + used, "line=", 5) == 0) {	/* optional */
		double ber, rate;
		int n = 0;

		if (sscanf(text + used, "line=%lg,%lg %n", &ber, &rate, &n) != 2 || n == 0 ||
		    !(ber >= 0.0 && ber <= 0.5) || !(rate >= 0.0 && rate <= 1e9))
			return -1;
		st->line_ber = ber;
		st->line_rate = rate;
		used += n;
	}
	if (strncmp(text + used, "reason=", 7) != 0)
		return -1;
	used += 7;
	for (i = 0; i < 4; i++)
		if (strcmp(res, spool_st_names[i]) == 0)
			break;
	if (i == 4)
		return -1;
	st->last_call = (time_t)last;
	st->next_retry = (time_t)next;
	st->retries = retries;
	st->result = i;
	for (p = text + used; *p && *p != '\n'; p++) {
		char c = *p;
		if (c == '\\') {
			p++;
			if (*p == 'n')
				c = '\n';
			else if (*p == '\\')
				c = '\\';
			else
				return -1;
		}
		if (o + 1 >= sizeof(st->reason))
			return -1;
		st->reason[o++] = c;
	}
	st->reason[o] = '\0';
	return *p == '\n' && p[1] == '\0' ? 0 : -1;
}

/* spool_status_get - a system's status (SPOOL_ST_NEVER when none) */
int
spool_status_get(struct spool *sp, const char *sys, struct spool_status *st)
{
	char path[PATH_MAX], *text;

	memset(st, 0, sizeof(*st));
	st->result = SPOOL_ST_NEVER;
	if (!spool_sys_ok(sys) ||
	    str_fmt(path, sizeof(path), "%s/.Status/%s", sp->dir, sys) < 0) {
		errno = EINVAL;
		return -1;
	}
	text = file_read(path, 4096, NULL);
	if (!text) {
		if (errno == ENOENT)
			return 0;
		if (errno == EFBIG)
			spool_corrupt(sp, path, sys, "status file too large");
		return errno == EFBIG ? 0 : -1;
	}
	if (spool_status_parse(text, st) < 0) {
		memset(st, 0, sizeof(*st));
		spool_corrupt(sp, path, sys, "unreadable status file");
	}
	free(text);
	return 0;
}

/* spool_status_put - write a system's status atomically */
int
spool_status_put(struct spool *sp, const char *sys, const struct spool_status *st)
{
	char path[PATH_MAX], dir[PATH_MAX], line[1024];
	const char *p;
	size_t o;
	int n;

	if (!spool_sys_ok(sys) || st->result < 0 || st->result > 3 ||
	    str_fmt(path, sizeof(path), "%s/.Status/%s", sp->dir, sys) < 0 ||
	    str_fmt(dir, sizeof(dir), "%s/.Status", sp->dir) < 0) {
		errno = EINVAL;
		return -1;
	}
	n = snprintf(line, sizeof(line), "last=%lld result=%s retries=%d next=%lld ",
	    (long long)st->last_call, spool_st_names[st->result], st->retries < 0 ? 0 :
	    st->retries, (long long)st->next_retry);
	if (st->line_rate > 0.0 && st->line_rate <= 1e9 && st->line_ber >= 0.0 &&
	    st->line_ber <= 0.5)
		n += snprintf(line + n, sizeof(line) - (size_t)n, "line=%.3g,%.0f ", st->line_ber,
		    st->line_rate);
	n += snprintf(line + n, sizeof(line) - (size_t)n, "reason=");
	o = (size_t)n;
	for (p = st->reason; *p && p < st->reason + sizeof(st->reason); p++) {
		if (o + 4 >= sizeof(line))
			break;
		if (*p == '\n' || *p == '\\') {
			line[o++] = '\\';
			line[o++] = *p == '\n' ? 'n' : '\\';
		} else {
			line[o++] = *p;
		}
	}
	line[o++] = '\n';
	return spool_write_new(dir, path, line, o, 0644);
}
