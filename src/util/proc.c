// SPDX-License-Identifier: GPL-2.0
/* Parsers for the /proc files the dump reads. Every parser has a _buf form
 * so unit tests can feed it text. */
#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include "util/log.h"
#include "util/proc.h"

char *read_whole_file(const char *path, size_t *len)
{
	size_t size = 4096, used = 0;
	char *buf = malloc(size);
	int fd;

	if (!buf)
		return NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(buf);
		return NULL;
	}
	for (;;) {
		ssize_t r;

		if (used + 1 >= size) {
			char *nbuf = realloc(buf, size * 2);

			if (!nbuf)
				goto err;
			buf = nbuf;
			size *= 2;
		}
		r = read(fd, buf + used, size - used - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			goto err;
		if (r == 0)
			break;
		used += r;
	}
	close(fd);
	buf[used] = 0;
	if (len)
		*len = used;
	return buf;
err:
	{
		int e = errno;

		close(fd);
		free(buf);
		errno = e;
	}
	return NULL;
}

char *proc_read_file(const char *fmt, ...)
{
	char path[256];
	va_list ap;
	char *buf;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	buf = read_whole_file(path, NULL);
	if (!buf)
		pr_perror("Can't read %s", path);
	return buf;
}

int proc_parse_stat_buf(const char *buf, struct proc_stat *st)
{
	const char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	size_t clen;
	int n;

	memset(st, 0, sizeof(*st));
	/* the comm may hold ')' itself: the last one closes it */
	if (!open || !close || close < open || close[1] != ' ')
		return -1;
	st->pid = atoi(buf);
	clen = close - open - 1;
	if (clen >= sizeof(st->comm))
		clen = sizeof(st->comm) - 1;
	memcpy(st->comm, open + 1, clen);
	st->comm[clen] = 0;
	/* Fields after comm, numbered as in proc(5) from 3 (state). */
	n = sscanf(close + 2,
		   "%c %d %d %d %d %d %lu %*u %*u %*u %*u %*u %*u %*d %*d %ld %ld %*d %*d "
		   "%llu %*u %*d %*u %lu %lu %lu %*u %*u %*u %*u %*u %*u %*u %*u %*u %*d %*d "
		   "%u %u %*u %*u %*d %lu %lu %lu %lu %lu %lu %lu %d",
		   &st->state, &st->ppid, &st->pgid, &st->sid, &st->tty_nr, &st->tpgid,
		   &st->flags,
		   &st->priority, &st->nice, &st->start_time, &st->start_code, &st->end_code,
		   &st->start_stack, &st->rt_priority, &st->policy, &st->start_data,
		   &st->end_data, &st->start_brk, &st->arg_start, &st->arg_end, &st->env_start,
		   &st->env_end, &st->exit_code);
	/* every field up to exit_code (field 52) must be there */
	return n == 23 ? 0 : -1;
}

int proc_try_stat(pid_t pid, struct proc_stat *st)
{
	char path[64], *buf;
	int ret;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	buf = read_whole_file(path, NULL);
	if (!buf)
		return -1;
	ret = proc_parse_stat_buf(buf, st);
	free(buf);
	return ret;
}

int proc_parse_stat(pid_t pid, pid_t tid, struct proc_stat *st)
{
	char *buf = tid ? proc_read_file("/proc/%d/task/%d/stat", pid, tid)
			: proc_read_file("/proc/%d/stat", pid);
	int ret;

	if (!buf)
		return -1;
	ret = proc_parse_stat_buf(buf, st);
	if (ret)
		pr_err("Can't parse /proc/%d/stat\n", pid);
	free(buf);
	return ret;
}

static int parse_ids(const char *s, uint32_t ids[4])
{
	return sscanf(s, "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]) == 4 ? 0 : -1;
}

static int parse_hex(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 16);
	return end == s || errno ? -1 : 0;
}

