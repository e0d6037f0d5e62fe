/*
 * slot.h - one partition number's share of the daemon's work: a "slot".
 *
 * Events are keyed by tenant, so a tenant's calls and agent states arrive
 * on the same partition number p of every subscribed topic; the slot owns
 * them: its own engine (so its event clock and its saved state are its
 * own), the next offset of each topic, the journal of batches applied since
 * the last base, and the counts of rejected events.
 *
 * Pure: no clock, no I/O.  The daemon hands in messages and wall times;
 * the same messages with the same wall times in the same batches always
 * give the same state, which is what makes "base + journal" a checkpoint
 * (docs/redis.md).
 */
#ifndef CALLSLA_SLOT_H
#define CALLSLA_SLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "callsla/config.h"
#include "callsla/engine.h"

#define CSLA_SLOT_MAX_TOPICS 8

/* One Kafka message, borrowed for the duration of a call. */
typedef struct csla_kmsg {
	uint32_t topic;       /* index into the configured topics */
	int32_t partition;
	int64_t offset;
	int64_t ts_ms;        /* Kafka timestamp (latency figures only) */
	const void *key;
	size_t keylen;
	const char *payload;
	size_t len;
} csla_kmsg_t;

/* A batch applied to a slot: its wall time and, per topic, the offset of
 * its last message from that topic (-1: none).  seq orders entries within
 * one process's life. */
typedef struct csla_jentry {
	uint64_t seq;
	int64_t wall_ms;
	int64_t last[CSLA_SLOT_MAX_TOPICS];
} csla_jentry_t;

typedef struct csla_slot csla_slot_t;

/* The daemon's verdict on a tenant appearing in a slot: CSLA_OK, or
 * CSLA_REJ_TENANT_PARTITION_CONFLICT when another slot owns it.  Called
 * for every applied event; the slot does not remember tenants itself. */
typedef csla_reject_t (*csla_slot_admit_cb)(void *opaque, csla_slot_t *s,
					    csla_str_t tenant);

/* A rejected message, for counting and dead-lettering.  errstr says why
 * in words ("" for engine verdicts). */
typedef void (*csla_slot_reject_cb)(void *opaque, csla_slot_t *s,
				    const csla_kmsg_t *m, csla_reject_t r,
				    const char *errstr);

typedef struct csla_slot_hooks {
	csla_slot_admit_cb admit;
	csla_slot_reject_cb reject;
	void *opaque;
} csla_slot_hooks_t;

/* A new slot for partition number `partition` over ntopics topics
 * (<= CSLA_SLOT_MAX_TOPICS), with an empty engine that borrows conf.
 * Offsets start unknown (-1).  The caller owns the slot
 * (csla_slot_destroy). */
csla_slot_t *csla_slot_new(int32_t partition, size_t ntopics,
			   const csla_conf_t *conf,
			   const csla_slot_hooks_t *hooks);
void csla_slot_destroy(csla_slot_t *s);

int32_t csla_slot_partition(const csla_slot_t *s);
csla_engine_t *csla_slot_engine(csla_slot_t *s);
/* Next offset to apply of topic t, or -1 when nothing is known. */
int64_t csla_slot_next(const csla_slot_t *s, size_t t);
/* A reloaded configuration (the engine keeps its state). */
void csla_slot_set_conf(csla_slot_t *s, const csla_conf_t *conf);

/* Where topic t starts when nothing is known of it yet (the partition's
 * low or high watermark, per start_from): a base must name real offsets so
 * that a journal after it can be replayed. */
void csla_slot_set_next(csla_slot_t *s, size_t t, int64_t offset);
const uint64_t *csla_slot_rejected(const csla_slot_t *s); /* [CSLA_REJ__COUNT] */
/* Events applied (not rejected) over the slot's life: a restore carries
 * the base's count forward. */
uint64_t csla_slot_applied(const csla_slot_t *s);

/* Events applied and rejected by type (csla_ev_type_t; [0]: did not
 * decode), since this slot object was made: a restore starts them at zero
 * and counts the journal it re-applies.  For the daemon's /metrics. */
