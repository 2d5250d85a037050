// SPDX-License-Identifier: GPL-2.0
/* Every kind of file description criu knows, first match wins on dump. */
#include "res/table.h"

const struct fd_kind *const fd_kinds[] = {
	&regfile_kind,
	&pipe_kind,
	&eventfd_kind,
	&signalfd_kind,
	&timerfd_kind,
	&unixsk_kind,
	&inetsk_kind,
	&tty_kind,
};

const int nr_fd_kinds = sizeof(fd_kinds) / sizeof(fd_kinds[0]);

const struct fd_extra *const fd_extras[] = {
	&file_lock_extra,
};

const int nr_fd_extras = sizeof(fd_extras) / sizeof(fd_extras[0]);
