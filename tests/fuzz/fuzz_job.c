/*
 * fuzz_job.c - libFuzzer target for the spool's command file parser
 * (spool_job_parse).  The input is a command file as a crash, a full disk
 * or a careless hand may have left it.  What parses must format, and the
 * formatted text must parse back to the same job and format to the same
 * text again; a job's commands must fit the array the parser allocated
 * (AddressSanitizer sees any write past it).  Any difference aborts.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "spool/spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_fail - report what differs and stop */
static void
fuzz_fail(const char *what, const char *text)
{
	fprintf(stderr, "fuzz_job: %s\n%s", what, text ? text : "");
	abort();
}

/* fuzz_same_cmd - whether two commands carry the same fields */
static int
fuzz_same_cmd(const struct spool_cmd *a, const struct spool_cmd *b)
{
	return a->kind == b->kind && a->done == b->done && a->mode == b->mode &&
	    strcmp(a->from, b->from) == 0 && strcmp(a->to, b->to) == 0 &&
	    strcmp(a->user, b->user) == 0 && strcmp(a->options, b->options) == 0 &&
	    strcmp(a->temp, b->temp) == 0 && strcmp(a->notify, b->notify) == 0 &&
	    strcmp(a->command, b->command) == 0;
}

/* fuzz_same - whether two jobs are the same; NULL or what differs */
static const char *
fuzz_same(const struct spool_job *a, const struct spool_job *b)
{
	size_t i;

	if (strcmp(a->id, b->id) || strcmp(a->sys, b->sys) || strcmp(a->user, b->user))
		return "id, sys or user";
	if (a->grade != b->grade || a->queued != b->queued)
		return "grade or time";
	if (a->ncmd != b->ncmd)
		return "number of commands";
	for (i = 0; i < a->ncmd; i++)
		if (!fuzz_same_cmd(&a->cmd[i], &b->cmd[i]))
			return "a command";
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spool_job a, b;
	char err[256], *t1, *t2;
	size_t l1 = 0, l2 = 0;
	const char *diff;

	if (size > 1 << 20)
		return 0;
	err[0] = '\0';
	if (spool_job_parse((const char *)data, size, &a, err, sizeof(err)) < 0) {
		if (!err[0])
			fuzz_fail("parse failed without a reason", NULL);
		if (a.cmd != NULL || a.ncmd != 0)
			fuzz_fail("a failed parse left commands behind", NULL);
		return 0;
	}
	if (a.ncmd < 1 || a.ncmd > SPOOL_CMD_MAX || a.cmd == NULL)
		fuzz_fail("parsed job has no commands or too many", NULL);
	t1 = spool_job_format(&a, &l1);
	if (!t1)
		fuzz_fail("a parsed job does not format", NULL);
	if (strlen(t1) != l1)
		fuzz_fail("formatted length is wrong or the text holds a NUL", t1);
	if (spool_job_parse(t1, l1, &b, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_job: formatted text does not parse (%s):\n%s", err, t1);
		abort();
	}
	diff = fuzz_same(&a, &b);
	if (diff) {
		fprintf(stderr, "fuzz_job: round trip changed the %s:\n%s", diff, t1);
		abort();
	}
	t2 = spool_job_format(&b, &l2);
	if (!t2 || l1 != l2 || memcmp(t1, t2, l1))
		fuzz_fail("formatting twice gave different text", t1);
	free(t1);
	free(t2);
	free(a.cmd);
	free(b.cmd);
	return 0;
}
