// SPDX-License-Identifier: GPL-2.0
/* Every image kind: file name, magic and the message its records hold. */
#include "images/image.h"

#include "core.pb-c.h"
#include "cpuinfo.pb-c.h"
#include "eventfd.pb-c.h"
#include "eventpoll.pb-c.h"
#include "fdinfo.pb-c.h"
#include "file-lock.pb-c.h"
#include "fs.pb-c.h"
#include "fsnotify.pb-c.h"
#include "inet.pb-c.h"
#include "inventory.pb-c.h"
#include "memfd.pb-c.h"
#include "mm.pb-c.h"
#include "netlink.pb-c.h"
#include "packet.pb-c.h"
#include "pagemap.pb-c.h"
#include "pidfd.pb-c.h"
#include "pipe.pb-c.h"
#include "pstree.pb-c.h"
#include "regfile.pb-c.h"
#include "signalfd.pb-c.h"
#include "test.pb-c.h"
#include "timerfd.pb-c.h"
#include "unix.pb-c.h"
#include "tty.pb-c.h"

/* Magics are arbitrary but fixed forever: they are part of the format. */
const struct img_kind img_kinds[IMG_KIND_COUNT] = {
	[IMG_INVENTORY] = { "inventory", "inventory.img", 0x58313116, &inventory_entry__descriptor },
	[IMG_PSTREE] = { "pstree", "pstree.img", 0x50273030, &pstree_entry__descriptor },
	[IMG_CORE] = { "core", "core-%d.img", 0x55053847, &task_core_entry__descriptor,
			&thread_core_entry__descriptor },
	[IMG_MM] = { "mm", "mm-%d.img", 0x57492820, &mm_entry__descriptor },
	[IMG_PAGEMAP] = { "pagemap", "pagemap-%d.img", 0x56084025, &pagemap_head__descriptor,
			   &pagemap_entry__descriptor },
	[IMG_PAGES] = { "pages", "pages-%d.img", 0, NULL },
	[IMG_FDINFO] = { "fdinfo", "fdinfo-%d.img", 0x56213732, &fdinfo_entry__descriptor },
	[IMG_REG_FILES] = { "reg-files", "reg-files.img", 0x50363636, &reg_file_entry__descriptor },
	[IMG_PIPES] = { "pipes", "pipes.img", 0x56513555, &pipe_entry__descriptor },
	[IMG_PIPES_DATA] = { "pipes-data", "pipes-data.img", 0x56453709, &pipe_data_entry__descriptor },
	[IMG_FS] = { "fs", "fs-%d.img", 0x51403912, &fs_entry__descriptor },
	[IMG_GHOST_FILE] = { "ghost-file", "ghost-file-%d.img", 0x52583605, &ghost_file_entry__descriptor },
	[IMG_SHMEM_PAGEMAP] = { "shmem-pagemap", "pagemap-shmem-%d.img", 0x59462419,
				 &pagemap_head__descriptor, &pagemap_entry__descriptor },
	[IMG_CPUINFO] = { "cpuinfo", "cpuinfo.img", 0x61404013, &cpuinfo_entry__descriptor },
	[IMG_EVENTFD] = { "eventfd", "eventfd.img", 0x62163524, &eventfd_entry__descriptor },
	[IMG_SIGNALFD] = { "signalfd", "signalfd.img", 0x62254117, &signalfd_entry__descriptor },
	[IMG_TIMERFD] = { "timerfd", "timerfd.img", 0x62305308, &timerfd_entry__descriptor },
	[IMG_FILE_LOCKS] = { "file-locks", "file-locks.img", 0x63512143, &file_lock_entry__descriptor },
	[IMG_UNIXSK] = { "unixsk", "unixsk.img", 0x62471729, &unix_sk_entry__descriptor },
	[IMG_INETSK] = { "inetsk", "inetsk.img", 0x63532627, &inet_sk_entry__descriptor },
	[IMG_NETLINKSK] = { "netlinksk", "netlinksk.img", 0x63542101, &netlink_sk_entry__descriptor },
	[IMG_PACKETSK] = { "packetsk", "packetsk.img", 0x63182417, &packet_sk_entry__descriptor },
	[IMG_MEMFD_INODES] = { "memfd-inodes", "memfd-inodes.img", 0x63112745, &memfd_inode_entry__descriptor },
	[IMG_MEMFD_FILES] = { "memfd-files", "memfd-files.img", 0x63124418, &memfd_file_entry__descriptor },
	[IMG_EVENTPOLL] = { "eventpoll", "eventpoll.img", 0x63135012, &eventpoll_file_entry__descriptor },
	[IMG_INOTIFY] = { "inotify", "inotify.img", 0x63145826, &inotify_file_entry__descriptor },
	[IMG_FANOTIFY] = { "fanotify", "fanotify.img", 0x63151937, &fanotify_file_entry__descriptor },
	[IMG_PIDFD] = { "pidfd", "pidfd.img", 0x63162048, &pidfd_entry__descriptor },
	[IMG_TTY_FILES] = { "tty", "tty.img", 0x62415921, &tty_file_entry__descriptor },
	[IMG_TTY_INFO] = { "tty-info", "tty-info.img", 0x62425836, &tty_info_entry__descriptor },
	[IMG_TEST] = { "test", "test-%d.img", 0x7e570001, &test_entry__descriptor },
};

const struct img_kind *img_kind_by_magic(uint32_t magic)
{
	for (int i = 0; i < IMG_KIND_COUNT; i++)
		if (img_kinds[i].magic && img_kinds[i].magic == magic)
			return &img_kinds[i];
	return NULL;
}
