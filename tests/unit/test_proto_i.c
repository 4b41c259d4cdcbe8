/*
 * test_proto_i.c - the i protocol against a scripted peer that behaves as
 * Taylor UUCP does: it streams a file right after its S command, before
 * our SY, interleaves a second file on another channel (with SPOS between
 * them), has its second file refused (SN) and sends a corrupted packet
 * before the good copy.  The peer's frames are written in one go to a
 * socketpair; what we send back is read and checked (SYNC, the SY and SN
 * on the right channels, a NAK for the corrupted packet).  Then a peer
 * that never got our SYNC sends its own again and must get ours again.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/util.h"
#include "modem/port.h"
#include "uucico/ipkt.h"
#include "uucico/proto.h"
#include "tests/unit/tap.h"

/* fdp_read - the test port's read: poll, then read */
static ssize_t
fdp_read(struct port *p, void *buf, size_t len, int timeout_ms)
{
	struct pollfd pfd = { p->rfd, POLLIN, 0 };
	ssize_t n;
	int r;

	while ((r = poll(&pfd, 1, timeout_ms)) < 0 && errno == EINTR)
		;
	if (r <= 0)
		return r < 0 ? -1 : 0;
	n = read(p->rfd, buf, len);
	if (n == 0) {
		errno = EPIPE;
		return -1;
	}
	return n;
}

/* fdp_write - the test port's write */
static int
fdp_write(struct port *p, const void *buf, size_t len)
{
	return write_all(p->wfd, buf, len);
}

static const struct port_ops fdp_ops = { "pipe", fdp_read, fdp_write, NULL, NULL, NULL };

static unsigned char script[8192];
static size_t script_len;

/* put - append one frame from the peer (the callee: caller bit 0) */
static void
put(int type, int seq, int lch, int rch, const void *data, size_t len)
{
	struct ipkt_hdr h = { seq, lch, 0, rch, type, 0, len };

	script_len += ipkt_encode(&h, data, len, script + script_len,
	    sizeof(script) - script_len);
}

/* put_spos - an SPOS to pos */
static void
put_spos(int seq, unsigned pos)
{
	unsigned char d[4] = { (unsigned char)(pos >> 24), (unsigned char)(pos >> 16),
		(unsigned char)(pos >> 8), (unsigned char)pos };

	put(IPKT_SPOS, seq, 0, 0, d, 4);
}

/* getall - read a file through getdata */
static size_t
getall(struct proto *p, char *buf, size_t len)
{
	size_t o = 0;
	ssize_t n;

	while ((n = p->ops->getdata(p, buf + o, len - o)) > 0)
		o += (size_t)n;
	return n < 0 ? (size_t)-1 : o;
}

/* count_syncs - SYNC frames we (the caller) sent, read from fd */
static int
count_syncs(int fd)
{
	unsigned char back[4096];
	struct ipkt_frame f;
	size_t n = 0, off, used;
	ssize_t r;
	int syncs = 0;
	struct pollfd pfd = { fd, POLLIN, 0 };

	while (poll(&pfd, 1, 200) > 0 && (r = read(fd, back + n, sizeof(back) - n)) > 0)
		n += (size_t)r;
	for (off = 0; off < n; off += used) {
		if (ipkt_scan(back + off, n - off, IPKT_MAXDATA, &f, &used) == IPKT_NEED)
			break;
		syncs += f.h.type == IPKT_SYNC && f.h.caller == 1;
	}
	return syncs;
}

/* lost_sync - our SYNC is lost: the peer sends its own again, and we
 * answer with ours; once the peer sends anything else, a repeated SYNC
 * of its is not answered (no endless exchange) */
static void
lost_sync(void)
{
	struct proto_params par = { .timeout_s = 2, .retries = 3, .errors_max = 20 };
	struct ipkt_sync y = { 512, 8, 7 };
	unsigned char sd[4];
	struct proto_ev ev;
	struct port port;
	struct proto *p;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	memset(&port, 0, sizeof(port));
	port.ops = &fdp_ops;
	port.rfd = port.wfd = sv[0];
	str_copy(port.name, "test", sizeof(port.name));
	ipkt_sync_format(&y, sd);
	script_len = 0;
	put(IPKT_SYNC, 0, 0, 0, sd, 4);
	write_all(sv[1], script, script_len);
	p = proto_new('i', &port, &par, 1);
	ok(p && p->ops->start(p) == 0, "lost SYNC: we start on the peer's SYNC");
	ok(count_syncs(sv[1]) == 1, "lost SYNC: we sent ours once");
	write_all(sv[1], script, script_len);	/* the peer never got it */
	p->ops->next(p, &ev, 300);
	ok(count_syncs(sv[1]) == 1, "lost SYNC: the peer's second SYNC is answered with ours");
	script_len = 0;
	put(IPKT_ACK, 0, 0, 0, NULL, 0);
	put(IPKT_SYNC, 0, 0, 0, sd, 4);
	write_all(sv[1], script, script_len);
	p->ops->next(p, &ev, 300);
	ok(count_syncs(sv[1]) == 0, "lost SYNC: after the peer's ACK a stray SYNC is not answered");
	p->ops->free(p);
	close(sv[0]);
	close(sv[1]);
}

