// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc parsers: every _buf form on literal kernel text (normal, odd
 * and damaged), then the live forms on this test process itself.
 */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/log.h"
#include "util/proc.h"
#include "util/procnet.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---------------------------------------------------------------- stat */

/* A real line of `cat /proc/self/stat` (kernel 6.18). */
static const char stat_cat[] =
	"4315 (cat) R 4308 4308 408 0 -1 4194304 98 0 0 0 0 0 0 0 20 0 1 0 289622 "
	"3133440 414 18446744073709551615 94364587327488 94364587347369 "
	"140725342802304 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94364587363376 "
	"94364587364992 94364964556800 140725342804421 140725342804441 "
	"140725342804441 140725342805995 0\n";

/* A real zombie: exited with status 3, not yet reaped. */
static const char stat_zombie[] =
	"4435 (python3) Z 4394 4392 408 0 -1 4227148 227 0 0 0 0 0 0 0 20 0 1 0 "
	"290380 0 0 18446744073709551615 0 0 0 0 0 0 0 16781312 2 1 0 0 17 0 0 0 "
	"0 0 0 0 0 0 0 0 0 0 768\n";

/*
 * A line whose field N (numbered as in proc(5)) holds 1000 + N, so a parser
 * reading one column off cannot pass.
 */
static char *numbered_stat(const char *pid_comm)
{
	char *buf = malloc(1024);
	size_t off;

	ck_assert_ptr_nonnull(buf);
	off = (size_t)snprintf(buf, 1024, "%s S", pid_comm);
	for (int f = 4; f <= 52; f++)
		off += (size_t)snprintf(buf + off, 1024 - off, " %d", 1000 + f);
	snprintf(buf + off, 1024 - off, "\n");
	return buf;
}

static void check_numbered(const struct proc_stat *st)
{
	ck_assert_int_eq(st->state, 'S');
	ck_assert_int_eq(st->ppid, 1004);
	ck_assert_int_eq(st->pgid, 1005);
	ck_assert_int_eq(st->sid, 1006);
	ck_assert_int_eq(st->tty_nr, 1007);
	ck_assert_int_eq(st->tpgid, 1008);
	ck_assert_uint_eq(st->flags, 1009);
	ck_assert_int_eq(st->priority, 1018);
	ck_assert_int_eq(st->nice, 1019);
	ck_assert_uint_eq(st->start_time, 1022);
	ck_assert_uint_eq(st->start_code, 1026);
	ck_assert_uint_eq(st->end_code, 1027);
	ck_assert_uint_eq(st->start_stack, 1028);
	ck_assert_uint_eq(st->rt_priority, 1040);
	ck_assert_uint_eq(st->policy, 1041);
	ck_assert_uint_eq(st->start_data, 1045);
	ck_assert_uint_eq(st->end_data, 1046);
	ck_assert_uint_eq(st->start_brk, 1047);
	ck_assert_uint_eq(st->arg_start, 1048);
	ck_assert_uint_eq(st->arg_end, 1049);
	ck_assert_uint_eq(st->env_start, 1050);
	ck_assert_uint_eq(st->env_end, 1051);
	ck_assert_int_eq(st->exit_code, 1052);
}

START_TEST(test_stat_real)
{
	struct proc_stat st;

	ck_assert_int_eq(proc_parse_stat_buf(stat_cat, &st), 0);
	ck_assert_int_eq(st.pid, 4315);
	ck_assert_str_eq(st.comm, "cat");
	ck_assert_int_eq(st.state, 'R');
	ck_assert_int_eq(st.ppid, 4308);
	ck_assert_int_eq(st.pgid, 4308);
	ck_assert_int_eq(st.sid, 408);
	ck_assert_int_eq(st.tty_nr, 0);
	ck_assert_int_eq(st.tpgid, -1);
	ck_assert_uint_eq(st.flags, 4194304);
	ck_assert_int_eq(st.priority, 20);
	ck_assert_int_eq(st.nice, 0);
	ck_assert_uint_eq(st.start_time, 289622);
	ck_assert_uint_eq(st.start_code, 94364587327488UL);
	ck_assert_uint_eq(st.end_code, 94364587347369UL);
	ck_assert_uint_eq(st.start_stack, 140725342802304UL);
	ck_assert_uint_eq(st.rt_priority, 0);
	ck_assert_uint_eq(st.policy, 0);
	ck_assert_uint_eq(st.start_data, 94364587363376UL);
	ck_assert_uint_eq(st.end_data, 94364587364992UL);
	ck_assert_uint_eq(st.start_brk, 94364964556800UL);
	ck_assert_uint_eq(st.arg_start, 140725342804421UL);
	ck_assert_uint_eq(st.arg_end, 140725342804441UL);
	ck_assert_uint_eq(st.env_start, 140725342804441UL);
	ck_assert_uint_eq(st.env_end, 140725342805995UL);
	ck_assert_int_eq(st.exit_code, 0);
}
END_TEST

START_TEST(test_stat_columns)
{
	struct proc_stat st;
	char *line = numbered_stat("77 (numbers)");

	ck_assert_int_eq(proc_parse_stat_buf(line, &st), 0);
	ck_assert_int_eq(st.pid, 77);
	ck_assert_str_eq(st.comm, "numbers");
	check_numbered(&st);
	free(line);
}
END_TEST

/* proc_try_stat: the state of a live child, its zombie, then nothing once reaped. */
START_TEST(test_try_stat)
{
	struct proc_stat st;
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	ck_assert_int_gt(pid, 0);
	ck_assert_int_eq(proc_try_stat(getpid(), &st), 0);
	ck_assert_int_eq(st.state, 'R');
	for (int i = 0; i < 1000 && !proc_try_stat(pid, &st) && st.state != 'Z'; i++)
		usleep(1000);
	ck_assert_int_eq(st.state, 'Z');
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	ck_assert_int_eq(proc_try_stat(pid, &st), -1);
}
END_TEST

START_TEST(test_stat_negative)
{
	/* a SCHED_FIFO task at rt priority 10, then a task at nice -20 */
	static const char rt[] =
		"9 (rt) S 1 9 9 34816 9 4194560 0 0 0 0 0 0 0 0 -11 0 1 0 100 0 0 "
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 10 1 0 0 0 0 0 0 0 "
		"0 0 0 0\n";
	static const char nice[] =
		"10 (nice) S 1 10 10 0 -1 4194560 0 0 0 0 0 0 0 0 0 -20 1 0 100 0 0 "
		"18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 "
		"0 0 0 0\n";
	struct proc_stat st;

	ck_assert_int_eq(proc_parse_stat_buf(rt, &st), 0);
	ck_assert_int_eq(st.priority, -11);
	ck_assert_int_eq(st.tty_nr, 34816);
	ck_assert_int_eq(st.tpgid, 9);
	ck_assert_uint_eq(st.rt_priority, 10);
	ck_assert_uint_eq(st.policy, 1);
	ck_assert_int_eq(proc_parse_stat_buf(nice, &st), 0);
	ck_assert_int_eq(st.priority, 0);
	ck_assert_int_eq(st.nice, -20);
}
END_TEST

START_TEST(test_stat_comm)
{
	static const struct {
		const char *head, *comm;
	} cases[] = {
		{ "42 ((a) b))", "(a) b)" },	/* parentheses and a space */
		{ "43 (x) R 1 2 3)", "x) R 1 2 3" },	/* looks like fields */
		{ "44 ()", "" },		/* prctl(PR_SET_NAME, "") */
		{ "45 ( )", " " },
		{ "46 (a\nb)", "a\nb" },	/* comm may hold a newline */
		{ "47 (fifteen-chars-x)", "fifteen-chars-x" },
		{ "48 (()))))", "())))" },
	};
	struct proc_stat st;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *line = numbered_stat(cases[i].head);

		ck_assert_msg(proc_parse_stat_buf(line, &st) == 0, "case %zu", i);
		ck_assert_int_eq(st.pid, 42 + (int)i);
		ck_assert_str_eq(st.comm, cases[i].comm);
		check_numbered(&st);
		free(line);
	}
}
END_TEST

START_TEST(test_stat_long_comm)
{
	/* longer than the struct holds: cut, still terminated, fields intact */
	char head[256], *line;
	struct proc_stat st;

	memset(head, 0, sizeof(head));
	strcpy(head, "5 (");
	memset(head + 3, 'c', 100);
	strcat(head, ")");
	line = numbered_stat(head);
	ck_assert_int_eq(proc_parse_stat_buf(line, &st), 0);
	ck_assert_uint_eq(strlen(st.comm), sizeof(st.comm) - 1);
	ck_assert_int_eq(st.comm[0], 'c');
	check_numbered(&st);
	free(line);
}
END_TEST

