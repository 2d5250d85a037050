// SPDX-License-Identifier: GPL-2.0
/*
 * A tree of 50 tasks (42 alive, 8 zombies) spread over four sessions and
 * many process groups. The test process R (a session leader) forks:
 *
 *   C  new group C              C0  new group C0, exits and is reaped:
 *                                   C1, C2 and the zombie C4 stay in it
 *                               C3  inherits C;  C5 joins R;  C6 new group
 *   A  stays in group R         A0  new group; A1 joins A0; A2 joins C
 *                                   (an uncle's group); A3 inherits R;
 *                                   A4 zombie (12); A5 zombie leading its
 *                                   own group (13)
 *   B  setsid()                 B0  new group; B1, B5 join B0; B2 inherits;
 *                                   B3 zombie (31); B4 setsid() again
 *   D  setsid()                 D0  new group, then a zombie (41) whose
 *                                   group lives on in D1 and D2; D3
 *                                   inherits; D4 new group; D5 joins D4
 *   E  joins group C            E0, E5 inherit C; E1 new group; E2 joins
 *                                   E1; E3 zombie (51); E4 joins R
 *   F  setsid()                 F0 new group; F1 joins F0, then a zombie
 *                                   (61); F2 joins F0; F3, F4 inherit;
 *                                   F5 new group
 *   G  new group G              G0 inherits; G1 zombie (71); G2 joins R;
 *                                   G3 joins C; G4 new group; G5 joins G4
 *
 * Every task records in shared memory the pid, ppid, pgid and sid it must
 * have; a parent records those of its zombies. Once the root has its
 * SIGTERM it lets everybody go: each live task reads its own ids, each
 * parent looks at its zombies (state, ppid, pgid, sid from outside) and
 * reaps them with waitpid() to see their exit codes, then reaps its live
 * children and reports. The root passes only if every record agrees.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "zdtmtst.h"

enum how { ROOT, INHERIT, SETSID, NEWPGRP, JOIN };
enum fate { LIVE, ZOMBIE, DIES };

struct proc {
	const char *name;
	int parent;
	enum how how;
	int join;	/* JOIN: index of the task whose group to join */
	enum fate fate;
	int code;	/* exit code of a ZOMBIE or DIES task */
};

#define R 0
#define C 1
#define A 2
#define B 3
#define D 4
#define E 5
#define F 6
#define G 7

