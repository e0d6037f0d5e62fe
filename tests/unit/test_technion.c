/* test_technion.c - the Anonymous Bank row converter, rule by rule and quirk
 * by quirk.  Rows are the real ones where the data has the case (file and
 * call id in the comment), hand-made otherwise.  Expected UTC times are
 * worked out by hand: Asia/Jerusalem was UTC+2 in 1999 until Friday
 * 2 April 02:00 local, UTC+3 until Friday 3 September 02:00 local (back to
 * 01:00), then UTC+2 again (checked with TZ=Asia/Jerusalem date). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "callsla/event_json.h"
#include "technion.h"

static csla_tz_t *tz;
static csla_tn_out_t out;

static int setup(void **state)
{
	char err[256];

	(void)state;
	tz = csla_tz_load("Asia/Jerusalem", err, sizeof err);
	if (!tz)
		print_error("%s\n", err);
	return tz ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	csla_tz_destroy(tz);
	return 0;
}

static csla_tn_row_t conv(const char *line)
{
	return csla_tn_convert(tz, line, strlen(line), &out);
}

/* The common head of every event line, up to the call id. */
#define HEAD(ts, cid, ev)                                                    \
	"{\"v\":1,\"type\":\"call\",\"ts\":\"" ts "\","                      \
	"\"tenant\":\"anonymous-bank\",\"id\":\"" cid ":" ev "\","           \
	"\"event\":\"" ev "\",\"call_id\":\"" cid "\""

#define OFFERED(ts, cid, q) HEAD(ts, cid, "offered") ",\"queue\":\"" q "\"}"
#define ANSWERED(ts, cid, q, agent, wait)                                    \
	HEAD(ts, cid, "answered") ",\"queue\":\"" q "\",\"agent_id\":\""     \
				  agent "\",\"wait_ms\":" wait "}"
#define ABANDONED(ts, cid, q, wait)                                          \
	HEAD(ts, cid, "abandoned") ",\"queue\":\"" q "\",\"wait_ms\":" wait "}"
#define ENDED(ts, cid, agent, talk)                                          \
	HEAD(ts, cid, "ended") ",\"agent_id\":\"" agent "\",\"talk_ms\":" talk "}"

static void assert_events(unsigned notes, const char *e0, const char *e1,
			  const char *e2)
{
	const char *want[CSLA_TN_MAX_EVENTS] = { e0, e1, e2 };
	unsigned n = e2 ? 3 : 2;
	char buf[1024];

	assert_int_equal(out.nev, n);
	for (unsigned i = 0; i < n; i++) {
		csla_event_json(&out.ev[i], buf, sizeof buf);
		assert_string_equal(buf, want[i]);
	}
	assert_int_equal(out.notes, notes);
}

static void assert_row(const char *line, csla_tn_row_t want)
{
	csla_tn_row_t got = conv(line);
	if (got != want) {
		print_error("%s: got %s, expected %s\n", line,
			    csla_tn_row_name(got), csla_tn_row_name(want));
		fail();
	}
	assert_int_equal(out.nev, 0);
}

/* 1999-05.txt AA0215 18843: queued, hung up; vru_time -61, the queue
 * entry 61 s before the VRU entry (clock skew, not a new day). */
static void test_queued_abandoned(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0215\t18843\t58667312\t1\tPS\t990510\t18:15:38\t"
		     "18:14:37\t-61\t18:14:37\t18:17:05\t148\tHANG\t0:00:00\t"
		     "0:00:00\t0\tNO_SERVER\n"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-05-10T15:14:37.000Z", "AA0215-990510-18843",
			      "PS"),
		      ABANDONED("1999-05-10T15:17:05.000Z",
				"AA0215-990510-18843", "PS", "148000"),
		      NULL);
}

/* 1999-05.txt AA0103 30674: queued and served; customer id 6.02073E+11 */
static void test_queued_answered(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0103\t30674\t6.02073E+11\t0\tPS\t990506\t13:54:23\t"
		     "13:54:27\t4\t13:54:27\t13:57:37\t190\tAGENT\t13:57:37\t"
		     "14:07:25\t588\tKAZAV\n"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-05-06T10:54:27.000Z", "AA0103-990506-30674",
			      "PS"),
		      ANSWERED("1999-05-06T10:57:37.000Z",
			       "AA0103-990506-30674", "PS", "KAZAV", "190000"),
		      ENDED("1999-05-06T11:07:25.000Z", "AA0103-990506-30674",
			    "KAZAV", "588000"));
}