START_TEST(test_stat_zombie)
{
	struct proc_stat st;

	ck_assert_int_eq(proc_parse_stat_buf(stat_zombie, &st), 0);
	ck_assert_int_eq(st.pid, 4435);
	ck_assert_str_eq(st.comm, "python3");
	ck_assert_int_eq(st.state, 'Z');
	ck_assert_int_eq(st.ppid, 4394);
	ck_assert_int_eq(st.pgid, 4392);
	ck_assert_int_eq(st.sid, 408);
	ck_assert_uint_eq(st.start_time, 290380);
	ck_assert_uint_eq(st.start_code, 0);
	ck_assert_uint_eq(st.start_stack, 0);
	ck_assert_uint_eq(st.env_end, 0);
	ck_assert_int_eq(st.exit_code, 768);
	ck_assert(WIFEXITED(st.exit_code) && WEXITSTATUS(st.exit_code) == 3);
}
END_TEST

/*
 * Every prefix of a good line that stops at or just before a space lacks at
 * least one field: each is refused. Each prefix lives in a buffer of its
 * own exact size, so a parser reading past the end trips ASan.
 */
START_TEST(test_stat_truncated)
{
	static const char *const bad[] = {
		"", "4315", "4315 ", "4315 (cat", "4315 cat) R 1", "4315 (cat)",
		"4315 (cat)R 4308", ")(", "4315 )cat( R 1 2 3",
	};
	const char *full[] = { stat_cat, stat_zombie };
	struct proc_stat st;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *b = strdup(bad[i]);

		ck_assert_msg(proc_parse_stat_buf(b, &st) == -1, "\"%s\"", bad[i]);
		free(b);
	}
	for (size_t k = 0; k < ARRAY_SIZE(full); k++) {
		const char *line = full[k];
		size_t len = strlen(line);
		int cuts = 0;

		for (size_t i = 0; i < len; i++) {
			char *b;

			if (line[i] != ' ')
				continue;
			/* "... N" and "... N " */
			for (size_t end = i; end <= i + 1; end++) {
				b = strndup(line, end);
				ck_assert_ptr_nonnull(b);
				ck_assert_msg(proc_parse_stat_buf(b, &st) == -1, "cut at %zu: %s",
					      end, b);
				free(b);
				cuts++;
			}
		}
		/* 52 fields, 51 separators, two cuts around each */
		ck_assert_int_eq(cuts, 102);
	}
}
END_TEST

/* -------------------------------------------------------------- status */

static char *many_groups(int nr)
{
	char *buf = malloc((size_t)nr * 12 + 256);
	size_t off;

	ck_assert_ptr_nonnull(buf);
	off = (size_t)sprintf(buf, "Name:\tg\nTgid:\t5\nGroups:\t");
	for (int i = 0; i < nr; i++)
		off += (size_t)sprintf(buf + off, "%u ", 4000000000u + (unsigned)i);
	sprintf(buf + off, "\nThreads:\t1\n");
	return buf;
}

/* Shaped like a real /proc/PID/status, every field we use non-trivial. */
static const char status_full[] =
	"Name:\tzdtm: a (b)\n"
	"Umask:\t0022\n"
	"State:\tS (sleeping)\n"
	"Tgid:\t4316\n"
	"Ngid:\t0\n"
	"Pid:\t4317\n"
	"PPid:\t4308\n"
	"TracerPid:\t77\n"
	"Uid:\t1000\t1001\t1002\t1003\n"
	"Gid:\t2000\t2001\t2002\t4294967294\n"
	"FDSize:\t256\n"
	"Groups:\t4 24 27 30 46 100 65534 \n"
	"NStgid:\t4316\n"
	"NSpid:\t4317\n"
	"NSpgid:\t4308\n"
	"NSsid:\t408\n"
	"Kthread:\t0\n"
	"VmPeak:\t    3060 kB\n"
	"VmSize:\t    3060 kB\n"
	"Threads:\t7\n"
	"SigQ:\t2/96365\n"
	"SigPnd:\t0000000000000001\n"
	"ShdPnd:\t0000000000000100\n"
	"SigBlk:\t0000000000010000\n"
	"SigIgn:\t0000000001000000\n"
	"SigCgt:\tfffffffe7ffbfeff\n"
	"CapInh:\t0000000000000002\n"
	"CapPrm:\t000001fffeffffff\n"
	"CapEff:\t0000000000003000\n"
	"CapBnd:\t000001ffffffffff\n"
	"CapAmb:\t8000000000000000\n"
	"NoNewPrivs:\t1\n"
	"Seccomp:\t2\n"
	"Seccomp_filters:\t3\n"
	"Speculation_Store_Bypass:\tvulnerable\n"
	"SpeculationIndirectBranch:\talways enabled\n"
	"Cpus_allowed:\t3\n"
	"Cpus_allowed_list:\t0-1\n"
	"Mems_allowed:\t00000000,00000000,00000000,00000001\n"
	"Mems_allowed_list:\t0\n"
	"voluntary_ctxt_switches:\t0\n"
	"nonvoluntary_ctxt_switches:\t2\n";

START_TEST(test_status_full)
{
	static const uint32_t groups[] = { 4, 24, 27, 30, 46, 100, 65534 };
	struct proc_status st;

	ck_assert_int_eq(proc_parse_status_buf(status_full, &st), 0);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(st.tgid, 4316);
	ck_assert_int_eq(st.ppid, 4308);
	ck_assert_int_eq(st.tracer, 77);
	for (int i = 0; i < 4; i++)
		ck_assert_uint_eq(st.uid[i], 1000 + i);
	ck_assert_uint_eq(st.gid[0], 2000);
	ck_assert_uint_eq(st.gid[1], 2001);
	ck_assert_uint_eq(st.gid[2], 2002);
	ck_assert_uint_eq(st.gid[3], 4294967294u);
	ck_assert_int_eq(st.nr_groups, (int)ARRAY_SIZE(groups));
	for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
		ck_assert_uint_eq(st.groups[i], groups[i]);
	ck_assert_uint_eq(st.sig_pnd, 0x1);
	ck_assert_uint_eq(st.shd_pnd, 0x100);
	ck_assert_uint_eq(st.sig_blk, 0x10000);
	ck_assert_uint_eq(st.sig_ign, 0x1000000);
	ck_assert_uint_eq(st.sig_cgt, 0xfffffffe7ffbfeffULL);
	ck_assert_uint_eq(st.cap_inh, 0x2);
	ck_assert_uint_eq(st.cap_prm, 0x1fffeffffffULL);
	ck_assert_uint_eq(st.cap_eff, 0x3000);
	ck_assert_uint_eq(st.cap_bnd, 0x1ffffffffffULL);
	ck_assert_uint_eq(st.cap_amb, 0x8000000000000000ULL);
	ck_assert_int_eq(st.no_new_privs, 1);
	ck_assert_int_eq(st.seccomp, 2);	/* not Seccomp_filters */
	ck_assert_int_eq(st.threads, 7);
}
END_TEST

START_TEST(test_status_groups)
{
	static const char *const empty[] = {
		"Tgid:\t1\nGroups:\t \nThreads:\t1\n",	/* as the kernel prints it */
		"Tgid:\t1\nGroups:\t\nThreads:\t1\n",
		"Tgid:\t1\nGroups:",			/* last, no newline */
	};
	struct proc_status st;
	char *buf;

	for (size_t i = 0; i < ARRAY_SIZE(empty); i++) {
		ck_assert_int_eq(proc_parse_status_buf(empty[i], &st), 0);
		ck_assert_int_eq(st.nr_groups, 0);
	}
	ck_assert_int_eq(proc_parse_status_buf("Tgid:\t1\nGroups:\t0\n", &st), 0);
	ck_assert_int_eq(st.nr_groups, 1);
	ck_assert_uint_eq(st.groups[0], 0);

	/* as many as the struct holds, with the widest numbers */
	buf = many_groups(ARRAY_SIZE(st.groups));
	ck_assert_int_eq(proc_parse_status_buf(buf, &st), 0);
	ck_assert_int_eq(st.nr_groups, (int)ARRAY_SIZE(st.groups));
	for (int i = 0; i < st.nr_groups; i++)
		ck_assert_uint_eq(st.groups[i], 4000000000u + (unsigned)i);
	ck_assert_int_eq(st.threads, 1);
	free(buf);

	/* one more is refused, not silently cut */
	buf = many_groups(ARRAY_SIZE(st.groups) + 1);
	ck_assert_int_eq(proc_parse_status_buf(buf, &st), -1);
	free(buf);
}
END_TEST

