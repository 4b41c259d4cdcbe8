/*
 * chat.h - expect/send chat scripts over a port, as in HDB Systems and
 * Dialers files: "expect send expect send ...", where an expect may carry
 * sub-expect alternatives ("ogin:-BREAK-ogin:") and "" expects nothing.
 * Escapes in send strings: \r \n \s \t \b \c (no newline) \d (1 s delay)
 * \p (pause) \K (BREAK) \E \e (echo check on/off) \N (NUL) \nnn (octal),
 * \T (phone number through the dialer's substitution pairs) \D (raw) \\ ; a send string is
 * followed by a carriage return unless it ends in \c.  EOT and BREAK as
 * whole send strings send those.  The matching code is a pure function
 * so it can be tested on its own.
 */
#ifndef BRIGADE_CHAT_H
#define BRIGADE_CHAT_H

#include <stddef.h>

#include "modem/port.h"

struct chat_subst {
	const char *phone;	/* for \T and \D, or NULL */
	const char *login;	/* for \L, or NULL */
	const char *password;	/* for \P, or NULL */
	const char *system;	/* for \S, or NULL */
	const char *dialcodes;	/* Dialers substitution pairs ("=,-,"): in \T
				 * each first character becomes the second */
	const char *const *fail;	/* NULL-terminated: any of these received
				 * ends the chat at once ("BUSY"), or NULL */
};

/* What a dialer chat stops at: the Hayes result codes of a failed call. */
extern const char *const chat_modem_failures[];

/* chat_run - run script (n strings, expect first) on port p, each expect
 * waiting at most timeout_s.  0 on success; -1 on failure with a reason
 * in why (for example "timed out waiting for \"ogin:\"; last received
 * \"...\"", or "modem said \"BUSY\"" for a string of sub->fail), which
 * callers log and store in the system's status. */
int chat_run(struct port *p, char *const script[], size_t n, const struct chat_subst *sub,
    int timeout_s, char *why, size_t whylen);

/* In chat_expand's output the byte CHAT_CMD starts a two-byte action
 * instead of a byte to send: CHAT_CMD then one of the CHAT_CMD_* codes
 * below.  A literal 0xff byte to send appears as CHAT_CMD CHAT_CMD. */
#define CHAT_CMD 0xff
#define CHAT_CMD_DELAY 'd'	/* \d: wait one second */
#define CHAT_CMD_PAUSE 'p'	/* \p: wait a fraction of a second */
#define CHAT_CMD_BREAK 'K'	/* \K or BREAK: send a break (ttys only) */
#define CHAT_CMD_ECHO_ON 'E'	/* \E: check the echo of each byte after this */
#define CHAT_CMD_ECHO_OFF 'e'	/* \e: stop checking echoes */

/* chat_expand - expand a send string's escapes into out (pure); returns
 * the length, or -1 (out too small, or \T \D \L \P \S asked for with no
 * value in sub).  *nocr is set when the string ended in \c, and for ""
 * (nothing to send), EOT and BREAK.  \T is the phone number with each
 * character translated through sub->dialcodes; \D is it as written. */
int chat_expand(const char *send, const struct chat_subst *sub, char *out, size_t outlen,
    int *nocr);

#endif
