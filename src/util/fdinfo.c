// SPDX-License-Identifier: GPL-2.0
/* Parsers of kind-specific fdinfo lines and of mountinfo lines. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/fdinfo.h"

/* The value after " KEY" (or KEY at the very start) within this line. */
static const char *field(const char *line, const char *key)
{
	size_t klen = strlen(key), end = strcspn(line, "\n");

	for (const char *s = line; s + klen <= line + end; s++) {
		if (strncmp(s, key, klen))
			continue;
		if (s == line || s[-1] == ' ' || s[-1] == '\t')
			return s + klen;
	}
	return NULL;
}

static int hex32(const char *line, const char *key, uint32_t *out)
{
	const char *s = field(line, key);
	char *end;
	unsigned long v;

	if (!s)
		return -1;
	v = strtoul(s, &end, 16);
	if (end == s || v > UINT32_MAX || (*end && *end != ' ' && *end != '\n'))
		return -1;
	*out = v;
	return 0;
}

/* A filesystem that cannot make handles shows none: has_handle stays false. */
static int parse_object(const char *line, struct fdinfo_object *o)
{
	const char *ino = field(line, "ino:"), *h;
	char *end;

	memset(o, 0, sizeof(*o));
	if (hex32(line, "sdev:", &o->sdev))
		return -1;
	if (ino) {
		o->ino = strtoull(ino, &end, 16);
		if (end == ino)
			return -1;
		o->has_ino = true;
	}
	h = field(line, "f_handle:");
	if (!h)
		return 0;
	if (hex32(line, "fhandle-bytes:", &o->handle_bytes) ||
	    hex32(line, "fhandle-type:", &o->handle_type) ||
	    o->handle_bytes > FDINFO_MAX_HANDLE)
		return -1;
	/* exactly 2 * bytes hex digits: never read past the line's end */
	if (strspn(h, "0123456789abcdefABCDEF") != 2 * o->handle_bytes)
		return -1;
	for (uint32_t i = 0; i < o->handle_bytes; i++) {
		char byte[3] = { h[2 * i], h[2 * i + 1], 0 };

		o->handle[i] = strtoul(byte, NULL, 16);
	}
	o->has_handle = true;
	return 0;
}

int fdinfo_parse_epoll_tfd(const char *line, struct fdinfo_epoll_tfd *t)
{
	unsigned long long data;
	unsigned tfd, events;
	int n = 0;

	if (sscanf(line, "tfd: %u events: %x data: %llx%n", &tfd, &events, &data, &n) != 3 || !n)
		return -1;
	t->tfd = tfd;
	t->events = events;
	t->data = data;
	return 0;
}

int fdinfo_parse_inotify_wd(const char *line, struct fdinfo_inotify_wd *w)
{
	if (strncmp(line, "inotify ", 8))
		return -1;
	memset(w, 0, sizeof(*w));
	if (hex32(line, "wd:", &w->wd) || hex32(line, "mask:", &w->mask) ||
	    hex32(line, "ignored_mask:", &w->ignored_mask))
		return -1;
	return parse_object(line, &w->obj);
}

int fdinfo_parse_fanotify_head(const char *line, uint32_t *flags, uint32_t *event_flags)
{
	if (strncmp(line, "fanotify flags:", 15))
		return -1;
	return hex32(line, "flags:", flags) || hex32(line, "event-flags:", event_flags) ? -1 : 0;
}

int fdinfo_parse_fanotify_mark(const char *line, struct fdinfo_fanotify_mark *m)
{
	const char *body = line + 9;
	uint32_t mnt;

	if (strncmp(line, "fanotify ", 9))
		return -1;
	memset(m, 0, sizeof(*m));
	if (hex32(line, "mflags:", &m->mflags) || hex32(line, "mask:", &m->mask) ||
	    hex32(line, "ignored_mask:", &m->ignored_mask))
		return -1;
	if (!strncmp(body, "ino:", 4)) {
		m->kind = FDINFO_FAN_INODE;
		return parse_object(line, &m->obj);
	}
	if (!strncmp(body, "mnt_id:", 7)) {
		m->kind = FDINFO_FAN_MOUNT;
		if (hex32(line, "mnt_id:", &mnt) || mnt > INT32_MAX)
			return -1;
		m->mnt_id = mnt;
		return 0;
	}
	if (!strncmp(body, "sdev:", 5)) {
		m->kind = FDINFO_FAN_SB;
		return parse_object(line, &m->obj);
	}
	return -1;
}

/* Copy one blank-separated mountinfo field, decoding \ooo escapes. */
static const char *mi_field(const char *s, char *out, size_t len)
{
	size_t n = 0;

	while (*s == ' ')
		s++;
	if (!*s || *s == '\n')
		return NULL;
	while (*s && *s != ' ' && *s != '\n') {
		char c = *s++;

		if (c == '\\' && s[0] >= '0' && s[0] <= '3' && s[1] >= '0' && s[1] <= '7' &&
		    s[2] >= '0' && s[2] <= '7') {
			c = (s[0] - '0') << 6 | (s[1] - '0') << 3 | (s[2] - '0');
			s += 3;
		}
		if (n + 1 >= len)
			return NULL;
		out[n++] = c;
	}
	out[n] = 0;
	return s;
}

int proc_parse_mountinfo_line(const char *line, struct mountinfo_line *m)
{
	int n = 0;

	memset(m, 0, sizeof(*m));
	if (sscanf(line, "%d %d %u:%u%n", &m->id, &m->parent, &m->major, &m->minor, &n) != 4 ||
	    !n)
		return -1;
	line = mi_field(line + n, m->root, sizeof(m->root));
	if (!line || !mi_field(line, m->mountpoint, sizeof(m->mountpoint)))
		return -1;
	return 0;
}
