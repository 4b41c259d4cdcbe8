/*
 * spool_torture.c - crash test for the spool, driven by
 * tests/t1100-spool-crash.sh (and small lock checks for t1000).
 *
 *   spool_torture storm DIR ROUNDS   start a writer and a reader, SIGKILL
 *                                    both at random instants, ROUNDS times
 *   spool_torture check DIR          check the queue, drain it, account
 *   spool_torture lock SPOOL SYS     take SYS's lock: exit 0, or 1 busy
 *   spool_torture hold SPOOL SYS     take it, print "locked", sleep
 *
 * The writer queues jobs (a data file, then a command file naming it) as
 * fast as it can and notes each queued id in DIR/queued.ledger.  The
 * reader claims the queue with spool_lock, checks each data file against
 * the pattern it was written with, "sends" it into a second spool
 * (DIR/in, the receiver) with spool_recv_begin/commit, appends "D id
 * temp checksum" to DIR/sent.ledger (fsync'd), and marks the command
 * done.  A kill between the ledger line and spool_cmd_done leaves a job
 * sent but queued: the reader finds its id in the ledger, counts a
 * "window" and checks that the receiver would answer SN8 for it.  A kill
 * between the receiver's commit and the ledger line is found by
 * spool_recv_seen and counted as "sn8".  Each received file is committed
 * under a name unique to that commit, so a file committed twice shows.
 * Trust: everything read here was written by this program; a mismatch is
 * exactly what the test looks for and makes it exit 3.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"

#define TORTURE_SYS "beta"
#define TORTURE_NODE "alpha"
#define TORTURE_MAXLEN 70000

static char tdir[512];

/* torture_fail - report a broken invariant and exit 3 */
static void __attribute__((noreturn, format(printf, 1, 2)))
torture_fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "spool_torture[%ld]: FAIL: ", (long)getpid());
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(3);
}

/* torture_next - xorshift64 */
static uint64_t
torture_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* torture_fill - the content for seed: a header line then pattern bytes */
static size_t
torture_fill(uint64_t seed, size_t len, char *buf)
{
	uint64_t s = seed | 1;
	int h = snprintf(buf, 64, "T %llu %zu\n", (unsigned long long)seed, len);
	size_t i;

	for (i = (size_t)h; i < len; i++)
		buf[i] = (char)(torture_next(&s) & 0xff);
	return len;
}

/* torture_valid - whether buf (n bytes) is a whole pattern file */
static int
torture_valid(const char *buf, size_t n)
{
	static char want[TORTURE_MAXLEN];
	unsigned long long seed;
	size_t len;

	if (n < 8 || n > TORTURE_MAXLEN || sscanf(buf, "T %llu %zu\n", &seed, &len) != 2 ||
	    len != n)
		return 0;
	torture_fill(seed, len, want);
	return memcmp(want, buf, n) == 0;
}

/* torture_sum - FNV-1a 64 */
static uint64_t
torture_sum(const char *buf, size_t n)
{
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* torture_append - append a line to a ledger and fsync it */
static void
torture_append(const char *name, const char *line)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
	if (fd < 0 || write_all(fd, line, strlen(line)) < 0 || fsync(fd) < 0)
		torture_fail("ledger %s: %s", path, strerror(errno));
	close(fd);
}

/* torture_open - the sender's (out) or receiver's (in) spool */
static struct spool *
torture_open(const char *which, const char *node)
{
	char path[PATH_MAX], err[256];
	struct spool *sp;

	snprintf(path, sizeof(path), "%s/%s", tdir, which);
	sp = spool_open(path, node, NULL, err, sizeof(err));
	if (!sp)
		torture_fail("spool_open: %s", err);
	return sp;
}