START_TEST(test_status_zombie)
{
	/* a zombie's status stops after the signal lines' first few */
	static const char z[] =
		"Name:\tpython3\nState:\tZ (zombie)\nTgid:\t4435\nNgid:\t0\nPid:\t4435\n"
		"PPid:\t4394\nTracerPid:\t0\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n"
		"FDSize:\t0\nGroups:\t \nThreads:\t1\nSigPnd:\t0000000000000000\n"
		"SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n"
		"SigCgt:\t0000000000000000\nCapEff:\t000001fffeffffff\n";
	struct proc_status st;

	ck_assert_int_eq(proc_parse_status_buf(z, &st), 0);
	ck_assert_int_eq(st.state, 'Z');
	ck_assert_int_eq(st.tgid, 4435);
	ck_assert_int_eq(st.ppid, 4394);
	ck_assert_int_eq(st.nr_groups, 0);
	ck_assert_uint_eq(st.cap_eff, 0x1fffeffffffULL);
	ck_assert_uint_eq(st.cap_amb, 0);
}
END_TEST

START_TEST(test_status_bad)
{
	static const char *const bad[] = {
		"",
		"Name:\tx\nState:\tR (running)\nPid:\t3\nThreads:\t1\n",	/* no Tgid */
		"Tgid:\t0\n",
		"Tgid:\t1\nUid:\t1\t2\t3\n",			/* three ids */
		"Tgid:\t1\nGid:\t\n",
		"Tgid:\t1\nUid:\tx\t0\t0\t0\n",
		"Tgid:\t1\nSigBlk:\tzz\n",
		"Tgid:\t1\nCapEff:\t\n",
		"Tgid:\t1\nCapBnd:\t1ffffffffffffffff\n",	/* 65 bits */
	};
	struct proc_status st;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		ck_assert_msg(proc_parse_status_buf(bad[i], &st) == -1, "case %zu", i);
}
END_TEST

START_TEST(test_status_long_line)
{
	/* a line longer than any buffer the parser may use, then the fields */
	size_t len = 20000;
	char *buf = malloc(len + 64), *p = buf;
	struct proc_status st;

	ck_assert_ptr_nonnull(buf);
	p += sprintf(p, "Mems_allowed:\t");
	while ((size_t)(p - buf) < len)
		p += sprintf(p, "00000000,");
	sprintf(p, "1\nTgid:\t9\nThreads:\t3\n");
	ck_assert_int_eq(proc_parse_status_buf(buf, &st), 0);
	ck_assert_int_eq(st.tgid, 9);
	ck_assert_int_eq(st.threads, 3);
	free(buf);
}
END_TEST

/* --------------------------------------------------------------- smaps */

/*
 * One maps line formatted as the kernel does it: the fixed part ends with a
 * space, is padded to column 72, then one more space and the name.
 */
static size_t kline(char *buf, size_t size, const char *fixed, const char *name)
{
	int n = snprintf(buf, size, "%s ", fixed);

	if (name) {
		while (n < 25 + (int)sizeof(void *) * 6 - 1)
			n += snprintf(buf + n, size - (size_t)n, " ");
		n += snprintf(buf + n, size - (size_t)n, " %s", name);
	}
	n += snprintf(buf + n, size - (size_t)n, "\n");
	return (size_t)n;
}

static const char smaps_attrs[] =
	"Size:                  8 kB\n"
	"KernelPageSize:        4 kB\n"
	"MMUPageSize:           4 kB\n"
	"Rss:                   8 kB\n"
	"Pss:                   8 kB\n"
	"Pss_Dirty:             0 kB\n"
	"Shared_Clean:          0 kB\n"
	"Private_Dirty:         0 kB\n"
	"Referenced:            8 kB\n"
	"Anonymous:             0 kB\n"
	"AnonHugePages:         0 kB\n"
	"FilePmdMapped:         0 kB\n"
	"Swap:                  0 kB\n"
	"Locked:                0 kB\n"
	"THPeligible:           0\n";

struct vma_case {
	const char *fixed, *name, *flags;
	struct proc_vma want;
};

static const struct vma_case vma_cases[] = {
	{ "558a75365000-558a75367000 r--p 00000000 fe:00 247134", "/usr/bin/cat",
	  "rd mr mw me ",
	  { 0x558a75365000, 0x558a75367000, 0, PROT_READ, false, 0xfe, 0, 247134,
	    "/usr/bin/cat", 0 } },
	{ "558a75367000-558a7536c000 r-xp 00002000 fe:00 247134", "/usr/bin/cat",
	  "rd ex mr mw me",
	  { 0x558a75367000, 0x558a7536c000, 0x2000, PROT_READ | PROT_EXEC, false, 0xfe, 0,
	    247134, "/usr/bin/cat", 0 } },
	{ "55ebf9b6a000-55ebf9bac000 rw-p 00000000 00:00 0", "[heap]", "rd wr mr mw me ac ",
	  { 0x55ebf9b6a000, 0x55ebf9bac000, 0, PROT_READ | PROT_WRITE, false, 0, 0, 0,
	    "[heap]", 0 } },
	/* anonymous: the fixed part's space, then the newline */
	{ "7fc416bee000-7fc416bf0000 rw-p 00000000 00:00 0", NULL, "rd wr mr mw me ac ",
	  { 0x7fc416bee000, 0x7fc416bf0000, 0, PROT_READ | PROT_WRITE, false, 0, 0, 0, "",
	    0 } },
	{ "7fc416bf0000-7fc416bf4000 r--p 00000000 00:00 0", "[vvar]", "rd mr pf io de dd sd ",
	  { 0x7fc416bf0000, 0x7fc416bf4000, 0, PROT_READ, false, 0, 0, 0, "[vvar]",
	    VMF_PF | VMF_IO | VMF_DD | VMF_SD } },
	{ "7fc416bf6000-7fc416bf8000 r-xp 00000000 00:00 0", "[vdso]", "rd ex mr mw me de sd ",
	  { 0x7fc416bf6000, 0x7fc416bf8000, 0, PROT_READ | PROT_EXEC, false, 0, 0, 0,
	    "[vdso]", VMF_SD } },
	{ "7ffd1c5a1000-7ffd1c5c2000 rw-p 00000000 00:00 0", "[stack]",
	  "rd wr mr mw me gd ac ",
	  { 0x7ffd1c5a1000, 0x7ffd1c5c2000, 0, PROT_READ | PROT_WRITE, false, 0, 0, 0,
	    "[stack]", VMF_GD } },
	/* a shared file mapping: spaces inside the name and at both of its ends */
	{ "7f0000000000-7f0000003000 rw-s 00004000 103:1f 12", "  a b  (c) ",
	  "rd wr sh mr mw me ms ",
	  { 0x7f0000000000, 0x7f0000003000, 0x4000, PROT_READ | PROT_WRITE, true, 0x103,
	    0x1f, 12, "  a b  (c) ", VMF_SH } },
	{ "7f0000003000-7f0000004000 r--p 00000000 08:01 99", "/tmp/gone (deleted)",
	  "rd mr mw me ",
	  { 0x7f0000003000, 0x7f0000004000, 0, PROT_READ, false, 8, 1, 99,
	    "/tmp/gone (deleted)", 0 } },
	{ "7f0000004000-7f0000005000 ---p 00000000 00:00 0", "[anon:guard x]", "mr mw me ",
	  { 0x7f0000004000, 0x7f0000005000, 0, 0, false, 0, 0, 0, "[anon:guard x]", 0 } },
	/* a fixed part longer than the padding: one separating space only */
	{ "7f0000005000-7f0000006000 r--p 1234567890abcdef fe:00 18446744073709551615",
	  " lead", "rd ",
	  { 0x7f0000005000, 0x7f0000006000, 0x1234567890abcdef, PROT_READ, false, 0xfe, 0,
	    UINT64_MAX, " lead", 0 } },
	/* a name starting with spaces after the kernel's padding */
	{ "7f0000006000-7f0000007000 r--p 00000000 fe:00 1", "  two", "rd ",
	  { 0x7f0000006000, 0x7f0000007000, 0, PROT_READ, false, 0xfe, 0, 1, "  two", 0 } },
	{ "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0", "[vsyscall]", "ex ",
	  { 0xffffffffff600000, 0xffffffffff601000, 0, PROT_EXEC, false, 0, 0, 0,
	    "[vsyscall]", 0 } },
};

