/*
 * test_spool.c - unit tests for the spool: command file round trip and
 * rejection of broken files, wire names, queue/list/done/kill, locks,
 * receiving with SN8 records, status files, corrupt files moved aside.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "tests/unit/tap.h"

static char top[256];

/* count_dir - entries of a directory (not . and ..), -1 when missing */
static int
count_dir(const char *fmt, const char *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), fmt, top, arg);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

/* exists - whether a path under top exists */
static int
exists(const char *fmt, const char *a, const char *b)
{
	char path[PATH_MAX];
	struct stat st;

	snprintf(path, sizeof(path), fmt, top, a, b);
	return stat(path, &st) == 0;
}

/* put_file - write a file under top */
static void
put_file(const char *rel, const char *text)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", top, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		write_all(fd, text, strlen(text));
		close(fd);
	}
}

/* make_data - a committed data file holding text; its wire name in w */
static int
make_data(struct spool *sp, const char *sys, const char *text, char w[SPOOL_WIRE_MAX])
{
	int fd = spool_data_create(sp, sys, 'N', w);

	if (fd < 0 || write_all(fd, text, strlen(text)) < 0)
		return -1;
	return spool_data_commit(sp, sys, w, fd);
}

/* set_cmd - fill an S command */
static void
set_cmd(struct spool_cmd *c, const char *from, const char *to, const char *temp)
{
	memset(c, 0, sizeof(*c));
	c->kind = 'S';
	c->from = from;
	c->to = to;
	str_copy(c->user, "alice", sizeof(c->user));
	str_copy(c->options, strcmp(temp, "D.0") ? "Cd" : "cd", sizeof(c->options));
	str_copy(c->temp, temp, sizeof(c->temp));
	c->mode = 0644;
}

/* test_format_limits - the longest path and command go through format
 * and parse; one byte more is refused by each */
static void
test_format_limits(void)
{
	static char path[SPOOL_PATH_MAX + 1], command[SPOOL_COMMAND_MAX + 1];
	struct spool_job job, back;
	struct spool_cmd c[2];
	char err[128], *text, *longer, *at;
	size_t len;
	int r;

	memset(path, 'p', SPOOL_PATH_MAX);	/* strlen SPOOL_PATH_MAX: one too many */
	memset(command, 'c', SPOOL_COMMAND_MAX);
	memset(&job, 0, sizeof(job));
	str_copy(job.id, "01234567-89ab-cdef-0123-456789abcdef", sizeof(job.id));
	str_copy(job.sys, "beta", sizeof(job.sys));
	job.grade = 'N';
	set_cmd(&c[0], path + 1, "~/x", "D.0");
	memset(&c[1], 0, sizeof(c[1]));
	c[1].kind = 'E';
	c[1].command = command + 1;
	str_copy(c[1].temp, "D.0", sizeof(c[1].temp));
	job.cmd = c;
	job.ncmd = 2;
	text = spool_job_format(&job, &len);
	ok(text != NULL, "the longest path and command format");
	if (!text)
		return;
	r = spool_job_parse(text, len, &back, err, sizeof(err));
	ok(r == 0 && strlen(back.cmd[0].from) == SPOOL_PATH_MAX - 1 &&
	    strlen(back.cmd[1].command) == SPOOL_COMMAND_MAX - 1 &&
	    back.cmd[1].from[0] == '\0' && back.cmd[0].command[0] == '\0',
	    "and parse back whole, unset strings empty (%s)", r ? err : "ok");
	if (r == 0)
		free(back.cmd);
	/* the same text with one more byte in the path, then in the command */
	longer = malloc(len + 2);
	at = strstr(text, "cmd S p");
	if (longer && at) {
		size_t o = (size_t)(at - text) + 6;
		memcpy(longer, text, o);
		longer[o] = 'p';
		memcpy(longer + o + 1, text + o, len - o + 1);
		r = spool_job_parse(longer, len + 1, &back, err, sizeof(err));
		ok(r == -1 && back.cmd == NULL && strstr(err, "oversized"),
		    "parse refuses a path one byte too long (%s)", err);
		at = strstr(text, " - cccc");
		if (!at)
			at = text;	/* cannot happen: then the test below fails */
		o = (size_t)(at - text) + 3;
		memcpy(longer, text, o);
		longer[o] = 'c';
		memcpy(longer + o + 1, text + o, len - o + 1);
		r = spool_job_parse(longer, len + 1, &back, err, sizeof(err));
		ok(r == -1 && back.cmd == NULL && strstr(err, "oversized"),
		    "parse refuses a command one byte too long (%s)", err);
	}
	free(longer);
	free(text);
	c[0].from = path;
	errno = 0;
	ok(spool_job_format(&job, &len) == NULL && errno == EINVAL,
	    "format refuses a path of SPOOL_PATH_MAX bytes");
	c[0].from = path + 1;
	c[1].command = command;
	ok(spool_job_format(&job, &len) == NULL, "and a command of SPOOL_COMMAND_MAX bytes");
}

