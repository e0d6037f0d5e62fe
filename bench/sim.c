/* bench/sim.c - events/s of `callsla sim` writing JSONL into a pipe, the
 * way a benchmark consumes it: the tool runs as a child process and this
 * one reads the pipe, counting lines; the clock runs from the spawn to the
 * end of the stream.  A large centre (2000 agents, 20 queues, 15000
 * calls/hour, two days), once with call progress events and once with
 * CDRs.  The target is at least 2 M events/s.
 *
 * usage: bench-sim [CALLSLA]  (default: $CALLSLA, else ../callsla next to
 * this program) */
#include <errno.h>
#include <libgen.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs the tool with args, reading its stdout; returns 0 and the line
 * count and seconds, or -1. */
static int run(const char *tool, char *const *args, unsigned long long *lines,
	       double *secs)
{
	int fd[2];
	posix_spawn_file_actions_t fa;
	pid_t pid;
	static char buf[1 << 20];

	if (pipe(fd) == -1)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
	posix_spawn_file_actions_addclose(&fa, fd[0]);
	double t0 = now_s();
	int err = posix_spawn(&pid, tool, &fa, NULL, args, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fd[1]);
	if (err) {
		fprintf(stderr, "bench-sim: %s: %s\n", tool, strerror(err));
		close(fd[0]);
		return -1;
	}
	*lines = 0;
	for (;;) {
		ssize_t n = read(fd[0], buf, sizeof buf);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		for (const char *p = buf, *end = buf + n;
		     (p = memchr(p, '\n', (size_t)(end - p))) != NULL; p++)
			(*lines)++;
	}
	*secs = now_s() - t0;
	close(fd[0]);
	int st;
	if (waitpid(pid, &st, 0) == -1 || !WIFEXITED(st) || WEXITSTATUS(st)) {
		fprintf(stderr, "bench-sim: %s sim failed\n", tool);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	char path[4096];
	const char *tool = argc > 1 ? argv[1] : getenv("CALLSLA");

	if (!tool || !*tool) {
		char self[4096];
		snprintf(self, sizeof self, "%s", argv[0]);
		snprintf(path, sizeof path, "%s/../callsla", dirname(self));
		tool = path;
	}
	static const char *const modes[] = { NULL, "--cdr" };
	for (int m = 0; m < 2; m++) {
		char *args[] = { (char *)tool, "sim", "--agents", "2000",
				 "--queues", "20", "--calls-per-hour", "15000",
				 "--days", "2", (char *)modes[m], NULL };
		unsigned long long lines;
		double secs;
		if (run(tool, args, &lines, &secs) == -1)
			return 1;
		printf("sim: %llu events in %.2f s, %.2f M events/s "
		       "(JSONL to a pipe%s)\n",
		       lines, secs, lines / secs / 1e6, m ? ", CDRs" : "");
	}
	return 0;
}
