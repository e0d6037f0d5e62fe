/* test_wallboard.c - the page built into the program (scripts/embed.sh) is
 * daemon/wallboard.html byte for byte, NUL-terminated, its length not
 * counting the NUL.  The page itself is tested in a browser by
 * tests/sh/wallboard.sh. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corpus.h"
#include "wallboard.h"

static void embedded_equals_source(void **state)
{
	const char *tests = getenv("TESTS");
	char path[4096];
	size_t len = 0;
	char *src;

	(void)state;
	/* $TESTS is the tests folder (tests/run.sh); else run from the top. */
	snprintf(path, sizeof path, "%s/../daemon/wallboard.html",
		 tests && *tests ? tests : "tests");
	src = corpus_read(path, &len);
	if (!src)
		fail_msg("cannot read %s", path);
	assert_true(len > 1000);
	assert_int_equal(csla_wallboard_html_len, len);
	assert_memory_equal(csla_wallboard_html, src, len);
	assert_int_equal(csla_wallboard_html[len], '\0');
	/* Multi-byte UTF-8 (the page's dashes and dots) survives the dump. */
	assert_non_null(strstr(csla_wallboard_html, "\xe2\x80\x93"));
	free(src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(embedded_equals_source),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
