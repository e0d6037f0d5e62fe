/*
 * sim.c - see sim.h.  A discrete-event simulation: a binary min-heap of
 * future happenings ordered by (time, insertion number), processed in
 * order; each emits its events at its own time, so the output is in event
 * time without sorting, and ties resolve the same way on every run.
 *
 * Timers are never removed from the heap: a call or an agent carries a
 * generation number that changes when what a timer was set for is gone
 * (the call ended, the ring was cut short), and a stale timer is skipped.
 */
#include "sim.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "callsla/timefmt.h"
#include "util.h"

#define DAY_MS INT64_C(86400000)
#define MIN_MS INT64_C(60000)
#define HOUR_MS INT64_C(3600000)
#define SLOT_MS (DAY_MS / CSLA_SIM_SLOTS)
#define NONE UINT32_MAX
#define NO_STATE CSLA_AS_COUNT /* an agent before its first event */
#define TEAM_SIZE 12
#define NBREAKS 3              /* short break, lunch, short break */
#define LUNCH 1

/* ---- random numbers: xoshiro256** seeded through splitmix64 -------------- */

typedef struct rng {
	uint64_t s[4];
} rng_t;

static uint64_t splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static void rng_seed(rng_t *r, uint64_t seed)
{
	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&seed);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static uint64_t rng_next(rng_t *r)
{
	uint64_t *s = r->s;
	uint64_t out = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return out;
}

/* Uniform in [0, 1). */
static double rng_unit(rng_t *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

static double rng_exp(rng_t *r, double mean)
{
	return -mean * log1p(-rng_unit(r));
}

/* Box-Muller, one value per call: simpler than caching the pair, and the
 * generator is not where the time goes. */
static double rng_normal(rng_t *r)
{
	double u = 1.0 - rng_unit(r);
	double v = rng_unit(r);
	return sqrt(-2.0 * log(u)) * cos(2.0 * M_PI * v);
}

static int64_t rng_range_ms(rng_t *r, int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng_next(r) % (uint64_t)(hi - lo + 1));
}

/* A lognormal by its mean and standard deviation. */
typedef struct lognorm {
	double mu, sigma;
} lognorm_t;

static lognorm_t lognorm(double mean, double sd)
{
	double s2 = log1p(sd * sd / (mean * mean));
	return (lognorm_t){ log(mean) - s2 / 2, sqrt(s2) };
}

static int64_t s_to_ms(double s)
{
	return (int64_t)(s * 1000.0 + 0.5);
}

static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

static int64_t rng_lognorm_ms(rng_t *r, lognorm_t l, int64_t lo, int64_t hi)
{
	return clamp64(s_to_ms(exp(l.mu + l.sigma * rng_normal(r))), lo, hi);
}

/* ---- the model's state --------------------------------------------------- */

enum kind {
	K_DAY,      /* idx tenant, gen day offset: plan the day */
	K_ARRIVAL,  /* idx tenant */
	K_DEADLINE, /* idx call: patience or maximum queue time */
	K_LOGIN,    /* idx agent, gen day offset */
	K_BREAK,    /* idx agent, gen which break */
	K_LOGOUT,   /* idx agent, gen day offset */
	K_AGENT,    /* idx agent: the end of its current phase */
};

typedef struct hent {
	int64_t t;
	uint64_t seq;
	uint32_t idx, gen;
	uint8_t kind;
} hent_t;

/* What an agent's K_AGENT timer ends. */
enum phase {
	PH_NONE,
	PH_RING_ANSWER, /* picks up at the end */
	PH_RING_RONA,   /* ring timeout */
	PH_TALK_HOLD,   /* talking until the hold */
	PH_HOLD,
	PH_TALK,        /* talking until the end */
	PH_ACW,
	PH_RONA_PAUSE,
	PH_BREAK,
};

enum where { W_FREE, W_QUEUE, W_RING, W_HANDLED };

typedef struct call {
	uint64_t no;
	uint32_t tenant, agent, gen;
	uint32_t prev, next; /* in the queue */
	uint8_t queue, where;
	bool patience;       /* the deadline is the caller's patience */
	int64_t offered, alerting, answered, deadline;
	int64_t talk_ms, hold_ms, hold_at_ms, acw_ms;
} call_t;

typedef struct agent {
	char id[16];
	uint32_t idlen;
	uint32_t tenant, team, shift;
	uint8_t nq, q[2];
	uint64_t qmask;
	uint8_t state;       /* csla_agent_state_t, or NO_STATE */
	uint8_t phase;
	uint32_t gen;        /* of its K_AGENT timer */
	uint32_t call;
	int64_t since;       /* when the state began */
	uint32_t idle_prev, idle_next;
	bool idle;
	uint32_t shift_day;  /* day offset of the latest log-in */
	bool logout_due;
	int8_t break_due;    /* a break that is due, or -1 */
	int64_t break_ms[NBREAKS];
} agent_t;

typedef struct queue {
	uint32_t head, tail; /* calls waiting, oldest first */
	double cum;          /* cumulative arrival weight */
} queue_t;

typedef struct tenant {
	char name[16];
	csla_str_t sname;
	const csla_tz_t *tz;
	rng_t rng;
	queue_t q[CSLA_SIM_MAX_QUEUES];
	uint32_t agent0, nagents;
	uint32_t idle_head, idle_tail;
	int64_t day;         /* local day number of the arrivals in progress */
	double arr;          /* ms into that day of the last arrival */
	int64_t *day_start;  /* days + 1 local midnights, in UTC */
} tenant_t;

