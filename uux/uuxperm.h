/*
 * uuxperm.h - uuxqt's decisions about one execution request, as pure
 * functions of the parsed X. file, the Permissions entry of the system
 * that sent it and what is present in its spool.
 */
#ifndef BRIGADE_UUXPERM_H
#define BRIGADE_UUXPERM_H

#include <stddef.h>

#include "lib/hdb.h"
#include "uux/xfile.h"

enum {
	UUXPERM_RUN = 0,	/* run it */
	UUXPERM_REFUSE = 1,	/* well formed but not allowed: notice, remove */
	UUXPERM_CORRUPT = 2,	/* malformed or names files outside the spool:
				   move aside, never run */
};

/* uuxperm_name_ok - whether name may name a file received for an
 * execution: "D." or "X." then a safe name (no '/', no "..") */
int uuxperm_name_ok(const char *name);

/* uuxperm_check - the decision for x sent by a system whose Permissions
 * entry is v; the reason goes to why. */
int uuxperm_check(const struct xfile *x, const struct perm_view *v, char *why, size_t whylen);

#endif
