/*
 * test_tepkt.c - unit tests of the t and e protocols: their pure framing
 * (uucico/tepkt.c) against bytes from the Taylor UUCP 1.07 t and e
 * sessions (t-wire.txt, e-wire.txt: a 3000-byte file), and proto_t.c /
 * proto_e.c sending and receiving a command and a file over a socket
 * pair, checked byte by byte against the layout of those sessions.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "modem/port.h"
#include "uucico/proto.h"
#include "uucico/tepkt.h"
#include "tests/unit/tap.h"

/* The S command of both sessions. */
static const char trace_cmd[] = "S /srv/uucp/payload/synth-3000 ~/ root -Cd D.0001 0644 \"\" 0xbb8";

/* test_pure - header encodings seen in the traces */
static void
test_pure(void)
{
	unsigned char h[4], first[4] = { 0, 0, 4, 0 }, last[4] = { 0, 0, 3, 0xb8 };
	char e[TEPKT_E_SIZELEN], want[TEPKT_E_SIZELEN] = "3000";
	long long size = -1;

	ok(tepkt_t_cmdlen(strlen(trace_cmd)) == 512, "t: the S command takes 512 bytes");
	ok(tepkt_t_cmdlen(511) == 512 && tepkt_t_cmdlen(512) == 1024 && tepkt_t_cmdlen(0) == 512,
	    "t: 511 -> 512, 512 -> 1024, 0 -> 512");
	tepkt_t_hdr(h, 1024);
	ok(memcmp(h, first, 4) == 0, "t: block header 1024 is 00 00 04 00 (trace)");
	ok(tepkt_t_parse_hdr(last) == 952, "t: last block of 3000 bytes is 952 (trace)");
	ok(tepkt_t_parse_hdr((const unsigned char *)"\x00\x00\x00\x00") == 0, "t: empty block");
	ok(tepkt_t_parse_hdr((const unsigned char *)"\x7f\x00\x00\x00") < 0,
	    "t: a huge block length is refused");
	ok(tepkt_e_hdr(e, 3000) == 0 && memcmp(e, want, sizeof(e)) == 0,
	    "e: 3000 is \"3000\" and 16 NULs (trace)");
	ok(tepkt_e_parse_hdr(want, &size) == 0 && size == 3000, "e: parse the trace's header");
	ok(tepkt_e_hdr(e, 0) == 0 && e[0] == '0' && e[1] == '\0', "e: an empty file");
	ok(tepkt_e_parse_hdr("12x4\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", &size) < 0,
	    "e: junk in the size is refused");
	ok(tepkt_e_parse_hdr("\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", &size) < 0,
	    "e: no digits is refused");
	ok(tepkt_e_parse_hdr("99999999999999999999", &size) < 0, "e: 20 digits are refused");
	ok(tepkt_e_hdr(e, -1) < 0, "e: a negative size cannot be sent");
}

/* run_proto - send the trace's command and file with protocol c from one
 * end of a socket pair, return the raw bytes and receive them back */
static void
run_proto(char c, size_t want_len)
{
	struct proto_params par = { .timeout_s = 2, .retries = 1 };
	char err[128], cmd[256], data[3000], back[3000];
	unsigned char *wire = malloc(8192);
	int sv[2], good = 1;
	struct port *a, *b;
	struct proto *pa, *pb;
	ssize_t n, got = 0;
	size_t total = 0;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + 3);
	if (!wire || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	a = port_fd_open(sv[0], sv[0], "a", err, sizeof(err));
	b = port_fd_open(sv[1], sv[1], "b", err, sizeof(err));
	pa = proto_new(c, a, &par, 1);
	pb = proto_new(c, b, &par, 0);
	ok(pa && pb && pa->ops->start(pa) == 0 && pb->ops->start(pb) == 0, "%c: starts", c);
	pa->send_size = sizeof(data);
	ok(pa->ops->sendcmd(pa, trace_cmd) == 0 && pa->ops->senddata(pa, data, sizeof(data)) == 0 &&
	    pa->ops->senddata(pa, "", 0) == 0, "%c: command and file sent", c);
	while (total < want_len && (n = port_read(b, wire + total, 8192 - total, 500)) > 0)
		total += (size_t)n;
	ok(total == want_len, "%c: %zu bytes on the wire (want %zu)", c, total, want_len);
	if (c == 't') {
		ok(memcmp(wire, trace_cmd, sizeof(trace_cmd)) == 0 && wire[511] == 0 &&
		    memcmp(wire + 512, "\0\0\4\0", 4) == 0 &&
		    memcmp(wire + 512 + 2 * 1028, "\0\0\3\xb8", 4) == 0 &&
		    memcmp(wire + total - 4, "\0\0\0\0", 4) == 0,
		    "t: 512-byte command, 1024-byte blocks, 952, empty block (as the trace)");
	} else {
		ok(memcmp(wire, trace_cmd, sizeof(trace_cmd)) == 0 &&
		    memcmp(wire + sizeof(trace_cmd), "3000\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 20) == 0,
		    "e: NUL-ended command, 20-byte size, data (as the trace)");
	}
	/* feed the bytes back through the other end */
	write(sv[0], wire, total);
	ok(pb->ops->getcmd(pb, cmd, sizeof(cmd)) == 0 && strcmp(cmd, trace_cmd) == 0,
	    "%c: command received", c);
	while ((n = pb->ops->getdata(pb, back + got, sizeof(back) - (size_t)got + 1)) > 0) {
		got += n;
		if (got > (ssize_t)sizeof(back)) {
			good = 0;
			break;
		}
	}
	ok(good && n == 0 && got == (ssize_t)sizeof(data) && memcmp(back, data, sizeof(data)) == 0,
	    "%c: the file comes back intact (%zd bytes)", c, got);
	pa->ops->free(pa);
	pb->ops->free(pb);
	port_close(a);
	port_close(b);
	free(wire);
}

/* test_truncated - a line that closes mid-file fails, never hangs */
static void
test_truncated(char c)
{
	struct proto_params par = { .timeout_s = 1, .retries = 1 };
	char err[128], buf[64];
	int sv[2];
	struct port *b;
	struct proto *pb;

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		return;
	b = port_fd_open(sv[1], sv[1], "b", err, sizeof(err));
	pb = proto_new(c, b, &par, 0);
	write(sv[0], c == 't' ? "\0\0\0\x20" "abc" : "100\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0abc",
	    c == 't' ? 7 : 23);
	close(sv[0]);
	ok(pb->ops->getdata(pb, buf, sizeof(buf)) < 0 || pb->ops->getdata(pb, buf, sizeof(buf)) < 0,
	    "%c: a short file with the line closed fails", c);
	pb->ops->free(pb);
	port_close(b);
}

int
main(void)
{
	test_pure();
	run_proto('t', 512 + 2 * 1028 + 4 + 952 + 4);
	run_proto('e', sizeof(trace_cmd) + 20 + 3000);
	test_truncated('t');
	test_truncated('e');
	ok(proto_needs_reliable('t') && proto_needs_reliable('e') && !proto_needs_reliable('g'),
	    "t and e need a reliable port, g does not");
	ok(strchr(proto_default(0), 't') == NULL && strchr(proto_default(0), 'e') == NULL &&
	    strchr(proto_default(1), 't') && strchr(proto_default(1), 'e'),
	    "t and e are offered on reliable ports only");
	done_testing();
}