static const struct proc procs[] = {
	{ "R", -1, ROOT, 0, LIVE, 0 },
	{ "C", R, NEWPGRP, 0, LIVE, 0 },
	{ "A", R, INHERIT, 0, LIVE, 0 },
	{ "B", R, SETSID, 0, LIVE, 0 },
	{ "D", R, SETSID, 0, LIVE, 0 },
	{ "E", R, JOIN, C, LIVE, 0 },
	{ "F", R, SETSID, 0, LIVE, 0 },
	{ "G", R, NEWPGRP, 0, LIVE, 0 },
	/* 8 */
	{ "C0", C, NEWPGRP, 0, DIES, 7 },
	{ "C1", C, JOIN, 8, LIVE, 0 },
	{ "C2", C, JOIN, 8, LIVE, 0 },
	{ "C3", C, INHERIT, 0, LIVE, 0 },
	{ "C4", C, JOIN, 8, ZOMBIE, 21 },
	{ "C5", C, JOIN, R, LIVE, 0 },
	{ "C6", C, NEWPGRP, 0, LIVE, 0 },
	/* 15 */
	{ "A0", A, NEWPGRP, 0, LIVE, 0 },
	{ "A1", A, JOIN, 15, LIVE, 0 },
	{ "A2", A, JOIN, C, LIVE, 0 },
	{ "A3", A, INHERIT, 0, LIVE, 0 },
	{ "A4", A, INHERIT, 0, ZOMBIE, 12 },
	{ "A5", A, NEWPGRP, 0, ZOMBIE, 13 },
	/* 21 */
	{ "B0", B, NEWPGRP, 0, LIVE, 0 },
	{ "B1", B, JOIN, 21, LIVE, 0 },
	{ "B2", B, INHERIT, 0, LIVE, 0 },
	{ "B3", B, INHERIT, 0, ZOMBIE, 31 },
	{ "B4", B, SETSID, 0, LIVE, 0 },
	{ "B5", B, JOIN, 21, LIVE, 0 },
	/* 27 */
	{ "D0", D, NEWPGRP, 0, ZOMBIE, 41 },
	{ "D1", D, JOIN, 27, LIVE, 0 },
	{ "D2", D, JOIN, 27, LIVE, 0 },
	{ "D3", D, INHERIT, 0, LIVE, 0 },
	{ "D4", D, NEWPGRP, 0, LIVE, 0 },
	{ "D5", D, JOIN, 31, LIVE, 0 },
	/* 33 */
	{ "E0", E, INHERIT, 0, LIVE, 0 },
	{ "E1", E, NEWPGRP, 0, LIVE, 0 },
	{ "E2", E, JOIN, 34, LIVE, 0 },
	{ "E3", E, INHERIT, 0, ZOMBIE, 51 },
	{ "E4", E, JOIN, R, LIVE, 0 },
	{ "E5", E, INHERIT, 0, LIVE, 0 },
	/* 39 */
	{ "F0", F, NEWPGRP, 0, LIVE, 0 },
	{ "F1", F, JOIN, 39, ZOMBIE, 61 },
	{ "F2", F, JOIN, 39, LIVE, 0 },
	{ "F3", F, INHERIT, 0, LIVE, 0 },
	{ "F4", F, INHERIT, 0, LIVE, 0 },
	{ "F5", F, NEWPGRP, 0, LIVE, 0 },
	/* 45 */
	{ "G0", G, INHERIT, 0, LIVE, 0 },
	{ "G1", G, INHERIT, 0, ZOMBIE, 71 },
	{ "G2", G, JOIN, R, LIVE, 0 },
	{ "G3", G, JOIN, C, LIVE, 0 },
	{ "G4", G, NEWPGRP, 0, LIVE, 0 },
	{ "G5", G, JOIN, 49, LIVE, 0 },
};

#define NR_PROCS ((int)(sizeof(procs) / sizeof(procs[0])))
#define BREAK_IDX 16 /* A1: leaves A0's group under ZDTM_BREAK */
#define CHECK_TIMEOUT_MS 8000

enum { ID_PID, ID_PPID, ID_PGID, ID_SID, NR_IDS };
static const char *const id_names[NR_IDS] = { "pid", "ppid", "pgid", "sid" };

/* One per task, in memory shared by the whole tree. */
struct rec {
	pid_t exp[NR_IDS];	/* what the task must have */
	pid_t got[NR_IDS];	/* what it had after SIGTERM */
	int status;		/* zombie: status from waitpid(), -1 if none */
	int state;		/* zombie: state letter in /proc before waitpid() */
	int kids_bad;		/* children that ended badly, unexpected children */
	int reported;
	int running;		/* alive, not yet on its way out */
};

static struct rec *recs;

/*
 * What a task knows: its own ids and those its ancestors knew when they
 * forked it, plus its children. Joins only name tasks the forking parent
 * knows.
 */
static pid_t pid_of[NR_PROCS], sid_of[NR_PROCS], pgid_of[NR_PROCS];

static int go[2];	/* closed by the root after SIGTERM: check now */
static int ready[2];	/* a byte per live task once its subtree is built */
static int done[2];	/* a byte per live task once it has reported */
static int zgo[2];	/* the parent's: its zombies exit when it closes */
static pid_t root_pid;

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

static void record_expected(int idx)
{
	struct rec *r = &recs[idx];

	r->exp[ID_PID] = pid_of[idx];
	r->exp[ID_PPID] = procs[idx].parent >= 0 ? pid_of[procs[idx].parent] : 0;
	r->exp[ID_PGID] = pgid_of[idx];
	r->exp[ID_SID] = sid_of[idx];
	r->status = -1;
}

/* State, ppid of @pid from /proc/PID/stat; false if it cannot be read. */
static bool stat_of(pid_t pid, char *state, pid_t *ppid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = 0;
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 1, " %c %d", state, ppid) != 2)
		return false;
	return true;
}

