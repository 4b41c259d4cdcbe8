/*
 * mailcheck.c - test mail for the mail tests: makes numbered messages of
 * assorted sizes and bodies, and checks an mbox for them.
 *
 *   mailcheck gen DIR COUNT SEED    DIR/m0000 ... : one message each; and
 *                                   DIR/manifest: "ID SHA256 SIZE" lines
 *   mailcheck check MBOX MANIFEST   every manifest message is in MBOX
 *                                   exactly once with its body intact
 *
 * A message is a header block (From:, To:, Subject:, X-Brigade-Id: ID,
 * X-Body-SHA256: hex of the body), an empty line and a body.  Bodies are
 * text or 8-bit bytes (never NUL), some with lines that begin "From "
 * or ">From ", some with long lines, always ending in a newline; sizes
 * run from a few bytes to about 100 KB.  The generator is seeded, so a
 * failing run can be repeated.
 *
 * check reads the mbox the way mbox.h writes it: a message begins with a
 * line "From " at the start of the file or after an empty line, its
 * lines matching ">+From " lose one '>', and the empty line that ends it
 * is dropped.  It prints one line per problem (missing, duplicate,
 * checksum, unknown id) and a summary "messages=N ok=N missing=N
 * duplicate=N bad=N"; exit 0 only when every message is there exactly
 * once, intact.  The mbox is trusted only to be bytes: every length is
 * checked.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "lib/util.h"

#define MAILCHECK_MAX_MSGS 100000
#define MAILCHECK_ID_MAX 32

struct mailcheck_want {
	char id[MAILCHECK_ID_MAX];
	char sha[65];
	int seen;
	int bad;
};

static uint64_t mailcheck_state;

/* mailcheck_rand - the next pseudo-random number (xorshift64*) */
static uint64_t
mailcheck_rand(void)
{
	mailcheck_state ^= mailcheck_state >> 12;
	mailcheck_state ^= mailcheck_state << 25;
	mailcheck_state ^= mailcheck_state >> 27;
	return mailcheck_state * 2685821657736338717ULL;
}

/* mailcheck_between - a number in [lo, hi] */
static size_t
mailcheck_between(size_t lo, size_t hi)
{
	return lo + (size_t)(mailcheck_rand() % (hi - lo + 1));
}

/* mailcheck_sha256 - the hex SHA-256 of len bytes into hex[65] */
static void
mailcheck_sha256(const char *p, size_t len, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	EVP_Digest(p, len, md, &mdlen, EVP_sha256(), NULL);
	for (i = 0; i < mdlen && i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	hex[64] = '\0';
}

/* mailcheck_size - a body size: most small, a tenth up to ~100 KB */
static size_t
mailcheck_size(unsigned n)
{
	switch (n % 10) {
	case 0: case 1: case 2: case 3:
		return mailcheck_between(1, 200);
	case 4: case 5: case 6: case 7:
		return mailcheck_between(200, 8000);
	case 8:
		return mailcheck_between(8000, 40000);
	default:
		return mailcheck_between(40000, 100000);
	}
}

/* mailcheck_body - fill body[len] (len >= 1): text, 8-bit or tricky lines */
static void
mailcheck_body(char *body, size_t len, unsigned n)
{
	static const char *const tricky[] = { "From here on\n", ">From quoted\n",
	    ">>From twice\n", "From \n", ".\n", "\r\n", "From: not a header\n" };
	size_t i = 0, t;
	int kind = (int)(n % 3);	/* 0 text, 1 8-bit, 2 text with tricky lines */

	while (i < len - 1) {
		if (kind == 2 && mailcheck_rand() % 8 == 0 && (i == 0 || body[i - 1] == '\n')) {
			const char *s = tricky[mailcheck_rand() % 7];
			for (t = 0; s[t] && i < len - 1; t++)
				body[i++] = s[t];
			continue;
		}
		if (kind == 1)
			body[i] = (char)(1 + mailcheck_rand() % 255);
		else if (mailcheck_rand() % 60 == 0)
			body[i] = '\n';
		else
			body[i] = (char)(' ' + mailcheck_rand() % 95);
		i++;
	}
	body[len - 1] = '\n';
}

/* mailcheck_write - write len bytes to a new file at path; 0 or -1 */
static int
mailcheck_write(const char *path, const char *p, size_t len)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fwrite(p, 1, len, f) == len ? 0 : -1;
	if (fclose(f) != 0)
		rc = -1;
	return rc;
}

