// SPDX-License-Identifier: GPL-2.0
/*
 * Terminals: pty masters (/dev/ptmx) and slaves (/dev/pts/N) inside the
 * tree, /dev/tty, the controlling terminal and foreground group of a
 * session, and with --shell-job the terminal outside the tree the job ran on.
 *
 * A pty is one record in tty-info.img (its index, termios, window size,
 * packet mode, lock, exclusive mode, owner, session, foreground group and
 * the bytes queued in both directions); each description is one record in
 * tty.img. Descriptions are classified only once every task's descriptors
 * are seen: whether a slave's master is inside the tree is known only then.
 *
 * Queued bytes: no tty ioctl peeks, so the dump reads them out (the slave's
 * input queue with the slave briefly non-canonical, so an unfinished line
 * is readable too) and puts them straight back, as a restore does: bytes for
 * the master with output processing off, bytes for the slave one by one
 * through TIOCSTI with echo, signals and line editing off, so each comes back
 * as it was. What cannot be told apart: a line ended by the EOF character
 * comes back ending in a NUL byte (n_tty stores EOF as NUL), and the bytes
 * still in the kernel's flip buffers after 20 ms of quiet are not seen.
 */
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/action.h"
#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "tty.pb-c.h"
#include "util/log.h"
#include "util/options.h"
#include "util/proc.h"

#define TTYAUX_MAJOR	5	/* /dev/tty 5:0, /dev/console 5:1, /dev/ptmx 5:2 */
#define PTS_MAJOR	136	/* UNIX98 pty slaves: majors 136..143 */
#define PTS_MAJORS	8

static bool is_pts(dev_t rdev)
{
	return major(rdev) >= PTS_MAJOR && major(rdev) < PTS_MAJOR + PTS_MAJORS;
}

static int pts_index(dev_t rdev)
{
	return (major(rdev) - PTS_MAJOR) * 256 + minor(rdev);
}

static dev_t pts_rdev(int index)
{
	return makedev(PTS_MAJOR + index / 256, index % 256);
}

static bool is_ptmx(dev_t rdev)
{
	return rdev == makedev(TTYAUX_MAJOR, 2);
}

static bool is_dev_tty(dev_t rdev)
{
	return rdev == makedev(TTYAUX_MAJOR, 0);
}

/* The controlling terminal of @pid (0: none) and its foreground group. */
static dev_t ctty_of(pid_t pid, pid_t *tpgid)
{
	struct proc_stat st;

	if (proc_parse_stat(pid, 0, &st))
		return 0;
	if (tpgid)
		*tpgid = st.tpgid;
	return st.tty_nr > 0 ? (dev_t)st.tty_nr : 0;
}

static bool tty_match(const struct fd_parms *p)
{
	dev_t r = p->st.st_rdev;

	if (!S_ISCHR(p->st.st_mode))
		return false;
	/* any other terminal only as the task's own controlling one (--shell-job) */
	return is_ptmx(r) || is_pts(r) || is_dev_tty(r) || r == ctty_of(p->pid, NULL);
}

/* ---- the queued bytes, both for dump (put back) and restore ---- */

/* Read what a tty fd has queued: FIONREAD bytes at a time until 20 ms of quiet. */
static int drain(int fd, uint8_t **buf, size_t *len)
{
	size_t cap = 0;

	*buf = NULL;
	*len = 0;
	for (;;) {
		struct pollfd pfd = { fd, POLLIN, 0 };
		int n = 0;
		ssize_t r;

		if (ioctl(fd, FIONREAD, &n))
			return -1;
		if (n == 0 && (poll(&pfd, 1, 20) <= 0 || ioctl(fd, FIONREAD, &n) || n == 0))
			return 0;
		if (*len + n > cap) {
			uint8_t *nb = realloc(*buf, *len + n);

			if (!nb)
				return -1;
			*buf = nb;
			cap = *len + n;
		}
		r = read(fd, *buf + *len, n);
		if (r < 0 && errno == EAGAIN)
			return 0;
		if (r <= 0)
			return -1;
		*len += r;
	}
}

/*
 * Write all of @buf to a non-blocking slave. Beyond the master's 4 KiB line
 * discipline buffer the bytes wait in flip buffers the kernel empties into
 * it in the background, so a full pty takes more once that has happened.
 * Small writes fill those buffers to the brim: one large write leaves room
 * unused and a pty that held the bytes before would not take them back.
 */
static int write_all(int slave, const uint8_t *buf, size_t len)
{
	while (len) {
		struct pollfd pfd = { slave, POLLOUT, 0 };
		ssize_t n = write(slave, buf, len < 256 ? len : 256);

		if (n < 0 && errno != EAGAIN)
			return -1;
		if (n > 0) {
			buf += n;
			len -= n;
			continue;
		}
		if (poll(&pfd, 1, 1000) != 1) {
			errno = EAGAIN;
			return -1;
		}
	}
	return 0;
}

