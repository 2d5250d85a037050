// SPDX-License-Identifier: GPL-2.0
/*
 * Zombie children, not yet reaped: some exited with different codes, some
 * were killed by signals. After restore each is still a zombie of ours and
 * waitpid() returns exactly the status it had.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

struct zombie {
	int code;	/* exit code, or -1 */
	int sig;	/* signal that kills it when code < 0 */
	bool self;	/* raise() the signal itself, else the parent sends it */
	pid_t pid;
};

static struct zombie zombies[] = {
	{ 0, 0, false, 0 },
	{ 3, 0, false, 0 },
	{ 42, 0, false, 0 },
	{ 255, 0, false, 0 },
	{ -1, SIGKILL, false, 0 },
	{ -1, SIGUSR2, true, 0 },
	{ -1, SIGHUP, true, 0 },
	{ -1, SIGQUIT, true, 0 },	/* a core signal, with no core allowed */
	{ -1, SIGTERM, true, 0 },
};

#define NR_ZOMBIES ((int)(sizeof(zombies) / sizeof(zombies[0])))

static int expected_status(const struct zombie *z)
{
	if (z->code >= 0)
		return (z->code & 0xff) << 8;
	return z->sig;
}

static void __attribute__((noreturn)) zombie_child(const struct zombie *z)
{
	struct rlimit rl = { 0, 0 };

	if (z->code >= 0)
		_exit(z->code);
	setrlimit(RLIMIT_CORE, &rl);
	if (z->self) {
		signal(z->sig, SIG_DFL);
		raise(z->sig);
		_exit(100);
	}
	for (;;)
		pause();
}

static char proc_state(pid_t pid)
{
	char path[64], buf[512], *p;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	f = fopen(path, "r");
	if (!f)
		return '?';
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return '?';
	}
	fclose(f);
	p = strrchr(buf, ')');
	if (!p || p[1] != ' ')
		return '?';
	return p[2];
}

int main(int argc, char **argv)
{
	int i, bad = 0;

	test_init(argc, argv);

	for (i = 0; i < NR_ZOMBIES; i++) {
		struct zombie *z = &zombies[i];
		siginfo_t si;

		z->pid = fork();
		if (z->pid < 0)
			test_setup_fail("fork: %s", strerror(errno));
		if (z->pid == 0)
			zombie_child(z);
		if (z->code < 0 && !z->self)
			kill(z->pid, z->sig);

		/* Wait for it to die, leaving it a zombie. */
		memset(&si, 0, sizeof(si));
		while (waitid(P_PID, z->pid, &si, WEXITED | WNOWAIT) < 0)
			if (errno != EINTR)
				test_setup_fail("waitid(%d): %s", z->pid, strerror(errno));
		if (si.si_pid != z->pid)
			test_setup_fail("waitid: pid %d, expected %d", si.si_pid, z->pid);
		if (z->code >= 0 ? (si.si_code != CLD_EXITED || si.si_status != z->code)
				 : (si.si_code != CLD_KILLED || si.si_status != z->sig))
			test_setup_fail("zombie %d: si_code %d si_status %d", i, si.si_code,
					si.si_status);
		if (proc_state(z->pid) != 'Z')
			test_setup_fail("child %d is not a zombie", z->pid);
	}

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* Reap one zombie too early. */
		waitpid(zombies[2].pid, NULL, 0);
	}

	/* First look at them all without reaping anything. */
	for (i = 0; i < NR_ZOMBIES; i++) {
		struct zombie *z = &zombies[i];
		char st = proc_state(z->pid);

		if (st != 'Z') {
			test_msg("child %d (%d): state '%c', expected a zombie", i, z->pid, st);
			bad = 1;
		}
	}
	for (i = 0; i < NR_ZOMBIES; i++) {
		struct zombie *z = &zombies[i];
		int status;
		pid_t ret;

		ret = waitpid(z->pid, &status, WNOHANG);
		if (ret != z->pid) {
			test_msg("child %d: waitpid(%d, WNOHANG) = %d: %s", i, z->pid, ret,
				 ret < 0 ? strerror(errno) : "still running");
			bad = 1;
			continue;
		}
		if (status != expected_status(z)) {
			test_msg("child %d (%d): status 0x%x, expected 0x%x", i, z->pid, status,
				 expected_status(z));
			bad = 1;
		}
	}
	if (waitpid(-1, NULL, WNOHANG) != -1 || errno != ECHILD) {
		test_msg("an unexpected child is left");
		bad = 1;
	}
	if (bad)
		fail("zombies changed (see messages above)");
	pass();
}
