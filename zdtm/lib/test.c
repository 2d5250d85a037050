// SPDX-License-Identifier: GPL-2.0
/*
 * zdtm test life cycle: option parsing, daemonizing with a readiness
 * handshake, credentials switch, SIGTERM wait and the verdict.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "zdtmtst.h"

#define MAX_OPTS 64
#define MAX_GROUPS 64

struct test_opt {
	char *name;
	char *value;
};

static struct test_opt opts[MAX_OPTS];
static int nr_opts;
static char *pidfile;
static char *outfile;

/* Write end of the readiness pipe in the test process, -1 when not held. */
static int ready_fd = -1;
static volatile sig_atomic_t sigterm_received;
static pid_t main_pid;
static pid_t main_tid;

static void write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		buf += n;
		len -= n;
	}
}

/* Format one line and write it with a single write(2) to stdout. */
static void vmsg(const char *prefix, const char *fmt, va_list ap)
{
	char buf[4096];
	int len = 0, n;

	if (prefix)
		len = snprintf(buf, sizeof(buf), "%s", prefix);
	n = vsnprintf(buf + len, sizeof(buf) - len, fmt, ap);
	if (n < 0)
		n = 0;
	len += n;
	if (len > (int)sizeof(buf) - 2)
		len = sizeof(buf) - 2;
	if (len == 0 || buf[len - 1] != '\n')
		buf[len++] = '\n';
	write_all(STDOUT_FILENO, buf, len);
}

void test_msg(const char *fmt, ...)
{
	va_list ap;
	int saved = errno;

	va_start(ap, fmt);
	vmsg(NULL, fmt, ap);
	va_end(ap);
	errno = saved;
}

void pass(void)
{
	write_all(STDOUT_FILENO, "PASS\n", 5);
	exit(0);
}

void fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("FAIL: ", fmt, ap);
	va_end(ap);
	exit(1);
}

void test_setup_fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg("FAIL: setup: ", fmt, ap);
	va_end(ap);
	/* The parent sees the readiness pipe close without a byte. */
	exit(2);
}

const char *test_opt_str(const char *name, const char *def)
{
	int i;

	for (i = 0; i < nr_opts; i++)
		if (!strcmp(opts[i].name, name))
			return opts[i].value;
	return def;
}

long test_opt_long(const char *name, long def)
{
	const char *s = test_opt_str(name, NULL);
	char *end;
	long v;

	if (!s)
		return def;
	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || end == s || *end)
		test_setup_fail("option --%s=%s is not a number", name, s);
	return v;
}

bool test_go(void)
{
	return sigterm_received;
}

volatile sig_atomic_t *test_sigterm_flag(void)
{
	return &sigterm_received;
}

bool test_running(void)
{
	return !sigterm_received;
}

bool test_break(void)
{
	const char *s = getenv("ZDTM_BREAK");

	return s && *s && strcmp(s, "0");
}

static void sigterm_handler(int sig)
{
	int saved = errno;

	(void)sig;
	sigterm_received = 1;
	/*
	 * Another thread of the test process took the signal: pass it on to
	 * the main thread so that test_waitsig() wakes up there.
	 */
	if (getpid() == main_pid && syscall(SYS_gettid) != main_tid)
		syscall(SYS_tgkill, main_pid, main_tid, SIGTERM);
	errno = saved;
}

