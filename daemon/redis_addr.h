/* redis_addr.h - where Redis listens, from a command-line or configuration
 * string: "HOST:PORT", "HOST", "[IPV6]:PORT", "[IPV6]" or "unix:PATH"; and
 * where callslad's HTTP server listens ("HOST:PORT").
 * Pure: no name lookup, no I/O; the caller hands the result to hiredis
 * (redisConnectWithTimeout or redisConnectUnixWithTimeout). */
#ifndef CALLSLA_REDIS_ADDR_H
#define CALLSLA_REDIS_ADDR_H

#include <stdbool.h>
#include <stddef.h>

#define CSLA_REDIS_DEFAULT_HOST "127.0.0.1"
#define CSLA_REDIS_DEFAULT_PORT 6379
#define CSLA_REDIS_HOST_MAX 255 /* a DNS name's limit */
#define CSLA_REDIS_PATH_MAX 107 /* sun_path (108 on Linux) minus its NUL */
/* Room for csla_redis_addr_str() of any address: "[" host "]:65535". */
#define CSLA_REDIS_ADDR_STRLEN (CSLA_REDIS_HOST_MAX + 10)

typedef struct csla_redis_addr {
	bool is_unix;                         /* path set; host, port not */
	char host[CSLA_REDIS_HOST_MAX + 1];   /* IPv6 without brackets */
	int port;                             /* 1..65535 */
	char path[CSLA_REDIS_PATH_MAX + 1];
} csla_redis_addr_t;

/* Parses s.  A missing port is CSLA_REDIS_DEFAULT_PORT; an IPv6 address
 * needs brackets, so that its last group is never taken for a port.  Host
 * names are letters, digits, '-', '.' and '_'; IPv6 addresses are checked
 * with inet_pton and may carry a zone ("fe80::1%eth0").  Returns 0, or -1
 * with a message naming s in errstr (out is then unspecified). */
int csla_redis_addr_parse(const char *s, csla_redis_addr_t *out,
			  char *errstr, size_t errlen);

/* A TCP address to listen on (http.listen): "HOST:PORT" or
 * "[IPV6]:PORT", the port required and 0 allowed (the kernel picks one).
 * Host names are not looked up here (evhttp resolves them when binding).
 * Returns 0, or -1 with a message naming s. */
int csla_listen_addr_parse(const char *s, csla_redis_addr_t *out,
			   char *errstr, size_t errlen);

/* The same checks for a host and port given apart (configuration file):
 * there, an IPv6 host is written without brackets. */
int csla_redis_addr_tcp(const char *host, int port, csla_redis_addr_t *out,
			char *errstr, size_t errlen);

/* A unix socket path: non-empty, at most CSLA_REDIS_PATH_MAX bytes. */
int csla_redis_addr_unix(const char *path, csla_redis_addr_t *out,
			 char *errstr, size_t errlen);

/* The address written back in the form csla_redis_addr_parse() reads
 * ("unix:/run/r.sock", "10.0.0.1:6379", "[::1]:6379"), for messages.
 * Writes into buf (CSLA_REDIS_ADDR_STRLEN bytes suffice, truncated
 * otherwise) and returns it. */
const char *csla_redis_addr_str(const csla_redis_addr_t *a, char *buf,
				size_t len);

#endif
