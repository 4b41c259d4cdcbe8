/*
 * session.h - one UUCP call: the initial handshake (Shere, S, ROK, P/U),
 * the S/R/X/E/H command loop in both roles until neither side has work,
 * and the final handshake.  The transfer engine (xfer.c) does the file
 * side of each command; protocols only move bytes.
 */
#ifndef BRIGADE_SESSION_H
#define BRIGADE_SESSION_H

#include <stddef.h>

#include "lib/conf.h"
#include "lib/hdb.h"
#include "modem/port.h"
#include "spool/spool.h"
#include "uucico/proto.h"

struct session_tried;

/* A -N / ROKN feature bit beyond Taylor's: each file is followed by its
 * whole-file CRC-32 ("ZCRC32 hex") and the receiver rejects it (CN5) on a
 * mismatch.  Used only when both sides announce it. */
#define SESSION_F_CRC32 0400

/* A second bit beyond Taylor's: files larger than one part are followed
 * by their parts' CRC-32s ("ZPARTS"), and a rejected copy is repaired by
 * sending only the parts that differ.  Used only when both sides announce
 * it together with SESSION_F_CRC32. */
#define SESSION_F_PARTS 01000

struct session {
	/* set up by the caller of session_call/session_answer */
	const struct conf *conf;
	const struct hdb *hdb;
	struct spool *sp;
	struct port *port;
	char remote[64];	/* caller: the system we call; callee: learnt */
	char login[64];		/* callee: the login the caller used */
	char protocols[16];	/* protocols allowed on this link, best first
				   ("" = all Brigade speaks) */
	int handshake_timeout;	/* seconds to wait for each handshake string */

	/* filled in during the call */
	int caller;
	struct proto *proto;
	struct perm_view perm;
	int features;		/* the remote's -N / ROKN bits */
	int remote_restart;	/* the remote restarts transfers (-R or N 02) */
	int e2e;		/* both sides check each file's CRC-32 */
	int parts;		/* ... and repair a rejected file by its parts */
	char min_grade;		/* the caller's -p / -vgrade= limit, or 0 */
	int locked;		/* we hold the remote's system lock */
	int brought_exec;	/* executions arrived: uuxqt should run */
	int progress;		/* show each file's progress on stderr (-v) */
	char why[256];		/* why the call failed */
	unsigned files_sent, files_received, files_failed, files_resent;
	unsigned long long bytes_sent, bytes_received;
	unsigned long long bytes_cut;	/* bytes of transfers the call cut short */
	long long t_start;
	char (*tried)[64];	/* "jobid/idx" keys not to retry in this call */
	size_t ntried, atried;
};

/* session_call - we placed the call on s->port to s->remote (any login
 * chat is done): run the handshake and the transfers.  0 when the call
 * completed, -1 with s->why set. */
int session_call(struct session *s);

/* session_answer - we were called on s->port (s->login says as whom):
 * send Shere, check the caller, run the transfers.  0 or -1 with s->why. */
int session_answer(struct session *s);

/* session_free - release what the session allocated (not the port). */
void session_free(struct session *s);

/* xfer.c: the transfer engine, used by session.c. */

/* xfer_master - as master, send every queued command for the remote that
 * has not been tried in this call; 0 when nothing is left, -1 when the
 * call failed (s->why set). */
int xfer_master(struct session *s);

/* xfer_slave - as slave, carry out one command from the master; 0, or -1
 * when the call failed. */
int xfer_slave(struct session *s, const char *line);

/* xfer_have_work - whether we have commands for the remote not yet tried
 * in this call (and may send them in this role). */
int xfer_have_work(struct session *s);

#endif
