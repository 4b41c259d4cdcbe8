/*
 * xfile.h - the UUCP execution (X.) file: a pure parser and formatter.
 *
 * An X. file is text, one command per line, its first byte naming it:
 *   U user system        who asked, and from where
 *   F name [use]         a file that must be present (a spool name), and
 *                        the name it gets in the execution directory
 *   I name               standard input (a spool name)
 *   O file [system]      standard output (kept, not acted upon)
 *   C command args...    the command; arguments split at blanks
 *   R address            where notices go (else the U user)
 *   N / Z / n            no notice / notice on failure / notice on success
 *   Q                    the strings of every line are backslash quoted:
 *                        "\\" is a backslash, "\ooo" an octal byte
 *   e / E                run with a shell / with execve (e is refused by
 *                        uuxqt, never honoured)
 *   # comment            ignored, as is any other unknown line
 * (Taylor UUCP's manual, "Execution File Format".)
 *
 * xfile_parse trusts nothing: the text comes from the wire.  It bounds
 * every field, refuses NUL bytes, a missing or repeated C or U line and a
 * bad quote, and never touches the file system; whether the names in F
 * and I lines are acceptable is uuxqt's decision (uuxperm.h).
 */
#ifndef BRIGADE_XFILE_H
#define BRIGADE_XFILE_H

#include <stddef.h>

#define XFILE_TEXT_MAX 65536	/* longest X. file accepted */
#define XFILE_ARGS_MAX 256	/* most arguments on the C line (with the command) */
#define XFILE_FILES_MAX 32	/* most F lines */
#define XFILE_CMD_MAX 16384	/* bytes of unquoted command and arguments */
#define XFILE_NAME_MAX 256	/* longest file name or address in other lines */

/* notify flags */
#define XFILE_NOTIFY_NEVER 0x1	/* N */
#define XFILE_NOTIFY_FAIL 0x2	/* Z */
#define XFILE_NOTIFY_OK 0x4	/* n */

struct xfile_file {
	char name[XFILE_NAME_MAX];	/* the spool name, e.g. D.alphaN0001 */
	char use[XFILE_NAME_MAX];	/* name in the execution directory, or "" */
};

struct xfile {
	char user[64];			/* U */
	char sys[64];			/* U: the requesting system */
	char input[XFILE_NAME_MAX];	/* I, or "" */
	char output[XFILE_NAME_MAX];	/* O, or "" */
	char output_sys[64];		/* O's system, or "" */
	char requestor[XFILE_NAME_MAX];	/* R, or "" */
	struct xfile_file files[XFILE_FILES_MAX];
	size_t nfiles;
	int notify;			/* XFILE_NOTIFY_* */
	int quoted;			/* Q seen */
	int shell;			/* e seen */
	size_t argc;			/* argv[0] is the command */
	char *argv[XFILE_ARGS_MAX + 1];	/* point into buf; argv[argc] is NULL */
	char buf[XFILE_CMD_MAX];
};

/* xfile_parse - parse len bytes of X. file text into x.  0, or -1 with
 * "line N: why" in err.  x holds pointers into itself (argv into buf):
 * copy it with xfile_copy, never with plain assignment. */
int xfile_parse(const char *text, size_t len, struct xfile *x, char *err, size_t errlen);

/* xfile_format - the text of x as an X. file, malloc'd and NUL-ended,
 * its length in *lenp.  A Q line is written (first) only when some string
 * needs it: bytes below '!' or DEL.  Empty arguments, NUL-free strings
 * with a newline in U/F/I/R fields and other unrepresentable values give
 * NULL with errno EINVAL. */
char *xfile_format(const struct xfile *x, size_t *lenp);

/* xfile_set_args - fill x's command and arguments from argv (argc
 * strings, argv[0] the command); 0, or -1 (EINVAL: empty, too many or
 * too long). */
int xfile_set_args(struct xfile *x, char *const *argv, size_t argc);

/* xfile_arg_needs_quote - whether s cannot stand on a C line as it is */
int xfile_arg_needs_quote(const char *s);

/* xfile_copy - copy src to dst, fixing the argv pointers */
void xfile_copy(struct xfile *dst, const struct xfile *src);

#endif
