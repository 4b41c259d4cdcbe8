/*
 * xfer.h - the file side of one transfer, shared by the two engines that
 * drive the wire: the command loop (xfer.c: one command at a time, for g,
 * G, t and e) and the channel engine (duplex.c: many commands and files
 * in flight both ways, for i).  These functions open, check, spool and
 * commit files and write the log; they never touch the protocol, so the
 * engines decide when bytes and replies go out.
 */
#ifndef BRIGADE_XFER_H
#define BRIGADE_XFER_H

#include <limits.h>
#include <stddef.h>
#include <sys/types.h>

#include "spool/spool.h"
#include "uucico/cmd.h"
#include "uucico/session.h"

/* What a step decided, beside -1 (the call failed, s->why set). */
#define XFER_LATER 0		/* the command stays queued for a later call */
#define XFER_DONE 1		/* the command is finished (or dropped for good) */
#define XFER_RETRY 2		/* the end-to-end check failed: send it again */
#define XFER_GO 3		/* go on: send the command, or the file's bytes */
#define XFER_CRC_RETRIES 3	/* immediate re-sends after a failed check */

/* Progress of one file for an operator watching a call (-v). */
struct xfer_meter {
	const char *dir;	/* "send" or "receive" */
	char file[PATH_MAX];
	long long total;	/* bytes of the whole file, or -1 */
	long long base;		/* bytes already there (a restart) */
	long long t0, last;	/* when it started, when last shown */
};

/* A file coming in: the peer's S or E, or the answer to our R. */
struct xfer_in {
	struct cmd c;		/* the command that brought it */
	struct spool_recv r;
	int open;		/* r holds a temporary file */
	int request;		/* the answer to our R */
	int spooled;		/* goes into the spool (D. or X. name, E) */
	char final[PATH_MAX];	/* where it goes when complete */
	char dname[SPOOL_WIRE_MAX];	/* E: the data file's spool name */
	unsigned mode;		/* R: the mode the RY gave */
	long long next;		/* the file offset expected next */
	long long t0;
	unsigned long long bytes;
	unsigned long crc;	/* CRC-32 of the whole file so far */
	int crc_given;		/* the S command carried the CRC-32 ... */
	unsigned long crc_expect;	/* ... and this is it */
	int werr;		/* errno of the first write that failed */
	int repair;		/* only rep's parts come, at positions from c.size on */
	struct cmd_repair rep;
	long long rep_end;	/* the position after the last of them */
	struct xfer_meter m;
};

/* A file going out: our S or E, or our answer to the peer's R. */
struct xfer_out {
	struct cmd c;		/* the command as sent (or the peer's R) */
	struct spool_job *job;	/* ours: the job and command it came from */
	size_t k;
	int fd;
	char path[PATH_MAX];	/* what is read */
	long long size, pos;	/* the file's size; the next offset to send */
	long long start;	/* where sending started (a restart) */
	long long t0;
	unsigned long long bytes;
	unsigned long crc;	/* the whole file's CRC-32 (end-to-end) */
	int crc_after;		/* a "ZCRC32" command follows the data */
	struct cmd_parts parts;	/* each part's CRC-32: "ZPARTS" follows the data */
	struct cmd_repair rep;	/* rep.nbad > 0: only these parts go, as positions
				   size .. end (the receiver's "SY" asked) */
	long long end;		/* the position after the last byte to send */
	struct xfer_meter m;
};

/* Bookkeeping of the call. */
int xfer_grade_ok(const struct session *s, char grade);
int xfer_was_tried(const struct session *s, const struct spool_job *job, size_t idx);
void xfer_mark_tried(struct session *s, const struct spool_job *job, size_t idx);
int xfer_fail(struct session *s, const char *why);

/* xfer_in_offer - the peer offers a file (S or E): check it and open a
 * temporary file.  XFER_GO (reply is "SY [0xoffset]") or XFER_DONE (reply
 * is the refusal: SN2, SN4, SN6, SN8). */
int xfer_in_offer(struct session *s, const struct cmd *c, struct xfer_in *in, char *reply,
    size_t rlen);

/* xfer_in_request - our R command for job's command k: where the file
 * goes and the command string.  XFER_GO, or XFER_DONE when it cannot be
 * asked for (logged). */
int xfer_in_request(struct session *s, struct spool_job *job, size_t k, struct xfer_in *in,
    char *line, size_t len);