/* test_format - parse/format round trip and rejection of bad files */
static void
test_format(void)
{
	static const char *bad[] = {
		"",
		"brigade-job 2\n",
		"brigade-job 1\nid x\n\ncmd S /a /b u C D.0 0644 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a /b u C D.0 0644 -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd Q /a /b u C D.0 0644 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys ../b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a /b u C D.0 0644 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a\\q /b u C D.0 0644 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a\\x00 /b u C D.0 0644 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a /b u C D.0 0644 - -",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a /b u C D.0 99999 - -\n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\ngrade N\n"
		    "queued 1\nuser u\n\ncmd S /a /b u C D.0 0644 - - \n",
		"brigade-job 1\nid 01234567-89ab-cdef-0123-456789abcdef\nsys b\nsys b\n"
		    "grade N\nqueued 1\nuser u\n\ncmd S /a /b u C D.0 0644 - -\n",
	};
	struct spool_job job, back;
	struct spool_cmd cmd[3];
	char err[128], *text, *text2;
	size_t len, len2, i;
	int r;

	memset(&job, 0, sizeof(job));
	str_copy(job.id, "01234567-89ab-cdef-0123-456789abcdef", sizeof(job.id));
	str_copy(job.sys, "beta", sizeof(job.sys));
	str_copy(job.user, "alice", sizeof(job.user));
	job.grade = 'N';
	job.queued = 1764460000;
	set_cmd(&cmd[0], "/home/a b/file\nwith newline", "~/x\\y", "D.alphaN0001");
	set_cmd(&cmd[1], "-", "/tmp/-", "D.0");
	str_copy(cmd[1].notify, "bob@beta", sizeof(cmd[1].notify));
	cmd[1].done = 1;
	memset(&cmd[2], 0, sizeof(cmd[2]));
	cmd[2].kind = 'E';
	cmd[2].command = "rmail a b\tc";
	cmd[2].from = "/x";
	str_copy(cmd[2].temp, "D.0", sizeof(cmd[2].temp));
	cmd[2].mode = 0600;
	job.cmd = cmd;
	job.ncmd = 3;
	text = spool_job_format(&job, &len);
	ok(text != NULL, "format a job");
	if (!text)
		return;
	r = spool_job_parse(text, len, &back, err, sizeof(err));
	ok(r == 0, "parse it back (%s)", r ? err : "ok");
	if (r == 0) {
		ok(strcmp(back.id, job.id) == 0 && strcmp(back.sys, "beta") == 0 &&
		    back.grade == 'N' && back.queued == job.queued && back.ncmd == 3,
		    "header fields survive");
		ok(strcmp(back.cmd[0].from, cmd[0].from) == 0 &&
		    strcmp(back.cmd[0].to, cmd[0].to) == 0, "spaces, newlines, backslashes survive");
		ok(strcmp(back.cmd[1].from, "-") == 0 && back.cmd[1].done == 1 &&
		    strcmp(back.cmd[1].notify, "bob@beta") == 0, "\"-\" and done survive");
		ok(back.cmd[2].kind == 'E' && strcmp(back.cmd[2].command, "rmail a b\tc") == 0 &&
		    back.cmd[2].mode == 0600 && back.cmd[0].to[0] == '~', "E command survives");
		text2 = spool_job_format(&back, &len2);
		ok(text2 && len2 == len && memcmp(text, text2, len) == 0, "format is stable");
		free(text2);
		free(back.cmd);
	}
	ok(memchr(text, '\n', len) && !strstr(text, "a b/"), "no raw space inside a field");
	free(text);
	for (i = 0; i < UTIL_ARRAY_LEN(bad); i++) {
		r = spool_job_parse(bad[i], strlen(bad[i]), &back, err, sizeof(err));
		ok(r == -1 && back.cmd == NULL, "bad file %zu rejected (%s)", i, err);
	}
	job.grade = '!';
	ok(spool_job_format(&job, &len) == NULL, "format refuses a bad grade");
	test_format_limits();
}