static bool same_comm(pid_t pid)
{
	char path[64], mine[32] = "", theirs[32] = "";
	int fd;

	fd = open("/proc/self/comm", O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, mine, sizeof(mine) - 1) < 0)
		mine[0] = 0;
	close(fd);
	snprintf(path, sizeof(path), "/proc/%d/comm", pid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return false;
	if (read(fd, theirs, sizeof(theirs) - 1) < 0)
		theirs[0] = 0;
	close(fd);
	return mine[0] && !strcmp(mine, theirs);
}

/* atexit() of the root: nothing of the tree may outlive the test. */
static void kill_tree(void)
{
	int i;

	if (getpid() != root_pid || !recs)
		return;
	for (i = 1; i < NR_PROCS; i++) {
		pid_t pid = recs[i].exp[ID_PID];

		if (!__atomic_load_n(&recs[i].running, __ATOMIC_ACQUIRE) || pid <= 0)
			continue;
		if (same_comm(pid))
			kill(pid, SIGKILL);
	}
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

static void __attribute__((noreturn)) leave(int idx, int code)
{
	__atomic_store_n(&recs[idx].running, 0, __ATOMIC_RELEASE);
	_exit(code);
}

static pid_t wait_one(pid_t pid, int *status, int flags)
{
	pid_t ret;

	do
		ret = waitpid(pid, status, flags);
	while (ret < 0 && errno == EINTR);
	return ret;
}

static void __attribute__((noreturn)) run(int idx);

/*
 * Fork and place the children of @idx, let the zombies and the dying one
 * exit once every group is populated, reap the dying one, make sure the
 * zombies are zombies.
 */
static int spawn_children(int idx)
{
	const char *me = procs[idx].name;
	int c;

	if (pipe(zgo)) {
		test_msg("%s: pipe: %s", me, strerror(errno));
		return -1;
	}
	for (c = 0; c < NR_PROCS; c++) {
		pid_t pid;

		if (procs[c].parent != idx)
			continue;
		if (procs[c].how == JOIN && !pid_of[procs[c].join]) {
			test_msg("%s: %s joins unknown %s", me, procs[c].name,
				 procs[procs[c].join].name);
			return -1;
		}
		pid = fork();
		if (pid < 0) {
			test_msg("%s: fork: %s", me, strerror(errno));
			return -1;
		}
		if (pid == 0) {
			expect(idx, c, getpid());
			run(c);
		}
		expect(idx, c, pid);
		if (procs[c].fate == ZOMBIE)
			record_expected(c);
		/*
		 * The child places itself too, so that its own children inherit
		 * the right group whichever of the two goes first.
		 */
		if ((procs[c].how == NEWPGRP || procs[c].how == JOIN) &&
		    setpgid(pid, pgid_of[c])) {
			test_msg("%s: setpgid(%s=%d, %d): %s", me, procs[c].name, pid,
				 pgid_of[c], strerror(errno));
			return -1;
		}
	}
	close(zgo[0]);
	close(zgo[1]); /* every group is populated: the zombies may go */

	for (c = 0; c < NR_PROCS; c++) {
		siginfo_t si;
		int status;

		if (procs[c].parent != idx)
			continue;
		if (procs[c].fate == DIES) {
			if (wait_one(pid_of[c], &status, 0) != pid_of[c]) {
				test_msg("%s: waitpid(%s): %s", me, procs[c].name,
					 strerror(errno));
				return -1;
			}
			if (!WIFEXITED(status) || WEXITSTATUS(status) != procs[c].code) {
				test_msg("%s: %s ended with status 0x%x", me, procs[c].name,
					 status);
				return -1;
			}
		} else if (procs[c].fate == ZOMBIE) {
			memset(&si, 0, sizeof(si));
			while (waitid(P_PID, pid_of[c], &si, WEXITED | WNOWAIT) < 0) {
				if (errno != EINTR) {
					test_msg("%s: waitid(%s): %s", me, procs[c].name,
						 strerror(errno));
					return -1;
				}
			}
			if (si.si_code != CLD_EXITED || si.si_status != procs[c].code) {
				test_msg("%s: %s: si_code %d si_status %d", me, procs[c].name,
					 si.si_code, si.si_status);
				return -1;
			}
		}
	}
	return 0;
}

static int check_self(int idx)
{
	struct rec *r = &recs[idx];
	int i, bad = 0;

	r->got[ID_PID] = getpid();
	r->got[ID_PPID] = idx ? getppid() : 0;
	r->got[ID_PGID] = getpgid(0);
	r->got[ID_SID] = getsid(0);
	for (i = 0; i < NR_IDS; i++) {
		if (r->got[i] == r->exp[i])
			continue;
		test_msg("%s: %s %d, expected %d", procs[idx].name, id_names[i], r->got[i],
			 r->exp[i]);
		bad = 1;
	}
	return bad;
}

/* Look at each zombie child from outside, then reap it for its status. */
static void check_zombies(int idx)
{
	int c;

	for (c = 0; c < NR_PROCS; c++) {
		struct rec *r = &recs[c];
		char state = '?';
		pid_t ppid = -1;

		if (procs[c].parent != idx || procs[c].fate != ZOMBIE)
			continue;
		r->got[ID_PID] = pid_of[c];
		if (stat_of(pid_of[c], &state, &ppid)) {
			r->state = state;
			r->got[ID_PPID] = ppid;
		}
		r->got[ID_PGID] = getpgid(pid_of[c]);
		r->got[ID_SID] = getsid(pid_of[c]);
		if (wait_one(pid_of[c], &r->status, WNOHANG) != pid_of[c])
			r->status = -1;
		__atomic_store_n(&r->reported, 1, __ATOMIC_RELEASE);
	}
}

/* Wait for the live children (they report first), then for nobody else. */
static int reap_children(int idx)
{
	int c, status, bad = 0;

	for (c = 0; c < NR_PROCS; c++) {
		pid_t ret;

		if (procs[c].parent != idx || procs[c].fate != LIVE)
			continue;
		ret = wait_one(pid_of[c], &status, 0);
		if (ret != pid_of[c]) {
			test_msg("%s: waitpid(%s=%d) = %d: %s", procs[idx].name, procs[c].name,
				 pid_of[c], ret, strerror(errno));
			bad++;
		} else if (status) {
			test_msg("%s: %s ended with status 0x%x", procs[idx].name, procs[c].name,
				 status);
			bad++;
		}
	}
	if (wait_one(-1, &status, WNOHANG) != -1 || errno != ECHILD) {
		test_msg("%s: an unexpected child is left", procs[idx].name);
		bad++;
	}
	return bad;
}

static void __attribute__((noreturn)) run(int idx)
{
	const struct proc *p = &procs[idx];
	struct rec *r = &recs[idx];
	char c = 'r';

	close(go[1]);
	close(ready[0]);
	close(done[0]);
	close(zgo[1]);
	r->exp[ID_PID] = getpid();
	__atomic_store_n(&r->running, 1, __ATOMIC_RELEASE);

	if (p->how == SETSID) {
		if (setsid() < 0) {
			test_msg("%s: setsid: %s", p->name, strerror(errno));
			leave(idx, 3);
		}
	} else if (p->how == NEWPGRP || p->how == JOIN) {
		/* May fail harmlessly if the parent did it first; the check
		 * after restore decides. */
		setpgid(0, pgid_of[idx]);
	}

	if (p->fate != LIVE) {
		/* Exit once the parent has populated every group. */
		close(go[0]);
		close(ready[1]);
		close(done[1]);
		while (read(zgo[0], &c, 1) < 0 && errno == EINTR)
			;
		leave(idx, p->code);
	}
	close(zgo[0]);

	record_expected(idx);
	if (spawn_children(idx))
		leave(idx, 3);

	if (write(ready[1], &c, 1) != 1)
		leave(idx, 3);
	close(ready[1]);

	while (read(go[0], &c, 1) < 0 && errno == EINTR)
		;
	close(go[0]);

	if (test_break() && idx == BREAK_IDX)
		setpgid(0, 0);

	check_self(idx);
	check_zombies(idx);
	r->kids_bad = reap_children(idx);
	__atomic_store_n(&r->reported, 1, __ATOMIC_RELEASE);
	c = 'd';
	if (write(done[1], &c, 1) != 1)
		leave(idx, 3);
	leave(idx, 0);
}

static int msleft(const struct timespec *end)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (end->tv_sec - now.tv_sec) * 1000 + (end->tv_nsec - now.tv_nsec) / 1000000;
}

