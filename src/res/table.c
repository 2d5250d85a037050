// SPDX-License-Identifier: GPL-2.0
/*
 * Every kind of file description criu knows, first match wins on dump; on
 * restore the installed hooks run in this order (epoll last: its targets
 * must be the final files at their fds).
 */
#include "res/table.h"

const struct fd_kind *const fd_kinds[] = {
	&memfd_kind,	/* before regfile: a memfd is an unlinked regular file too */
	&regfile_kind,
	&pipe_kind,
	&eventfd_kind,
	&signalfd_kind,
	&timerfd_kind,
	&unixsk_kind,
	&inetsk_kind,
	&netlinksk_kind,
	&packetsk_kind,
	&tty_kind,
	&inotify_kind,
	&fanotify_kind,
	&pidfd_kind,
	&eventpoll_kind,
	&othersk_kind,	/* last: any socket no kind above took is refused by family */
};

const int nr_fd_kinds = sizeof(fd_kinds) / sizeof(fd_kinds[0]);

const struct fd_extra *const fd_extras[] = {
	&file_lock_extra,
};

const int nr_fd_extras = sizeof(fd_extras) / sizeof(fd_extras[0]);
