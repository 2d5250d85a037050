// SPDX-License-Identifier: GPL-2.0
/*
 * A real program as a child: the test forks and execs /bin/sleep 1000.
 * After restore the same pid is still our child, still running that
 * program (exe, cmdline, sleeping state); then the test kills it and
 * reaps it with the SIGKILL status.
 */
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static const char cmdline[] = "sleep\0" "1000";

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, len);
	close(fd);
	return n;
}

/* State and ppid from /proc/PID/stat. */
static int proc_stat(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512], *p;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	n = read_file(path, buf, sizeof(buf) - 1);
	if (n <= 0)
		return -1;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", state, ppid) != 2)
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	char path[64], exe[PATH_MAX], buf[PATH_MAX], state;
	int p[2], status, err;
	pid_t me, pid, ppid;
	ssize_t n;

	test_init(argc, argv);
	me = getpid();

	/* A close-on-exec pipe tells whether the exec happened. */
	if (pipe2(p, O_CLOEXEC))
		test_setup_fail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		signal(SIGTERM, SIG_DFL);
		execl("/bin/sleep", "sleep", "1000", (char *)NULL);
		err = errno;
		if (write(p[1], &err, sizeof(err)) < 0)
			_exit(126);
		_exit(127);
	}
	close(p[1]);
	if (read(p[0], &err, sizeof(err)) > 0)
		test_setup_fail("exec /bin/sleep: %s", strerror(err));
	close(p[0]);

	snprintf(path, sizeof(path), "/proc/%d/exe", pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n < 0)
		test_setup_fail("readlink %s: %s", path, strerror(errno));
	exe[n] = 0;

	test_daemon();
	test_waitsig();

	if (test_break()) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}

	if (waitpid(pid, &status, WNOHANG) != 0)
		fail("sleep %d is gone", pid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n < 0)
		pfail("readlink %s", path);
	buf[n] = 0;
	if (strcmp(buf, exe))
		fail("child %d runs %s, expected %s", pid, buf, exe);
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	n = read_file(path, buf, sizeof(buf));
	if (n != sizeof(cmdline) || memcmp(buf, cmdline, sizeof(cmdline)))
		fail("child %d has a different command line", pid);
	if (proc_stat(pid, &state, &ppid))
		fail("cannot read /proc/%d/stat", pid);
	if (ppid != me)
		fail("sleep's parent is %d, expected %d", ppid, me);
	if (state != 'S')
		fail("sleep is in state %c, expected S", state);

	if (kill(pid, SIGKILL))
		pfail("kill");
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			pfail("waitpid");
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		fail("sleep ended with status 0x%x, not by our SIGKILL", status);
	pass();
}
