/*
 * fuzz_hdb.c - libFuzzer target for the four HDB parsers and the
 * Permissions decisions.  The first byte picks the parser; the rest is the
 * file's text.  Not built by "make all"; build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *     -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I. \
 *     tests/fuzz/fuzz_hdb.c lib/hdb.c lib/perm.c lib/util.c -o build/fuzz_hdb
 *   build/fuzz_hdb -max_len=4096 corpus/
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lib/hdb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse, look things up, free */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hdb h = { 0 };
	struct hdb_errors e = { 0 };
	struct perm_view v;
	const char *text = (const char *)data + 1;
	size_t i;

	if (size < 1)
		return 0;
	switch (data[0] % 4) {
	case 0: hdb_parse_systems(&h, text, size - 1, "Systems", &e); break;
	case 1: hdb_parse_devices(&h, text, size - 1, "Devices", &e); break;
	case 2: hdb_parse_dialers(&h, text, size - 1, "Dialers", &e); break;
	default: hdb_parse_permissions(&h, text, size - 1, "Permissions", &e); break;
	}
	for (i = 0; i < h.nsys; i++)
		(void)hdb_find_system(&h, h.sys[i].name, 0);
	for (i = 0; i < h.nperm; i++) {
		const char *who = h.perm[i].nmachine ? h.perm[i].machine[0] : "x";
		v = perm_for_machine(&h, who, "/pub");
		(void)perm_may_read(&v, "/pub/a/b");
		(void)perm_may_write(&v, "/tmp/x");
		(void)perm_command_ok(&v, "rmail");
		(void)perm_login_may_be(&h, who, "Ux");
	}
	hdb_free(&h);
	hdb_errors_free(&e);
	return 0;
}
