// SPDX-License-Identifier: GPL-2.0
/*
 * criu check: ask the running kernel, by using them, for the interfaces that
 * checkpoint and restore stand on.
 *
 * Every feature is one line of the table near the end of this file: a name,
 * whether plain "criu check" requires it, and a probe. A probe exercises the
 * real interface (never a kernel config file) and returns 0 when it works.
 * Probes run in forked children, most of them in fresh namespaces, so criu's
 * own process, the host's mounts and the host's network are never touched.
 * A probe child is killed by SIGALRM when it hangs, and every helper process
 * it forks dies with it (PR_SET_PDEATHSIG), so nothing is left behind.
 */
#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/rseq.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <asm/prctl.h>
#include <linux/aio_abi.h>
#include <linux/filter.h>
#include <linux/if_tun.h>
#include <linux/inet_diag.h>
#include <linux/kcmp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/netlink_diag.h>
#include <linux/openat2.h>
#include <linux/packet_diag.h>
#include <linux/rtnetlink.h>
#include <linux/seccomp.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <linux/userfaultfd.h>
#include <linux/veth.h>

#include "cmd/check.h"
#include "cmd/cmds.h"
#include "util/log.h"
#include "util/options.h"

/*
 * Kernel interfaces newer than the installed uapi headers (Debian 12 ships
 * 6.1 headers; the machines run 6.18).
 */
#ifndef PAGEMAP_SCAN
struct page_region {
	uint64_t start;
	uint64_t end;
	uint64_t categories;
};

struct pm_scan_arg {
	uint64_t size;
	uint64_t flags;
	uint64_t start;
	uint64_t end;
	uint64_t walk_end;
	uint64_t vec;
	uint64_t vec_len;
	uint64_t max_pages;
	uint64_t category_inv;
	uint64_t category_mask;
	uint64_t category_anyof_mask;
	uint64_t return_mask;
};

#define PAGEMAP_SCAN _IOWR('f', 16, struct pm_scan_arg)
#define PAGE_IS_WPALLOWED (1 << 0)
#define PAGE_IS_WRITTEN (1 << 1)
#define PAGE_IS_FILE (1 << 2)
#define PAGE_IS_PRESENT (1 << 3)
#define PM_SCAN_WP_MATCHING (1 << 0)
#define PM_SCAN_CHECK_WPASYNC (1 << 1)
#endif

#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif

#ifndef SIOCUNIXFILE
#define SIOCUNIXFILE (SIOCPROTOPRIVATE + 0)
#endif

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif

#ifndef SIOCGSKNS
#define SIOCGSKNS 0x894C
#endif

#ifndef SO_BUF_LOCK
#define SO_BUF_LOCK 72
#endif
#define BUF_LOCK_BOTH 3 /* SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK */

#ifndef IPV6_FREEBIND
#define IPV6_FREEBIND 78
#endif

/* struct clone_args of clone3(2), up to and including set_tid_size. */
struct clone3_args {
	uint64_t flags;
	uint64_t pidfd;
	uint64_t child_tid;
	uint64_t parent_tid;
	uint64_t exit_signal;
	uint64_t stack;
	uint64_t stack_size;
	uint64_t tls;
	uint64_t set_tid;
	uint64_t set_tid_size;
};

/* What PTRACE_GET_RSEQ_CONFIGURATION fills in. */
struct rseq_conf {
	uint64_t rseq_abi_pointer;
	uint32_t rseq_abi_size;
	uint32_t signature;
	uint32_t flags;
	uint32_t pad;
};

#define PROBE_TIMEOUT 5 /* seconds one probe may run */

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)
#define PM_UFFD_WP (1ULL << 57)
#define PM_SOFT_DIRTY (1ULL << 55)
#define PM_PFN_MASK ((1ULL << 55) - 1)

/*
 * A missing feature is not an error of criu: say why at warning level. The
 * message names the interface that failed and, with _pfail, errno's text.
 */
#define probe_fail(fmt, ...) pr_warn(fmt, ##__VA_ARGS__)
#define probe_pfail(fmt, ...) pr_warn(fmt ": %s", ##__VA_ARGS__, strerror(errno))

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/*
 * One shared page, inherited by every probe child, for messages a child
 * cannot log itself (after it has moved its own vDSO, gettimeofday() in the
 * log prefix would crash) and for details a probe hands back.
 */
static char *shared_note;
#define NOTE_SIZE 512

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	if (!shared_note)
		return;
	va_start(ap, fmt);
	vsnprintf(shared_note, NOTE_SIZE, fmt, ap);
	va_end(ap);
}

/* Detail a probe adds to "NAME is supported (DETAIL)". */
static char probe_detail[128];

/* ------------------------------------------------------------------------ */
/* Processes                                                                */
/* ------------------------------------------------------------------------ */

/*
 * fork() for helpers: the child dies with its parent. In a new pid namespace
 * the first child sees getppid() == 0, which is fine.
 */
static pid_t fork_helper(void)
{
	pid_t parent = getpid();
	pid_t pid = fork();

	if (pid < 0) {
		pr_perror("fork");
	} else if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent && getppid() != 0)
			_exit(1); /* the parent died before the line above */
	}
	return pid;
}

static int wait_pid(pid_t pid, int *status)
{
	while (waitpid(pid, status, __WALL) < 0) {
		if (errno != EINTR) {
			pr_perror("waitpid(%d)", pid);
			return -1;
		}
	}
	return 0;
}

/*
 * Kill @pid and reap it. A tracee of ours may sit in a ptrace stop that was
 * already reported (the exit event, where SIGKILL no longer wakes it): keep
 * resuming it until it is gone.
 */
static void kill_reap(pid_t pid)
{
	int status;
	pid_t r;

	if (pid <= 0)
		return;
	kill(pid, SIGKILL);
	for (;;) {
		r = waitpid(pid, &status, __WALL | WNOHANG);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (r == pid && (WIFEXITED(status) || WIFSIGNALED(status)))
			return;
		ptrace(PTRACE_CONT, pid, 0, 0);
		if (r == 0)
			usleep(1000);
	}
}

/* A child that only waits to be killed. */
static pid_t fork_sleeper(void)
{
	pid_t pid = fork_helper();

	if (pid == 0) {
		for (;;)
			pause();
	}
	return pid;
}

/* Wait for @pid at most @ms milliseconds, then kill it. Returns the status or -1. */
static int wait_child_timeout(pid_t pid, int ms)
{
	int status, pfd;

	pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd >= 0) {
		struct pollfd p = { .fd = pfd, .events = POLLIN };
		int r;

		do
			r = poll(&p, 1, ms);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			pr_warn("probe process %d still runs after %d ms, killing it", pid, ms);
			kill(pid, SIGKILL);
		}
		close(pfd);
	}
	if (wait_pid(pid, &status))
		return -1;
	return status;
}

static ssize_t read_file(const char *path, char *buf, size_t len);

/*
 * Kill and reap every child this process has, its own and orphans it
 * inherited as a subreaper, until none is left.
 */
static void reap_all_children(void)
{
	char path[64], buf[4096], *p, *e;

	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
	for (;;) {
		if (read_file(path, buf, sizeof(buf)) > 0) {
			for (p = buf; *p; p = e) {
				long pid = strtol(p, &e, 10);

				if (e == p)
					break;
				kill(pid, SIGKILL);
			}
		}
		if (waitpid(-1, NULL, __WALL) < 0 && errno == ECHILD)
			return;
	}
}

/* The probe process proper: alarm, namespaces, then @fn. */
static void __attribute__((noreturn)) probe_child(int (*fn)(void *), void *arg, int ns)
{
	alarm(PROBE_TIMEOUT);
	if (ns && unshare(ns)) {
		probe_pfail("unshare(%#x)", ns);
		_exit(1);
	}
	if ((ns & CLONE_NEWNS) && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		pr_perror("make / private in a new mount namespace");
		_exit(1);
	}
	_exit(fn(arg) ? 1 : 0);
}

/*
 * Run @fn in a forked child, after unshare(@ns) when @ns is not 0. A fresh
 * mount namespace is made private at once, so nothing mounted in it reaches
 * the host. Returns 0 when @fn returned 0, -1 otherwise.
 *
 * The probe runs under a keeper process, a child subreaper: if the probe
 * dies by its alarm, whatever it forked comes to the keeper, which kills
 * and reaps it, so not even a zombie is left to the machine's init.
 */
static int run_in_child(int (*fn)(void *), void *arg, int ns)
{
	int status;
	pid_t keeper, pid;

	keeper = fork_helper();
	if (keeper < 0)
		return -1;
	if (keeper == 0) {
		sigset_t none;

		/* whatever criu's caller ignored or blocked, the alarm must kill */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGALRM, SIG_DFL);
		alarm(PROBE_TIMEOUT + 1);
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
			pr_perror("PR_SET_CHILD_SUBREAPER");
		pid = fork_helper();
		if (pid < 0)
			_exit(1);
		if (pid == 0)
			probe_child(fn, arg, ns);
		if (wait_pid(pid, &status))
			_exit(1);
		reap_all_children();
		if (WIFSIGNALED(status)) {
			if (WTERMSIG(status) == SIGALRM)
				probe_fail("probe timed out after %d s", PROBE_TIMEOUT);
			else
				probe_fail("probe process killed by signal %d", WTERMSIG(status));
			_exit(1);
		}
		_exit(WEXITSTATUS(status) ? 1 : 0);
	}
	status = wait_child_timeout(keeper, (PROBE_TIMEOUT + 2) * 1000);
	if (status < 0)
		return -1;
	if (WIFSIGNALED(status)) {
		probe_fail("probe keeper process killed by signal %d", WTERMSIG(status));
		return -1;
	}
	return WEXITSTATUS(status) ? -1 : 0;
}

/*
 * A tracee: a child that runs @prep, says it is ready, then blocks reading a
 * pipe. A byte written with tracee_release() makes it exit with that code.
 */
struct tracee {
	pid_t pid;
	int go;
};

static int tracee_start(struct tracee *t, int (*prep)(void *), void *arg)
{
	int ready[2], go[2];
	char c;

	t->pid = -1;
	t->go = -1;
	if (pipe2(ready, O_CLOEXEC)) {
		pr_perror("pipe");
		return -1;
	}
	if (pipe2(go, O_CLOEXEC)) {
		pr_perror("pipe");
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	t->pid = fork_helper();
	if (t->pid == 0) {
		close(ready[0]);
		close(go[1]);
		if (prep && prep(arg))
			_exit(1);
		if (write(ready[1], "r", 1) != 1)
			_exit(1);
		c = 0;
		if (read(go[0], &c, 1) < 0)
			_exit(1);
		_exit(c);
	}
	close(ready[1]);
	close(go[0]);
	t->go = go[1];
	if (t->pid < 0 || read(ready[0], &c, 1) != 1) {
		if (t->pid > 0)
			probe_fail("tracee %d failed to prepare itself", t->pid);
		close(ready[0]);
		kill_reap(t->pid);
		close(t->go);
		t->pid = -1;
		t->go = -1;
		return -1;
	}
	close(ready[0]);
	return 0;
}

static int tracee_release(struct tracee *t, char code)
{
	if (write(t->go, &code, 1) != 1) {
		pr_perror("release tracee %d", t->pid);
		return -1;
	}
	return 0;
}

static void tracee_stop(struct tracee *t)
{
	kill_reap(t->pid);
	if (t->go >= 0)
		close(t->go);
	t->pid = -1;
	t->go = -1;
}

/* Wait for a ptrace stop of @pid with @event in the high bits of its status. */
static int wait_ptrace_event(pid_t pid, int event)
{
	int status;

	if (wait_pid(pid, &status))
		return -1;
	if (!WIFSTOPPED(status) || (status >> 16) != event) {
		probe_fail("tracee %d: wait status %#x, expected a stop for ptrace event %d", pid,
			   status, event);
		return -1;
	}
	return 0;
}

/* PTRACE_SEIZE with @options, then PTRACE_INTERRUPT and wait for the stop. */
static int seize_and_stop(pid_t pid, long options)
{
	if (ptrace(PTRACE_SEIZE, pid, 0, options)) {
		probe_pfail("PTRACE_SEIZE of %d", pid);
		return -1;
	}
	if (ptrace(PTRACE_INTERRUPT, pid, 0, 0)) {
		probe_pfail("PTRACE_INTERRUPT of %d", pid);
		return -1;
	}
	return wait_ptrace_event(pid, PTRACE_EVENT_STOP);
}

/* ------------------------------------------------------------------------ */
/* Small file helpers                                                       */
/* ------------------------------------------------------------------------ */

/* Read a whole (small) file into @buf, NUL-terminated. Returns its length or -1. */
static ssize_t read_file(const char *path, char *buf, size_t len)
{
	ssize_t n, total = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	while ((size_t)total < len - 1) {
		n = read(fd, buf + total, len - 1 - total);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			total = -1;
			break;
		}
		if (n == 0)
			break;
		total += n;
	}
	close(fd);
	if (total >= 0)
		buf[total] = 0;
	return total;
}

static int write_file(const char *path, const char *data)
{
	size_t len = strlen(data);
	int fd, ret = 0;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, data, len) != (ssize_t)len)
		ret = -1;
	if (close(fd))
		ret = -1;
	return ret;
}

/* Copy the line of @path starting with @key into @line. Returns 0 if found. */
static int grep_file(const char *path, const char *key, char *line, size_t len)
{
	static char buf[65536];
	size_t klen = strlen(key);
	char *p, *e;

	if (read_file(path, buf, sizeof(buf)) < 0) {
		probe_pfail("read %s", path);
		return -1;
	}
	for (p = buf; *p; p = e + 1) {
		e = strchrnul(p, '\n');
		if (!strncmp(p, key, klen)) {
			snprintf(line, len, "%.*s", (int)(e - p), p);
			return 0;
		}
		if (!*e)
			break;
	}
	return -1;
}

