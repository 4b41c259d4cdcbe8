/*
 * uuxargs.h - uux's command line as a pure function: options, the
 * "sys!command" word, "(parenthesised)" literal arguments and "sys!path"
 * file arguments.  No I/O; uux.c acts on the result.
 *
 * Options (before the command): "-" or "-p" (standard input goes to the
 * command), -r (do not start uucico), -n (no notice), -z (notice on
 * failure), -a ADDR (notices go to ADDR), -g GRADE, -j (print the job
 * id), -I CONFIG, -c / -C / -l (accepted; files are always copied),
 * -x DEBUG.  A value may be glued to its flag (-a$sender, -gC) and flags
 * may be grouped (-rnz).  Options end at the first word that does not
 * begin with '-' (or after "--").
 *
 * Each remaining word is split at blanks outside parentheses, as the
 * shell would not have done for 'sys!rmail a b'.  The first piece is
 * "sys!command" (an empty sys is the local node).  Then:
 *   (text)      the text, literally (nested parentheses kept)
 *   sys!path    a file: "!path" or "LOCAL!path" is a local file sent
 *               along and named by its last component; "EXEC!path" (the
 *               executing system's own file) is passed as the path
 *   other       a literal argument
 * Files on a third system and redirections (<, >) are refused.
 */
#ifndef BRIGADE_UUXARGS_H
#define BRIGADE_UUXARGS_H

#include <stddef.h>

#define UUXARGS_MAX 256		/* most arguments */
#define UUXARGS_FILES_MAX 32	/* most local files sent along */

struct uuxargs {
	int read_stdin;			/* - or -p */
	int no_uucico;			/* -r */
	int notify;			/* UUXQ_NOTIFY_* from -n / -z */
	int print_id;			/* -j */
	char grade;			/* -g, or 0 */
	const char *requestor;		/* -a, or NULL */
	const char *config;		/* -I, or NULL */
	const char *debug;		/* -x, or NULL */
	char sys[64];			/* executing system ("" before the node is known) */
	char command[256];
	char *args[UUXARGS_MAX];	/* malloc'd literal arguments */
	size_t nargs;
	char *files[UUXARGS_FILES_MAX];	/* malloc'd local paths to send */
	char *file_names[UUXARGS_FILES_MAX]; /* pointers into files[i]: the base name */
	size_t nfiles;
};

/* uuxargs_parse - parse argv (argc words, argv[0] the program) for a node
 * called nodename; 0, or -1 with the reason in err.  Free with
 * uuxargs_free either way. */
int uuxargs_parse(int argc, char *const *argv, const char *nodename, struct uuxargs *a,
    char *err, size_t errlen);

/* uuxargs_options - parse only the options (to find -I before the node
 * name is known); returns the index of the first non-option word, or -1
 * with err. */
int uuxargs_options(int argc, char *const *argv, struct uuxargs *a, char *err,
    size_t errlen);

void uuxargs_free(struct uuxargs *a);

#endif
