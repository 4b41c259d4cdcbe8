/*
 * perm.c - Permissions decisions over the entries hdb.c parsed.
 *
 * Pure functions.  The paths and names they are asked about come from the
 * remote side and are hostile: a path that is not clean and absolute is
 * refused, never repaired; a command name with a '/' must match a
 * COMMANDS path exactly.  Defaults follow HDB: READ and WRITE the public
 * directory, REQUEST=no, SENDFILES=call, COMMANDS=rmail.
 */
#include <string.h>

#include "lib/hdb.h"
#include "lib/util.h"

/* perm_in - whether s is one of the n strings in v */
static int
perm_in(char *const *v, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], s) == 0)
			return 1;
	return 0;
}

/* perm_view_of - a view of an entry (or of the defaults) */
static struct perm_view
perm_view_of(const struct hdb_perm *e, const char *pubdir)
{
	struct perm_view v;

	v.entry = e;
	v.pubdir = (e && e->pubdir[0]) ? e->pubdir : pubdir;
	return v;
}

/* perm_for_login - the LOGNAME entry naming login */
struct perm_view
perm_for_login(const struct hdb *h, const char *login, const char *pubdir)
{
	size_t i;

	for (i = 0; i < h->nperm; i++)
		if (perm_in(h->perm[i].logname, h->perm[i].nlogname, login))
			return perm_view_of(&h->perm[i], pubdir);
	return perm_view_of(NULL, pubdir);
}

/* perm_for_machine - the MACHINE entry naming machine, else OTHER */
struct perm_view
perm_for_machine(const struct hdb *h, const char *machine, const char *pubdir)
{
	size_t i;

	for (i = 0; i < h->nperm; i++)
		if (perm_in(h->perm[i].machine, h->perm[i].nmachine, machine))
			return perm_view_of(&h->perm[i], pubdir);
	for (i = 0; i < h->nperm; i++)
		if (perm_in(h->perm[i].machine, h->perm[i].nmachine, "OTHER"))
			return perm_view_of(&h->perm[i], pubdir);
	return perm_view_of(NULL, pubdir);
}

/* perm_login_may_be - VALIDATE: a machine named in VALIDATE lists must
 * use one of the logins of those entries */
int
perm_login_may_be(const struct hdb *h, const char *machine, const char *login)
{
	int named = 0;
	size_t i;

	for (i = 0; i < h->nperm; i++) {
		const struct hdb_perm *e = &h->perm[i];
		if (!perm_in(e->validate, e->nvalidate, machine))
			continue;
		named = 1;
		if (perm_in(e->logname, e->nlogname, login))
			return 1;
	}
	return !named;
}

/* perm_dir_len - length of dir without trailing slashes ("/" stays 1) */
static size_t
perm_dir_len(const char *dir)
{
	size_t n = strlen(dir);

	while (n > 1 && dir[n - 1] == '/')
		n--;
	return n;
}

/* perm_longest - length of the longest dir in v that holds path, or 0 */
static size_t
perm_longest(char *const *v, size_t n, const char *path)
{
	size_t i, best = 0, len;

	for (i = 0; i < n; i++) {
		if (!path_under(path, v[i]))
			continue;
		len = perm_dir_len(v[i]);
		if (len > best)
			best = len;
	}
	return best;
}

/* perm_decide - allow list against deny list, longest prefix wins (a tie
 * denies); an empty allow list means the public directory */
static int
perm_decide(const struct perm_view *v, char *const *allow, size_t nallow,
    char *const *deny, size_t ndeny, const char *path)
{
	size_t a, d;

	if (!path || !path_is_clean(path))
		return 0;
	if (nallow > 0)
		a = perm_longest(allow, nallow, path);
	else if (v->pubdir && v->pubdir[0] == '/' && path_under(path, v->pubdir))
		a = perm_dir_len(v->pubdir);
	else
		a = 0;
	if (a == 0)
		return 0;
	d = perm_longest(deny, ndeny, path);
	return a > d;
}

/* perm_may_read - READ against NOREAD */
int
perm_may_read(const struct perm_view *v, const char *path)
{
	const struct hdb_perm *e = v->entry;

	if (!e)
		return perm_decide(v, NULL, 0, NULL, 0, path);
	return perm_decide(v, e->read, e->nread, e->noread, e->nnoread, path);
}

/* perm_may_write - WRITE against NOWRITE */
int
perm_may_write(const struct perm_view *v, const char *path)
{
	const struct hdb_perm *e = v->entry;

	if (!e)
		return perm_decide(v, NULL, 0, NULL, 0, path);
	return perm_decide(v, e->write, e->nwrite, e->nowrite, e->nnowrite, path);
}

/* perm_may_request - REQUEST=yes */
int
perm_may_request(const struct perm_view *v)
{
	return v->entry ? v->entry->request : 0;
}

/* perm_may_send_when_called - SENDFILES=yes */
int
perm_may_send_when_called(const struct perm_view *v)
{
	return v->entry ? v->entry->sendfiles : 0;
}

/* perm_base - the last component of a path */
static const char *
perm_base(const char *s)
{
	const char *slash = strrchr(s, '/');

	return slash ? slash + 1 : s;
}

/* perm_command_ok - COMMANDS: a bare name matches an item of that name
 * or basename; a path must equal an item; ALL allows any */
int
perm_command_ok(const struct perm_view *v, const char *command)
{
	static char *const deflt[] = { "rmail" };
	char *const *list = deflt;
	size_t n = 1, i;

	if (!command || !command[0])
		return 0;
	if (v->entry && v->entry->ncommands > 0) {
		list = v->entry->commands;
		n = v->entry->ncommands;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(list[i], "ALL") == 0)
			return 1;
		if (strchr(command, '/')) {
			if (strcmp(list[i], command) == 0)
				return 1;
		} else if (strcmp(perm_base(list[i]), command) == 0) {
			return 1;
		}
	}
	return 0;
}
