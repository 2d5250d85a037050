// SPDX-License-Identifier: GPL-2.0
/*
 * Capability sets of a root task after dropping some: effective, permitted,
 * inheritable, ambient and bounding sets all differ from the defaults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "zdtmtst.h"

static const char *fields[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
static char saved[5][64];
static int ambient[64], bounding[64];

static void drop(cap_t c, cap_flag_t f, const cap_value_t *v, int n)
{
	if (cap_set_flag(c, f, n, v, CAP_CLEAR))
		test_setup_fail("cap_set_flag: %s", strerror(errno));
}

int main(int argc, char **argv)
{
	static const cap_value_t bnd_drop[] = { CAP_SYS_BOOT, CAP_MKNOD, CAP_AUDIT_WRITE,
						CAP_WAKE_ALARM };
	static const cap_value_t prm_drop[] = { CAP_NET_RAW, CAP_SYS_MODULE, CAP_MKNOD,
						CAP_SYS_TIME, CAP_LEASE };
	static const cap_value_t eff_drop[] = { CAP_CHOWN, CAP_DAC_READ_SEARCH, CAP_FOWNER,
						CAP_IPC_LOCK };
	static const cap_value_t inh_set[] = { CAP_KILL, CAP_NET_BIND_SERVICE, CAP_CHOWN,
					       CAP_SETUID };
	int i, last = cap_max_bits() - 1;
	char buf[64], *txt;
	cap_t c, cur;

	test_init(argc, argv);
	if (last > 63)
		last = 63;
	for (i = 0; i < 4; i++)
		if (prctl(PR_CAPBSET_DROP, bnd_drop[i], 0, 0, 0))
			test_setup_fail("PR_CAPBSET_DROP %d: %s", bnd_drop[i], strerror(errno));

	c = cap_get_proc();
	if (!c)
		test_setup_fail("cap_get_proc: %s", strerror(errno));
	drop(c, CAP_PERMITTED, prm_drop, 5);
	drop(c, CAP_EFFECTIVE, prm_drop, 5);
	drop(c, CAP_EFFECTIVE, eff_drop, 4);
	if (cap_set_flag(c, CAP_INHERITABLE, 4, inh_set, CAP_SET))
		test_setup_fail("cap_set_flag: %s", strerror(errno));
	if (cap_set_proc(c))
		test_setup_fail("cap_set_proc: %s", strerror(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_KILL, 0, 0) ||
	    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SETUID, 0, 0))
		test_setup_fail("PR_CAP_AMBIENT_RAISE: %s", strerror(errno));

	cap_free(c);
	c = cap_get_proc();
	for (i = 0; i < 5; i++)
		if (!proc_field("/proc/self/status", fields[i], saved[i], sizeof(saved[i])))
			test_setup_fail("no %s in /proc/self/status", fields[i]);
	for (i = 0; i <= last; i++) {
		ambient[i] = prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0);
		bounding[i] = prctl(PR_CAPBSET_READ, i, 0, 0, 0);
	}
	txt = cap_to_text(c, NULL);
	test_msg("caps: %s; ambient %s", txt, saved[4]);

	test_daemon();
	test_waitsig();

	if (test_break()) {
		static const cap_value_t kill_cap[] = { CAP_KILL };

		cur = cap_get_proc();
		cap_set_flag(cur, CAP_EFFECTIVE, 1, kill_cap, CAP_CLEAR);
		cap_set_proc(cur);
		cap_free(cur);
	}

	for (i = 0; i < 5; i++) {
		if (!proc_field("/proc/self/status", fields[i], buf, sizeof(buf)))
			fail("no %s in /proc/self/status", fields[i]);
		if (strcmp(buf, saved[i]))
			fail("%s %s, expected %s", fields[i], buf, saved[i]);
	}
	cur = cap_get_proc();
	if (!cur)
		pfail("cap_get_proc");
	if (cap_compare(cur, c))
		fail("capabilities %s, expected %s", cap_to_text(cur, NULL), txt);
	for (i = 0; i <= last; i++) {
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, i, 0, 0) != ambient[i])
			fail("ambient capability %d changed", i);
		if (prctl(PR_CAPBSET_READ, i, 0, 0, 0) != bounding[i])
			fail("bounding capability %d changed", i);
	}
	pass();
}