static void check_vma(const struct proc_vma *v, const struct proc_vma *w, size_t i)
{
	ck_assert_msg(v->start == w->start && v->end == w->end, "vma %zu range", i);
	ck_assert_msg(v->pgoff == w->pgoff, "vma %zu pgoff", i);
	ck_assert_msg(v->prot == w->prot, "vma %zu prot %x", i, v->prot);
	ck_assert_msg(v->shared == w->shared, "vma %zu shared", i);
	ck_assert_msg(v->dev_major == w->dev_major && v->dev_minor == w->dev_minor,
		      "vma %zu dev %x:%x", i, v->dev_major, v->dev_minor);
	ck_assert_msg(v->ino == w->ino, "vma %zu ino", i);
	ck_assert_msg(!strcmp(v->path, w->path), "vma %zu path \"%s\" != \"%s\"", i, v->path,
		      w->path);
	ck_assert_msg(v->vm_flags == w->vm_flags, "vma %zu flags %llx", i,
		      (unsigned long long)v->vm_flags);
}

/* Build the text of vma_cases as smaps (with_attrs) or maps. */
static char *cases_text(bool smaps)
{
	size_t size = 64 * 1024, off = 0;
	char *buf = malloc(size);

	ck_assert_ptr_nonnull(buf);
	for (size_t i = 0; i < ARRAY_SIZE(vma_cases); i++) {
		off += kline(buf + off, size - off, vma_cases[i].fixed, vma_cases[i].name);
		if (smaps)
			off += (size_t)snprintf(buf + off, size - off, "%sVmFlags: %s\n",
						smaps_attrs, vma_cases[i].flags);
	}
	buf[off] = 0;
	return buf;
}

START_TEST(test_smaps_lines)
{
	char *buf = cases_text(true);
	struct proc_vma *v;
	int nr = -1;

	v = proc_parse_smaps_buf(buf, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, (int)ARRAY_SIZE(vma_cases));
	for (size_t i = 0; i < ARRAY_SIZE(vma_cases); i++)
		check_vma(&v[i], &vma_cases[i].want, i);
	free(v);
	free(buf);
}
END_TEST

START_TEST(test_maps_lines)
{
	/* plain maps text: the same, no flags */
	char *buf = cases_text(false);
	struct proc_vma *v;
	int nr = -1;

	v = proc_parse_smaps_buf(buf, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, (int)ARRAY_SIZE(vma_cases));
	for (size_t i = 0; i < ARRAY_SIZE(vma_cases); i++) {
		struct proc_vma w = vma_cases[i].want;

		w.vm_flags = 0;
		check_vma(&v[i], &w, i);
	}
	free(v);
	free(buf);
}
END_TEST

START_TEST(test_maps_handwritten)
{
	/* not padded, no trailing newline, no space after an anonymous inode */
	char buf[] = "00400000-00452000 r-xp 00000000 08:02 173521 /usr/bin/dbus-daemon\n"
		     "00651000-00652000 rw-p 00051000 08:02 173521 /a b\n"
		     "00e03000-00e24000 rw-p 00000000 00:00 0\n"
		     "\n"
		     "7fff1000-7fff2000 rw-p 00000000 00:00 0 [stack]";
	struct proc_vma *v;
	int nr;

	v = proc_parse_smaps_buf(buf, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, 4);
	ck_assert_str_eq(v[0].path, "/usr/bin/dbus-daemon");
	ck_assert_uint_eq(v[0].dev_major, 8);
	ck_assert_uint_eq(v[0].dev_minor, 2);
	ck_assert_str_eq(v[1].path, "/a b");
	ck_assert_uint_eq(v[1].pgoff, 0x51000);
	ck_assert_str_eq(v[2].path, "");
	ck_assert_uint_eq(v[2].ino, 0);
	ck_assert_str_eq(v[3].path, "[stack]");
	ck_assert_uint_eq(v[3].end, 0x7fff2000);
	free(v);
}
END_TEST

static const struct {
	const char *code;
	uint64_t bit;
} vmf_codes[] = {
	{ "gd", VMF_GD }, { "lo", VMF_LO }, { "dc", VMF_DC }, { "wf", VMF_WF },
	{ "hg", VMF_HG }, { "nh", VMF_NH }, { "dd", VMF_DD }, { "sd", VMF_SD },
	{ "mg", VMF_MG }, { "io", VMF_IO }, { "pf", VMF_PF }, { "sh", VMF_SH },
	{ "uw", VMF_UW }, { "lf", VMF_LF }, { "dw", VMF_DW },
};

static uint64_t flags_of(const char *vmflags_line)
{
	char buf[512];
	struct proc_vma *v;
	uint64_t f;
	int nr;

	snprintf(buf, sizeof(buf), "1000-2000 rw-p 00000000 00:00 0 \n%s\n", vmflags_line);
	v = proc_parse_smaps_buf(buf, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, 1);
	f = v[0].vm_flags;
	free(v);
	return f;
}

START_TEST(test_vmflags)
{
	/* every code the kernel prints that is not ours */
	static const char others[] =
		"VmFlags: rd wr ex sh mr mw me ms pf dw lo io sr rr dc de ac nr ht sf nl ar "
		"wf dd bt mg hg nh mm um uw ss sl lf ";
	uint64_t all = 0;
	char line[128];

	ck_assert_int_eq(ARRAY_SIZE(vmf_codes), 15);
	for (size_t i = 0; i < ARRAY_SIZE(vmf_codes); i++) {
		/* alone, among others, last without a trailing space */
		snprintf(line, sizeof(line), "VmFlags: %s ", vmf_codes[i].code);
		ck_assert_msg(flags_of(line) == vmf_codes[i].bit, "%s", vmf_codes[i].code);
		snprintf(line, sizeof(line), "VmFlags: rd wr %s mr ac", vmf_codes[i].code);
		ck_assert_msg(flags_of(line) == vmf_codes[i].bit, "%s", vmf_codes[i].code);
		snprintf(line, sizeof(line), "VmFlags: rd %s", vmf_codes[i].code);
		ck_assert_msg(flags_of(line) == vmf_codes[i].bit, "%s", vmf_codes[i].code);
		ck_assert(!(all & vmf_codes[i].bit));
		all |= vmf_codes[i].bit;
	}
	ck_assert_uint_eq(all, (1u << ARRAY_SIZE(vmf_codes)) - 1);
	ck_assert_uint_eq(flags_of("VmFlags: gd lo dc wf hg nh dd sd mg io pf sh uw lf dw"), all);
	ck_assert_uint_eq(flags_of("VmFlags: rd wr ex mr mw me ms de ac nr ht ar bt mm"), 0);
	ck_assert_uint_eq(flags_of("VmFlags: "), 0);
	ck_assert_uint_eq(flags_of("VmFlags:"), 0);
	/* sh mr ... pf: "sh", "pf", "dw", "lo", "io", "dc", "wf", "dd", "mg", "hg", ... */
	ck_assert_uint_eq(flags_of(others),
			  VMF_SH | VMF_PF | VMF_DW | VMF_LO | VMF_IO | VMF_DC | VMF_WF |
				  VMF_DD | VMF_MG | VMF_HG | VMF_NH | VMF_UW | VMF_LF);
}
END_TEST

START_TEST(test_smaps_empty)
{
	char empty[] = "", nl[] = "\n\n";
	struct proc_vma *v;
	int nr = -1;

	v = proc_parse_smaps_buf(empty, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, 0);
	free(v);
	nr = -1;
	v = proc_parse_smaps_buf(nl, &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_eq(nr, 0);
	free(v);
}
END_TEST

START_TEST(test_smaps_bad)
{
	static const char *const bad[] = {
		"00400000-00452000 r-xp 00000000 08:02\n",		/* no inode */
		"00400000-00452000 r-xp 00000000\n",
		"00400000- r-xp 00000000 08:02 1\n",
		"00400000-zz r-xp 00000000 08:02 1\n",
		"00400000-00452000 r-xq 00000000 08:02 1 /x\n",	/* bad perms */
		"00400000-00452000 rwx 00000000 08:02 1 /x\n",
		"00400000-00452000 rwxpp 00000000 08:02 1 /x\n",
		"00400000-00452000 Rwxp 00000000 08:02 1 /x\n",
		"00452000-00400000 r-xp 00000000 08:02 1 /x\n",	/* end < start */
		"00400000-00400000 r-xp 00000000 08:02 1 /x\n",	/* empty */
		"00400000-00452000 r-xp 00000000 08-02 1 /x\n",
		"00400000-00452000 r-xp 00000000 08:02 1x /x\n",
		"this is not smaps\n",
		"1000-2000 rw-p 00000000 00:00 0\nSize 4 kB\n",	/* no colon */
		"1000-2000 rw-p 00000000 00:00 0\n 4 kB\n",
		"VmFlags: rd wr\n1000-2000 rw-p 00000000 00:00 0\n",	/* flags first */
	};
	struct proc_vma *v;
	char big[1024];
	int nr;

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *b = strdup(bad[i]);

		nr = 12345;
		v = proc_parse_smaps_buf(b, &nr);
		ck_assert_msg(v == NULL, "case %zu: %s", i, bad[i]);
		ck_assert_int_eq(nr, 12345);
		free(b);
	}
	/* a name longer than the struct holds is refused, not cut */
	memset(big, 0, sizeof(big));
	strcpy(big, "1000-2000 r--p 00000000 08:01 5 /");
	memset(big + strlen(big), 'n', 600);
	strcat(big, "\n");
	ck_assert_ptr_null(proc_parse_smaps_buf(big, &nr));
}
END_TEST

