/*
 * uuxargs.c - parse uux's command line (see uuxargs.h).  Pure: no I/O.
 * The words come from a local user (or an MTA passing a sender and
 * recipients from the network): every piece is bounded, names are checked
 * with name_is_safe, and nothing here is ever given to a shell.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "uux/uuxargs.h"
#include "uux/uuxq.h"

/* uuxargs_err - write a reason; returns -1 */
static int
uuxargs_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (err && errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* uuxargs_value - the value of a flag: glued ("-gC") or the next word */
static const char *
uuxargs_value(int argc, char *const *argv, int *i, const char *rest)
{
	if (rest[0])
		return rest;
	if (*i + 1 >= argc)
		return NULL;
	return argv[++*i];
}

/* uuxargs_flag - one flag letter with its value; 1 when the value used up
 * the rest of the word, 0 to go on with the next letter, -1 on error */
static int
uuxargs_flag(struct uuxargs *a, int argc, char *const *argv, int *i, const char *p,
    char *err, size_t errlen)
{
	const char *v;

	switch (*p) {
	case 'p': a->read_stdin = 1; return 0;
	case 'r': a->no_uucico = 1; return 0;
	case 'n': a->notify = UUXQ_NOTIFY_NEVER; return 0;
	case 'z': a->notify = UUXQ_NOTIFY_FAIL; return 0;
	case 'j': a->print_id = 1; return 0;
	case 'c': case 'C': case 'l': return 0;
	case 'a': case 'g': case 'I': case 'x':
		v = uuxargs_value(argc, argv, i, p + 1);
		if (!v || !v[0])
			return uuxargs_err(err, errlen, "-%c needs a value", *p);
		if (*p == 'a')
			a->requestor = v;
		else if (*p == 'I')
			a->config = v;
		else if (*p == 'x')
			a->debug = v;
		else if (strlen(v) != 1 || !((v[0] >= '0' && v[0] <= '9') ||
		    (v[0] >= 'A' && v[0] <= 'Z') || (v[0] >= 'a' && v[0] <= 'z')))
			return uuxargs_err(err, errlen, "-g %s: a grade is one letter or digit", v);
		else
			a->grade = v[0];
		return 1;
	default:
		return uuxargs_err(err, errlen, "unknown option -%c", *p);
	}
}

/* uuxargs_options - parse the options */
int
uuxargs_options(int argc, char *const *argv, struct uuxargs *a, char *err, size_t errlen)
{
	const char *p;
	int i, r;

	memset(a, 0, sizeof(*a));
	for (i = 1; i < argc; i++) {
		if (argv[i][0] != '-')
			break;
		if (strcmp(argv[i], "--") == 0)
			return i + 1;
		if (strcmp(argv[i], "-") == 0) {
			a->read_stdin = 1;
			continue;
		}
		for (p = argv[i] + 1; *p; p++) {
			r = uuxargs_flag(a, argc, argv, &i, p, err, errlen);
			if (r < 0)
				return -1;
			if (r == 1)
				break;
		}
	}
	return i;
}

/* uuxargs_piece - the next piece of word w from *pos: blanks outside
 * parentheses end it; its bounds in start and len; 0 at the end, -1 when a
 * parenthesis is unbalanced */
static int
uuxargs_piece(const char *w, size_t *pos, size_t *start, size_t *len)
{
	size_t i = *pos;
	int depth = 0;

	while (w[i] == ' ' || w[i] == '\t' || w[i] == '\n')
		i++;
	if (!w[i])
		return 0;
	*start = i;
	for (; w[i]; i++) {
		if (w[i] == '(')
			depth++;
		else if (w[i] == ')' && --depth < 0)
			return -1;
		else if (depth == 0 && (w[i] == ' ' || w[i] == '\t' || w[i] == '\n'))
			break;
	}
	if (depth != 0)
		return -1;
	*len = i - *start;
	*pos = i;
	return 1;
}

/* uuxargs_add - add a literal argument */
static int
uuxargs_add(struct uuxargs *a, const char *s, size_t n, char *err, size_t errlen)
{
	if (n == 0)
		return uuxargs_err(err, errlen, "empty argument");
	if (a->nargs == UUXARGS_MAX)
		return uuxargs_err(err, errlen, "too many arguments");
	a->args[a->nargs] = strndup(s, n);
	if (!a->args[a->nargs])
		return uuxargs_err(err, errlen, "out of memory");
	a->nargs++;
	return 0;
}

/* uuxargs_command - the first piece: "sys!command" */
static int
uuxargs_command(struct uuxargs *a, const char *s, size_t n, const char *nodename,
    char *err, size_t errlen)
{
	const char *bang = memchr(s, '!', n);
	const char *cmd = bang ? bang + 1 : s;
	size_t sl = bang ? (size_t)(bang - s) : 0, cl = n - (size_t)(cmd - s);

	if (sl >= sizeof(a->sys) || cl >= sizeof(a->command))
		return uuxargs_err(err, errlen, "command word too long");
	memcpy(a->sys, s, sl);
	a->sys[sl] = '\0';
	if (!a->sys[0])
		str_copy(a->sys, nodename, sizeof(a->sys));
	memcpy(a->command, cmd, cl);
	a->command[cl] = '\0';
	if (!name_is_safe(a->sys, sizeof(a->sys) - 1))
		return uuxargs_err(err, errlen, "bad system name \"%s\"", a->sys);
	if (!a->command[0])
		return uuxargs_err(err, errlen, "no command for %s", a->sys);
	if (!name_is_safe(a->command, sizeof(a->command) - 1) || strchr(a->command, '!'))
		return uuxargs_err(err, errlen, "bad command name \"%s\"", a->command);
	return 0;
}

/* uuxargs_file - a "sys!path" argument */
static int
uuxargs_file(struct uuxargs *a, const char *s, size_t n, const char *nodename, char *err,
    size_t errlen)
{
	const char *bang = memchr(s, '!', n), *path = bang + 1, *base;
	size_t sl = (size_t)(bang - s), pl = n - sl - 1;
	char fsys[64];

	if (sl >= sizeof(fsys))
		return uuxargs_err(err, errlen, "bad system in file argument");
	memcpy(fsys, s, sl);
	fsys[sl] = '\0';
	if (pl == 0)
		return uuxargs_err(err, errlen, "empty file name after %s!", fsys);
	if (strcmp(fsys, a->sys) == 0 && strcmp(fsys, nodename) != 0)
		return uuxargs_add(a, path, pl, err, errlen);	/* already there */
	if (fsys[0] && strcmp(fsys, nodename) != 0)
		return uuxargs_err(err, errlen,
		    "%.*s: files from a third system are not supported", (int)n, s);
	if (a->nfiles == UUXARGS_FILES_MAX)
		return uuxargs_err(err, errlen, "too many file arguments");
	a->files[a->nfiles] = strndup(path, pl);
	if (!a->files[a->nfiles])
		return uuxargs_err(err, errlen, "out of memory");
	base = strrchr(a->files[a->nfiles], '/');
	base = base ? base + 1 : a->files[a->nfiles];
	a->file_names[a->nfiles] = (char *)base;
	a->nfiles++;
	if (!name_is_safe(base, 255))
		return uuxargs_err(err, errlen, "%s: bad file name", path);
	return uuxargs_add(a, base, strlen(base), err, errlen);
}

/* uuxargs_word - one piece after the command */
static int
uuxargs_word(struct uuxargs *a, const char *s, size_t n, const char *nodename, char *err,
    size_t errlen)
{
	if (s[0] == '(' && s[n - 1] == ')')
		return uuxargs_add(a, s + 1, n - 2, err, errlen);
	if (s[0] == '<' || s[0] == '>')
		return uuxargs_err(err, errlen, "redirections are not supported (%.*s)", (int)n, s);
	if (memchr(s, '!', n))
		return uuxargs_file(a, s, n, nodename, err, errlen);
	return uuxargs_add(a, s, n, err, errlen);
}

/* uuxargs_parse - parse the whole command line */
int
uuxargs_parse(int argc, char *const *argv, const char *nodename, struct uuxargs *a,
    char *err, size_t errlen)
{
	size_t pos, start, len;
	int i, r, have_cmd = 0;

	i = uuxargs_options(argc, argv, a, err, errlen);
	if (i < 0)
		return -1;
	for (; i < argc; i++) {
		pos = 0;
		while ((r = uuxargs_piece(argv[i], &pos, &start, &len)) == 1) {
			if (!have_cmd)
				r = uuxargs_command(a, argv[i] + start, len, nodename, err, errlen);
			else
				r = uuxargs_word(a, argv[i] + start, len, nodename, err, errlen);
			if (r < 0)
				return -1;
			have_cmd = 1;
		}
		if (r < 0)
			return uuxargs_err(err, errlen, "unbalanced parentheses in \"%s\"", argv[i]);
	}
	if (!have_cmd)
		return uuxargs_err(err, errlen, "no command given");
	return 0;
}

/* uuxargs_free - free the argument copies */
void
uuxargs_free(struct uuxargs *a)
{
	size_t i;

	for (i = 0; i < a->nargs; i++)
		free(a->args[i]);
	for (i = 0; i < a->nfiles; i++)
		free(a->files[i]);
	a->nargs = a->nfiles = 0;
}