/* torture_writer - queue jobs forever */
static void __attribute__((noreturn))
torture_writer(void)
{
	static char buf[TORTURE_MAXLEN];
	struct spool *sp = torture_open("out", TORTURE_NODE);
	uint64_t rs = (uint64_t)getpid() * 2654435761u ^ (uint64_t)now_ms();
	struct spool_cmd cmd;
	struct spool_job job;
	char wire[SPOOL_WIRE_MAX], line[128], from[64];
	int fd;

	torture_append("queued.ledger", "\n");	/* end a line torn by a kill */
	for (;;) {
		uint64_t seed = torture_next(&rs);
		size_t len = 40 + (size_t)(torture_next(&rs) % (TORTURE_MAXLEN - 40));
		torture_fill(seed, len, buf);
		fd = spool_data_create(sp, TORTURE_SYS, 'N', wire);
		if (fd < 0 || write_all(fd, buf, len) < 0 ||
		    spool_data_commit(sp, TORTURE_SYS, wire, fd) < 0)
			torture_fail("data file: %s", strerror(errno));
		memset(&cmd, 0, sizeof(cmd));
		memset(&job, 0, sizeof(job));
		cmd.kind = 'S';
		snprintf(from, sizeof(from), "/torture/%llu", (unsigned long long)seed);
		cmd.from = from;
		cmd.to = "~/torture";
		str_copy(cmd.user, "torture", sizeof(cmd.user));
		str_copy(cmd.options, "Cd", sizeof(cmd.options));
		str_copy(cmd.temp, wire, sizeof(cmd.temp));
		cmd.mode = 0644;
		str_copy(job.sys, TORTURE_SYS, sizeof(job.sys));
		str_copy(job.user, "torture", sizeof(job.user));
		job.grade = 'N';
		job.cmd = &cmd;
		job.ncmd = 1;
		if (spool_queue(sp, &job) < 0)
			torture_fail("queue: %s", strerror(errno));
		snprintf(line, sizeof(line), "Q %s %s\n", job.id, wire);
		torture_append("queued.ledger", line);
	}
}

struct torture_sent {
	char **id;
	size_t n, cap;
};

/* torture_sent_has - whether id is in the sent set */
static int
torture_sent_has(const struct torture_sent *s, const char *id)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (strcmp(s->id[i], id) == 0)
			return 1;
	return 0;
}

/* torture_sent_add - add id to the sent set */
static void
torture_sent_add(struct torture_sent *s, const char *id)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		s->id = realloc(s->id, s->cap * sizeof(*s->id));
		if (!s->id)
			torture_fail("out of memory");
	}
	s->id[s->n++] = strdup(id);
}

/* torture_ledger - read a ledger (a torn last line is dropped); NULL if
 * none */
static char *
torture_ledger(const char *name)
{
	char path[PATH_MAX], *t, *nl;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	t = file_read(path, 64u << 20, NULL);
	if (t && (nl = strrchr(t, '\n')) != NULL)
		nl[1] = '\0';
	else if (t)
		t[0] = '\0';
	return t;
}

/* torture_load_sent - the ids of D lines in sent.ledger */
static void
torture_load_sent(struct torture_sent *s)
{
	char *t = torture_ledger("sent.ledger"), *line, *save = NULL, id[64];

	if (!t)
		return;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "D %63s", id) == 1)
			torture_sent_add(s, id);
	free(t);
}

/* torture_send - "send" one command of job to the receiver spool */
static void
torture_send(struct spool *out, struct spool *in, struct spool_job *job, size_t i,
    struct torture_sent *sent)
{
	static char buf[TORTURE_MAXLEN + 1], part[TORTURE_MAXLEN + 1];
	struct spool_cmd *c = &job->cmd[i];
	char path[PATH_MAX], final[PATH_MAX], line[256];
	static unsigned long ncommit;
	struct spool_recv r;
	size_t len;
	char *data;
	uint64_t sum;