void test_waitsig(void)
{
	sigset_t block, old, wait;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	wait = old;
	sigdelset(&wait, SIGTERM);
	while (!sigterm_received)
		sigsuspend(&wait);
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static char *make_absolute(const char *path)
{
	char cwd[PATH_MAX];
	char *res;

	if (path[0] == '/')
		return strdup(path);
	if (!getcwd(cwd, sizeof(cwd)))
		return strdup(path);
	if (asprintf(&res, "%s/%s", cwd, path) < 0)
		return NULL;
	return res;
}

void test_daemon(void)
{
	char tmp[PATH_MAX + 8], buf[32];
	int fd, len;
	char c = 'R';

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", pidfile) >= (int)sizeof(tmp))
		test_setup_fail("pidfile name too long");
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		test_setup_fail("open %s: %s", tmp, strerror(errno));
	len = snprintf(buf, sizeof(buf), "%d\n", getpid());
	if (write(fd, buf, len) != len) {
		unlink(tmp);
		test_setup_fail("write %s: %s", tmp, strerror(errno));
	}
	if (close(fd)) {
		unlink(tmp);
		test_setup_fail("close %s: %s", tmp, strerror(errno));
	}
	if (rename(tmp, pidfile)) {
		unlink(tmp);
		test_setup_fail("rename %s: %s", tmp, strerror(errno));
	}
	if (ready_fd >= 0) {
		while (write(ready_fd, &c, 1) < 0 && errno == EINTR)
			;
		close(ready_fd);
		ready_fd = -1;
	}
}

/* A child forked by the test must not hold the readiness pipe. */
static void atfork_child(void)
{
	if (ready_fd >= 0) {
		close(ready_fd);
		ready_fd = -1;
	}
}

static void parse_args(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		char *a = argv[i], *eq;

		if (strncmp(a, "--", 2) || !a[2]) {
			fprintf(stderr, "%s: unexpected argument '%s'\n", argv[0], a);
			exit(1);
		}
		a += 2;
		eq = strchr(a, '=');
		if (nr_opts == MAX_OPTS) {
			fprintf(stderr, "%s: too many options\n", argv[0]);
			exit(1);
		}
		if (eq) {
			opts[nr_opts].name = strndup(a, eq - a);
			opts[nr_opts].value = strdup(eq + 1);
		} else {
			opts[nr_opts].name = strdup(a);
			opts[nr_opts].value = strdup("1");
		}
		if (!opts[nr_opts].name || !opts[nr_opts].value) {
			fprintf(stderr, "%s: out of memory\n", argv[0]);
			exit(1);
		}
		if (!strcmp(opts[nr_opts].name, "pidfile"))
			pidfile = make_absolute(opts[nr_opts].value);
		else if (!strcmp(opts[nr_opts].name, "outfile"))
			outfile = make_absolute(opts[nr_opts].value);
		nr_opts++;
	}
}

static pid_t child_pid;

static void report_child_death(const char *prog, int status)
{
	if (WIFEXITED(status))
		fprintf(stderr, "%s: test exited with %d before it was ready (see %s)\n",
			prog, WEXITSTATUS(status), outfile);
	else if (WIFSIGNALED(status))
		fprintf(stderr, "%s: test killed by signal %d before it was ready (see %s)\n",
			prog, WTERMSIG(status), outfile);
	else
		fprintf(stderr, "%s: test died before it was ready\n", prog);
}

/* The launcher: exit 0 once the test is ready, 1 if it died first. */
static void __attribute__((noreturn)) wait_ready(const char *prog, int rfd)
{
	int pidfd = syscall(SYS_pidfd_open, child_pid, 0);
	bool pipe_open = true;
	int status;

	for (;;) {
		struct pollfd pfd[2];
		int n = 0, ret;
		char c;

		if (pipe_open) {
			pfd[n].fd = rfd;
			pfd[n].events = POLLIN;
			n++;
		}
		if (pidfd >= 0) {
			pfd[n].fd = pidfd;
			pfd[n].events = POLLIN;
			n++;
		}
		ret = poll(pfd, n, 100);
		if (ret < 0 && errno != EINTR) {
			perror("poll");
			exit(1);
		}

		if (pipe_open) {
			ret = read(rfd, &c, 1);
			if (ret == 1)
				exit(0);
			if (ret == 0)
				pipe_open = false;
		}

		ret = waitpid(child_pid, &status, WNOHANG);
		if (ret == child_pid) {
			/* A byte may have been written just before exiting. */
			if (pipe_open && read(rfd, &c, 1) == 1)
				exit(0);
			report_child_death(prog, status);
			exit(1);
		}
		if (!pipe_open && access(pidfile, F_OK) == 0) {
			/* The test closed the pipe itself but wrote its pid. */
			exit(0);
		}
	}
}

