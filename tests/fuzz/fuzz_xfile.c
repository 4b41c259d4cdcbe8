/*
 * fuzz_xfile.c - libFuzzer target for the execution (X.) file parser.
 * The input is X. file text as a neighbour could send it.  What parses
 * must format (unless the formatter rightly refuses it, EINVAL), and the
 * formatted text must parse back to the same request and format to the
 * same text again; a copy must point into itself; setting the arguments
 * again from the parsed argv must give the same argv.  Any difference
 * aborts.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "uux/xfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* fuzz_fail - report what differs and stop */
static void
fuzz_fail(const char *what)
{
	fprintf(stderr, "fuzz_xfile: %s\n", what);
	abort();
}

/* fuzz_same - compare the fields the format carries; NULL or what differs */
static const char *
fuzz_same(const struct xfile *a, const struct xfile *b)
{
	size_t i;

	if (strcmp(a->user, b->user) || strcmp(a->sys, b->sys))
		return "U line";
	if (strcmp(a->input, b->input))
		return "I line";
	if (strcmp(a->output, b->output) || strcmp(a->output_sys, b->output_sys))
		return "O line";
	if (strcmp(a->requestor, b->requestor))
		return "R line";
	if (a->notify != b->notify)
		return "notify flags";
	if (a->nfiles != b->nfiles)
		return "number of F lines";
	for (i = 0; i < a->nfiles; i++)
		if (strcmp(a->files[i].name, b->files[i].name) ||
		    strcmp(a->files[i].use, b->files[i].use))
			return "an F line";
	if (a->argc != b->argc)
		return "number of arguments";
	for (i = 0; i < a->argc; i++)
		if (strcmp(a->argv[i], b->argv[i]))
			return "an argument";
	if (b->argv[b->argc] != NULL)
		return "argv not NULL-ended";
	return NULL;
}

/* fuzz_inside - every argv pointer of x points into x->buf */
static int
fuzz_inside(const struct xfile *x)
{
	size_t i;

	for (i = 0; i < x->argc; i++)
		if (x->argv[i] < x->buf || x->argv[i] >= x->buf + sizeof(x->buf))
			return 0;
	return 1;
}

/* fuzz_roundtrip - format x, parse it back, compare, format again */
static void
fuzz_roundtrip(const struct xfile *x, struct xfile *y)
{
	char err[256], *t1, *t2;
	size_t l1 = 0, l2 = 0;
	const char *diff;

	errno = 0;
	t1 = xfile_format(x, &l1);
	if (!t1) {
		if (errno != EINVAL && errno != ENOMEM)
			fuzz_fail("format failed without EINVAL");
		return;
	}
	if (strlen(t1) != l1)
		fuzz_fail("formatted length is wrong or text holds a NUL");
	if (xfile_parse(t1, l1, y, err, sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_xfile: formatted text does not parse (%s):\n%s", err, t1);
		abort();
	}
	diff = fuzz_same(x, y);
	if (diff) {
		fprintf(stderr, "fuzz_xfile: round trip changed the %s:\n%s", diff, t1);
		abort();
	}
	t2 = xfile_format(y, &l2);
	if (!t2 || l1 != l2 || memcmp(t1, t2, l1))
		fuzz_fail("formatting twice gave different text");
	free(t1);
	free(t2);
}

/* fuzz_args - set the arguments again from x's argv; compare */
static void
fuzz_args(const struct xfile *x, struct xfile *z)
{
	size_t i;

	for (i = 0; i < x->argc; i++)
		(void)xfile_arg_needs_quote(x->argv[i]);
	memset(z, 0, sizeof(*z));
	if (xfile_set_args(z, x->argv, x->argc) < 0)
		return;		/* e.g. an empty argument: refused, fine */
	if (z->argc != x->argc || !fuzz_inside(z))
		fuzz_fail("set_args: wrong count or pointers outside");
	for (i = 0; i < x->argc; i++)
		if (strcmp(z->argv[i], x->argv[i]))
			fuzz_fail("set_args changed an argument");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct xfile x, y, z;
	char err[256];

	if (size > XFILE_TEXT_MAX + 16)
		return 0;
	memset(&x, 0, sizeof(x));
	if (xfile_parse((const char *)data, size, &x, err, sizeof(err)) < 0) {
		if (!err[0])
			fuzz_fail("parse failed without a reason");
		return 0;
	}
	if (x.argc < 1 || x.argc > XFILE_ARGS_MAX || !fuzz_inside(&x) || x.argv[x.argc])
		fuzz_fail("parsed argv out of bounds");
	xfile_copy(&z, &x);
	if (!fuzz_inside(&z) || fuzz_same(&x, &z))
		fuzz_fail("copy differs or points outside itself");
	fuzz_roundtrip(&x, &y);
	fuzz_args(&x, &z);
	return 0;
}
