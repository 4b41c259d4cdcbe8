/*
 * uubatch.c - collect mail for a neighbour marked for batching into
 * batched-SMTP batches (gateway/bsmtp.h), each sent as one "rgsmtp"
 * execution (gzip), or "rsmtp" with "bsmtp-compress no".
 *
 *   uubatch [-I config] -s SYS -f RETURN-PATH recipient... < message
 *   uubatch [-I config] -F SYS
 *
 * The first form keeps the message (LF line ends, leading From_ lines
 * dropped) in SPOOL/.bsmtp/out/SYS, atomically; exit 0 means durable.
 * The second packs everything kept for SYS into batches of about
 * "bsmtp-batch-size" bytes (1 MiB uncompressed), queues each with
 * uuxq_queue and only then removes its messages.
 *
 * Trust: paths and messages come through rmail from other systems; the
 * writer checks paths, and the neighbour's name must pass name_is_safe.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "gateway/bsmtp.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "uux/uuxq.h"

#define UUBATCH_MSG_MAX (64L << 20)

/* uubatch_usage - how to call */
static void __attribute__((noreturn))
uubatch_usage(void)
{
	fprintf(stderr, "usage: uubatch [-I config] -s sys -f return-path recipient... < message\n"
	    "       uubatch [-I config] -F sys\n");
	exit(EX_USAGE);
}

