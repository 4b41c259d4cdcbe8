/*
 * rgsmtp.c - receive a batched-SMTP batch (see gateway/bsmtp.h) as a
 * UUCP execution and hand each message to rmail on this node.
 *
 *   rgsmtp [-I config] < batch       (also run as rsmtp, rcsmtp, rbsmtp)
 *
 * The batch may be gzip or zlib (rgsmtp), compress(1) (rcsmtp) or plain
 * (rsmtp, rbsmtp): the format is taken from its magic bytes, whatever the
 * name.  The whole batch is unpacked and checked before anything is
 * delivered, so a batch cut off in the middle delivers nothing and exits
 * EX_DATAERR with the damage on stderr and in the log.  Each message
 * becomes an rmail job on this node (uuxq_queue); a progress file under
 * SPOOL/.bsmtp/in named after the batch's CRC-32 and length records how
 * many are queued, so a run cut short (EX_TEMPFAIL) or a batch that
 * arrives twice delivers every message exactly once.
 *
 * Trust: the batch comes from a neighbour and is hostile; sizes are
 * bounded by "bsmtp-max-size" and the parser checks every line.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "gateway/bsmtp.h"
#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "uux/uuxq.h"

struct rgsmtp {
	struct conf conf;
	struct spool *sp;
	char progress[PATH_MAX];
	size_t done;			/* messages queued by earlier runs */
	size_t queued;			/* by this run */
	int temp;			/* a failure worth retrying */
};

/* rgsmtp_read - stdin, at most max bytes; malloc'd */
static unsigned char *
rgsmtp_read(size_t max, size_t *lenp)
{
	size_t cap = 1 << 16, len = 0;
	unsigned char *buf = malloc(cap), *nb;
	ssize_t n;

	while (buf) {
		if (len == cap) {
			if (cap > max || !(nb = realloc(buf, cap * 2))) {
				free(buf);
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(0, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				free(buf);
				return NULL;
			}
			*lenp = len;
			return buf;
		}
		len += (size_t)n;
	}
	return NULL;
}

/* rgsmtp_deliver - one message: an rmail job on this node */
static int
rgsmtp_deliver(const struct bsmtp_msg *m, size_t index, void *arg)
{
	struct rgsmtp *g = arg;
	struct uuxq_req req = { 0 };
	char *args[BSMTP_RCPT_MAX], head[BSMTP_PATH_MAX + 64], date[64], err[256], num[32];
	char *text;
	time_t t = time(NULL);
	struct tm tm;
	size_t i, hl;
	int rc;

	if (index < g->done)
		return 0;
	localtime_r(&t, &tm);
	strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm);
	str_fmt(head, sizeof(head), "From %s %s\n", m->from[0] ? m->from : "MAILER-DAEMON", date);
	hl = strlen(head);
	if (!(text = malloc(hl + m->len + 1)))
		return -1;
	memcpy(text, head, hl);
	memcpy(text + hl, m->body, m->len);
	for (i = 0; i < m->nrcpt; i++)
		args[i] = (char *)m->rcpt[i];
	req.sys = g->conf.nodename;
	req.command = "rmail";
	req.args = args;
	req.nargs = m->nrcpt;
	req.user = "uucp";
	req.notify = UUXQ_NOTIFY_NEVER;
	req.stdin_fd = -1;
	req.stdin_data = text;
	req.stdin_len = hl + m->len;
	rc = uuxq_queue(g->sp, &g->conf, &req, NULL, err, sizeof(err));
	free(text);
	if (rc < 0) {
		log_warnx("bsmtp: message %zu: %s", index, err);
		g->temp = 1;
		return -1;
	}
	g->queued++;
	str_fmt(num, sizeof(num), "%zu\n", index + 1);
	if (file_write_atomic(g->progress, num, strlen(num), 0600) < 0) {
		g->temp = 1;
		return -1;
	}
	return 0;
}

/* rgsmtp_progress - where this batch's progress is kept, and how far it got */
static int
rgsmtp_progress(struct rgsmtp *g, const unsigned char *in, size_t len)
{
	char dir[PATH_MAX], *text;
	unsigned long crc = crc32(0L, in, (uInt)len);
	size_t n;

	if (path_join(dir, sizeof(dir), g->conf.spool, ".bsmtp/in") < 0 || mkdir_p(dir, 0700) < 0 ||
	    str_fmt(g->progress, sizeof(g->progress), "%s/%08lx-%zu", dir, crc, len) < 0)
		return -1;
	text = file_read(g->progress, 64, &n);
	g->done = text ? (size_t)strtoul(text, NULL, 10) : 0;
	free(text);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *v, *prog = strrchr(argv[0], '/');
	struct rgsmtp g = { 0 };
	unsigned char *in = NULL;
	char *text = NULL, err[512];
	size_t inlen, len, max = BSMTP_MAX_DEFAULT;
	long n;
	int ch, ex = EX_TEMPFAIL;

	prog = prog ? prog + 1 : argv[0];
	while ((ch = getopt(argc, argv, "I:")) != -1) {
		if (ch != 'I') {
			fprintf(stderr, "usage: %s [-I config] < batch\n", prog);
			return EX_USAGE;
		}
		config = optarg;
	}
	log_init(prog, NULL);
	if (conf_load(&g.conf, config, err, sizeof(err)) < 0) {
		log_warnx("%s", err);
		return EX_CONFIG;
	}
	log_init(prog, g.conf.logfile);
	if ((v = conf_get(&g.conf, "bsmtp-max-size")))
		max = (size_t)strtoul(v, NULL, 10);
	g.sp = spool_open(g.conf.spool, g.conf.nodename, g.conf.lockdir, err, sizeof(err));
	if (!g.sp || !(in = rgsmtp_read(max, &inlen)) || rgsmtp_progress(&g, in, inlen) < 0)
		goto out;
	text = bsmtp_unpack(in, inlen, max, &len, err, sizeof(err));
	n = text ? bsmtp_parse(text, len, rgsmtp_deliver, &g, err, sizeof(err)) : -1;
	if (n < 0 && !g.temp) {
		log_warnx("bsmtp: batch of %zu bytes refused, nothing delivered: %s", inlen, err);
		fprintf(stderr, "%s: batch damaged, nothing delivered: %s\n", prog, err);
		ex = EX_DATAERR;
		goto out;
	}
	if (n < 0)
		goto out;
	log_info("bsmtp: batch of %zu bytes: %ld messages, %zu queued now, %zu before", inlen, n,
	    g.queued, g.done);
	ex = 0;
out:
	free(in);
	free(text);
	if (g.sp)
		spool_close(g.sp);
	conf_free(&g.conf);
	return ex;
}
