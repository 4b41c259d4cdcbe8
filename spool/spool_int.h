/*
 * spool_int.h - what the spool's own files share: the handle and small
 * helpers for building paths and writing files atomically.  Not for use
 * outside spool/.
 */
#ifndef BRIGADE_SPOOL_INT_H
#define BRIGADE_SPOOL_INT_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "spool/spool.h"

#define SPOOL_HELD_MAX 32			/* locks one process may hold */
#define SPOOL_RECV_AGE_DEFAULT (7 * 24 * 3600)	/* SN8 records kept (seconds) */
#define SPOOL_JOB_FILE_MAX (4u << 20)		/* largest command file read */
#define SPOOL_TMP_PREFIX ".tmp."		/* temporary names: never listed */

struct spool {
	char dir[PATH_MAX];
	char node[SPOOL_SYS_MAX];
	char lockdir[PATH_MAX];
	char held[SPOOL_HELD_MAX][SPOOL_SYS_MAX];	/* locks we hold */
	size_t nheld;
	time_t recv_max_age;
	unsigned long tmpseq;
};

int spool_sys_ok(const char *sys);
int spool_mkdir(const char *path);
int spool_tmp_open(const char *dir, char *tmp, size_t tmplen, mode_t mode);
int spool_write_new(const char *dir, const char *final, const void *data, size_t len,
    mode_t mode);
int spool_find_prefix(struct spool *sp, const char *prefix, struct spool_job *out);
int spool_recv_prune_sys(struct spool *sp, const char *sys);

#endif