static int status_line(struct proc_status *st, const char *key, const char *val)
{
	if (!strcmp(key, "State"))
		st->state = val[0];
	else if (!strcmp(key, "Tgid"))
		st->tgid = atoi(val);
	else if (!strcmp(key, "PPid"))
		st->ppid = atoi(val);
	else if (!strcmp(key, "TracerPid"))
		st->tracer = atoi(val);
	else if (!strcmp(key, "Uid"))
		return parse_ids(val, st->uid);
	else if (!strcmp(key, "Gid"))
		return parse_ids(val, st->gid);
	else if (!strcmp(key, "Groups")) {
		char *end;
		const char *p = val;

		st->nr_groups = 0;
		for (;;) {
			unsigned long g = strtoul(p, &end, 10);

			if (end == p)
				break;
			if (st->nr_groups >= (int)(sizeof(st->groups) / sizeof(st->groups[0])))
				return -1;
			st->groups[st->nr_groups++] = g;
			p = end;
		}
	} else if (!strcmp(key, "SigPnd"))
		return parse_hex(val, &st->sig_pnd);
	else if (!strcmp(key, "ShdPnd"))
		return parse_hex(val, &st->shd_pnd);
	else if (!strcmp(key, "SigBlk"))
		return parse_hex(val, &st->sig_blk);
	else if (!strcmp(key, "SigIgn"))
		return parse_hex(val, &st->sig_ign);
	else if (!strcmp(key, "SigCgt"))
		return parse_hex(val, &st->sig_cgt);
	else if (!strcmp(key, "CapInh"))
		return parse_hex(val, &st->cap_inh);
	else if (!strcmp(key, "CapPrm"))
		return parse_hex(val, &st->cap_prm);
	else if (!strcmp(key, "CapEff"))
		return parse_hex(val, &st->cap_eff);
	else if (!strcmp(key, "CapBnd"))
		return parse_hex(val, &st->cap_bnd);
	else if (!strcmp(key, "CapAmb"))
		return parse_hex(val, &st->cap_amb);
	else if (!strcmp(key, "NoNewPrivs"))
		st->no_new_privs = atoi(val);
	else if (!strcmp(key, "Seccomp"))
		st->seccomp = atoi(val);
	else if (!strcmp(key, "Threads"))
		st->threads = atoi(val);
	return 0;
}

int proc_parse_status_buf(const char *buf, struct proc_status *st)
{
	const char *line = buf;

	memset(st, 0, sizeof(*st));
	while (line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char tmp[4096], *colon;

		if (len >= sizeof(tmp))
			len = sizeof(tmp) - 1;
		memcpy(tmp, line, len);
		tmp[len] = 0;
		colon = strchr(tmp, ':');
		if (colon) {
			char *val = colon + 1;

			*colon = 0;
			while (*val == ' ' || *val == '\t')
				val++;
			if (status_line(st, tmp, val))
				return -1;
		}
		line = nl ? nl + 1 : NULL;
	}
	return st->tgid ? 0 : -1;
}

int proc_parse_status(pid_t pid, pid_t tid, struct proc_status *st)
{
	char *buf = tid ? proc_read_file("/proc/%d/task/%d/status", pid, tid)
			: proc_read_file("/proc/%d/status", pid);
	int ret;

	if (!buf)
		return -1;
	ret = proc_parse_status_buf(buf, st);
	if (ret)
		pr_err("Can't parse /proc/%d/status\n", pid);
	free(buf);
	return ret;
}

static const struct {
	char code[3];
	uint64_t bit;
} vm_flag_codes[] = {
	{ "gd", VMF_GD }, { "lo", VMF_LO }, { "dc", VMF_DC }, { "wf", VMF_WF },
	{ "hg", VMF_HG }, { "nh", VMF_NH }, { "dd", VMF_DD }, { "sd", VMF_SD },
	{ "mg", VMF_MG }, { "io", VMF_IO }, { "pf", VMF_PF }, { "sh", VMF_SH },
	{ "uw", VMF_UW }, { "lf", VMF_LF }, { "dw", VMF_DW },
};

