/* fuzz_engine.c - libFuzzer target for the whole core (`make fuzz`): the
 * input is JSONL; every line is decoded and applied, then every window of
 * every scope is computed at two instants and written as JSON.
 *
 * Besides crashes and sanitizer reports, it checks what must hold of any
 * snapshot whatever the events: counts within their totals (A_T <= A,
 * A_R <= A, B_T <= B), every ratio null or within [0, 1], waits and state
 * times not negative, gauges consistent, and a row that fits its buffer.
 * The first input byte picks the clock and the time zone (one with DST),
 * so folding, lateness and local days are all reached. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/config.h"
#include "callsla/engine.h"
#include "callsla/pipe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(int cond, const char *what)
{
	if (!cond) {
		fprintf(stderr, "fuzz_engine: invariant broken: %s\n", what);
		abort();
	}
}

static void ratio(double v, const char *what)
{
	check(isnan(v) || (v >= 0.0 && v <= 1.0), what);
}

static void row(void *opaque, const csla_snapshot_t *s)
{
	const csla_agg_t *a = &s->agg;
	char buf[4096];
	(void)opaque;
	check(a->answered_in_sl <= a->answered, "A_T <= A");
	check(a->answered_in_rings <= a->answered, "A_R <= A");
	check(a->abandoned_in_sl <= a->abandoned, "B_T <= B");
	check(a->max_wait_ms >= -1, "max wait");
	for (int k = 0; k < CSLA_AS_COUNT; k++)
		check(a->state_ms[k] >= 0, "state time >= 0");
	ratio(csla_metric_occupancy(a), "occupancy");
	ratio(csla_metric_utilization(a), "utilization");
	ratio(csla_metric_three_ring_rate(a), "three-ring rate");
	ratio(csla_metric_abandon_rate(a), "abandon rate");
	if (s->qc)
		ratio(csla_metric_service_level(a, s->qc), "service level");
	if (s->has_gauges) {
		check(s->longest_wait_ms >= 0, "longest wait >= 0");
		check(s->waiting_now > 0 || s->longest_wait_ms == 0,
		      "nobody waits, no wait");
	}
	check(csla_snapshot_json(s, buf, sizeof buf) < sizeof buf,
	      "row fits 4 KiB");
}

static void result(void *opaque, uint64_t tag, csla_reject_t r,
		   const char *err)
{
	(void)opaque;
	(void)tag;
	check(r >= CSLA_OK && r < CSLA_REJ__COUNT, "a known reason");
	check(r == CSLA_OK || (err && *err), "a rejection says why");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static csla_conf_t *confs[4];
	char err[256];
	if (!confs[0]) {
		static const char *const zones[] = { "UTC", "America/New_York" };
		for (int i = 0; i < 4; i++) {
			confs[i] = csla_conf_new_defaults();
			confs[i]->clock = i & 1 ? CSLA_CLOCK_WALL : CSLA_CLOCK_EVENT;
			free(confs[i]->default_timezone);
			confs[i]->default_timezone = strdup(zones[i >> 1]);
			/* Short horizons, so folding happens within small inputs. */
			confs[i]->allowed_lateness_ms = 600000;
			confs[i]->rolling_ms[0] = 60000;
			if (csla_conf_validate(confs[i], err, sizeof err)) {
				fprintf(stderr, "fuzz_engine: %s\n", err);
				abort();
			}
		}
	}
	if (size == 0)
		return 0;
	const csla_conf_t *conf = confs[data[0] & 3];
	csla_engine_t *e = csla_engine_new(conf);
	csla_pipe_t *p = csla_pipe_new(e, conf->max_message_bytes, result, NULL);
	/* 2026-11-25T10:00:00Z: a wall clock near the seeds' times. */
	const int64_t wall = 1795600800000LL;

	const char *s = (const char *)data + 1, *end = (const char *)data + size;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		if (le > s)
			csla_pipe_push(p, s, (size_t)(le - s), 0, wall);
		s = le + 1;
	}
	csla_pipe_drain(p);
	int64_t now = csla_engine_event_now(e);
	if (conf->clock == CSLA_CLOCK_WALL || now == INT64_MIN)
		now = wall;
	csla_engine_snapshot(e, now, row, NULL);
	csla_engine_snapshot(e, now + 3600000, row, NULL);
	csla_pipe_destroy(p);
	csla_engine_destroy(e);
	return 0;
}
