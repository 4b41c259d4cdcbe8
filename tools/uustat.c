/*
 * uustat.c - show and kill queued jobs, and show each system's status.
 *
 *   uustat [-I config]          the calling user's jobs
 *   uustat -a                   every job
 *   uustat -s sys               one system's status and jobs
 *   uustat -k id                kill a job (id or a unique prefix)
 *   uustat -m                   the status of every system
 *   uustat -q                   the number of jobs per system
 *   uustat -r id                rejuvenate a job (its age starts again)
 *   uustat --json ...           the same as one JSON object: {"jobs": [...]}
 *                               or with -m/-q {"systems": [...]}
 *
 * A job prints as "id sys user grade age size", then one indented line
 * per command still to do.  Trust: arguments come from a local user;
 * names are checked by the spool before use.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "spool/spool.h"
#include "spool/spool_ops.h"

static const char *uustat_results[] = { "never", "ok", "failed", "talking" };

/* uustat_die - print an error and exit 1 */
static void __attribute__((noreturn, format(printf, 1, 2)))
uustat_die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "uustat: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	exit(1);
}

/* uustat_age - a short human age: 45s, 3m, 2h, 4d */
static void
uustat_age(time_t then, char *out, size_t outlen)
{
	long long s = (long long)(time(NULL) - then);

	if (s < 0)
		s = 0;
	if (s < 120)
		snprintf(out, outlen, "%llds", s);
	else if (s < 7200)
		snprintf(out, outlen, "%lldm", s / 60);
	else if (s < 172800)
		snprintf(out, outlen, "%lldh", s / 3600);
	else
		snprintf(out, outlen, "%lldd", s / 86400);
}

/* uustat_when - a time as "YYYY-MM-DD HH:MM:SS", or "-" for 0 */
static void
uustat_when(time_t t, char *out, size_t outlen)
{
	struct tm tm;

	if (t == 0 || !localtime_r(&t, &tm))
		snprintf(out, outlen, "-");
	else
		strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
}

/* uustat_json_str - print s as a JSON string */
static void
uustat_json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '"' || ch == '\\')
			printf("\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			printf("\\u%04x", ch);
		else
			putchar(ch);
	}
	putchar('"');
}

/* uustat_json_job - one job as a JSON object */
static void
uustat_json_job(const struct spool_job *j)
{
	size_t i, k = 0;
	long long age = (long long)(time(NULL) - j->queued);

	printf("{\"id\":");
	uustat_json_str(j->id);
	printf(",\"sys\":");
	uustat_json_str(j->sys);
	printf(",\"user\":");
	uustat_json_str(j->user);
	printf(",\"grade\":\"%c\",\"queued\":%lld,\"age\":%lld,\"bytes\":%lld,\"commands\":[",
	    j->grade, (long long)j->queued, age < 0 ? 0 : age, (long long)j->bytes);
	for (i = 0; i < j->ncmd; i++) {
		const struct spool_cmd *c = &j->cmd[i];
		char kind[2] = { c->kind, 0 };
		if (c->done)
			continue;
		printf("%s{\"kind\":", k++ ? "," : "");
		uustat_json_str(kind);
		printf(",\"from\":");
		uustat_json_str(c->kind == 'E' ? "" : c->from);
		printf(",\"to\":");
		uustat_json_str(c->kind == 'E' ? "" : c->to);
		if (c->kind == 'E') {
			printf(",\"command\":");
			uustat_json_str(c->command);
		}
		printf("}");
	}
	printf("]}");
}

/* uustat_print_job - one job and its pending commands */
static void
uustat_print_job(const struct spool_job *j)
{
	char age[32];
	size_t i;

	uustat_age(j->queued, age, sizeof(age));
	printf("%s %s %s %c %s %lld\n", j->id, j->sys, j->user[0] ? j->user : "-", j->grade,
	    age, (long long)j->bytes);
	for (i = 0; i < j->ncmd; i++) {
		const struct spool_cmd *c = &j->cmd[i];
		if (c->done)
			continue;
		if (c->kind == 'S')
			printf("\tS %s -> %s!%s\n", c->from, j->sys, c->to);
		else if (c->kind == 'R')
			printf("\tR %s!%s -> %s\n", j->sys, c->from, c->to);
		else if (c->kind == 'X')
			printf("\tX %s!%s -> %s\n", j->sys, c->from, c->to);
		else
			printf("\tE %s\n", c->command);
	}
}