/* -------------------------------------------------------------- limits */

/* `cat /proc/self/limits` as root in a container (kernel 6.18). */
static const char limits_text[] =
	"Limit                     Soft Limit           Hard Limit           Units     \n"
	"Max cpu time              unlimited            unlimited            seconds   \n"
	"Max file size             unlimited            unlimited            bytes     \n"
	"Max data size             unlimited            unlimited            bytes     \n"
	"Max stack size            8388608              unlimited            bytes     \n"
	"Max core file size        0                    unlimited            bytes     \n"
	"Max resident set          unlimited            unlimited            bytes     \n"
	"Max processes             96365                96365                processes \n"
	"Max open files            20000                20000                files     \n"
	"Max locked memory         8388608              8388608              bytes     \n"
	"Max address space         unlimited            unlimited            bytes     \n"
	"Max file locks            unlimited            unlimited            locks     \n"
	"Max pending signals       96365                96365                signals   \n"
	"Max msgqueue size         819200               819200               bytes     \n"
	"Max nice priority         0                    0                    \n"
	"Max realtime priority     0                    0                    \n"
	"Max realtime timeout      unlimited            500000               us        \n";

START_TEST(test_limits_real)
{
	static const struct {
		int res;
		uint64_t cur, max;
	} want[] = {
		{ RLIMIT_CPU, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_FSIZE, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_DATA, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_STACK, 8388608, RLIM_INFINITY },
		{ RLIMIT_CORE, 0, RLIM_INFINITY },
		{ RLIMIT_RSS, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_NPROC, 96365, 96365 },
		{ RLIMIT_NOFILE, 20000, 20000 },
		{ RLIMIT_MEMLOCK, 8388608, 8388608 },
		{ RLIMIT_AS, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_LOCKS, RLIM_INFINITY, RLIM_INFINITY },
		{ RLIMIT_SIGPENDING, 96365, 96365 },
		{ RLIMIT_MSGQUEUE, 819200, 819200 },
		{ RLIMIT_NICE, 0, 0 },
		{ RLIMIT_RTPRIO, 0, 0 },
		{ RLIMIT_RTTIME, RLIM_INFINITY, 500000 },
	};
	uint64_t cur[PROC_NR_RLIMITS], max[PROC_NR_RLIMITS];

	ck_assert_int_eq(ARRAY_SIZE(want), PROC_NR_RLIMITS);
	memset(cur, 0xaa, sizeof(cur));
	memset(max, 0xaa, sizeof(max));
	ck_assert_int_eq(proc_parse_limits_buf(limits_text, cur, max), 0);
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		ck_assert_msg(cur[want[i].res] == want[i].cur, "cur %d", want[i].res);
		ck_assert_msg(max[want[i].res] == want[i].max, "max %d", want[i].res);
	}
	ck_assert_uint_eq(RLIM_INFINITY, UINT64_MAX);
}
END_TEST

START_TEST(test_limits_large)
{
	/* the largest finite value, 2^64 - 2 */
	char *buf = strdup(limits_text), *p;
	uint64_t cur[PROC_NR_RLIMITS], max[PROC_NR_RLIMITS];

	ck_assert_ptr_nonnull(buf);
	p = strstr(buf, "Max data size             unlimited            unlimited");
	ck_assert_ptr_nonnull(p);
	memcpy(p + 26, "18446744073709551614 18446744073709551614", 41);
	ck_assert_int_eq(proc_parse_limits_buf(buf, cur, max), 0);
	ck_assert_uint_eq(cur[RLIMIT_DATA], UINT64_MAX - 1);
	ck_assert_uint_eq(max[RLIMIT_DATA], UINT64_MAX - 1);
	free(buf);
}
END_TEST

/* limits_text with line @skip (1-based, 0: none) left out and @from replaced */
static char *limits_edit(int skip, const char *from, const char *to)
{
	char *buf = malloc(sizeof(limits_text) + 64), *o = buf;
	const char *line = limits_text;

	ck_assert_ptr_nonnull(buf);
	for (int n = 0; *line; n++) {
		const char *nl = strchr(line, '\n') + 1;

		if (n != skip) {
			memcpy(o, line, (size_t)(nl - line));
			o += nl - line;
		}
		line = nl;
	}
	*o = 0;
	if (from) {
		char *p = strstr(buf, from);
		size_t fl = strlen(from), tl = strlen(to);

		ck_assert_ptr_nonnull(p);
		memmove(p + tl, p + fl, strlen(p + fl) + 1);
		memcpy(p, to, tl);
	}
	return buf;
}

START_TEST(test_limits_bad)
{
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "Max cpu time              unlimited", "Max cpu time              " },
		{ "8388608              unlimited ", "8388608                        " },
		{ "96365                96365                processes",
		  "96365x               96365                processes" },
		{ "Max open files            20000                20000",
		  "Max open files            20000                -1" },
		{ "Max nice priority         0                    0",
		  "Max nice priority         0                     " },
		{ "Max realtime timeout      unlimited", "Max realtime timeout      unlimite" },
		{ "Max realtime timeout      unlimited            500000",
		  "Max realtime timeout      unlimited            99999999999999999999" },
		{ "Max file locks ", "Max file lock  " },
		{ "Max file size ", "Max file sizes" },
	};
	uint64_t cur[PROC_NR_RLIMITS], max[PROC_NR_RLIMITS];
	char *buf;

	/* each row missing in turn; the header line missing is fine */
	for (int skip = 0; skip <= PROC_NR_RLIMITS; skip++) {
		buf = limits_edit(skip, NULL, NULL);
		ck_assert_msg(proc_parse_limits_buf(buf, cur, max) == (skip ? -1 : 0), "skip %d",
			      skip);
		free(buf);
	}
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		buf = limits_edit(-1, edits[i].from, edits[i].to);
		ck_assert_msg(proc_parse_limits_buf(buf, cur, max) == -1, "edit %zu", i);
		free(buf);
	}
	ck_assert_int_eq(proc_parse_limits_buf("", cur, max), -1);
}
END_TEST

/* ---------------------------------------------------------------- live */

START_TEST(test_live_stat)
{
	struct proc_stat st, ts;
	char comm[16] = "";

	ck_assert_int_eq(prctl(PR_SET_NAME, "t (p) r)", 0, 0, 0), 0);
	ck_assert_int_eq(prctl(PR_GET_NAME, comm, 0, 0, 0), 0);
	ck_assert_int_eq(proc_parse_stat(getpid(), 0, &st), 0);
	ck_assert_int_eq(st.pid, getpid());
	ck_assert_str_eq(st.comm, comm);
	ck_assert_int_eq(st.state, 'R');
	ck_assert_int_eq(st.ppid, getppid());
	ck_assert_int_eq(st.pgid, getpgrp());
	ck_assert_int_eq(st.sid, getsid(0));
	ck_assert_int_eq(st.nice, getpriority(PRIO_PROCESS, 0));
	ck_assert_uint_eq(st.policy, (unsigned)sched_getscheduler(0));
	ck_assert(st.start_code && st.start_code < st.end_code);
	ck_assert(st.arg_start && st.arg_start < st.arg_end);
	ck_assert(st.env_start >= st.arg_end && st.env_start <= st.env_end);
	ck_assert(st.start_stack < st.arg_start);
	ck_assert(st.start_stack > st.env_end - (8UL << 20));
	ck_assert_int_eq(st.exit_code, 0);

	ck_assert_int_eq(proc_parse_stat(getpid(), gettid(), &ts), 0);
	ck_assert_int_eq(ts.pid, gettid());
	ck_assert_uint_eq(ts.start_time, st.start_time);

	log_set_level(LOG_MSG);	/* the error below is expected */
	ck_assert_int_eq(proc_parse_stat(0x7ffffff0, 0, &st), -1);
}
END_TEST