struct csla_sim {
	csla_sim_opts_t o;
	int64_t now;
	hent_t *heap;
	uint32_t nheap, capheap;
	uint64_t seq;

	tenant_t *tenants;
	agent_t *agents;
	uint32_t nagents;
	call_t *calls;
	uint32_t ncalls, capcalls;
	csla_freelist_t free_calls;
	uint64_t ncall_no;

	double rate[CSLA_SIM_SLOTS]; /* arrivals per ms */
	lognorm_t talk, acw;
	char qnames[CSLA_SIM_MAX_QUEUES][16];
	const char *qname_ptr[CSLA_SIM_MAX_QUEUES];
	char (*teams)[16];

	csla_truth_t truth;

	csla_sim_emit_fn emit;
	void *opaque;
	int rc;
	uint64_t nevents;
	csla_event_t ev;
	char idbuf[48], callbuf[48];
	size_t idpre, callpre; /* length of the "e<seed>-" / "c<seed>-" */
};

/* ---- options ------------------------------------------------------------- */

/* Morning and afternoon peaks, a lunchtime dip; closed outside 08:00-18:00. */
static const double default_profile[CSLA_SIM_SLOTS] = {
	[16] = 0.40, 0.60, 0.80, 0.95, /* 08:00 .. 09:30 */
	[20] = 1.20, 1.35, 1.35, 1.20, /* 10:00 .. 11:30 */
	[24] = 0.95, 0.85, 0.95, 1.15, /* 12:00 .. 13:30 */
	[28] = 1.30, 1.35, 1.25, 1.10, /* 14:00 .. 15:30 */
	[32] = 0.90, 0.75, 0.55, 0.40, /* 16:00 .. 17:30 */
};

static const char *const zones[] = {
	"UTC", "Asia/Shanghai", "America/New_York", "Europe/London",
	"Asia/Kolkata", "Australia/Sydney",
};

static const char *const queue_names[] = {
	"sales", "support", "billing", "retention",
	"tech",  "vip",     "claims",  "orders",
};

static const char *const break_reasons[NBREAKS] = { "break", "lunch", "break" };

void csla_sim_opts_default(csla_sim_opts_t *o)
{
	memset(o, 0, sizeof *o);
	o->seed = 1;
	o->start_day = csla_days_from_civil(2026, 3, 2);
	o->days = 1;
	o->tenants = 1;
	o->queues = 3;
	o->agents = 40;
	o->calls_per_hour = 300;
	memcpy(o->profile, default_profile, sizeof o->profile);
	o->shifts[0] = (csla_sim_shift_t){ 8 * 60, 17 * 60, 45 };
	o->shifts[1] = (csla_sim_shift_t){ 10 * 60, 18 * 60, 30 };
	o->nshifts = 2;
	o->talk_mean_s = 180;
	o->talk_sd_s = 120;
	o->acw_mean_s = 30;
	o->acw_sd_s = 20;
	o->hold_p = 0.15;
	o->hold_mean_s = 40;
	o->patience_mean_s = 120;
	o->max_queue_s = 90;
	o->ring_min_s = 1;
	o->ring_max_s = 8;
	o->ring_timeout_s = 20;
	o->rona_p = 0.03;
	o->rona_pause_s = 30;
}

#define CHECK(cond, ...)                                   \
	do {                                               \
		if (!(cond)) {                             \
			snprintf(errstr, errlen, __VA_ARGS__); \
			return -1;                         \
		}                                          \
	} while (0)

int csla_sim_opts_check(const csla_sim_opts_t *o, char *errstr, size_t errlen)
{
	double wsum = 0;

	CHECK(o->days >= 1 && o->days <= 366, "days: 1..366");
	CHECK(o->tenants >= 1 && o->tenants <= CSLA_SIM_MAX_TENANTS,
	      "tenants: 1..%d", CSLA_SIM_MAX_TENANTS);
	CHECK(o->queues >= 1 && o->queues <= CSLA_SIM_MAX_QUEUES,
	      "queues: 1..%d", CSLA_SIM_MAX_QUEUES);
	CHECK(o->agents >= 1 && o->agents <= CSLA_SIM_MAX_AGENTS,
	      "agents: 1..%d", CSLA_SIM_MAX_AGENTS);
	CHECK((uint64_t)o->tenants * o->agents <= CSLA_SIM_MAX_ALL_AGENTS,
	      "tenants x agents: at most %d", CSLA_SIM_MAX_ALL_AGENTS);
	CHECK(o->calls_per_hour >= 0 && o->calls_per_hour <= 1e7,
	      "calls per hour: 0..10000000");
	CHECK(o->start_day >= csla_days_from_civil(1971, 1, 1) &&
		      o->start_day <= csla_days_from_civil(9000, 1, 1),
	      "start: 1971-01-01..9000-01-01");
	for (int i = 0; i < CSLA_SIM_SLOTS; i++) {
		CHECK(o->profile[i] >= 0 && isfinite(o->profile[i]),
		      "profile: weights must be >= 0");
		wsum += o->profile[i];
	}
	CHECK(wsum > 0, "profile: all weights are 0");
	CHECK(o->nshifts >= 1 && o->nshifts <= CSLA_SIM_MAX_SHIFTS,
	      "shifts: 1..%d", CSLA_SIM_MAX_SHIFTS);
	for (uint32_t i = 0; i < o->nshifts; i++) {
		const csla_sim_shift_t *s = &o->shifts[i];
		CHECK(s->start_min >= 0 && s->start_min < s->end_min &&
			      s->end_min <= 24 * 60,
		      "shift %u: start before end, within the day", i + 1);
		CHECK(s->lunch_min >= 0 && s->lunch_min <= 120,
		      "shift %u: lunch 0..120 minutes", i + 1);
	}
	CHECK(o->talk_mean_s > 0 && o->talk_sd_s >= 0, "talk time: mean > 0");
	CHECK(o->acw_mean_s > 0 && o->acw_sd_s >= 0, "acw time: mean > 0");
	CHECK(o->hold_p >= 0 && o->hold_p <= 1 && o->hold_mean_s > 0,
	      "hold: probability 0..1, mean > 0");
	CHECK(o->patience_mean_s > 0, "patience: mean > 0");
	CHECK(o->max_queue_s > 0, "maximum queue time > 0");
	CHECK(o->ring_min_s > 0 && o->ring_min_s <= o->ring_max_s &&
		      o->ring_max_s < o->ring_timeout_s,
	      "ring: 0 < min <= max < timeout");
	CHECK(o->rona_p >= 0 && o->rona_p <= 1 && o->rona_pause_s > 0,
	      "ring-no-answer: probability 0..1, pause > 0");
	CHECK(o->tz != NULL, "no time zones");
	for (uint32_t i = 0; i < o->tenants; i++)
		CHECK(o->tz[i] != NULL, "tenant %u: no time zone", i + 1);
	return 0;
}

