/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_PROC_H
#define CR_UTIL_PROC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* /proc/PID/stat, the fields we use. */
struct proc_stat {
	pid_t pid;
	char comm[64];
	char state;
	pid_t ppid, pgid, sid;
	int tty_nr;
	pid_t tpgid;		/* foreground group of the controlling terminal, -1 if none */
	unsigned long flags;
	long priority, nice;
	unsigned long long start_time;
	unsigned long start_code, end_code, start_stack;
	unsigned long start_data, end_data, start_brk;
	unsigned long arg_start, arg_end, env_start, env_end;
	int exit_code;
	unsigned rt_priority, policy;
};

/* /proc/PID/status, the fields we use. */
struct proc_status {
	char state;
	pid_t tgid, ppid, tracer;
	uint32_t uid[4], gid[4];	/* real, effective, saved, fs */
	uint32_t groups[256];
	int nr_groups;
	uint64_t sig_pnd, shd_pnd, sig_blk, sig_ign, sig_cgt;
	uint64_t cap_inh, cap_prm, cap_eff, cap_bnd, cap_amb;
	int no_new_privs;
	int seccomp;
	int threads;
};

/* One line of /proc/PID/smaps (or maps) with what smaps adds. */
struct proc_vma {
	uint64_t start, end, pgoff;
	uint32_t prot;		/* PROT_* */
	bool shared;		/* 's' in perms */
	uint32_t dev_major, dev_minor;
	uint64_t ino;
	char path[512];		/* empty for anonymous, "[heap]" etc for special */
	uint64_t vm_flags;	/* VMF_* below, from VmFlags */
};

/* VmFlags two-letter codes we care about (bit per code). */
enum {
	VMF_GD = 1 << 0,	/* grows down */
	VMF_LO = 1 << 1,	/* locked */
	VMF_DC = 1 << 2,	/* do not copy on fork */
	VMF_WF = 1 << 3,	/* wipe on fork */
	VMF_HG = 1 << 4,	/* huge page advise */
	VMF_NH = 1 << 5,	/* no huge page advise */
	VMF_DD = 1 << 6,	/* do not include in core dump */
	VMF_SD = 1 << 7,	/* soft dirty */
	VMF_MG = 1 << 8,	/* mergeable */
	VMF_IO = 1 << 9,	/* I/O area */
	VMF_PF = 1 << 10,	/* pure PFN range */
	VMF_SH = 1 << 11,	/* shared */
	VMF_UW = 1 << 12,	/* uffd wp */
	VMF_LF = 1 << 13,	/* lock on fault */
	VMF_DW = 1 << 14,	/* wipe... disabled write */
};

int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *st);
/* The same for a process that may be gone: -1, quietly, when it is. */
int proc_try_stat(pid_t pid, struct proc_stat *st);
/* Parse the text of a stat file (for unit tests). */
int proc_parse_stat_buf(const char *buf, struct proc_stat *st);
int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st);
int proc_parse_status_buf(const char *buf, struct proc_status *st);

/*
 * Read every VMA of @pid from smaps; returns a malloc'ed array (caller frees)
 * and sets *nr, or NULL on error.
 */
struct proc_vma *proc_parse_smaps(pid_t pid, int *nr);
/* /proc/PID/maps: no vm_flags, but no page table walk either (smaps counts
 * every page: ~13 ms per GiB mapped). */
struct proc_vma *proc_parse_maps(pid_t pid, int *nr);
struct proc_vma *proc_parse_smaps_buf(char *buf, int *nr);

/* /proc/PID/limits: cur/max for every RLIMIT_*, RLIM_INFINITY for unlimited. */
#define PROC_NR_RLIMITS 16
int proc_parse_limits(pid_t pid, uint64_t cur[PROC_NR_RLIMITS], uint64_t max[PROC_NR_RLIMITS]);
int proc_parse_limits_buf(const char *buf, uint64_t cur[PROC_NR_RLIMITS],
			  uint64_t max[PROC_NR_RLIMITS]);

/* The numeric entries of a directory (/proc/PID/task, /proc/PID/fd), sorted. */
int list_dir_numbers(const char *path, int **out, int *nr);
/* Thread ids of @pid (sorted, leader first) and children of one thread. */
int proc_list_threads(pid_t pid, pid_t **tids, int *nr);
int proc_list_children(pid_t pid, pid_t tid, pid_t **kids, int *nr);
/* Blank-separated positive numbers (children, cgroup.threads); -1 on junk. */
int parse_pid_list(const char *buf, pid_t **out, int *nr);

/* One "lock:" line of fdinfo (or a line of /proc/locks). */
enum proc_lock_kind { PLK_FLOCK = 1, PLK_POSIX, PLK_OFD, PLK_LEASE, PLK_DELEG };

struct proc_lock {
	enum proc_lock_kind kind;
	bool waiter;		/* "->": a task blocked waiting for it, not a holder */
	bool breaking;		/* a lease being broken */
	int type;		/* F_RDLCK, F_WRLCK or F_UNLCK */
	pid_t pid;		/* holder (-1 for OFD locks) */
	uint64_t ino;
	int64_t start, end;	/* end -1: to EOF */
};

/* Parse "ID: [-> ]KIND MODE TYPE PID MAJ:MIN:INO START END|EOF"; -1 if bad. */
int parse_lock_line(const char *line, struct proc_lock *l);

/* Read a whole /proc file into a malloc'ed NUL-terminated buffer. */
char *proc_read_file(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Read a whole file by path; *len gets the length when non-NULL. */
char *read_whole_file(const char *path, size_t *len);

#endif
