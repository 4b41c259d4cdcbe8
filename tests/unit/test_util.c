/*
 * test_util.c - lib/util.c's string, name and path helpers: tables of
 * inputs and the answers the gates must give.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "lib/util.h"
#include "tests/unit/tap.h"

/* test_strings - str_copy and str_fmt truncation */
static void
test_strings(void)
{
	char buf[4];

	ok(str_copy(buf, "abc", sizeof(buf)) == 0 && strcmp(buf, "abc") == 0, "str_copy: fits");
	ok(str_copy(buf, "abcd", sizeof(buf)) == -1 && strcmp(buf, "abc") == 0,
	    "str_copy: truncates and reports");
	ok(str_copy(buf, "x", 0) == -1, "str_copy: zero size");
	ok(str_fmt(buf, sizeof(buf), "%d", 123) == 0 && strcmp(buf, "123") == 0, "str_fmt: fits");
	ok(str_fmt(buf, sizeof(buf), "%d", 1234) == -1, "str_fmt: truncation reported");
}

/* test_names - name_is_safe */
static void
test_names(void)
{
	static const struct { const char *s; size_t max; int want; } t[] = {
		{ "beta", 63, 1 }, { "a-b_c.d", 63, 1 }, { "", 63, 0 }, { ".", 63, 0 },
		{ "..", 63, 0 }, { "...", 63, 1 }, { "a/b", 63, 0 }, { "a b", 63, 0 },
		{ "a\tb", 63, 0 }, { "a\x7f", 63, 0 }, { "abcd", 3, 0 }, { "abc", 3, 1 },
		{ "/", 63, 0 },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++)
		ok(name_is_safe(t[i].s, t[i].max) == t[i].want, "name_is_safe(\"%s\", %zu) == %d",
		    t[i].s, t[i].max, t[i].want);
}

/* test_clean - path_is_clean */
static void
test_clean(void)
{
	static const struct { const char *s; int want; } t[] = {
		{ "/", 1 }, { "/a/b", 1 }, { "/a/b/", 1 }, { "a/b", 0 }, { "", 0 },
		{ "/a//b", 0 }, { "/a/./b", 0 }, { "/a/../b", 0 }, { "/..", 0 },
		{ "/a/..b", 1 }, { "/a/b.", 1 }, { "/a\tb", 0 }, { "/.", 0 }, { "//", 0 },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++)
		ok(path_is_clean(t[i].s) == t[i].want, "path_is_clean(\"%s\") == %d", t[i].s, t[i].want);
}

/* test_under - path_under */
static void
test_under(void)
{
	static const struct { const char *path, *dir; int want; } t[] = {
		{ "/a/b", "/a", 1 }, { "/a", "/a", 1 }, { "/ab", "/a", 0 }, { "/a/b", "/a/", 1 },
		{ "/x", "/", 1 }, { "/", "/", 1 }, { "/a", "/a/b", 0 }, { "/var/spool/x", "/var/spool/", 1 },
	};
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++)
		ok(path_under(t[i].path, t[i].dir) == t[i].want, "path_under(\"%s\", \"%s\") == %d",
		    t[i].path, t[i].dir, t[i].want);
}

/* test_canon - path_canon */
static void
test_canon(void)
{
	static const struct { const char *in, *out; } t[] = {
		{ "/", "/" }, { "//a//b/", "/a/b" }, { "/a/./b", "/a/b" }, { "/a/../b", "/b" },
		{ "/../../x", "/x" }, { "/a/b/..", "/a" }, { "/a/..", "/" }, { "/.", "/" },
	};
	char buf[PATH_MAX];
	size_t i;

	for (i = 0; i < UTIL_ARRAY_LEN(t); i++)
		ok(path_canon(buf, sizeof(buf), t[i].in) == 0 && strcmp(buf, t[i].out) == 0,
		    "path_canon(\"%s\") == \"%s\"", t[i].in, t[i].out);
	ok(path_canon(buf, sizeof(buf), "rel/a") == -1, "path_canon: relative refused");
}

/* test_join - path_join */
static void
test_join(void)
{
	char buf[PATH_MAX], small[6];

	ok(path_join(buf, sizeof(buf), "/a", "b") == 0 && strcmp(buf, "/a/b") == 0, "path_join: adds /");
	ok(path_join(buf, sizeof(buf), "/a/", "b") == 0 && strcmp(buf, "/a/b") == 0,
	    "path_join: no double /");
	ok(path_join(small, sizeof(small), "/abc", "def") == -1, "path_join: too long reported");
}

int
main(void)
{
	test_strings();
	test_names();
	test_clean();
	test_under();
	test_canon();
	test_join();
	return done_testing();
}
