// SPDX-License-Identifier: GPL-2.0
/*
 * criu service: a privileged criu serving requests (proto/service.proto)
 * on a unix seqpacket socket, one request per connection, each run by a
 * worker forked for it as a criu command line would be.
 *
 * A root client may ask anything. Any other client may ask for the
 * version, for a check, and for a dump of itself (the process that
 * connected, as SO_PEERCRED tells; it waits for the answer, frozen and
 * given back or killed as the options say) into an images directory it
 * passes as a descriptor, with the options in user_dump_opts only; the
 * images are then given to it. Restores need a root client: images name
 * credentials, files and pids that a user could not otherwise claim.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "service.pb-c.h"
#include "util/daemon.h"
#include "util/log.h"
#include "util/options.h"

#define MAX_REQ (64 << 10)
#define MAX_ARGS 256
#define DEFAULT_SOCKET "criu_service.socket"

/* What a client that is not root may pass to a dump of itself. */
static const char *const user_dump_opts[] = {
	"-R", "--leave-running", "-s", "--leave-stopped", "--tcp-established", "-l",
	"--file-locks", "--link-remap", "-j", "--shell-job", "--check-only", "--track-mem",
	"--ext-unix-sk", NULL,
};

static bool user_dump_opt(const char *arg)
{
	for (int i = 0; user_dump_opts[i]; i++)
		if (!strcmp(arg, user_dump_opts[i]))
			return true;
	if (!strncmp(arg, "--ghost-limit=", 14))
		return true;
	return !strncmp(arg, "-v", 2) && strspn(arg + 2, "v0123456789") == strlen(arg + 2);
}

struct request {
	ServiceReq *req;
	int dir_fd;		/* passed by the client, or -1 */
	struct ucred peer;
};

static int recv_request(int sk, struct request *r)
{
	char ctl[CMSG_SPACE(sizeof(int))];
	uint8_t *buf = malloc(MAX_REQ);
	struct iovec iov = { buf, MAX_REQ };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	socklen_t len = sizeof(r->peer);
	struct cmsghdr *cm;
	ssize_t n;

	r->dir_fd = -1;
	n = buf ? recvmsg(sk, &mh, MSG_CMSG_CLOEXEC) : -1;
	cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL;
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&r->dir_fd, CMSG_DATA(cm), sizeof(int));
	r->req = n > 0 ? service_req__unpack(NULL, n, buf) : NULL;
	free(buf);
	if (getsockopt(sk, SOL_SOCKET, SO_PEERCRED, &r->peer, &len) || !r->req) {
		pr_err("Bad service request (%zd bytes)\n", n);
		return -1;
	}
	return 0;
}

static int send_response(int sk, ServiceResp *resp)
{
	size_t len = service_resp__get_packed_size(resp);
	uint8_t *buf = malloc(len ? len : 1);
	int ret = -1;

	if (buf) {
		service_resp__pack(resp, buf);
		ret = send(sk, buf, len, MSG_NOSIGNAL) == (ssize_t)len ? 0 : -1;
	}
	free(buf);
	return ret;
}

static const char *op_command(ServiceOp op)
{
	switch (op) {
	case SERVICE_OP__SERVICE_DUMP:
		return "dump";
	case SERVICE_OP__SERVICE_RESTORE:
		return "restore";
	case SERVICE_OP__SERVICE_CHECK:
		return "check";
	default:
		return NULL;
	}
}

/* Whether a client that is not root may make this request: NULL, or why not. */
static const char *user_refusal(const struct request *r)
{
	ServiceReq *q = r->req;

	if (q->op == SERVICE_OP__SERVICE_CHECK || q->op == SERVICE_OP__SERVICE_VERSION)
		return NULL;
	if (q->op != SERVICE_OP__SERVICE_DUMP)
		return "only root may ask for a restore";
	if (r->dir_fd < 0)
		return "a dump asked by a user needs the images directory passed as a descriptor";
	for (size_t i = 0; i < q->n_args; i++)
		if (!user_dump_opt(q->args[i]))
			return "an option a user may not pass to a dump of itself";
	return NULL;
}

struct argv_buf {
	char *v[MAX_ARGS + 1];
	int n;
	char bufs[4][64];
};

static int add_arg(struct argv_buf *a, char *s)
{
	if (a->n >= MAX_ARGS)
		return -1;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
	return 0;
}