int
main(void)
{
	static const char s1[] = "S a ~/a u -C D.1 0644 \"\" 0x5";
	static const char s2[] = "S b ~/b u -C D.2 0644 \"\" 0x6";
	struct proto_params par = { .timeout_s = 2, .retries = 3, .errors_max = 20 };
	struct ipkt_sync y = { 512, 8, 7 };
	unsigned char sd[4], back[4096];
	struct port port;
	struct proto *p;
	struct ipkt_frame f;
	char cmd[256], data[64];
	int sv[2], sy_ok = 0, sn_ok = 0, nak_ok = 0, sync_ok = 0;
	size_t n, off, used;
	ssize_t r;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return 1;
	memset(&port, 0, sizeof(port));
	port.ops = &fdp_ops;
	port.rfd = port.wfd = sv[0];
	str_copy(port.name, "test", sizeof(port.name));

	ipkt_sync_format(&y, sd);
	put(IPKT_SYNC, 0, 0, 0, sd, 4);
	put(IPKT_DATA, 1, 1, 0, s1, sizeof(s1));	/* with its NUL */
	put_spos(2, 0);
	put(IPKT_DATA, 3, 1, 0, "hel", 3);
	put(IPKT_DATA, 4, 2, 0, s2, sizeof(s2));
	put_spos(5, 0);
	put(IPKT_DATA, 6, 2, 0, "WORLD!", 6);
	put_spos(7, 3);
	put(IPKT_DATA, 8, 1, 0, "lo", 2);
	put(IPKT_DATA, 9, 1, 0, NULL, 0);
	put(IPKT_DATA, 10, 2, 0, NULL, 0);
	off = script_len;
	put(IPKT_DATA, 11, 0, 0, "H", 2);
	script[off + IPKT_HDRLEN] ^= 0x40;		/* the first copy is corrupted */
	put(IPKT_DATA, 11, 0, 0, "H", 2);
	ok(write_all(sv[1], script, script_len) == 0, "the peer's %zu bytes written", script_len);

	p = proto_new('i', &port, &par, 1);
	ok(p && p->ops->name == 'i', "proto_new('i')");
	ok(p->ops->start(p) == 0 && p->st.send_packsize == 512 && p->st.send_window == 8,
	    "SYNC: we send 512/8 as the peer asked");
	ok(p->ops->getcmd(p, cmd, sizeof(cmd)) == 0 && strcmp(cmd, s1) == 0,
	    "the first S command (\"%s\")", cmd);
	ok(p->ops->sendcmd(p, "SY") == 0, "SY sent");
	n = getall(p, data, sizeof(data));
	ok(n == 5 && memcmp(data, "hello", 5) == 0,
	    "its file, streamed before SY and interleaved with another: %zu bytes", n);
	ok(p->ops->getcmd(p, cmd, sizeof(cmd)) == 0 && strcmp(cmd, s2) == 0,
	    "the second S command, on channel 2");
	ok(p->ops->sendcmd(p, "SN2") == 0, "SN2 sent");
	ok(p->ops->getcmd(p, cmd, sizeof(cmd)) == 0 && strcmp(cmd, "H") == 0,
	    "the refused file's data is dropped; H comes next");
	ok(p->st.checksum_errors == 1, "one bad CRC counted (%lu)", p->st.checksum_errors);
	ok(p->ops->sendcmd(p, "HY") == 0 && p->ops->shutdown(p) == 0, "HY and CLOSE sent");

	/* what we sent: SYNC, SY on rch 1, a NAK for 11, SN2 on rch 2 */
	n = 0;
	while ((r = read(sv[1], back + n, sizeof(back) - n)) > 0) {
		n += (size_t)r;
		struct pollfd pfd = { sv[1], POLLIN, 0 };
		if (poll(&pfd, 1, 200) <= 0)
			break;
	}
	for (off = 0; off < n; off += used) {
		enum ipkt_scan_result k = ipkt_scan(back + off, n - off, IPKT_MAXDATA, &f, &used);

		if (k == IPKT_NEED)
			break;
		if (k != IPKT_FRAME || f.h.caller != 1)
			continue;
		sync_ok |= f.h.type == IPKT_SYNC && f.h.len == 4 && f.data[2] == 16;
		sy_ok |= f.h.type == IPKT_DATA && f.h.rchan == 1 && f.h.lchan == 0 &&
		    f.h.len == 3 && memcmp(f.data, "SY", 3) == 0;
		sn_ok |= f.h.type == IPKT_DATA && f.h.rchan == 2 && f.h.len == 4 &&
		    memcmp(f.data, "SN2", 4) == 0;
		nak_ok |= f.h.type == IPKT_NAK && f.h.seq == 11;
	}
	ok(sync_ok, "we sent SYNC asking for window 16");
	ok(sy_ok, "SY went on the peer's channel 1 (rch)");
	ok(sn_ok, "SN2 went on the peer's channel 2");
	ok(nak_ok, "the corrupted packet 11 was NAKed");
	p->ops->free(p);
	close(sv[0]);
	close(sv[1]);
	lost_sync();
	return done_testing();
}