/* 1999-03.txt AA0101 36229: straight to an agent, winter time (UTC+2) */
static void test_served_without_queue(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0101\t36229\t0\t0\tNW\t990301\t7:40:24\t7:40:37\t13\t"
		     "0:00:00\t0:00:00\t0\tAGENT\t7:40:36\t7:41:01\t25\tMIKI"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-03-01T05:40:36.000Z", "AA0101-990301-36229",
			      "NW"),
		      ANSWERED("1999-03-01T05:40:36.000Z",
			       "AA0101-990301-36229", "NW", "MIKI", "0"),
		      ENDED("1999-03-01T05:41:01.000Z", "AA0101-990301-36229",
			    "MIKI", "25000"));
}

/* 1999-03.txt AA0101 36228: served by "NO_SERVER", kept as the agent */
static void test_agent_no_server(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0101\t36228\t0\t0\tPS\t990301\t7:19:13\t7:19:23\t10\t"
		     "0:00:00\t0:00:00\t0\tAGENT\t7:19:22\t7:19:29\t7\t"
		     "NO_SERVER\n"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_NO_SERVER,
		      OFFERED("1999-03-01T05:19:22.000Z", "AA0101-990301-36228",
			      "PS"),
		      ANSWERED("1999-03-01T05:19:22.000Z",
			       "AA0101-990301-36228", "PS", "NO_SERVER", "0"),
		      ENDED("1999-03-01T05:19:29.000Z", "AA0101-990301-36228",
			    "NO_SERVER", "7000"));
}

/* 1999-03.txt AA0101 36227 and 1999-07 AA0108 3364 as another public
 * copy has it (spaces, not a TAB, before the type): hung up in the VRU */
static void test_vru_only(void **state)
{
	(void)state;
	assert_row("AA0101\t36227\t0\t0\tPS\t990301\t0:14:46\t0:15:01\t15\t"
		   "0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER\n",
		   CSLA_TN_VRU_ONLY);
	assert_row("AA0108\t3364\t0\t0       TT\t990717\t2:17:57\t2:18:09\t12\t"
		   "0:00:00\t0:00:00\t0\tHANG\t0:00:00\t0:00:00\t0\tNO_SERVER\n",
		   CSLA_TN_VRU_ONLY);
}

/* 1999-05.txt AA0102 35141 */
static void test_phantom(void **state)
{
	(void)state;
	assert_row("AA0102\t35141\t0\t0\tPS\t990510\t12:41:57\t12:42:07\t10\t"
		   "12:42:07\t12:44:43\t156\tPHANTOM\t12:44:42\t12:44:45\t3\t"
		   "NO_SERVER\n",
		   CSLA_TN_PHANTOM);
}

/* 1999-05.txt AA0205 41212: queued at 23:59:59, answered 0:00:15 and
 * served until 0:04:34 the next day, all under the date 990510. */
static void test_rolled_midnight(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0205\t41212\t52842762\t2\tPS\t990510\t23:59:53\t"
		     "23:59:53\t0\t23:59:59\t0:00:15\t16\tAGENT\t0:00:14\t"
		     "0:04:34\t260\tDORIT\n"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_ROLLED,
		      OFFERED("1999-05-10T20:59:59.000Z", "AA0205-990510-41212",
			      "PS"),
		      ANSWERED("1999-05-10T21:00:15.000Z",
			       "AA0205-990510-41212", "PS", "DORIT", "16000"),
		      ENDED("1999-05-10T21:04:34.000Z", "AA0205-990510-41212",
			    "DORIT", "260000"));
	/* across the end of a month (hand-made): 31 May 0:00:30 local is
	 * 1 June, UTC+3 */
	assert_int_equal(
		conv("AA0101\t1\t0\t0\tNE\t990531\t23:59:00\t23:59:05\t5\t"
		     "23:59:05\t0:00:30\t85\tHANG\t0:00:00\t0:00:00\t0\t"
		     "NO_SERVER"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_ROLLED,
		      OFFERED("1999-05-31T20:59:05.000Z", "AA0101-990531-1",
			      "NE"),
		      ABANDONED("1999-05-31T21:00:30.000Z", "AA0101-990531-1",
				"NE", "85000"),
		      NULL);
}

