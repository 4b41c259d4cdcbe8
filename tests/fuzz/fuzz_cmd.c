/*
 * fuzz_cmd.c - libFuzzer target for the session command parser.
 * Build: clang -g -fsanitize=fuzzer,address,undefined -I. -D_XOPEN_SOURCE=700
 *        -D_DEFAULT_SOURCE tests/fuzz/fuzz_cmd.c uucico/cmd.c lib/util.c -o fuzz_cmd
 * (make fuzz does this).  Whatever parses must format and parse back.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uucico/cmd.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cmd c, d;
	static char out[16384];
	char *s, err[128];

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (cmd_parse(s, &c, err, sizeof(err)) == 0 && c.kind != 'H' &&
	    cmd_format(&c, CMD_F_SIZE | CMD_F_QUOTE | CMD_F_EXEC, out, sizeof(out)) == 0) {
		if (cmd_parse(out, &d, err, sizeof(err)) != 0 || strcmp(c.from, d.from) != 0 ||
		    strcmp(c.to, d.to) != 0)
			abort();
	}
	free(s);
	return 0;
}