/* test_wire - wire name shape and uniqueness across reopen */
static void
test_wire(void)
{
	static char names[400][SPOOL_WIRE_MAX];
	char err[256], w[SPOOL_WIRE_MAX];
	struct spool *sp = NULL;
	int i, j, shape = 1, uniq = 1;

	for (i = 0; i < 400; i++) {
		if (i % 200 == 0) {
			sp = spool_open(top, "alphanode", NULL, err, sizeof(err));
			if (!sp) {
				ok(0, "open: %s", err);
				return;
			}
		}
		if (spool_wire_name(sp, 'D', "verylongsystem", 'N', names[i]) < 0)
			shape = 0;
		if (strlen(names[i]) != 14 || strncmp(names[i], "D.verylonN", 10) != 0)
			shape = 0;
		for (j = 10; j < 14; j++)
			if (!strchr("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
			    names[i][j]))
				shape = 0;
		if (i % 200 == 199)
			spool_close(sp);
	}
	for (i = 0; i < 400; i++)
		for (j = i + 1; j < 400; j++)
			if (strcmp(names[i], names[j]) == 0)
				uniq = 0;
	ok(shape, "wire names are D.<sys7><grade><seq4> (%s)", names[0]);
	ok(uniq, "400 wire names unique across a reopen");
	sp = spool_open(top, "alphanode", NULL, err, sizeof(err));
	ok(spool_wire_name(sp, 'X', "ab", 'a', w) == 0 && strncmp(w, "X.aba", 5) == 0 &&
	    strlen(w) == 9, "short system name: %s", w);
	ok(spool_wire_name(sp, 'D', "a/b", 'N', w) == -1, "bad system name refused");
	ok(spool_wire_name(sp, 'D', "ab", '#', w) == -1, "bad grade refused");
	spool_close(sp);
}