/* mailcheck_gen - write count messages and the manifest into dir */
static int
mailcheck_gen(const char *dir, unsigned count, unsigned long seed)
{
	char path[4096], hex[65], *body = NULL, *msg = NULL;
	FILE *man = NULL;
	unsigned n;
	size_t len, hlen;
	int rc = -1;

	mailcheck_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	if (str_fmt(path, sizeof(path), "%s/manifest", dir) < 0 || !(man = fopen(path, "w")))
		goto out;
	body = malloc(100001);
	msg = malloc(100001 + 1024);
	if (!body || !msg)
		goto out;
	for (n = 0; n < count; n++) {
		len = mailcheck_size(n);
		mailcheck_body(body, len, n);
		mailcheck_sha256(body, len, hex);
		hlen = (size_t)snprintf(msg, 1024, "From: tester@alpha\nTo: beta!gamma!user\n"
		    "Subject: test message %u\nX-Brigade-Id: m%04u\nX-Body-SHA256: %s\n\n",
		    n, n, hex);
		memcpy(msg + hlen, body, len);
		if (str_fmt(path, sizeof(path), "%s/m%04u", dir, n) < 0 ||
		    mailcheck_write(path, msg, hlen + len) < 0)
			goto out;
		fprintf(man, "m%04u %s %zu\n", n, hex, len);
	}
	rc = 0;
out:
	if (man && fclose(man) != 0)
		rc = -1;
	free(body);
	free(msg);
	return rc;
}

/* mailcheck_header - the value of header name in hdr[hlen] into out, or -1 */
static int
mailcheck_header(const char *hdr, size_t hlen, const char *name, char *out, size_t outlen)
{
	size_t nlen = strlen(name), i = 0, e;

	while (i < hlen) {
		e = i;
		while (e < hlen && hdr[e] != '\n')
			e++;
		if (e - i > nlen && !memcmp(hdr + i, name, nlen)) {
			i += nlen;
			while (i < e && hdr[i] == ' ')
				i++;
			if (e - i >= outlen)
				return -1;
			memcpy(out, hdr + i, e - i);
			out[e - i] = '\0';
			return 0;
		}
		i = e + 1;
	}
	return -1;
}

/* mailcheck_unescape - msg[len] with one '>' taken from each ">+From "
 * line, in place; the new length */
static size_t
mailcheck_unescape(char *msg, size_t len)
{
	size_t i = 0, o = 0, g;

	while (i < len) {
		/* at a line start */
		g = i;
		while (g < len && msg[g] == '>')
			g++;
		if (g > i && len - g >= 5 && !memcmp(msg + g, "From ", 5))
			i++;
		while (i < len && msg[i] != '\n')
			msg[o++] = msg[i++];
		if (i < len)
			msg[o++] = msg[i++];
	}
	return o;
}