static int fdinfo_line(int fd, const char *key, char *line, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	if (grep_file(path, key, line, len)) {
		probe_fail("no \"%s\" line in %s", key, path);
		return -1;
	}
	return 0;
}

/* Inode number of namespace @name of this process, or 0. */
static ino_t ns_ino(const char *name)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", name);
	if (stat(path, &st)) {
		probe_pfail("stat %s", path);
		return 0;
	}
	return st.st_ino;
}

/* Find the mapping named @name ("[vdso]") in /proc/self/maps. */
static int find_mapping(const char *name, unsigned long *start, unsigned long *end)
{
	static char buf[65536];
	char *line, *save = NULL;

	if (read_file("/proc/self/maps", buf, sizeof(buf)) < 0)
		return -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t ll = strlen(line), nl = strlen(name);

		if (ll > nl && !strcmp(line + ll - nl, name) && line[ll - nl - 1] == ' ' &&
		    sscanf(line, "%lx-%lx", start, end) == 2)
			return 0;
	}
	return -1;
}

static int pagemap_entry(int fd, void *addr, uint64_t *e)
{
	off_t off = (uintptr_t)addr / page_size() * sizeof(*e);

	if (pread(fd, e, sizeof(*e), off) != sizeof(*e)) {
		probe_pfail("read pagemap entry of %p", addr);
		return -1;
	}
	return 0;
}

/* Mount a tmpfs on /tmp of this (private) mount namespace. */
static int private_tmp(void)
{
	if (mount("criu-check", "/tmp", "tmpfs", 0, "size=1m,mode=0700")) {
		pr_perror("mount tmpfs on /tmp in a private mount namespace");
		return -1;
	}
	return 0;
}

/* Bring the loopback of the current network namespace up. */
static int loopback_up(void)
{
	struct ifreq ifr = {};
	int sk, ret = -1;

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		pr_perror("socket(AF_INET, SOCK_DGRAM)");
		return -1;
	}
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(sk, SIOCGIFFLAGS, &ifr)) {
		pr_perror("SIOCGIFFLAGS lo");
		goto out;
	}
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(sk, SIOCSIFFLAGS, &ifr)) {
		pr_perror("SIOCSIFFLAGS lo up");
		goto out;
	}
	ret = 0;
out:
	close(sk);
	return ret;
}