/* test_queue - queue, list, done, kill */
static void
test_queue(void)
{
	struct spool_job job, *jobs;
	struct spool_cmd cmd[2];
	char err[256], w1[SPOOL_WIRE_MAX], w2[SPOOL_WIRE_MAX], id[SPOOL_ID_MAX];
	static const char grades[] = "aA0N";
	struct spool *sp;
	size_t n, i;
	char **names;

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	ok(make_data(sp, "beta", "hello\n", w1) == 0 && make_data(sp, "beta", "world!!\n", w2) == 0,
	    "two data files committed");
	ok(exists("%s/beta/D./%s%s", w1, "") && exists("%s/beta/D./%s%s", w2, ""),
	    "data files in place");
	memset(&job, 0, sizeof(job));
	str_copy(job.sys, "beta", sizeof(job.sys));
	str_copy(job.user, "alice", sizeof(job.user));
	job.grade = 'N';
	set_cmd(&cmd[0], "/src/one file", "~/one", w1);
	set_cmd(&cmd[1], "/src/two", "~/two", w2);
	job.cmd = cmd;
	job.ncmd = 2;
	ok(spool_queue(sp, &job) == 0 && strlen(job.id) == 36 && job.queued > 0,
	    "queue a job: %s", job.id);
	str_copy(id, job.id, sizeof(id));
	ok(spool_list(sp, "beta", &jobs, &n) == 0 && n == 1, "list finds it");
	if (n != 1)
		return;
	ok(strcmp(jobs[0].id, id) == 0 && jobs[0].ncmd == 2 && jobs[0].bytes == 14 &&
	    strcmp(jobs[0].cmd[0].from, "/src/one file") == 0, "listed job matches (%lld bytes)",
	    (long long)jobs[0].bytes);
	ok(spool_cmd_done(sp, &jobs[0], 0) == 0, "first command done");
	ok(!exists("%s/beta/D./%s%s", w1, "") && exists("%s/beta/C./C.%s%s", id, ""),
	    "its data file is gone, the job stays");
	spool_list_free(jobs, n);
	spool_list(sp, "beta", &jobs, &n);
	ok(n == 1 && jobs[0].cmd[0].done == 1 && jobs[0].cmd[1].done == 0 && jobs[0].bytes == 8,
	    "reloaded job shows the done command");
	ok(spool_cmd_done(sp, &jobs[0], 1) == 0, "second command done");
	ok(!exists("%s/beta/C./C.%s%s", id, "") && !exists("%s/beta/D./%s%s", w2, ""),
	    "job and data removed after the last command");
	spool_list_free(jobs, n);

	job.ncmd = 1;
	set_cmd(&cmd[0], "/x", "~/x", "D.alphaNzzzz");
	errno = 0;
	ok(spool_queue(sp, &job) == -1 && errno == ENOENT, "queue refuses a missing data file");

	for (i = 0; i < 4; i++) {
		set_cmd(&cmd[0], "/x", "~/x", "D.0");
		job.grade = grades[i];
		spool_queue(sp, &job);
	}
	spool_list(sp, NULL, &jobs, &n);
	ok(n == 4 && jobs[0].grade == '0' && jobs[1].grade == 'A' && jobs[2].grade == 'N' &&
	    jobs[3].grade == 'a', "list sorts by grade: 0 < A < N < a");
	spool_list_free(jobs, n);
	ok(spool_systems(sp, &names, &n) == 0 && n == 1 && strcmp(names[0], "beta") == 0,
	    "spool_systems lists beta");
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	spool_list(sp, NULL, &jobs, &n);
	errno = 0;
	ok(spool_job_kill(sp, jobs[0].id, "bob") == -1 && errno == EPERM,
	    "another user may not kill");
	str_copy(id, jobs[0].id, sizeof(id));
	id[8] = '\0';
	ok(spool_job_kill(sp, id, "alice") == 0, "owner kills by prefix %s", id);
	errno = 0;
	ok(spool_job_kill(sp, id, NULL) == -1 && errno == ENOENT, "killed job is gone");
	spool_list_free(jobs, 4);
	spool_list(sp, NULL, &jobs, &n);
	ok(n == 3, "three jobs left");
	for (i = 0; i < n; i++)
		spool_job_kill(sp, jobs[i].id, NULL);
	spool_list_free(jobs, n);
	spool_close(sp);
}

/* test_corrupt - a broken command file is moved aside, not deleted */
static void
test_corrupt(void)
{
	struct spool_job *jobs;
	char err[256];
	struct spool *sp;
	size_t n;
	int before;

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	before = count_dir("%s/.Corrupt%s", "");
	put_file("beta/C./C.01234567-89ab-cdef-0123-456789abcdef", "brigade-job 1\ngarbage\n");
	ok(spool_list(sp, "beta", &jobs, &n) == 0 && n == 0, "broken job not listed");
	ok(count_dir("%s/.Corrupt%s", "") == before + 1, "moved to .Corrupt");
	ok(!exists("%s/beta/C./%s%s", "C.01234567-89ab-cdef-0123-456789abcdef", ""),
	    "no longer in the queue");
	spool_list_free(jobs, n);
	spool_close(sp);
}

