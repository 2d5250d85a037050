/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_RES_TABLE_H
#define CR_RES_TABLE_H

#include "engine/files.h"

extern const struct fd_kind regfile_kind;
extern const struct fd_kind pipe_kind;
extern const struct fd_kind eventfd_kind;
extern const struct fd_kind signalfd_kind;
extern const struct fd_kind timerfd_kind;
extern const struct fd_kind unixsk_kind;
extern const struct fd_kind inetsk_kind;
extern const struct fd_kind netlinksk_kind;
extern const struct fd_kind packetsk_kind;
extern const struct fd_kind othersk_kind;
extern const struct fd_kind memfd_kind;
extern const struct fd_kind eventpoll_kind;
extern const struct fd_kind inotify_kind;
extern const struct fd_kind fanotify_kind;
extern const struct fd_kind pidfd_kind;
extern const struct fd_kind tty_kind;

extern const struct fd_extra file_lock_extra;

#endif
