// SPDX-License-Identifier: GPL-2.0
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/proc.h"
#include "util/procnet.h"

/* @hex: the address as the kernel prints it, 32-bit words of memory in native order */
static int parse_addr(const char *hex, int family, struct sockaddr_storage *ss, socklen_t *len)
{
	size_t words = family == AF_INET ? 1 : 4;
	uint32_t w[4];

	if (strlen(hex) != words * 8)
		return -1;
	for (size_t i = 0; i < words; i++) {
		char part[9];

		memcpy(part, hex + i * 8, 8);
		part[8] = 0;
		w[i] = (uint32_t)strtoul(part, NULL, 16);
	}
	memset(ss, 0, sizeof(*ss));
	if (family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		in->sin_family = AF_INET;
		in->sin_addr.s_addr = w[0];
		*len = sizeof(*in);
		return w[0] != 0;
	}
	{
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		memcpy(&in6->sin6_addr, w, sizeof(w));
		*len = sizeof(*in6);
		return (w[0] | w[1] | w[2] | w[3]) != 0;
	}
}

int procnet_raw_peer_buf(const char *buf, int family, unsigned long ino,
			 struct sockaddr_storage *peer, socklen_t *len)
{
	const char *line = strchr(buf, '\n');	/* past the header */

	while (line && *++line) {
		char local[40], rem[40];
		unsigned lport, rport;
		unsigned long inode;

		if (sscanf(line, "%*d: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %*x %*x:%*x %*x:%*x %*x %*u %*u %lu",
			   local, &lport, rem, &rport, &inode) == 5 &&
		    inode == ino)
			return parse_addr(rem, family, peer, len);
		line = strchr(line, '\n');
	}
	return -1;
}

int procnet_raw_peer(int family, unsigned long ino, struct sockaddr_storage *peer,
		     socklen_t *len)
{
	char *buf = proc_read_file("/proc/net/%s", family == AF_INET ? "raw" : "raw6");
	int ret;

	if (!buf)
		return -1;
	ret = procnet_raw_peer_buf(buf, family, ino, peer, len);
	free(buf);
	return ret;
}

static int add_group(struct mcast_group **out, int *nr, const struct mcast_group *g)
{
	struct mcast_group *n = realloc(*out, (*nr + 1) * sizeof(**out));

	if (!n)
		return -1;
	*out = n;
	n[(*nr)++] = *g;
	return 0;
}

/* igmp: a line per device ("1\tlo        :     1      V3"), then one per group, indented */
static int parse_igmp(const char *buf, struct mcast_group **out, int *nr)
{
	struct mcast_group dev = { 0 };
	const char *line = strchr(buf, '\n');

	while (line && *++line) {
		struct mcast_group g = dev;
		unsigned int hex;

		if (*line != '\t' && *line != ' ') {
			char *colon;

			if (sscanf(line, "%d %15s", &dev.ifindex, dev.ifname) != 2)
				return -1;
			/* a name of 10 characters or more runs into the colon */
			colon = strchr(dev.ifname, ':');
			if (colon)
				*colon = 0;
		} else if (sscanf(line, " %8x", &hex) == 1) {
			/* printed as the 32-bit word in memory: native order */
			memcpy(g.addr, &hex, 4);
			if (add_group(out, nr, &g))
				return -1;
		}
		line = strchr(line, '\n');
	}
	return 0;
}

/* igmp6: "ifindex ifname group(32 hex digits, byte by byte) users flags timer" */
static int parse_igmp6(const char *buf, struct mcast_group **out, int *nr)
{
	for (const char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct mcast_group g = { 0 };
		char hex[33];

		if (sscanf(line, "%d %15s %32[0-9a-fA-F]", &g.ifindex, g.ifname, hex) != 3 ||
		    strlen(hex) != 32)
			continue;
		for (int i = 0; i < 16; i++) {
			char byte[3] = { hex[2 * i], hex[2 * i + 1], 0 };

			g.addr[i] = (unsigned char)strtoul(byte, NULL, 16);
		}
		if (add_group(out, nr, &g))
			return -1;
	}
	return 0;
}

int procnet_mcast_groups_buf(const char *buf, int family, struct mcast_group **out, int *nr)
{
	*out = NULL;
	*nr = 0;
	if ((family == AF_INET ? parse_igmp : parse_igmp6)(buf, out, nr)) {
		free(*out);
		*out = NULL;
		*nr = 0;
		return -1;
	}
	return 0;
}

int procnet_mcast_groups(int family, struct mcast_group **out, int *nr)
{
	char *buf = read_whole_file(family == AF_INET ? "/proc/net/igmp" : "/proc/net/igmp6", NULL);
	int ret;

	/* a kernel without IPv6 (or multicast) has no such file: no groups */
	if (!buf) {
		*out = NULL;
		*nr = 0;
		return 0;
	}
	ret = procnet_mcast_groups_buf(buf, family, out, nr);
	free(buf);
	return ret;
}

/* sk RefCnt Type Proto Iface R Rmem User Inode; sk is a hashed pointer */
int procnet_packet_buf(const char *buf, unsigned long ino, struct procnet_packet *row)
{
	const char *line = strchr(buf, '\n');	/* past the header */

	while (line && *++line) {
		size_t n = strcspn(line, "\n");
		unsigned long rmem, inode;
		unsigned proto, running;
		int type, ifindex;
		char one[256];

		/* a damaged row must not borrow fields from the next one */
		if (n >= sizeof(one))
			n = 0;
		memcpy(one, line, n);
		one[n] = 0;
		if (sscanf(one, "%*s %*d %d %x %d %u %lu %*u %lu", &type, &proto, &ifindex,
			   &running, &rmem, &inode) == 6 &&
		    inode == ino) {
			row->type = type;
			row->proto = proto;
			row->ifindex = ifindex;
			row->running = running;
			row->rmem = rmem;
			row->ino = inode;
			return 0;
		}
		line = strchr(line, '\n');
	}
	return 1;
}

int procnet_packet(pid_t pid, unsigned long ino, struct procnet_packet *row)
{
	char *buf = proc_read_file("/proc/%d/net/packet", pid);
	int ret;

	if (!buf)
		return -1;
	ret = procnet_packet_buf(buf, ino, row);
	free(buf);
	return ret;
}