static void switch_creds(void)
{
	const char *s_uid = getenv("ZDTM_UID");
	const char *s_gid = getenv("ZDTM_GID");
	const char *s_groups = getenv("ZDTM_GROUPS");
	gid_t groups[MAX_GROUPS];
	int ngroups = 0;
	uid_t uid;
	gid_t gid;

	if (!s_uid)
		return;
	uid = strtoul(s_uid, NULL, 0);
	gid = s_gid ? strtoul(s_gid, NULL, 0) : uid;
	if (s_groups) {
		const char *p = s_groups;

		while (*p) {
			char *end;
			unsigned long g;

			while (*p == ' ' || *p == ',')
				p++;
			if (!*p)
				break;
			g = strtoul(p, &end, 0);
			if (end == p)
				test_setup_fail("bad ZDTM_GROUPS '%s'", s_groups);
			if (ngroups == MAX_GROUPS)
				test_setup_fail("too many groups in ZDTM_GROUPS");
			groups[ngroups++] = g;
			p = end;
		}
	} else {
		groups[ngroups++] = gid;
	}

	if (setgroups(ngroups, groups))
		test_setup_fail("setgroups: %s", strerror(errno));
	if (setresgid(gid, gid, gid))
		test_setup_fail("setresgid(%u): %s", gid, strerror(errno));
	if (setresuid(uid, uid, uid))
		test_setup_fail("setresuid(%u): %s", uid, strerror(errno));
}

void test_init(int argc, char **argv)
{
	struct sigaction sa;
	sigset_t set;
	int pfd[2], fd;
	bool shell_job;

	parse_args(argc, argv);
	if (!pidfile || !outfile) {
		fprintf(stderr, "usage: %s --pidfile=FILE --outfile=FILE [--opt=value...]\n",
			argv[0]);
		exit(1);
	}

	if (pipe2(pfd, O_CLOEXEC)) {
		perror("pipe");
		exit(1);
	}

	fflush(NULL);
	child_pid = fork();
	if (child_pid < 0) {
		perror("fork");
		exit(1);
	}
	if (child_pid) {
		close(pfd[1]);
		wait_ready(argv[0], pfd[0]);
	}

	close(pfd[0]);
	ready_fd = pfd[1];
	main_pid = getpid();
	main_tid = syscall(SYS_gettid);
	pthread_atfork(NULL, NULL, atfork_child);

	shell_job = getenv("ZDTM_SHELL_JOB") != NULL;
	if (shell_job) {
		/* a job of the shell the runner started us under: a group of its own, in front */
		sigset_t ttou, old;

		sigemptyset(&ttou);
		sigaddset(&ttou, SIGTTOU);
		sigprocmask(SIG_BLOCK, &ttou, &old);
		if (setpgid(0, 0) || tcsetpgrp(STDIN_FILENO, getpgrp())) {
			perror("shell job: setpgid/tcsetpgrp");
			exit(1);
		}
		sigprocmask(SIG_SETMASK, &old, NULL);
	} else if (setsid() < 0) {
		perror("setsid");
		exit(1);
	}

	fd = open(outfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "open %s: %s\n", outfile, strerror(errno));
		exit(1);
	}
	if (dup2(fd, STDOUT_FILENO) < 0 || dup2(fd, STDERR_FILENO) < 0) {
		perror("dup2");
		exit(1);
	}
	close(fd);
	/* a shell job keeps its terminal on stdin */
	fd = shell_job ? STDIN_FILENO : open("/dev/null", O_RDONLY);
	if (fd < 0)
		test_setup_fail("open /dev/null: %s", strerror(errno));
	if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) < 0)
			test_setup_fail("dup2 stdin: %s", strerror(errno));
		close(fd);
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	switch_creds();
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0))
		test_setup_fail("PR_SET_DUMPABLE: %s", strerror(errno));

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sigterm_handler;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0; /* no SA_RESTART: blocking calls return EINTR */
	if (sigaction(SIGTERM, &sa, NULL))
		test_setup_fail("sigaction(SIGTERM): %s", strerror(errno));
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
}