/*
 * Queue @out for the master's reader and @in for the slave's reader as if
 * they had just arrived, whatever the slave's termios @tio says, then give
 * the slave @tio back.
 */
static int refill(int master, int slave, const struct termios2 *tio, const uint8_t *in,
		  size_t in_len, const uint8_t *out, size_t out_len)
{
	struct termios2 t = *tio;
	int ret = -1;

	if (out_len) {
		t.c_oflag &= ~OPOST;
		if (ioctl(master, TCSETS2, &t))
			goto out;
		if (write_all(slave, out, out_len))
			goto out;
	}
	if (in_len) {
		t = *tio;
		t.c_iflag &= ~(ICRNL | INLCR | IGNCR | ISTRIP | IUCLC | PARMRK | INPCK | BRKINT);
		t.c_lflag &= ~(ECHO | ECHOE | ECHOK | ECHONL | ECHOCTL | ECHOKE | ISIG | IEXTEN);
		t.c_cc[VERASE] = t.c_cc[VKILL] = t.c_cc[VEOF] = 0;	/* 0 disables */
		if (ioctl(master, TCSETS2, &t))
			goto out;
		/* TIOCSTI feeds the line discipline at once: no flip buffer to wait for */
		for (size_t i = 0; i < in_len; i++)
			if (ioctl(slave, TIOCSTI, &in[i]))
				goto out;
	}
	ret = 0;
out:
	if (ioctl(master, TCSETS2, tio))
		ret = -1;
	return ret;
}

/* ---- dump ---- */

/* A terminal seen in this dump. */
struct pty {
	TtyInfoEntry info;
	TermiosEntry tio;
	WinsizeEntry ws;
	uint8_t cc[NCCS];
	dev_t rdev;		/* the terminal (a pty: its slave) */
	bool has_master;
	bool slave_in_read;	/* --orphan-pts-master: slave_in is what the slave has to read */
	uint8_t *slave_in;
	size_t slave_in_len;
	uint8_t *in, *out;
};

/* A description, kept until it can be classified. */
struct tty_file {
	TtyFileEntry e;
	dev_t rdev;		/* the terminal it refers to */
	pid_t pid;
	int fd;
};

static struct img_store files_store = IMG_STORE(IMG_TTY_FILES);
static struct img_store info_store = IMG_STORE(IMG_TTY_INFO);
static struct pty **ptys;	/* each its own allocation: entries point into them */
static int nr_ptys;
static struct tty_file *tfiles;
static int nr_tfiles;

static struct pty *find_pty(dev_t rdev)
{
	for (int i = 0; i < nr_ptys; i++)
		if (ptys[i]->rdev == rdev)
			return ptys[i];
	return NULL;
}

static struct pty *get_pty(dev_t rdev)
{
	struct pty *p = find_pty(rdev), **np;

	if (p)
		return p;
	np = realloc(ptys, (nr_ptys + 1) * sizeof(*ptys));
	if (!np)
		return NULL;
	ptys = np;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	ptys[nr_ptys++] = p;
	tty_info_entry__init(&p->info);
	p->rdev = rdev;
	p->info.index = is_pts(rdev) ? pts_index(rdev) : -1;
	return p;
}

static void termios_to_entry(struct pty *p, const struct termios2 *t)
{
	termios_entry__init(&p->tio);
	p->tio.iflag = t->c_iflag;
	p->tio.oflag = t->c_oflag;
	p->tio.cflag = t->c_cflag;
	p->tio.lflag = t->c_lflag;
	p->tio.line = t->c_line;
	memcpy(p->cc, t->c_cc, NCCS);
	p->tio.cc.data = p->cc;
	p->tio.cc.len = NCCS;
	p->tio.ispeed = t->c_ispeed;
	p->tio.ospeed = t->c_ospeed;
	p->info.termios = &p->tio;
}

static void entry_to_termios(const TermiosEntry *e, struct termios2 *t)
{
	memset(t, 0, sizeof(*t));
	t->c_iflag = e->iflag;
	t->c_oflag = e->oflag;
	t->c_cflag = e->cflag;
	t->c_lflag = e->lflag;
	t->c_line = e->line;
	memcpy(t->c_cc, e->cc.data, e->cc.len < NCCS ? e->cc.len : NCCS);
	t->c_ispeed = e->ispeed;
	t->c_ospeed = e->ospeed;
}

/* termios and window size as the slave side sees them, through any fd of it */
static int read_modes(int fd, struct pty *p, const struct fd_parms *fp)
{
	struct termios2 t;
	struct winsize w;

	if (ioctl(fd, TCGETS2, &t) || ioctl(fd, TIOCGWINSZ, &w)) {
		pr_perror("Can't read the modes of terminal %s fd %d of pid %d", fp->link, fp->fd,
			  fp->pid);
		return -1;
	}
	termios_to_entry(p, &t);
	winsize_entry__init(&p->ws);
	p->ws.rows = w.ws_row;
	p->ws.cols = w.ws_col;
	p->ws.xpixel = w.ws_xpixel;
	p->ws.ypixel = w.ws_ypixel;
	p->info.winsize = &p->ws;
	return 0;
}

