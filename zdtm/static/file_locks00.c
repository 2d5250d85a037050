// SPDX-License-Identifier: GPL-2.0
/*
 * File locks held by two processes, dumped and restored with -l:
 *   parent: flock WRITE on A; POSIX READ on B [0, 10); OFD WRITE on C
 *           [0, 10) through a description the child shares; a READ lease
 *           on E;
 *   child:  POSIX WRITE on B [20, EOF); flock READ on D through its own
 *           description.
 * After restore /proc/locks shows the same locks on the same files (the
 * same holder pid for POSIX locks, which belong to the process), and a
 * checker process started then is refused every conflicting lock and
 * granted a lock on the free range of B.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

static const char *const names[] = { "A", "B", "C", "D", "E" };
#define NR_FILES 5

static int lock_range(int fd, int cmd, short type, off_t start, off_t len)
{
	struct flock f = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };

	return fcntl(fd, cmd, &f);
}

static void make_files(ino_t inos[NR_FILES])
{
	for (int i = 0; i < NR_FILES; i++) {
		char path[32];
		struct stat st;
		int fd;

		snprintf(path, sizeof(path), "file_locks00.%s", names[i]);
		fd = open(path, O_CREAT | O_RDWR | O_EXCL, 0600);
		if (fd < 0 || write(fd, "0123456789abcdefghijklmnopqrstuvwxyz", 36) != 36 ||
		    fstat(fd, &st) || close(fd))
			test_setup_fail("%s: %s", path, strerror(errno));
		inos[i] = st.st_ino;
	}
}

static int open_file(int i, int flags)
{
	char path[32];
	int fd;

	snprintf(path, sizeof(path), "file_locks00.%s", names[i]);
	fd = open(path, flags);
	if (fd < 0)
		test_setup_fail("open %s: %s", path, strerror(errno));
	return fd;
}

/* /proc/locks lines on our files, as "FILE KIND TYPE PID START END", sorted */
static char *locks_now(const ino_t inos[NR_FILES], pid_t parent, pid_t child)
{
	static char out[4096];
	char line[256], lines[16][96];
	FILE *f = fopen("/proc/locks", "r");
	int n = 0;

	out[0] = 0;
	if (!f)
		return out;
	while (fgets(line, sizeof(line), f) && n < 16) {
		char kind[16], mode[16], type[16], end[24];
		unsigned maj, min;
		unsigned long ino;
		long long start;
		int pid;

		if (strstr(line, "->") ||
		    sscanf(line, "%*d: %15s %15s %15s %d %x:%x:%lu %lld %23s", kind, mode, type,
			   &pid, &maj, &min, &ino, &start, end) != 9)
			continue;
		for (int i = 0; i < NR_FILES; i++) {
			if (inos[i] != ino)
				continue;
			/* only a POSIX lock belongs to a process */
			snprintf(lines[n++], sizeof(lines[0]), "%s %s %s %s %lld %s\n", names[i], kind,
				 type, strcmp(kind, "POSIX") ? "-" :
				 pid == parent ? "parent" : pid == child ? "child" : "other",
				 start, end);
		}
	}
	fclose(f);
	for (int i = 0; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (strcmp(lines[i], lines[j]) > 0) {
				char t[96];

				memcpy(t, lines[i], sizeof(t));
				memcpy(lines[i], lines[j], sizeof(t));
				memcpy(lines[j], t, sizeof(t));
			}
	for (int i = 0; i < n; i++)
		strcat(out, lines[i]);
	return out;
}

/* A stranger must be refused every conflicting lock. Exit code: failures. */
static int try_conflicts(void)
{
	int a = open_file(0, O_RDWR), b = open_file(1, O_RDWR);
	int c = open_file(2, O_RDWR), d = open_file(3, O_RDWR);
	int bad = 0;

	if (flock(a, LOCK_SH | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		bad++, test_msg("A: flock READ granted, the WRITE flock is gone");
	if (lock_range(b, F_SETLK, F_WRLCK, 0, 10) == 0)
		bad++, test_msg("B: WRITE [0,10) granted, the parent's READ lock is gone");
	if (lock_range(b, F_SETLK, F_RDLCK, 25, 5) == 0)
		bad++, test_msg("B: READ [25,30) granted, the child's WRITE lock is gone");
	if (lock_range(b, F_SETLK, F_WRLCK, 12, 4))
		bad++, test_msg("B: WRITE [12,16) refused: %s", strerror(errno));
	if (lock_range(c, F_OFD_SETLK, F_RDLCK, 5, 1) == 0)
		bad++, test_msg("C: OFD READ granted, the OFD WRITE lock is gone");
	if (flock(d, LOCK_EX | LOCK_NB) == 0 || errno != EWOULDBLOCK)
		bad++, test_msg("D: flock WRITE granted, the READ flock is gone");
	if (flock(d, LOCK_SH | LOCK_NB))
		bad++, test_msg("D: flock READ refused: %s", strerror(errno));
	return bad;
}

static int run_checker(void)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return 1;
	if (pid == 0)
		_exit(try_conflicts());
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return 1;
	return WEXITSTATUS(st);
}

int main(int argc, char **argv)
{
	int go[2], ready[2], a, b, c, e, bad = 0;
	ino_t inos[NR_FILES];
	char before[4096], c_;
	pid_t child;

	test_init(argc, argv);
	make_files(inos);
	if (pipe(go) || pipe(ready))
		test_setup_fail("pipe: %s", strerror(errno));
	a = open_file(0, O_RDWR);
	b = open_file(1, O_RDWR);
	c = open_file(2, O_RDWR);
	e = open_file(4, O_RDONLY);
	if (flock(a, LOCK_EX | LOCK_NB) || lock_range(b, F_SETLK, F_RDLCK, 0, 10) ||
	    lock_range(c, F_OFD_SETLK, F_WRLCK, 0, 10) || fcntl(e, F_SETLEASE, F_RDLCK))
		test_setup_fail("parent's locks: %s", strerror(errno));

	child = fork();
	if (child < 0)
		test_setup_fail("fork: %s", strerror(errno));
	if (child == 0) {
		int d = open_file(3, O_RDONLY);

		if (lock_range(b, F_SETLK, F_WRLCK, 20, 0) || flock(d, LOCK_SH | LOCK_NB))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(2);
		/* hold them until the parent has checked */
		while (read(go[0], &c_, 1) < 0 && errno == EINTR)
			;
		_exit(0);
	}
	if (read(ready[0], &c_, 1) != 1)
		test_setup_fail("the child could not take its locks");
	snprintf(before, sizeof(before), "%s", locks_now(inos, getpid(), child));
	test_msg("locks before:\n%s", before);

	test_daemon();
	test_waitsig();

	if (test_break())
		flock(a, LOCK_UN);

	if (strcmp(before, locks_now(inos, getpid(), child))) {
		test_msg("locks after:\n%s", locks_now(inos, getpid(), child));
		bad++;
	}
	if (fcntl(e, F_GETLEASE) != F_RDLCK)
		bad++, test_msg("E: the READ lease is gone (%d)", fcntl(e, F_GETLEASE));
	bad += run_checker();
	if (write(go[1], "g", 1) != 1)
		bad++;
	if (waitpid(child, NULL, 0) != child)
		bad++;
	if (bad)
		fail("locks changed (see messages above)");
	pass();
}
