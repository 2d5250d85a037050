// SPDX-License-Identifier: GPL-2.0
/* Multicast memberships of UDP and raw sockets, and their source filters. */
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "res/mcast.h"
#include "util/log.h"
#include "util/procnet.h"

#define MAX_SOURCES 64
#define FILTER_SIZE (sizeof(struct group_filter) + MAX_SOURCES * sizeof(struct sockaddr_storage))

static int level_of(int family)
{
	return family == AF_INET ? IPPROTO_IP : IPPROTO_IPV6;
}

static void group_addr(struct sockaddr_storage *ss, int family, const unsigned char *addr)
{
	memset(ss, 0, sizeof(*ss));
	ss->ss_family = family;
	if (family == AF_INET)
		memcpy(&((struct sockaddr_in *)ss)->sin_addr, addr, 4);
	else
		memcpy(&((struct sockaddr_in6 *)ss)->sin6_addr, addr, 16);
}

static int add_membership(InetSkEntry *e, const struct mcast_group *g,
			  const struct group_filter *gf)
{
	size_t alen = e->family == AF_INET ? 4 : 16;
	McastMembership **nm = realloc(e->mcast, (e->n_mcast + 1) * sizeof(*nm)), *m;

	if (!nm)
		return -1;
	e->mcast = nm;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	mcast_membership__init(m);
	e->mcast[e->n_mcast++] = m;
	m->ifname = strdup(g->ifname);
	m->group.len = alen;
	m->group.data = malloc(alen);
	m->fmode = gf->gf_fmode;
	m->sources = calloc(gf->gf_numsrc + 1, sizeof(*m->sources));
	if (!m->ifname || !m->group.data || !m->sources)
		return -1;
	memcpy(m->group.data, g->addr, alen);
	for (uint32_t i = 0; i < gf->gf_numsrc; i++) {
		m->sources[i].len = sizeof(gf->gf_slist[i]);
		m->sources[i].data = malloc(sizeof(gf->gf_slist[i]));
		if (!m->sources[i].data)
			return -1;
		memcpy(m->sources[i].data, &gf->gf_slist[i], sizeof(gf->gf_slist[i]));
		m->n_sources++;
	}
	return 0;
}

/* the host's groups, read once per dump and family (igmp, igmp6) */
static struct {
	struct mcast_group *groups;
	int nr;
	bool read;
} host[2];

static int host_groups(int family, struct mcast_group **groups, int *nr)
{
	int i = family == AF_INET ? 0 : 1;

	if (!host[i].read && procnet_mcast_groups(family, &host[i].groups, &host[i].nr))
		return -1;
	host[i].read = true;
	*groups = host[i].groups;
	*nr = host[i].nr;
	return 0;
}

void mcast_dump_finish(void)
{
	for (int i = 0; i < 2; i++) {
		free(host[i].groups);
		host[i].groups = NULL;
		host[i].nr = 0;
		host[i].read = false;
	}
}

int mcast_dump(int fd, pid_t pid, int tfd, InetSkEntry *e)
{
	struct group_filter *gf = malloc(FILTER_SIZE);
	struct mcast_group *groups;
	int nr, ret = -1;

	if (!gf || host_groups(e->family, &groups, &nr)) {
		free(gf);
		pr_err("Can't list the multicast groups of this host for fd %d of pid %d\n", tfd,
		       pid);
		return -1;
	}
	for (int i = 0; i < nr; i++) {
		socklen_t len = FILTER_SIZE;

		memset(gf, 0, FILTER_SIZE);
		gf->gf_interface = groups[i].ifindex;
		group_addr(&gf->gf_group, e->family, groups[i].addr);
		gf->gf_numsrc = MAX_SOURCES;
		if (getsockopt(fd, level_of(e->family), MCAST_MSFILTER, gf, &len)) {
			if (errno == EADDRNOTAVAIL || errno == EINVAL || errno == ENODEV)
				continue;	/* not a member of that one */
			pr_perror("Can't read the multicast filter of fd %d of pid %d", tfd, pid);
			goto out;
		}
		if (gf->gf_numsrc > MAX_SOURCES) {
			pr_err("unsupported: fd %d of pid %d filters %u sources of a multicast group (at most %d)\n",
			       tfd, pid, gf->gf_numsrc, MAX_SOURCES);
			goto out;
		}
		if (add_membership(e, &groups[i], gf))
			goto out;
	}
	ret = 0;
out:
	free(gf);
	return ret;
}

void mcast_free(InetSkEntry *e)
{
	for (size_t i = 0; i < e->n_mcast; i++) {
		McastMembership *m = e->mcast[i];

		for (size_t k = 0; k < m->n_sources; k++)
			free(m->sources[k].data);
		free(m->sources);
		free(m->group.data);
		free(m->ifname);
		free(m);
	}
	free(e->mcast);
	e->mcast = NULL;
	e->n_mcast = 0;
}

/* Join, then put the filter in place: include mode and sources come with it. */
static int join(int fd, int family, const McastMembership *m, unsigned ifindex)
{
	struct group_req gr = { .gr_interface = ifindex };
	struct group_filter *gf;
	int ret;

	if (m->group.len != (family == AF_INET ? 4u : 16u) || m->n_sources > MAX_SOURCES)
		return -1;
	group_addr(&gr.gr_group, family, m->group.data);
	if (setsockopt(fd, level_of(family), MCAST_JOIN_GROUP, &gr, sizeof(gr)))
		return -1;
	if (m->fmode == MCAST_EXCLUDE && !m->n_sources)
		return 0;
	gf = calloc(1, FILTER_SIZE);
	if (!gf)
		return -1;
	gf->gf_interface = ifindex;
	gf->gf_group = gr.gr_group;
	gf->gf_fmode = m->fmode;
	gf->gf_numsrc = m->n_sources;
	for (size_t i = 0; i < m->n_sources; i++)
		memcpy(&gf->gf_slist[i], m->sources[i].data,
		       m->sources[i].len < sizeof(gf->gf_slist[i]) ? m->sources[i].len :
								     sizeof(gf->gf_slist[i]));
	ret = setsockopt(fd, level_of(family), MCAST_MSFILTER, gf, GROUP_FILTER_SIZE(m->n_sources));
	free(gf);
	return ret;
}

int mcast_restore(int fd, const InetSkEntry *e)
{
	for (size_t i = 0; i < e->n_mcast; i++) {
		const McastMembership *m = e->mcast[i];
		unsigned ifindex = if_nametoindex(m->ifname);

		if (!ifindex) {
			pr_err("Socket %u joined a multicast group on %s, which this host does not have\n",
			       e->id, m->ifname);
			return -1;
		}
		if (join(fd, e->family, m, ifindex)) {
			pr_perror("Can't join multicast group %zu of socket %u on %s again", i,
				  e->id, m->ifname);
			return -1;
		}
	}
	return 0;
}
