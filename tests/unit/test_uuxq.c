/*
 * test_uuxq.c - uuxq_queue: the files a queued execution leaves in the
 * spool, for a neighbour and for our own node, and arguments that must
 * reach the remote's argv byte-exact.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "tests/unit/tap.h"
#include "uux/uuxq.h"
#include "uux/xfile.h"

static char top[PATH_MAX];

/* read_data - a data file of sys's queue, malloc'd */
static char *
read_data(struct spool *sp, const char *sys, const char *wire, size_t *len)
{
	char path[PATH_MAX];

	if (spool_data_path(sp, sys, wire, path, sizeof(path)) < 0)
		return NULL;
	return file_read(path, 1 << 20, len);
}

/* test_remote - a request for beta: one job, data then X. */
static void
test_remote(struct spool *sp, const struct conf *conf)
{
	static char *args[] = { "a b", "x;y|z&$(w)", "tab\there", "back\\slash" };
	struct uuxq_req r = { 0 };
	struct spool_job *jobs;
	struct xfile *x = malloc(sizeof(*x));
	char id[SPOOL_ID_MAX], err[256], *text, *body;
	size_t n, len, i;

	r.sys = "beta";
	r.command = "rmail";
	r.args = args;
	r.nargs = UTIL_ARRAY_LEN(args);
	r.user = "ian";
	r.requestor = "ian@alpha";
	r.notify = UUXQ_NOTIFY_FAIL;
	r.stdin_fd = -1;
	r.stdin_data = "hello\n";
	r.stdin_len = 6;
	ok(uuxq_queue(sp, conf, &r, id, err, sizeof(err)) == 0, "remote request queued (%s)",
	    err);
	ok(spool_list(sp, "beta", &jobs, &n) == 0 && n == 1, "one job for beta");
	if (n != 1)
		return;
	ok(jobs[0].ncmd == 2 && jobs[0].cmd[0].kind == 'S' && jobs[0].cmd[1].kind == 'S',
	    "two sends");
	ok(strcmp(jobs[0].id, id) == 0, "job id returned");
	ok(strncmp(jobs[0].cmd[1].to, "X.alpha", 7) == 0, "X. file goes as X.alpha... (%s)",
	    jobs[0].cmd[1].to);
	ok(strcmp(jobs[0].cmd[0].from, jobs[0].cmd[0].to) == 0 &&
	    strncmp(jobs[0].cmd[0].to, "D.alpha", 7) == 0, "data file D.alpha... both sides");
	body = read_data(sp, "beta", jobs[0].cmd[0].temp, &len);
	ok(body && len == 6 && memcmp(body, "hello\n", 6) == 0, "stdin in the data file");
	free(body);
	text = read_data(sp, "beta", jobs[0].cmd[1].temp, &len);
	ok(text != NULL, "X. text readable");
	if (text) {
		diag("%s", text);
		ok(strncmp(text, "Q\n", 2) == 0, "Q line first");
		ok(xfile_parse(text, len, x, err, sizeof(err)) == 0, "X. file parses (%s)", err);
		ok(x->argc == 5 && strcmp(x->argv[0], "rmail") == 0, "rmail and 4 arguments");
		for (i = 0; i < 4 && x->argc == 5; i++)
			ok(strcmp(x->argv[i + 1], args[i]) == 0, "argument %zu byte-exact", i);
		ok(strcmp(x->input, jobs[0].cmd[0].to) == 0, "I names the data file");
		ok(x->nfiles == 1 && strcmp(x->files[0].name, x->input) == 0, "F names it too");
		ok(strcmp(x->user, "ian") == 0 && strcmp(x->sys, "alpha") == 0, "U ian alpha");
		ok(strcmp(x->requestor, "ian@alpha") == 0, "R line");
		ok(x->notify == XFILE_NOTIFY_FAIL, "Z line");
	}
	free(text);
	free(x);
	spool_list_free(jobs, n);
}