/* The command line the request stands for; @pid_fd gets the restored root's pid. */
static int build_argv(const struct request *r, struct argv_buf *a, int pid_fd)
{
	ServiceReq *q = r->req;
	bool root = r->peer.uid == 0;

	a->n = 0;
	if (add_arg(a, "criu") || add_arg(a, (char *)op_command(q->op)))
		return -1;
	for (size_t i = 0; i < q->n_args; i++)
		if (add_arg(a, q->args[i]))
			return -1;
	if (r->dir_fd >= 0) {
		snprintf(a->bufs[0], sizeof(a->bufs[0]), "/proc/self/fd/%d", r->dir_fd);
		if (add_arg(a, "-D") || add_arg(a, a->bufs[0]))
			return -1;
	}
	if (!root) {
		snprintf(a->bufs[1], sizeof(a->bufs[1]), "%d", r->peer.pid);
		if (add_arg(a, "-t") || add_arg(a, a->bufs[1]) || add_arg(a, "-o") ||
		    add_arg(a, "dump.log"))
			return -1;
	}
	if (q->op == SERVICE_OP__SERVICE_RESTORE) {
		/* the worker answers and exits: the tree must not wait for it */
		snprintf(a->bufs[2], sizeof(a->bufs[2]), "/proc/self/fd/%d", pid_fd);
		if (add_arg(a, "-d") || add_arg(a, "--pidfile") || add_arg(a, a->bufs[2]))
			return -1;
	}
	return 0;
}

/* A user's images are the user's: files this dump made (one link, root's) change owner. */
static void give_images(int dir_fd, uid_t uid, gid_t gid)
{
	int fd = dup(dir_fd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)))
		if (!fstatat(dir_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) && S_ISREG(st.st_mode) &&
		    st.st_uid == 0 && st.st_nlink == 1 &&
		    fchownat(dir_fd, de->d_name, uid, gid, AT_SYMLINK_NOFOLLOW))
			pr_perror("Can't give %s to uid %u", de->d_name, uid);
	closedir(d);
}

static int restored_pid(int pid_fd)
{
	char buf[32] = "";

	if (pread(pid_fd, buf, sizeof(buf) - 1, 0) <= 0)
		return 0;
	return atoi(buf);
}

static void run_request(int sk, struct request *r, ServiceResp *resp)
{
	const char *why = r->peer.uid ? user_refusal(r) : NULL;
	int pid_fd = memfd_create("criu-service-pid", MFD_CLOEXEC), status;
	struct argv_buf a;
	struct stat st;

	if (why || pid_fd < 0 || build_argv(r, &a, pid_fd)) {
		resp->error = (char *)(why ? why : "the request does not make a command line");
		pr_err("Service request of pid %d (uid %u) refused: %s\n", r->peer.pid, r->peer.uid,
		       resp->error);
		return;
	}
	if (!fstat(sk, &st))
		service_sk_ino = st.st_ino;
	log_close();
	opts_free(&opts);
	status = criu_run(a.n, a.v);
	resp->has_exit_status = true;
	resp->exit_status = status;
	resp->success = status == 0;
	if (log_first_error())
		resp->error = (char *)log_first_error();
	if (r->peer.uid && r->dir_fd >= 0)
		give_images(r->dir_fd, r->peer.uid, r->peer.gid);
	if (r->req->op == SERVICE_OP__SERVICE_RESTORE && status == 0) {
		resp->has_pid = true;
		resp->pid = restored_pid(pid_fd);
	}
}

static void serve_client(int sk)
{
	ServiceResp resp = SERVICE_RESP__INIT;
	struct request r;

	signal(SIGCHLD, SIG_DFL);
	if (recv_request(sk, &r))
		_exit(1);
	resp.op = r.req->op;
	if (r.req->op == SERVICE_OP__SERVICE_VERSION) {
		resp.success = true;
		resp.version = CR_VERSION;
	} else if (!op_command(r.req->op)) {
		resp.error = "unknown request";
	} else {
		run_request(sk, &r, &resp);
	}
	_exit(send_response(sk, &resp) || !resp.success);
}

static int listen_unix(const char *path)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	struct stat st;
	int sk;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		pr_err("Service socket path %s is too long\n", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	/* a socket left by an earlier service goes; anything else stays */
	if (!lstat(path, &st) && S_ISSOCK(st.st_mode))
		unlink(path);
	sk = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (sk < 0 || bind(sk, (struct sockaddr *)&addr, sizeof(addr)) ||
	    chmod(path, 0666) || listen(sk, 16)) {
		pr_perror("Can't listen on service socket %s", path);
		if (sk >= 0)
			close(sk);
		return -1;
	}
	return sk;
}

int cmd_service(void)
{
	const char *path = opts.address ? opts.address : DEFAULT_SOCKET;
	int lsk = listen_unix(path), ret;

	if (lsk < 0)
		return 1;
	pr_info("Service listening on %s\n", path);
	ret = serve_in_background();
	if (ret)
		return ret < 0 ? 1 : 0;
	tell_status_fd();
	/* workers are not waited for: nothing to tell about them here */
	signal(SIGCHLD, SIG_IGN);
	for (;;) {
		int sk = accept4(lsk, NULL, NULL, SOCK_CLOEXEC);
		pid_t pid;

		if (sk < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			pr_perror("Can't accept a service client");
			return 1;
		}
		pid = fork();
		if (pid == 0) {
			close(lsk);
			serve_client(sk);
		}
		if (pid < 0)
			pr_perror("Can't fork a service worker");
		close(sk);
	}
}