const char *csla_sim_tenant_name(uint32_t i, uint32_t n, char *buf)
{
	if (n == 1)
		strcpy(buf, "default");
	else
		snprintf(buf, 16, "t%u", i + 1);
	return buf;
}

const char *csla_sim_tenant_zone(uint32_t i, uint32_t n)
{
	return n == 1 ? "UTC" : zones[i % (sizeof zones / sizeof zones[0])];
}

/* ---- the heap ------------------------------------------------------------ */

static inline bool before(const hent_t *a, const hent_t *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static void push(csla_sim_t *s, int64_t t, enum kind k, uint32_t idx,
		 uint32_t gen)
{
	/* Nothing is scheduled in the past: a clamped time (a DST overlap,
	 * a login jittered before midnight) happens now. */
	hent_t x = { t < s->now ? s->now : t, s->seq++, idx, gen, (uint8_t)k };

	csla_grow(&s->heap, &s->capheap, s->nheap + 1, sizeof *s->heap);
	uint32_t i = s->nheap++;
	while (i > 0) {
		uint32_t p = (i - 1) / 2;
		if (!before(&x, &s->heap[p]))
			break;
		s->heap[i] = s->heap[p];
		i = p;
	}
	s->heap[i] = x;
}

static hent_t pop(csla_sim_t *s)
{
	hent_t top = s->heap[0], x = s->heap[--s->nheap];
	uint32_t i = 0, n = s->nheap;

	for (;;) {
		uint32_t c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && before(&s->heap[c + 1], &s->heap[c]))
			c++;
		if (!before(&s->heap[c], &x))
			break;
		s->heap[i] = s->heap[c];
		i = c;
	}
	if (n)
		s->heap[i] = x;
	return top;
}

/* ---- events out ---------------------------------------------------------- */

