/*
 * replay.c - a main() for Brigade's libFuzzer targets, so that make check
 * can run every target under AddressSanitizer and UBSan without clang's
 * libFuzzer: it feeds each file named on the command line (directories
 * are read one level deep), then N inputs made by mutating those seeds
 * with a seeded generator (flipped bits, cut, repeated and random bytes).
 *   usage: fuzz_X [-n COUNT] [-s SEED] [-m MAXLEN] file-or-dir...
 * A crash or sanitizer report ends the run with a non-zero status; on
 * success it prints "ok N inputs" for the test script.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seed {
	unsigned char *data;
	size_t len;
};

static struct seed *seeds;
static size_t nseeds, aseeds;

/* replay_rand - xorshift64 */
static uint64_t
replay_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* replay_add - run one file and keep it as a seed */
static void
replay_add(const char *path)
{
	size_t len;
	char *buf = file_read(path, 1 << 20, &len);

	if (!buf)
		return;
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	if (nseeds == aseeds) {
		aseeds = aseeds ? aseeds * 2 : 64;
		seeds = realloc(seeds, aseeds * sizeof(*seeds));
		if (!seeds)
			exit(3);
	}
	seeds[nseeds].data = (unsigned char *)buf;
	seeds[nseeds++].len = len;
}

/* replay_path - a file, or the files of a directory */
static void
replay_path(const char *path)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[4096];

	if (stat(path, &st) < 0)
		return;
	if (!S_ISDIR(st.st_mode)) {
		replay_add(path);
		return;
	}
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (path_join(sub, sizeof(sub), path, e->d_name) == 0 && stat(sub, &st) == 0 &&
		    S_ISREG(st.st_mode))
			replay_add(sub);
	}
	closedir(d);
}

/* replay_mutate - one mutated input from a seed (or from nothing) */
static size_t
replay_mutate(uint64_t *rs, unsigned char *out, size_t max)
{
	size_t len = 0, i, n;

	if (nseeds > 0) {
		const struct seed *s = &seeds[replay_rand(rs) % nseeds];
		len = s->len < max ? s->len : max;
		memcpy(out, s->data, len);
	} else {
		len = replay_rand(rs) % (max < 256 ? max : 256);
		for (i = 0; i < len; i++)
			out[i] = (unsigned char)replay_rand(rs);
	}
	n = 1 + replay_rand(rs) % 8;
	while (n--) {
		uint64_t r = replay_rand(rs);
		switch (r % 5) {
		case 0:	/* flip a bit */
			if (len)
				out[(r >> 8) % len] ^= (unsigned char)(1u << ((r >> 4) % 8));
			break;
		case 1:	/* cut */
			if (len)
				len = (r >> 8) % len;
			break;
		case 2:	/* a random byte */
			if (len)
				out[(r >> 8) % len] = (unsigned char)(r >> 32);
			break;
		case 3:	/* insert an interesting byte */
			if (len < max) {
				static const unsigned char b[] = { 0, '\n', ' ', '\\', '!', '@', '%',
					'"', 0x10, 0xff, '.', '/', '#', '=' };
				size_t at = len ? (r >> 8) % len : 0;
				memmove(out + at + 1, out + at, len - at);
				out[at] = b[(r >> 40) % sizeof(b)];
				len++;
			}
			break;
		default:	/* repeat a chunk */
			if (len && len * 2 <= max) {
				size_t from = (r >> 8) % len, cnt = len - from;
				memcpy(out + len, out + from, cnt);
				len += cnt;
			}
			break;
		}
	}
	return len;
}

int
main(int argc, char **argv)
{
	unsigned long count = 2000, i;
	uint64_t rs = 0x9e3779b97f4a7c15ULL;
	size_t max = 4096;
	unsigned char *buf;
	int a;

	for (a = 1; a < argc; a++) {
		if (strcmp(argv[a], "-n") == 0 && a + 1 < argc)
			count = strtoul(argv[++a], NULL, 10);
		else if (strcmp(argv[a], "-s") == 0 && a + 1 < argc)
			rs = strtoull(argv[++a], NULL, 10) | 1;
		else if (strcmp(argv[a], "-m") == 0 && a + 1 < argc)
			max = strtoul(argv[++a], NULL, 10);
		else
			replay_path(argv[a]);
	}
	if (max < 16)
		max = 16;
	buf = malloc(max * 2 + 1);
	if (!buf)
		return 3;
	for (i = 0; i < count; i++) {
		size_t len = replay_mutate(&rs, buf, max);
		unsigned char *copy = malloc(len ? len : 1);	/* exact size: ASan sees overreads */
		if (!copy)
			return 3;
		memcpy(copy, buf, len);
		LLVMFuzzerTestOneInput(copy, len);
		free(copy);
	}
	printf("ok %zu seeds %lu mutated inputs\n", nseeds, count);
	for (i = 0; i < nseeds; i++)
		free(seeds[i].data);
	free(seeds);
	free(buf);
	return 0;
}
