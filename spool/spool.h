/*
 * spool.h - Brigade's crash-safe on-disk queue.
 *
 * Layout under the spool directory SPOOL:
 *   SPOOL/.Sequence            the node's wire-name sequence counter
 *   SPOOL/.Status/SYS          one status file per system
 *   SPOOL/.Received/SYS/TEMP   records of files received (for SN8)
 *   SPOOL/.Temp/SYS/TEMP       files being received, kept for restart
 *   SPOOL/.Corrupt/            broken spool files moved aside, never deleted
 *   SPOOL/SYS/C./C.<uuid>      queued jobs (command files) for SYS
 *   SPOOL/SYS/D./D.xxxx        outgoing data files for SYS (wire names)
 *   SPOOL/SYS/in/D.xxxx X.xxxx files received from SYS for executions
 *   LOCKDIR/LCK.SYS            the per-system lock (HDB ASCII pid)
 *
 * Every file appears under its final name only when complete: written
 * under a temporary name, fsync'd, renamed, directory fsync'd.  Data files
 * are committed before the command file that names them.  A job whose
 * command is done is rewritten (again atomically) without that command,
 * and removed when none remain; only then are its data files unlinked.
 * So a crash at any instant leaves each job queued whole or done.
 *
 * Job ids are UUIDs (libuuid), unique across nodes and restarts.  Names
 * that travel on the wire follow UUCP convention: D.<sys7><grade><seq4>,
 * at most 14 characters.  Nothing here reads from the network; names and
 * paths from outside must already have passed util.h's checks, and the
 * spool checks them again where it builds paths from them.
 */
#ifndef BRIGADE_SPOOL_H
#define BRIGADE_SPOOL_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#define SPOOL_SYS_MAX 64	/* longest system name, with NUL */
#define SPOOL_WIRE_MAX 15	/* longest wire name (14) with NUL */
#define SPOOL_ID_MAX 37		/* UUID text with NUL */
#define SPOOL_CMD_MAX 64	/* most commands in one job */

/* One command of a job: what uucico will ask of the remote.  The three
 * long strings are pointers, so a queue of thousands of jobs costs what
 * its text does: in a job from spool_list or spool_job_parse they point
 * into the job's own block (see struct spool_job); a caller who builds a
 * job points them at strings of its own.  NULL reads as "". */
#define SPOOL_PATH_MAX PATH_MAX	/* longest from or to, with NUL */
#define SPOOL_COMMAND_MAX 1024	/* longest command, with NUL */
struct spool_cmd {
	char kind;			/* 'S' send, 'R' fetch, 'X' remote uucp, 'E' execute */
	const char *from;		/* S/E: local source (absolute) or "" when the
					   data lives in the spool as temp; R/X: remote path */
	const char *to;			/* S/E: remote destination; R: local destination */
	char user[64];			/* requesting user */
	char options[16];		/* wire options without '-', e.g. "Cd" */
	char temp[SPOOL_WIRE_MAX];	/* S/E with C: the data file's wire name, else "D.0" */
	unsigned mode;			/* file mode to announce */
	char notify[128];		/* S: -n address, or "" */
	const char *command;		/* E: the command line to run */
	int done;			/* set by the spool when loaded from a job whose
					   command was completed (never written) */
};

struct spool_job {
	char id[SPOOL_ID_MAX];		/* UUID */
	char sys[SPOOL_SYS_MAX];	/* destination system */
	char grade;			/* '0'-'9', 'A'-'Z', 'a'-'z' */
	time_t queued;			/* when queued */
	char user[64];			/* who queued it */
	size_t ncmd;			/* at most SPOOL_CMD_MAX */
	struct spool_cmd *cmd;		/* jobs from spool_list and spool_job_parse own
					   one malloc'd block: the commands, then the
					   strings they point to (free(cmd) frees all);
					   callers who build a job own theirs */
	off_t bytes;			/* total size of local data, for uustat */
};