typedef struct csla_slot_counts {
	uint64_t applied[CSLA_EV_CDR + 1], rejected[CSLA_EV_CDR + 1];
} csla_slot_counts_t;
const csla_slot_counts_t *csla_slot_counts(const csla_slot_t *s);

/* Takes msgs[0..n) (all of this slot, each topic's in offset order;
 * copied) and applies every message that can no longer be overtaken.
 *
 * The topics are merged on event time: the earliest held event goes
 * first (the lower topic on a tie), and only while every topic has a
 * message held - so that calls and agent states that travel through two
 * topics are applied in time order, as a replay of one file is.  A topic
 * that is quiet holds the others back for at most the merge wait (wall
 * time since the held message arrived), or not at all when caught_up[t]
 * says it has nothing more to fetch (NULL: unknown for every topic; the
 * daemon passes watermarks on the wall clock only, since a cached
 * watermark can be stale).  Past a bound on held messages the earliest go
 * anyway.  What one call applies is a batch: one journal entry, one wall
 * time.  Messages below the offsets already held or applied are
 * redeliveries and are skipped.  While the slot is replaying its journal,
 * messages are held until each entry's batch is complete and then applied
 * as it was the first time.  Returns the number of messages applied or
 * rejected (journalled). */
size_t csla_slot_apply(csla_slot_t *s, const csla_kmsg_t *msgs, size_t n,
		       const bool *caught_up, int64_t wall_ms);

/* How long a held message waits for a quiet topic [200 ms]. */
#define CSLA_SLOT_MERGE_WAIT_MS 200
void csla_slot_set_merge_wait(csla_slot_t *s, int64_t ms);

/* Messages held, waiting for their turn. */
size_t csla_slot_held(const csla_slot_t *s);
/* The next offset of topic t that the slot has not received, -1 when
 * unknown: the partition is caught up when this reaches its high
 * watermark. */
int64_t csla_slot_seen(const csla_slot_t *s, size_t t);

/* Journal entries not yet known to be stored, oldest first. */
const csla_jentry_t *csla_slot_pending(const csla_slot_t *s, size_t *n);
/* Entries up to and including seq are stored: forget them. */
void csla_slot_pending_ack(csla_slot_t *s, uint64_t seq);
/* Entries in the journal since the last base (stored or pending). */
size_t csla_slot_journal_len(const csla_slot_t *s);

/* The text form of an entry: "wall_ms last_0 last_1 ...", ntopics numbers.
 * Returns the length written (buf of 24 * (CSLA_SLOT_MAX_TOPICS + 1)
 * bytes always suffices). */
size_t csla_jentry_format(const csla_jentry_t *e, size_t ntopics, char *buf,
			  size_t len);
/* Parses the text form; 0, or -1 when it is not one. */
int csla_jentry_parse(const char *p, size_t len, size_t ntopics,
		      csla_jentry_t *e);

/* The base: the slot's whole state (topic names and next offsets,
 * rejection counts, every tenant's engine state), versioned and
 * deterministic.  Appends to out.  Taking a base empties the journal: the
 * pending entries it covers are dropped. */
void csla_slot_save_base(csla_slot_t *s, const char *const *topics,
			 csla_buf_t *out);

/* Restores a slot from a base (data may be NULL for "no base": offsets
 * stay unknown) and the stored journal entries, raw as the text of each
 * list element.  Topics are matched by name, so a topic added to the
 * configuration starts unknown.  Entries that a lost reply made the daemon
 * store twice, or that the base already covers, are skipped.  Afterwards
 * the slot is replaying if any entry is left: csla_slot_apply() buffers
 * messages and applies each entry's batch, with its wall time, once all
 * its messages are in.  Returns 0, or -1 with errstr (slot unchanged). */
int csla_slot_restore(csla_slot_t *s, const char *const *topics,
		      const void *data, size_t len,
		      const char *const *journal, const size_t *jlens,
		      size_t njournal, char *errstr, size_t errlen);

/* True while journal entries remain to re-apply. */
bool csla_slot_replaying(const csla_slot_t *s);

#endif