START_TEST(test_live_status)
{
	struct proc_status st;
	gid_t groups[256];
	sigset_t set;
	int ng = getgroups(256, groups);

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	ck_assert_int_eq(proc_parse_status(getpid(), 0, &st), 0);
	ck_assert_int_eq(st.state, 'R');
	ck_assert_int_eq(st.tgid, getpid());
	ck_assert_int_eq(st.ppid, getppid());
	ck_assert_uint_eq(st.uid[0], getuid());
	ck_assert_uint_eq(st.uid[1], geteuid());
	ck_assert_uint_eq(st.gid[0], getgid());
	ck_assert_uint_eq(st.gid[1], getegid());
	ck_assert_int_eq(st.nr_groups, ng);
	for (int i = 0; i < ng; i++)
		ck_assert_uint_eq(st.groups[i], groups[i]);
	ck_assert(st.sig_blk & (1ULL << (SIGUSR2 - 1)));
	ck_assert_int_eq(st.no_new_privs, prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
	ck_assert_int_eq(st.threads, 1);

	ck_assert_int_eq(proc_parse_status(getpid(), gettid(), &st), 0);
	ck_assert_int_eq(st.tgid, getpid());
}
END_TEST

static const struct proc_vma *find_vma(const struct proc_vma *v, int nr, uint64_t addr)
{
	for (int i = 0; i < nr; i++)
		if (v[i].start <= addr && addr < v[i].end)
			return &v[i];
	return NULL;
}

START_TEST(test_live_smaps)
{
	char dir[] = "/tmp/test_proc.XXXXXX", path[128];
	long psz = sysconf(_SC_PAGESIZE);
	const struct proc_vma *x;
	struct proc_vma *v;
	uint64_t want_flags = 0;
	char *file, *anon;
	struct stat sb;
	int fd, nr;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	/* spaces at both ends and in the middle of the name */
	snprintf(path, sizeof(path), "%s/ a (b) ", dir);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(ftruncate(fd, 4 * psz), 0);
	ck_assert_int_eq(fstat(fd, &sb), 0);
	file = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE, MAP_SHARED, fd, psz);
	ck_assert(file != MAP_FAILED);
	close(fd);

	anon = mmap(NULL, 8 * psz, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(anon != MAP_FAILED);
	/* flags that stay on one VMA; the ones the kernel refuses are left out */
	if (!madvise(anon, 8 * psz, MADV_DONTFORK))
		want_flags |= VMF_DC;
	if (!madvise(anon, 8 * psz, MADV_DONTDUMP))
		want_flags |= VMF_DD;
	if (!madvise(anon, 8 * psz, MADV_NOHUGEPAGE))
		want_flags |= VMF_NH;
	ck_assert(want_flags);

	v = proc_parse_smaps(getpid(), &nr);
	ck_assert_ptr_nonnull(v);
	ck_assert_int_gt(nr, 5);
	for (int i = 1; i < nr; i++)
		ck_assert(v[i - 1].end <= v[i].start);

	x = find_vma(v, nr, (uintptr_t)file);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->start, (uintptr_t)file);
	ck_assert_uint_eq(x->end, (uintptr_t)file + 2 * psz);
	ck_assert_uint_eq(x->pgoff, psz);
	ck_assert_uint_eq(x->prot, PROT_READ | PROT_WRITE);
	ck_assert(x->shared);
	ck_assert_uint_eq(x->ino, sb.st_ino);
	ck_assert_uint_eq(x->dev_major, major(sb.st_dev));
	ck_assert_uint_eq(x->dev_minor, minor(sb.st_dev));
	ck_assert_str_eq(x->path, path);
	ck_assert(x->vm_flags & VMF_SH);

	x = find_vma(v, nr, (uintptr_t)anon);
	ck_assert_ptr_nonnull(x);
	ck_assert_uint_eq(x->prot, PROT_READ);
	ck_assert(!x->shared);
	ck_assert_str_eq(x->path, "");
	ck_assert_uint_eq(x->vm_flags & (VMF_DC | VMF_DD | VMF_NH | VMF_SH), want_flags);

	x = find_vma(v, nr, (uintptr_t)__builtin_frame_address(0));
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->path, "[stack]");
	x = find_vma(v, nr, getauxval(AT_SYSINFO_EHDR));
	ck_assert_ptr_nonnull(x);
	ck_assert_str_eq(x->path, "[vdso]");
	ck_assert_uint_eq(x->prot, PROT_READ | PROT_EXEC);
	free(v);

	/* the same file, unlinked */
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(rmdir(dir), 0);
	v = proc_parse_smaps(getpid(), &nr);
	ck_assert_ptr_nonnull(v);
	x = find_vma(v, nr, (uintptr_t)file);
	ck_assert_ptr_nonnull(x);
	strcat(path, " (deleted)");
	ck_assert_str_eq(x->path, path);
	free(v);

	munmap(file, 2 * psz);
	munmap(anon, 8 * psz);
}
END_TEST

START_TEST(test_live_vmflags)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct proc_vma *v;
	const struct proc_vma *x;
	char *gd, *lk, *wf;
	int nr;

	gd = mmap(NULL, 4 * psz, PROT_READ | PROT_WRITE,
		  MAP_PRIVATE | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0);
	ck_assert(gd != MAP_FAILED);
	lk = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(lk != MAP_FAILED);
	wf = mmap(NULL, 2 * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ck_assert(wf != MAP_FAILED);
	ck_assert_int_eq(madvise(wf, 2 * psz, MADV_WIPEONFORK), 0);

	v = proc_parse_smaps(getpid(), &nr);
	ck_assert_ptr_nonnull(v);
	x = find_vma(v, nr, (uintptr_t)gd);
	ck_assert_ptr_nonnull(x);
	ck_assert(x->vm_flags & VMF_GD);
	x = find_vma(v, nr, (uintptr_t)wf);
	ck_assert_ptr_nonnull(x);
	ck_assert(x->vm_flags & VMF_WF);
	free(v);

	/* raw syscalls: ASan turns mlock() into a no-op */
	if (!syscall(SYS_mlock, lk, psz) && !syscall(SYS_mlock2, lk + psz, psz, MLOCK_ONFAULT)) {
		v = proc_parse_smaps(getpid(), &nr);
		ck_assert_ptr_nonnull(v);
		x = find_vma(v, nr, (uintptr_t)lk);
		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->vm_flags & (VMF_LO | VMF_LF), VMF_LO);
		x = find_vma(v, nr, (uintptr_t)lk + psz);
		ck_assert_ptr_nonnull(x);
		ck_assert_uint_eq(x->vm_flags & (VMF_LO | VMF_LF), VMF_LO | VMF_LF);
		free(v);
		syscall(SYS_munlock, lk, 2 * psz);
	}
	munmap(gd, 4 * psz);
	munmap(lk, 2 * psz);
	munmap(wf, 2 * psz);
}
END_TEST

START_TEST(test_live_limits)
{
	uint64_t cur[PROC_NR_RLIMITS], max[PROC_NR_RLIMITS];
	struct rlimit rl = { 12345, 0 };

	ck_assert_int_eq(getrlimit(RLIMIT_CORE, &rl), 0);
	rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 12345 ? 12345 : rl.rlim_max;
	ck_assert_int_eq(setrlimit(RLIMIT_CORE, &rl), 0);
	ck_assert_int_eq(proc_parse_limits(getpid(), cur, max), 0);
	for (int i = 0; i < PROC_NR_RLIMITS; i++) {
		ck_assert_int_eq(getrlimit(i, &rl), 0);
		ck_assert_msg(cur[i] == rl.rlim_cur, "cur %d", i);
		ck_assert_msg(max[i] == rl.rlim_max, "max %d", i);
	}
	ck_assert_uint_eq(cur[RLIMIT_CORE], 12345 < max[RLIMIT_CORE] ? 12345 : max[RLIMIT_CORE]);
}
END_TEST

static int ready_pipe[2], go_pipe[2];
static pid_t thread_tid;

static void *thread_fn(void *arg)
{
	char c;

	thread_tid = gettid();
	if (write(ready_pipe[1], "r", 1) != 1)
		return NULL;
	/* until the main thread is done looking */
	if (read(go_pipe[0], &c, 1) != 1)
		return NULL;
	return arg;
}