	if (spool_data_path(out, job->sys, c->temp, path, sizeof(path)) < 0)
		torture_fail("job %s: bad temp %s", job->id, c->temp);
	data = file_read(path, TORTURE_MAXLEN, &len);
	if (!data)
		torture_fail("job %s: data file %s: %s", job->id, c->temp, strerror(errno));
	if (!torture_valid(data, len))
		torture_fail("job %s: data file %s is not whole (%zu bytes)", job->id, c->temp, len);
	memcpy(buf, data, len);
	free(data);
	sum = torture_sum(buf, len);
	if (torture_sent_has(sent, job->id)) {
		if (!spool_recv_seen(in, TORTURE_NODE, c->temp))
			torture_fail("job %s: sent but the receiver would not say SN8", job->id);
		snprintf(line, sizeof(line), "W %s\n", job->id);
		torture_append("sent.ledger", line);
	} else if (spool_recv_seen(in, TORTURE_NODE, c->temp)) {
		snprintf(line, sizeof(line), "D %s %s %016llx sn8\n", job->id, c->temp,
		    (unsigned long long)sum);
		torture_append("sent.ledger", line);
		torture_sent_add(sent, job->id);
	} else {
		if (spool_recv_begin(in, TORTURE_NODE, c->temp, 1, &r) < 0)
			torture_fail("recv_begin: %s", strerror(errno));
		if ((size_t)r.offset > len)
			torture_fail("job %s: partial file longer than the data", job->id);
		if (pread(r.fd, part, (size_t)r.offset, 0) != (ssize_t)r.offset ||
		    memcmp(part, buf, (size_t)r.offset) != 0)
			torture_fail("job %s: partial file differs from the data", job->id);
		if (write_all(r.fd, buf + r.offset, len - (size_t)r.offset) < 0)
			torture_fail("recv write: %s", strerror(errno));
		snprintf(final, sizeof(final), "%s/in/files/%s.%ld.%lu", tdir, c->temp,
		    (long)getpid(), ++ncommit);
		if (spool_recv_commit(in, &r, final, 0644, 1) < 0)
			torture_fail("recv_commit: %s", strerror(errno));
		snprintf(line, sizeof(line), "D %s %s %016llx\n", job->id, c->temp,
		    (unsigned long long)sum);
		torture_append("sent.ledger", line);
		torture_sent_add(sent, job->id);
	}
	if (spool_cmd_done(out, job, i) < 0)
		torture_fail("cmd_done %s: %s", job->id, strerror(errno));
}

/* torture_reader - claim the queue and send what is there; with drain,
 * return when the queue is empty */
static void
torture_reader(int drain)
{
	struct spool *out = torture_open("out", TORTURE_NODE);
	struct spool *in = torture_open("in", TORTURE_SYS);
	struct torture_sent sent = { 0 };
	struct spool_job *jobs;
	size_t n, j, i;

	torture_load_sent(&sent);
	torture_append("sent.ledger", "\n");	/* end a line torn by a kill */
	while (spool_lock(out, TORTURE_SYS) < 0) {
		if (errno != EWOULDBLOCK)
			torture_fail("lock: %s", strerror(errno));
		usleep(1000);
	}
	for (;;) {
		if (spool_list(out, TORTURE_SYS, &jobs, &n) < 0)
			torture_fail("list: %s", strerror(errno));
		for (j = 0; j < n; j++)
			for (i = 0; i < jobs[j].ncmd; i++)
				if (!jobs[j].cmd[i].done)
					torture_send(out, in, &jobs[j], i, &sent);
		spool_list_free(jobs, n);
		if (n == 0 && drain)
			break;
		if (n == 0)
			usleep(2000);
	}
	for (i = 0; i < sent.n; i++)
		free(sent.id[i]);
	free(sent.id);
	spool_close(in);
	spool_close(out);
}