static uint64_t parse_vm_flags(const char *s)
{
	uint64_t flags = 0;

	while (*s) {
		while (*s == ' ')
			s++;
		if (!s[0] || !s[1])
			break;
		for (size_t i = 0; i < sizeof(vm_flag_codes) / sizeof(vm_flag_codes[0]); i++)
			if (s[0] == vm_flag_codes[i].code[0] && s[1] == vm_flag_codes[i].code[1])
				flags |= vm_flag_codes[i].bit;
		s += 2;
	}
	return flags;
}

/*
 * The kernel pads the fixed part of a maps line ("start-end perms offset
 * dev inode ") with spaces to this column, then writes one more space and
 * the name, so a name that itself begins with spaces keeps them.
 */
#define MAPS_NAME_PAD (25 + (int)sizeof(void *) * 6 - 1)

/* "start-end perms offset dev inode path" */
static int parse_maps_line(const char *line, struct proc_vma *v)
{
	char perms[8];
	const char *p;
	size_t len;
	int off = 0;

	memset(v, 0, sizeof(*v));
	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %7s %" SCNx64 " %x:%x %" SCNu64 "%n", &v->start,
		   &v->end, perms, &v->pgoff, &v->dev_major, &v->dev_minor, &v->ino, &off) < 7 ||
	    !off)
		return -1;
	if (v->start >= v->end || strlen(perms) != 4)
		return -1;
	if ((perms[0] != 'r' && perms[0] != '-') || (perms[1] != 'w' && perms[1] != '-') ||
	    (perms[2] != 'x' && perms[2] != '-') || (perms[3] != 's' && perms[3] != 'p'))
		return -1;
	if (perms[0] == 'r')
		v->prot |= PROT_READ;
	if (perms[1] == 'w')
		v->prot |= PROT_WRITE;
	if (perms[2] == 'x')
		v->prot |= PROT_EXEC;
	v->shared = perms[3] == 's';

	p = line + off;
	if (*p == '\0' || *p == '\n')
		return 0;
	if (*p != ' ')
		return -1;
	/* the space ending the fixed part, then the padding and the separator */
	p++;
	if (*p == ' ')
		p++;
	while (*p == ' ' && p - line <= MAPS_NAME_PAD)
		p++;
	len = strcspn(p, "\n");
	if (len >= sizeof(v->path))
		return -1;
	memcpy(v->path, p, len);
	v->path[len] = 0;
	return 0;
}

static bool is_maps_line(const char *line)
{
	/* smaps attribute lines are "Key:   value"; maps lines start with hex and '-' */
	const char *p = line;

	while ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'))
		p++;
	return p != line && *p == '-';
}

static bool is_smaps_attr(const char *line)
{
	const char *p = line;

	while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
	       (*p >= '0' && *p <= '9') || *p == '_')
		p++;
	return p != line && *p == ':';
}

struct proc_vma *proc_parse_smaps_buf(char *buf, int *nr)
{
	struct proc_vma *vmas = NULL;
	int n = 0, cap = 0;
	char *line = buf;

	/* empty lines are skipped, not taken for the end */
	while (line) {
		char *nl = strchr(line, '\n');

		if (nl)
			*nl = 0;
		if (is_maps_line(line)) {
			if (n == cap) {
				struct proc_vma *nv;

				cap = cap ? cap * 2 : 64;
				nv = realloc(vmas, cap * sizeof(*vmas));
				if (!nv)
					goto err;
				vmas = nv;
			}
			if (parse_maps_line(line, &vmas[n]))
				goto err;
			n++;
		} else if (!strncmp(line, "VmFlags:", 8)) {
			if (!n)
				goto err;
			vmas[n - 1].vm_flags = parse_vm_flags(line + 8);
		} else if (*line && !is_smaps_attr(line)) {
			goto err;
		}
		line = nl ? nl + 1 : NULL;
	}
	*nr = n;
	if (!vmas)
		vmas = calloc(1, sizeof(*vmas));
	return vmas;
err:
	free(vmas);
	return NULL;
}

static struct proc_vma *parse_vmas(pid_t pid, const char *file, int *nr)
{
	char *buf = proc_read_file("/proc/%d/%s", pid, file);
	struct proc_vma *vmas;

