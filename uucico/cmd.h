/*
 * cmd.h - the UUCP session's command strings (S, R, X, E, H and their
 * replies), parsed and formatted by pure functions.
 *
 *   S from to user -options temp mode notify size
 *   R from to user -options size
 *   X from to user -options
 *   E from to user -options temp mode notify size command...
 *   H
 *
 * Fields are separated by single spaces.  With the 'q' option the path
 * and user fields are backslash-quoted (Taylor UUCP 1.07).  A notify of
 * "" (two double quotes) is empty.  Sizes are hexadecimal with 0x, or
 * decimal for peers that asked for it (feature 010).  Input is hostile:
 * every field is bounded and parsing never reads past len.
 */
#ifndef BRIGADE_CMD_H
#define BRIGADE_CMD_H

#include <limits.h>
#include <stddef.h>

/* The longest command string Brigade sends or accepts. */
#define CMD_LINE_MAX (PATH_MAX + 256)

/* Feature bits of Taylor UUCP's -N / ROKN exchange. */
#define CMD_F_SIZE 001		/* size negotiation */
#define CMD_F_RESTART 002	/* file restart */
#define CMD_F_EXEC 004		/* the E command */
#define CMD_F_DECIMAL 010	/* sizes in decimal */
#define CMD_F_DUMMY 020		/* SVR4 dummy before the size */
#define CMD_F_QUOTE 040		/* the q option */
/* What a peer that sent -N without a number has. */
#define CMD_F_DEFAULT (CMD_F_SIZE | CMD_F_DECIMAL)
/* What Brigade offers. */
#define CMD_F_BRIGADE (CMD_F_SIZE | CMD_F_RESTART | CMD_F_EXEC | CMD_F_QUOTE)

struct cmd {
	char kind;			/* 'S', 'R', 'X', 'E', 'H' */
	char from[PATH_MAX];
	char to[PATH_MAX];
	char user[64];
	char options[32];		/* without the '-' */
	char temp[64];
	unsigned mode;
	char notify[256];
	long long size;			/* -1 when absent */
	char command[2048];		/* E only */
	char crc[9];			/* S between Brigade peers: the whole file's
					   CRC-32 in hex, sent as a last field "Zxxxxxxxx";
					   "" when absent */
};

/* cmd_parse - parse one master command string; 0, or -1 with a reason. */
int cmd_parse(const char *s, struct cmd *c, char *err, size_t errlen);

/* cmd_format - format c for a peer with the given feature bits into out;
 * 0, or -1 when it does not fit or a field cannot be sent (a space in a
 * path to a peer without quoting). */
int cmd_format(const struct cmd *c, int features, char *out, size_t outlen);

/* cmd_has_option - whether option letter o is in c->options. */
int cmd_has_option(const struct cmd *c, char o);

/* cmd_quote / cmd_unquote - Taylor's backslash quoting of one field;
 * 0 or -1 (does not fit, or a bad escape). */
int cmd_quote(const char *in, char *out, size_t outlen);
int cmd_unquote(const char *in, char *out, size_t outlen);

/* cmd_reply_pos - parse the optional start position of "SY 0x..." or the
 * mode and size of "RY 0644 0x..."; returns the number found or -1. */
int cmd_parse_sy(const char *reply, long long *pos);
int cmd_parse_ry(const char *reply, unsigned *mode, long long *size);

/*
 * The line that follows a file's data between Brigade peers (feature
 * 0400): the whole file's CRC-32 when the command did not carry it, and
 * the CRC-32 of each part of a file larger than one part, so that a
 * receiver whose check fails keeps the good parts for a restart:
 *
 *   ZCRC32 <crc>                                  E, or the answer to R
 *   ZPARTS <partsize> <crc1> ... <crcN>           S (its CRC is in the S)
 *   ZCRC32 <crc> ZPARTS <partsize> <crc1> ...     E
 *
 * all in lower-case hex without 0x; N is the size divided by partsize,
 * rounded up.  At most CMD_PARTS_MAX parts, so the line stays under
 * CMD_TRAILER_MAX bytes.
 */
#define CMD_PARTS_MAX 256
#define CMD_PART_MIN (64 * 1024)
#define CMD_TRAILER_MAX 4096

struct cmd_parts {
	long long size;			/* bytes per part (the last may be shorter) */
	unsigned n;			/* parts; 0 when none are known */
	unsigned long crc[CMD_PARTS_MAX];
};

/* cmd_part_size - the part size for a file of size bytes: the smallest
 * power-of-two multiple of CMD_PART_MIN giving at most CMD_PARTS_MAX
 * parts; 0 when the file fits in one part (no part list goes). */
long long cmd_part_size(long long size);

/* cmd_format_trailer - the line after the data: "ZCRC32" when with_crc,
 * "ZPARTS" when p->n > 0.  0, or -1 (nothing to say, or too long). */
int cmd_format_trailer(int with_crc, unsigned long crc, const struct cmd_parts *p, char *out,
    size_t outlen);

/* cmd_parse_trailer - parse that line for a file of size bytes: 1 when it
 * has a well-formed "ZCRC32" (*crc set), else 0.  p->n is the part count
 * when a "ZPARTS" list is well-formed and its count fits size, else 0. */
int cmd_parse_trailer(const char *line, long long size, unsigned long *crc,
    struct cmd_parts *p);

/*
 * Repairing a rejected file (Brigade peers only).  A receiver that keeps
 * a whole rejected file answers the same S sent again with
 *
 *   SY 0x<filesize> P<partsize>:<bitmap>
 *
 * partsize as in ZPARTS (hex); the bitmap has one hex digit per four
 * parts, exactly as many as the file has parts need, part i being the
 * bit 8 >> (i % 4) of digit i / 4; bits past the last part are 0 and at
 * least one is set.  The sender then sends only the marked parts' bytes,
 * in order, as one stream whose positions run from filesize on (so data
 * streamed before the SY, all below filesize, is skipped).  The same text
 * "P<partsize>:<bitmap>" is what the receiver keeps beside the partial.
 */
#define CMD_REPAIR_MAX 96	/* the longest "P...:..." text, with its NUL */

struct cmd_repair {
	long long size;			/* bytes per part */
	unsigned n;			/* parts of the file */
	unsigned nbad;			/* parts to send again (>= 1) */
	unsigned char bad[CMD_PARTS_MAX];	/* 1: part i is sent again */
};

/* cmd_format_repair - "P<partsize>:<bitmap>" for r; 0 or -1 */
int cmd_format_repair(const struct cmd_repair *r, char *out, size_t outlen);

/* cmd_parse_repair - parse "P<partsize>:<bitmap>" (to the end of s) for
 * a file of fsize bytes: partsize must be cmd_part_size(fsize); 0, or -1
 * (r->nbad 0) for anything else. */
int cmd_parse_repair(const char *s, long long fsize, struct cmd_repair *r);

/* cmd_parse_sy_repair - "SY 0x<fsize> P...:..." for a file of fsize
 * bytes: 1 with r set, 0 when the reply has no part list, -1 when it has
 * a bad one. */
int cmd_parse_sy_repair(const char *reply, long long fsize, struct cmd_repair *r);

/* cmd_repair_len - the bytes of the marked parts of a file of fsize */
long long cmd_repair_len(const struct cmd_repair *r, long long fsize);

/* cmd_repair_map - the file offset of byte v (0 <= v < cmd_repair_len)
 * of the repair stream, and in *run how many bytes follow it in the same
 * part; -1 when v is out of range. */
long long cmd_repair_map(const struct cmd_repair *r, long long fsize, long long v,
    long long *run);

#endif
