/*
 * uuxperm.c - uuxqt's decisions (see uuxperm.h).  Pure: no I/O.  The X.
 * file is hostile: every name it gives must be a plain spool name before
 * uuxqt builds a path from it, and the command must be a bare name that
 * Permissions' COMMANDS allows for the sending system.
 */
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "uux/uuxperm.h"

/* uuxperm_name_ok - whether name is a spool name for an execution file */
int
uuxperm_name_ok(const char *name)
{
	return (strncmp(name, "D.", 2) == 0 || strncmp(name, "X.", 2) == 0) && name[2] &&
	    name_is_safe(name, 63);
}

/* uuxperm_check - decide about one execution request */
int
uuxperm_check(const struct xfile *x, const struct perm_view *v, char *why, size_t whylen)
{
	size_t i;

	for (i = 0; i < x->nfiles; i++) {
		if (!uuxperm_name_ok(x->files[i].name)) {
			snprintf(why, whylen, "file \"%s\" is not in the spool", x->files[i].name);
			return UUXPERM_CORRUPT;
		}
		if (x->files[i].use[0] && !name_is_safe(x->files[i].use, 255)) {
			snprintf(why, whylen, "bad file name \"%s\"", x->files[i].use);
			return UUXPERM_CORRUPT;
		}
	}
	if (x->input[0] && !uuxperm_name_ok(x->input)) {
		snprintf(why, whylen, "standard input \"%s\" is not in the spool", x->input);
		return UUXPERM_CORRUPT;
	}
	if (x->argc == 0 || !name_is_safe(x->argv[0], 255)) {
		snprintf(why, whylen, "command \"%s\" is not a plain name",
		    x->argc ? x->argv[0] : "");
		return UUXPERM_REFUSE;
	}
	if (!perm_command_ok(v, x->argv[0])) {
		snprintf(why, whylen, "command \"%s\" not allowed (COMMANDS)", x->argv[0]);
		return UUXPERM_REFUSE;
	}
	snprintf(why, whylen, "allowed");
	return UUXPERM_RUN;
}