	if (!buf)
		return NULL;
	vmas = proc_parse_smaps_buf(buf, nr);
	if (!vmas)
		pr_err("Can't parse /proc/%d/%s\n", pid, file);
	free(buf);
	return vmas;
}

struct proc_vma *proc_parse_smaps(pid_t pid, int *nr)
{
	return parse_vmas(pid, "smaps", nr);
}

struct proc_vma *proc_parse_maps(pid_t pid, int *nr)
{
	return parse_vmas(pid, "maps", nr);
}

/* Names as the kernel prints them in /proc/PID/limits, indexed by RLIMIT_*. */
static const char *const limit_names[PROC_NR_RLIMITS] = {
	[RLIMIT_CPU] = "Max cpu time",
	[RLIMIT_FSIZE] = "Max file size",
	[RLIMIT_DATA] = "Max data size",
	[RLIMIT_STACK] = "Max stack size",
	[RLIMIT_CORE] = "Max core file size",
	[RLIMIT_RSS] = "Max resident set",
	[RLIMIT_NPROC] = "Max processes",
	[RLIMIT_NOFILE] = "Max open files",
	[RLIMIT_MEMLOCK] = "Max locked memory",
	[RLIMIT_AS] = "Max address space",
	[RLIMIT_LOCKS] = "Max file locks",
	[RLIMIT_SIGPENDING] = "Max pending signals",
	[RLIMIT_MSGQUEUE] = "Max msgqueue size",
	[RLIMIT_NICE] = "Max nice priority",
	[RLIMIT_RTPRIO] = "Max realtime priority",
	[RLIMIT_RTTIME] = "Max realtime timeout",
};

/* One value column: a number or "unlimited"; *s moves past it. */
static int parse_limit_value(const char **s, uint64_t *v)
{
	const char *p = *s;
	char *end;

	while (*p == ' ')
		p++;
	if (!strncmp(p, "unlimited", 9)) {
		*v = RLIM_INFINITY;
		end = (char *)p + 9;
	} else {
		if (*p < '0' || *p > '9')
			return -1;
		errno = 0;
		*v = strtoull(p, &end, 10);
		if (errno)
			return -1;
	}
	if (*end != ' ' && *end != '\n' && *end != '\0')
		return -1;
	*s = end;
	return 0;
}

/* The row named @name: it must start a line and be followed by a space. */
static const char *find_limit_row(const char *buf, const char *name)
{
	size_t nlen = strlen(name);
	const char *p = buf;

	while ((p = strstr(p, name))) {
		if ((p == buf || p[-1] == '\n') && p[nlen] == ' ')
			return p + nlen;
		p += nlen;
	}
	return NULL;
}

int proc_parse_limits_buf(const char *buf, uint64_t cur[PROC_NR_RLIMITS],
			  uint64_t max[PROC_NR_RLIMITS])
{
	for (int i = 0; i < PROC_NR_RLIMITS; i++) {
		const char *p = find_limit_row(buf, limit_names[i]);

		if (!p)
			return -1;
		/* the name column is 26 wide; soft and hard values follow */
		if (parse_limit_value(&p, &cur[i]) < 0 || parse_limit_value(&p, &max[i]) < 0)
			return -1;
	}
	return 0;
}

int proc_parse_limits(pid_t pid, uint64_t cur[PROC_NR_RLIMITS], uint64_t max[PROC_NR_RLIMITS])
{
	char *buf = proc_read_file("/proc/%d/limits", pid);
	int ret;

	if (!buf)
		return -1;
	ret = proc_parse_limits_buf(buf, cur, max);
	if (ret)
		pr_err("Can't parse /proc/%d/limits\n", pid);
	free(buf);
	return ret;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;

	return x < y ? -1 : x > y;
}

int list_dir_numbers(const char *path, int **out, int *nr)
{
	struct dirent *de;
	int *list = NULL, n = 0, cap = 0;
	DIR *d = opendir(path);

	if (!d) {
		pr_perror("Can't open %s", path);
		return -1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		if (n == cap) {
			int *nl;

			cap = cap ? cap * 2 : 16;
			nl = realloc(list, cap * sizeof(*list));
			if (!nl) {
				closedir(d);
				free(list);
				return -1;
			}
			list = nl;
		}
		list[n++] = atoi(de->d_name);
	}
	closedir(d);
	qsort(list, n, sizeof(*list), cmp_pid);
	*out = list;
	*nr = n;
	return 0;
}