START_TEST(test_live_threads)
{
	struct proc_status ps;
	struct proc_stat st;
	pthread_t th;
	pid_t *tids;
	int nr;
	char c;

	ck_assert_int_eq(proc_list_threads(getpid(), &tids, &nr), 0);
	ck_assert_int_eq(nr, 1);
	ck_assert_int_eq(tids[0], getpid());
	free(tids);

	ck_assert_int_eq(pipe(ready_pipe), 0);
	ck_assert_int_eq(pipe(go_pipe), 0);
	ck_assert_int_eq(pthread_create(&th, NULL, thread_fn, NULL), 0);
	ck_assert_int_eq(read(ready_pipe[0], &c, 1), 1);

	ck_assert_int_eq(proc_list_threads(getpid(), &tids, &nr), 0);
	ck_assert_int_eq(nr, 2);
	ck_assert_int_eq(tids[0], getpid());
	ck_assert_int_eq(tids[1], thread_tid);
	free(tids);
	ck_assert_int_eq(proc_parse_status(getpid(), 0, &ps), 0);
	ck_assert_int_eq(ps.threads, 2);
	/* the thread goes to sleep in read() soon after it wrote */
	for (int i = 0; i < 2000; i++) {
		ck_assert_int_eq(proc_parse_stat(getpid(), thread_tid, &st), 0);
		if (st.state == 'S')
			break;
		usleep(1000);
	}
	ck_assert_int_eq(st.pid, thread_tid);
	ck_assert_int_eq(st.state, 'S');
	ck_assert_int_eq(proc_parse_status(getpid(), thread_tid, &ps), 0);
	ck_assert_int_eq(ps.tgid, getpid());

	ck_assert_int_eq(write(go_pipe[1], "x", 1), 1);
	ck_assert_int_eq(pthread_join(th, NULL), 0);
	close(ready_pipe[0]);
	close(ready_pipe[1]);
	close(go_pipe[0]);
	close(go_pipe[1]);

	log_set_level(LOG_MSG);
	ck_assert_int_eq(proc_list_threads(0x7ffffff0, &tids, &nr), -1);
}
END_TEST

