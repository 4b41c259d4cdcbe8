/*
 * spool_ops.h - operator requests on the spool beyond spool.h: poll
 * markers (a poll of a system asked for by uupoll or the daemon's Poll
 * schedule) and rejuvenating a job (uustat -r).
 *
 * Layout added under the spool directory SPOOL:
 *   SPOOL/.Poll/SYS            a poll of SYS is wanted (empty file)
 *
 * A marker is created atomically and removed by the caller once a call
 * with the system completed, so a crash at any instant leaves the poll
 * either still wanted or done.  System names are checked before any path
 * is built from them.
 */
#ifndef BRIGADE_SPOOL_OPS_H
#define BRIGADE_SPOOL_OPS_H

#include "spool/spool.h"

/* spool_poll_request - ask for a poll of sys (idempotent); 0 or -1. */
int spool_poll_request(struct spool *sp, const char *sys);

/* spool_poll_pending - whether a poll of sys is wanted: 1, 0, or -1 (bad
 * name). */
int spool_poll_pending(struct spool *sp, const char *sys);

/* spool_poll_clear - a call with sys completed: drop its poll marker;
 * 0 (also when there was none) or -1. */
int spool_poll_clear(struct spool *sp, const char *sys);

/* spool_poll_systems - the systems with a poll marker (malloc'd array of
 * malloc'd names, like spool_systems); 0 or -1. */
int spool_poll_systems(struct spool *sp, char ***names, size_t *n);

/* spool_job_rejuvenate - set the queued time of the job with id (or a
 * unique prefix) to now, rewriting its command file atomically under the
 * job-edit lock; only owner user may unless user is NULL.  0, or -1 with
 * errno ENOENT, EINVAL (prefix not unique) or EPERM. */
int spool_job_rejuvenate(struct spool *sp, const char *id, const char *user);

#endif
