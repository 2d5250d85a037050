/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_FDINFO_H
#define CR_UTIL_FDINFO_H

/*
 * Parsers of the kind-specific lines of /proc/PID/fdinfo/N (epoll targets,
 * inotify watches, fanotify marks) and of /proc/PID/mountinfo lines. Each
 * takes one line (up to its newline or NUL) and returns 0, or -1 if the
 * line is not what it should be.
 */
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define FDINFO_MAX_HANDLE 128	/* MAX_HANDLE_SZ */

/* "ino:... sdev:... fhandle-bytes:... fhandle-type:... f_handle:..." */
struct fdinfo_object {
	uint32_t sdev;		/* kernel dev_t: major << 20 | minor */
	bool has_ino, has_handle;
	uint64_t ino;
	uint32_t handle_type, handle_bytes;
	uint8_t handle[FDINFO_MAX_HANDLE];
};

/* "tfd: %8d events: %8x data: %16llx  pos:... ino:... sdev:..." */
struct fdinfo_epoll_tfd {
	uint32_t tfd, events;
	uint64_t data;
};
int fdinfo_parse_epoll_tfd(const char *line, struct fdinfo_epoll_tfd *t);

/* "inotify wd:%x ino:%lx sdev:%x mask:%x ignored_mask:%x fhandle-..." */
struct fdinfo_inotify_wd {
	uint32_t wd, mask, ignored_mask;
	struct fdinfo_object obj;
};
int fdinfo_parse_inotify_wd(const char *line, struct fdinfo_inotify_wd *w);

/* "fanotify flags:%x event-flags:%x" */
int fdinfo_parse_fanotify_head(const char *line, uint32_t *flags, uint32_t *event_flags);

enum fdinfo_fanotify_kind {
	FDINFO_FAN_INODE = 1,	/* "fanotify ino:... sdev:... mflags:..." + handle */
	FDINFO_FAN_MOUNT,	/* "fanotify mnt_id:%x mflags:..." */
	FDINFO_FAN_SB,		/* "fanotify sdev:%x mflags:..." */
};

struct fdinfo_fanotify_mark {
	enum fdinfo_fanotify_kind kind;
	int mnt_id;
	uint32_t mflags, mask, ignored_mask;
	struct fdinfo_object obj;	/* inode marks; sb marks: sdev only */
};
int fdinfo_parse_fanotify_mark(const char *line, struct fdinfo_fanotify_mark *m);

/* "36 35 98:0 /root /mount/point opts... - fstype source superopts" */
struct mountinfo_line {
	int id, parent;
	unsigned major, minor;
	char root[PATH_MAX], mountpoint[PATH_MAX];	/* \ooo escapes decoded */
};
int proc_parse_mountinfo_line(const char *line, struct mountinfo_line *m);

#endif