/* xfer_in_answered - the peer's reply to our R: XFER_GO (RY: receiving),
 * XFER_DONE or XFER_LATER (RN), -1 (a reply that makes no sense). */
int xfer_in_answered(struct session *s, struct spool_job *job, struct xfer_in *in,
    const char *reply);

/* xfer_in_bytes - n bytes at file offset pos (for a repair: at a stream
 * position from c.size on): overlap with what we have is skipped, a gap
 * is an error (-1). */
int xfer_in_bytes(struct session *s, struct xfer_in *in, long long pos, const void *buf,
    size_t n);

/* xfer_in_wants_crc - whether a line ("ZCRC32", "ZPARTS") follows the
 * data: the whole file's CRC-32 when the command did not carry it, the
 * parts' when the file is larger than one part (cmd.h) */
int xfer_in_wants_crc(const struct session *s, const struct xfer_in *in);

/* xfer_in_finish - the whole file is here (crcline: the line that
 * followed it, or NULL): check, commit or reject, log; reply is CY or CN5.
 * A rejected S whose parts are known is kept whole with a note of its
 * bad parts, which the sender's next S gets asked for again (xfer_in_offer);
 * failing that, a rejected S or E keeps its good leading parts for a
 * restart.  0, or -1 when the call must
 * fail (a full disk: the sender keeps the file). */
int xfer_in_finish(struct session *s, struct xfer_in *in, const char *crcline, char *reply,
    size_t rlen);

/* xfer_in_interrupted - the line failed mid-file: keep what can be
 * resumed, log. */
void xfer_in_interrupted(struct session *s, struct xfer_in *in);

/* xfer_out_job - our S or E for job's command k: open the file and format
 * the command.  XFER_GO (line ready), XFER_DONE (dropped, logged) or
 * XFER_LATER. */
int xfer_out_job(struct session *s, struct spool_job *job, size_t k, struct xfer_out *o,
    char *line, size_t len);

/* xfer_out_started - the peer's SY or SN to our S/E: XFER_GO (o->pos is
 * where to send from), XFER_DONE or XFER_LATER (refused), -1. */
int xfer_out_started(struct session *s, struct xfer_out *o, const char *reply);

/* xfer_out_request - the peer asks for a file (R): XFER_GO (reply is RY,
 * o open) or XFER_DONE (reply is the RN). */
int xfer_out_request(struct session *s, const struct cmd *c, struct xfer_out *o, char *reply,
    size_t rlen);

/* xfer_out_read - the next bytes to send from o->pos: count, 0 at the
 * end, -1 on a read error (call failed). */
ssize_t xfer_out_read(struct session *s, struct xfer_out *o, void *buf, size_t len);

/* xfer_out_crcline - the line to send after the data ("ZCRC32", "ZPARTS"
 * or both, buf of CMD_TRAILER_MAX), or NULL when none goes. */
const char *xfer_out_crcline(const struct xfer_out *o, char *buf, size_t len);

/* xfer_out_confirmed - the peer's CY or CN after the data: logs;
 * XFER_DONE, or XFER_RETRY when the end-to-end check rejected it. */
int xfer_out_confirmed(struct session *s, struct xfer_out *o, const char *reply);

/* xfer_out_interrupted - the line failed before the file was confirmed */
void xfer_out_interrupted(struct session *s, struct xfer_out *o, const char *result);

/* xfer_out_close - release o's file */
void xfer_out_close(struct xfer_out *o);

/* xfer_uucp_request - our X command for job's command k: XFER_GO (line
 * ready) or XFER_DONE. */
int xfer_uucp_request(struct session *s, struct spool_job *job, size_t k, char *line, size_t len);

/* xfer_uucp_run - the peer's X command: queue the files; reply XY or XN */
void xfer_uucp_run(struct session *s, const struct cmd *c, char *reply, size_t rlen);

/* xfer_parse_cmd - parse a command from the peer; -1 with the refusal
 * to send in reply ("" when the call must fail). */
int xfer_parse_cmd(struct session *s, const char *line, struct cmd *c, char *reply, size_t rlen);

/* xfer_duplex - the channel engine: run the whole command phase of a call
 * over a protocol with channels, both roles; 0 when both sides agreed to
 * hang up, -1 (s->why set). */
int xfer_duplex(struct session *s);

#endif
