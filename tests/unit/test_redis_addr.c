/* test_redis_addr.c - Redis addresses: every accepted form and what it
 * becomes, every refusal with its exact message, and the written form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "redis_addr.h"

static csla_redis_addr_t parse_ok(const char *s)
{
	csla_redis_addr_t a;
	char err[256] = "";

	memset(&a, 0x5a, sizeof a);
	if (csla_redis_addr_parse(s, &a, err, sizeof err) != 0)
		fail_msg("refused \"%s\": %s", s, err);
	return a;
}

static void parse_bad(const char *s, const char *want)
{
	csla_redis_addr_t a;
	char err[256] = "";

	if (csla_redis_addr_parse(s, &a, err, sizeof err) != -1)
		fail_msg("accepted \"%s\"", s);
	assert_string_equal(err, want);
}

static void assert_tcp(csla_redis_addr_t a, const char *host, int port)
{
	assert_false(a.is_unix);
	assert_string_equal(a.host, host);
	assert_int_equal(a.port, port);
	assert_string_equal(a.path, "");
}

static void test_tcp(void **state)
{
	(void)state;
	assert_tcp(parse_ok("127.0.0.1:6379"), "127.0.0.1", 6379);
	assert_tcp(parse_ok("redis.example.com:7000"), "redis.example.com",
		   7000);
	assert_tcp(parse_ok("localhost"), "localhost", 6379);
	assert_tcp(parse_ok("my_host-1:1"), "my_host-1", 1);
	assert_tcp(parse_ok("10.0.0.1:65535"), "10.0.0.1", 65535);
	assert_tcp(parse_ok("h:00080"), "h", 80);
}

static void test_ipv6(void **state)
{
	(void)state;
	assert_tcp(parse_ok("[::1]:6380"), "::1", 6380);
	assert_tcp(parse_ok("[::1]"), "::1", 6379);
	assert_tcp(parse_ok("[2001:db8::7]:1"), "2001:db8::7", 1);
	assert_tcp(parse_ok("[fe80::1%eth0]:6379"), "fe80::1%eth0", 6379);
	assert_tcp(parse_ok("[::ffff:192.0.2.1]:6379"), "::ffff:192.0.2.1",
		   6379);
}

static void test_unix(void **state)
{
	char path[CSLA_REDIS_PATH_MAX + 7];
	csla_redis_addr_t a;
	(void)state;

	a = parse_ok("unix:/run/redis/redis.sock");
	assert_true(a.is_unix);
	assert_string_equal(a.path, "/run/redis/redis.sock");
	assert_string_equal(a.host, "");
	assert_int_equal(a.port, 0);
	/* relative paths and ':' in a path are the socket's business */
	a = parse_ok("unix:r.sock");
	assert_string_equal(a.path, "r.sock");
	a = parse_ok("unix:/tmp/a:b");
	assert_string_equal(a.path, "/tmp/a:b");

	/* 107 bytes fit sun_path with its NUL, 108 do not */
	memcpy(path, "unix:", 5);
	memset(path + 5, 'x', CSLA_REDIS_PATH_MAX);
	path[5 + CSLA_REDIS_PATH_MAX] = '\0';
	a = parse_ok(path);
	assert_int_equal(strlen(a.path), 107);
	path[5 + CSLA_REDIS_PATH_MAX] = 'x';
	path[6 + CSLA_REDIS_PATH_MAX] = '\0';
	csla_redis_addr_t b;
	char err[512];
	assert_int_equal(csla_redis_addr_parse(path, &b, err, sizeof err), -1);
	assert_non_null(strstr(err, "path longer than 107 bytes"));
}

static void test_bad(void **state)
{
	(void)state;
	parse_bad("", "host \"\": empty");
	parse_bad(":6379", "host \"\": empty");
	parse_bad("unix:", "unix socket \"\": empty path");
	parse_bad("host:", "port \"\": empty");
	parse_bad("host:0", "port \"0\": must be a number from 1 to 65535");
	parse_bad("host:65536",
		  "port \"65536\": must be a number from 1 to 65535");
	parse_bad("host:99999999999999999999",
		  "port \"99999999999999999999\": must be a number from 1 to "
		  "65535");
	parse_bad("host:+80", "port \"+80\": must be a number from 1 to 65535");
	parse_bad("host:80 ", "port \"80 \": must be a number from 1 to 65535");
	parse_bad("host:-1", "port \"-1\": must be a number from 1 to 65535");
	parse_bad("::1", "address \"::1\": write an IPv6 address in brackets: "
			 "[ADDRESS]:PORT");
	parse_bad("::1:6379", "address \"::1:6379\": write an IPv6 address in "
			      "brackets: [ADDRESS]:PORT");
	parse_bad("[::1", "address \"[::1\": no ']' after the IPv6 address");
	parse_bad("[::1]6379",
		  "address \"[::1]6379\": expected ':PORT' after ']'");
	parse_bad("[]:6379", "host \"\": empty");
	parse_bad("[127.0.0.1]:6379",
		  "host \"127.0.0.1\": not an IPv6 address");
	parse_bad("[::1%]:6379", "host \"::1%\": not an IPv6 address");
	parse_bad("[::1%a/b]:6379", "host \"::1%a/b\": not an IPv6 address");
	parse_bad("[::g]:1", "host \"::g\": not an IPv6 address");
	parse_bad("bad host:1", "host \"bad host\": only letters, digits, "
				"'-', '.' and '_' are allowed");
	parse_bad("h/x:1", "host \"h/x\": only letters, digits, '-', '.' and "
			   "'_' are allowed");
}

