/* SPDX-License-Identifier: GPL-2.0 */
#ifndef ZDTM_ZDTMTST_H
#define ZDTM_ZDTMTST_H

/*
 * The test library every zdtm test links.
 *
 * Life of a test: test_init() parses --pidfile=F --outfile=O and test options,
 * forks; the parent waits for the child's readiness and exits (the runner, a
 * subreaper, adopts the child); the child becomes a session leader, redirects
 * stdio to O, switches to ZDTM_UID/ZDTM_GID/ZDTM_GROUPS from the environment
 * (unless the test is "suid"), builds its state, calls test_daemon() (writes
 * its pid to F: readiness), then test_waitsig() until SIGTERM, then verifies
 * and calls pass() or fail().
 *
 * ZDTM_SHELL_JOB=1 (a test flagged shell_job, run with -j): the test is a
 * job of a shell outside the tree: it keeps that shell's session, leads a
 * process group of its own in the terminal's foreground and has the
 * terminal on stdin.
 *
 * ZDTM_BREAK=1 in the environment: test_break() is true, and a test that
 * honours it damages its own state after test_waitsig() so that its check
 * must report FAIL. That proves the check can fail.
 *
 * SIGTERM is handled without SA_RESTART: a blocking call in the test returns
 * EINTR when it arrives. If another thread of the test process takes it, the
 * handler forwards it to the main thread, so test_waitsig() there wakes up.
 * Only the main test process should call pass()/fail(). Per-test compiler
 * flags go into NAME.cflags (and linker flags into NAME.ldflags) next to
 * NAME.c.
 */

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/types.h>

void test_init(int argc, char **argv);
void test_daemon(void);
void test_waitsig(void);
/* True once SIGTERM has arrived (for transition tests' loops). */
bool test_go(void);
/* The clearer spelling of !test_go(): true while SIGTERM has not arrived. */
bool test_running(void);
/*
 * The flag behind test_go(), for code that must poll it without a function
 * call (e.g. an asm loop that keeps values in registers).
 */
volatile sig_atomic_t *test_sigterm_flag(void);
bool test_break(void);

/* Test options given as --name=value on the command line. */
const char *test_opt_str(const char *name, const char *def);
long test_opt_long(const char *name, long def);

/* Verdict, written to the outfile: "PASS" or "FAIL: reason". Both exit. */
void pass(void) __attribute__((noreturn));
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* fail() with ": strerror(errno)" appended. */
#define pfail(fmt, ...) fail(fmt ": %s", ##__VA_ARGS__, strerror(errno))
/* Log a line to the outfile without a verdict. */
void test_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Abort setup: writes "FAIL: setup: ..." and exits non-zero before readiness. */
void test_setup_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/*
 * A stage counter in shared memory for multi-process tests: children call
 * task_waiter_complete(&w, n) when ready; the parent task_waiter_wait4(&w, n).
 */
typedef struct {
	int futex;
} task_waiter_t;
task_waiter_t *task_waiter_create(void); /* MAP_SHARED, inherit before fork */
void task_waiter_complete(task_waiter_t *w, int stage);
/* Returns once the counter is >= @stage: use increasing stage numbers. */
void task_waiter_wait4(task_waiter_t *w, int stage);

/* Fill @buf with a pattern derived from @seed; check it. */
void datagen(void *buf, size_t len, uint32_t seed);
bool datachk(const void *buf, size_t len, uint32_t seed);
/* A 32-bit checksum for streaming checks. */
uint32_t crc32_update(uint32_t crc, const void *buf, size_t len);

/*
 * /proc helpers. proc_field() finds "KEY:" in a status-like file (e.g.
 * "/proc/self/status") and copies its value, leading blanks stripped, to
 * @out; false if absent. vma_find() describes the /proc/self/maps entry
 * holding @addr; vma_vmflags() copies its smaps "VmFlags:" value; both
 * false if @addr is not mapped. vma_has_flag() tells whether the two-letter
 * VmFlags mnemonic @flag (e.g. "lo") is set, -1 if @addr is not mapped.
 * stat_field() is field @n (numbered as in proc(5), 3 and up) of
 * /proc/self/stat as a number, -1 if it cannot be read.
 */
bool proc_field(const char *path, const char *key, char *out, size_t len);
/*
 * The lines of /proc/self/fdinfo/@fd that start with @prefix, each cut at
 * the first @cut (if given, e.g. " ino:" for what changes with the
 * objects), sorted, joined with "|" into @out (empty if unreadable).
 */
void fdinfo_lines(int fd, const char *prefix, const char *cut, char *out, size_t len);
/* What /proc/self/fd/@fd names (empty if it cannot be read). */
void fd_link(int fd, char *out, size_t len);
long long stat_field(int n);
struct vma_info {
	unsigned long start, end;
	char perms[5]; /* "rw-p" */
	unsigned long offset;
	unsigned long inode;
	char path[256];
};
bool vma_find(const void *addr, struct vma_info *vi);
bool vma_vmflags(const void *addr, char *out, size_t len);
int vma_has_flag(const void *addr, const char *flag);

/*
 * Run @prog (argv, envp) as a child that appends 1, 2, 3... to @out, one per
 * line; after SIGTERM check it is the same program and counts on without a
 * gap (one small rollback allowed: a --leave-running restore resumes from the
 * dumped count). Never returns: pass() or fail(). Call after test_init().
 */
void counting_program_test(const char *prog, char *const argv[], char *const envp[],
			   const char *out) __attribute__((noreturn));

#endif