static size_t put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (size_t i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

static csla_str_t str_of(const char *p, size_t len)
{
	return (csla_str_t){ p, (uint32_t)len };
}

static csla_str_t cstr(const char *p)
{
	return str_of(p, strlen(p));
}

static void emit(csla_sim_t *s, const tenant_t *t, csla_ev_type_t type)
{
	csla_event_t *ev = &s->ev;

	if (s->rc)
		return;
	ev->type = type;
	ev->ts_ms = s->now;
	ev->tenant = t->sname;
	ev->id = str_of(s->idbuf,
			s->idpre + put_u64(s->idbuf + s->idpre, s->nevents));
	s->nevents++;
	s->rc = s->emit(s->opaque, ev);
}

static csla_str_t call_id(csla_sim_t *s, const call_t *c)
{
	return str_of(s->callbuf,
		      s->callpre + put_u64(s->callbuf + s->callpre, c->no));
}

static csla_str_t agent_id(const csla_sim_t *s, uint32_t a)
{
	return str_of(s->agents[a].id, s->agents[a].idlen);
}

/* A call progress event; fields that do not apply are absent. */
static void call_event(csla_sim_t *s, const call_t *c, csla_call_ev_t what,
		       bool with_queue, bool with_agent, int64_t wait_ms)
{
	csla_event_t *ev = &s->ev;

	ev->call_event = what;
	ev->call_id = call_id(s, c);
	ev->queue = with_queue ? cstr(s->qnames[c->queue]) : str_of(NULL, 0);
	ev->agent_id = with_agent ? agent_id(s, c->agent) : str_of(NULL, 0);
	ev->wait_ms = wait_ms;
	bool ended = what == CSLA_CALL_ENDED;
	ev->talk_ms = ended ? c->talk_ms : CSLA_NO_MS;
	ev->hold_ms = ended ? c->hold_ms : CSLA_NO_MS;
	ev->acw_ms = ended ? c->acw_ms : CSLA_NO_MS;
	emit(s, &s->tenants[c->tenant], CSLA_EV_CALL);
}

static void cdr_event(csla_sim_t *s, const call_t *c, csla_outcome_t o)
{
	csla_event_t *ev = &s->ev;
	bool ans = o == CSLA_OUT_ANSWERED;

	ev->call_id = call_id(s, c);
	ev->queue = cstr(s->qnames[c->queue]);
	ev->agent_id = ans ? agent_id(s, c->agent) : str_of(NULL, 0);
	ev->outcome = o;
	ev->offered_at = c->offered;
	ev->alerting_at = ans ? c->alerting : CSLA_NO_MS;
	ev->answered_at = ans ? c->answered : CSLA_NO_MS;
	ev->ended_at = s->now;
	ev->talk_ms = ans ? c->talk_ms : CSLA_NO_MS;
	ev->hold_ms = ans ? c->hold_ms : CSLA_NO_MS;
	ev->acw_ms = ans ? c->acw_ms : CSLA_NO_MS;
	emit(s, &s->tenants[c->tenant], CSLA_EV_CDR);
}

/* The agent's state changes now: its time in the old state goes to the
 * truth, and an agent event goes out (with the queues on log-in). */
static void set_state(csla_sim_t *s, uint32_t ai, csla_agent_state_t st,
		      const char *reason, bool login)
{
	agent_t *a = &s->agents[ai];
	csla_event_t *ev = &s->ev;

	if (a->state != NO_STATE)
		csla_truth_state(&s->truth, a->tenant,
				 (csla_agent_state_t)a->state, a->since, s->now);
	a->state = (uint8_t)st;
	a->since = s->now;

	ev->agent_id = agent_id(s, ai);
	ev->state = st;
	ev->reason = reason ? cstr(reason) : str_of(NULL, 0);
	ev->team = cstr(s->teams[a->team]);
	ev->has_queues = login;
	ev->nqueues = login ? a->nq : 0;
	for (uint32_t i = 0; i < ev->nqueues; i++)
		ev->queues[i] = cstr(s->qnames[a->q[i]]);
	emit(s, &s->tenants[a->tenant], CSLA_EV_AGENT);
}

/* ---- calls --------------------------------------------------------------- */

static uint32_t call_new(csla_sim_t *s, uint32_t tenant)
{
	uint32_t i = csla_slot_take(&s->calls, &s->ncalls, &s->capcalls,
				    sizeof *s->calls, &s->free_calls);
	call_t *c = &s->calls[i];
	uint32_t gen = c->gen + 1;
	memset(c, 0, sizeof *c);
	c->gen = gen;
	c->no = ++s->ncall_no;
	c->tenant = tenant;
	c->agent = c->prev = c->next = NONE;
	return i;
}

static void call_free(csla_sim_t *s, uint32_t ci)
{
	s->calls[ci].where = W_FREE;
	s->calls[ci].gen++;
	csla_slot_give(&s->free_calls, ci);
}

/* The call's queue outcome: into the truth, and out as an event (or as the
 * CDR of an unanswered call, whose end this is). */
static void outcome(csla_sim_t *s, uint32_t ci, csla_outcome_t o)
{
	call_t *c = &s->calls[ci];
	int64_t wait = s->now - c->offered;
	static const csla_call_ev_t ev[] = { CSLA_CALL_ANSWERED,
					     CSLA_CALL_ABANDONED,
					     CSLA_CALL_FLOWOUT };

	csla_truth_outcome(&s->truth, c->tenant, c->queue, o, s->now, wait);
	if (!s->o.cdr)
		call_event(s, c, ev[o], true, o == CSLA_OUT_ANSWERED, wait);
	else if (o != CSLA_OUT_ANSWERED)
		cdr_event(s, c, o);
}

static void queue_remove(csla_sim_t *s, uint32_t ci)
{
	call_t *c = &s->calls[ci];
	queue_t *q = &s->tenants[c->tenant].q[c->queue];

	if (c->prev != NONE)
		s->calls[c->prev].next = c->next;
	else
		q->head = c->next;
	if (c->next != NONE)
		s->calls[c->next].prev = c->prev;
	else
		q->tail = c->prev;
	c->prev = c->next = NONE;
}

static void queue_insert(csla_sim_t *s, uint32_t ci, bool at_head)
{
	call_t *c = &s->calls[ci];
	queue_t *q = &s->tenants[c->tenant].q[c->queue];

	c->where = W_QUEUE;
	if (at_head) {
		c->prev = NONE;
		c->next = q->head;
		if (q->head != NONE)
			s->calls[q->head].prev = ci;
		else
			q->tail = ci;
		q->head = ci;
	} else {
		c->next = NONE;
		c->prev = q->tail;
		if (q->tail != NONE)
			s->calls[q->tail].next = ci;
		else
			q->head = ci;
		q->tail = ci;
	}
}

/* ---- agents -------------------------------------------------------------- */

static void idle_append(csla_sim_t *s, uint32_t ai)
{
	agent_t *a = &s->agents[ai];
	tenant_t *t = &s->tenants[a->tenant];

	a->idle = true;
	a->idle_next = NONE;
	a->idle_prev = t->idle_tail;
	if (t->idle_tail != NONE)
		s->agents[t->idle_tail].idle_next = ai;
	else
		t->idle_head = ai;
	t->idle_tail = ai;
}

static void idle_remove(csla_sim_t *s, uint32_t ai)
{
	agent_t *a = &s->agents[ai];
	tenant_t *t = &s->tenants[a->tenant];

	if (!a->idle)
		return;
	if (a->idle_prev != NONE)
		s->agents[a->idle_prev].idle_next = a->idle_next;
	else
		t->idle_head = a->idle_next;
	if (a->idle_next != NONE)
		s->agents[a->idle_next].idle_prev = a->idle_prev;
	else
		t->idle_tail = a->idle_prev;
	a->idle = false;
}

static void agent_timer(csla_sim_t *s, uint32_t ai, enum phase ph, int64_t ms)
{
	agent_t *a = &s->agents[ai];

	a->phase = (uint8_t)ph;
	push(s, s->now + ms, K_AGENT, ai, ++a->gen);
}

static void ring(csla_sim_t *s, uint32_t ci, uint32_t ai)
{
	call_t *c = &s->calls[ci];
	agent_t *a = &s->agents[ai];
	rng_t *r = &s->tenants[a->tenant].rng;

	idle_remove(s, ai);
	a->call = ci;
	c->agent = ai;
	c->where = W_RING;
	c->alerting = s->now;
	if (!s->o.cdr)
		call_event(s, c, CSLA_CALL_ALERTING, false, true, CSLA_NO_MS);
	set_state(s, ai, CSLA_AS_ALERTING, NULL, false);
	if (rng_unit(r) < s->o.rona_p)
		agent_timer(s, ai, PH_RING_RONA, s_to_ms(s->o.ring_timeout_s));
	else
		agent_timer(s, ai, PH_RING_ANSWER,
			    rng_range_ms(r, s_to_ms(s->o.ring_min_s),
					 s_to_ms(s->o.ring_max_s)));
}

/* Longest-idle routing: the first agent of the idle list (in the order they
 * became available) who serves the call's queue. */
static void route(csla_sim_t *s, uint32_t ci, bool at_head)
{
	call_t *c = &s->calls[ci];
	const tenant_t *t = &s->tenants[c->tenant];
	uint64_t bit = UINT64_C(1) << c->queue;

	for (uint32_t ai = t->idle_head; ai != NONE; ai = s->agents[ai].idle_next)
		if (s->agents[ai].qmask & bit) {
			ring(s, ci, ai);
			return;
		}
	queue_insert(s, ci, at_head);
}

/* An available agent takes the call that has waited longest in its
 * queues, if any. */
static void take_call(csla_sim_t *s, uint32_t ai)
{
	const agent_t *a = &s->agents[ai];
	const tenant_t *t = &s->tenants[a->tenant];
	uint32_t best = NONE;

	for (uint32_t i = 0; i < a->nq; i++) {
		uint32_t h = t->q[a->q[i]].head;
		if (h != NONE &&
		    (best == NONE || s->calls[h].offered < s->calls[best].offered ||
		     (s->calls[h].offered == s->calls[best].offered &&
		      s->calls[h].no < s->calls[best].no)))
			best = h;
	}
	if (best != NONE) {
		queue_remove(s, best);
		ring(s, best, ai);
	}
}

static void start_break(csla_sim_t *s, uint32_t ai, int which)
{
	set_state(s, ai, CSLA_AS_NOT_READY, break_reasons[which], false);
	agent_timer(s, ai, PH_BREAK, s->agents[ai].break_ms[which]);
}

/* The agent has finished what it was doing: log out or take a break if
 * one is due, else become available and take a waiting call. */
static void agent_free(csla_sim_t *s, uint32_t ai)
{
	agent_t *a = &s->agents[ai];

	a->phase = PH_NONE;
	a->call = NONE;
	if (a->logout_due) {
		a->logout_due = false;
		a->break_due = -1;
		set_state(s, ai, CSLA_AS_LOGGED_OUT, NULL, false);
	} else if (a->break_due >= 0) {
		int which = a->break_due;
		a->break_due = -1;
		start_break(s, ai, which);
	} else {
		set_state(s, ai, CSLA_AS_AVAILABLE, NULL, false);
		idle_append(s, ai);
		take_call(s, ai);
	}
}

/* Back to the head of its queue after a ring-no-answer, keeping its offered
 * time; gone if its deadline passed while it rang. */
static void requeue(csla_sim_t *s, uint32_t ci)
{
	call_t *c = &s->calls[ci];

	c->agent = NONE;
	if (s->now >= c->deadline) {
		outcome(s, ci, c->patience ? CSLA_OUT_ABANDONED
					   : CSLA_OUT_FLOWOUT);
		call_free(s, ci);
		return;
	}
	route(s, ci, true);
}

static void answer(csla_sim_t *s, uint32_t ai)
{
	agent_t *a = &s->agents[ai];
	uint32_t ci = a->call;
	call_t *c = &s->calls[ci];
	rng_t *r = &s->tenants[a->tenant].rng;

	c->where = W_HANDLED;
	c->answered = s->now;
	outcome(s, ci, CSLA_OUT_ANSWERED);
	set_state(s, ai, CSLA_AS_TALKING, NULL, false);
	c->talk_ms = rng_lognorm_ms(r, s->talk, 3000, 2 * HOUR_MS);
	c->acw_ms = rng_lognorm_ms(r, s->acw, 1000, 30 * MIN_MS);
	if (rng_unit(r) < s->o.hold_p) {
		c->hold_ms = clamp64(s_to_ms(rng_exp(r, s->o.hold_mean_s)),
				     1000, HOUR_MS);
		c->hold_at_ms = (int64_t)((double)c->talk_ms *
					  (0.2 + 0.6 * rng_unit(r)));
		agent_timer(s, ai, PH_TALK_HOLD, c->hold_at_ms);
	} else {
		c->hold_ms = 0;
		agent_timer(s, ai, PH_TALK, c->talk_ms);
	}
}

static void agent_step(csla_sim_t *s, uint32_t ai)
{
	agent_t *a = &s->agents[ai];
	call_t *c = a->call != NONE ? &s->calls[a->call] : NULL;
	uint32_t ci = a->call;

	switch ((enum phase)a->phase) {
	case PH_RING_ANSWER:
		answer(s, ai);
		break;
	case PH_RING_RONA:
		a->call = NONE;
		set_state(s, ai, CSLA_AS_NOT_READY, "rona", false);
		agent_timer(s, ai, PH_RONA_PAUSE, s_to_ms(s->o.rona_pause_s));
		requeue(s, ci);
		break;
	case PH_TALK_HOLD:
		set_state(s, ai, CSLA_AS_HOLD, NULL, false);
		agent_timer(s, ai, PH_HOLD, c->hold_ms);
		break;
	case PH_HOLD:
		set_state(s, ai, CSLA_AS_TALKING, NULL, false);
		agent_timer(s, ai, PH_TALK, c->talk_ms - c->hold_at_ms);
		break;
	case PH_TALK:
		set_state(s, ai, CSLA_AS_ACW, NULL, false);
		agent_timer(s, ai, PH_ACW, c->acw_ms);
		break;
	case PH_ACW:
		if (s->o.cdr)
			cdr_event(s, c, CSLA_OUT_ANSWERED);
		else
			call_event(s, c, CSLA_CALL_ENDED, false, true,
				   CSLA_NO_MS);
		call_free(s, ci);
		agent_free(s, ai);
		break;
	case PH_RONA_PAUSE:
	case PH_BREAK:
		agent_free(s, ai);
		break;
	case PH_NONE:
		break;
	}
}

/* The caller's patience ran out, or the call reached the maximum queue
 * time.  A call that is ringing hangs up on patience; at the maximum queue
 * time it rings on (and flows out if it comes back unanswered). */
static void deadline(csla_sim_t *s, uint32_t ci)
{
	call_t *c = &s->calls[ci];
	uint32_t ai = c->agent;

	if (c->where == W_QUEUE) {
		queue_remove(s, ci);
		outcome(s, ci, c->patience ? CSLA_OUT_ABANDONED
					   : CSLA_OUT_FLOWOUT);
		call_free(s, ci);
	} else if (c->where == W_RING && c->patience) {
		outcome(s, ci, CSLA_OUT_ABANDONED);
		call_free(s, ci);
		s->agents[ai].gen++; /* its ring timer is void */
		agent_free(s, ai);
	}
}

/* ---- the day's plan ------------------------------------------------------ */

/* The next arrival of the tenant's day, by the memoryless property: an
 * exponential amount of "rate x time" spent across the half-hour slots. */
static bool next_arrival(csla_sim_t *s, tenant_t *t)
{
	double work = rng_exp(&t->rng, 1.0), x = t->arr;

	while (x < (double)DAY_MS) {
		int slot = (int)(x / (double)SLOT_MS);
		double end = (double)((slot + 1) * SLOT_MS), r = s->rate[slot];
		if (r > 0 && x + work / r < end) {
			t->arr = x + work / r;
			return true;
		}
		if (r > 0)
			work -= (end - x) * r;
		x = end;
	}
	t->arr = x;
	return false;
}

static void schedule_arrival(csla_sim_t *s, uint32_t ti)
{
	tenant_t *t = &s->tenants[ti];

	if (next_arrival(s, t))
		push(s, csla_local_to_utc(t->tz, t->day * DAY_MS + (int64_t)t->arr),
		     K_ARRIVAL, ti, 0);
}

static void plan_agent(csla_sim_t *s, uint32_t ai, uint32_t d)
{
	agent_t *a = &s->agents[ai];
	tenant_t *t = &s->tenants[a->tenant];
	const csla_sim_shift_t *sh = &s->o.shifts[a->shift];
	rng_t *r = &t->rng;
	int64_t base = (s->o.start_day + d) * DAY_MS;
	int64_t start = base + sh->start_min * MIN_MS;
	int64_t end = base + sh->end_min * MIN_MS, len = end - start;
	int64_t login = start + rng_range_ms(r, -5 * MIN_MS, 2 * MIN_MS);

	push(s, csla_local_to_utc(t->tz, login), K_LOGIN, ai, d);
	/* Breaks on shifts of six hours or more: a short one two hours in, a
	 * lunch in the middle, another short one two hours before the end.
	 * (One draw per statement: the order of the draws is fixed.) */
	if (len >= 6 * HOUR_MS) {
		int64_t at[NBREAKS];
		at[0] = start + 2 * HOUR_MS +
			rng_range_ms(r, -20 * MIN_MS, 20 * MIN_MS);
		at[LUNCH] = start + len / 2 - sh->lunch_min * MIN_MS / 2 +
			    rng_range_ms(r, -30 * MIN_MS, 30 * MIN_MS);
		at[2] = end - 2 * HOUR_MS +
			rng_range_ms(r, -20 * MIN_MS, 20 * MIN_MS);
		a->break_ms[0] = a->break_ms[2] = 15 * MIN_MS;
		a->break_ms[LUNCH] = sh->lunch_min * MIN_MS;
		for (uint32_t i = 0; i < NBREAKS; i++)
			if (a->break_ms[i])
				push(s, csla_local_to_utc(t->tz, at[i]), K_BREAK,
				     ai, i);
	}
	push(s, csla_local_to_utc(t->tz, end + rng_range_ms(r, 0, 3 * MIN_MS)),
	     K_LOGOUT, ai, d);
}

static void plan_day(csla_sim_t *s, uint32_t ti, uint32_t d)
{
	tenant_t *t = &s->tenants[ti];

	t->day = s->o.start_day + d;
	t->arr = 0;
	for (uint32_t i = 0; i < t->nagents; i++)
		plan_agent(s, t->agent0 + i, d);
	schedule_arrival(s, ti);
}

static void arrival(csla_sim_t *s, uint32_t ti)
{
	tenant_t *t = &s->tenants[ti];
	uint32_t ci = call_new(s, ti);
	call_t *c = &s->calls[ci];
	double u = rng_unit(&t->rng) * t->q[s->o.queues - 1].cum;
	uint32_t q = 0;

	while (q + 1 < s->o.queues && t->q[q].cum <= u)
		q++;
	c->queue = (uint8_t)q;
	c->offered = s->now;
	int64_t patience = s_to_ms(rng_exp(&t->rng, s->o.patience_mean_s));
	int64_t maxq = s_to_ms(s->o.max_queue_s);
	c->patience = patience < maxq;
	c->deadline = s->now + (c->patience ? patience : maxq);
	if (!s->o.cdr)
		call_event(s, c, CSLA_CALL_OFFERED, true, false, CSLA_NO_MS);
	push(s, c->deadline, K_DEADLINE, ci, c->gen);
	route(s, ci, false);
	schedule_arrival(s, ti);
}

static void login(csla_sim_t *s, uint32_t ai, uint32_t d)
{
	agent_t *a = &s->agents[ai];

	a->shift_day = d;
	a->logout_due = false;
	/* Still on the shift before (one that ends at midnight, when the
	 * next begins): work on, and ignore that shift's log-out. */
	if (a->state != CSLA_AS_LOGGED_OUT && a->state != NO_STATE)
		return;
	a->break_due = -1;
	set_state(s, ai, CSLA_AS_AVAILABLE, NULL, true);
	idle_append(s, ai);
	take_call(s, ai);
}

static void break_due(csla_sim_t *s, uint32_t ai, int which)
{
	agent_t *a = &s->agents[ai];

	if (a->state == CSLA_AS_LOGGED_OUT || a->state == NO_STATE)
		return;
	if (a->state == CSLA_AS_AVAILABLE) {
		idle_remove(s, ai);
		start_break(s, ai, which);
	} else
		a->break_due = (int8_t)which;
}

static void logout_due(csla_sim_t *s, uint32_t ai, uint32_t d)
{
	agent_t *a = &s->agents[ai];

	if (a->state == CSLA_AS_LOGGED_OUT || a->state == NO_STATE ||
	    d != a->shift_day)
		return;
	if (a->state == CSLA_AS_AVAILABLE) {
		idle_remove(s, ai);
		set_state(s, ai, CSLA_AS_LOGGED_OUT, NULL, false);
	} else
		a->logout_due = true;
}

/* ---- set-up and the loop ------------------------------------------------ */

static void setup_tenant(csla_sim_t *s, uint32_t ti)
{
	const csla_sim_opts_t *o = &s->o;
	tenant_t *t = &s->tenants[ti];
	uint32_t nteams = (o->agents + TEAM_SIZE - 1) / TEAM_SIZE;
	double cum = 0;

	csla_sim_tenant_name(ti, o->tenants, t->name);
	t->sname = cstr(t->name);
	t->tz = o->tz[ti];
	rng_seed(&t->rng, o->seed ^ (0xa0761d6478bd642full * (ti + 1)));
	/* Queue k gets a share of the calls (and of the agents) that falls
	 * off as 1/sqrt(k + 1). */
	for (uint32_t q = 0; q < o->queues; q++) {
		cum += 1.0 / sqrt(q + 1.0);
		t->q[q].cum = cum;
		t->q[q].head = t->q[q].tail = NONE;
	}
	t->agent0 = ti * o->agents;
	t->nagents = o->agents;
	t->idle_head = t->idle_tail = NONE;
	for (uint32_t i = 0; i < o->agents; i++) {
		agent_t *a = &s->agents[t->agent0 + i];
		double pos = (i + 0.5) / o->agents * cum;
		uint32_t q = 0;
		while (q + 1 < o->queues && t->q[q].cum <= pos)
			q++;
		a->idlen = (uint32_t)snprintf(a->id, sizeof a->id, "a%03u", i + 1);
		a->tenant = ti;
		a->team = (uint32_t)((uint64_t)i * nteams / o->agents);
		a->shift = i % o->nshifts;
		a->q[0] = (uint8_t)q;
		a->nq = 1;
		if (o->queues > 1 && rng_unit(&t->rng) < 0.5) {
			uint64_t k = 1 + rng_next(&t->rng) % (o->queues - 1);
			a->q[a->nq++] = (uint8_t)((q + k) % o->queues);
		}
		for (uint32_t j = 0; j < a->nq; j++)
			a->qmask |= UINT64_C(1) << a->q[j];
		a->state = NO_STATE;
		a->call = NONE;
		a->break_due = -1;
	}
	t->day_start = csla_xmalloc((o->days + 1) * sizeof *t->day_start);
	for (uint32_t d = 0; d <= o->days; d++)
		t->day_start[d] = csla_tz_day_start(
			t->tz, csla_local_to_utc(t->tz, (o->start_day + d) * DAY_MS +
							       DAY_MS / 2));
	csla_truth_tenant(&s->truth, ti, t->name, t->tz, s->qname_ptr,
			  o->queues, o->start_day, o->days);
	for (uint32_t d = 0; d < o->days; d++)
		push(s, t->day_start[d], K_DAY, ti, d);
}

csla_sim_t *csla_sim_new(const csla_sim_opts_t *o, char *errstr,
			 size_t errlen)
{
	if (csla_sim_opts_check(o, errstr, errlen) == -1)
		return NULL;

	csla_sim_t *s = csla_xcalloc(1, sizeof *s);
	s->o = *o;
	s->now = INT64_MIN;

	double wsum = 0;
	int open = 0;
	for (int i = 0; i < CSLA_SIM_SLOTS; i++)
		if (o->profile[i] > 0) {
			wsum += o->profile[i];
			open++;
		}
	for (int i = 0; i < CSLA_SIM_SLOTS; i++)
		s->rate[i] = o->calls_per_hour / (double)HOUR_MS *
			     o->profile[i] * open / wsum;
	s->talk = lognorm(o->talk_mean_s, o->talk_sd_s);
	s->acw = lognorm(o->acw_mean_s, o->acw_sd_s);
	for (uint32_t q = 0; q < o->queues; q++) {
		if (q < sizeof queue_names / sizeof queue_names[0])
			strcpy(s->qnames[q], queue_names[q]);
		else
			snprintf(s->qnames[q], sizeof s->qnames[q], "q%u", q + 1);
		s->qname_ptr[q] = s->qnames[q];
	}
	uint32_t nteams = (o->agents + TEAM_SIZE - 1) / TEAM_SIZE;
	s->teams = csla_xcalloc(nteams, sizeof *s->teams);
	for (uint32_t i = 0; i < nteams; i++)
		snprintf(s->teams[i], sizeof s->teams[i], "team%u", i + 1);
	s->idpre = (size_t)snprintf(s->idbuf, sizeof s->idbuf, "e%llu-",
				    (unsigned long long)o->seed);
	s->callpre = (size_t)snprintf(s->callbuf, sizeof s->callbuf, "c%llu-",
				      (unsigned long long)o->seed);

	s->tenants = csla_xcalloc(o->tenants, sizeof *s->tenants);
	s->nagents = o->tenants * o->agents;
	s->agents = csla_xcalloc(s->nagents, sizeof *s->agents);
	csla_truth_init(&s->truth, o->tenants);
	for (uint32_t ti = 0; ti < o->tenants; ti++)
		setup_tenant(s, ti);
	return s;
}

void csla_sim_destroy(csla_sim_t *s)
{
	if (!s)
		return;
	for (uint32_t ti = 0; ti < s->o.tenants; ti++)
		free(s->tenants[ti].day_start);
	csla_truth_free(&s->truth);
	free(s->tenants);
	free(s->agents);
	free(s->calls);
	free(s->free_calls.idx);
	free(s->heap);
	free(s->teams);
	free(s);
}

/* Closes every agent's last state at the end of its tenant's last day (an
 * agent still busy after it has nothing more to count). */
static void close_truth(csla_sim_t *s)
{
	for (uint32_t ai = 0; ai < s->nagents; ai++) {
		const agent_t *a = &s->agents[ai];
		if (a->state != NO_STATE)
			csla_truth_state(&s->truth, a->tenant,
					 (csla_agent_state_t)a->state, a->since,
					 s->tenants[a->tenant].day_start[s->o.days]);
	}
}

int csla_sim_run(csla_sim_t *s, csla_sim_emit_fn emit_cb, void *opaque)
{
	s->emit = emit_cb;
	s->opaque = opaque;
	while (s->nheap && s->rc == 0) {
		hent_t h = pop(s);
		s->now = h.t;
		switch ((enum kind)h.kind) {
		case K_DAY:
			plan_day(s, h.idx, h.gen);
			break;
		case K_ARRIVAL:
			arrival(s, h.idx);
			break;
		case K_DEADLINE:
			if (s->calls[h.idx].gen == h.gen)
				deadline(s, h.idx);
			break;
		case K_LOGIN:
			login(s, h.idx, h.gen);
			break;
		case K_BREAK:
			break_due(s, h.idx, (int)h.gen);
			break;
		case K_LOGOUT:
			logout_due(s, h.idx, h.gen);
			break;
		case K_AGENT:
			if (s->agents[h.idx].gen == h.gen)
				agent_step(s, h.idx);
			break;
		}
	}
	if (s->rc == 0)
		close_truth(s);
	return s->rc;
}

const csla_truth_t *csla_sim_truth(const csla_sim_t *s)
{
	return &s->truth;
}

uint64_t csla_sim_events(const csla_sim_t *s)
{
	return s->nevents;
}
