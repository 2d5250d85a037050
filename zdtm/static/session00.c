// SPDX-License-Identifier: GPL-2.0
/*
 * Sessions and process groups. The test process (a session leader) builds:
 *
 *   T  session leader
 *   |- A     setsid(): a new session
 *   |  |- A1    new group A1, then killed and reaped (a dead group leader)
 *   |  |- A2    moved into group A1: the group outlives its leader
 *   |  |- A3    stays in group A
 *   |  `- A4    new group A4
 *   |     |- A4a   inherits group A4
 *   |     `- A4b   moved into group A (its grandparent's)
 *   |- B     new group B in T's session
 *   |  `- B1    moved back into group T
 *   |- C     moved into group B (a sibling's group)
 *   |  `- C1    inherits group B
 *   |- D     setsid()
 *   |  |- D1    setsid() again: a session inside a session's subtree
 *   |  |  `- D1a  new group D1a
 *   |  `- D2    stays in group D
 *   |- E     stays in group T
 *   |- F     new group F, then killed and reaped
 *   `- F1    moved into group F
 *
 * After restore every process checks getpid, getppid, getsid and getpgid.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

enum how { ROOT, INHERIT, SETSID, NEWPGRP, JOIN };

struct proc {
	const char *name;
	int parent;
	enum how how;
	int join;	/* for JOIN: index of the process whose group to join */
	bool dies;	/* killed and reaped by its parent before the dump */
};

static const struct proc procs[] = {
	{ "T", -1, ROOT, 0, false },
	{ "A", 0, SETSID, 0, false },
	{ "A1", 1, NEWPGRP, 0, true },
	{ "A2", 1, JOIN, 2, false },
	{ "A3", 1, INHERIT, 0, false },
	{ "A4", 1, NEWPGRP, 0, false },
	{ "A4a", 5, INHERIT, 0, false },
	{ "A4b", 5, JOIN, 1, false },
	{ "B", 0, NEWPGRP, 0, false },
	{ "B1", 8, JOIN, 0, false },
	{ "C", 0, JOIN, 8, false },
	{ "C1", 10, INHERIT, 0, false },
	{ "D", 0, SETSID, 0, false },
	{ "D1", 12, SETSID, 0, false },
	{ "D1a", 13, NEWPGRP, 0, false },
	{ "D2", 12, INHERIT, 0, false },
	{ "E", 0, INHERIT, 0, false },
	{ "F", 0, NEWPGRP, 0, true },
	{ "F1", 0, JOIN, 17, false },
};

#define NR_PROCS ((int)(sizeof(procs) / sizeof(procs[0])))

/*
 * What each process knows: its own entry and those its ancestors knew when
 * they forked it. Joins only name processes the forking parent knows.
 */
static pid_t pid_of[NR_PROCS], sid_of[NR_PROCS], pgid_of[NR_PROCS];

static int go[2];
static int ready[2];

static int check_self(int idx)
{
	const struct proc *p = &procs[idx];
	int bad = 0;

	if (getpid() != pid_of[idx]) {
		test_msg("%s: getpid() = %d, expected %d", p->name, getpid(), pid_of[idx]);
		bad = 1;
	}
	if (p->parent >= 0 && getppid() != pid_of[p->parent]) {
		test_msg("%s: getppid() = %d, expected %d", p->name, getppid(),
			 pid_of[p->parent]);
		bad = 1;
	}
	if (getsid(0) != sid_of[idx]) {
		test_msg("%s: getsid() = %d, expected %d", p->name, getsid(0), sid_of[idx]);
		bad = 1;
	}
	if (getpgid(0) != pgid_of[idx]) {
		test_msg("%s: getpgid() = %d, expected %d", p->name, getpgid(0),
			 pgid_of[idx]);
		bad = 1;
	}
	return bad;
}

/* Fill in the expected ids of child @c of @idx once its pid is known. */
static void expect(int idx, int c, pid_t pid)
{
	pid_of[c] = pid;
	switch (procs[c].how) {
	case SETSID:
		sid_of[c] = pid;
		pgid_of[c] = pid;
		break;
	case NEWPGRP:
		sid_of[c] = sid_of[idx];
		pgid_of[c] = pid;
		break;
	case JOIN:
		sid_of[c] = sid_of[idx];
		pgid_of[c] = pgid_of[procs[c].join];
		break;
	default:
		sid_of[c] = sid_of[idx];
		pgid_of[c] = pgid_of[idx];
		break;
	}
}