static void close_fds(int *fds, int n)
{
	for (int i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* ------------------------------------------------------------------------ */
/* External tools (iptables-legacy, nft)                                    */
/* ------------------------------------------------------------------------ */

static int find_exe(const char *name, char *out, size_t len)
{
	const char *env = getenv("PATH");
	char dirs[PATH_MAX * 2];
	char *dir, *save = NULL;

	snprintf(dirs, sizeof(dirs), "%s:/usr/local/sbin:/usr/sbin:/sbin:/usr/bin:/bin",
		 env ? env : "");
	for (dir = strtok_r(dirs, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, len, "%s/%s", dir, name);
		if (!access(out, X_OK))
			return 0;
	}
	return -1;
}

/* Run @argv with @input on its stdin. Returns 0 when it exits 0. */
static int run_tool(const char *const argv[], const char *input)
{
	char exe[PATH_MAX], out[4096];
	int in_p[2], out_p[2], status;
	size_t used = 0;
	ssize_t n;
	pid_t pid;

	if (find_exe(argv[0], exe, sizeof(exe))) {
		probe_fail("%s: not found in PATH nor in the sbin directories", argv[0]);
		return -1;
	}
	if (pipe2(in_p, O_CLOEXEC)) {
		pr_perror("pipe");
		return -1;
	}
	if (pipe2(out_p, O_CLOEXEC)) {
		pr_perror("pipe");
		close_fds(in_p, 2);
		return -1;
	}
	pid = fork_helper();
	if (pid == 0) {
		if (dup2(in_p[0], 0) < 0 || dup2(out_p[1], 1) < 0 || dup2(out_p[1], 2) < 0)
			_exit(127);
		execv(exe, (char *const *)argv);
		_exit(127);
	}
	close(in_p[0]);
	close(out_p[1]);
	if (pid < 0) {
		close(in_p[1]);
		close(out_p[0]);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN); /* a tool that exits early must not kill the probe */
	if (input && write(in_p[1], input, strlen(input)) != (ssize_t)strlen(input))
		pr_perror("write the input of %s", exe);
	close(in_p[1]);
	while ((n = read(out_p[0], out + used, sizeof(out) - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		used += n;
		if (used == sizeof(out) - 1) {
			char sink[512];

			while (read(out_p[0], sink, sizeof(sink)) > 0)
				;
			break;
		}
	}
	out[used] = 0;
	close(out_p[0]);
	if (wait_pid(pid, &status))
		return -1;
	pr_debug("%s %s: status %#x, output:\n%s", exe, argv[1] ? argv[1] : "", status, out);
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		char *nl = strchr(out, '\n');

		if (nl)
			*nl = 0;
		probe_fail("%s failed (status %#x): %s", exe, status, out);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Netlink                                                                  */
/* ------------------------------------------------------------------------ */

static uint32_t nl_seq;

static int nl_open(int proto)
{
	struct timeval tv = { .tv_sec = 3 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, proto);
	if (fd < 0) {
		probe_pfail("socket(AF_NETLINK, %d)", proto);
		return -1;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

/* Start a request in @buf with a family header @hdr of @hlen bytes. */
static struct nlmsghdr *nl_new(void *buf, size_t cap, int type, int flags, const void *hdr,
			       size_t hlen)
{
	struct nlmsghdr *h = buf;

	memset(buf, 0, cap);
	h->nlmsg_len = NLMSG_LENGTH(hlen);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	if (hlen)
		memcpy(NLMSG_DATA(h), hdr, hlen);
	return h;
}

/* Append an attribute; requests here are small, @cap is checked all the same. */
static struct rtattr *nl_attr(struct nlmsghdr *h, size_t cap, int type, const void *data,
			      size_t len)
{
	size_t off = NLMSG_ALIGN(h->nlmsg_len);
	struct rtattr *a = (struct rtattr *)((char *)h + off);

	if (off + RTA_SPACE(len) > cap) {
		pr_err("netlink request of type %d does not fit %zu bytes", h->nlmsg_type, cap);
		_exit(1); /* only ever called in probe children */
	}
	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = off + RTA_SPACE(len);
	return a;
}

static void nl_attr_str(struct nlmsghdr *h, size_t cap, int type, const char *s)
{
	nl_attr(h, cap, type, s, strlen(s) + 1);
}

static void nl_attr_u32(struct nlmsghdr *h, size_t cap, int type, uint32_t v)
{
	nl_attr(h, cap, type, &v, sizeof(v));
}

static void nl_nest_end(struct nlmsghdr *h, struct rtattr *nest)
{
	nest->rta_len = (char *)h + h->nlmsg_len - (char *)nest;
}

typedef int (*nl_cb_t)(struct nlmsghdr *h, void *arg);

/*
 * Send @len bytes (one message or a batch) and read replies to sequence
 * number @seq until an acknowledgement, the end of a dump, or an error; data
 * messages go to @cb. Returns 0 or a negative errno.
 */
static int nl_exchange(int fd, const void *msg, size_t len, uint32_t seq, nl_cb_t cb, void *arg)
{
	static char buf[32768];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	ssize_t n;

	if (sendto(fd, msg, len, 0, (struct sockaddr *)&sa, sizeof(sa)) != (ssize_t)len) {
		probe_pfail("send a netlink request");
		return -errno;
	}
	for (;;) {
		struct nlmsghdr *h;

		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			probe_pfail("receive a netlink reply");
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				int err = 0;

				/* a dump that failed to start says why here */
				if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(err)))
					memcpy(&err, NLMSG_DATA(h), sizeof(err));
				return err < 0 ? err : 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error;
			}
			if (cb) {
				int r = cb(h, arg);

				if (r < 0)
					return r;
			}
		}
	}
}

/* One request with an acknowledgement asked for. */
static int nl_talk(int fd, struct nlmsghdr *h, nl_cb_t cb, void *arg)
{
	h->nlmsg_seq = ++nl_seq;
	h->nlmsg_flags |= NLM_F_ACK;
	return nl_exchange(fd, h, h->nlmsg_len, h->nlmsg_seq, cb, arg);
}

/* ------------------------------------------------------------------------ */
/* Probes: ptrace and processes                                             */
/* ------------------------------------------------------------------------ */

/* Seize with every option dump uses, interrupt, resume, and see the exit event. */
static int do_ptrace_seize(void *arg)
{
	long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXIT | PTRACE_O_TRACECLONE |
		       PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK | PTRACE_O_EXITKILL;
	unsigned long msg = 0;
	struct tracee t;
	int ret = -1;

	if (tracee_start(&t, NULL, NULL))
		return -1;
	if (seize_and_stop(t.pid, options))
		goto out;
	if (ptrace(PTRACE_SETOPTIONS, t.pid, 0, options)) {
		probe_pfail("PTRACE_SETOPTIONS %#lx", options);
		goto out;
	}
	if (ptrace(PTRACE_CONT, t.pid, 0, 0)) {
		probe_pfail("PTRACE_CONT");
		goto out;
	}
	if (tracee_release(&t, 7) || wait_ptrace_event(t.pid, PTRACE_EVENT_EXIT))
		goto out;
	if (ptrace(PTRACE_GETEVENTMSG, t.pid, 0, &msg)) {
		probe_pfail("PTRACE_GETEVENTMSG at exit");
		goto out;
	}
	if (!WIFEXITED(msg) || WEXITSTATUS(msg) != 7) {
		probe_fail("PTRACE_EVENT_EXIT reported status %#lx, expected exit code 7", msg);
		goto out;
	}
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

static uint64_t sigbit(int sig)
{
	return 1ULL << (sig - 1);
}

static int block_sigs(void *arg)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, SIGRTMIN + 2);
	return sigprocmask(SIG_SETMASK, &set, NULL);
}

static int do_ptrace_sigmask(void *arg)
{
	uint64_t want = sigbit(SIGUSR1) | sigbit(SIGUSR2) | sigbit(SIGRTMIN + 2);
	uint64_t mask = 0, set = sigbit(SIGHUP) | sigbit(SIGRTMIN + 5);
	struct tracee t;
	int ret = -1;

	if (tracee_start(&t, block_sigs, NULL))
		return -1;
	if (seize_and_stop(t.pid, 0))
		goto out;
	if (ptrace(PTRACE_GETSIGMASK, t.pid, sizeof(mask), &mask)) {
		probe_pfail("PTRACE_GETSIGMASK");
		goto out;
	}
	if ((mask & want) != want) {
		probe_fail("PTRACE_GETSIGMASK returned %#" PRIx64 ", expected bits %#" PRIx64, mask,
			   want);
		goto out;
	}
	if (ptrace(PTRACE_SETSIGMASK, t.pid, sizeof(set), &set)) {
		probe_pfail("PTRACE_SETSIGMASK");
		goto out;
	}
	mask = 0;
	if (ptrace(PTRACE_GETSIGMASK, t.pid, sizeof(mask), &mask) || mask != set) {
		probe_fail("PTRACE_SETSIGMASK %#" PRIx64 " did not stick (read back %#" PRIx64 ")",
			   set, mask);
		goto out;
	}
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

/* Queue one signal per queue with rt_(tg)sigqueueinfo and read both back. */
static int do_ptrace_peeksiginfo(void *arg)
{
	struct __ptrace_peeksiginfo_args pa = { .off = 0, .nr = 4 };
	siginfo_t si, got[4];
	struct tracee t;
	int ret = -1, n;

	if (tracee_start(&t, block_sigs, NULL))
		return -1;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_QUEUE;
	si.si_pid = getpid();
	si.si_uid = getuid();
	si.si_signo = SIGUSR1;
	si.si_value.sival_int = 0x1234;
	if (syscall(SYS_rt_tgsigqueueinfo, t.pid, t.pid, SIGUSR1, &si)) {
		probe_pfail("rt_tgsigqueueinfo");
		goto out;
	}
	si.si_signo = SIGUSR2;
	si.si_value.sival_int = 0x5678;
	if (syscall(SYS_rt_sigqueueinfo, t.pid, SIGUSR2, &si)) {
		probe_pfail("rt_sigqueueinfo");
		goto out;
	}
	if (seize_and_stop(t.pid, 0))
		goto out;
	n = ptrace(PTRACE_PEEKSIGINFO, t.pid, &pa, got);
	if (n != 1 || got[0].si_signo != SIGUSR1 || got[0].si_value.sival_int != 0x1234) {
		probe_pfail("PTRACE_PEEKSIGINFO of the thread queue (got %d entries)", n);
		goto out;
	}
	pa.flags = PTRACE_PEEKSIGINFO_SHARED;
	n = ptrace(PTRACE_PEEKSIGINFO, t.pid, &pa, got);
	if (n != 1 || got[0].si_signo != SIGUSR2 || got[0].si_value.sival_int != 0x5678) {
		probe_pfail("PTRACE_PEEKSIGINFO of the shared queue (got %d entries)", n);
		goto out;
	}
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

/* General registers and the full xsave area, read and written back. */
static int do_xsave(void *arg)
{
	static uint8_t xs[65536] __attribute__((aligned(64)));
	struct user_regs_struct regs;
	struct iovec iov;
	uint64_t xcr0, xbv;
	struct tracee t;
	int ret = -1;

	if (tracee_start(&t, NULL, NULL))
		return -1;
	if (seize_and_stop(t.pid, 0))
		goto out;
	iov.iov_base = &regs;
	iov.iov_len = sizeof(regs);
	if (ptrace(PTRACE_GETREGSET, t.pid, NT_PRSTATUS, &iov) || iov.iov_len != sizeof(regs) ||
	    !regs.rip) {
		probe_pfail("PTRACE_GETREGSET NT_PRSTATUS");
		goto out;
	}
	iov.iov_base = xs;
	iov.iov_len = sizeof(xs);
	if (ptrace(PTRACE_GETREGSET, t.pid, NT_X86_XSTATE, &iov)) {
		probe_pfail("PTRACE_GETREGSET NT_X86_XSTATE");
		goto out;
	}
	if (iov.iov_len < 576) {
		probe_fail("NT_X86_XSTATE returned %zu bytes, less than the legacy area and header",
			   iov.iov_len);
		goto out;
	}
	/* the kernel puts XCR0 in the software-reserved bytes of the legacy area */
	memcpy(&xcr0, xs + 464, sizeof(xcr0));
	memcpy(&xbv, xs + 512, sizeof(xbv));
	if ((xcr0 & 3) != 3 || (xbv & ~xcr0)) {
		probe_fail("NT_X86_XSTATE: xcr0 %#" PRIx64 " xstate_bv %#" PRIx64 " make no sense",
			   xcr0, xbv);
		goto out;
	}
	if (ptrace(PTRACE_SETREGSET, t.pid, NT_X86_XSTATE, &iov)) {
		probe_pfail("PTRACE_SETREGSET NT_X86_XSTATE");
		goto out;
	}
	pr_debug("xsave area: %zu bytes, xcr0 %#" PRIx64, iov.iov_len, xcr0);
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

static int do_proc_children(void *arg)
{
	char path[64], buf[256], want[32];
	int ret = -1;
	pid_t pid;

	pid = fork_sleeper();
	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/self/task/%d/children", (int)gettid());
	snprintf(want, sizeof(want), "%d ", pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		probe_pfail("read %s", path);
	else if (strncmp(buf, want, strlen(want)))
		probe_fail("%s says \"%s\", expected the child %d", path, buf, pid);
	else
		ret = 0;
	kill_reap(pid);
	return ret;
}

/* Open a file mapping of another process through /proc/PID/map_files. */
static int do_map_files(void *arg)
{
	static char maps[65536];
	char path[64], link[128], target[PATH_MAX];
	unsigned long start, end, ino = 0;
	char *line, *save = NULL, file[PATH_MAX];
	struct stat st;
	int ret = -1, fd;
	ssize_t n;
	pid_t pid;

	pid = fork_sleeper();
	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	if (read_file(path, maps, sizeof(maps)) < 0) {
		probe_pfail("read %s", path);
		goto out;
	}
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "%lx-%lx %*s %*x %*x:%*x %lu %4095s", &start, &end, &ino, file) ==
			    4 &&
		    ino && file[0] == '/')
			break;
	}
	if (!line) {
		probe_fail("no file mapping in %s", path);
		goto out;
	}
	snprintf(link, sizeof(link), "/proc/%d/map_files/%lx-%lx", pid, start, end);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0) {
		probe_pfail("readlink %s", link);
		goto out;
	}
	target[n] = 0;
	if (strcmp(target, file)) {
		probe_fail("%s points to %s, the mapping is of %s", link, target, file);
		goto out;
	}
	fd = open(link, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_pfail("open %s", link);
		goto out;
	}
	if (fstat(fd, &st) || st.st_ino != ino)
		probe_fail("%s opened a different file", link);
	else
		ret = 0;
	close(fd);
out:
	kill_reap(pid);
	return ret;
}

/* /proc/PID/pagemap of another process: present page with PFN, absent page. */
static int do_pagemap(void *arg)
{
	long ps = page_size();
	uint64_t e0, e1;
	char path[64];
	int fd, ret = -1;
	char *buf;
	pid_t pid;

	buf = mmap(NULL, 2 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		pr_perror("mmap");
		return -1;
	}
	buf[0] = 1;
	pid = fork_sleeper();
	if (pid < 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%d/pagemap", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_pfail("open %s", path);
		goto out;
	}
	if (pagemap_entry(fd, buf, &e0) || pagemap_entry(fd, buf + ps, &e1))
		goto out_close;
	if (!(e0 & PM_PRESENT) || !(e0 & PM_PFN_MASK))
		probe_fail("%s: touched page not reported present with a PFN (%#" PRIx64 ")",
			   path, e0);
	else if (e1 & (PM_PRESENT | PM_SWAPPED))
		probe_fail("%s: untouched page reported present (%#" PRIx64 ")", path, e1);
	else
		ret = 0;
out_close:
	close(fd);
out:
	kill_reap(pid);
	return ret;
}

static int do_process_vm_readv(void *arg)
{
	char buf[4096], got[4096];
	struct iovec l = { got, sizeof(got) }, r = { buf, sizeof(buf) };
	int ret = -1;
	pid_t pid;

	memset(buf, 'A', sizeof(buf));
	pid = fork_sleeper();
	if (pid < 0)
		return -1;
	memset(buf, 'B', sizeof(buf)); /* the child keeps its 'A' copy */
	if (process_vm_readv(pid, &l, 1, &r, 1, 0) != sizeof(got))
		probe_pfail("process_vm_readv from %d", pid);
	else if (got[0] != 'A' || got[sizeof(got) - 1] != 'A')
		probe_fail("process_vm_readv read our own memory, not the child's");
	else
		ret = 0;
	kill_reap(pid);
	return ret;
}

static long kcmp(pid_t a, pid_t b, int type, unsigned long x, unsigned long y)
{
	return syscall(SYS_kcmp, a, b, type, x, y);
}

static int do_kcmp(void *arg)
{
	pid_t me = getpid(), pid;
	int p[2], ret = -1;

	if (pipe2(p, O_CLOEXEC)) {
		pr_perror("pipe");
		return -1;
	}
	pid = fork_sleeper();
	if (pid < 0)
		goto out;
	if (kcmp(me, pid, KCMP_FILE, p[0], p[0]) != 0)
		probe_pfail("kcmp(KCMP_FILE) of an inherited fd does not say equal");
	else if (kcmp(me, pid, KCMP_FILE, p[0], p[1]) <= 0)
		probe_pfail("kcmp(KCMP_FILE) of two pipe ends does not say different");
	else if (kcmp(me, pid, KCMP_VM, 0, 0) <= 0 || kcmp(me, me, KCMP_VM, 0, 0) != 0)
		probe_pfail("kcmp(KCMP_VM)");
	else if (kcmp(me, pid, KCMP_FILES, 0, 0) <= 0 || kcmp(me, pid, KCMP_FS, 0, 0) <= 0)
		probe_pfail("kcmp(KCMP_FILES/KCMP_FS)");
	else
		ret = 0;
	kill_reap(pid);
out:
	close_fds(p, 2);
	return ret;
}

static int do_kcmp_epoll(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct kcmp_epoll_slot slot;
	int efd, ep, other, ret = -1;
	pid_t me = getpid();

	efd = eventfd(0, EFD_CLOEXEC);
	other = eventfd(0, EFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (efd < 0 || other < 0 || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, efd, &ev)) {
		pr_perror("set up an epoll with an eventfd");
		goto out;
	}
	slot = (struct kcmp_epoll_slot){ .efd = ep, .tfd = efd, .toff = 0 };
	if (kcmp(me, me, KCMP_EPOLL_TFD, efd, (unsigned long)&slot) != 0)
		probe_pfail("kcmp(KCMP_EPOLL_TFD) of the epoll target");
	else if (kcmp(me, me, KCMP_EPOLL_TFD, other, (unsigned long)&slot) <= 0)
		probe_pfail("kcmp(KCMP_EPOLL_TFD) of another file");
	else
		ret = 0;
out:
	close(efd);
	close(other);
	close(ep);
	return ret;
}

static int do_pidfd_getfd(void *arg)
{
	int efd, pfd = -1, nfd = -1, ret = -1;
	uint64_t v = 5;
	pid_t pid;

	efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0) {
		pr_perror("eventfd");
		return -1;
	}
	pid = fork_sleeper();
	if (pid < 0)
		goto out;
	pfd = syscall(SYS_pidfd_open, pid, 0);
	if (pfd < 0) {
		probe_pfail("pidfd_open(%d)", pid);
		goto out_kill;
	}
	nfd = syscall(SYS_pidfd_getfd, pfd, efd, 0);
	if (nfd < 0) {
		probe_pfail("pidfd_getfd of fd %d of %d", efd, pid);
		goto out_kill;
	}
	if (kcmp(getpid(), getpid(), KCMP_FILE, efd, nfd) != 0) {
		probe_fail("pidfd_getfd returned another file than the child's fd");
		goto out_kill;
	}
	if (write(nfd, &v, sizeof(v)) != sizeof(v) || read(efd, &v, sizeof(v)) != sizeof(v) ||
	    v != 5) {
		probe_fail("the fd from pidfd_getfd does not share the eventfd counter");
		goto out_kill;
	}
	ret = 0;
out_kill:
	kill_reap(pid);
out:
	if (nfd >= 0)
		close(nfd);
	if (pfd >= 0)
		close(pfd);
	close(efd);
	return ret;
}

static pid_t clone3_tid(pid_t tid)
{
	struct clone3_args ca = {
		.exit_signal = SIGCHLD,
		.set_tid = (uintptr_t)&tid,
		.set_tid_size = 1,
	};

	return syscall(SYS_clone3, &ca, sizeof(ca));
}

/* Runs as pid 1 of a fresh pid namespace. */
static int clone3_set_tid_in_ns(void)
{
	const pid_t want = 4242;
	int status;
	pid_t pid;

	pid = clone3_tid(want);
	if (pid == 0)
		_exit(syscall(SYS_getpid) == want ? 0 : 3);
	if (pid < 0) {
		probe_pfail("clone3 with set_tid %d", want);
		return -1;
	}
	if (wait_pid(pid, &status))
		return -1;
	if (pid != want || !WIFEXITED(status) || WEXITSTATUS(status)) {
		probe_fail("clone3 with set_tid %d made pid %d (status %#x)", want, pid, status);
		return -1;
	}
	/* a pid in use must be refused */
	pid = clone3_tid(1);
	if (pid == 0)
		_exit(0);
	if (pid > 0) {
		wait_pid(pid, &status);
		probe_fail("clone3 with set_tid 1 (taken) made pid %d", pid);
		return -1;
	}
	if (errno != EEXIST) {
		probe_pfail("clone3 with a taken set_tid: expected EEXIST");
		return -1;
	}
	return 0;
}

static int do_clone3_set_tid(void *arg)
{
	int status;
	pid_t pid;

	pid = fork_helper(); /* pid 1 of the namespace unshared by run_in_child */
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(clone3_set_tid_in_ns() ? 1 : 0);
	if (wait_pid(pid, &status))
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* Fields of /proc/self/stat by their 1-based number in proc(5). */
static int read_stat_fields(unsigned long long *f, int max)
{
	char buf[2048], *p, *save = NULL;
	int i;

	if (read_file("/proc/self/stat", buf, sizeof(buf)) < 0) {
		probe_pfail("read /proc/self/stat");
		return -1;
	}
	p = strrchr(buf, ')');
	if (!p)
		return -1;
	memset(f, 0, max * sizeof(*f));
	/* field 3 (state) follows ") " */
	p = strtok_r(p + 2, " ", &save);
	for (i = 3; p && i < max; i++, p = strtok_r(NULL, " ", &save))
		f[i] = strtoull(p, NULL, 10);
	if (i <= 51) {
		probe_fail("/proc/self/stat has only %d fields", i - 1);
		return -1;
	}
	return 0;
}

/* PR_SET_MM_MAP with this process's own current values, as restore does. */
static int do_prctl_mm_map(void *arg)
{
	static __u64 auxv[256];
	unsigned long long f[64];
	struct prctl_mm_map m = {};
	unsigned int size = 0;
	ssize_t n;
	int fd;

	if (prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE, (unsigned long)&size, 0, 0)) {
		probe_pfail("prctl(PR_SET_MM, PR_SET_MM_MAP_SIZE)");
		return -1;
	}
	if (size != sizeof(m)) {
		probe_fail("PR_SET_MM_MAP_SIZE says %u, struct prctl_mm_map is %zu", size,
			   sizeof(m));
		return -1;
	}
	if (read_stat_fields(f, 64))
		return -1;
	fd = open("/proc/self/auxv", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_pfail("open /proc/self/auxv");
		return -1;
	}
	n = read(fd, auxv, sizeof(auxv));
	close(fd);
	if (n <= 0) {
		probe_pfail("read /proc/self/auxv");
		return -1;
	}
	m.start_code = f[26];
	m.end_code = f[27];
	m.start_stack = f[28];
	m.start_data = f[45];
	m.end_data = f[46];
	m.start_brk = f[47];
	m.brk = syscall(SYS_brk, 0);
	m.arg_start = f[48];
	m.arg_end = f[49];
	m.env_start = f[50];
	m.env_end = f[51];
	m.auxv = auxv;
	m.auxv_size = n;
	m.exe_fd = -1;
	if (prctl(PR_SET_MM, PR_SET_MM_MAP, (unsigned long)&m, sizeof(m), 0)) {
		probe_pfail("prctl(PR_SET_MM, PR_SET_MM_MAP)");
		return -1;
	}
	if (read_stat_fields(f, 64))
		return -1;
	if (f[48] != m.arg_start || f[51] != m.env_end || f[47] != m.start_brk) {
		probe_fail("PR_SET_MM_MAP did not keep the values it was given");
		return -1;
	}
	return 0;
}

/*
 * The vDSO is there, is an ELF image, and moves with mremap() together with
 * its data pages, as restore moves it. No logging after the move: glibc
 * still calls the vDSO at its old address.
 */
static int do_vdso(void *arg)
{
	static const char *const names[] = { "[vvar]", "[vvar_vclock]", "[vdso]" };
	unsigned long start[3], end[3], lo = ULONG_MAX, hi = 0, ehdr, s, e;
	unsigned int i, n = 0;
	char *hole;

	ehdr = getauxval(AT_SYSINFO_EHDR);
	if (!ehdr) {
		probe_fail("no AT_SYSINFO_EHDR in the auxiliary vector");
		return -1;
	}
	if (memcmp((void *)ehdr, ELFMAG, SELFMAG)) {
		probe_fail("AT_SYSINFO_EHDR %#lx does not point to an ELF header", ehdr);
		return -1;
	}
	for (i = 0; i < 3; i++) {
		start[i] = end[i] = 0;
		if (find_mapping(names[i], &start[i], &end[i]))
			continue;
		n++;
		lo = start[i] < lo ? start[i] : lo;
		hi = end[i] > hi ? end[i] : hi;
	}
	if (!start[2] || start[2] != ehdr) {
		probe_fail("[vdso] in /proc/self/maps is not at AT_SYSINFO_EHDR %#lx", ehdr);
		return -1;
	}
	pr_debug("vdso: %u special mappings in %#lx-%#lx", n, lo, hi);
	hole = mmap(NULL, hi - lo, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED) {
		pr_perror("mmap a hole for the vDSO");
		return -1;
	}
	for (i = 0; i < 3; i++) {
		if (!start[i])
			continue;
		if (mremap((void *)start[i], end[i] - start[i], end[i] - start[i],
			   MREMAP_MAYMOVE | MREMAP_FIXED, hole + (start[i] - lo)) == MAP_FAILED) {
			note("mremap of %s: %s", names[i], strerror(errno));
			return -1;
		}
	}
	if (find_mapping("[vdso]", &s, &e) || s != (unsigned long)hole + (start[2] - lo)) {
		note("[vdso] is not where mremap() put it");
		return -1;
	}
	return 0;
}

static int do_can_map_vdso(void *arg)
{
	unsigned long s, e, lo = ULONG_MAX, hi = 0;
	static const char *const names[] = { "[vvar]", "[vvar_vclock]", "[vdso]" };
	char *hole;
	long size;

	for (unsigned int i = 0; i < 3; i++) {
		if (find_mapping(names[i], &s, &e))
			continue;
		lo = s < lo ? s : lo;
		hi = e > hi ? e : hi;
	}
	if (!hi) {
		probe_fail("no vDSO mapped");
		return -1;
	}
	hole = mmap(NULL, 4 * (hi - lo), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED) {
		pr_perror("mmap");
		return -1;
	}
	munmap(hole, 4 * (hi - lo));
	/* From here on no vDSO: no logging, messages go through note(). */
	if (munmap((void *)lo, hi - lo)) {
		note("munmap the vDSO: %s", strerror(errno));
		return -1;
	}
	size = syscall(SYS_arch_prctl, ARCH_MAP_VDSO_64, (unsigned long)hole + (hi - lo));
	if (size <= 0) {
		note("arch_prctl(ARCH_MAP_VDSO_64): %s", strerror(errno));
		return -1;
	}
	if (find_mapping("[vdso]", &s, &e) || s < (unsigned long)hole) {
		note("arch_prctl(ARCH_MAP_VDSO_64) mapped no [vdso] where asked");
		return -1;
	}
	return 0;
}

static int prep_seccomp(void *arg)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = 2, .filter = f };

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? -1 : 0;
}

