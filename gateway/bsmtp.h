/*
 * bsmtp.h - batched SMTP: many messages in one UUCP execution.  A batch
 * is the text of an SMTP session without the replies, LF line ends:
 *
 *   HELO sender
 *   MAIL FROM:<return-path>      once per message, then
 *   RCPT TO:<recipient>          one or more,
 *   DATA                         the message, dot-stuffed, and "."
 *   ...
 *   QUIT
 *
 * compressed with zlib in gzip format for "rgsmtp" (plain for "rsmtp";
 * the receiver also takes the compress(1) .Z format of "rcsmtp").
 * Paths are the bang paths the UUCP world uses: the receiver hands each
 * message to its own rmail.
 *
 * The writer streams into a file descriptor.  The parser is pure: it
 * checks the whole batch (which must end with QUIT, so a cut-off batch is
 * refused as a whole) before the caller delivers anything.  Input is
 * hostile: bounded sizes and counts, no control bytes in paths.
 */
#ifndef BRIGADE_BSMTP_H
#define BRIGADE_BSMTP_H

#include <stddef.h>
#include <zlib.h>

#define BSMTP_RCPT_MAX 100		/* recipients per message */
#define BSMTP_PATH_MAX 512		/* longest path, with NUL */
#define BSMTP_MAX_DEFAULT (256L << 20)	/* largest batch, uncompressed */

struct bsmtp_writer {
	z_stream z;
	int fd;
	int gzip;			/* compress (rgsmtp) or not (rsmtp) */
	unsigned char out[16384];
	size_t nmsgs;
	long long bytes;		/* uncompressed bytes so far */
	int failed;			/* errno of a failed write, 0 */
};

/* bsmtp_writer_open - start a batch on fd (written at its offset) with
 * "HELO helo".  0 or -1. */
int bsmtp_writer_open(struct bsmtp_writer *w, int fd, int gzip, const char *helo);

/* bsmtp_writer_add - append one message: return path, recipients, and
 * the message text (LF line ends).  0 or -1 (errno set). */
int bsmtp_writer_add(struct bsmtp_writer *w, const char *from, const char *const *rcpts,
    size_t nrcpt, const char *msg, size_t len);

/* bsmtp_writer_close - "QUIT", flush, end the gzip stream.  0 or -1. */
int bsmtp_writer_close(struct bsmtp_writer *w);

/* One message of a parsed batch, handed to the callback. */
struct bsmtp_msg {
	char from[BSMTP_PATH_MAX];
	char rcpt[BSMTP_RCPT_MAX][BSMTP_PATH_MAX];
	size_t nrcpt;
	char *body;			/* dot-unstuffed, LF line ends (caller's copy
					   is valid during the callback only) */
	size_t len;
};

/* bsmtp_parse - walk a batch (uncompressed, len bytes), calling fn for
 * each message in order with its index (fn may be NULL to only check).
 * A batch must start with HELO and end with QUIT; anything else is an
 * error with its line number in err, and no callback is made at all
 * (the whole text is checked first).  fn returning -1 stops the walk.
 * Returns the number of messages, or -1. */
long bsmtp_parse(const char *text, size_t len,
    int (*fn)(const struct bsmtp_msg *m, size_t index, void *arg), void *arg, char *err,
    size_t errlen);

/* bsmtp_unpack - decompress a batch (gzip or zlib by its magic, .Z by
 * its magic, else taken as plain text) into a new buffer of at most max
 * bytes (caller frees).  A stream that stops before its end, fails its
 * check value, or exceeds max is an error in err.  NULL on error. */
char *bsmtp_unpack(const unsigned char *in, size_t inlen, size_t max, size_t *outlen, char *err,
    size_t errlen);

#endif
