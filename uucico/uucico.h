/*
 * uucico.h - what uucico's own files share: its options and loaded
 * configuration, and the functions that place and answer calls.
 */
#ifndef BRIGADE_UUCICO_H
#define BRIGADE_UUCICO_H

#include <limits.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "modem/port.h"
#include "spool/spool.h"

struct uucico_opts {
	const char *config;
	const char *call;		/* -S or -s system */
	int force;			/* -S: ignore time window and retry wait */
	int all;			/* -r1 */
	const char *login;		/* -u */
	int prompt;			/* -l */
	const char *listen;		/* -L [addr:]port */
	int no_uuxqt;			/* -q */
	int verbose;			/* -v */
};

struct uucico_ctx {
	struct uucico_opts o;
	struct conf conf;
	struct hdb hdb;
	struct spool *sp;
	char self[PATH_MAX];		/* our binary, to find uuxqt beside it */
};

/* call.c: placing calls. */

/* uucico_call_system - call sys (-S forces, -s respects its time window
 * and retry wait); 0 when the call completed or was not due, -1 when it
 * failed (the system's status says why). */
int uucico_call_system(struct uucico_ctx *c, const char *sys);

/* uucico_call_all - -r1: call every system with work that may be called. */
int uucico_call_all(struct uucico_ctx *c);

/* answer.c: answering calls. */

/* uucico_answer - answer one call on p, first prompting for a login when
 * prompt is set; 0 when the call completed. */
int uucico_answer(struct uucico_ctx *c, struct port *p, int prompt);

/* uucico_listen_tcp - answer calls on c->o.listen forever: a TCP
 * [address:]port, or a tty device path (one call at a time). */
int uucico_listen_tcp(struct uucico_ctx *c);

/* uucico_run_uuxqt - start uuxqt after a call that brought executions. */
void uucico_run_uuxqt(struct uucico_ctx *c);

#endif