/* torture_sleep_us - sleep a number of microseconds */
static void
torture_sleep_us(long us)
{
	struct timespec ts = { us / 1000000, (us % 1000000) * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* torture_reap - wait for a child; fail if it exited on its own with an
 * error */
static int
torture_reap(pid_t pid, const char *who)
{
	int st;

	if (waitpid(pid, &st, 0) < 0)
		return -1;
	if (WIFEXITED(st) && WEXITSTATUS(st) != 0) {
		fprintf(stderr, "spool_torture: %s exited %d\n", who, WEXITSTATUS(st));
		return -1;
	}
	return 0;
}

/* torture_storm - rounds of start, random SIGKILL, restart */
static int
torture_storm(int rounds)
{
	uint64_t rs = (uint64_t)now_ms() ^ (uint64_t)getpid() << 20;
	int k, bad = 0;

	for (k = 0; k < rounds && !bad; k++) {
		pid_t w, r;
		w = fork();
		if (w == 0)
			torture_writer();
		r = fork();
		if (r == 0) {
			torture_reader(0);
			_exit(0);
		}
		int first = (int)(torture_next(&rs) & 1);	/* who dies first */
		torture_sleep_us(2000 + (long)(torture_next(&rs) % 40000));
		kill(first ? w : r, SIGKILL);
		torture_sleep_us((long)(torture_next(&rs) % 15000));
		kill(first ? r : w, SIGKILL);
		bad |= torture_reap(w, "writer") < 0;
		bad |= torture_reap(r, "reader") < 0;
	}
	printf("# storm: %d rounds of kill -9\n", k);
	return bad ? 1 : 0;
}

/* torture_count_dir - entries of a directory, 0 if missing */
static int
torture_count_dir(const char *rel)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", tdir, rel);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/* torture_check_queue - every queued job is whole */
static int
torture_check_queue(void)
{
	struct spool *sp = torture_open("out", TORTURE_NODE);
	struct spool_job *jobs;
	char path[PATH_MAX], *data;
	size_t n, j, i, len;
	int bad = 0;

	if (spool_list(sp, TORTURE_SYS, &jobs, &n) < 0)
		torture_fail("list: %s", strerror(errno));
	for (j = 0; j < n; j++) {
		for (i = 0; i < jobs[j].ncmd; i++) {
			if (jobs[j].cmd[i].done)
				continue;
			spool_data_path(sp, TORTURE_SYS, jobs[j].cmd[i].temp, path, sizeof(path));
			data = file_read(path, TORTURE_MAXLEN, &len);
			if (!data || !torture_valid(data, len)) {
				printf("# job %s: data %s missing or not whole\n", jobs[j].id,
				    jobs[j].cmd[i].temp);
				bad = 1;
			}
			free(data);
		}
	}
	printf("# %zu jobs still queued, all whole: %s\n", n, bad ? "no" : "yes");
	spool_list_free(jobs, n);
	spool_close(sp);
	return bad;
}

/* torture_file_sum - checksum of a received file named temp.*; the
 * number of such files goes to *count */
static int
torture_received(const char *temp, uint64_t *sum)
{
	char path[PATH_MAX], *data;
	struct dirent *de;
	size_t tl = strlen(temp), len;
	int count = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/in/files", tdir);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, temp, tl) != 0 || de->d_name[tl] != '.')
			continue;
		count++;
		snprintf(path, sizeof(path), "%s/in/files/%s", tdir, de->d_name);
		data = file_read(path, TORTURE_MAXLEN, &len);
		*sum = data && torture_valid(data, len) ? torture_sum(data, len) : 0;
		free(data);
	}
	closedir(d);
	return count;
}

/* torture_account - after draining: every queued id sent exactly once,
 * every sent file at the receiver exactly once with its checksum */
static int
torture_account(void)
{
	char *q = torture_ledger("queued.ledger"), *s = torture_ledger("sent.ledger");
	char *line, *save = NULL, id[64], temp[64], flag[8];
	struct torture_sent sent = { 0 }, queued = { 0 };
	unsigned long long want;
	size_t i, windows = 0, sn8 = 0;
	uint64_t got = 0;
	int bad = 0, files;

	for (line = s ? strtok_r(s, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
		flag[0] = '\0';
		if (sscanf(line, "W %63s", id) == 1) {
			windows++;
			continue;
		}
		if (sscanf(line, "D %63s %63s %llx %7s", id, temp, &want, flag) < 3)
			continue;
		if (strcmp(flag, "sn8") == 0)
			sn8++;
		if (torture_sent_has(&sent, id)) {
			printf("# job %s sent twice\n", id);
			bad = 1;
		}
		torture_sent_add(&sent, id);
		files = torture_received(temp, &got);
		if (files != 1 || got != (uint64_t)want) {
			printf("# job %s: %d files at the receiver for %s (sum ok: %d)\n", id, files,
			    temp, got == (uint64_t)want);
			bad = 1;
		}
	}
	save = NULL;
	for (line = q ? strtok_r(q, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "Q %63s", id) == 1) {
			torture_sent_add(&queued, id);
			if (!torture_sent_has(&sent, id)) {
				printf("# job %s queued but never sent\n", id);
				bad = 1;
			}
		}
	files = torture_count_dir("in/files");
	if ((size_t)files != sent.n) {
		printf("# %d files at the receiver for %zu sent jobs\n", files, sent.n);
		bad = 1;
	}
	printf("# queued %zu (noted), sent %zu, window (sent, not marked done) %zu, "
	    "sn8 (received, not noted) %zu\n", queued.n, sent.n, windows, sn8);
	for (i = 0; i < sent.n; i++)
		free(sent.id[i]);
	for (i = 0; i < queued.n; i++)
		free(queued.id[i]);
	free(sent.id);
	free(queued.id);
	free(q);
	free(s);
	return bad;
}

/* torture_check - the whole end-state check */
static int
torture_check(void)
{
	int bad = 0;

	if (torture_count_dir("out/.Corrupt") || torture_count_dir("in/.Corrupt")) {
		printf("# corrupt files found\n");
		bad = 1;
	}
	bad |= torture_check_queue();
	torture_reader(1);
	bad |= torture_account();
	return bad;
}

/* torture_lock - take a lock once (exit 0) or report it busy (exit 1);
 * with hold, keep it until killed */
static int
torture_lock(const char *dir, const char *sys, int hold)
{
	char err[256];
	struct spool *sp = spool_open(dir, "alpha", NULL, err, sizeof(err));

	if (!sp) {
		fprintf(stderr, "%s\n", err);
		return 2;
	}
	if (spool_lock(sp, sys) < 0)
		return errno == EWOULDBLOCK ? 1 : 2;
	if (hold) {
		printf("locked\n");
		fflush(stdout);
		for (;;)
			pause();
	}
	spool_close(sp);
	return 0;
}

int
main(int argc, char **argv)
{
	char logf[PATH_MAX];

	if (argc >= 3) {
		str_copy(tdir, argv[2], sizeof(tdir));
		snprintf(logf, sizeof(logf), "%s/log", tdir);
		if (strcmp(argv[1], "storm") == 0 || strcmp(argv[1], "check") == 0)
			log_init("spool_torture", logf);
	}
	if (argc == 4 && strcmp(argv[1], "storm") == 0)
		return torture_storm(atoi(argv[3]));
	if (argc == 3 && strcmp(argv[1], "check") == 0)
		return torture_check();
	if (argc == 4 && strcmp(argv[1], "lock") == 0)
		return torture_lock(argv[2], argv[3], 0);
	if (argc == 4 && strcmp(argv[1], "hold") == 0)
		return torture_lock(argv[2], argv[3], 1);
	fprintf(stderr, "usage: spool_torture storm DIR ROUNDS | check DIR | "
	    "lock SPOOL SYS | hold SPOOL SYS\n");
	return 2;
}
