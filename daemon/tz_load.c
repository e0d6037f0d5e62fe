/* tz_load.c - csla_tz_load(): the one place that reads zoneinfo files. */
#include "callsla/tz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* The largest zone in tzdata is a few kB; anything far bigger is not one. */
#define TZ_FILE_MAX (256 * 1024)

static csla_tz_t *unknown(const char *name, char *errstr, size_t errlen)
{
	if (errlen)
		snprintf(errstr, errlen, "unknown time zone \"%s\"", name);
	return NULL;
}

csla_tz_t *csla_tz_load(const char *name, char *errstr, size_t errlen)
{
	const char *dir = getenv("TZDIR");
	unsigned char *buf;
	size_t dlen, nlen, n;
	char *path;
	FILE *f;
	csla_tz_t *tz;

	if (!strcmp(name, "UTC") || !strcmp(name, "Etc/UTC"))
		return csla_tz_utc();
	/* The name comes from configuration: it must stay inside TZDIR. */
	if (!*name || *name == '/' || strstr(name, ".."))
		return unknown(name, errstr, errlen);
	if (!dir || !*dir)
		dir = "/usr/share/zoneinfo";
	dlen = strlen(dir);
	nlen = strlen(name);
	path = csla_xmalloc(dlen + nlen + 2);
	memcpy(path, dir, dlen);
	path[dlen] = '/';
	memcpy(path + dlen + 1, name, nlen + 1);
	f = fopen(path, "rb");
	free(path);
	if (!f)
		return unknown(name, errstr, errlen);
	buf = csla_xmalloc(TZ_FILE_MAX + 1);
	n = fread(buf, 1, TZ_FILE_MAX + 1, f);
	/* A directory opens but does not read. */
	if (ferror(f) || n > TZ_FILE_MAX) {
		fclose(f);
		free(buf);
		return unknown(name, errstr, errlen);
	}
	fclose(f);
	tz = csla_tz_parse(name, buf, n, errstr, errlen);
	free(buf);
	return tz;
}