static int do_seccomp_filters(void *arg)
{
	struct sock_filter f[4];
	struct tracee t;
	int ret = -1;
	long n;

	if (tracee_start(&t, prep_seccomp, NULL)) {
		probe_fail("could not give a child a seccomp filter");
		return -1;
	}
	if (seize_and_stop(t.pid, 0))
		goto out;
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, t.pid, 0, NULL);
	if (n != 2) {
		probe_pfail("PTRACE_SECCOMP_GET_FILTER count returned %ld, expected 2", n);
		goto out;
	}
	n = ptrace(PTRACE_SECCOMP_GET_FILTER, t.pid, 0, f);
	if (n != 2 || f[1].code != (BPF_RET | BPF_K) || f[1].k != SECCOMP_RET_ALLOW) {
		probe_pfail("PTRACE_SECCOMP_GET_FILTER returned another filter");
		goto out;
	}
	if (ptrace(PTRACE_SECCOMP_GET_FILTER, t.pid, 1, f) >= 0 || errno != ENOENT) {
		probe_pfail("PTRACE_SECCOMP_GET_FILTER past the last filter: expected ENOENT");
		goto out;
	}
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

static int do_seccomp_suspend(void *arg)
{
	struct tracee t;
	int ret = -1;

	if (tracee_start(&t, prep_seccomp, NULL)) {
		probe_fail("could not give a child a seccomp filter");
		return -1;
	}
	if (seize_and_stop(t.pid, PTRACE_O_SUSPEND_SECCOMP))
		goto out;
	if (ptrace(PTRACE_SETOPTIONS, t.pid, 0, PTRACE_O_SUSPEND_SECCOMP | PTRACE_O_TRACESYSGOOD))
		probe_pfail("PTRACE_SETOPTIONS PTRACE_O_SUSPEND_SECCOMP");
	else
		ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

static int do_get_rseq_conf(void *arg)
{
	struct rseq_conf c = {};
	struct tracee t;
	uint64_t want;
	int ret = -1;
	long n;

	if (tracee_start(&t, NULL, NULL))
		return -1;
	if (seize_and_stop(t.pid, 0))
		goto out;
	n = ptrace(PTRACE_GET_RSEQ_CONFIGURATION, t.pid, sizeof(c), &c);
	if (n != sizeof(c)) {
		probe_pfail("PTRACE_GET_RSEQ_CONFIGURATION returned %ld", n);
		goto out;
	}
	/* glibc registered rseq for the thread we forked from: same address */
	want = (uintptr_t)__builtin_thread_pointer() + (uintptr_t)__rseq_offset;
	if (__rseq_size && c.rseq_abi_pointer != want) {
		probe_fail("PTRACE_GET_RSEQ_CONFIGURATION: rseq area %#" PRIx64
			   ", glibc registered %#" PRIx64,
			   c.rseq_abi_pointer, want);
		goto out;
	}
	ret = 0;
out:
	tracee_stop(&t);
	return ret;
}

/* Write our own loginuid back, as restore does for every task. */
static int do_loginuid(void *arg)
{
	char buf[32];

	if (read_file("/proc/self/loginuid", buf, sizeof(buf)) <= 0) {
		probe_pfail("read /proc/self/loginuid");
		return -1;
	}
	if (write_file("/proc/self/loginuid", buf)) {
		probe_pfail("write %s back to /proc/self/loginuid", buf);
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Probes: memory                                                           */
/* ------------------------------------------------------------------------ */

static long pagemap_scan(int fd, void *start, void *end, struct page_region *vec, size_t nvec,
			 uint64_t flags, uint64_t mask, uint64_t ret_mask)
{
	struct pm_scan_arg a = {
		.size = sizeof(a),
		.flags = flags,
		.start = (uintptr_t)start,
		.end = (uintptr_t)end,
		.vec = (uintptr_t)vec,
		.vec_len = nvec,
		.category_mask = mask,
		.return_mask = ret_mask,
	};

	return ioctl(fd, PAGEMAP_SCAN, &a);
}

static int do_pagemap_scan(void *arg)
{
	long ps = page_size(), n;
	struct page_region r[4];
	int fd, ret = -1;
	char *buf;

	buf = mmap(NULL, 4 * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		pr_perror("mmap");
		return -1;
	}
	buf[0] = 1;
	buf[2 * ps] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		probe_pfail("open /proc/self/pagemap");
		return -1;
	}
	n = pagemap_scan(fd, buf, buf + 4 * ps, r, 4, 0, PAGE_IS_PRESENT, PAGE_IS_PRESENT);
	if (n < 0)
		probe_pfail("ioctl(PAGEMAP_SCAN)");
	else if (n != 2 || r[0].start != (uintptr_t)buf || r[0].end != (uintptr_t)buf + ps ||
		 r[1].start != (uintptr_t)buf + 2 * ps || !(r[1].categories & PAGE_IS_PRESENT))
		probe_fail("PAGEMAP_SCAN found %ld present regions, expected pages 0 and 2", n);
	else
		ret = 0;
	close(fd);
	return ret;
}

/* Open a userfaultfd (syscall, else /dev/userfaultfd) and do the API handshake. */
static int uffd_open(uint64_t features, uint64_t *avail, uint64_t *ioctls)
{
	struct uffdio_api api = { .api = UFFD_API, .features = features };
	int fd, dev;

	fd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		int e = errno;

		dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
		if (dev < 0) {
			probe_pfail("userfaultfd() failed (%s), and open /dev/userfaultfd",
				    strerror(e));
			return -1;
		}
		fd = ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK);
		close(dev);
		if (fd < 0) {
			probe_pfail("USERFAULTFD_IOC_NEW on /dev/userfaultfd");
			return -1;
		}
	}
	if (ioctl(fd, UFFDIO_API, &api)) {
		probe_pfail("UFFDIO_API with features %#" PRIx64, (uint64_t)features);
		close(fd);
		return -1;
	}
	if (avail)
		*avail = api.features;
	if (ioctls)
		*ioctls = api.ioctls;
	return fd;
}

static uint64_t uffd_features(void)
{
	uint64_t f = 0;
	int fd = uffd_open(0, &f, NULL);

	if (fd < 0)
		return 0;
	close(fd);
	return f;
}

/* Missing-page mode: UFFDIO_COPY a page into a registered range, as lazy restore does. */
static int do_uffd(void *arg)
{
	long ps = page_size();
	struct uffdio_register reg = {};
	struct uffdio_copy cp = {};
	uint64_t ioctls = 0;
	char *dst, *src;
	int fd, ret = -1;

	fd = uffd_open(0, NULL, &ioctls);
	if (fd < 0)
		return -1;
	if (!(ioctls & (1ULL << _UFFDIO_REGISTER))) {
		probe_fail("UFFDIO_API does not offer UFFDIO_REGISTER");
		goto out;
	}
	dst = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (dst == MAP_FAILED || src == MAP_FAILED) {
		pr_perror("mmap");
		goto out;
	}
	memset(src, 0x5a, ps);
	reg.range.start = (uintptr_t)dst;
	reg.range.len = ps;
	reg.mode = UFFDIO_REGISTER_MODE_MISSING;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		probe_pfail("UFFDIO_REGISTER (missing mode)");
		goto out;
	}
	cp.dst = (uintptr_t)dst;
	cp.src = (uintptr_t)src;
	cp.len = ps;
	if (ioctl(fd, UFFDIO_COPY, &cp) || cp.copy != ps) {
		probe_pfail("UFFDIO_COPY");
		goto out;
	}
	if (dst[0] != 0x5a || dst[ps - 1] != 0x5a) {
		probe_fail("UFFDIO_COPY did not fill the page");
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_uffd_noncoop(void *arg)
{
	uint64_t want = UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP |
			UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP;
	uint64_t got = uffd_features();
	int fd;

	if ((got & want) != want) {
		probe_fail("userfaultfd features %#" PRIx64
			   " lack the non-cooperative events %#" PRIx64,
			   got, want);
		return -1;
	}
	fd = uffd_open(want, NULL, NULL);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Write-protect a page with UFFDIO_WRITEPROTECT and see pagemap's uffd-wp bit. */
static int do_uffd_wp(void *arg)
{
	long ps = page_size();
	struct uffdio_register reg = {};
	struct uffdio_writeprotect wp = {};
	uint64_t e;
	int fd, pm, ret = -1;
	char *buf;

	if (!(uffd_features() & UFFD_FEATURE_PAGEFAULT_FLAG_WP)) {
		probe_fail("userfaultfd lacks UFFD_FEATURE_PAGEFAULT_FLAG_WP");
		return -1;
	}
	fd = uffd_open(UFFD_FEATURE_PAGEFAULT_FLAG_WP, NULL, NULL);
	if (fd < 0)
		return -1;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	buf = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pm < 0 || buf == MAP_FAILED) {
		pr_perror("open pagemap / mmap");
		goto out;
	}
	buf[0] = 1;
	reg.range.start = (uintptr_t)buf;
	reg.range.len = ps;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		probe_pfail("UFFDIO_REGISTER (write-protect mode)");
		goto out;
	}
	wp.range = reg.range;
	wp.mode = UFFDIO_WRITEPROTECT_MODE_WP;
	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp)) {
		probe_pfail("UFFDIO_WRITEPROTECT");
		goto out;
	}
	if (pagemap_entry(pm, buf, &e))
		goto out;
	if (!(e & PM_UFFD_WP)) {
		probe_fail("write-protected page lacks the uffd-wp bit in pagemap (%#" PRIx64 ")",
			   e);
		goto out;
	}
	wp.mode = 0;
	if (ioctl(fd, UFFDIO_WRITEPROTECT, &wp)) {
		probe_pfail("UFFDIO_WRITEPROTECT (un-protect)");
		goto out;
	}
	ret = 0;
out:
	if (pm >= 0)
		close(pm);
	close(fd);
	return ret;
}