static void test_host_too_long(void **state)
{
	char s[300];
	csla_redis_addr_t a;
	char err[256];
	(void)state;

	memset(s, 'h', 255);
	strcpy(s + 255, ":1");
	a = parse_ok(s);
	assert_int_equal(strlen(a.host), 255);
	memset(s, 'h', 256);
	strcpy(s + 256, ":1");
	assert_int_equal(csla_redis_addr_parse(s, &a, err, sizeof err), -1);
	/* the message quotes only the start of the name */
	assert_string_equal(err, "host \"hhhhhhhhhhhhhhhhhhhh"
				 "hhhhhhhhhhhhhhhhhhhh\": longer than 255 bytes");
}

static void test_tcp_and_unix_apart(void **state)
{
	csla_redis_addr_t a;
	char err[256];
	(void)state;

	assert_int_equal(csla_redis_addr_tcp("redis", 6380, &a, err,
					     sizeof err), 0);
	assert_tcp(a, "redis", 6380);
	/* in a configuration file IPv6 comes without brackets */
	assert_int_equal(csla_redis_addr_tcp("::1", 6379, &a, err, sizeof err),
			 0);
	assert_tcp(a, "::1", 6379);
	assert_int_equal(csla_redis_addr_tcp("[::1]", 6379, &a, err,
					     sizeof err), -1);
	assert_string_equal(err, "host \"[::1]\": not an IPv6 address");
	assert_int_equal(csla_redis_addr_tcp("h", 0, &a, err, sizeof err), -1);
	assert_string_equal(err, "port 0: must be a number from 1 to 65535");
	assert_int_equal(csla_redis_addr_tcp("h", 70000, &a, err, sizeof err),
			 -1);
	assert_string_equal(err,
			    "port 70000: must be a number from 1 to 65535");
	assert_int_equal(csla_redis_addr_tcp("", 1, &a, err, sizeof err), -1);
	assert_string_equal(err, "host \"\": empty");

	assert_int_equal(csla_redis_addr_unix("/run/r.sock", &a, err,
					      sizeof err), 0);
	assert_true(a.is_unix);
	assert_string_equal(a.path, "/run/r.sock");
	assert_int_equal(csla_redis_addr_unix("", &a, err, sizeof err), -1);
	assert_string_equal(err, "unix socket \"\": empty path");
}

static void test_str(void **state)
{
	char buf[CSLA_REDIS_ADDR_STRLEN];
	csla_redis_addr_t a;
	(void)state;

	a = parse_ok("localhost");
	assert_string_equal(csla_redis_addr_str(&a, buf, sizeof buf),
			    "localhost:6379");
	a = parse_ok("[::1]");
	assert_string_equal(csla_redis_addr_str(&a, buf, sizeof buf),
			    "[::1]:6379");
	a = parse_ok("[fe80::1%lo]:7");
	assert_string_equal(csla_redis_addr_str(&a, buf, sizeof buf),
			    "[fe80::1%lo]:7");
	a = parse_ok("unix:/run/r.sock");
	assert_string_equal(csla_redis_addr_str(&a, buf, sizeof buf),
			    "unix:/run/r.sock");
	/* truncated, still terminated */
	assert_string_equal(csla_redis_addr_str(&a, buf, 8), "unix:/r");

	/* the longest of each form fits CSLA_REDIS_ADDR_STRLEN */
	memset(&a, 0, sizeof a);
	memset(a.host, 'h', CSLA_REDIS_HOST_MAX);
	a.host[0] = ':';
	a.port = 65535;
	csla_redis_addr_str(&a, buf, sizeof buf);
	assert_int_equal(strlen(buf), CSLA_REDIS_HOST_MAX + 8);
	assert_memory_equal(buf + strlen(buf) - 7, "]:65535", 7);
	memset(&a, 0, sizeof a);
	a.is_unix = true;
	memset(a.path, 'p', CSLA_REDIS_PATH_MAX);
	csla_redis_addr_str(&a, buf, sizeof buf);
	assert_int_equal(strlen(buf), CSLA_REDIS_PATH_MAX + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_unix),
		cmocka_unit_test(test_bad),
		cmocka_unit_test(test_host_too_long),
		cmocka_unit_test(test_tcp_and_unix_apart),
		cmocka_unit_test(test_str),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
