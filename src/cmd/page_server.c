// SPDX-License-Identifier: GPL-2.0
/*
 * criu page-server: takes the pages images of a dump made with
 * --page-server and writes them into its own -D directory. It serves one
 * dump and exits when the dump says it is over: 0 if the dump and every
 * file succeeded. Each request comes on its own connection and each file
 * is written by a child, since a task's pages and its shared memory stream
 * at the same time.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "images/page_sink.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/net.h"
#include "util/options.h"

#define RECV_BUF (1 << 20)

/* Only pages images, and only into the directory. */
static bool pages_name(const char *name)
{
	size_t len = strlen(name);

	return !strncmp(name, "pages-", 6) && len > 10 && !strcmp(name + len - 4, ".img") &&
	       !strchr(name, '/');
}

/*
 * The file's bytes until the client shuts its side: 0 or an errno. After a
 * failure the rest is read and dropped, so the client gets the answer
 * rather than a reset connection.
 */
static int receive_file(int sk, int dirfd, const char *name)
{
	char *buf = malloc(RECV_BUF);
	int fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int err = fd < 0 ? errno : buf ? 0 : ENOMEM;

	if (fd < 0)
		pr_perror("Can't create %s", name);
	for (;;) {
		ssize_t n = read(sk, buf, buf ? RECV_BUF : 0), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = err ? err : n < 0 ? errno : 0;
			break;
		}
		while (!err && w < n) {
			ssize_t r = write(fd, buf + w, n - w);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0) {
				err = r < 0 ? errno : EIO;
				pr_perror("Can't write %s", name);
			}
			w += r > 0 ? r : 0;
		}
	}
	if (fd >= 0 && close(fd) && !err)
		err = errno;
	free(buf);
	return err;
}

/* Reap the file writers; @wait: all of them. Returns how many failed. */
static int reap_writers(int *running, bool wait)
{
	int failed = 0, status;
	pid_t pid;

	while (*running && (pid = waitpid(-1, &status, wait ? 0 : WNOHANG)) > 0) {
		(*running)--;
		if (!WIFEXITED(status) || WEXITSTATUS(status))
			failed++;
	}
	return failed;
}

static int serve_file(int sk, int dirfd, const char *name, int *running)
{
	pid_t pid;

	if (!pages_name(name)) {
		pr_err("The page server takes only pages images, not \"%s\"\n", name);
		return ps_answer(sk, EINVAL);
	}
	pid = fork();
	if (pid < 0) {
		pr_perror("Can't fork for %s", name);
		return ps_answer(sk, errno);
	}
	if (pid == 0) {
		int err = receive_file(sk, dirfd, name);

		ps_answer(sk, err);
		_exit(err ? 1 : 0);
	}
	(*running)++;
	return 0;
}

static int serve(int lsk, int dirfd)
{
	int running = 0, failed = 0;

	for (;;) {
		char name[PATH_MAX];
		enum ps_kind kind;
		int sk = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);

		if (sk < 0 && errno == EINTR)
			continue;
		if (sk < 0) {
			pr_perror("Can't accept a page server connection");
			return 1;
		}
		failed += reap_writers(&running, false);
		if (ps_read_header(sk, &kind, name, sizeof(name))) {
			pr_perror("Bad page server request");
			ps_answer(sk, errno);
		} else if (kind == PS_HELLO) {
			ps_answer(sk, 0);
		} else if (kind == PS_FILE) {
			serve_file(sk, dirfd, name, &running);
		} else if (kind == PS_END) {
			failed += reap_writers(&running, true);
			ps_answer(sk, failed ? EIO : 0);
			close(sk);
			pr_info("The dump is over (%s), %d files failed\n", name, failed);
			return failed || strcmp(name, "ok") ? 1 : 0;
		} else {
			ps_answer(sk, EPROTO);
		}
		close(sk);
	}
}

int cmd_page_server(void)
{
	const char *dir = opts.images_dir ? opts.images_dir : ".";
	int dirfd, lsk, ret;

	if (!opts.port) {
		pr_err("page-server needs --port\n");
		return 1;
	}
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		pr_perror("Can't open images directory %s", dir);
		return 1;
	}
	lsk = tcp_socket("the page server", opts.address, opts.port, true);
	if (lsk < 0)
		return 1;
	pr_info("Page server on port %d, writing to %s\n", opts.port, dir);
	ret = serve_in_background();
	if (ret)
		return ret < 0 ? 1 : 0;
	tell_status_fd();
	ret = serve(lsk, dirfd);
	close(lsk);
	close(dirfd);
	return ret;
}