/* Soft-dirty: clear_refs 4 clears pagemap bit 55, a write sets it again. */
static int do_soft_dirty(void *arg)
{
	long ps = page_size();
	uint64_t e;
	char *buf;
	int fd;

	buf = mmap(NULL, ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED) {
		pr_perror("mmap");
		return -1;
	}
	buf[0] = 1;
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		pr_info("soft-dirty: open /proc/self/pagemap: %s", strerror(errno));
		return -1;
	}
	if (write_file("/proc/self/clear_refs", "4")) {
		pr_info("soft-dirty: write 4 to /proc/self/clear_refs: %s", strerror(errno));
		goto fail;
	}
	if (pagemap_entry(fd, buf, &e))
		goto fail;
	if (e & PM_SOFT_DIRTY) {
		pr_info("soft-dirty: bit 55 still set after clear_refs");
		goto fail;
	}
	buf[0] = 2;
	if (pagemap_entry(fd, buf, &e))
		goto fail;
	if (!(e & PM_SOFT_DIRTY)) {
		pr_info("soft-dirty: a written page has no soft-dirty bit"
			" (kernel without CONFIG_MEM_SOFT_DIRTY?)");
		goto fail;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/*
 * Async write-protect userfaultfd plus PAGEMAP_SCAN, what pre-dump uses when
 * there is no soft-dirty: protect everything written, write one page, and
 * the scan must report exactly that page as written.
 */
static int do_uffd_wp_async(void *arg)
{
	const int npages = 8;
	long ps = page_size(), n;
	uint64_t avail, feat = UFFD_FEATURE_WP_ASYNC;
	struct uffdio_register reg = {};
	struct page_region r[8];
	int fd, pm, ret = -1;
	char *buf;

	avail = uffd_features();
	if (!(avail & UFFD_FEATURE_WP_ASYNC)) {
		pr_info("uffd-wp-async: userfaultfd lacks UFFD_FEATURE_WP_ASYNC (features %#" PRIx64
			")",
			avail);
		return -1;
	}
	feat |= avail & (UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_PAGEFAULT_FLAG_WP);
	fd = uffd_open(feat, NULL, NULL);
	if (fd < 0)
		return -1;
	pm = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	buf = mmap(NULL, npages * ps, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (pm < 0 || buf == MAP_FAILED) {
		pr_perror("open pagemap / mmap");
		goto out;
	}
	reg.range.start = (uintptr_t)buf;
	reg.range.len = npages * ps;
	reg.mode = UFFDIO_REGISTER_MODE_WP;
	if (ioctl(fd, UFFDIO_REGISTER, &reg)) {
		pr_info("uffd-wp-async: UFFDIO_REGISTER (write-protect mode): %s", strerror(errno));
		goto out;
	}
	for (int i = 0; i < npages; i++)
		buf[i * ps] = 1;
	/* protect every written page and forget that it was written */
	n = pagemap_scan(pm, buf, buf + npages * ps, r, npages,
			 PM_SCAN_WP_MATCHING | PM_SCAN_CHECK_WPASYNC, PAGE_IS_WRITTEN,
			 PAGE_IS_WRITTEN);
	if (n < 0) {
		pr_info("uffd-wp-async: PAGEMAP_SCAN with PM_SCAN_WP_MATCHING: %s",
			strerror(errno));
		goto out;
	}
	n = pagemap_scan(pm, buf, buf + npages * ps, r, npages, 0, PAGE_IS_WRITTEN,
			 PAGE_IS_WRITTEN);
	if (n != 0) {
		pr_info("uffd-wp-async: %ld written regions right after write-protecting", n);
		goto out;
	}
	buf[3 * ps] = 2; /* resolved by the kernel at once: async mode */
	n = pagemap_scan(pm, buf, buf + npages * ps, r, npages, 0, PAGE_IS_WRITTEN,
			 PAGE_IS_WRITTEN);
	if (n != 1 || r[0].start != (uintptr_t)buf + 3 * ps ||
	    r[0].end != (uintptr_t)buf + 4 * ps) {
		pr_info("uffd-wp-async: PAGEMAP_SCAN found %ld written regions,"
			" expected page 3 only",
			n);
		goto out;
	}
	ret = 0;
out:
	if (pm >= 0)
		close(pm);
	close(fd);
	return ret;
}

static int probe_mem_dirty_track(void)
{
	bool sd = !run_in_child(do_soft_dirty, NULL, 0);
	bool uf = !run_in_child(do_uffd_wp_async, NULL, 0);

	if (sd && uf)
		snprintf(probe_detail, sizeof(probe_detail), "soft-dirty, uffd-wp-async");
	else if (sd)
		snprintf(probe_detail, sizeof(probe_detail), "soft-dirty; uffd-wp-async: no");
	else if (uf)
		snprintf(probe_detail, sizeof(probe_detail), "uffd-wp-async; soft-dirty: no");
	else
		probe_fail("neither soft-dirty nor async uffd write-protect with PAGEMAP_SCAN"
			   " works");
	return sd || uf ? 0 : -1;
}

static int do_memfd(void *arg)
{
	const int seals = F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW;
	char path[64], link[128];
	int fd, ret = -1;
	ssize_t n;

	fd = memfd_create("criu-check", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0) {
		probe_pfail("memfd_create");
		return -1;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 || (link[n] = 0, strncmp(link, "/memfd:criu-check", 17))) {
		probe_fail("memfd link is not /memfd:criu-check");
		goto out;
	}
	if (write(fd, "data", 4) != 4 || fcntl(fd, F_ADD_SEALS, seals)) {
		probe_pfail("write and seal a memfd");
		goto out;
	}
	if ((fcntl(fd, F_GET_SEALS) & seals) != seals) {
		probe_fail("F_GET_SEALS lost the seals");
		goto out;
	}
	if (write(fd, "x", 1) >= 0 || errno != EPERM) {
		probe_fail("a write-sealed memfd accepted a write");
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_memfd_hugetlb(void *arg)
{
	int fd, ret = 0;

	fd = memfd_create("criu-check", MFD_CLOEXEC | MFD_HUGETLB);
	if (fd < 0) {
		probe_pfail("memfd_create(MFD_HUGETLB)");
		return -1;
	}
	if (ftruncate(fd, 2 << 20)) {
		probe_pfail("ftruncate a hugetlb memfd to 2 MiB");
		ret = -1;
	}
	close(fd);
	return ret;
}

/*
 * An aio ring moved with mremap() must still work at its new address: submit
 * a poll on a readable eventfd there and collect the completion.
 */
static int do_aio_remap(void *arg)
{
	aio_context_t ctx = 0, moved;
	struct timespec ts = { .tv_sec = 2 };
	unsigned long start, end = 0;
	struct iocb cb = {}, *cbs[1] = { &cb };
	struct io_event ev;
	static char maps[65536];
	char *line, *save = NULL, *hole;
	int efd, ret = -1;

	if (syscall(SYS_io_setup, 16, &ctx)) {
		probe_pfail("io_setup");
		return -1;
	}
	if (read_file("/proc/self/maps", maps, sizeof(maps)) < 0)
		return -1;
	for (line = strtok_r(maps, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (sscanf(line, "%lx-%lx", &start, &end) == 2 && start == ctx)
			break;
	if (!line) {
		probe_fail("aio ring %#lx not in /proc/self/maps", (unsigned long)ctx);
		return -1;
	}
	hole = mmap(NULL, end - start, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (hole == MAP_FAILED) {
		pr_perror("mmap");
		return -1;
	}
	if (mremap((void *)start, end - start, end - start, MREMAP_MAYMOVE | MREMAP_FIXED, hole) ==
	    MAP_FAILED) {
		probe_pfail("mremap of the aio ring");
		return -1;
	}
	moved = (aio_context_t)(uintptr_t)hole;
	efd = eventfd(1, EFD_CLOEXEC);
	if (efd < 0) {
		pr_perror("eventfd");
		return -1;
	}
	cb.aio_lio_opcode = IOCB_CMD_POLL;
	cb.aio_fildes = efd;
	cb.aio_buf = POLLIN;
	cb.aio_data = 0x77;
	if (syscall(SYS_io_submit, moved, 1, cbs) != 1) {
		probe_pfail("io_submit on the moved aio ring");
		goto out;
	}
	if (syscall(SYS_io_getevents, moved, 1, 1, &ev, &ts) != 1 || ev.data != 0x77) {
		probe_pfail("io_getevents on the moved aio ring");
		goto out;
	}
	if (syscall(SYS_io_destroy, moved)) {
		probe_pfail("io_destroy of the moved aio ring");
		goto out;
	}
	ret = 0;
out:
	close(efd);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Probes: files                                                            */
/* ------------------------------------------------------------------------ */

static int do_fdinfo_ext(void *arg)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 0x1234 };
	int fds[4] = { -1, -1, -1, -1 }, ret = -1;
	char line[256];
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	fds[0] = eventfd(5, EFD_CLOEXEC);
	fds[1] = epoll_create1(EPOLL_CLOEXEC);
	fds[2] = signalfd(-1, &set, SFD_CLOEXEC);
	fds[3] = inotify_init1(IN_CLOEXEC);
	if (fds[0] < 0 || fds[1] < 0 || fds[2] < 0 || fds[3] < 0 ||
	    epoll_ctl(fds[1], EPOLL_CTL_ADD, fds[0], &ev) ||
	    inotify_add_watch(fds[3], "/", IN_CREATE) < 0) {
		probe_pfail("create eventfd, epoll, signalfd and inotify descriptors");
		goto out;
	}
	if (fdinfo_line(fds[0], "eventfd-count:", line, sizeof(line)))
		goto out;
	if (!strstr(line, " 5") && !strstr(line, "\t5")) {
		probe_fail("eventfd fdinfo \"%s\" lacks the count 5", line);
		goto out;
	}
	if (fdinfo_line(fds[1], "tfd:", line, sizeof(line)))
		goto out;
	if (!strstr(line, "1234")) {
		probe_fail("epoll fdinfo \"%s\" lacks the data 1234", line);
		goto out;
	}
	if (fdinfo_line(fds[2], "sigmask:", line, sizeof(line)) ||
	    fdinfo_line(fds[3], "inotify wd:", line, sizeof(line)))
		goto out;
	ret = 0;
out:
	close_fds(fds, 4);
	return ret;
}

static int do_mnt_id(void *arg)
{
	struct statx stx;
	char line[128];
	int fd, ret = -1;
	unsigned long id;

	fd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("open /");
		return -1;
	}
	if (fdinfo_line(fd, "mnt_id:", line, sizeof(line)))
		goto out;
	id = strtoul(line + 7, NULL, 10);
	if (statx(fd, "", AT_EMPTY_PATH, STATX_MNT_ID, &stx)) {
		probe_pfail("statx(STATX_MNT_ID)");
		goto out;
	}
	if ((stx.stx_mask & STATX_MNT_ID) && stx.stx_mnt_id != id) {
		probe_fail("fdinfo mnt_id %lu, statx says %llu", id,
			   (unsigned long long)stx.stx_mnt_id);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_fdinfo_lock(void *arg)
{
	char line[256];
	int fd, ret = -1;

	if (private_tmp())
		return -1;
	fd = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0) {
		pr_perror("open an O_TMPFILE");
		return -1;
	}
	if (flock(fd, LOCK_EX)) {
		probe_pfail("flock");
		goto out;
	}
	if (fdinfo_line(fd, "lock:", line, sizeof(line)))
		goto out;
	if (!strstr(line, "FLOCK") || !strstr(line, "WRITE")) {
		probe_fail("fdinfo lock line \"%s\" does not show our exclusive flock", line);
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_timerfd(void *arg)
{
	uint64_t ticks = 3, got = 0;
	int fd, ret = -1;

	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0) {
		probe_pfail("timerfd_create");
		return -1;
	}
	if (ioctl(fd, TFD_IOC_SET_TICKS, &ticks))
		probe_pfail("ioctl(TFD_IOC_SET_TICKS)");
	else if (read(fd, &got, sizeof(got)) != sizeof(got) || got != ticks)
		probe_fail("timerfd read %" PRIu64 " ticks after TFD_IOC_SET_TICKS %" PRIu64, got,
			   ticks);
	else
		ret = 0;
	close(fd);
	return ret;
}

static int do_openat2(void *arg)
{
	struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
				.resolve = RESOLVE_BENEATH };
	int dir, fd, ret = -1;

	dir = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		pr_perror("open /proc");
		return -1;
	}
	fd = syscall(SYS_openat2, dir, "self", &how, sizeof(how));
	if (fd < 0) {
		probe_pfail("openat2(RESOLVE_BENEATH) of /proc/self");
		goto out;
	}
	close(fd);
	fd = syscall(SYS_openat2, dir, "../etc", &how, sizeof(how));
	if (fd >= 0 || errno != EXDEV) {
		probe_fail("openat2(RESOLVE_BENEATH) let \"../etc\" escape");
		if (fd >= 0)
			close(fd);
		goto out;
	}
	ret = 0;
out:
	close(dir);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Probes: namespaces and mounts                                            */
/* ------------------------------------------------------------------------ */

static int do_userns(void *arg)
{
	ino_t before = ns_ino("user"), after;
	char map[64];

	if (!before)
		return -1;
	if (unshare(CLONE_NEWUSER)) {
		probe_pfail("unshare(CLONE_NEWUSER)");
		return -1;
	}
	after = ns_ino("user");
	if (!after || after == before) {
		probe_fail("/proc/self/ns/user did not change after unshare(CLONE_NEWUSER)");
		return -1;
	}
	if (write_file("/proc/self/uid_map", "0 0 1")) {
		probe_pfail("write /proc/self/uid_map");
		return -1;
	}
	if (read_file("/proc/self/uid_map", map, sizeof(map)) <= 0 || getuid() != 0) {
		probe_fail("uid_map did not take effect");
		return -1;
	}
	return 0;
}

static int do_cgroupns(void *arg)
{
	ino_t before = ns_ino("cgroup"), after;
	char buf[4096], *line, *save = NULL;

	if (!before)
		return -1;
	if (unshare(CLONE_NEWCGROUP)) {
		probe_pfail("unshare(CLONE_NEWCGROUP)");
		return -1;
	}
	after = ns_ino("cgroup");
	if (!after || after == before) {
		probe_fail("/proc/self/ns/cgroup did not change after unshare(CLONE_NEWCGROUP)");
		return -1;
	}
	if (read_file("/proc/self/cgroup", buf, sizeof(buf)) <= 0) {
		probe_pfail("read /proc/self/cgroup");
		return -1;
	}
	/* every hierarchy is now rooted at our own cgroup */
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		size_t l = strlen(line);

		if (l < 2 || strcmp(line + l - 2, ":/")) {
			probe_fail("after unshare(CLONE_NEWCGROUP) /proc/self/cgroup has \"%s\"",
				   line);
			return -1;
		}
	}
	return 0;
}

static int do_timens(void *arg)
{
	struct timespec before, after;
	ino_t own = ns_ino("time");
	int status;
	pid_t pid;

	if (unshare(CLONE_NEWTIME)) {
		probe_pfail("unshare(CLONE_NEWTIME)");
		return -1;
	}
	if (write_file("/proc/self/timens_offsets", "monotonic 1000 0")) {
		probe_pfail("write /proc/self/timens_offsets");
		return -1;
	}
	clock_gettime(CLOCK_MONOTONIC, &before);
	pid = fork_helper();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		clock_gettime(CLOCK_MONOTONIC, &after);
		if (ns_ino("time") == own)
			_exit(2);
		_exit(after.tv_sec >= before.tv_sec + 999 ? 0 : 3);
	}
	if (wait_pid(pid, &status))
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		probe_fail("a child in the new time namespace %s",
			   WIFEXITED(status) && WEXITSTATUS(status) == 2 ?
				   "is still in the old one" :
				   "does not see the monotonic offset");
		return -1;
	}
	return 0;
}

static int ns_pid_in_ns(void)
{
	char line[128];
	int outer, inner;

	if (grep_file("/proc/self/status", "NSpid:", line, sizeof(line))) {
		probe_fail("no NSpid line in /proc/self/status");
		return -1;
	}
	if (sscanf(line, "NSpid: %d %d", &outer, &inner) != 2 || inner != 1 || outer <= 1) {
		probe_fail("pid 1 of a new pid namespace shows \"%s\"", line);
		return -1;
	}
	return 0;
}

static int do_ns_pid(void *arg)
{
	int status;
	pid_t pid;

	pid = fork_helper(); /* pid 1 of the namespace unshared by run_in_child */
	if (pid < 0)
		return -1;
	if (pid == 0)
		_exit(ns_pid_in_ns() ? 1 : 0);
	if (wait_pid(pid, &status))
		return -1;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -1;
}

/* Mount ID of the mount at @path from /proc/self/mountinfo, and its "shared:N" group. */
static int mountinfo_of(const char *path, int *id, int *shared, char *opts, size_t olen)
{
	static char buf[65536];
	char *line, *save = NULL, mp[PATH_MAX];

	if (read_file("/proc/self/mountinfo", buf, sizeof(buf)) < 0) {
		probe_pfail("read /proc/self/mountinfo");
		return -1;
	}
	*id = -1;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *sh, *sep;

		if (sscanf(line, "%d %*d %*s %*s %4095s", id, mp) != 2 || strcmp(mp, path))
			continue;
		sh = strstr(line, " shared:");
		sep = strstr(line, " - ");
		*shared = sh && (!sep || sh < sep) ? atoi(sh + 8) : 0;
		if (opts)
			snprintf(opts, olen, "%s", sep ? sep + 3 : "");
		/* the last mount on a path wins: keep looking */
	}
	if (*id < 0) {
		probe_fail("%s is not in /proc/self/mountinfo", path);
		return -1;
	}
	return 0;
}

static int do_move_mount_set_group(void *arg)
{
	int id_a, id_b, sh_a, sh_b;

	if (private_tmp())
		return -1;
	if (mkdir("/tmp/a", 0700) || mkdir("/tmp/b", 0700)) {
		pr_perror("mkdir in a private tmpfs");
		return -1;
	}
	if (mount("criu-check", "/tmp/a", "tmpfs", 0, "size=64k") ||
	    mount("/tmp/a", "/tmp/b", NULL, MS_BIND, NULL) ||
	    mount(NULL, "/tmp/b", NULL, MS_PRIVATE, NULL) ||
	    mount(NULL, "/tmp/a", NULL, MS_SHARED, NULL)) {
		pr_perror("prepare two mounts of one tmpfs");
		return -1;
	}
	if (syscall(SYS_move_mount, AT_FDCWD, "/tmp/a", AT_FDCWD, "/tmp/b",
		    MOVE_MOUNT_SET_GROUP)) {
		probe_pfail("move_mount(MOVE_MOUNT_SET_GROUP)");
		return -1;
	}
	if (mountinfo_of("/tmp/a", &id_a, &sh_a, NULL, 0) ||
	    mountinfo_of("/tmp/b", &id_b, &sh_b, NULL, 0))
		return -1;
	if (!sh_a || sh_a != sh_b) {
		probe_fail("after MOVE_MOUNT_SET_GROUP the mounts are in groups %d and %d", sh_a,
			   sh_b);
		return -1;
	}
	return 0;
}

static int do_autofs(void *arg)
{
	char data[128], opts[512];
	int p[2], id, sh;

	if (private_tmp())
		return -1;
	if (mkdir("/tmp/auto", 0700) || pipe2(p, O_CLOEXEC)) {
		pr_perror("prepare an autofs mount point");
		return -1;
	}
	snprintf(data, sizeof(data), "fd=%d,pgrp=%d,minproto=5,maxproto=5", p[1], getpgrp());
	if (mount("criu-check", "/tmp/auto", "autofs", 0, data)) {
		probe_pfail("mount autofs");
		return -1;
	}
	if (mountinfo_of("/tmp/auto", &id, &sh, opts, sizeof(opts)))
		return -1;
	if (strncmp(opts, "autofs ", 7) || !strstr(opts, "pipe_ino=")) {
		probe_fail("autofs mount shows \"%s\", without pipe_ino", opts);
		return -1;
	}
	umount2("/tmp/auto", MNT_DETACH);
	close_fds(p, 2);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Probes: sockets and network                                              */
/* ------------------------------------------------------------------------ */

static unsigned int sock_ino(int fd)
{
	struct stat st;

	if (fstat(fd, &st))
		return 0;
	return st.st_ino;
}

struct diag_find {
	size_t ino_off;
	unsigned int ino;
	bool found;
};

static int diag_cb(struct nlmsghdr *h, void *arg)
{
	struct diag_find *d = arg;
	uint32_t ino;

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(d->ino_off + sizeof(ino)))
		return 0;
	memcpy(&ino, (char *)NLMSG_DATA(h) + d->ino_off, sizeof(ino));
	if (ino == d->ino)
		d->found = true;
	return 0;
}

/* Dump sockets with @req and look for the socket with inode @ino. */
static int diag_has(const char *what, const void *req, size_t len, size_t ino_off,
		    unsigned int ino)
{
	struct diag_find d = { .ino_off = ino_off, .ino = ino };
	char buf[256];
	struct nlmsghdr *h;
	int fd, err;

	fd = nl_open(NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -1;
	h = nl_new(buf, sizeof(buf), SOCK_DIAG_BY_FAMILY, NLM_F_DUMP, req, len);
	err = nl_talk(fd, h, diag_cb, &d);
	close(fd);
	if (err) {
		probe_fail("%s: sock_diag dump: %s%s", what, strerror(-err),
			   err == -ENOENT ? " (no diag support for this kind of socket)" : "");
		return -1;
	}
	if (!d.found) {
		probe_fail("%s: socket with inode %u missing from the sock_diag dump", what, ino);
		return -1;
	}
	return 0;
}

static int do_sock_diag_unix(void *arg)
{
	struct unix_diag_req r = {
		.sdiag_family = AF_UNIX,
		.udiag_states = -1,
		.udiag_show = UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN,
	};
	int sk[2], ret;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sk)) {
		pr_perror("socketpair");
		return -1;
	}
	ret = diag_has("unix_diag", &r, sizeof(r), offsetof(struct unix_diag_msg, udiag_ino),
		       sock_ino(sk[0]));
	close_fds(sk, 2);
	return ret;
}

static int bind_any(int sk, int family)
{
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6 };
	struct sockaddr_in a4 = { .sin_family = AF_INET };

	if (family == AF_INET6)
		return bind(sk, (struct sockaddr *)&a6, sizeof(a6));
	return bind(sk, (struct sockaddr *)&a4, sizeof(a4));
}