/* Read @n bytes from @fd within CHECK_TIMEOUT_MS; the number read. */
static int read_bytes(int fd, int n)
{
	struct timespec end;
	int got = 0;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += CHECK_TIMEOUT_MS / 1000;
	while (got < n) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		char buf[64];
		int left = msleft(&end), ret;
		ssize_t len;

		if (left <= 0)
			break;
		ret = poll(&pfd, 1, left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret <= 0)
			break;
		len = read(fd, buf, n - got < (int)sizeof(buf) ? n - got : (int)sizeof(buf));
		if (len < 0 && errno == EINTR)
			continue;
		if (len <= 0)
			break;
		got += len;
	}
	return got;
}

/* Compare every record with what its task (or its zombie's parent) saw. */
static int verify_records(void)
{
	int i, k, bad = 0;

	for (i = 0; i < NR_PROCS; i++) {
		const struct proc *p = &procs[i];
		struct rec *r = &recs[i];

		if (p->fate == DIES)
			continue;
		if (!__atomic_load_n(&r->reported, __ATOMIC_ACQUIRE)) {
			test_msg("%s (pid %d): no report", p->name, r->exp[ID_PID]);
			bad++;
			continue;
		}
		for (k = 0; k < NR_IDS; k++) {
			if (r->got[k] == r->exp[k])
				continue;
			test_msg("%s%s (pid %d): %s %d, expected %d", p->name,
				 p->fate == ZOMBIE ? " (zombie)" : "", r->exp[ID_PID], id_names[k],
				 r->got[k], r->exp[k]);
			bad++;
		}
		if (p->fate == ZOMBIE) {
			if (r->state != 'Z') {
				test_msg("%s (pid %d): state '%c', expected a zombie", p->name,
					 r->exp[ID_PID], r->state ? r->state : '?');
				bad++;
			}
			if (r->status < 0 || !WIFEXITED(r->status) ||
			    WEXITSTATUS(r->status) != p->code) {
				test_msg("%s (pid %d): waitpid status 0x%x, expected exit %d",
					 p->name, r->exp[ID_PID], r->status, p->code);
				bad++;
			}
		}
		if (r->kids_bad) {
			test_msg("%s: %d children ended badly", p->name, r->kids_bad);
			bad++;
		}
	}
	return bad;
}

