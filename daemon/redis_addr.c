/* redis_addr.c - parsing and writing Redis addresses (see redis_addr.h). */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/un.h>

#include "redis_addr.h"

_Static_assert(CSLA_REDIS_PATH_MAX + 1 <=
		       sizeof(((struct sockaddr_un *)0)->sun_path),
	       "CSLA_REDIS_PATH_MAX must fit sockaddr_un.sun_path");

static int fail(char *errstr, size_t errlen, const char *what, const char *s,
		size_t n, const char *msg)
{
	snprintf(errstr, errlen, "%s \"%.*s\": %s", what, (int)n, s, msg);
	return -1;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

/* An IPv6 address, optionally with "%zone".  inet_pton wants a C string,
 * and the zone is the kernel's business (an interface name or number). */
static bool valid_v6(const char *s, size_t n)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned char bin[16];
	const char *pct = memchr(s, '%', n);
	size_t alen = pct ? (size_t)(pct - s) : n;

	if (alen == 0 || alen >= sizeof buf)
		return false;
	if (pct) {
		if (pct + 1 == s + n)
			return false;
		for (const char *p = pct + 1; p < s + n; p++)
			if (!name_char(*p))
				return false;
	}
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	return inet_pton(AF_INET6, buf, bin) == 1;
}

/* Copies host[0..n) into out after checking it; v6 says whether it is an
 * IPv6 address (from brackets, or a ':' in a configured host). */
static int set_host(csla_redis_addr_t *out, const char *host, size_t n,
		    bool v6, char *errstr, size_t errlen)
{
	if (n == 0)
		return fail(errstr, errlen, "host", host, n, "empty");
	if (n > CSLA_REDIS_HOST_MAX)
		return fail(errstr, errlen, "host", host, 40,
			    "longer than 255 bytes");
	if (v6) {
		if (!valid_v6(host, n))
			return fail(errstr, errlen, "host", host, n,
				    "not an IPv6 address");
	} else {
		for (size_t i = 0; i < n; i++)
			if (!name_char(host[i]))
				return fail(errstr, errlen, "host", host, n,
					    "only letters, digits, '-', '.' "
					    "and '_' are allowed");
	}
	memcpy(out->host, host, n);
	out->host[n] = '\0';
	out->is_unix = false;
	out->path[0] = '\0';
	return 0;
}

/* Decimal min..65535, digits only (no sign, no spaces). */
static int parse_port(const char *s, size_t n, int min, int *port,
		      char *errstr, size_t errlen)
{
	const char *msg = min ? "must be a number from 1 to 65535"
			      : "must be a number from 0 to 65535";
	long v = 0;

	if (n == 0)
		return fail(errstr, errlen, "port", s, n, "empty");
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9' || v > 65535)
			return fail(errstr, errlen, "port", s, n, msg);
		v = v * 10 + (s[i] - '0');
	}
	if (v < min || v > 65535)
		return fail(errstr, errlen, "port", s, n, msg);
	*port = (int)v;
	return 0;
}

int csla_redis_addr_unix(const char *path, csla_redis_addr_t *out,
			 char *errstr, size_t errlen)
{
	size_t n = strlen(path);

	if (n == 0)
		return fail(errstr, errlen, "unix socket", path, n,
			    "empty path");
	if (n > CSLA_REDIS_PATH_MAX)
		return fail(errstr, errlen, "unix socket", path, n,
			    "path longer than 107 bytes");
	memcpy(out->path, path, n + 1);
	out->is_unix = true;
	out->host[0] = '\0';
	out->port = 0;
	return 0;
}

int csla_redis_addr_tcp(const char *host, int port, csla_redis_addr_t *out,
			char *errstr, size_t errlen)
{
	size_t n = strlen(host);

	if (port < 1 || port > 65535) {
		snprintf(errstr, errlen, "port %d: must be a number from 1 "
					 "to 65535", port);
		return -1;
	}
	if (set_host(out, host, n, memchr(host, ':', n) != NULL, errstr,
		     errlen) == -1)
		return -1;
	out->port = port;
	return 0;
}

/* HOST[:PORT] or [IPV6][:PORT]; min_port 0 (a listening address: the
 * kernel picks) also makes the port required. */
static int parse_tcp(const char *s, int min_port, csla_redis_addr_t *out,
		     char *errstr, size_t errlen)
{
	size_t n = strlen(s);
	const char *host = s, *colon;
	size_t hlen;
	bool v6 = false;
	int port = CSLA_REDIS_DEFAULT_PORT;

	if (s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (!close)
			return fail(errstr, errlen, "address", s, n,
				    "no ']' after the IPv6 address");
		host = s + 1;
		hlen = (size_t)(close - host);
		v6 = true;
		if (close[1] == '\0')
			colon = NULL;
		else if (close[1] == ':')
			colon = close + 1;
		else
			return fail(errstr, errlen, "address", s, n,
				    "expected ':PORT' after ']'");
	} else {
		colon = memchr(s, ':', n);
		if (colon && strchr(colon + 1, ':'))
			return fail(errstr, errlen, "address", s, n,
				    "write an IPv6 address in brackets: "
				    "[ADDRESS]:PORT");
		hlen = colon ? (size_t)(colon - s) : n;
	}
	if (!colon && !min_port)
		return fail(errstr, errlen, "address", s, n,
			    "expected HOST:PORT");
	if (colon && parse_port(colon + 1, n - (size_t)(colon + 1 - s),
				min_port, &port, errstr, errlen) == -1)
		return -1;
	if (set_host(out, host, hlen, v6, errstr, errlen) == -1)
		return -1;
	out->port = port;
	return 0;
}

int csla_redis_addr_parse(const char *s, csla_redis_addr_t *out,
			  char *errstr, size_t errlen)
{
	if (!strncmp(s, "unix:", 5))
		return csla_redis_addr_unix(s + 5, out, errstr, errlen);
	return parse_tcp(s, 1, out, errstr, errlen);
}

int csla_listen_addr_parse(const char *s, csla_redis_addr_t *out,
			   char *errstr, size_t errlen)
{
	return parse_tcp(s, 0, out, errstr, errlen);
}

const char *csla_redis_addr_str(const csla_redis_addr_t *a, char *buf,
				size_t len)
{
	if (a->is_unix)
		snprintf(buf, len, "unix:%s", a->path);
	else if (strchr(a->host, ':'))
		snprintf(buf, len, "[%s]:%d", a->host, a->port);
	else
		snprintf(buf, len, "%s:%d", a->host, a->port);
	return buf;
}
