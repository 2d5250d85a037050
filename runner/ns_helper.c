// SPDX-License-Identifier: GPL-2.0
/*
 * ns_helper: start a zdtm test under an init of fresh pid, mount, net, uts
 * and ipc namespaces (the "ns" flavor of runner/zdtm.py).
 *
 *   ns_helper ROOTFILE TEST [ARGS...]
 *
 * The helper unshares the namespaces and forks the init (pid 1 inside), writes
 * the init's pid (as seen from the caller) to ROOTFILE and exits 0; the runner,
 * a child subreaper, adopts the init. The init becomes a session leader, makes
 * the mount tree private, mounts a fresh /proc, brings "lo" up, then starts
 * TEST and reaps every task that ends up as its child. When TEST's launcher
 * process exits (0 = the test is ready) its exit code is written to
 * ROOTFILE.status. SIGTERM to the init is passed on to every task of the
 * namespace; the init exits once it has no child left. The init is the root
 * of the tree the runner dumps and restores.
 *
 * Built by runner/zdtm.py itself (gcc -O2) into build/runner/ns_helper.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_term(int sig)
{
	int saved = errno;

	(void)sig;
	/* From a pid namespace's init, -1 means every other task inside. */
	kill(-1, SIGTERM);
	errno = saved;
}

static int write_file(const char *path, const char *suffix, long value)
{
	char tmp[4096], dst[4096], buf[32];
	int fd, len;

	if (snprintf(dst, sizeof(dst), "%s%s", path, suffix) >= (int)sizeof(dst) ||
	    snprintf(tmp, sizeof(tmp), "%s.tmp", dst) >= (int)sizeof(tmp))
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	len = snprintf(buf, sizeof(buf), "%ld\n", value);
	if (write(fd, buf, len) != len) {
		close(fd);
		return -1;
	}
	if (close(fd))
		return -1;
	return rename(tmp, dst);
}

static void lo_up(void)
{
	struct ifreq ifr;
	int sk = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (sk < 0)
		return;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (!ioctl(sk, SIOCGIFFLAGS, &ifr)) {
		ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
		if (ioctl(sk, SIOCSIFFLAGS, &ifr))
			perror("ns_helper: lo up");
	}
	close(sk);
}

static int run_init(const char *rootfile, char **test_argv)
{
	struct sigaction sa;
	pid_t test;
	int status, reported = 0;

	if (setsid() < 0)
		perror("ns_helper: setsid");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		perror("ns_helper: make / private");
		return 1;
	}
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL)) {
		perror("ns_helper: mount /proc");
		return 1;
	}
	if (sethostname("zdtm-ns", 7))
		perror("ns_helper: sethostname");
	lo_up();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGTERM, &sa, NULL)) {
		perror("ns_helper: sigaction");
		return 1;
	}

	test = fork();
	if (test < 0) {
		perror("ns_helper: fork test");
		return 1;
	}
	if (test == 0) {
		sa.sa_handler = SIG_DFL;
		sigaction(SIGTERM, &sa, NULL);
		execv(test_argv[0], test_argv);
		fprintf(stderr, "ns_helper: exec %s: %s\n", test_argv[0], strerror(errno));
		_exit(127);
	}

	for (;;) {
		pid_t p = waitpid(-1, &status, __WALL);

		if (p < 0) {
			if (errno == EINTR)
				continue;
			break; /* ECHILD: nobody left */
		}
		if (p == test && !reported) {
			long code = WIFEXITED(status) ? WEXITSTATUS(status)
						      : 128 + WTERMSIG(status);
			if (write_file(rootfile, ".status", code))
				perror("ns_helper: write status");
			reported = 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	pid_t init;

	if (argc < 3) {
		fprintf(stderr, "usage: %s ROOTFILE TEST [ARGS...]\n", argv[0]);
		return 2;
	}
	if (unshare(CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC)) {
		perror("ns_helper: unshare");
		return 1;
	}
	init = fork();
	if (init < 0) {
		perror("ns_helper: fork");
		return 1;
	}
	if (init == 0)
		_exit(run_init(argv[1], argv + 2));
	if (write_file(argv[1], "", init)) {
		perror("ns_helper: write root file");
		kill(init, SIGKILL);
		return 1;
	}
	return 0;
}
