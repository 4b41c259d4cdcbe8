/*
 * mbox.h - local delivery: append a message to a user's mailbox, one
 * file per user in the mbox format (a From_ line in front of each
 * message, a blank line after it, body lines that could be read as a
 * From_ line escaped with '>').
 *
 * A delivery either appends the whole message or leaves the mailbox as
 * it was: the file is locked both ways mail readers expect (a NAME.lock
 * file created with O_EXCL, then an fcntl write lock), the message is
 * written and fsync'd, and on any failure the file is truncated back to
 * its old length.  A full disk (ENOSPC, EDQUOT) or a file size limit
 * (EFBIG) is a temporary failure.  Callers that can meet a file size
 * limit must ignore SIGXFSZ, so that write fails with EFBIG instead of
 * the process being killed.
 */
#ifndef BRIGADE_MBOX_H
#define BRIGADE_MBOX_H

#include <stddef.h>

/* Results, after the OK / TEMP / PERM convention (sysexits: 0, 75, 73). */
enum {
	MBOX_OK = 0,
	MBOX_TEMP = 1,		/* try again later: lock busy, disk full, I/O error */
	MBOX_PERM = 2		/* never works: not a regular file, bad name */
};

#define MBOX_LOCK_WAIT_MS 20000	/* how long mbox_append waits for the locks */
#define MBOX_STALE_LOCK_S 300	/* a NAME.lock older than this is broken */

/* mbox_escape - the mbox form of msg (len bytes, header block and body,
 * without a From_ line): every line that starts with zero or more '>'
 * followed by "From " gets one more '>' in front (the reversible "mboxrd"
 * rule), a final newline is added when missing, and one empty line ends
 * the message.  Returns a malloc'd buffer (caller frees) with its length
 * in *outlen, or NULL. */
char *mbox_escape(const char *msg, size_t len, size_t *outlen);

/* mbox_append - append one message to the mailbox at path (created with
 * mode 0600 when missing; a symbolic link or anything but a regular file
 * is refused): from_line (the whole "From sender date\n" line) then
 * mbox_escape(msg).  Waits at most MBOX_LOCK_WAIT_MS for the locks.
 * Returns MBOX_OK, MBOX_TEMP or MBOX_PERM, with the reason in err. */
int mbox_append(const char *path, const char *from_line, const char *msg, size_t len,
    char *err, size_t errlen);

/* mbox_path - the mailbox of user under maildir (maildir/user); 0, or -1
 * when user is not a safe mailbox name (mailaddr_user_is_valid) or the
 * path does not fit. */
int mbox_path(char *dst, size_t n, const char *maildir, const char *user);

#endif