/* Per-system status, as uustat -s and the daemon show it. */
struct spool_status {
	time_t last_call;		/* when the last call ended (0: never) */
	int result;			/* SPOOL_ST_* */
	int retries;			/* consecutive failures */
	time_t next_retry;		/* not before this time (0: any time) */
	char reason[256];		/* why the last call failed, or "" */
	double line_ber;		/* the link as the last call that measured it */
	double line_rate;		/* left it: bit-error rate, bytes/s (0: unknown) */
};

enum {
	SPOOL_ST_NEVER = 0,
	SPOOL_ST_OK = 1,		/* last call completed */
	SPOOL_ST_FAILED = 2,		/* last call failed: see reason */
	SPOOL_ST_TALKING = 3,		/* a call is in progress */
};

struct spool;

/* spool_open - open (creating if needed) the spool at dir for node
 * nodename, with locks in lockdir (NULL: dir/.Lock).  NULL on error with
 * the reason in err. */
struct spool *spool_open(const char *dir, const char *nodename, const char *lockdir,
    char *err, size_t errlen);
void spool_close(struct spool *sp);

/* spool_dir - the spool's top directory. */
const char *spool_dir(const struct spool *sp);

/* spool_wire_name - allocate a fresh wire name "D.<sys7><grade><seq4>"
 * (kind 'D' or 'X' or 'C') from the node's persistent sequence counter;
 * sys is the name embedded (by convention the local node's for data that
 * goes with an execution).  0 or -1. */
int spool_wire_name(struct spool *sp, char kind, const char *sys, char grade,
    char out[SPOOL_WIRE_MAX]);

/* spool_data_create - start an outgoing data file for sys under a fresh
 * wire name (written to out); returns a writable fd on a temporary file,
 * or -1.  Finish with spool_data_commit (fsync + rename) or
 * spool_data_abort. */
int spool_data_create(struct spool *sp, const char *sys, char grade,
    char out[SPOOL_WIRE_MAX]);
int spool_data_commit(struct spool *sp, const char *sys, const char *wire, int fd);
void spool_data_abort(struct spool *sp, const char *sys, const char *wire, int fd);

/* spool_data_path - the path of an outgoing data file; 0 or -1. */
int spool_data_path(const struct spool *sp, const char *sys, const char *wire,
    char *out, size_t outlen);

/* spool_queue - write job atomically as a new command file for job->sys;
 * fills job->id (a new UUID) and job->queued.  Data files it names must
 * already be committed.  0 or -1 (errno: ENOSPC and friends). */
int spool_queue(struct spool *sp, struct spool_job *job);

/* spool_list - the jobs queued for sys (NULL: every system), highest grade
 * first then oldest first.  *jobs is a malloc'd array (free with
 * spool_list_free).  A command file that cannot be parsed is moved to
 * .Corrupt and logged.  0 or -1. */
int spool_list(struct spool *sp, const char *sys, struct spool_job **jobs, size_t *n);
void spool_list_free(struct spool_job *jobs, size_t n);

/* spool_systems - names of systems with a queue directory (malloc'd
 * array of malloc'd strings).  0 or -1. */
int spool_systems(struct spool *sp, char ***names, size_t *n);

/* spool_cmd_done - command idx of job is finished (sent, or refused for
 * good): rewrite the job with that command marked done (so indexes stay
 * valid; a reload shows it with done set), or remove the job when it was
 * the last; then unlink the command's data file.  0, or -1 (ENOENT: the
 * job was killed meanwhile). */
int spool_cmd_done(struct spool *sp, struct spool_job *job, size_t idx);

/* spool_job_kill - remove a job by id (or unique id prefix) with its
 * data files; only owner user may kill unless user is NULL.  0, or -1
 * with errno ENOENT (no such job), EINVAL (prefix not unique) or EPERM. */
int spool_job_kill(struct spool *sp, const char *id, const char *user);

/* Locks.  One lock per system, HDB style (LCK.SYS holding the pid as ten
 * ASCII digits and a newline), broken when its process is dead. */

/* spool_lock - take sys's lock; 0, or -1 with errno EWOULDBLOCK when a
 * live process holds it. */
int spool_lock(struct spool *sp, const char *sys);
void spool_unlock(struct spool *sp, const char *sys);

