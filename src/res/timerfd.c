// SPDX-License-Identifier: GPL-2.0
/* timerfd descriptions: clock, settime flags, time left, interval and the
 * expirations not read yet, all from fdinfo. Restored with timerfd_create,
 * timerfd_settime and TFD_IOC_SET_TICKS for the pending expirations. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "engine/files.h"
#include "fdinfo.pb-c.h"
#include "images/image.h"
#include "images/store.h"
#include "res/table.h"
#include "timerfd.pb-c.h"
#include "util/log.h"

#ifndef TFD_IOC_SET_TICKS
#define TFD_IOC_SET_TICKS _IOW('T', 0, uint64_t)
#endif
#ifndef TFD_TIMER_CANCEL_ON_SET
#define TFD_TIMER_CANCEL_ON_SET (1 << 1)
#endif

#define NSEC_PER_SEC 1000000000ULL

static bool timerfd_match(const struct fd_parms *p)
{
	return !strcmp(p->link, "anon_inode:[timerfd]");
}

/*
 * fdinfo of a timerfd:
 *	clockid: 1
 *	ticks: 0
 *	settime flags: 01
 *	it_value: (3599, 999682406)
 *	it_interval: (0, 0)
 * it_value is the time left, also for TFD_TIMER_ABSTIME timers.
 */
static int parse_timerfd(const char *text, TimerfdEntry *te)
{
	const char *clk = fdinfo_field(text, "clockid:");
	const char *ticks = fdinfo_field(text, "ticks:");
	const char *sflags = fdinfo_field(text, "settime flags:");
	const char *val = fdinfo_field(text, "it_value:");
	const char *intv = fdinfo_field(text, "it_interval:");
	unsigned long long vs, vn, is, in;

	if (!clk || !ticks || !sflags || !val || !intv)
		return -1;
	te->clockid = strtol(clk, NULL, 10);
	te->ticks = strtoull(ticks, NULL, 10);
	te->settime_flags = strtoul(sflags, NULL, 8);
	if (sscanf(val, " (%llu, %llu)", &vs, &vn) != 2 ||
	    sscanf(intv, " (%llu, %llu)", &is, &in) != 2)
		return -1;
	if (vn >= NSEC_PER_SEC || in >= NSEC_PER_SEC)
		return -1;
	te->value_sec = vs;
	te->value_nsec = vn;
	te->interval_sec = is;
	te->interval_nsec = in;
	return 0;
}

static struct img_store store = IMG_STORE(IMG_TIMERFD);

static int timerfd_dump(const struct fd_parms *p, uint32_t id)
{
	TimerfdEntry te = TIMERFD_ENTRY__INIT;

	if (parse_timerfd(p->fdinfo, &te)) {
		pr_err("Can't parse timerfd fdinfo of fd %d of pid %d\n", p->fd, p->pid);
		return -1;
	}
	te.id = id;
	te.flags = p->flags;
	return img_store_write(&store, &te.base);
}

static int timerfd_dump_finish(void)
{
	return img_store_finish(&store);
}

/* ---- restore ---- */

static int timerfd_collect(void)
{
	return img_store_load(&store);
}

/* The clock to read "now" from for an absolute timer on @clockid. */
static clockid_t base_clock(int clockid)
{
	if (clockid == CLOCK_REALTIME_ALARM)
		return CLOCK_REALTIME;
	if (clockid == CLOCK_BOOTTIME_ALARM)
		return CLOCK_BOOTTIME;
	return clockid;
}

static int timerfd_arm(int fd, const TimerfdEntry *te)
{
	struct itimerspec its = {
		.it_value = { te->value_sec, te->value_nsec },
		.it_interval = { te->interval_sec, te->interval_nsec },
	};
	bool periodic = te->interval_sec || te->interval_nsec;

	/*
	 * A periodic timer that fired and was not read yet shows no time left:
	 * the kernel restarts it at the next read. Arm it one interval ahead
	 * so that it keeps ticking; the unread expirations are set below.
	 */
	if (!te->value_sec && !te->value_nsec && periodic && te->ticks)
		its.it_value = its.it_interval;
	/* a zero value (disarmed, or a one-shot that expired) still sets the flags */
	if ((its.it_value.tv_sec || its.it_value.tv_nsec) &&
	    (te->settime_flags & TFD_TIMER_ABSTIME)) {
		struct timespec now;

		if (clock_gettime(base_clock(te->clockid), &now)) {
			pr_perror("Can't read clock %d for timerfd %u", te->clockid, te->id);
			return -1;
		}
		its.it_value.tv_sec += now.tv_sec;
		its.it_value.tv_nsec += now.tv_nsec;
		if (its.it_value.tv_nsec >= (long)NSEC_PER_SEC) {
			its.it_value.tv_nsec -= NSEC_PER_SEC;
			its.it_value.tv_sec++;
		}
	}
	if (timerfd_settime(fd, te->settime_flags, &its, NULL)) {
		pr_perror("Can't arm timerfd %u (clock %d, flags %#o, %" PRIu64 ".%09u s, every %"
			  PRIu64 ".%09u s)", te->id, te->clockid, te->settime_flags,
			  te->value_sec, te->value_nsec, te->interval_sec, te->interval_nsec);
		return -1;
	}
	return 0;
}

static int timerfd_open(uint32_t id)
{
	TimerfdEntry *te = NULL;
	int flags = TFD_CLOEXEC, fd;

	te = (TimerfdEntry *)img_store_find(&store, "id", id);
	if (!te) {
		pr_err("timerfd %u is missing from timerfd.img\n", id);
		return -1;
	}
	if (te->value_nsec >= NSEC_PER_SEC || te->interval_nsec >= NSEC_PER_SEC ||
	    te->value_sec > INT64_MAX / 2 || te->interval_sec > INT64_MAX / 2) {
		pr_err("timerfd %u: times out of range in timerfd.img\n", id);
		return -1;
	}
	if (te->flags & O_NONBLOCK)
		flags |= TFD_NONBLOCK;
	fd = timerfd_create(te->clockid, flags);
	if (fd < 0) {
		pr_perror("Can't create timerfd %u on clock %d", id, te->clockid);
		return -1;
	}
	if (fcntl(fd, F_SETFL, te->flags & ~O_ACCMODE)) {
		pr_perror("Can't set flags %#x on timerfd %u", te->flags, id);
		goto err;
	}
	if (timerfd_arm(fd, te))
		goto err;
	/* settime clears the count: set the unread expirations after it */
	if (te->ticks && ioctl(fd, TFD_IOC_SET_TICKS, &te->ticks)) {
		pr_perror("Can't set %" PRIu64 " pending expirations on timerfd %u", te->ticks, id);
		goto err;
	}
	return fd;
err:
	close(fd);
	return -1;
}

static void timerfd_reset(void)
{
	img_store_reset(&store);
}

const struct fd_kind timerfd_kind = {
	.name = "timerfd",
	.type = FD_TYPE__TIMERFD,
	.match = timerfd_match,
	.dump = timerfd_dump,
	.dump_finish = timerfd_dump_finish,
	.collect = timerfd_collect,
	.open = timerfd_open,
	.open_in_task = fd_opens_anywhere,
	.reset = timerfd_reset,
	.may_fly = true,
};