int proc_list_threads(pid_t pid, pid_t **tids, int *nr)
{
	char path[64];
	pid_t *list;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/task", pid);
	if (list_dir_numbers(path, &list, &n))
		return -1;
	/* the leader first, whatever its number */
	for (int i = 0; i < n; i++)
		if (list[i] == pid) {
			memmove(list + 1, list, i * sizeof(*list));
			list[0] = pid;
			break;
		}
	*tids = list;
	*nr = n;
	return 0;
}

int parse_pid_list(const char *buf, pid_t **out, int *nr)
{
	pid_t *list = NULL;
	int n = 0, cap = 0;
	const char *p;
	char *end;

	for (p = buf;; p = end) {
		long v = strtol(p, &end, 10);

		if (end == p)
			break;
		if (v <= 0 || v > INT_MAX) {
			free(list);
			return -1;
		}
		if (n == cap) {
			pid_t *nl;

			cap = cap ? cap * 2 : 16;
			nl = realloc(list, cap * sizeof(*list));
			if (!nl) {
				free(list);
				return -1;
			}
			list = nl;
		}
		list[n++] = v;
	}
	/* anything but numbers and blanks is not a pid list */
	while (*p == ' ' || *p == '\n' || *p == '\t')
		p++;
	if (*p) {
		free(list);
		return -1;
	}
	*out = list;
	*nr = n;
	return 0;
}

int proc_list_children(pid_t pid, pid_t tid, pid_t **kids, int *nr)
{
	char *buf = proc_read_file("/proc/%d/task/%d/children", pid, tid);
	int ret;

	if (!buf)
		return -1;
	ret = parse_pid_list(buf, kids, nr);
	if (ret)
		pr_err("Bad children list of thread %d of %d\n", tid, pid);
	free(buf);
	return ret;
}

static int lock_kind(const char *word, enum proc_lock_kind *kind)
{
	static const struct {
		const char *name;
		enum proc_lock_kind kind;
	} kinds[] = {
		{ "FLOCK", PLK_FLOCK }, { "POSIX", PLK_POSIX }, { "OFDLCK", PLK_OFD },
		{ "LEASE", PLK_LEASE }, { "DELEG", PLK_DELEG },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (!strcmp(word, kinds[i].name)) {
			*kind = kinds[i].kind;
			return 0;
		}
	return -1;
}

int parse_lock_line(const char *line, struct proc_lock *l)
{
	char kind[16], mode[16], type[16], end[24];
	unsigned maj, min;
	long long id, start;
	int n = 0;

	memset(l, 0, sizeof(*l));
	if (sscanf(line, "%lld: %n", &id, &n) < 1 || !n)
		return -1;
	line += n;
	if (!strncmp(line, "-> ", 3)) {
		l->waiter = true;
		line += 3;
	}
	if (sscanf(line, "%15s %15s %15s %d %x:%x:%" SCNu64 " %lld %23s", kind, mode, type,
		   &l->pid, &maj, &min, &l->ino, &start, end) != 9)
		return -1;
	if (lock_kind(kind, &l->kind))
		return -1;
	l->breaking = !strcmp(mode, "BREAKING") || !strcmp(mode, "BREAKER");
	if (!strcmp(type, "READ"))
		l->type = F_RDLCK;
	else if (!strcmp(type, "WRITE"))
		l->type = F_WRLCK;
	else if (!strcmp(type, "UNLCK"))
		l->type = F_UNLCK;
	else
		return -1;
	l->start = start;
	if (!strcmp(end, "EOF")) {
		l->end = -1;
	} else {
		char *e;

		errno = 0;
		l->end = strtoll(end, &e, 10);
		if (errno || *e || l->end < l->start)
			return -1;
	}
	return start < 0 ? -1 : 0;
}
