/*
 * fuzz_conf.c - libFuzzer target for conf_parse.  Not built by
 * "make all"; build by hand:
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=c11 \
 *     -D_XOPEN_SOURCE=700 -D_DEFAULT_SOURCE -I. \
 *     tests/fuzz/fuzz_conf.c lib/conf.c lib/util.c -o build/fuzz_conf
 *   build/fuzz_conf -max_len=8192 corpus/
 */
#include <stddef.h>
#include <stdint.h>

#include "lib/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* LLVMFuzzerTestOneInput - parse one config text and free it */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct conf c;
	char err[256];

	conf_defaults(&c, "/node/config");
	(void)conf_parse(&c, (const char *)data, size, "config", err, sizeof(err));
	(void)conf_get(&c, "maildir");
	conf_free(&c);
	return 0;
}