static int inet_diag_has(int family, int type, int proto, int raw_proto, const char *what)
{
	struct inet_diag_req_v2 r = {
		.sdiag_family = family,
		.sdiag_protocol = proto,
		.idiag_states = -1,
	};
	int sk, ret;

	/* raw_diag reads the socket's protocol from the pad byte */
	r.pad = raw_proto;
	sk = socket(family, type | SOCK_CLOEXEC, type == SOCK_RAW ? raw_proto : 0);
	if (sk < 0) {
		pr_perror("socket for %s", what);
		return -1;
	}
	/* only bound sockets are hashed where the dump finds them */
	if (type != SOCK_RAW && bind_any(sk, family)) {
		pr_perror("bind for %s", what);
		close(sk);
		return -1;
	}
	if (type == SOCK_STREAM && listen(sk, 1)) {
		pr_perror("listen for %s", what);
		close(sk);
		return -1;
	}
	ret = diag_has(what, &r, sizeof(r), offsetof(struct inet_diag_msg, idiag_inode),
		       sock_ino(sk));
	close(sk);
	return ret;
}

static int do_sock_diag_inet(void *arg)
{
	if (inet_diag_has(AF_INET, SOCK_STREAM, IPPROTO_TCP, 0, "inet_diag tcp") ||
	    inet_diag_has(AF_INET, SOCK_DGRAM, IPPROTO_UDP, 0, "inet_diag udp") ||
	    inet_diag_has(AF_INET6, SOCK_STREAM, IPPROTO_TCP, 0, "inet_diag tcp6") ||
	    inet_diag_has(AF_INET6, SOCK_DGRAM, IPPROTO_UDP, 0, "inet_diag udp6"))
		return -1;
	return 0;
}

static int do_net_diag_raw(void *arg)
{
	return inet_diag_has(AF_INET, SOCK_RAW, IPPROTO_RAW, IPPROTO_RAW, "raw_diag");
}

static int do_sock_diag_packet(void *arg)
{
	struct packet_diag_req r = { .sdiag_family = AF_PACKET, .pdiag_show = PACKET_SHOW_INFO };
	int sk, ret;

	sk = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		pr_perror("socket(AF_PACKET)");
		return -1;
	}
	ret = diag_has("packet_diag", &r, sizeof(r), offsetof(struct packet_diag_msg, pdiag_ino),
		       sock_ino(sk));
	close(sk);
	return ret;
}

static int do_sock_diag_netlink(void *arg)
{
	struct netlink_diag_req r = {
		.sdiag_family = AF_NETLINK,
		.sdiag_protocol = NDIAG_PROTO_ALL,
		.ndiag_show = NDIAG_SHOW_MEMINFO,
	};
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int sk, ret;

	sk = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (sk < 0 || bind(sk, (struct sockaddr *)&sa, sizeof(sa))) {
		pr_perror("bind a netlink socket");
		if (sk >= 0)
			close(sk);
		return -1;
	}
	ret = diag_has("netlink_diag", &r, sizeof(r),
		       offsetof(struct netlink_diag_msg, ndiag_ino), sock_ino(sk));
	close(sk);
	return ret;
}

/* A connected TCP pair over loopback: @fd[0] client, [1] accepted, [2] listener. */
static int tcp_pair(int fd[3])
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	fd[0] = fd[1] = fd[2] = -1;
	if (loopback_up())
		return -1;
	fd[2] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	fd[0] = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd[2] < 0 || fd[0] < 0 || bind(fd[2], (struct sockaddr *)&a, sizeof(a)) ||
	    listen(fd[2], 1) || getsockname(fd[2], (struct sockaddr *)&a, &len) ||
	    connect(fd[0], (struct sockaddr *)&a, sizeof(a))) {
		pr_perror("set up a TCP connection over loopback");
		return -1;
	}
	fd[1] = accept4(fd[2], NULL, NULL, SOCK_CLOEXEC);
	if (fd[1] < 0) {
		pr_perror("accept");
		return -1;
	}
	return 0;
}

static int setint(int sk, int level, int opt, int val)
{
	return setsockopt(sk, level, opt, &val, sizeof(val));
}

/*
 * Dump side: repair mode, both queue sequences and the window. Restore side:
 * a new socket in repair mode takes the sequences and connects without a
 * handshake.
 */