START_TEST(test_live_children)
{
	pid_t kids[3], *list;
	int p[2], nr, status;

	ck_assert_int_eq(proc_list_children(getpid(), getpid(), &list, &nr), 0);
	ck_assert_int_eq(nr, 0);
	free(list);

	ck_assert_int_eq(pipe(p), 0);
	for (int i = 0; i < 3; i++) {
		kids[i] = fork();
		ck_assert_int_ge(kids[i], 0);
		if (kids[i] == 0) {
			char c;

			close(p[1]);
			_exit(read(p[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	close(p[0]);
	ck_assert_int_eq(proc_list_children(getpid(), getpid(), &list, &nr), 0);
	ck_assert_int_eq(nr, 3);
	for (int i = 0; i < 3; i++) {
		bool found = false;

		for (int j = 0; j < nr; j++)
			found |= list[j] == kids[i];
		ck_assert_msg(found, "child %d not listed", kids[i]);
	}
	free(list);

	/* a child's own list is empty */
	ck_assert_int_eq(proc_list_children(kids[0], kids[0], &list, &nr), 0);
	ck_assert_int_eq(nr, 0);
	free(list);

	close(p[1]);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(waitpid(kids[i], &status, 0), kids[i]);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	log_set_level(LOG_MSG);
	ck_assert_int_eq(proc_list_children(0x7ffffff0, 0x7ffffff0, &list, &nr), -1);
}
END_TEST

START_TEST(test_read_file)
{
	size_t len = 0;
	char *b;

	b = read_whole_file("/proc/self/limits", &len);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(strlen(b), len);
	ck_assert_ptr_nonnull(strstr(b, "Max realtime timeout"));
	free(b);
	/* longer than the first buffer */
	b = proc_read_file("/proc/%d/smaps", getpid());
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_gt(strlen(b), 4096);
	free(b);
	errno = 0;
	ck_assert_ptr_null(read_whole_file("/nonexistent/file", NULL));
	ck_assert_int_eq(errno, ENOENT);
	log_set_level(LOG_MSG);
	ck_assert_ptr_null(proc_read_file("/proc/%d/nonexistent", getpid()));
}
END_TEST

START_TEST(test_pid_list)
{
	pid_t *v = NULL;
	int n = -1;

	ck_assert_int_eq(parse_pid_list("", &v, &n), 0);
	ck_assert_int_eq(n, 0);
	ck_assert_int_eq(parse_pid_list("12 345 6789 ", &v, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(v[0], 12);
	ck_assert_int_eq(v[2], 6789);
	free(v);
	/* cgroup.threads: one per line */
	ck_assert_int_eq(parse_pid_list("1\n2\n3\n", &v, &n), 0);
	ck_assert_int_eq(n, 3);
	ck_assert_int_eq(v[1], 2);
	free(v);
	ck_assert_int_eq(parse_pid_list("1 x 2", &v, &n), -1);
	ck_assert_int_eq(parse_pid_list("1 -2", &v, &n), -1);
	ck_assert_int_eq(parse_pid_list("0", &v, &n), -1);
	ck_assert_int_eq(parse_pid_list("99999999999", &v, &n), -1);
}
END_TEST

START_TEST(test_lock_lines)
{
	struct proc_lock l;

	ck_assert_int_eq(parse_lock_line("1: FLOCK  ADVISORY  WRITE 29834 fe:00:11101576 0 EOF", &l), 0);
	ck_assert_int_eq(l.kind, PLK_FLOCK);
	ck_assert_int_eq(l.type, F_WRLCK);
	ck_assert_int_eq(l.pid, 29834);
	ck_assert_uint_eq(l.ino, 11101576);
	ck_assert_int_eq(l.end, -1);
	ck_assert(!l.waiter);
	ck_assert_int_eq(parse_lock_line("2: POSIX  ADVISORY  READ 7 08:01:5 5 14\n", &l), 0);
	ck_assert_int_eq(l.kind, PLK_POSIX);
	ck_assert_int_eq(l.type, F_RDLCK);
	ck_assert_int_eq(l.start, 5);
	ck_assert_int_eq(l.end, 14);
	ck_assert_int_eq(parse_lock_line("3: OFDLCK ADVISORY  WRITE -1 fe:00:9 0 9", &l), 0);
	ck_assert_int_eq(l.kind, PLK_OFD);
	ck_assert_int_eq(l.pid, -1);
	ck_assert_int_eq(parse_lock_line("4: LEASE  ACTIVE    READ 1 fe:00:9 0 EOF", &l), 0);
	ck_assert_int_eq(l.kind, PLK_LEASE);
	ck_assert(!l.breaking);
	ck_assert_int_eq(parse_lock_line("5: LEASE  BREAKING  UNLCK 1 fe:00:9 0 EOF", &l), 0);
	ck_assert(l.breaking);
	ck_assert_int_eq(l.type, F_UNLCK);
	ck_assert_int_eq(parse_lock_line("6: -> POSIX  ADVISORY  WRITE 9 fe:00:9 0 EOF", &l), 0);
	ck_assert(l.waiter);
	ck_assert_int_eq(l.pid, 9);
	/* damaged lines */
	ck_assert_int_eq(parse_lock_line("", &l), -1);
	ck_assert_int_eq(parse_lock_line("1: FLOCK ADVISORY WRITE 1 fe:00:9 0", &l), -1);
	ck_assert_int_eq(parse_lock_line("1: FNORD ADVISORY WRITE 1 fe:00:9 0 EOF", &l), -1);
	ck_assert_int_eq(parse_lock_line("1: POSIX ADVISORY BOTH 1 fe:00:9 0 EOF", &l), -1);
	ck_assert_int_eq(parse_lock_line("1: POSIX ADVISORY READ 1 fe:00:9 9 3", &l), -1);
	ck_assert_int_eq(parse_lock_line("1: POSIX ADVISORY READ 1 fe:00:9 0 12x", &l), -1);
}
END_TEST

/* /proc/net/raw and raw6 as the kernel prints them (little endian words) */
START_TEST(test_raw_peer)
{
	static const char raw4[] =
		"  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
		"   1: 0100007F:0001 0200007F:0000 01 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 0\n"
		"   1: 00000000:0011 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4343 2 0000000000000000 0\n";
	static const char raw6[] =
		"  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n"
		"   58: 00000000000000000000000001000000:003A 00000000000000000000000001000000:0000 01 00000000:00000000 00:00000000 00000000     0        0 77 2 0000000000000000 0\n";
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	socklen_t len;

	ck_assert_int_eq(procnet_raw_peer_buf(raw4, AF_INET, 4242, &ss, &len), 1);
	ck_assert_int_eq(len, sizeof(*in));
	ck_assert_int_eq(ntohl(in->sin_addr.s_addr), 0x7f000002);
	ck_assert_int_eq(procnet_raw_peer_buf(raw4, AF_INET, 4343, &ss, &len), 0);
	ck_assert_int_eq(procnet_raw_peer_buf(raw4, AF_INET, 99, &ss, &len), -1);
	ck_assert_int_eq(procnet_raw_peer_buf(raw6, AF_INET6, 77, &ss, &len), 1);
	ck_assert(IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr));
	ck_assert_int_eq(procnet_raw_peer_buf("header only\n", AF_INET6, 77, &ss, &len), -1);
}
END_TEST

/* A live raw socket, connected and not (needs CAP_NET_RAW: skipped without). */
START_TEST(test_live_raw_peer)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000003) };
	int sk = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
	struct sockaddr_storage ss;
	struct stat st;
	socklen_t len;

	if (sk < 0)
		return;
	ck_assert_int_eq(fstat(sk, &st), 0);
	ck_assert_int_eq(procnet_raw_peer(AF_INET, st.st_ino, &ss, &len), 0);
	ck_assert_int_eq(connect(sk, (struct sockaddr *)&to, sizeof(to)), 0);
	ck_assert_int_eq(procnet_raw_peer(AF_INET, st.st_ino, &ss, &len), 1);
	ck_assert_int_eq(((struct sockaddr_in *)&ss)->sin_addr.s_addr, to.sin_addr.s_addr);
	close(sk);
}
END_TEST

/* /proc/net/igmp and igmp6 as the kernel prints them */
START_TEST(test_mcast_groups)
{
	static const char igmp[] =
		"Idx\tDevice    : Count Querier\tGroup    Users Timer\tReporter\n"
		"1\tlo        :     2      V3\n"
		"\t\t\t\t030201EF     1 0:00000000\t\t0\n"
		"\t\t\t\t010000E0     1 0:00000000\t\t0\n"
		"12\tveryveryveryl:     1      V3\n"
		"\t\t\t\t050403E0     1 0:00000000\t\t0\n";
	static const char igmp6[] =
		"1    lo              ff020000000000000000000000770001     1 00000004 0\n"
		"4    eth0            ff020000000000000000000000000001     1 0000000C 0\n";
	struct mcast_group *g;
	struct in_addr a;
	int nr;

	ck_assert_int_eq(procnet_mcast_groups_buf(igmp, AF_INET, &g, &nr), 0);
	ck_assert_int_eq(nr, 3);
	memcpy(&a, g[0].addr, 4);
	ck_assert_int_eq(ntohl(a.s_addr), 0xef010203);
	ck_assert_int_eq(g[0].ifindex, 1);
	ck_assert_str_eq(g[0].ifname, "lo");
	ck_assert_int_eq(g[2].ifindex, 12);
	ck_assert_str_eq(g[2].ifname, "veryveryveryl");
	free(g);
	ck_assert_int_eq(procnet_mcast_groups_buf(igmp6, AF_INET6, &g, &nr), 0);
	ck_assert_int_eq(nr, 2);
	ck_assert_int_eq(g[0].addr[0], 0xff);
	ck_assert_int_eq(g[0].addr[14], 0x00);
	ck_assert_int_eq(g[0].addr[13], 0x77);
	ck_assert_int_eq(g[0].addr[15], 0x01);
	ck_assert_str_eq(g[1].ifname, "eth0");
	free(g);
	ck_assert_int_eq(procnet_mcast_groups_buf("Idx\tDevice\nbad line\n", AF_INET, &g, &nr), -1);
	ck_assert_int_eq(procnet_mcast_groups_buf("", AF_INET6, &g, &nr), 0);
	ck_assert_int_eq(nr, 0);
	free(g);
}
END_TEST

/* /proc/net/packet as the kernel prints it: hashed pointers, proto in hex, host order */
START_TEST(test_packet_rows)
{
	static const char rows[] =
		"sk               RefCnt Type Proto  Iface R Rmem   User   Inode\n"
		"000000001bca9e36 3      3    0003   1     1 2304   0      15521547\n"
		"000000002860a81b 2      2    0000   0     0 0      0      15523721\n"
		"00000000462c95ec 3      3    88cc   -1    0 0      1000   99\n"
		"garbage\n"
		"0000000000000000 3      2    0800   2     1 0      0\n";
	struct procnet_packet row;

	ck_assert_int_eq(procnet_packet_buf(rows, 15521547, &row), 0);
	ck_assert_int_eq(row.type, 3);
	ck_assert_uint_eq(row.proto, 0x0003);
	ck_assert_int_eq(row.ifindex, 1);
	ck_assert(row.running);
	ck_assert_uint_eq(row.rmem, 2304);
	ck_assert_uint_eq(row.ino, 15521547);
	ck_assert_int_eq(procnet_packet_buf(rows, 15523721, &row), 0);
	ck_assert_int_eq(row.type, 2);
	ck_assert_uint_eq(row.proto, 0);
	ck_assert(!row.running);
	ck_assert_int_eq(procnet_packet_buf(rows, 99, &row), 0);
	ck_assert_uint_eq(row.proto, 0x88cc);
	ck_assert_int_eq(row.ifindex, -1);
	/* a row without its inode, or no such socket */
	ck_assert_int_eq(procnet_packet_buf(rows, 0, &row), 1);
	ck_assert_int_eq(procnet_packet_buf(rows, 1552154, &row), 1);
	ck_assert_int_eq(procnet_packet_buf("sk RefCnt\n", 99, &row), 1);
	ck_assert_int_eq(procnet_packet_buf("", 99, &row), 1);
}
END_TEST

/* A live packet socket bound to lo (needs CAP_NET_RAW: skipped without). */
START_TEST(test_live_packet)
{
	struct sockaddr_ll sa = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IP) };
	int sk = socket(AF_PACKET, SOCK_DGRAM, 0);
	struct procnet_packet row;
	struct stat st;

	if (sk < 0)
		return;
	sa.sll_ifindex = if_nametoindex("lo");
	ck_assert_int_eq(fstat(sk, &st), 0);
	ck_assert_int_eq(procnet_packet(getpid(), st.st_ino, &row), 0);
	ck_assert_int_eq(row.type, SOCK_DGRAM);
	ck_assert_uint_eq(row.proto, 0);
	ck_assert_int_eq(row.ifindex, 0);
	ck_assert(!row.running);
	ck_assert_int_eq(bind(sk, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(procnet_packet(getpid(), st.st_ino, &row), 0);
	ck_assert_uint_eq(row.proto, ETH_P_IP);
	ck_assert_int_eq(row.ifindex, sa.sll_ifindex);
	ck_assert(row.running);
	close(sk);
	ck_assert_int_eq(procnet_packet(getpid(), st.st_ino, &row), 1);
}
END_TEST

static Suite *proc_suite(void)
{
	Suite *s = suite_create("proc");
	TCase *stat = tcase_create("stat");
	TCase *status = tcase_create("status");
	TCase *smaps = tcase_create("smaps");
	TCase *limits = tcase_create("limits");
	TCase *live = tcase_create("live");
	TCase *all[] = { stat, status, smaps, limits, live };

	for (size_t i = 0; i < ARRAY_SIZE(all); i++) {
		tcase_set_timeout(all[i], 60);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(stat, test_stat_real);
	tcase_add_test(stat, test_stat_columns);
	tcase_add_test(stat, test_stat_negative);
	tcase_add_test(stat, test_try_stat);
	tcase_add_test(stat, test_stat_comm);
	tcase_add_test(stat, test_stat_long_comm);
	tcase_add_test(stat, test_stat_zombie);
	tcase_add_test(stat, test_stat_truncated);

	tcase_add_test(status, test_status_full);
	tcase_add_test(status, test_status_groups);
	tcase_add_test(status, test_status_zombie);
	tcase_add_test(status, test_status_bad);
	tcase_add_test(status, test_status_long_line);

	tcase_add_test(smaps, test_smaps_lines);
	tcase_add_test(smaps, test_maps_lines);
	tcase_add_test(smaps, test_maps_handwritten);
	tcase_add_test(smaps, test_vmflags);
	tcase_add_test(smaps, test_smaps_empty);
	tcase_add_test(smaps, test_smaps_bad);

	tcase_add_test(limits, test_limits_real);
	tcase_add_test(limits, test_limits_large);
	tcase_add_test(limits, test_limits_bad);

	tcase_add_test(live, test_live_stat);
	tcase_add_test(live, test_live_status);
	tcase_add_test(live, test_live_smaps);
	tcase_add_test(live, test_live_vmflags);
	tcase_add_test(live, test_live_limits);
	tcase_add_test(live, test_live_threads);
	tcase_add_test(live, test_live_children);
	tcase_add_test(live, test_pid_list);
	tcase_add_test(live, test_lock_lines);
	tcase_add_test(live, test_read_file);
	tcase_add_test(live, test_raw_peer);
	tcase_add_test(live, test_live_raw_peer);
	tcase_add_test(live, test_mcast_groups);
	tcase_add_test(live, test_packet_rows);
	tcase_add_test(live, test_live_packet);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(proc_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
