/*
 * wallboard.h - the wallboard page (daemon/wallboard.html, docs/wallboard.md),
 * which the HTTP server sends for GET /.
 *
 * The bytes are built into the program: the Makefile turns the HTML file into
 * $(B)/gen/wallboard.c with scripts/embed.sh, so that the page needs no file
 * at run time and always matches the daemon it comes with.  Static storage,
 * read-only, owned by nobody: never freed.
 */
#ifndef CALLSLA_WALLBOARD_H
#define CALLSLA_WALLBOARD_H

#include <stddef.h>

/* The page, followed by a NUL that csla_wallboard_html_len does not count. */
extern const char csla_wallboard_html[];
extern const size_t csla_wallboard_html_len;

#endif