static int do_tcp_repair(void *arg)
{
	struct sockaddr_in self, peer;
	socklen_t len = sizeof(self);
	struct tcp_repair_window win;
	int fd[3], sk = -1, ret = -1;
	unsigned int sseq, rseq;

	if (tcp_pair(fd))
		goto out;
	if (write(fd[0], "x", 1) != 1 || getsockname(fd[0], (struct sockaddr *)&self, &len)) {
		pr_perror("use the TCP connection");
		goto out;
	}
	len = sizeof(peer);
	getpeername(fd[0], (struct sockaddr *)&peer, &len);
	if (setint(fd[0], SOL_TCP, TCP_REPAIR, 1)) {
		probe_pfail("setsockopt(TCP_REPAIR)");
		goto out;
	}
	len = sizeof(sseq);
	if (setint(fd[0], SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ||
	    getsockopt(fd[0], SOL_TCP, TCP_QUEUE_SEQ, &sseq, &len) ||
	    setint(fd[0], SOL_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) ||
	    getsockopt(fd[0], SOL_TCP, TCP_QUEUE_SEQ, &rseq, &len)) {
		probe_pfail("read TCP queue sequences in repair mode");
		goto out;
	}
	len = sizeof(win);
	if (getsockopt(fd[0], SOL_TCP, TCP_REPAIR_WINDOW, &win, &len)) {
		probe_pfail("getsockopt(TCP_REPAIR_WINDOW)");
		goto out;
	}
	/* the dumped socket goes away without a FIN or RST in repair mode */
	close(fd[0]);
	fd[0] = -1;

	sk = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sk < 0 || setint(sk, SOL_TCP, TCP_REPAIR, 1) ||
	    setint(sk, SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ||
	    setint(sk, SOL_TCP, TCP_QUEUE_SEQ, sseq) ||
	    setint(sk, SOL_TCP, TCP_REPAIR_QUEUE, TCP_RECV_QUEUE) ||
	    setint(sk, SOL_TCP, TCP_QUEUE_SEQ, rseq) || setint(sk, SOL_SOCKET, SO_REUSEADDR, 1) ||
	    bind(sk, (struct sockaddr *)&self, sizeof(self)) ||
	    connect(sk, (struct sockaddr *)&peer, sizeof(peer))) {
		probe_pfail("re-create a TCP connection in repair mode");
		goto out;
	}
	if (setsockopt(sk, SOL_TCP, TCP_REPAIR_WINDOW, &win, sizeof(win))) {
		probe_pfail("setsockopt(TCP_REPAIR_WINDOW)");
		goto out;
	}
	if (setint(sk, SOL_TCP, TCP_REPAIR, 0)) {
		probe_pfail("leave TCP repair mode");
		goto out;
	}
	ret = 0;
out:
	if (sk >= 0) {
		setint(sk, SOL_TCP, TCP_REPAIR, 1); /* close without a packet */
		close(sk);
	}
	close_fds(fd, 3);
	return ret;
}

static int do_tcp_half_closed(void *arg)
{
	unsigned int seq;
	socklen_t len = sizeof(seq);
	int fd[3], ret = -1;

	if (tcp_pair(fd))
		goto out;
	if (shutdown(fd[0], SHUT_WR)) {
		pr_perror("shutdown");
		goto out;
	}
	usleep(1000);
	if (setint(fd[0], SOL_TCP, TCP_REPAIR, 1)) {
		probe_pfail("setsockopt(TCP_REPAIR) on a half-closed socket");
		goto out;
	}
	if (setint(fd[0], SOL_TCP, TCP_REPAIR_QUEUE, TCP_SEND_QUEUE) ||
	    getsockopt(fd[0], SOL_TCP, TCP_QUEUE_SEQ, &seq, &len)) {
		probe_pfail("TCP_QUEUE_SEQ of a half-closed socket");
		goto out;
	}
	ret = 0;
out:
	close_fds(fd, 3);
	return ret;
}

static int do_ipv6_freebind(void *arg)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6 };
	int sk, sk2, val = 0, ret = -1;
	socklen_t len = sizeof(val);

	inet_pton(AF_INET6, "2001:db8::1", &a.sin6_addr);
	sk = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	sk2 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0 || sk2 < 0) {
		pr_perror("socket(AF_INET6)");
		goto out;
	}
	if (setint(sk, SOL_IPV6, IPV6_FREEBIND, 1) ||
	    getsockopt(sk, SOL_IPV6, IPV6_FREEBIND, &val, &len) || val != 1) {
		probe_pfail("setsockopt(IPV6_FREEBIND)");
		goto out;
	}
	if (bind(sk, (struct sockaddr *)&a, sizeof(a))) {
		probe_pfail("bind to a non-local address with IPV6_FREEBIND");
		goto out;
	}
	if (!bind(sk2, (struct sockaddr *)&a, sizeof(a))) {
		probe_fail("bind to a non-local address works even without IPV6_FREEBIND");
		goto out;
	}
	ret = 0;
out:
	if (sk >= 0)
		close(sk);
	if (sk2 >= 0)
		close(sk2);
	return ret;
}

static int do_sockopt_buf_lock(void *arg)
{
	int sk, val = 0, ret = -1;
	socklen_t len = sizeof(val);

	sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		pr_perror("socket");
		return -1;
	}
	if (setint(sk, SOL_SOCKET, SO_BUF_LOCK, BUF_LOCK_BOTH) ||
	    getsockopt(sk, SOL_SOCKET, SO_BUF_LOCK, &val, &len))
		probe_pfail("SO_BUF_LOCK");
	else if (val != BUF_LOCK_BOTH)
		probe_fail("SO_BUF_LOCK reads back %d, set %d", val, BUF_LOCK_BOTH);
	else
		ret = 0;
	close(sk);
	return ret;
}

static int do_sk_ns(void *arg)
{
	struct stat a, b;
	int sk, ns, ret = -1;

	sk = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sk < 0) {
		pr_perror("socket");
		return -1;
	}
	ns = ioctl(sk, SIOCGSKNS);
	if (ns < 0) {
		probe_pfail("ioctl(SIOCGSKNS)");
		goto out;
	}
	if (fstat(ns, &a) || stat("/proc/self/ns/net", &b) || a.st_ino != b.st_ino)
		probe_fail("SIOCGSKNS returned another network namespace");
	else
		ret = 0;
	close(ns);
out:
	close(sk);
	return ret;
}

static int do_sk_unix_file(void *arg)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat s1, s2;
	int sk, fd, ret = -1;

	if (private_tmp())
		return -1;
	strcpy(a.sun_path, "/tmp/criu-check.sock");
	sk = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sk < 0 || bind(sk, (struct sockaddr *)&a, sizeof(a))) {
		pr_perror("bind a unix socket to %s", a.sun_path);
		goto out;
	}
	fd = ioctl(sk, SIOCUNIXFILE, 0);
	if (fd < 0) {
		probe_pfail("ioctl(SIOCUNIXFILE)");
		goto out;
	}
	if (fstat(fd, &s1) || stat(a.sun_path, &s2) || s1.st_ino != s2.st_ino)
		probe_fail("SIOCUNIXFILE opened another file than %s", a.sun_path);
	else
		ret = 0;
	close(fd);
out:
	if (sk >= 0)
		close(sk);
	return ret;
}

/* /dev/net/tun, or a node made in the private /tmp when /dev lacks it. */
static int open_tun(void)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);

	if (fd >= 0 || errno != ENOENT)
		goto out;
	if (private_tmp())
		return -1;
	if (mknod("/tmp/tun", S_IFCHR | 0600, makedev(10, 200))) {
		pr_perror("mknod a tun device node");
		return -1;
	}
	fd = open("/tmp/tun", O_RDWR | O_CLOEXEC);
out:
	if (fd < 0)
		probe_pfail("open /dev/net/tun");
	return fd;
}

static int tun_setup(int fd)
{
	struct ifreq ifr = {};

	strcpy(ifr.ifr_name, "criuchk0");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	if (ioctl(fd, TUNSETIFF, &ifr)) {
		probe_pfail("ioctl(TUNSETIFF)");
		return -1;
	}
	return 0;
}

static int do_tun(void *arg)
{
	struct ifreq ifr = {};
	int fd, ret = -1;

	fd = open_tun();
	if (fd < 0)
		return -1;
	if (tun_setup(fd))
		goto out;
	if (ioctl(fd, TUNGETIFF, &ifr)) {
		probe_pfail("ioctl(TUNGETIFF)");
		goto out;
	}
	if (strcmp(ifr.ifr_name, "criuchk0") || !(ifr.ifr_flags & IFF_TAP)) {
		probe_fail("TUNGETIFF returned %s flags %#x", ifr.ifr_name, ifr.ifr_flags);
		goto out;
	}
	if (!if_nametoindex("criuchk0")) {
		probe_pfail("the tap device criuchk0 is not visible");
		goto out;
	}
	if (ioctl(fd, TUNSETPERSIST, 1) || ioctl(fd, TUNSETPERSIST, 0)) {
		probe_pfail("ioctl(TUNSETPERSIST)");
		goto out;
	}
	ret = 0;
out:
	close(fd);
	return ret;
}

static int do_tun_ns(void *arg)
{
	struct stat a, b;
	int fd, ns, ret = -1;

	fd = open_tun();
	if (fd < 0)
		return -1;
	if (tun_setup(fd))
		goto out;
	ns = ioctl(fd, TUNGETDEVNETNS);
	if (ns < 0) {
		probe_pfail("ioctl(TUNGETDEVNETNS)");
		goto out;
	}
	if (fstat(ns, &a) || stat("/proc/self/ns/net", &b) || a.st_ino != b.st_ino)
		probe_fail("TUNGETDEVNETNS returned another network namespace");
	else
		ret = 0;
	close(ns);
out:
	close(fd);
	return ret;
}

/*
 * Open a second network namespace as an fd and come back to the first. Both
 * are fresh ones of this probe child and go away with it.
 */
static int other_netns(void)
{
	int here, there;

	here = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (here < 0) {
		pr_perror("open /proc/self/ns/net");
		return -1;
	}
	if (unshare(CLONE_NEWNET)) {
		probe_pfail("unshare(CLONE_NEWNET)");
		close(here);
		return -1;
	}
	there = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (there < 0 || setns(here, CLONE_NEWNET)) {
		pr_perror("open a second network namespace and return");
		close(here);
		return -1;
	}
	close(here);
	return there;
}

/* RTM_NEWLINK of a veth pair @a/@b; the peer goes into netns @peer_ns if >= 0. */
static int veth_create(int nl, const char *a, const char *b, int peer_ns)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct rtattr *li, *data, *peer;
	char buf[1024];
	struct nlmsghdr *h;
	int err;

	h = nl_new(buf, sizeof(buf), RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, &ifi, sizeof(ifi));
	nl_attr_str(h, sizeof(buf), IFLA_IFNAME, a);
	li = nl_attr(h, sizeof(buf), IFLA_LINKINFO, NULL, 0);
	nl_attr_str(h, sizeof(buf), IFLA_INFO_KIND, "veth");
	data = nl_attr(h, sizeof(buf), IFLA_INFO_DATA, NULL, 0);
	peer = nl_attr(h, sizeof(buf), VETH_INFO_PEER, &ifi, sizeof(ifi));
	nl_attr_str(h, sizeof(buf), IFLA_IFNAME, b);
	if (peer_ns >= 0)
		nl_attr_u32(h, sizeof(buf), IFLA_NET_NS_FD, peer_ns);
	nl_nest_end(h, peer);
	nl_nest_end(h, data);
	nl_nest_end(h, li);
	err = nl_talk(nl, h, NULL, NULL);
	if (err) {
		probe_fail("RTM_NEWLINK of a veth pair: %s", strerror(-err));
		return -1;
	}
	return 0;
}

struct link_attr {
	int type;
	bool found;
	int32_t val;
};

static int link_attr_cb(struct nlmsghdr *h, void *arg)
{
	struct link_attr *la = arg;
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	struct rtattr *a = IFLA_RTA(ifi);
	int len = IFLA_PAYLOAD(h);

	if (h->nlmsg_type != RTM_NEWLINK)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len)) {
		if (a->rta_type == la->type && RTA_PAYLOAD(a) >= sizeof(int32_t)) {
			memcpy(&la->val, RTA_DATA(a), sizeof(la->val));
			la->found = true;
		}
	}
	return 0;
}

/* A veth whose peer is in another netns must report IFLA_LINK_NETNSID. */
static int do_link_nsid(void *arg)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct link_attr la = { .type = IFLA_LINK_NETNSID };
	char buf[512];
	struct nlmsghdr *h;
	int other, nl, err, ret = -1;

	other = other_netns();
	if (other < 0)
		return -1;
	nl = nl_open(NETLINK_ROUTE);
	if (nl < 0)
		goto out;
	if (veth_create(nl, "ckveth0", "ckveth1", other))
		goto out_nl;
	h = nl_new(buf, sizeof(buf), RTM_GETLINK, 0, &ifi, sizeof(ifi));
	nl_attr_str(h, sizeof(buf), IFLA_IFNAME, "ckveth0");
	err = nl_talk(nl, h, link_attr_cb, &la);
	if (err)
		probe_fail("RTM_GETLINK ckveth0: %s", strerror(-err));
	else if (!la.found || la.val < 0)
		probe_fail("veth with a peer in another netns has no IFLA_LINK_NETNSID");
	else
		ret = 0;
out_nl:
	close(nl);
out:
	close(other);
	return ret;
}

/* Move a link to another netns with IFLA_NEW_IFINDEX and find it there at that index. */
static int do_newifindex(void *arg)
{
	const int want = 4242;
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	char buf[512];
	struct nlmsghdr *h;
	int other, nl, err, ret = -1;
	unsigned int idx;

	other = other_netns();
	if (other < 0)
		return -1;
	nl = nl_open(NETLINK_ROUTE);
	if (nl < 0)
		goto out;
	if (veth_create(nl, "cknew0", "cknew1", -1))
		goto out_nl;
	ifi.ifi_index = if_nametoindex("cknew1");
	if (!ifi.ifi_index) {
		probe_pfail("find the veth cknew1");
		goto out_nl;
	}
	h = nl_new(buf, sizeof(buf), RTM_NEWLINK, 0, &ifi, sizeof(ifi));
	nl_attr_u32(h, sizeof(buf), IFLA_NET_NS_FD, other);
	nl_attr_u32(h, sizeof(buf), IFLA_NEW_IFINDEX, want);
	err = nl_talk(nl, h, NULL, NULL);
	if (err) {
		probe_fail("RTM_NEWLINK with IFLA_NEW_IFINDEX: %s", strerror(-err));
		goto out_nl;
	}
	if (setns(other, CLONE_NEWNET)) {
		pr_perror("setns into the second network namespace");
		goto out_nl;
	}
	idx = if_nametoindex("cknew1");
	if (idx != (unsigned int)want)
		probe_fail("link moved with IFLA_NEW_IFINDEX %d got index %u", want, idx);
	else
		ret = 0;
out_nl:
	close(nl);
out:
	close(other);
	return ret;
}

struct nft_find {
	const char *name;
	bool found;
};