static void __attribute__((noreturn)) run(int idx);

/* Fork the children of @idx and place them; kill the ones that die. */
static int spawn_children(int idx)
{
	int c;

	for (c = 0; c < NR_PROCS; c++) {
		pid_t pid;

		if (procs[c].parent != idx)
			continue;
		if (procs[c].how == JOIN && !pid_of[procs[c].join]) {
			test_msg("%s: %s joins unknown %s", procs[idx].name, procs[c].name,
				 procs[procs[c].join].name);
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			test_msg("%s: fork: %s", procs[idx].name, strerror(errno));
			return -1;
		}
		if (pid == 0) {
			expect(idx, c, getpid());
			run(c);
		}
		expect(idx, c, pid);
		/*
		 * The parent places the child; the child does the same itself
		 * (see run()) so that its own children inherit the right group
		 * whichever of the two goes first.
		 */
		if (procs[c].how == NEWPGRP || procs[c].how == JOIN) {
			if (setpgid(pid, pgid_of[c])) {
				test_msg("%s: setpgid(%s=%d, %d): %s", procs[idx].name,
					 procs[c].name, pid, pgid_of[c], strerror(errno));
				return -1;
			}
		}
	}

	/* The group members are placed: now their leaders may die. */
	for (c = 0; c < NR_PROCS; c++) {
		int status;

		if (procs[c].parent != idx || !procs[c].dies)
			continue;
		kill(pid_of[c], SIGKILL);
		if (waitpid(pid_of[c], &status, 0) != pid_of[c]) {
			test_msg("%s: waitpid(%s): %s", procs[idx].name, procs[c].name,
				 strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int reap_children(int idx)
{
	int c, bad = 0;

	for (c = 0; c < NR_PROCS; c++) {
		int status;
		pid_t ret;

		if (procs[c].parent != idx || procs[c].dies)
			continue;
		do
			ret = waitpid(pid_of[c], &status, 0);
		while (ret < 0 && errno == EINTR);
		if (ret != pid_of[c]) {
			test_msg("%s: waitpid(%s=%d) = %d: %s", procs[idx].name, procs[c].name,
				 pid_of[c], ret, strerror(errno));
			bad = 1;
		} else if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			test_msg("%s: %s ended with status 0x%x", procs[idx].name,
				 procs[c].name, status);
			bad = 1;
		}
	}
	return bad;
}

static void __attribute__((noreturn)) run(int idx)
{
	const struct proc *p = &procs[idx];
	char c = 'r';
	int bad;

	close(go[1]);
	close(ready[0]);

	if (p->how == SETSID) {
		if (setsid() < 0) {
			test_msg("%s: setsid: %s", p->name, strerror(errno));
			_exit(3);
		}
	} else if (p->how == NEWPGRP || p->how == JOIN) {
		/* May fail harmlessly if the parent did it first and the
		 * leader is already gone; the check after restore decides. */
		setpgid(0, pgid_of[idx]);
	}

	if (spawn_children(idx))
		_exit(3);

	if (!p->dies && write(ready[1], &c, 1) != 1)
		_exit(3);
	close(ready[1]);

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	bad = check_self(idx);
	bad |= reap_children(idx);
	_exit(bad);
}

int main(int argc, char **argv)
{
	int i, n = 0, bad;
	char c;

	test_init(argc, argv);

	pid_of[0] = getpid();
	sid_of[0] = getsid(0);
	pgid_of[0] = getpgid(0);
	if (sid_of[0] != pid_of[0] || pgid_of[0] != pid_of[0])
		test_setup_fail("the test process is not a session leader");

	if (pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));

	if (spawn_children(0))
		test_setup_fail("cannot build the tree");
	close(ready[1]);
	for (i = 1; i < NR_PROCS; i++)
		if (!procs[i].dies)
			n++;
	for (i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1)
			test_setup_fail("a process died during setup");
	close(ready[0]);
	close(go[0]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		/* Move E from T's group into B's: E must notice. */
		if (setpgid(pid_of[16], pid_of[8]))
			test_msg("break: setpgid: %s", strerror(errno));
	}

	close(go[1]);
	bad = check_self(0);
	bad |= reap_children(0);
	if (bad)
		fail("sessions or groups changed (see messages above)");
	pass();
}
