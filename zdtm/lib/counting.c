// SPDX-License-Identifier: GPL-2.0
/*
 * The body shared by the zdtm tests that run a real counting program as a
 * child (prog_bash, prog_python): the program appends 1, 2, 3... to a file;
 * after restore the same program (same pid, same executable) must still be
 * our child and go on counting without a gap.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

/*
 * Check that @out holds 1..N, one per line (a last line still being
 * written is ignored). Returns N, or -1 with a message.
 */
#define ROLLBACK_MAX 40

static long check_sequence(const char *out)
{
	static char buf[1 << 20];
	long n = 0, v;
	bool rolled_back = false;
	char *p, *nl;
	ssize_t len;
	int fd;

	fd = open(out, O_RDONLY);
	if (fd < 0)
		return 0;
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (len < 0)
		return -1;
	buf[len] = 0;
	for (p = buf; (nl = strchr(p, '\n')); p = nl + 1) {
		*nl = 0;
		v = strtol(p, NULL, 10);
		/*
		 * One step back is allowed: after dump --leave-running the program
		 * wrote on before it was killed, and the restored one resumes from
		 * the dumped count. Never back to 1, never far.
		 */
		if (v > 1 && v <= n && v > n - ROLLBACK_MAX && !rolled_back) {
			rolled_back = true;
			n = v;
			continue;
		}
		if (v != n + 1) {
			test_msg("line %ld of %s is '%s', expected %ld", n + 1, out, p, n + 1);
			return -1;
		}
		n++;
	}
	return n;
}

static pid_t child_pid;

/* Whatever the verdict, the program must not outlive the test. */
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

void counting_program_test(const char *prog, char *const argv[], char *const envp[],
			  const char *out)
{
	char path[64], exe[PATH_MAX], buf[PATH_MAX];
	long n0, n1;
	int i, status;
	pid_t pid;
	ssize_t len;

	if (access(prog, X_OK))
		test_setup_fail("%s: %s", prog, strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_DFL);
		execve(prog, argv, envp);
		_exit(127);
	}
	setpgid(pid, pid);
	child_pid = pid;
	atexit(kill_child);

	for (i = 0; i < 200; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			test_setup_fail("%s exited early: status 0x%x", prog, status);
		n0 = check_sequence(out);
		if (n0 < 0)
			test_setup_fail("the counter file is wrong from the start");
		if (n0 >= 3)
			break;
		pause_ms(100);
	}
	if (i == 200)
		test_setup_fail("%s does not count", prog);
	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	len = readlink(path, exe, sizeof(exe) - 1);
	if (len < 0)
		test_setup_fail("readlink %s: %s", path, strerror(errno));
	exe[len] = 0;

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* Make it look as if the loop had started again from 1. */
		int fd = open(out, O_WRONLY | O_APPEND);

		if (fd < 0 || write(fd, "1\n", 2) != 2)
			test_msg("break: cannot append to %s", out);
		close(fd);
	}

	if (waitpid(pid, &status, WNOHANG) != 0)
		fail("%s %d is gone", prog, pid);
	len = readlink(path, buf, sizeof(buf) - 1);
	if (len < 0 || (buf[len] = 0, strcmp(buf, exe)))
		fail("child %d no longer runs %s", pid, exe);
	n0 = check_sequence(out);
	if (n0 < 0)
		fail("the counter file is not a gapless sequence from 1");
	for (i = 0; i < 100; i++) {
		pause_ms(100);
		n1 = check_sequence(out);
		if (n1 < 0)
			fail("the counter file is not a gapless sequence from 1");
		if (n1 >= n0 + 3)
			break;
	}
	if (i == 100)
		fail("the counter stopped at %ld", n1);

	kill(-pid, SIGKILL);
	child_pid = 0;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail("%s ended with status 0x%x, not by our SIGKILL", prog, status);
	test_msg("counted to %ld", n1);
	pass();
}