static int nft_table_cb(struct nlmsghdr *h, void *arg)
{
	struct nft_find *f = arg;
	struct rtattr *a = (struct rtattr *)((char *)NLMSG_DATA(h) +
					     NLMSG_ALIGN(sizeof(struct nfgenmsg)));
	int len = h->nlmsg_len - NLMSG_LENGTH(NLMSG_ALIGN(sizeof(struct nfgenmsg)));

	if (NFNL_MSG_TYPE(h->nlmsg_type) != NFT_MSG_NEWTABLE)
		return 0;
	for (; RTA_OK(a, len); a = RTA_NEXT(a, len))
		if ((a->rta_type & NLA_TYPE_MASK) == NFTA_TABLE_NAME &&
		    !strncmp(RTA_DATA(a), f->name, RTA_PAYLOAD(a)))
			f->found = true;
	return 0;
}

/* Create an nftables table through NFNETLINK in this (fresh) netns, and read it back. */
static int do_nftables(void *arg)
{
	struct nfgenmsg batch = { .nfgen_family = AF_UNSPEC, .version = NFNETLINK_V0,
				  .res_id = htons(NFNL_SUBSYS_NFTABLES) };
	struct nfgenmsg inet = { .nfgen_family = NFPROTO_INET, .version = NFNETLINK_V0 };
	struct nft_find f = { .name = "criu_check" };
	static char buf[2048];
	struct nlmsghdr *b, *t, *e, *g;
	uint32_t seq;
	int nl, err, ret = -1;
	size_t off;

	nl = nl_open(NETLINK_NETFILTER);
	if (nl < 0)
		return -1;
	seq = nl_seq += 3;
	b = nl_new(buf, 256, NFNL_MSG_BATCH_BEGIN, 0, &batch, sizeof(batch));
	b->nlmsg_seq = seq - 2;
	off = NLMSG_ALIGN(b->nlmsg_len);
	t = nl_new(buf + off, 512, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE,
		   NLM_F_CREATE | NLM_F_ACK, &inet, sizeof(inet));
	nl_attr_str(t, 512, NFTA_TABLE_NAME, f.name);
	t->nlmsg_seq = seq - 1;
	off += NLMSG_ALIGN(t->nlmsg_len);
	e = nl_new(buf + off, 256, NFNL_MSG_BATCH_END, 0, &batch, sizeof(batch));
	e->nlmsg_seq = seq;
	off += NLMSG_ALIGN(e->nlmsg_len);
	err = nl_exchange(nl, buf, off, seq - 1, NULL, NULL);
	if (err) {
		probe_fail("NFT_MSG_NEWTABLE: %s", strerror(-err));
		goto out;
	}
	g = nl_new(buf, sizeof(buf), (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETTABLE, 0, &inet,
		   sizeof(inet));
	nl_attr_str(g, sizeof(buf), NFTA_TABLE_NAME, f.name);
	err = nl_talk(nl, g, nft_table_cb, &f);
	if (err)
		probe_fail("NFT_MSG_GETTABLE: %s", strerror(-err));
	else if (!f.found)
		probe_fail("the new nftables table is not reported back");
	else
		ret = 0;
out:
	close(nl);
	return ret;
}

/* What nftables-based network locking needs: a concatenated set used by a rule. */
static int do_network_lock_nftables(void *arg)
{
	static const char script[] =
		"add table inet criu_check\n"
		"add set inet criu_check conns { type ipv4_addr . inet_service ; }\n"
		"add chain inet criu_check out { type filter hook output priority 0 ; }\n"
		"add rule inet criu_check out ip saddr . tcp sport @conns drop\n"
		"add element inet criu_check conns { 127.0.0.1 . 1234 }\n";
	const char *const add[] = { "nft", "-f", "-", NULL };
	const char *const list[] = { "nft", "list", "set", "inet", "criu_check", "conns", NULL };

	if (run_tool(add, script) || run_tool(list, NULL))
		return -1;
	return 0;
}

static int do_ipt_legacy(void *arg)
{
	const char *const argv[] = { "iptables-legacy", "-w", "-L", "-n", NULL };

	/* its lock file goes to a private /run */
	if (mount("criu-check", "/run", "tmpfs", 0, "size=1m,mode=0755")) {
		pr_perror("mount tmpfs on /run in a private mount namespace");
		return -1;
	}
	return run_tool(argv, NULL);
}

/* ------------------------------------------------------------------------ */
/* The feature table                                                        */
/* ------------------------------------------------------------------------ */

struct feature {
	const char *name;
	bool mandatory;
	int (*fn)(void *);  /* probe run in a forked child... */
	int ns;		    /* ...after unsharing these namespaces */
	int (*probe)(void); /* or a probe that runs in criu and forks as it needs */
};

#define NEWNET CLONE_NEWNET
#define NEWNS CLONE_NEWNS

static const struct feature features[] = {
	/* required by every dump and restore */
	{ "ptrace_seize", true, do_ptrace_seize, 0, NULL },
	{ "ptrace_sigmask", true, do_ptrace_sigmask, 0, NULL },
	{ "ptrace_peeksiginfo", true, do_ptrace_peeksiginfo, 0, NULL },
	{ "xsave", true, do_xsave, 0, NULL },
	{ "proc_children", true, do_proc_children, 0, NULL },
	{ "map_files", true, do_map_files, 0, NULL },
	{ "pagemap", true, do_pagemap, 0, NULL },
	{ "process_vm_readv", true, do_process_vm_readv, 0, NULL },
	{ "kcmp", true, do_kcmp, 0, NULL },
	{ "pidfd_getfd", true, do_pidfd_getfd, 0, NULL },
	{ "clone3_set_tid", true, do_clone3_set_tid, CLONE_NEWPID, NULL },
	{ "prctl_mm_map", true, do_prctl_mm_map, 0, NULL },
	{ "vdso", true, do_vdso, 0, NULL },
	{ "fdinfo_ext", true, do_fdinfo_ext, 0, NULL },
	{ "memfd", true, do_memfd, 0, NULL },
	{ "sock_diag_unix", true, do_sock_diag_unix, NEWNET, NULL },
	{ "sock_diag_inet", true, do_sock_diag_inet, NEWNET, NULL },
	{ "sock_diag_packet", true, do_sock_diag_packet, NEWNET, NULL },
	{ "sock_diag_netlink", true, do_sock_diag_netlink, NEWNET, NULL },
	{ "tcp_repair", true, do_tcp_repair, NEWNET, NULL },

	/* needed by some process trees only: --all and --feature */
	{ "mnt_id", false, do_mnt_id, 0, NULL },
	{ "mem_dirty_track", false, NULL, 0, probe_mem_dirty_track },
	{ "pagemap_scan", false, do_pagemap_scan, 0, NULL },
	{ "aio_remap", false, do_aio_remap, 0, NULL },
	{ "timerfd", false, do_timerfd, 0, NULL },
	{ "tun", false, do_tun, NEWNET | NEWNS, NULL },
	{ "tun_ns", false, do_tun_ns, NEWNET | NEWNS, NULL },
	{ "userns", false, do_userns, 0, NULL },
	{ "fdinfo_lock", false, do_fdinfo_lock, NEWNS, NULL },
	{ "seccomp_filters", false, do_seccomp_filters, 0, NULL },
	{ "seccomp_suspend", false, do_seccomp_suspend, 0, NULL },
	{ "loginuid", false, do_loginuid, 0, NULL },
	{ "cgroupns", false, do_cgroupns, 0, NULL },
	{ "timens", false, do_timens, 0, NULL },
	{ "ns_pid", false, do_ns_pid, CLONE_NEWPID, NULL },
	{ "get_rseq_conf", false, do_get_rseq_conf, 0, NULL },
	{ "uffd", false, do_uffd, 0, NULL },
	{ "uffd-noncoop", false, do_uffd_noncoop, 0, NULL },
	{ "uffd_wp", false, do_uffd_wp, 0, NULL },
	{ "memfd_hugetlb", false, do_memfd_hugetlb, 0, NULL },
	{ "kcmp_epoll", false, do_kcmp_epoll, 0, NULL },
	{ "openat2", false, do_openat2, 0, NULL },
	{ "can_map_vdso", false, do_can_map_vdso, 0, NULL },
	{ "move_mount_set_group", false, do_move_mount_set_group, NEWNS, NULL },
	{ "autofs", false, do_autofs, NEWNS, NULL },
	{ "tcp_half_closed", false, do_tcp_half_closed, NEWNET, NULL },
	{ "ipv6_freebind", false, do_ipv6_freebind, NEWNET, NULL },
	{ "sockopt_buf_lock", false, do_sockopt_buf_lock, NEWNET, NULL },
	{ "sk_ns", false, do_sk_ns, NEWNET, NULL },
	{ "sk_unix_file", false, do_sk_unix_file, NEWNET | NEWNS, NULL },
	{ "net_diag_raw", false, do_net_diag_raw, NEWNET, NULL },
	{ "link_nsid", false, do_link_nsid, NEWNET, NULL },
	{ "newifindex", false, do_newifindex, NEWNET, NULL },
	{ "nftables", false, do_nftables, NEWNET, NULL },
	{ "network_lock_nftables", false, do_network_lock_nftables, NEWNET, NULL },
	{ "has_ipt_legacy", false, do_ipt_legacy, NEWNET | NEWNS, NULL },
};

#define NR_FEATURES (sizeof(features) / sizeof(features[0]))

static const struct feature *find_feature(const char *name)
{
	for (size_t i = 0; i < NR_FEATURES; i++)
		if (!strcmp(features[i].name, name))
			return &features[i];
	return NULL;
}

static long elapsed_ms(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a->tv_sec) * 1000 + (b.tv_nsec - a->tv_nsec) / 1000000;
}

/* Run the probe of @f. Returns 0 when the feature works. */
static int run_feature(const struct feature *f)
{
	struct sigaction dfl = { .sa_handler = SIG_DFL }, old_chld;
	struct timespec start;
	int ret;

	if (!shared_note) {
		shared_note = mmap(NULL, NOTE_SIZE, PROT_READ | PROT_WRITE,
				   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (shared_note == MAP_FAILED) {
			pr_perror("mmap a shared page for probe messages");
			shared_note = NULL;
		}
	}
	if (shared_note)
		shared_note[0] = 0;
	probe_detail[0] = 0;
	/* waitpid() needs SIGCHLD neither ignored nor caught by a reaper */
	sigaction(SIGCHLD, &dfl, &old_chld);
	clock_gettime(CLOCK_MONOTONIC, &start);
	if (f->probe)
		ret = f->probe();
	else
		ret = run_in_child(f->fn, NULL, f->ns);
	sigaction(SIGCHLD, &old_chld, NULL);
	if (shared_note && shared_note[0])
		probe_fail("%s: %s", f->name, shared_note);
	pr_info("probe %-22s %-3s %3ld ms%s%s", f->name, ret ? "no" : "yes", elapsed_ms(&start),
		probe_detail[0] ? "  " : "", probe_detail);
	return ret ? -1 : 0;
}

int check_feature(const char *name)
{
	const struct feature *f = find_feature(name);

	if (!f)
		return -1;
	return run_feature(f) ? 0 : 1;
}

const char *check_feature_name(unsigned int idx)
{
	return idx < NR_FEATURES ? features[idx].name : NULL;
}

bool check_feature_mandatory(const char *name)
{
	const struct feature *f = find_feature(name);

	return f && f->mandatory;
}

/*
 * "--feature list" anywhere prints the names; any unknown name fails before
 * probing. Returns 0 to go on probing, 1 for exit code 1, 2 for exit code 0.
 */
static int check_names(void)
{
	for (int i = 0; i < opts.nr_features; i++) {
		if (!strcmp(opts.features[i], "list")) {
			for (size_t j = 0; j < NR_FEATURES; j++)
				pr_msg("%s\n", features[j].name);
			return 2;
		}
	}
	for (int i = 0; i < opts.nr_features; i++) {
		if (!find_feature(opts.features[i])) {
			pr_err("Unknown feature %s", opts.features[i]);
			return 1;
		}
	}
	return 0;
}

/* criu check --feature NAME [--feature NAME ...] */
static int check_named(void)
{
	int missing = 0;

	for (int i = 0; i < opts.nr_features; i++) {
		const struct feature *f = find_feature(opts.features[i]);

		if (run_feature(f)) {
			pr_msg("%s is not supported\n", f->name);
			missing++;
		} else if (probe_detail[0]) {
			pr_msg("%s is supported (%s)\n", f->name, probe_detail);
		} else {
			pr_msg("%s is supported\n", f->name);
		}
	}
	return missing ? 1 : 0;
}

int cmd_check(void)
{
	int miss_required = 0, miss_optional = 0;
	/* CRIU's --all is --extra plus --experimental; here both mean every probe */
	bool optional = opts.check_all || opts.check_extra || opts.check_experimental;
	struct timespec start;

	switch (check_names()) {
	case 1:
		return 1;
	case 2:
		return 0;
	}
	if (geteuid() != 0) {
		pr_err("criu check needs root: it is running with euid %d", (int)geteuid());
		return 1;
	}
	if (opts.nr_features)
		return check_named();
	if (opts.check_ms)
		pr_info("--ms: every probe uses mainline kernel interfaces only");

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (size_t i = 0; i < NR_FEATURES; i++) {
		const struct feature *f = &features[i];

		if (!f->mandatory && !optional)
			continue;
		if (!run_feature(f))
			continue;
		pr_msg("%s is not supported\n", f->name);
		if (f->mandatory)
			miss_required++;
		else
			miss_optional++;
	}
	pr_info("all probes took %ld ms", elapsed_ms(&start));

	if (miss_required) {
		pr_msg("Does not look good.\n");
		return 1;
	}
	if (miss_optional) {
		pr_msg("Looks good but some kernel features are missing\n"
		       "which, depending on your process tree, may cause\n"
		       "dump or restore failure.\n");
		return 1;
	}
	pr_msg("Looks good.\n");
	return 0;
}