/* uustat_jobs - print jobs of sys (NULL all) and user (NULL any) */
static int
uustat_jobs(struct spool *sp, const char *sys, const char *user, int json)
{
	struct spool_job *jobs;
	size_t n, i, k = 0;

	if (spool_list(sp, sys, &jobs, &n) < 0)
		uustat_die("cannot list the queue: %s", strerror(errno));
	if (json)
		printf("{\"jobs\":[");
	for (i = 0; i < n; i++) {
		if (user && strcmp(jobs[i].user, user) != 0)
			continue;
		if (json) {
			printf("%s", k++ ? "," : "");
			uustat_json_job(&jobs[i]);
		} else {
			uustat_print_job(&jobs[i]);
		}
	}
	if (json)
		printf("]}\n");
	spool_list_free(jobs, n);
	return 0;
}

/* uustat_print_status - one system's status line */
static void
uustat_print_status(struct spool *sp, const char *sys)
{
	struct spool_status st;
	char last[32], next[32];

	if (spool_status_get(sp, sys, &st) < 0)
		uustat_die("%s: cannot read status: %s", sys, strerror(errno));
	uustat_when(st.last_call, last, sizeof(last));
	uustat_when(st.next_retry, next, sizeof(next));
	printf("%s %s last=%s retries=%d next=%s", sys,
	    uustat_results[st.result >= 0 && st.result <= 3 ? st.result : 0], last, st.retries,
	    next);
	if (st.line_rate > 0)
		printf(" line=ber:%.1e,%.0fB/s", st.line_ber, st.line_rate);
	printf("%s%s\n", st.reason[0] ? " reason=" : "", st.reason);
}

/* uustat_add_name - add a copy of name to a list unless there */
static void
uustat_add_name(char ***names, size_t *n, const char *name)
{
	char **nn;
	size_t i;

	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], name) == 0)
			return;
	nn = realloc(*names, (*n + 1) * sizeof(*nn));
	if (!nn || !(nn[*n] = strdup(name)))
		uustat_die("out of memory");
	*names = nn;
	(*n)++;
}

/* uustat_cmp - qsort for names */
static int
uustat_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* uustat_all_systems - systems with a queue or a status file */
static void
uustat_all_systems(struct spool *sp, char ***names, size_t *n)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	if (spool_systems(sp, names, n) < 0)
		uustat_die("cannot list systems: %s", strerror(errno));
	if (path_join(path, sizeof(path), spool_dir(sp), ".Status") == 0 &&
	    (d = opendir(path)) != NULL) {
		while ((de = readdir(d)) != NULL)
			if (de->d_name[0] != '.' && name_is_safe(de->d_name, SPOOL_SYS_MAX - 1))
				uustat_add_name(names, n, de->d_name);
		closedir(d);
	}
	if (*n > 1)
		qsort(*names, *n, sizeof(**names), uustat_cmp);
}

/* uustat_json_system - one system's status and job count as JSON */
static void
uustat_json_system(const char *name, const struct spool_status *st, size_t nj)
{
	printf("{\"name\":");
	uustat_json_str(name);
	printf(",\"result\":\"%s\",\"last_call\":%lld,\"retries\":%d,\"next_retry\":%lld,"
	    "\"reason\":", uustat_results[st->result >= 0 && st->result <= 3 ? st->result : 0],
	    (long long)st->last_call, st->retries, (long long)st->next_retry);
	uustat_json_str(st->reason);
	if (st->line_rate > 0)
		printf(",\"line_ber\":%.3g,\"line_rate\":%.0f", st->line_ber, st->line_rate);
	printf(",\"jobs\":%zu}", nj);
}

