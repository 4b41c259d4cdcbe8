/*
 * uulog.c - show the node's log, filtered.
 *
 *   uulog [-I config] [-s system] [-u user] [-n lines] [-f]
 *
 * -s keeps lines about system (a "sys=SYSTEM" field, as every call, xfer
 * and job line has), -u lines about user ("user=USER" or "login=USER"),
 * -n only the last lines that match, -f keeps reading as the log grows.
 * Trust: the log is written by Brigade's programs (which escape bytes
 * from the wire); lines are read with a bounded buffer and printed as
 * they are.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/conf.h"
#include "lib/util.h"

#define UULOG_LINE_MAX 8192

/* uulog_field - whether line has key=value as a whole field (value ends
 * at a space, ':' or the end) */
static int
uulog_field(const char *line, const char *key, const char *value)
{
	const char *p = line;
	size_t kl = strlen(key), vl = strlen(value);

	while ((p = strstr(p, key)) != NULL) {
		const char *v = p + kl;
		if ((p == line || p[-1] == ' ') && v[0] == '=' && strncmp(v + 1, value, vl) == 0 &&
		    (v[1 + vl] == '\0' || v[1 + vl] == ' ' || v[1 + vl] == ':' ||
		    v[1 + vl] == '\n'))
			return 1;
		p += kl;
	}
	return 0;
}

/* uulog_match - whether a line passes the filters */
static int
uulog_match(const char *line, const char *sys, const char *user)
{
	if (sys && !uulog_field(line, "sys", sys))
		return 0;
	if (user && !uulog_field(line, "user", user) && !uulog_field(line, "login", user))
		return 0;
	return 1;
}

/* uulog_read - print matching lines of f (the last keep of them when
 * keep > 0) */
static void
uulog_read(FILE *f, const char *sys, const char *user, long keep)
{
	char line[UULOG_LINE_MAX], **ring = NULL;
	long n = 0, i;

	if (keep > 0 && !(ring = calloc((size_t)keep, sizeof(*ring)))) {
		fprintf(stderr, "uulog: out of memory\n");
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		if (!uulog_match(line, sys, user))
			continue;
		if (!ring) {
			fputs(line, stdout);
			continue;
		}
		free(ring[n % keep]);
		ring[n % keep] = strdup(line);
		n++;
	}
	for (i = n > keep ? n - keep : 0; ring && i < n; i++)
		if (ring[i % keep])
			fputs(ring[i % keep], stdout);
	for (i = 0; ring && i < keep; i++)
		free(ring[i]);
	free(ring);
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	const char *config = NULL, *sys = NULL, *user = NULL;
	struct conf conf;
	char err[512];
	long keep = 0;
	int ch, follow = 0;
	FILE *f;

	while ((ch = getopt(argc, argv, "I:s:u:n:f")) != -1) {
		switch (ch) {
		case 'I': config = optarg; break;
		case 's': sys = optarg; break;
		case 'u': user = optarg; break;
		case 'n': keep = atol(optarg); break;
		case 'f': follow = 1; break;
		default:
			fprintf(stderr, "usage: uulog [-I config] [-s system] [-u user] [-n lines] [-f]\n");
			return 64;
		}
	}
	if (optind != argc || keep < 0 || keep > 1000000) {
		fprintf(stderr, "usage: uulog [-I config] [-s system] [-u user] [-n lines] [-f]\n");
		return 64;
	}
	if (conf_load(&conf, config, err, sizeof(err)) < 0) {
		fprintf(stderr, "uulog: %s\n", err);
		return 1;
	}
	f = fopen(conf.logfile, "r");
	if (!f) {
		fprintf(stderr, "uulog: cannot read %s\n", conf.logfile);
		conf_free(&conf);
		return 1;
	}
	uulog_read(f, sys, user, keep);
	while (follow) {
		clearerr(f);
		sleep(1);
		uulog_read(f, sys, user, 0);
	}
	fclose(f);
	conf_free(&conf);
	return 0;
}