/* Spaces instead of TABs, a trailing space and CRLF (hand-made from
 * 1999-05.txt AA0107 3560). */
static void test_whitespace_quirks(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0107  3560 28767739 1 \t TT 990510 13:08:09 13:08:11 2 "
		     "0:00:00 0:00:00 0 AGENT 13:08:10 13:08:43 33 AVNI \r\n"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-05-10T10:08:10.000Z", "AA0107-990510-3560",
			      "TT"),
		      ANSWERED("1999-05-10T10:08:10.000Z", "AA0107-990510-3560",
			       "TT", "AVNI", "0"),
		      ENDED("1999-05-10T10:08:43.000Z", "AA0107-990510-3560",
			    "AVNI", "33000"));
}

/* 1999-08.csv AA0216 9453: the CSV month, CRLF; a ten-hour service */
static void test_csv_line(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0216,9453,0,0,IN,990817,8:06:06,8:06:22,16,0:00:00,"
		     "0:00:00,0,AGENT,8:06:22,18:11:13,36291,YIFAT\r\n"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-08-17T05:06:22.000Z", "AA0216-990817-9453",
			      "IN"),
		      ANSWERED("1999-08-17T05:06:22.000Z", "AA0216-990817-9453",
			       "IN", "YIFAT", "0"),
		      ENDED("1999-08-17T15:11:13.000Z", "AA0216-990817-9453",
			    "YIFAT", "36291000"));
}

/* 1999-08.csv: the one corrupted call id, kept as it reads */
static void test_corrupted_call_id(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0216,2010-08-,0,0,IN,990823,10:47:35,10:47:45,10,"
		     "10:47:45,10:48:15,30,AGENT,10:48:15,10:49:31,76,DORIT\r\n"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-08-23T07:47:45.000Z",
			      "AA0216-990823-2010-08-", "IN"),
		      ANSWERED("1999-08-23T07:48:15.000Z",
			       "AA0216-990823-2010-08-", "IN", "DORIT", "30000"),
		      ENDED("1999-08-23T07:49:31.000Z", "AA0216-990823-2010-08-",
			    "DORIT", "76000"));
}

static void test_header_and_blank(void **state)
{
	(void)state;
	assert_row("vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\t"
		   "vru_entry\tvru_exit\tvru_time\tq_start\tq_exit\tq_time\t"
		   "outcome\tser_start\tser_exit\tser_time\tserver\n",
		   CSLA_TN_HEADER);
	assert_row("vru+line,call_id,customer_id,priority,type,date,vru_entry,"
		   "vru_exit,vru_time,q_start,q_exit,q_time,outcome,ser_start,"
		   "ser_exit,ser_time,server\r\n",
		   CSLA_TN_HEADER);
	assert_row("", CSLA_TN_BLANK);
	assert_row("\r\n", CSLA_TN_BLANK);
	assert_row(" \t,\n", CSLA_TN_BLANK);
}

/* 1999-05.txt AA0210 37469: AGENT after queueing, but no service times */
static void test_answered_without_service(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0210\t37469\t23913486\t2\tPS\t990510\t17:47:31\t"
		     "17:47:36\t5\t17:47:36\t17:48:42\t66\tAGENT\t0:00:00\t"
		     "0:00:00\t0\tSTEREN\n"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_NO_SERVICE,
		      OFFERED("1999-05-10T14:47:36.000Z", "AA0210-990510-37469",
			      "PS"),
		      ANSWERED("1999-05-10T14:48:42.000Z",
			       "AA0210-990510-37469", "PS", "STEREN", "66000"),
		      NULL);
	/* 1999-05.txt AA0213 19857: AGENT, neither queued nor served */
	assert_row("AA0213\t19857\t0\t0\tPS\t990510\t17:39:09\t17:39:19\t10\t"
		   "0:00:00\t0:00:00\t0\tAGENT\t0:00:00\t0:00:00\t0\tSTEREN\n",
		   CSLA_TN_AGENT_WITHOUT_TIMES);
}