/* Take both queues out, then put them back: the tree may run on. */
static int copy_queues(int master, int peer, struct pty *p, const struct fd_parms *fp)
{
	struct termios2 tio, raw;
	size_t in_len = 0, out_len = 0;
	int off = 0, on = 1, ret = -1;

	if (ioctl(master, TCGETS2, &tio))
		return -1;
	/* packet mode would put a status byte in front of every read */
	if (p->info.packet && ioctl(master, TIOCPKT, &off))
		return -1;
	/* non-canonical, the line being typed is readable too */
	raw = tio;
	raw.c_lflag &= ~ICANON;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (drain(master, &p->out, &out_len))
		pr_perror("Can't read the output queued in pty %d (fd %d of pid %d)",
			  p->info.index, fp->fd, fp->pid);
	else if (ioctl(master, TCSETS2, &raw) || drain(peer, &p->in, &in_len))
		pr_perror("Can't read the input queued in pty %d (fd %d of pid %d)",
			  p->info.index, fp->fd, fp->pid);
	else
		ret = 0;
	/* whatever was taken goes back, failure or not: the tree may run on */
	if (refill(master, peer, &tio, p->in, in_len, p->out, out_len)) {
		pr_perror("Can't put the queued bytes back into pty %d", p->info.index);
		ret = -1;
	}
	if (p->info.packet && ioctl(master, TIOCPKT, &on)) {
		pr_perror("Can't turn packet mode of pty %d back on", p->info.index);
		ret = -1;
	}
	p->info.has_input = in_len > 0;
	p->info.input.data = p->in;
	p->info.input.len = in_len;
	p->info.has_output = out_len > 0;
	p->info.output.data = p->out;
	p->info.output.len = out_len;
	pr_debug("pty %d: %zu bytes of input, %zu of output queued\n", p->info.index, in_len,
		 out_len);
	return ret;
}

/*
 * --orphan-pts-master: what a slave has to read, which only the slave shows
 * when its master may be outside; taken out (non-canonical, so a line being
 * typed too) and put back as copy_queues does.
 */
static int copy_slave_input(int slave, struct pty *p, const struct fd_parms *fp)
{
	struct termios2 tio, raw;
	int ret = -1;

	if (p->slave_in_read)
		return 0;
	if (ioctl(slave, TCGETS2, &tio)) {
		pr_perror("Can't read the modes of %s fd %d of pid %d", fp->link, fp->fd, fp->pid);
		return -1;
	}
	raw = tio;
	raw.c_lflag &= ~ICANON;
	raw.c_cc[VMIN] = 1;
	raw.c_cc[VTIME] = 0;
	if (ioctl(slave, TCSETS2, &raw) || drain(slave, &p->slave_in, &p->slave_in_len))
		pr_perror("Can't read the input queued in %s (fd %d of pid %d)", fp->link, fp->fd,
			  fp->pid);
	else
		ret = 0;
	if (refill(slave, slave, &tio, p->slave_in, p->slave_in_len, NULL, 0)) {
		pr_perror("Can't put the input queued back into %s", fp->link);
		ret = -1;
	}
	p->slave_in_read = true;
	return ret;
}

