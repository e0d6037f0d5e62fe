/* corpus.h - walking tests/corpus/{valid,reject}/ for the decoder tests.
 * The corpus is found through $TESTS (set by tests/run.sh), else "tests". */
#ifndef CALLSLA_TEST_CORPUS_H
#define CALLSLA_TEST_CORPUS_H

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef void (*corpus_fn)(void *opaque, const char *name, const char *buf,
			  size_t len);

/* Reads a whole file; the caller frees the result.  NULL on error. */
static inline char *corpus_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)n + 1))) {
		*len = fread(buf, 1, (size_t)n, f);
		if (*len != (size_t)n) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(f);
	return buf;
}

/* Calls fn for every *.json file of corpus/<sub>; returns how many, or -1
 * when the folder or a file cannot be read. */
static inline int corpus_each(const char *sub, corpus_fn fn, void *opaque)
{
	const char *tests = getenv("TESTS");
	char dir[4096], path[8192];
	struct dirent *de;
	DIR *dp;
	int n = 0;

	snprintf(dir, sizeof dir, "%s/corpus/%s",
		 tests && *tests ? tests : "tests", sub);
	dp = opendir(dir);
	if (!dp)
		return -1;
	while ((de = readdir(dp))) {
		size_t nl = strlen(de->d_name), len;
		char *buf;

		if (nl < 6 || strcmp(de->d_name + nl - 5, ".json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		buf = corpus_read(path, &len);
		if (!buf) {
			n = -1;
			break;
		}
		fn(opaque, de->d_name, buf, len);
		free(buf);
		n++;
	}
	closedir(dp);
	return n;
}

#endif
