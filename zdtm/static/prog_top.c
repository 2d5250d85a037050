// SPDX-License-Identifier: GPL-2.0
/*
 * A real program as a child: top in batch mode, printing a frame every
 * 0.2 s to a file in the work dir through a plain (not O_APPEND) fd. After
 * restore the same top (same pid, same program) is still our child, the
 * output keeps growing with new frames, and the frame times in the file
 * never go back (top wrote on at its own offset instead of over old
 * frames). If top is not installed the test passes with a message.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

#define PROG "/usr/bin/top"
#define OUT "prog_top.out"

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

/*
 * Count the frames ("top - HH:MM:SS ..." lines) in OUT and check that
 * their times never go back (one wrap past midnight allowed). Returns the
 * count, or -1 with a message.
 */
static long count_frames(void)
{
	long n = 0, last = -1, wraps = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	FILE *f;

	f = fopen(OUT, "r");
	if (!f)
		return 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		int h, m, s;
		long t;

		if (line[len - 1] != '\n')
			break;	/* a line still being written */
		if (strncmp(line, "top - ", 6))
			continue;
		if (sscanf(line + 6, "%d:%d:%d", &h, &m, &s) != 3) {
			test_msg("frame %ld: bad header '%.40s'", n + 1, line);
			n = -1;
			break;
		}
		t = h * 3600 + m * 60 + s;
		if (t < last && !(wraps++ == 0 && last >= 23 * 3600 && t < 3600)) {
			test_msg("frame %ld at %02d:%02d:%02d is older than the one before",
				 n + 1, h, m, s);
			n = -1;
			break;
		}
		last = t;
		n++;
	}
	free(line);
	fclose(f);
	return n;
}

int main(int argc, char **argv)
{
	char path[64], exe[PATH_MAX], buf[PATH_MAX];
	long n0, n1 = 0;
	int i, status;
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

	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		int fd = open(OUT, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		close(fd);
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		execve(PROG, prog_argv, prog_env);
		_exit(127);
	}
	setpgid(pid, pid);
	child_pid = pid;
	atexit(kill_child);

	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			test_setup_fail("%s exited early: status 0x%x", PROG, status);
		n0 = count_frames();
		if (n0 < 0)
			test_setup_fail("the output of top is wrong from the start");
		if (n0 >= 2)
			break;
		pause_ms(100);
	}
	if (i == 200)
		test_setup_fail("%s prints no frames", PROG);
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
	n0 = count_frames();
	if (n0 < 0)
		fail("the frames of top are out of order");
	for (i = 0; i < 100; i++) {
		pause_ms(100);
		n1 = count_frames();
		if (n1 < 0)
			fail("the frames of top are out of order");
		if (n1 >= n0 + 3)
			break;
	}
	if (i == 100)
		fail("top stopped printing at %ld frames", n1);

	kill(-pid, SIGKILL);
	child_pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail("%s ended with status 0x%x, not by our SIGKILL", PROG, status);
	test_msg("%ld frames", n1);
	pass();
}