/* Receiving.  A file from the wire goes to .Temp/SYS/<temp> (temp is the
 * sender's temporary name, which keys restart and SN8) and is committed
 * only when complete. */
struct spool_recv {
	char sys[SPOOL_SYS_MAX];
	char temp[PATH_MAX];		/* partial file path */
	char key[SPOOL_WIRE_MAX + 8];	/* sender's temp name, "" when not usable */
	int fd;
	off_t offset;			/* bytes already there (restart point) */
};

/* spool_recv_seen - whether a file with the sender's temp name was
 * already received and committed from sys (SN8). */
int spool_recv_seen(struct spool *sp, const char *sys, const char *sender_temp);

/* spool_recv_begin - open the partial file for a transfer from sys.
 * With restart set and a usable sender_temp, an existing partial file is
 * kept and r->offset tells where to resume; otherwise it starts empty.
 * 0 or -1. */
int spool_recv_begin(struct spool *sp, const char *sys, const char *sender_temp,
    int restart, struct spool_recv *r);

/* spool_recv_commit - fsync the partial file, record the receipt (for
 * SN8), rename it to final (an absolute path, whose directory must exist
 * or is created when mkdirs is set) with mode, and fsync both directories.
 * 0 or -1 (then the partial file is kept). */
int spool_recv_commit(struct spool *sp, struct spool_recv *r, const char *final,
    mode_t mode, int mkdirs);

/* spool_recv_truncate - cut the partial file to its first len bytes,
 * durably (a restart resumes there); 0 or -1. */
int spool_recv_truncate(struct spool_recv *r, off_t len);

/* spool_recv_abort - close the partial file; keep it for restart when
 * keep is set, else remove it. */
void spool_recv_abort(struct spool *sp, struct spool_recv *r, int keep);

/* A note kept beside a partial file (.Temp/SYS/.<temp>.repair, at most
 * SPOOL_NOTE_MAX bytes; its meaning is the transfer engine's): which
 * parts of a whole but rejected file are to be sent again.  It goes when
 * the partial file is committed, removed, cut or started afresh.
 * spool_recv_note_put writes it atomically and durably (0 or -1);
 * spool_recv_note_get returns it (caller frees) or NULL when there is
 * none, it is too large, or r has no usable key; spool_recv_note_drop
 * removes it. */
#define SPOOL_NOTE_MAX 256
int spool_recv_note_put(struct spool_recv *r, const char *text);
char *spool_recv_note_get(struct spool_recv *r);
void spool_recv_note_drop(struct spool_recv *r);

/* spool_set_recv_max_age - how long SN8 records are kept (seconds; 0:
 * the default, 7 days).  spool_lock prunes the locked system's older
 * records; spool_recv_prune does it on demand.  0 or -1. */
void spool_set_recv_max_age(struct spool *sp, time_t seconds);
int spool_recv_prune(struct spool *sp, const char *sys);

/* spool_in_path - where files received for executions from sys live
 * ("D.xxx" or "X.xxx" names in SPOOL/SYS/in/, a directory it creates
 * when missing); 0 or -1 (bad name). */
int spool_in_path(const struct spool *sp, const char *sys, const char *name,
    char *out, size_t outlen);

/* Status. */
int spool_status_get(struct spool *sp, const char *sys, struct spool_status *st);
int spool_status_put(struct spool *sp, const char *sys, const struct spool_status *st);

/* spool_corrupt - move a broken spool file (path, from or for sys) to
 * SPOOL/.Corrupt, never deleting it and never replacing a file already
 * there, and log why; 0 or -1 (then it is left where it was, logged). */
int spool_corrupt(struct spool *sp, const char *path, const char *sys, const char *why);

/* Pure helpers, fuzzable: parse and format one command file. */
/* spool_job_parse allocates job->cmd, one block with the commands' strings
 * (free it with free()). */
int spool_job_parse(const char *text, size_t len, struct spool_job *job, char *err,
    size_t errlen);
char *spool_job_format(const struct spool_job *job, size_t *lenp);

#endif