/* test_locks - take, refuse, steal from the dead, release on close */
static void
test_locks(void)
{
	struct spool *sp;
	char err[256], buf[32];
	pid_t child;

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	ok(spool_lock(sp, "beta") == 0, "lock beta");
	ok(exists("%s/.Lock/LCK.%s%s", "beta", ""), "LCK.beta exists");
	ok(spool_lock(sp, "beta") == 0, "locking again is a no-op");
	snprintf(buf, sizeof(buf), "%10ld\n", (long)getppid());
	put_file(".Lock/LCK.gamma", buf);
	errno = 0;
	ok(spool_lock(sp, "gamma") == -1 && errno == EWOULDBLOCK, "live pid holds gamma");
	child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	snprintf(buf, sizeof(buf), "%10ld\n", (long)child);
	put_file(".Lock/LCK.gamma", buf);
	ok(spool_lock(sp, "gamma") == 0, "dead pid's lock is broken");
	put_file(".Lock/LCK.delta", "junk");
	ok(spool_lock(sp, "delta") == 0, "unreadable lock is broken");
	spool_unlock(sp, "delta");
	ok(!exists("%s/.Lock/LCK.%s%s", "delta", ""), "unlock removes LCK.delta");
	spool_close(sp);
	ok(!exists("%s/.Lock/LCK.%s%s", "beta", "") && !exists("%s/.Lock/LCK.%s%s", "gamma", ""),
	    "spool_close releases held locks");
	put_file(".Lock/LCK.gamma", "    999999\n");
	unlink(".Lock/LCK.gamma");
}

/* read_final - the content of a committed file */
static int
final_is(const char *path, const char *want)
{
	size_t len;
	char *t = file_read(path, 1024, &len);
	int r = t && strcmp(t, want) == 0;

	free(t);
	return r;
}