static int dump_master(const struct fd_parms *fp, struct pty *p)
{
	int lfd = fp->lfd, pkt = 0, lock = 0, excl = 0, zero = 0, one = 1, peer, ret = -1;
	pid_t sid = 0, pgrp = 0;
	struct stat st;

	p->has_master = true;
	if (read_modes(lfd, p, fp))
		return -1;
	if (ioctl(lfd, TIOCGPKT, &pkt) || ioctl(lfd, TIOCGPTLCK, &lock)) {
		pr_perror("Can't read the modes of pty %d (fd %d of pid %d)", p->info.index, fp->fd,
			  fp->pid);
		return -1;
	}
	/* through the master these answer for the slave, from any process */
	if (ioctl(lfd, TIOCGSID, &sid))
		sid = 0;
	if (sid && ioctl(lfd, TIOCGPGRP, &pgrp))
		pgrp = 0;
	/* a locked pty refuses to open its slave: unlock for the moment it takes */
	if (lock && ioctl(lfd, TIOCSPTLCK, &zero))
		return -1;
	peer = ioctl(lfd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (lock && ioctl(lfd, TIOCSPTLCK, &one)) {
		pr_perror("Can't lock pty %d again", p->info.index);
		if (peer >= 0)
			close(peer);
		return -1;
	}
	if (peer < 0) {
		pr_perror("Can't open the slave of pty %d (fd %d of pid %d)", p->info.index, fp->fd,
			  fp->pid);
		return -1;
	}
	if (fstat(peer, &st) || ioctl(peer, TIOCGEXCL, &excl)) {
		pr_perror("Can't stat the slave of pty %d", p->info.index);
		goto out;
	}
	p->info.has_packet = p->info.has_locked = p->info.has_exclusive = true;
	p->info.packet = pkt;
	p->info.locked = lock;
	p->info.exclusive = excl;
	p->info.has_uid = p->info.has_gid = p->info.has_mode = true;
	p->info.uid = st.st_uid;
	p->info.gid = st.st_gid;
	p->info.mode = st.st_mode & 07777;
	p->info.has_sid = p->info.has_pgrp = true;
	p->info.sid = sid;
	p->info.pgrp = pgrp;
	ret = copy_queues(lfd, peer, p, fp);
out:
	close(peer);
	return ret;
}

static int tty_dump(const struct fd_parms *fp, uint32_t id)
{
	dev_t r = fp->st.st_rdev;
	struct tty_file *tf;
	struct pty *p;
	int index;

	tf = realloc(tfiles, (nr_tfiles + 1) * sizeof(*tfiles));
	if (!tf)
		return -1;
	tfiles = tf;
	tf = &tfiles[nr_tfiles];
	tty_file_entry__init(&tf->e);
	tf->e.id = id;
	tf->e.flags = fp->flags;
	tf->pid = fp->pid;
	tf->fd = fp->fd;
	if (is_ptmx(r)) {
		if (ioctl(fp->lfd, TIOCGPTN, &index)) {
			pr_perror("Can't get the pty index of %s fd %d of pid %d", fp->link, fp->fd,
				  fp->pid);
			return -1;
		}
		tf->e.kind = TTY_KIND__PTY_MASTER;
		tf->rdev = pts_rdev(index);
	} else if (is_dev_tty(r)) {
		/* the terminal it stands for: the opener's controlling one */
		tf->e.kind = TTY_KIND__CTTY;
		tf->rdev = ctty_of(fp->pid, NULL);
		if (!tf->rdev) {
			pr_err("unsupported: /dev/tty fd %d of pid %d without a controlling terminal\n",
			       fp->fd, fp->pid);
			return -1;
		}
	} else {
		tf->e.kind = is_pts(r) ? TTY_KIND__PTY_SLAVE : TTY_KIND__EXTERNAL;
		tf->rdev = r;
	}
	tf->e.path = strdup(fp->link);
	if (!tf->e.path)
		return -1;
	nr_tfiles++;
	p = get_pty(tf->rdev);
	if (!p)
		return -1;
	tf->e.index = p->info.index;
	if (tf->e.kind == TTY_KIND__PTY_MASTER)
		return dump_master(fp, p);
	if (tf->e.kind == TTY_KIND__PTY_SLAVE) {
		if (opts.orphan_pts_master && copy_slave_input(fp->lfd, p, fp))
			return -1;
		if (!p->info.has_uid) {
			p->info.has_uid = p->info.has_gid = p->info.has_mode = true;
			p->info.uid = fp->st.st_uid;
			p->info.gid = fp->st.st_gid;
			p->info.mode = fp->st.st_mode;
		}
	}
	/* a terminal whose master is outside: its modes are known only from here */
	if (!p->info.termios && tf->e.kind != TTY_KIND__CTTY)
		return read_modes(fp->lfd, p, fp);
	return 0;
}

static const char *tty_name(dev_t rdev, char *buf, size_t len)
{
	if (is_pts(rdev))
		snprintf(buf, len, "/dev/pts/%d", pts_index(rdev));
	else
		snprintf(buf, len, "terminal %u:%u", major(rdev), minor(rdev));
	return buf;
}

/* A restore can make a group the foreground only if some task is in it. */
static bool group_alive(const struct pstree *tree, pid_t pgrp)
{
	for (int i = 0; i < tree->nr_tasks; i++)
		if (tree->tasks[i]->kind != TASK_ZOMBIE && tree->tasks[i]->pgid == pgrp)
			return true;
	return false;
}

/*
 * --orphan-pts-master: a slave whose master is outside the tree keeps the
 * input queued for it. What it wrote stays with the outside master, whose
 * reader it was for.
 */
static void orphan_pty(struct pty *p)
{
	p->info.has_orphan = p->info.orphan = true;
	p->info.has_input = p->slave_in_len > 0;
	p->info.input.data = p->slave_in;
	p->info.input.len = p->slave_in_len;
}

/*
 * Every descriptor is seen: classify them, check every controlling terminal
 * of the tree can be given back, find the shell job's outside terminal.
 */
static int tty_dump_tree(const struct pstree *tree)
{
	dev_t ext = 0;
	pid_t ext_pgrp = 0;
	struct pty *xp = NULL;
	char name[64], other[64];

	for (int i = 0; i < tree->nr_tasks; i++) {
		const struct task *t = tree->tasks[i];
		pid_t tpgid = 0;
		dev_t c;

		if (t->kind == TASK_ZOMBIE)
			continue;
		c = ctty_of(t->pid, &tpgid);
		if (!c)
			continue;
		if (!pstree_find(tree, t->sid)) {
			/* dump.c let this through only with --shell-job */
			if (ext && ext != c) {
				pr_err("unsupported: pid %d has controlling terminal %s, another task of the job has %s\n",
				       t->pid, tty_name(c, name, sizeof(name)),
				       tty_name(ext, other, sizeof(other)));
				return -1;
			}
			ext = c;
			ext_pgrp = tpgid;
			continue;
		}
		if (t->sid != t->pid || (find_pty(c) && find_pty(c)->has_master))
			continue;
		if (!opts.orphan_pts_master || !find_pty(c) || !find_pty(c)->info.termios) {
			pr_err("unsupported: controlling terminal %s of session %d has its master outside the tree%s\n",
			       tty_name(c, name, sizeof(name)), t->pid,
			       opts.orphan_pts_master ? " and no fd of the tree opens it" :
							" (see --orphan-pts-master)");
			return -1;
		}
		find_pty(c)->info.sid = t->pid;
		find_pty(c)->info.has_sid = true;
		if (tpgid > 0 && group_alive(tree, tpgid)) {
			find_pty(c)->info.has_pgrp = true;
			find_pty(c)->info.pgrp = tpgid;
		}
	}
	for (int i = 0; i < nr_ptys; i++) {
		struct pty *p = ptys[i];

		if (p->has_master && p->info.sid && !pstree_find(tree, p->info.sid)) {
			pr_err("unsupported: /dev/pts/%d is the controlling terminal of session %u outside the tree\n",
			       p->info.index, p->info.sid);
			return -1;
		}
		if (p->has_master && p->info.pgrp && !group_alive(tree, p->info.pgrp)) {
			pr_err("unsupported: the foreground group %u of /dev/pts/%d has no live process\n",
			       p->info.pgrp, p->info.index);
			return -1;
		}
	}
	for (int i = 0; i < nr_tfiles; i++) {
		struct tty_file *tf = &tfiles[i];
		struct pty *p = find_pty(tf->rdev);

		if (p->has_master)
			continue;
		if (opts.orphan_pts_master && is_pts(tf->rdev) && tf->rdev != ext) {
			orphan_pty(p);
			continue;
		}
		if (!opts.shell_job || tf->rdev != ext) {
			pr_err("unsupported: %s fd %d of pid %d: the other end of %s is outside the tree%s\n",
			       tf->e.path, tf->fd, tf->pid, tty_name(tf->rdev, name, sizeof(name)),
			       tf->rdev == ext ? " (use --shell-job)" : "");
			return -1;
		}
		/* criu's terminal takes its place on restore */
		if (tf->e.kind != TTY_KIND__CTTY)
			tf->e.kind = TTY_KIND__EXTERNAL;
		tf->e.index = -1;
		xp = p;
	}
	if (ext && !xp)
		xp = get_pty(ext);
	if (xp) {
		xp->info.index = -1;
		if (ext_pgrp > 0) {
			xp->info.has_pgrp = true;
			xp->info.pgrp = ext_pgrp;
		}
		/* the new terminal keeps its own size */
		xp->info.winsize = NULL;
	}
	for (int i = 0; i < nr_ptys; i++)
		if ((ptys[i]->has_master || ptys[i] == xp || ptys[i]->info.orphan) &&
		    img_store_write(&info_store, &ptys[i]->info.base))
			return -1;
	for (int i = 0; i < nr_tfiles; i++)
		if (img_store_write(&files_store, &tfiles[i].e.base))
			return -1;
	return 0;
}

static int tty_dump_finish(void)
{
	int ret = img_store_finish(&files_store);

	if (img_store_finish(&info_store))
		ret = -1;
	for (int i = 0; i < nr_ptys; i++) {
		free(ptys[i]->slave_in);
		free(ptys[i]->in);
		free(ptys[i]->out);
		free(ptys[i]);
	}
	for (int i = 0; i < nr_tfiles; i++)
		free(tfiles[i].e.path);
	free(ptys);
	free(tfiles);
	ptys = NULL;
	tfiles = NULL;
	nr_ptys = nr_tfiles = 0;
	return ret;
}

/* ---- restore ---- */

struct live_pty {
	int index;		/* in the images */
	int now;		/* here: another one for an orphan */
	int master, peer;	/* criu's; the peer (a slave) is what sessions attach to */
	bool master_given;
	TtyInfoEntry *info;
};

static struct live_pty *live;
static int nr_live;
static int ext_fd = -1;		/* --shell-job: criu's terminal */
static TtyInfoEntry *ext_info;

static int tty_collect(void)
{
	if (img_store_load(&files_store) || img_store_load(&info_store))
		return -1;
	ext_info = (TtyInfoEntry *)img_store_find(&info_store, "index", (uint64_t)(int64_t)-1);
	return 0;
}

static TtyFileEntry *find_file(uint32_t id)
{
	return (TtyFileEntry *)img_store_find(&files_store, "id", id);
}

static TtyFileEntry *master_file(int index)
{
	for (int i = 0; i < files_store.nr; i++) {
		TtyFileEntry *f = (TtyFileEntry *)files_store.recs[i];

		if (f->kind == TTY_KIND__PTY_MASTER && f->index == index)
			return f;
	}
	return NULL;
}

/*
 * Opening ptmx hands out the lowest free index, so open it until the
 * wanted one comes, holding the lower ones meanwhile. If a higher one comes
 * first, the wanted index belongs to a terminal outside criu: refuse.
 */
static int open_ptmx_at(const char *path, int index)
{
	int *held = NULL, nr_held = 0, fd = -1, got;
	struct stat st;

	for (;;) {
		int *nh;

		fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0) {
			pr_perror("Can't open %s for pty %d", path, index);
			break;
		}
		if (fstat(fd, &st) || !S_ISCHR(st.st_mode) || !is_ptmx(st.st_rdev)) {
			pr_err("Image tty.img: master %s of pty %d is not a pty multiplexer\n", path,
			       index);
			goto fail;
		}
		if (ioctl(fd, TIOCGPTN, &got)) {
			pr_perror("Can't get the index of a new pty");
			goto fail;
		}
		if (got == index)
			break;
		if (got > index) {
			pr_err("Can't restore pty %d: /dev/pts/%d is in use by another terminal\n",
			       index, index);
			goto fail;
		}
		nh = realloc(held, (nr_held + 1) * sizeof(*held));
		if (!nh)
			goto fail;
		held = nh;
		held[nr_held++] = fd;
	}
	goto out;
fail:
	close(fd);
	fd = -1;
out:
	for (int i = 0; i < nr_held; i++)
		close(held[i]);
	free(held);
	return fd;
}