/* mailcheck_one - check one mbox message m[len] (From_ line included) */
static void
mailcheck_one(char *m, size_t len, struct mailcheck_want *w, size_t nw, size_t *bad,
    size_t *unknown)
{
	char id[MAILCHECK_ID_MAX], sha[80], hex[65];
	size_t i, hdr_end;
	char *p;

	p = memchr(m, '\n', len);	/* skip the From_ line */
	if (!p) {
		(*unknown)++;
		return;
	}
	len -= (size_t)(p + 1 - m);
	m = p + 1;
	if (len > 0 && m[len - 1] == '\n')
		len--;		/* the empty line that ends the message */
	len = mailcheck_unescape(m, len);
	p = NULL;
	for (i = 0; i + 1 < len; i++)
		if (m[i] == '\n' && m[i + 1] == '\n') {
			p = m + i + 2;
			break;
		}
	hdr_end = p ? (size_t)(p - m) : len;
	if (!p || mailcheck_header(m, hdr_end, "X-Brigade-Id:", id, sizeof(id)) < 0 ||
	    mailcheck_header(m, hdr_end, "X-Body-SHA256:", sha, sizeof(sha)) < 0) {
		printf("message without id at a header block of %zu bytes\n", hdr_end);
		(*unknown)++;
		return;
	}
	mailcheck_sha256(p, len - hdr_end, hex);
	for (i = 0; i < nw; i++)
		if (!strcmp(w[i].id, id))
			break;
	if (i == nw) {
		printf("%s: unknown id\n", id);
		(*unknown)++;
		return;
	}
	w[i].seen++;
	if (w[i].seen > 1)
		printf("%s: duplicate (copy %d)\n", id, w[i].seen);
	if (strcmp(hex, w[i].sha) || strcmp(sha, w[i].sha)) {
		printf("%s: body sha256 %s, sent %s (%zu bytes arrived)\n", id, hex, w[i].sha,
		    len - hdr_end);
		w[i].bad = 1;
		(*bad)++;
	}
}

/* mailcheck_load - read the manifest into a new array; its size or -1 */
static long
mailcheck_load(const char *path, struct mailcheck_want **wp)
{
	struct mailcheck_want *w = calloc(MAILCHECK_MAX_MSGS, sizeof(*w));
	char line[256];
	long n = 0;
	FILE *f = fopen(path, "r");

	if (!f || !w) {
		if (f)
			fclose(f);
		free(w);
		return -1;
	}
	while (n < MAILCHECK_MAX_MSGS && fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %64s", w[n].id, w[n].sha) == 2)
			n++;
	fclose(f);
	*wp = w;
	return n;
}

/* mailcheck_check - check mbox against the manifest; 0 when all is well */
static int
mailcheck_check(const char *mbox, const char *manifest)
{
	struct mailcheck_want *w = NULL;
	size_t len = 0, i, start, nmsg = 0, bad = 0, unknown = 0, missing = 0, dup = 0, ok = 0;
	char *text = NULL;
	long nw;

	nw = mailcheck_load(manifest, &w);
	if (nw >= 0)
		text = file_read(mbox, (size_t)1 << 30, &len);
	if (nw < 0 || !text) {
		fprintf(stderr, "mailcheck: cannot read %s or %s: %s\n", mbox, manifest,
		    strerror(errno));
		free(w);
		return 2;
	}
	start = 0;
	for (i = 0; i <= len; i++) {
		int boundary = i == len || (i + 5 <= len && !memcmp(text + i, "From ", 5) &&
		    i >= 2 && text[i - 1] == '\n' && text[i - 2] == '\n');
		if (!boundary || i == 0)
			continue;
		mailcheck_one(text + start, i - start, w, (size_t)nw, &bad, &unknown);
		nmsg++;
		start = i;
	}
	for (i = 0; i < (size_t)nw; i++) {
		if (w[i].seen == 0) {
			printf("%s: missing\n", w[i].id);
			missing++;
		} else if (w[i].seen > 1) {
			dup++;
		} else if (!w[i].bad) {
			ok++;
		}
	}
	printf("messages=%zu ok=%zu missing=%zu duplicate=%zu bad=%zu unknown=%zu\n", nmsg, ok,
	    missing, dup, bad, unknown);
	free(text);
	free(w);
	return ok == (size_t)nw && nmsg == (size_t)nw ? 0 : 1;
}

int
main(int argc, char **argv)
{
	if (argc == 5 && !strcmp(argv[1], "gen"))
		return mailcheck_gen(argv[2], (unsigned)strtoul(argv[3], NULL, 10),
		    strtoul(argv[4], NULL, 10)) == 0 ? 0 : 1;
	if (argc == 4 && !strcmp(argv[1], "check"))
		return mailcheck_check(argv[2], argv[3]);
	fprintf(stderr, "usage: mailcheck gen DIR COUNT SEED | mailcheck check MBOX MANIFEST\n");
	return 2;
}
