// SPDX-License-Identifier: GPL-2.0
/* Small readers of /proc/self files used by many tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "zdtmtst.h"

long long stat_field(int n)
{
	char buf[2048], *p;
	long long v = -1;
	FILE *f = fopen("/proc/self/stat", "re");

	if (!f)
		return -1;
	/* the fields after the command name, which may hold spaces and ')' */
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	if (!p || n < 3)
		return -1;
	p += 2;
	for (int i = 3; i < n && p; i++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	if (p)
		v = n == 3 ? *p : strtoll(p, NULL, 10);
	return v;
}

bool proc_field(const char *path, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	char line[4096];
	bool found = false;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, key, klen) || line[klen] != ':')
			continue;
		v = line + klen + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		v[strcspn(v, "\n")] = 0;
		snprintf(out, len, "%s", v);
		found = true;
		break;
	}
	fclose(f);
	return found;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void fdinfo_lines(int fd, const char *prefix, const char *cut, char *out, size_t len)
{
	char path[64], line[1024], *lines[256];
	size_t plen = strlen(prefix);
	int n = 0;
	FILE *f;

	out[0] = 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return;
	while (n < 256 && fgets(line, sizeof(line), f)) {
		char *c = cut ? strstr(line, cut) : NULL;

		if (strncmp(line, prefix, plen))
			continue;
		if (c)
			*c = 0;
		line[strcspn(line, "\n")] = 0;
		lines[n] = strdup(line);
		if (lines[n])
			n++;
	}
	fclose(f);
	qsort(lines, n, sizeof(lines[0]), cmp_str);
	for (int i = 0; i < n; i++) {
		strncat(out, lines[i], len - strlen(out) - 1);
		strncat(out, "|", len - strlen(out) - 1);
		free(lines[i]);
	}
}

static bool parse_maps_line(const char *line, struct vma_info *vi)
{
	int pos = 0;
	unsigned int maj, min;

	memset(vi, 0, sizeof(*vi));
	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &vi->start, &vi->end, vi->perms,
		   &vi->offset, &maj, &min, &vi->inode, &pos) < 7)
		return false;
	snprintf(vi->path, sizeof(vi->path), "%s", line + pos);
	vi->path[strcspn(vi->path, "\n")] = 0;
	return true;
}

bool vma_find(const void *addr, struct vma_info *vi)
{
	unsigned long a = (unsigned long)addr;
	char line[4096];
	bool found = false;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (!parse_maps_line(line, vi))
			continue;
		if (a >= vi->start && a < vi->end) {
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

bool vma_vmflags(const void *addr, char *out, size_t len)
{
	unsigned long a = (unsigned long)addr;
	struct vma_info vi;
	char line[4096];
	bool in = false, found = false;
	FILE *f;

	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (parse_maps_line(line, &vi)) {
			in = a >= vi.start && a < vi.end;
			continue;
		}
		if (in && !strncmp(line, "VmFlags:", 8)) {
			char *v = line + 8;

			while (*v == ' ')
				v++;
			v[strcspn(v, "\n")] = 0;
			snprintf(out, len, "%s", v);
			found = true;
			break;
		}
	}
	fclose(f);
	return found;
}

int vma_has_flag(const void *addr, const char *flag)
{
	char flags[512], *p, *save;

	if (!vma_vmflags(addr, flags, sizeof(flags)))
		return -1;
	for (p = strtok_r(flags, " ", &save); p; p = strtok_r(NULL, " ", &save))
		if (!strcmp(p, flag))
			return 1;
	return 0;
}

void fd_link(int fd, char *out, size_t len)
{
	char path[64];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	n = readlink(path, out, len - 1);
	out[n < 0 ? 0 : n] = 0;
}