/* --orphan-pts-master: a new pty, any index, stands for one whose master was outside */
static int open_orphan(int index)
{
	int fd;

	if (!opts.orphan_pts_master) {
		pr_err("The images hold /dev/pts/%d, whose master was outside the tree: restore with --orphan-pts-master\n",
		       index);
		return -1;
	}
	fd = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		pr_perror("Can't open /dev/ptmx for orphan pty %d", index);
	return fd;
}

static struct live_pty *live_pty(int index)
{
	TtyFileEntry *m = NULL;
	TtyInfoEntry *info;
	struct live_pty *lp;
	int zero = 0;

	for (int i = 0; i < nr_live; i++)
		if (live[i].index == index)
			return &live[i];
	info = (TtyInfoEntry *)img_store_find(&info_store, "index", index);
	if (!info) {
		pr_err("Image tty-info.img has no pty %d\n", index);
		return NULL;
	}
	if (!info->orphan && !(m = master_file(index))) {
		pr_err("Image tty.img: pty %d has no master\n", index);
		return NULL;
	}
	lp = realloc(live, (nr_live + 1) * sizeof(*live));
	if (!lp)
		return NULL;
	live = lp;
	lp = &live[nr_live];
	memset(lp, 0, sizeof(*lp));
	lp->index = lp->now = index;
	lp->peer = -1;
	lp->info = info;
	lp->master = m ? open_ptmx_at(m->path, index) : open_orphan(index);
	if (lp->master < 0)
		return NULL;
	nr_live++;
	if (!m && ioctl(lp->master, TIOCGPTN, &lp->now)) {
		pr_perror("Can't get the index of the pty standing for %d", index);
		return NULL;
	}
	lp->peer = ioctl(lp->master, TIOCSPTLCK, &zero) ? -1 :
		ioctl(lp->master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (lp->peer < 0) {
		pr_perror("Can't open the slave of pty %d", index);
		return NULL;
	}
	return lp;
}

static int send_fd(int sk, int fd)
{
	char c = 0, ctl[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (fd >= 0) {
		mh.msg_control = ctl;
		mh.msg_controllen = sizeof(ctl);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	return sendmsg(sk, &mh, 0) == 1 ? 0 : -1;
}

static int recv_fd(int sk)
{
	char c, ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &c, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	struct cmsghdr *cm;
	int fd;

	if (recvmsg(sk, &mh, MSG_CMSG_CLOEXEC) != 1)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (!cm || cm->cmsg_type != SCM_RIGHTS)
		return -1;
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/*
 * /dev/tty is whatever the opener's controlling terminal is: open it in a
 * short-lived session whose controlling terminal is this pty. The session
 * ends with the child; a pty is not hung up by that.
 */
static int open_dev_tty(struct live_pty *lp, const char *path, uint32_t flags)
{
	int sk[2], fd, status;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sk)) {
		pr_perror("Can't make a socket pair for /dev/tty of pty %d", lp->index);
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		fd = -1;
		if (setsid() >= 0 && !ioctl(lp->peer, TIOCSCTTY, 0))
			fd = open(path, flags | O_CLOEXEC);
		_exit(send_fd(sk[1], fd) || fd < 0);
	}
	fd = pid < 0 ? -1 : recv_fd(sk[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	if (fd < 0)
		pr_err("Can't open %s as the controlling terminal /dev/pts/%d\n", path, lp->index);
	close(sk[0]);
	close(sk[1]);
	return fd;
}

/* --shell-job: criu's own terminal stands for the one the job ran on. */
static int criu_terminal(void)
{
	if (ext_fd >= 0)
		return ext_fd;
	if (!isatty(STDIN_FILENO)) {
		pr_err("--shell-job: criu's stdin is not a terminal to give the job\n");
		return -1;
	}
	ext_fd = fcntl(STDIN_FILENO, F_DUPFD_CLOEXEC, 0);
	if (ext_fd < 0)
		pr_perror("Can't keep criu's terminal");
	return ext_fd;
}

static int tty_open(uint32_t id)
{
	TtyFileEntry *f = find_file(id);
	struct live_pty *lp = NULL;
	uint32_t flags;
	int fd;

	if (!f) {
		pr_err("Terminal %u is missing from tty.img\n", id);
		return -1;
	}
	flags = f->flags & ~(O_CREAT | O_EXCL | O_TRUNC);
	if (f->index >= 0 && f->kind != TTY_KIND__EXTERNAL) {
		lp = live_pty(f->index);
		if (!lp)
			return -1;
	}
	switch (f->kind) {
	case TTY_KIND__PTY_MASTER:
		if (lp->master_given) {
			pr_err("Image tty.img: pty %d has two masters\n", f->index);
			return -1;
		}
		lp->master_given = true;
		if (fcntl(lp->master, F_SETFL, flags & ~O_ACCMODE)) {
			pr_perror("Can't set the flags of pty %d", f->index);
			return -1;
		}
		fd = fcntl(lp->master, F_DUPFD_CLOEXEC, 0);
		break;
	case TTY_KIND__PTY_SLAVE:
		/* open() adds O_LARGEFILE, a slave opened through TIOCGPTPEER has none */
		if (flags & O_LARGEFILE) {
			char path[32];
			struct stat st;

			/* an orphan's slave is another one: its name is not in the images */
			snprintf(path, sizeof(path), "/dev/pts/%d", lp->now);
			fd = open(lp->info->orphan ? path : f->path, flags | O_NOCTTY | O_CLOEXEC);
			if (fd >= 0 && (fstat(fd, &st) || st.st_rdev != pts_rdev(lp->now))) {
				pr_err("Image tty.img: %s is not the slave of pty %d\n", f->path,
				       f->index);
				close(fd);
				return -1;
			}
		} else {
			/* it would keep O_CLOEXEC in f_flags */
			fd = ioctl(lp->master, TIOCGPTPEER, flags | O_NOCTTY);
		}
		break;
	case TTY_KIND__CTTY:
		if (lp)
			return open_dev_tty(lp, f->path, flags);
		fd = open(f->path, flags | O_CLOEXEC);	/* criu's own, with --shell-job */
		break;
	case TTY_KIND__EXTERNAL:
		if (criu_terminal() < 0)
			return -1;
		/*
		 * Like a job its shell's, share criu's description when the flags
		 * agree; a new one otherwise (open() adds O_LARGEFILE to those).
		 */
		if ((uint32_t)(fcntl(ext_fd, F_GETFL) & ~O_CLOEXEC) == flags)
			fd = fcntl(ext_fd, F_DUPFD_CLOEXEC, 0);
		else
			fd = open("/proc/self/fd/0", flags | O_NOCTTY | O_CLOEXEC);
		break;
	default:
		pr_err("Image tty.img: terminal %u of unknown kind %d\n", id, f->kind);
		return -1;
	}
	if (fd < 0)
		pr_perror("Can't open terminal %s (%u)", f->path, id);
	return fd;
}

static int restore_pty(struct live_pty *lp)
{
	TtyInfoEntry *in = lp->info;
	struct termios2 tio;
	struct winsize ws;
	int one = 1;

	if (!in->termios || !in->winsize) {
		pr_err("Image tty-info.img: pty %d has no termios or window size\n", lp->index);
		return -1;
	}
	entry_to_termios(in->termios, &tio);
	ws = (struct winsize){ in->winsize->rows, in->winsize->cols, in->winsize->xpixel,
			       in->winsize->ypixel };
	if (ioctl(lp->master, TIOCSWINSZ, &ws) || ioctl(lp->master, TCSETS2, &tio)) {
		pr_perror("Can't set the modes of pty %d", lp->index);
		return -1;
	}
	if (refill(lp->master, lp->peer, &tio, in->input.data, in->input.len, in->output.data,
		   in->output.len)) {
		pr_perror("Can't queue %zu + %zu bytes into pty %d", in->input.len,
			  in->output.len, lp->index);
		return -1;
	}
	if ((in->has_uid && fchown(lp->peer, in->uid, in->gid)) ||
	    (in->has_mode && fchmod(lp->peer, in->mode & 07777))) {
		pr_perror("Can't give /dev/pts/%d its owner and mode", lp->index);
		return -1;
	}
	if ((in->exclusive && ioctl(lp->peer, TIOCEXCL)) ||
	    (in->packet && ioctl(lp->master, TIOCPKT, &one)) ||
	    (in->locked && ioctl(lp->master, TIOCSPTLCK, &one))) {
		pr_perror("Can't set exclusive/packet/lock mode of pty %d", lp->index);
		return -1;
	}
	return 0;
}

/*
 * The new master of an orphan goes to the orphan-pts-master action script,
 * open at the fd named by CRTOOLS_ORPHAN_PTS_MASTER_FD, the new slave named
 * by CRTOOLS_ORPHAN_PTS_SLAVE: the script hands it to what stands for the
 * old master. criu's own copy closes when the restore ends.
 */
static int hand_orphan(struct live_pty *lp)
{
	char slave[32];

	if (opts.check_only)
		return 0;
	if (!opts.nr_action_scripts) {
		pr_err("--orphan-pts-master: the new master of /dev/pts/%d needs an --action-script to take it\n",
		       lp->index);
		return -1;
	}
	snprintf(slave, sizeof(slave), "/dev/pts/%d", lp->now);
	pr_info("Orphan pty %d is %s now\n", lp->index, slave);
	return run_action_scripts_fd("orphan-pts-master", lp->master,
				     "CRTOOLS_ORPHAN_PTS_MASTER_FD", "CRTOOLS_ORPHAN_PTS_SLAVE", slave);
}

/* Every description is open: the ptys get their modes and queued bytes. */
static int tty_post_open(void)
{
	for (int i = 0; i < info_store.nr; i++) {
		TtyInfoEntry *in = (TtyInfoEntry *)info_store.recs[i];
		struct live_pty *lp;

		if (in->index < 0)
			continue;
		lp = live_pty(in->index);
		if (!lp || restore_pty(lp) || (in->orphan && hand_orphan(lp)))
			return -1;
	}
	if (ext_info && !isatty(STDIN_FILENO))
		pr_warn("--shell-job: criu's stdin is not a terminal, the job gets none\n");
	else if (ext_info && criu_terminal() < 0)
		return -1;
	return 0;
}

/* In the restored task: its session's controlling terminal, then the foreground. */
static int tty_restore_task(const struct task *t, enum fd_task_stage stage)
{
	for (int i = 0; i < nr_live; i++) {
		struct live_pty *lp = &live[i];
		pid_t pgrp = lp->info->pgrp;

		if (lp->info->sid != (uint32_t)t->pid)
			continue;
		if (stage == FD_STAGE_SESSION && ioctl(lp->peer, TIOCSCTTY, 0)) {
			pr_perror("Can't make /dev/pts/%d the controlling terminal of %d", lp->index,
				  t->pid);
			return -1;
		}
		/* SIGTTOU is blocked here, so a background caller may do this */
		if (stage == FD_STAGE_GROUPS && pgrp && ioctl(lp->peer, TIOCSPGRP, &pgrp)) {
			pr_perror("Can't make group %d the foreground of /dev/pts/%d", pgrp,
				  lp->index);
			return -1;
		}
	}
	if (stage == FD_STAGE_GROUPS && ext_info && !t->parent && ext_fd >= 0) {
		pid_t pgrp = ext_info->pgrp;
		struct termios2 tio;

		/* a job that was in the foreground is in the foreground again */
		if (pgrp && pgrp == t->pgid && ioctl(ext_fd, TIOCSPGRP, &pgrp)) {
			pr_perror("Can't make group %d the foreground of criu's terminal", pgrp);
			return -1;
		}
		if (ext_info->termios) {
			entry_to_termios(ext_info->termios, &tio);
			if (ioctl(ext_fd, TCSETS2, &tio)) {
				pr_perror("Can't give criu's terminal the job's modes");
				return -1;
			}
		}
	}
	return 0;
}

static void tty_reset(void)
{
	for (int i = 0; i < nr_live; i++) {
		close(live[i].master);
		if (live[i].peer >= 0)
			close(live[i].peer);
	}
	free(live);
	live = NULL;
	nr_live = 0;
	if (ext_fd >= 0)
		close(ext_fd);
	ext_fd = -1;
	ext_info = NULL;
	img_store_reset(&files_store);
	img_store_reset(&info_store);
}

const struct fd_kind tty_kind = {
	.name = "tty",
	.type = FD_TYPE__TTY,
	.match = tty_match,
	.dump = tty_dump,
	.dump_tree = tty_dump_tree,
	.dump_finish = tty_dump_finish,
	.collect = tty_collect,
	.open = tty_open,
	.post_open = tty_post_open,
	.restore_task = tty_restore_task,
	.reset = tty_reset,
};
