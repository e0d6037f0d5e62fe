/*
 * tz.h - IANA time zones from TZif data, for local midnight and aligned
 * intervals.  Parsing and lookups are pure; csla_tz_load() is the one
 * function that reads a file (tz_load.c).
 */
#ifndef CALLSLA_TZ_H
#define CALLSLA_TZ_H

#include <stddef.h>
#include <stdint.h>

typedef struct csla_tz csla_tz_t;

/* Parses TZif (v1, v2, v3) bytes, including the POSIX TZ footer that
 * describes times after the last transition (needed for "slim" files).
 * Returns NULL and fills errstr on malformed data.  Caller owns the result. */
csla_tz_t *csla_tz_parse(const char *name, const unsigned char *data,
			 size_t len, char *errstr, size_t errlen);

/* UTC, without reading any file.  Caller owns the result. */
csla_tz_t *csla_tz_utc(void);

/* Loads "Area/City" from $TZDIR or /usr/share/zoneinfo.  "UTC" never touches
 * the file system.  Names with ".." or a leading '/' are refused.  Returns
 * NULL and fills errstr ("unknown time zone \"Mars/Olympus\"").  Caller owns
 * the result. */
csla_tz_t *csla_tz_load(const char *name, char *errstr, size_t errlen);

void csla_tz_destroy(csla_tz_t *tz);
const char *csla_tz_name(const csla_tz_t *tz);

/* Seconds east of UTC in force at utc_ms: local = utc + offset. */
int32_t csla_tz_offset_s(const csla_tz_t *tz, int64_t utc_ms);

/* Local civil day number (days since 1970-01-01 of the local date). */
int64_t csla_tz_local_day(const csla_tz_t *tz, int64_t utc_ms);

/* The first instant (UTC ms) of the local day that contains utc_ms.  When
 * local midnight does not exist (a DST gap at 00:00) it is the instant the
 * local date begins. */
int64_t csla_tz_day_start(const csla_tz_t *tz, int64_t utc_ms);

/* Start (UTC ms) of the interval of length period_ms, aligned on local wall
 * clock time, that contains utc_ms: e.g. with period 15 min, 10:07 local ->
 * 10:00 local.  period_ms must divide a day. */
int64_t csla_tz_align(const csla_tz_t *tz, int64_t utc_ms, int64_t period_ms);

#endif