/* test_local - a request for our own node lands in SPOOL/alpha/in */
static void
test_local(struct spool *sp, const struct conf *conf)
{
	static char *args[] = { "user" };
	struct uuxq_req r = { 0 };
	char id[SPOOL_ID_MAX], err[256], path[PATH_MAX], *text;
	struct xfile x;
	size_t len;

	r.sys = "alpha";
	r.command = "rmail";
	r.args = args;
	r.nargs = 1;
	r.user = "ian";
	r.notify = UUXQ_NOTIFY_NEVER;
	r.stdin_fd = -1;
	r.stdin_data = "body\n";
	r.stdin_len = 5;
	ok(uuxq_queue(sp, conf, &r, id, err, sizeof(err)) == 0, "local request (%s)", err);
	ok(strncmp(id, "X.", 2) == 0, "local id is the X. name");
	spool_in_path(sp, "alpha", id, path, sizeof(path));
	text = file_read(path, 65536, &len);
	ok(text != NULL, "X. file in alpha/in");
	if (!text)
		return;
	ok(strstr(text, "C rmail user\n") != NULL && strstr(text, "N\n") != NULL &&
	    strncmp(text, "Q", 1) != 0, "plain C line, N, no Q");
	ok(xfile_parse(text, len, &x, err, sizeof(err)) == 0, "parses");
	free(text);
	spool_in_path(sp, "alpha", x.input, path, sizeof(path));
	text = file_read(path, 65536, &len);
	ok(text && len == 5 && memcmp(text, "body\n", 5) == 0, "data beside it");
	free(text);
}

/* test_refused - requests that must leave nothing queued */
static void
test_refused(struct spool *sp, const struct conf *conf)
{
	static char *empty[] = { "" };
	static const struct { const char *sys, *cmd, *user; char **args; size_t n; } t[] = {
		{ "../x", "rmail", "ian", NULL, 0 },
		{ "beta", "rm ail", "ian", NULL, 0 },
		{ "beta", "/bin/sh", "ian", NULL, 0 },
		{ "beta", "rmail", "i n", NULL, 0 },
		{ "beta", "rmail", "ian", empty, 1 },
	};
	struct spool_job *jobs;
	char err[256];
	size_t i, n0 = 0, n1 = 0;

	spool_list(sp, "gamma", &jobs, &n0);
	spool_list_free(jobs, n0);
	for (i = 0; i < UTIL_ARRAY_LEN(t); i++) {
		struct uuxq_req r = { 0 };
		r.sys = t[i].sys;
		r.command = t[i].cmd;
		r.user = t[i].user;
		r.args = t[i].args;
		r.nargs = t[i].n;
		r.stdin_fd = -1;
		err[0] = '\0';
		ok(uuxq_queue(sp, conf, &r, NULL, err, sizeof(err)) < 0 && err[0],
		    "refused: %s %s %s (%s)", t[i].sys, t[i].cmd, t[i].user, err);
	}
	spool_list(sp, NULL, &jobs, &n1);
	spool_list_free(jobs, n1);
	ok(n1 == 1, "still only the one good job queued");
}

int
main(void)
{
	struct conf conf;
	struct spool *sp;
	char err[256], dir[PATH_MAX + 16];

	snprintf(top, sizeof(top), "/tmp/test_uuxq.%ld", (long)getpid());
	snprintf(dir, sizeof(dir), "%s/spool", top);
	mkdir_p(top, 0755);
	log_init("test_uuxq", "/dev/null");
	conf_defaults(&conf, "/nonexistent/config");
	str_copy(conf.nodename, "alpha", sizeof(conf.nodename));
	sp = spool_open(dir, "alpha", NULL, err, sizeof(err));
	ok(sp != NULL, "spool opens (%s)", sp ? "" : err);
	if (!sp)
		return done_testing();
	test_remote(sp, &conf);
	test_local(sp, &conf);
	test_refused(sp, &conf);
	spool_close(sp);
	{
		char cmd[PATH_MAX + 32];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
		if (system(cmd) != 0)
			diag("cannot remove %s", top);
	}
	return done_testing();
}