int main(int argc, char **argv)
{
	int i, n = 0, bad;

	test_init(argc, argv);
	root_pid = getpid();

	recs = mmap(NULL, sizeof(*recs) * NR_PROCS, PROT_READ | PROT_WRITE,
		    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (recs == MAP_FAILED) {
		recs = NULL;
		test_setup_fail("mmap: %s", strerror(errno));
	}
	if (atexit(kill_tree))
		test_setup_fail("atexit");

	pid_of[R] = getpid();
	sid_of[R] = getsid(0);
	pgid_of[R] = getpgid(0);
	if (sid_of[R] != pid_of[R] || pgid_of[R] != pid_of[R])
		test_setup_fail("the test process is not a session leader");
	record_expected(R);
	recs[R].running = 1;

	if (pipe(go) || pipe(ready) || pipe(done))
		test_setup_fail("pipe: %s", strerror(errno));

	if (spawn_children(R))
		test_setup_fail("cannot build the tree");
	close(ready[1]);
	close(done[1]);
	close(go[0]);
	for (i = 1; i < NR_PROCS; i++)
		if (procs[i].fate == LIVE)
			n++;
	if (read_bytes(ready[0], n) != n)
		test_setup_fail("a task died during setup");
	close(ready[0]);

	test_daemon();
	test_waitsig();

	close(go[1]);
	bad = check_self(R);
	i = read_bytes(done[0], n);
	if (i != n) {
		test_msg("only %d of %d tasks reported in %d ms", i, n, CHECK_TIMEOUT_MS);
		bad++;
	} else {
		recs[R].kids_bad = reap_children(R);
	}
	recs[R].reported = 1;
	bad += verify_records();
	if (bad)
		fail("%d disagreements in the tree (see messages above)", bad);
	pass();
}