/* test_recv - receiving, restart and SN8 records */
static void
test_recv(void)
{
	struct spool_recv r;
	struct spool *sp;
	char err[256], final[PATH_MAX], path[PATH_MAX];
	struct timeval tv[2];

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	snprintf(final, sizeof(final), "%s/pub/dir/f1", top);
	ok(spool_recv_begin(sp, "beta", "D.betaN0001", 1, &r) == 0 && r.offset == 0 &&
	    strcmp(r.key, "D.betaN0001") == 0, "begin a transfer");
	write_all(r.fd, "hello", 5);
	ok(!spool_recv_seen(sp, "beta", "D.betaN0001"), "not seen before commit");
	ok(spool_recv_commit(sp, &r, final, 0640, 1) == 0, "commit with mkdirs");
	ok(final_is(final, "hello"), "final file has the data");
	ok(spool_recv_seen(sp, "beta", "D.betaN0001"), "seen after commit (SN8)");
	ok(!spool_recv_seen(sp, "gamma", "D.betaN0001"), "keyed per system");

	/* a crash between the record and the rename */
	ok(spool_recv_begin(sp, "beta", "D.betaN0002", 1, &r) == 0, "begin a second transfer");
	write_all(r.fd, "part", 4);
	spool_recv_abort(sp, &r, 1);
	put_file(".Received/beta/D.betaN0002", "time=1 final=/x\n");
	ok(!spool_recv_seen(sp, "beta", "D.betaN0002"),
	    "record without the rename done is not seen");
	ok(spool_recv_begin(sp, "beta", "D.betaN0002", 1, &r) == 0 && r.offset == 4,
	    "restart resumes at byte 4");
	write_all(r.fd, "ial", 3);
	snprintf(final, sizeof(final), "%s/pub/f2", top);
	ok(spool_recv_commit(sp, &r, final, 0644, 0) == 0 && final_is(final, "partial"),
	    "restarted file committed whole");
	ok(spool_recv_seen(sp, "beta", "D.betaN0002"), "and now seen");
	ok(spool_recv_begin(sp, "beta", "D.betaN0003", 0, &r) == 0, "begin without restart");
	spool_recv_abort(sp, &r, 0);
	ok(!exists("%s/.Temp/beta/%s%s", "D.betaN0003", ""), "abort without keep removes it");

	ok(spool_recv_begin(sp, "beta", "D.0", 1, &r) == 0 && r.key[0] == '\0',
	    "D.0 is not a key");
	write_all(r.fd, "x", 1);
	snprintf(final, sizeof(final), "%s/pub/f3", top);
	ok(spool_recv_commit(sp, &r, final, 0644, 0) == 0 && !spool_recv_seen(sp, "beta", "D.0"),
	    "D.0 commits but is never seen");
	ok(spool_recv_begin(sp, "beta", "../evil", 1, &r) == 0 && r.key[0] == '\0',
	    "unsafe name is not a key");
	spool_recv_abort(sp, &r, 1);
	ok(spool_recv_begin(sp, "../evil", "D.x", 1, &r) == -1, "unsafe system refused");

	snprintf(path, sizeof(path), "%s/.Received/beta/D.betaN0001", top);
	tv[0].tv_sec = tv[1].tv_sec = time(NULL) - 3600;
	tv[0].tv_usec = tv[1].tv_usec = 0;
	utimes(path, tv);
	spool_set_recv_max_age(sp, 600);
	ok(spool_recv_prune(sp, "beta") == 0 && !spool_recv_seen(sp, "beta", "D.betaN0001") &&
	    spool_recv_seen(sp, "beta", "D.betaN0002"), "old records pruned, young ones kept");
	ok(spool_recv_begin(sp, "beta", "D.betaN0004", 1, &r) == 0, "begin a fourth transfer");
	spool_recv_abort(sp, &r, 1);
	put_file(".Received/beta/D.betaN0004", "time=1 final=/x\n");
	snprintf(path, sizeof(path), "%s/.Temp/beta/D.betaN0004", top);
	utimes(path, tv);
	snprintf(path, sizeof(path), "%s/.Received/beta/D.betaN0004", top);
	utimes(path, tv);
	ok(spool_recv_prune(sp, "beta") == 0 && !exists("%s/.Temp/beta/%s%s", "D.betaN0004", "") &&
	    !exists("%s/.Received/beta/%s%s", "D.betaN0004", "") &&
	    !spool_recv_seen(sp, "beta", "D.betaN0004"),
	    "an old partial file goes with its record, never leaving a false SN8");
	ok(spool_in_path(sp, "beta", "X.betaN0001", path, sizeof(path)) == 0 &&
	    strstr(path, "/beta/in/X.betaN0001"), "in path");
	ok(spool_in_path(sp, "beta", "C.x", path, sizeof(path)) == -1 &&
	    spool_in_path(sp, "beta", "D./x", path, sizeof(path)) == -1, "in path refuses bad names");
	spool_close(sp);
}

