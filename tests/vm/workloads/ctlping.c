/* ctlping: how long numaplaced's control socket takes to answer.
 *
 * ctlping SOCKET [INTERVAL_MS]
 *
 * A round connects and sends a "status" then a "list" request (protocol
 * version 1) over that connection, timing each from the write to the end
 * of its reply line, so the figures are the socket's own answer time
 * without what starting a numaplacectl process costs in a busy guest. One
 * line per round:
 *
 *   CTLPING status_cs=S list_cs=L in_flight=N ok=1 loop_nice=K
 *
 * times in centiseconds (busybox sh compares integers), in_flight the
 * number of "pid" entries in the status reply's moves_in_flight array,
 * loop_nice the nice value of the daemon's main thread (its event loop;
 * the pid from the status reply) read right after that reply, 99 when
 * unknown.
 * ok=0 when the connection, a write or a read failed or a reply was not
 * "ok":true; a reply is given up after 10 s. Without INTERVAL_MS one
 * round (exit 1 when not ok); with it, a round every INTERVAL_MS until
 * killed.
 */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_MAX (4 << 20)
#define REPLY_TIMEOUT_MS 10000

static char reply[REPLY_MAX];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Sends REQUEST and reads one reply line into reply[]; returns its length,
 * or -1. */
static long ask(int fd, const char *request)
{
	size_t len = strlen(request), got = 0;
	if (write(fd, request, len) != (ssize_t)len)
		return -1;
	while (got < sizeof(reply) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, REPLY_TIMEOUT_MS) != 1)
			return -1;
		ssize_t n = read(fd, reply + got, sizeof(reply) - 1 - got);
		if (n <= 0)
			return -1;
		got += (size_t)n;
		if (reply[got - 1] == '\n')
			break;
	}
	reply[got] = '\0';
	return strstr(reply, "\"ok\":true") ? (long)got : -1;
}

/* "pid" keys inside the moves_in_flight array of a status reply. */
static int count_in_flight(void)
{
	const char *p = strstr(reply, "\"moves_in_flight\":[");
	if (!p)
		return 0;
	const char *end = strchr(p, ']');
	int n = 0;
	for (p = strstr(p, "\"pid\":"); p && (!end || p < end); p = strstr(p + 1, "\"pid\":"))
		n++;
	return n;
}

/* The nice value of the main thread of the daemon whose status reply is in
 * reply[] (stat field 19), 99 when unknown. */
static int loop_nice(void)
{
	const char *p = strstr(reply, "\"data\":{");
	p = p ? strstr(p, "\"pid\":") : NULL;
	if (!p)
		return 99;
	long pid = strtol(p + 6, NULL, 10);
	if (pid <= 0)
		return 99;
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%ld/task/%ld/stat", pid, pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return 99;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *q = strrchr(buf, ')');
	int nice = 99;
	/* after the comm: fields 3 (state) .. 19 (nice) */
	for (int field = 3; q && field <= 19; field++) {
		q = strchr(q + 1, ' ');
		if (q && field == 19)
			nice = (int)strtol(q + 1, NULL, 10);
	}
	return nice;
}

/* One round over a fresh connection to SA; prints its line. */
static int round_trip(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) != 0) {
		if (fd >= 0)
			close(fd);
		printf("CTLPING status_cs=0 list_cs=0 in_flight=0 ok=0 loop_nice=99\n");
		return 0;
	}
	double t0 = now_s();
	long a = ask(fd, "{\"version\":1,\"verb\":\"status\"}\n");
	double t1 = now_s();
	int in_flight = a > 0 ? count_in_flight() : 0;
	int nice = a > 0 ? loop_nice() : 99;
	long b = a > 0 ? ask(fd, "{\"version\":1,\"verb\":\"list\"}\n") : -1;
	double t2 = now_s();
	close(fd);
	printf("CTLPING status_cs=%ld list_cs=%ld in_flight=%d ok=%d loop_nice=%d\n",
	       (long)((t1 - t0) * 100 + 0.5), (long)((t2 - t1) * 100 + 0.5), in_flight, a > 0 && b > 0,
	       nice);
	return a > 0 && b > 0;
}

int main(int argc, char **argv)
{
	if (argc != 2 && argc != 3) {
		fprintf(stderr, "usage: ctlping SOCKET [INTERVAL_MS]\n");
		return 2;
	}
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	if (strlen(argv[1]) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "ctlping: socket path too long\n");
		return 2;
	}
	strcpy(sa.sun_path, argv[1]);
	if (argc == 2)
		return round_trip(&sa) ? 0 : 1;
	char *end;
	long interval_ms = strtol(argv[2], &end, 10);
	if (*end || interval_ms < 10 || interval_ms > 60000) {
		fprintf(stderr, "ctlping: INTERVAL_MS must be 10..60000\n");
		return 2;
	}
	for (;;) {
		round_trip(&sa);
		fflush(stdout);
		usleep((useconds_t)interval_ms * 1000);
	}
}