/* 1999-01.txt AA0102 28453: HANG in the queue, yet service times */
static void test_abandoned_with_service(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0102\t28453\t0\t0\tNW\t990102\t19:10:44\t19:10:54\t10\t"
		     "19:10:54\t19:11:52\t58\tHANG\t19:11:52\t19:12:02\t10\t"
		     "NO_SERVER\n"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_HANG_SERVED,
		      OFFERED("1999-01-02T17:10:54.000Z", "AA0102-990102-28453",
			      "NW"),
		      ABANDONED("1999-01-02T17:11:52.000Z",
				"AA0102-990102-28453", "NW", "58000"),
		      NULL);
}

/* Service logged as ending a second before the queue exit (hand-made; the
 * data has 348 such rows): ended moves to the answer, talk_ms stays. */
static void test_end_before_answer(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0101\t1\t0\t0\tPS\t990510\t10:00:00\t10:00:05\t5\t"
		     "10:00:05\t10:00:30\t25\tAGENT\t10:00:29\t10:00:29\t0\tAVI"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_END_CLAMPED,
		      OFFERED("1999-05-10T07:00:05.000Z", "AA0101-990510-1",
			      "PS"),
		      ANSWERED("1999-05-10T07:00:30.000Z", "AA0101-990510-1",
			       "PS", "AVI", "25000"),
		      ENDED("1999-05-10T07:00:30.000Z", "AA0101-990510-1", "AVI",
			    "0"));
}

/* Local times in the skipped hour (2 April 1999, 02:00-03:00 did not
 * exist) and in the repeated one (3 September 1999, 01:00-02:00 twice). */