/* uubatch_keep - store one message for sys */
static int
uubatch_keep(const char *dir, const char *rp, char **rcpts, int n)
{
	static unsigned seq;
	char path[PATH_MAX], *buf;
	size_t cap = 1 << 16, len = 0, skip = 0, o;
	ssize_t r;
	int i;

	if (n > BSMTP_RCPT_MAX || strchr(rp, '\n') || strlen(rp) >= BSMTP_PATH_MAX ||
	    !(buf = malloc(cap)))
		return EX_DATAERR;
	o = (size_t)snprintf(buf, cap, "%s\n", rp);
	for (i = 0; i < n; i++) {
		if (strchr(rcpts[i], '\n') || o + strlen(rcpts[i]) + 2 >= cap / 2) {
			free(buf);
			return EX_DATAERR;
		}
		o += (size_t)snprintf(buf + o, cap - o, "%s\n", rcpts[i]);
	}
	buf[o++] = '\n';
	len = o;
	for (;;) {
		if (len == cap) {
			char *nb = cap < (size_t)UUBATCH_MSG_MAX ? realloc(buf, cap * 2) : NULL;

			if (!nb) {
				free(buf);
				return EX_TEMPFAIL;
			}
			buf = nb;
			cap *= 2;
		}
		r = read(0, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	while (o + skip + 5 <= len && !strncmp(buf + o + skip, "From ", 5)) {
		char *nl = memchr(buf + o + skip, '\n', len - o - skip);

		if (!nl)
			break;
		skip = (size_t)(nl + 1 - (buf + o));
	}
	memmove(buf + o, buf + o + skip, len - o - skip);
	len -= skip;
	if (mkdir_p(dir, 0700) < 0 || str_fmt(path, sizeof(path), "%s/%lld.%ld.%u", dir,
	    (long long)time(NULL), (long)getpid(), seq++) < 0 ||
	    file_write_atomic(path, buf, len, 0600) < 0) {
		free(buf);
		return EX_TEMPFAIL;
	}
	free(buf);
	return 0;
}

/* uubatch_add - one kept message into the batch; -1 damaged, -2 I/O */
static int
uubatch_add(struct bsmtp_writer *w, const char *path)
{
	char *text, *p, *nl, *rcpts[BSMTP_RCPT_MAX];
	const char *from;
	size_t len, n = 0;
	int rc = -1;

	text = file_read(path, (size_t)UUBATCH_MSG_MAX, &len);
	if (!text)
		return -1;
	from = text;
	if (!(nl = strchr(text, '\n')))
		goto out;
	*nl = '\0';
	for (p = nl + 1; *p && *p != '\n' && n < BSMTP_RCPT_MAX; p = nl + 1) {
		if (!(nl = strchr(p, '\n')))
			goto out;
		*nl = '\0';
		rcpts[n++] = p;
	}
	if (*p != '\n' || n == 0)
		goto out;
	p++;
	rc = bsmtp_writer_add(w, from, (const char *const *)rcpts, n, p, len - (size_t)(p - text));
	if (rc < 0)
		rc = w->failed ? -2 : -1;
out:
	free(text);
	return rc;
}

/* uubatch_send - queue the batch in fd for sys; 0 or -1 */
static int
uubatch_send(struct spool *sp, const struct conf *c, const char *sys, int fd, int gzip)
{
	struct uuxq_req req = { 0 };
	char err[256], id[SPOOL_ID_MAX];

	req.sys = sys;
	req.command = gzip ? "rgsmtp" : "rsmtp";
	req.user = "uucp";
	req.notify = UUXQ_NOTIFY_FAIL;
	req.stdin_fd = fd;
	if (lseek(fd, 0, SEEK_SET) != 0 || uuxq_queue(sp, c, &req, id, err, sizeof(err)) < 0) {
		log_warnx("bsmtp sys=%s: batch not queued: %s", sys, err);
		return -1;
	}
	log_info("bsmtp sys=%s job=%s: batch queued", sys, id);
	return 0;
}

/* uubatch_cmp - sort names */
static int
uubatch_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* uubatch_flush - pack everything kept for sys into batches */
static int
uubatch_flush(struct spool *sp, const struct conf *c, const char *sys, const char *dir)
{
	const char *v = conf_get(c, "bsmtp-batch-size");
	long long limit = v ? atoll(v) : 1 << 20;
	int gzip = !(v = conf_get(c, "bsmtp-compress")) || strcmp(v, "no") != 0;
	char path[PATH_MAX], tmpl[PATH_MAX], **names = NULL;
	size_t n = 0, cap = 0, i = 0, start;
	struct bsmtp_writer w;
	struct dirent *de;
	DIR *d = opendir(dir);
	int fd, rc = 0, r;

	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (n == cap && !(names = realloc(names, (cap = cap * 2 + 64) * sizeof(*names))))
			return -1;
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), uubatch_cmp);
	while (i < n && rc == 0) {
		if (str_fmt(tmpl, sizeof(tmpl), "%s/.batch.XXXXXX", dir) < 0 ||
		    (fd = mkstemp(tmpl)) < 0)
			return -1;
		unlink(tmpl);
		bsmtp_writer_open(&w, fd, gzip, c->nodename);
		for (start = i; i < n && (i == start || w.bytes < limit); i++) {
			path_join(path, sizeof(path), dir, names[i]);
			r = uubatch_add(&w, path);
			if (r == -1) {
				log_warnx("bsmtp sys=%s: %s damaged: left in place", sys, names[i]);
				names[i][0] = '\0';
			} else if (r == -2)
				break;
		}
		if (bsmtp_writer_close(&w) < 0 || w.failed || uubatch_send(sp, c, sys, fd, gzip) < 0)
			rc = -1;
		for (; rc == 0 && start < i; start++)
			if (names[start][0] && path_join(path, sizeof(path), dir, names[start]) == 0)
				unlink(path);
		close(fd);
	}
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *sys = NULL, *rp = NULL;
	char err[512], dir[PATH_MAX];
	struct conf conf;
	struct spool *sp;
	int ch, flush = 0, ex;

	while ((ch = getopt(argc, argv, "I:s:f:F:")) != -1) {
		switch (ch) {
		case 'I':
			config = optarg;
			break;
		case 's':
			sys = optarg;
			break;
		case 'f':
			rp = optarg;
			break;
		case 'F':
			sys = optarg;
			flush = 1;
			break;
		default:
			uubatch_usage();
		}
	}
	if (!sys || !name_is_safe(sys, 63) || (flush ? (rp || optind != argc) : (!rp ||
	    optind == argc)))
		uubatch_usage();
	log_init("uubatch", NULL);
	if (conf_load(&conf, config, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	log_init("uubatch", conf.logfile);
	if (str_fmt(dir, sizeof(dir), "%s/.bsmtp/out/%s", conf.spool, sys) < 0)
		return EX_SOFTWARE;
	if (!flush) {
		ex = uubatch_keep(dir, rp, argv + optind, argc - optind);
		conf_free(&conf);
		return ex;
	}
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp) {
		log_warnx("%s", err);
		return EX_TEMPFAIL;
	}
	ex = uubatch_flush(sp, &conf, sys, dir) < 0 ? EX_TEMPFAIL : 0;
	spool_close(sp);
	conf_free(&conf);
	return ex;
}
