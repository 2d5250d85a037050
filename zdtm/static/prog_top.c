// SPDX-License-Identifier: GPL-2.0
/*
 * A real program as a child: top in batch mode, printing a frame every
 * 0.2 s into a pipe that the test stops reading once two frames arrived,
 * so that top ends up blocked in write() on a full pipe (and the process
 * state stays still, as a static test's must). After restore the same top
 * (same pid, same program) is still our child; the test drains the pipe
 * and keeps reading: the frames must go on, in order (header times never
 * go back), with at least three frames stamped in a later second than
 * the one SIGTERM arrived in.
 * If top is not installed the test passes with a message.
 */
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PROG "/usr/bin/top"

static char *const prog_argv[] = { "top", "-b", "-d", "0.2", "-w", "200", NULL };
static char *const prog_env[] = { "PATH=/usr/bin:/bin", "LC_ALL=C", "HOME=/nonexistent",
				  "TERM=dumb", NULL };

static pid_t child_pid;

static void kill_child(void)
{
	if (child_pid > 0)
		kill(-child_pid, SIGKILL);
}

static void pause_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

/* Frames parsed from top's output so far. */
struct frames {
	char line[4096];
	size_t len;
	long count;
	long last;	/* seconds of the day of the last header, -1 before any */
	long after;	/* headers stamped at or after @since */
	long since;
	bool bad;
};

static void parse_line(struct frames *f, const char *l)
{
	int h, m, s;
	long t;

	if (strncmp(l, "top - ", 6))
		return;
	if (sscanf(l + 6, "%d:%d:%d", &h, &m, &s) != 3) {
		test_msg("frame %ld: bad header '%.40s'", f->count + 1, l);
		f->bad = true;
		return;
	}
	t = h * 3600 + m * 60 + s;
	/* Past midnight the clock starts again: accept a wrap. */
	if (f->last >= 0 && t < f->last && !(f->last >= 23 * 3600 && t < 3600)) {
		test_msg("frame %ld at %02d:%02d:%02d is older than the one before",
			 f->count + 1, h, m, s);
		f->bad = true;
	}
	if (f->since >= 0 && (t >= f->since || (f->since >= 23 * 3600 && t < 3600)))
		f->after++;
	f->last = t;
	f->count++;
}

static void feed(struct frames *f, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (buf[i] == '\n') {
			f->line[f->len] = 0;
			parse_line(f, f->line);
			f->len = 0;
		} else if (f->len < sizeof(f->line) - 1) {
			f->line[f->len++] = buf[i];
		}
	}
}

/* Read what top wrote for up to @ms, or until @done says so. */
static void read_for(int fd, struct frames *f, int ms, bool (*done)(struct frames *))
{
	struct timespec start, now;
	char buf[16384];

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		long spent;
		ssize_t n;

		if (done(f))
			return;
		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
		if (spent >= ms)
			return;
		if (poll(&pfd, 1, ms - spent) <= 0)
			continue;
		n = read(fd, buf, sizeof(buf));
		if (n <= 0)
			return;
		feed(f, buf, n);
	}
}

static bool two_frames(struct frames *f)
{
	return f->count >= 2 || f->bad;
}

static bool three_new_frames(struct frames *f)
{
	return f->after >= 3 || f->bad;
}

static long seconds_of_day(void)
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	return tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
}

int main(int argc, char **argv)
{
	struct frames f = { .last = -1, .since = -1 };
	char path[64], exe[PATH_MAX], buf[PATH_MAX];
	int i, p[2], status, queued, prev = -1;
	pid_t pid;
	ssize_t len;

	test_init(argc, argv);

	if (access(PROG, X_OK)) {
		test_msg("%s is not available (%s): nothing to test", PROG, strerror(errno));
		test_daemon();
		test_waitsig();
		if (test_break())
			fail("break requested and nothing to break");
		pass();
	}

	if (pipe(p))
		test_setup_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		if (dup2(p[1], 1) < 0 || dup2(p[1], 2) < 0)
			_exit(126);
		close(p[0]);
		close(p[1]);
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		execve(PROG, prog_argv, prog_env);
		_exit(127);
	}
	setpgid(pid, pid);
	child_pid = pid;
	atexit(kill_child);
	close(p[1]);

	read_for(p[0], &f, 20000, two_frames);
	if (f.bad || f.count < 2)
		test_setup_fail("%s prints no proper frames (%ld)", PROG, f.count);

	/* Stop reading; wait until top is stuck on the full pipe. */
	for (i = 0; i < 100; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			test_setup_fail("%s exited early: status 0x%x", PROG, status);
		pause_ms(500);
		if (ioctl(p[0], FIONREAD, &queued))
			test_setup_fail("FIONREAD: %s", strerror(errno));
		if (queued > 0 && queued == prev)
			break;
		prev = queued;
	}
	if (i == 100)
		test_setup_fail("%s never filled the pipe", PROG);

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	len = readlink(path, exe, sizeof(exe) - 1);
	if (len < 0)
		test_setup_fail("readlink %s: %s", path, strerror(errno));
	exe[len] = 0;

	test_daemon();
	test_waitsig();

	if (test_break()) {
		kill(-pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}

	if (waitpid(pid, &status, WNOHANG) != 0)
		fail("%s %d is gone", PROG, pid);
	len = readlink(path, buf, sizeof(buf) - 1);
	if (len < 0 || (buf[len] = 0, strcmp(buf, exe)))
		fail("child %d no longer runs %s", pid, exe);

	/* From the next full second on, no frame can be an old one. */
	f.since = (seconds_of_day() + 1) % 86400;
	read_for(p[0], &f, 15000, three_new_frames);
	if (f.bad)
		fail("the frames of top are garbled or out of order");
	if (f.after < 3)
		fail("top printed %ld frames after SIGTERM (of %ld), expected 3", f.after,
		     f.count);

	kill(-pid, SIGKILL);
	child_pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail("%s ended with status 0x%x, not by our SIGKILL", PROG, status);
	test_msg("%ld frames, %ld after SIGTERM", f.count, f.after);
	pass();
}