/* test_status - status files */
static void
test_status(void)
{
	struct spool_status st, back;
	struct spool *sp;
	char err[256];

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	ok(spool_status_get(sp, "never", &st) == 0 && st.result == SPOOL_ST_NEVER &&
	    st.last_call == 0, "a system never called is NEVER");
	memset(&st, 0, sizeof(st));
	st.last_call = 1764460000;
	st.result = SPOOL_ST_FAILED;
	st.retries = 3;
	st.next_retry = 1764463600;
	str_copy(st.reason, "dial failed: NO CARRIER\nback\\slash", sizeof(st.reason));
	ok(spool_status_put(sp, "beta", &st) == 0, "put status");
	ok(spool_status_get(sp, "beta", &back) == 0 && back.result == SPOOL_ST_FAILED &&
	    back.retries == 3 && back.last_call == st.last_call &&
	    back.next_retry == st.next_retry && strcmp(back.reason, st.reason) == 0,
	    "status round trip");
	ok(back.line_rate == 0 && back.line_ber == 0, "no line measured: none read back");
	st.line_ber = 1.25e-4;
	st.line_rate = 960;
	ok(spool_status_put(sp, "beta", &st) == 0 && spool_status_get(sp, "beta", &back) == 0 &&
	    back.line_ber > 1.249e-4 && back.line_ber < 1.251e-4 && back.line_rate == 960 &&
	    back.retries == 3 && strcmp(back.reason, st.reason) == 0,
	    "the line's error rate and speed round trip");
	put_file(".Status/delta", "last=5 result=ok retries=0 next=0 reason=\n");
	ok(spool_status_get(sp, "delta", &back) == 0 && back.result == SPOOL_ST_OK &&
	    back.line_rate == 0, "a status without line= reads as before");
	put_file(".Status/delta", "last=5 result=ok retries=0 next=0 line=nan,960 reason=\n");
	ok(spool_status_get(sp, "delta", &back) == 0 && back.result == SPOOL_ST_NEVER &&
	    !exists("%s/.Status/%s%s", "delta", ""), "a line= that is not a rate: moved aside");
	put_file(".Status/delta", "last=5 result=ok retries=0 next=0 line=1e-4 reason=\n");
	ok(spool_status_get(sp, "delta", &back) == 0 && back.result == SPOOL_ST_NEVER,
	    "a line= without its speed: moved aside");
	put_file(".Status/gamma", "rubbish\n");
	ok(spool_status_get(sp, "gamma", &back) == 0 && back.result == SPOOL_ST_NEVER &&
	    !exists("%s/.Status/%s%s", "gamma", ""), "broken status moved aside");
	spool_close(sp);
}

/* test_full - a write that fails leaves nothing behind, errno intact */
static void
test_full(void)
{
	struct spool_job job, *jobs;
	struct spool_cmd *cmd;
	struct rlimit rl, old;
	struct spool *sp;
	char err[256], big[4000];
	size_t n, i;
	int r, e, tmpbefore;

	sp = spool_open(top, "alpha", NULL, err, sizeof(err));
	cmd = calloc(SPOOL_CMD_MAX, sizeof(*cmd));
	memset(big, 'x', sizeof(big) - 1);
	big[0] = '/';
	big[sizeof(big) - 1] = '\0';
	for (i = 0; i < SPOOL_CMD_MAX; i++)
		set_cmd(&cmd[i], big, "~/x", "D.0");
	memset(&job, 0, sizeof(job));
	str_copy(job.sys, "full", sizeof(job.sys));
	job.grade = 'N';
	job.cmd = cmd;
	job.ncmd = SPOOL_CMD_MAX;
	tmpbefore = count_dir("%s/full/C.%s", "");
	signal(SIGXFSZ, SIG_IGN);
	getrlimit(RLIMIT_FSIZE, &old);
	rl = old;
	rl.rlim_cur = 8192;
	setrlimit(RLIMIT_FSIZE, &rl);
	errno = 0;
	r = spool_queue(sp, &job);
	e = errno;
	setrlimit(RLIMIT_FSIZE, &old);
	ok(r == -1 && e == EFBIG, "oversized write fails with errno intact (%s)", strerror(e));
	ok(count_dir("%s/full/C.%s", "") == (tmpbefore < 0 ? 0 : tmpbefore),
	    "no command file or temporary left");
	ok(spool_list(sp, "full", &jobs, &n) == 0 && n == 0, "nothing queued");
	spool_list_free(jobs, n);
	free(cmd);
	spool_close(sp);
}

int
main(void)
{
	char tmpl[] = "/tmp/test_spool.XXXXXX";
	char cmd[PATH_MAX + 16];

	if (!mkdtemp(tmpl))
		return 1;
	str_copy(top, tmpl, sizeof(top));
	if (chdir(top) < 0)
		return 1;
	log_init("test_spool", "log");	/* corrupt files and broken locks log here */
	test_format();
	test_wire();
	test_queue();
	test_corrupt();
	test_locks();
	test_recv();
	test_status();
	test_full();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", top);
	if (tap_failed == 0 && system(cmd) != 0)
		diag("could not remove %s", top);
	return done_testing();
}