static void test_dst(void **state)
{
	(void)state;
	/* 02:30 read with the winter offset: 00:30Z, i.e. 03:30 summer time
	 * (a clock not yet set forward); 03:40 is summer time, 00:40Z */
	assert_int_equal(
		conv("AA0101\t2\t0\t0\tPS\t990402\t2:29:00\t2:29:30\t30\t"
		     "2:30:00\t3:40:00\t600\tHANG\t0:00:00\t0:00:00\t0\t"
		     "NO_SERVER"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_DST,
		      OFFERED("1999-04-02T00:30:00.000Z", "AA0101-990402-2",
			      "PS"),
		      ABANDONED("1999-04-02T00:40:00.000Z", "AA0101-990402-2",
				"PS", "600000"),
		      NULL);
	/* 01:30 happened twice: the first (summer time, UTC+3) is taken;
	 * 02:00 is winter time again, 00:00Z */
	assert_int_equal(
		conv("AA0101\t3\t0\t0\tPS\t990903\t1:29:00\t1:29:30\t30\t"
		     "1:30:00\t2:00:00\t5400\tHANG\t0:00:00\t0:00:00\t0\t"
		     "NO_SERVER"),
		CSLA_TN_CALL);
	assert_events(CSLA_TN_NOTE_DST,
		      OFFERED("1999-09-02T22:30:00.000Z", "AA0101-990903-3",
			      "PS"),
		      ABANDONED("1999-09-03T00:00:00.000Z", "AA0101-990903-3",
				"PS", "5400000"),
		      NULL);
	/* the last winter second before the gap needs no note */
	assert_int_equal(
		conv("AA0101\t4\t0\t0\tPS\t990402\t1:59:00\t1:59:30\t30\t"
		     "1:59:58\t1:59:59\t1\tHANG\t0:00:00\t0:00:00\t0\t"
		     "NO_SERVER"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("1999-04-01T23:59:58.000Z", "AA0101-990402-4",
			      "PS"),
		      ABANDONED("1999-04-01T23:59:59.000Z", "AA0101-990402-4",
				"PS", "1000"),
		      NULL);
}

/* Two-digit years pivot like strptime's %y: 00 is 2000 (a leap year). */
static void test_year_pivot(void **state)
{
	(void)state;
	assert_int_equal(
		conv("AA0101\t5\t0\t0\tPS\t000229\t12:00:00\t12:00:05\t5\t"
		     "12:00:05\t12:00:09\t4\tHANG\t0:00:00\t0:00:00\t0\t"
		     "NO_SERVER"),
		CSLA_TN_CALL);
	assert_events(0,
		      OFFERED("2000-02-29T10:00:05.000Z", "AA0101-000229-5",
			      "PS"),
		      ABANDONED("2000-02-29T10:00:09.000Z", "AA0101-000229-5",
				"PS", "4000"),
		      NULL);
}

/* A valid served row with one field replaced. */
#define ROW(date, q_start, q_exit, q_time, outcome, s_start, s_exit, s_time,  \
	    server)                                                          \
	"AA0101\t9\t0\t0\tPS\t" date "\t10:00:00\t10:00:05\t5\t" q_start     \
	"\t" q_exit "\t" q_time "\t" outcome "\t" s_start "\t" s_exit "\t"   \
	s_time "\t" server "\n"

static void test_bad_rows(void **state)
{
	(void)state;
	char longname[200];

	assert_int_equal(conv(ROW("990510", "10:00:05", "10:00:20", "15",
				  "AGENT", "10:00:20", "10:01:00", "40",
				  "AVI")),
			 CSLA_TN_CALL);
	/* 16 fields: the server is missing */
	assert_row("AA0101\t9\t0\t0\tPS\t990510\t10:00:00\t10:00:05\t5\t"
		   "10:00:05\t10:00:20\t15\tAGENT\t10:00:20\t10:01:00\t40\n",
		   CSLA_TN_BAD_FIELD_COUNT);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI extra"),
		   CSLA_TN_BAD_FIELD_COUNT);
	assert_row(ROW("990532", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_DATE);
	assert_row(ROW("991301", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_DATE);
	assert_row(ROW("990229", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_DATE);
	assert_row(ROW("2010-08-23", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_DATE);
	assert_row(ROW("990510", "24:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_TIME);
	assert_row(ROW("990510", "10:00:05", "10:0:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_TIME);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:60", "40", "AVI"),
		   CSLA_TN_BAD_TIME);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "-15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_NUMBER);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:00:20", "10:01:00", "4e1", "AVI"),
		   CSLA_TN_BAD_NUMBER);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "15", "BUSY",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_BAD_OUTCOME);
	/* the queue exit 15 s before the queue entry is no new day: only
	 * times more than 12 h before the VRU entry are */
	assert_row(ROW("990510", "10:00:20", "10:00:05", "15", "AGENT",
		       "10:00:20", "10:01:00", "40", "AVI"),
		   CSLA_TN_QUEUE_EXIT_BEFORE_START);
	assert_row(ROW("990510", "10:00:05", "10:00:20", "15", "AGENT",
		       "10:01:00", "10:00:20", "40", "AVI"),
		   CSLA_TN_SERVICE_EXIT_BEFORE_START);

	memset(longname, 'X', 129);
	strcpy(longname + 129, "\n");
	char line[512] = "AA0101\t9\t0\t0\tPS\t990510\t10:00:00\t10:00:05\t5\t"
			 "10:00:05\t10:00:20\t15\tAGENT\t10:00:20\t10:01:00\t"
			 "40\t";
	strcat(line, longname);
	assert_row(line, CSLA_TN_BAD_ID);
}

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(csla_tn_row_name(CSLA_TN_CALL), "call");
	assert_string_equal(csla_tn_row_name(CSLA_TN_VRU_ONLY), "vru_only");
	assert_string_equal(csla_tn_row_name(CSLA_TN_SERVICE_EXIT_BEFORE_START),
			    "service_exit_before_start");
	assert_string_equal(csla_tn_row_name(CSLA_TN__COUNT), "?");
	assert_string_equal(csla_tn_note_name(0), "rolled_midnight");
	assert_string_equal(csla_tn_note_name(CSLA_TN_NOTE__COUNT - 1),
			    "dst_gap_or_overlap");
	assert_string_equal(csla_tn_note_name(CSLA_TN_NOTE__COUNT), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queued_abandoned),
		cmocka_unit_test(test_queued_answered),
		cmocka_unit_test(test_served_without_queue),
		cmocka_unit_test(test_agent_no_server),
		cmocka_unit_test(test_vru_only),
		cmocka_unit_test(test_phantom),
		cmocka_unit_test(test_rolled_midnight),
		cmocka_unit_test(test_whitespace_quirks),
		cmocka_unit_test(test_csv_line),
		cmocka_unit_test(test_corrupted_call_id),
		cmocka_unit_test(test_header_and_blank),
		cmocka_unit_test(test_answered_without_service),
		cmocka_unit_test(test_abandoned_with_service),
		cmocka_unit_test(test_end_before_answer),
		cmocka_unit_test(test_dst),
		cmocka_unit_test(test_year_pivot),
		cmocka_unit_test(test_bad_rows),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