/* uustat_systems - -m (status) or -q (counts) for every system */
static void
uustat_systems(struct spool *sp, int counts, int json)
{
	struct spool_job *jobs;
	struct spool_status st;
	char **names;
	size_t n, i, nj;

	uustat_all_systems(sp, &names, &n);
	if (json)
		printf("{\"systems\":[");
	for (i = 0; i < n; i++) {
		if (spool_list(sp, names[i], &jobs, &nj) < 0)
			uustat_die("%s: cannot list: %s", names[i], strerror(errno));
		spool_list_free(jobs, nj);
		if (spool_status_get(sp, names[i], &st) < 0)
			memset(&st, 0, sizeof(st));
		if (json) {
			printf("%s", i ? "," : "");
			uustat_json_system(names[i], &st, nj);
		} else if (counts) {
			printf("%s %zu job%s %s\n", names[i], nj, nj == 1 ? "" : "s",
			    uustat_results[st.result >= 0 && st.result <= 3 ? st.result : 0]);
		} else {
			uustat_print_status(sp, names[i]);
		}
		free(names[i]);
	}
	if (json)
		printf("]}\n");
	free(names);
}

/* uustat_job_op - -k id (kill) or -r id (rejuvenate): one job by id or a
 * unique prefix of it, only the caller's own unless root */
static int
uustat_job_op(struct spool *sp, const char *id, const char *user,
    int (*op)(struct spool *, const char *, const char *), const char *done)
{
	if (op(sp, id, getuid() == 0 ? NULL : user) == 0) {
		printf("job %s %s\n", id, done);
		return 0;
	}
	if (errno == EPERM)
		uustat_die("job %s: not yours", id);
	if (errno == ENOENT)
		uustat_die("job %s: no such job", id);
	if (errno == EINVAL)
		uustat_die("job %s: more than one job has that prefix", id);
	uustat_die("job %s: %s", id, strerror(errno));
}

#define UUSTAT_USAGE "usage: uustat [-I config] [--json] [-a | -s sys | -k id | -r id | -m | -q]\n"

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'J' },
		{ NULL, 0, NULL, 0 }
	};
	const char *config = NULL, *sys = NULL, *kill_id = NULL, *young_id = NULL, *user;
	int ch, all = 0, status = 0, counts = 0, json = 0, r = 0;
	struct passwd *pw;
	struct spool *sp;
	struct conf conf;
	char err[512];

	while ((ch = getopt_long(argc, argv, "I:as:k:r:mq", longopts, NULL)) != -1) {
		switch (ch) {
		case 'I': config = optarg; break;
		case 'a': all = 1; break;
		case 's': sys = optarg; break;
		case 'k': kill_id = optarg; break;
		case 'm': status = 1; break;
		case 'q': counts = 1; break;
		case 'r': young_id = optarg; break;
		case 'J': json = 1; break;
		default:
			fprintf(stderr, UUSTAT_USAGE);
			return 64;
		}
	}
	if (optind != argc || all + status + counts + (sys != NULL) + (kill_id != NULL) +
	    (young_id != NULL) > 1) {
		fprintf(stderr, UUSTAT_USAGE);
		return 64;
	}
	if (sys && (!name_is_safe(sys, SPOOL_SYS_MAX - 1) || sys[0] == '.'))
		uustat_die("-s %s: bad system name", sys);
	if (conf_load(&conf, config, err, sizeof(err)) < 0)
		uustat_die("%s", err);
	log_init("uustat", conf.logfile);
	sp = spool_open(conf.spool, conf.nodename, conf.lockdir, err, sizeof(err));
	if (!sp)
		uustat_die("%s", err);
	pw = getpwuid(getuid());
	user = pw ? pw->pw_name : getenv("LOGNAME");
	if (kill_id) {
		r = uustat_job_op(sp, kill_id, user ? user : "", spool_job_kill, "killed");
	} else if (young_id) {
		r = uustat_job_op(sp, young_id, user ? user : "", spool_job_rejuvenate, "rejuvenated");
	} else if (sys) {
		if (!json)
			uustat_print_status(sp, sys);
		r = uustat_jobs(sp, sys, NULL, json);
	} else if (status || counts) {
		uustat_systems(sp, counts, json);
	} else {
		r = uustat_jobs(sp, NULL, all ? NULL : (user ? user : ""), json);
	}
	spool_close(sp);
	conf_free(&conf);
	return r;
}
