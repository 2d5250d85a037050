// SPDX-License-Identifier: GPL-2.0
/*
 * A child in group stop (SIGSTOP) before the dump must come back stopped,
 * and still run when continued: it counts in shared memory after SIGCONT.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static volatile unsigned long *counter;
static pid_t child;

/* whatever the verdict, the child must not outlive the test */
static void kill_child(void)
{
	if (child > 0)
		kill(child, SIGKILL);
}

static char proc_state(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return '?';
	}
	fclose(f);
	p = strrchr(buf, ')');
	return p && p[1] ? p[2] : '?';
}

int main(int argc, char **argv)
{
	unsigned long before;
	siginfo_t si;
	pid_t pid;

	test_init(argc, argv);
	counter = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (counter == MAP_FAILED)
		test_setup_fail("mmap: %s", strerror(errno));
	pid = fork();
	if (pid < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (pid > 0) {
		child = pid;
		atexit(kill_child);
	}
	if (pid == 0) {
		for (;;) {
			(*counter)++;
			usleep(1000);
		}
	}
	if (kill(pid, SIGSTOP) || waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT))
		test_setup_fail("stopping the child: %s", strerror(errno));
	test_daemon();
	test_waitsig();

	if (test_break())
		kill(pid, SIGCONT);
	usleep(50000);
	if (proc_state(pid) != 'T')
		fail("child %d is in state %c, expected T (stopped)", pid, proc_state(pid));
	before = *counter;
	usleep(50000);
	if (*counter != before)
		fail("stopped child %d counted on: %lu -> %lu", pid, before, *counter);
	if (kill(pid, SIGCONT))
		pfail("SIGCONT");
	usleep(100000);
	if (*counter == before)
		fail("child %d did not run after SIGCONT", pid);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	pass();
}
