// SPDX-License-Identifier: GPL-2.0
/*
 * The command line: CRIU's commands and options, config files, and the
 * checks that turn a bad invocation into exactly one "Error: ..." line.
 *
 * Every option is one row of opt_table. The row says which commands it
 * applies to, whether the engine implements it yet, and how its value is
 * checked and stored, so enabling an option later is a one-word change.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/options.h"

struct cr_options opts;

#define GLOBAL_CONFIG "/etc/criu/default.conf"
#define USER_CONFIG ".criu/default.conf"

/* opts_init points images_dir here; it is never freed. */
static char default_images_dir[] = ".";
static const char *global_config = GLOBAL_CONFIG;

/* Prefix for errors: "" on the command line, "FILE:LINE: " in a config file. */
static char err_where[PATH_MAX + 32];

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Error: %s", err_where);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return -1;
}

/* ---------------------------------------------------------------- commands */

static const struct {
	const char *name;
	enum cr_command cmd;
} command_table[] = {
	/* clang-format off */
	{ "dump", CMD_DUMP },
	{ "pre-dump", CMD_PRE_DUMP },
	{ "restore", CMD_RESTORE },
	{ "check", CMD_CHECK },
	{ "page-server", CMD_PAGE_SERVER },
	{ "service", CMD_SERVICE },
	{ "swrk", CMD_SWRK },
	{ "dedup", CMD_DEDUP },
	{ "exec", CMD_EXEC },
	{ "cpuinfo dump", CMD_CPUINFO_DUMP },
	{ "cpuinfo check", CMD_CPUINFO_CHECK },
	{ "show", CMD_SHOW },
	{ "lazy-pages", CMD_LAZY_PAGES },
	/* clang-format on */
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *opts_command_name(enum cr_command cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(command_table); i++)
		if (command_table[i].cmd == cmd)
			return command_table[i].name;
	return "?";
}

static enum cr_command command_by_name(const char *name)
{
	/* "cpuinfo dump" and "cpuinfo check" are two words: never matched here */
	for (size_t i = 0; i < ARRAY_SIZE(command_table); i++)
		if (!strcmp(command_table[i].name, name))
			return command_table[i].cmd;
	return CMD_NONE;
}

/* ---------------------------------------------------------- value parsing */

static int parse_num(const char *s, long min, long max, long *out)
{
	const char *digits = s && s[0] == '-' ? s + 1 : s;
	char *end;
	long v;

	/* strtol would also take spaces and '+': refuse them */
	if (!digits || digits[0] < '0' || digits[0] > '9')
		return -1;
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static int bad_num(const char *name, const char *arg, long min, long max)
{
	return fail("bad value '%s' for --%s: expected a number from %ld to %ld", arg, name, min,
		    max);
}

static bool in_list(const char *s, size_t len, const char *const *list)
{
	for (; *list; list++)
		if (strlen(*list) == len && !strncmp(s, *list, len))
			return true;
	return false;
}

/* Each comma-separated item of @s (optionally ^-prefixed) must be in @list. */
static bool comma_list_ok(const char *s, const char *const *list, bool caret)
{
	for (;;) {
		size_t len;

		if (caret && *s == '^')
			s++;
		len = strcspn(s, ",");
		if (!in_list(s, len, list))
			return false;
		if (!s[len])
			return true;
		s += len + 1;
	}
}

static bool all_digits(const char *s, size_t len)
{
	if (!len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* ----------------------------------------------------------- option table */

struct opt_desc;
typedef int (*opt_set_fn)(struct cr_options *o, const struct opt_desc *d, const char *arg);

struct opt_desc {
	const char *name;	/* long name, without dashes */
	int short_name;		/* 0 when there is none */
	int has_arg;		/* no_argument, required_argument, optional_argument */
	unsigned int cmds;	/* bit per command the option makes sense for */
	bool supported;		/* false: accepted, refused by opts_check_supported */
	unsigned int flags;	/* OF_* */
	opt_set_fn set;
	size_t field;		/* offset of the value in cr_options */
	size_t count;		/* offset of the list length, for list options */
	const char *const *choices; /* allowed values, NULL-terminated */
};

/* --no-NAME clears the flag, as CRIU's boolean options allow. */
#define OF_NEG 0x1
/* Only on the command line, never in a config file. */
#define OF_CLI 0x2

#define B(c) (1u << (c))
#define ALL (~0u)
#define DUMPS (B(CMD_DUMP) | B(CMD_PRE_DUMP))
#define DR (B(CMD_DUMP) | B(CMD_RESTORE))
#define DPR (DUMPS | B(CMD_RESTORE))
#define RST B(CMD_RESTORE)
#define CHK B(CMD_CHECK)
#define SERVERS (B(CMD_PAGE_SERVER) | B(CMD_SERVICE) | B(CMD_LAZY_PAGES))
#define NET (DPR | B(CMD_PAGE_SERVER) | B(CMD_LAZY_PAGES))
#define CPUCAP (DR | B(CMD_CPUINFO_DUMP) | B(CMD_CPUINFO_CHECK))

#define NO no_argument
#define REQ required_argument
#define OPT optional_argument

#define F(f) .field = offsetof(struct cr_options, f)
#define L(f) F(f), .count = offsetof(struct cr_options, nr_##f)
/* clang-format off */
#define CH(...) .choices = (const char *const[]){ __VA_ARGS__, NULL }

#define ROW(n, s, a, c, sup, fl, fn, ...)                                                      \
	{                                                                                      \
		.name = n, .short_name = s, .has_arg = a, .cmds = c, .supported = sup,         \
		.flags = fl, .set = fn, __VA_ARGS__                                            \
	}
/* clang-format on */

unsigned long service_sk_ino;

static int set_flag(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_str(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_str(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_choice(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_nop(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_verbosity(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_fd(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_close(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_timeout(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_tree(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_port(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_ext_unix_sk(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_namespaces(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_cgroups(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_veth(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_mount_map(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_ghost_limit(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_cpu_cap(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_empty_ns(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_inherit_fd(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_cgroup_root(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_join_ns(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int set_detach(struct cr_options *o, const struct opt_desc *d, const char *arg);
static int add_show_file(struct cr_options *o, const struct opt_desc *d, const char *arg);

enum {
	OPT_HELP,
	OPT_VERSION,
	OPT_CONFIG,
	OPT_NO_DEFAULT_CONFIG,
	OPT_RESTORE_DETACHED,
	OPT_DAEMON,
};

/* clang-format off */
static const struct opt_desc opt_table[] = {
	/* The first rows are named by the enum above: keep them in that order. */
	[OPT_HELP] = ROW("help", 'h', NO, ALL, true, OF_CLI, set_nop),
	[OPT_VERSION] = ROW("version", 'V', NO, ALL, true, OF_CLI, set_nop),
	[OPT_CONFIG] = ROW("config", 0, REQ, ALL, true, OF_CLI, set_nop),
	[OPT_NO_DEFAULT_CONFIG] = ROW("no-default-config", 0, NO, ALL, true, OF_CLI, set_nop),
	[OPT_RESTORE_DETACHED] = ROW("restore-detached", 'd', NO, RST | SERVERS, true, 0,
				     set_detach),
	[OPT_DAEMON] = ROW("daemon", 0, NO, RST | SERVERS, true, 0, set_detach),

	/* common */
	ROW("verbosity", 'v', OPT, ALL, true, 0, set_verbosity),
	ROW("log-file", 'o', REQ, ALL, true, 0, set_str, F(log_file)),
	ROW("log-pid", 0, NO, ALL, true, OF_NEG, set_flag, F(log_pid)),
	ROW("images-dir", 'D', REQ, ALL, true, 0, set_str, F(images_dir)),
	ROW("work-dir", 'W', REQ, ALL, true, 0, set_str, F(work_dir)),
	ROW("pidfile", 0, REQ, ALL, true, 0, set_str, F(pidfile)),
	ROW("close", 0, REQ, ALL, true, 0, add_close),
	ROW("timeout", 0, REQ, ALL, true, 0, set_timeout),
	ROW("libdir", 'L', REQ, ALL, false, 0, set_str, F(libdir)),
	ROW("action-script", 0, REQ, ALL, true, 0, add_str, L(action_scripts)),
	ROW("status-fd", 0, REQ, ALL, true, 0, set_fd, F(status_fd)),
	ROW("unprivileged", 0, NO, ALL, false, OF_NEG, set_flag, F(unprivileged)),
	ROW("deprecated", 0, NO, ALL, false, OF_NEG, set_flag, F(deprecated)),
	ROW("prev-images-dir", 0, REQ, DUMPS | B(CMD_PAGE_SERVER), false, 0, set_str,
	    F(prev_images_dir)),

	/* dump and pre-dump */
	ROW("tree", 't', REQ, DUMPS | B(CMD_EXEC), true, 0, set_tree),
	ROW("leave-running", 'R', NO, DUMPS, true, 0, set_flag, F(leave_running)),
	ROW("leave-stopped", 's', NO, DR, true, 0, set_flag, F(leave_stopped)),
	ROW("shell-job", 'j', NO, DPR, true, OF_NEG, set_flag, F(shell_job)),
	ROW("ghost-limit", 0, REQ, DUMPS, true, 0, set_ghost_limit),
	ROW("ext-unix-sk", 'x', OPT, DPR, true, 0, set_ext_unix_sk),
	ROW("namespaces", 'n', REQ, DUMPS, false, 0, set_namespaces),
	ROW("manage-cgroups", 0, OPT, DPR, false, 0, set_cgroups),
	ROW("cgroup-props", 0, REQ, DUMPS, false, 0, set_str, F(cgroup_props)),
	ROW("cgroup-props-file", 0, REQ, DUMPS, false, 0, set_str, F(cgroup_props_file)),
	ROW("cgroup-dump-controller", 0, REQ, DUMPS, false, 0, add_str, L(cgroup_dump_controllers)),
	ROW("cgroup-yard", 0, REQ, DPR, false, 0, set_str, F(cgroup_yard)),
	ROW("tcp-established", 0, NO, DPR, true, OF_NEG, set_flag, F(tcp_established)),
	ROW("tcp-close", 0, NO, DR, true, 0, set_flag, F(tcp_close)),
	ROW("skip-in-flight", 0, NO, DUMPS, true, OF_NEG, set_flag, F(skip_in_flight)),
	ROW("veth-pair", 0, REQ, DR, false, 0, add_veth, L(veth_pairs)),
	ROW("evasive-devices", 0, NO, DUMPS, true, OF_NEG, set_flag, F(evasive_devices)),
	ROW("page-server", 0, NO, DUMPS, true, OF_NEG, set_flag, F(use_page_server)),
	ROW("address", 0, REQ, NET | B(CMD_SERVICE), true, 0, set_str, F(address)),
	ROW("port", 0, REQ, NET, true, 0, set_port),
	ROW("ps-socket", 0, REQ, DUMPS, false, 0, set_fd, F(ps_socket)),
	ROW("force-irmap", 0, NO, DPR, true, OF_NEG, set_flag, F(force_irmap)),
	ROW("irmap-scan-path", 0, REQ, DUMPS, false, 0, add_str, L(irmap_scan_paths)),
	ROW("auto-dedup", 0, NO, DPR, false, OF_NEG, set_flag, F(auto_dedup)),
	ROW("file-locks", 'l', NO, DPR, true, OF_NEG, set_flag, F(file_locks)),
	ROW("ext-mount-map", 'M', REQ, DPR, false, 0, add_mount_map),
	ROW("external", 0, REQ, DPR, false, 0, add_str, L(externals)),
	ROW("link-remap", 0, NO, DUMPS, true, OF_NEG, set_flag, F(link_remap)),
	ROW("ghost-fiemap", 0, NO, DUMPS, false, OF_NEG, set_flag, F(ghost_fiemap)),
	ROW("cpu-cap", 0, OPT, CPUCAP, true, 0, set_cpu_cap),
	ROW("track-mem", 0, NO, DUMPS, false, OF_NEG, set_flag, F(track_mem)),
	ROW("pre-dump-mode", 0, REQ, B(CMD_PRE_DUMP), false, 0, set_choice, F(pre_dump_mode),
	    CH("splice", "read")),
	ROW("freeze-cgroup", 0, REQ, DUMPS, true, 0, set_str, F(freeze_cgroup)),
	ROW("check-only", 0, NO, DR, true, OF_NEG, set_flag, F(check_only)),
	ROW("empty-ns", 0, REQ, DPR, false, 0, set_empty_ns),
	ROW("skip-mnt", 0, REQ, DUMPS, false, 0, add_str, L(skip_mnts)),
	ROW("enable-fs", 0, REQ, DUMPS, false, 0, add_str, L(enable_fs)),
	ROW("lazy-pages", 0, NO, DR, false, OF_NEG, set_flag, F(lazy_pages)),
	ROW("network-lock", 0, REQ, DR, false, 0, set_choice, F(network_lock),
	    CH("iptables", "nftables", "skip")),
	ROW("display-stats", 0, NO, DPR, false, OF_NEG, set_flag, F(display_stats)),
	ROW("stream", 0, NO, DPR, false, OF_NEG, set_flag, F(stream)),
	ROW("file-validation", 0, REQ, DR, false, 0, set_choice, F(file_validation),
	    CH("filesize", "buildid")),
	ROW("allow-uprobes", 0, NO, DR, false, OF_NEG, set_flag, F(allow_uprobes)),
	ROW("tls", 0, NO, NET, false, OF_NEG, set_flag, F(tls)),
	ROW("tls-no-cn-verify", 0, NO, NET, false, 0, set_flag, F(tls_no_cn_verify)),
	ROW("tls-cacert", 0, REQ, NET, false, 0, set_str, F(tls_cacert)),
	ROW("tls-cacrl", 0, REQ, NET, false, 0, set_str, F(tls_cacrl)),
	ROW("tls-cert", 0, REQ, NET, false, 0, set_str, F(tls_cert)),
	ROW("tls-key", 0, REQ, NET, false, 0, set_str, F(tls_key)),

	/* restore */
	ROW("restore-sibling", 'S', NO, RST, true, 0, set_flag, F(restore_sibling)),
	ROW("inherit-fd", 0, REQ, RST, true, 0, add_inherit_fd),
	ROW("root", 'r', REQ, RST, false, 0, set_str, F(root)),
	ROW("cgroup-root", 0, REQ, RST, false, 0, add_cgroup_root, L(cgroup_roots)),
	ROW("enable-external-sharing", 0, NO, RST, false, 0, set_flag, F(enable_external_sharing)),
	ROW("enable-external-masters", 0, NO, RST, false, 0, set_flag, F(enable_external_masters)),
	ROW("join-ns", 'J', REQ, RST, false, 0, add_join_ns, L(join_ns)),
	ROW("lsm-profile", 0, REQ, RST, false, 0, set_str, F(lsm_profile)),
	ROW("lsm-mount-context", 0, REQ, RST, false, 0, set_str, F(lsm_mount_context)),
	ROW("weak-sysctls", 0, NO, RST, false, OF_NEG, set_flag, F(weak_sysctls)),
	ROW("orphan-pts-master", 0, NO, DPR, true, OF_NEG, set_flag, F(orphan_pts_master)),
	ROW("mntns-compat-mode", 0, NO, RST, false, OF_NEG, set_flag, F(mntns_compat_mode)),
	ROW("skip-file-rwx-check", 0, NO, RST, false, OF_NEG, set_flag, F(skip_file_rwx_check)),
	ROW("exec-cmd", 0, NO, RST, false, 0, set_flag, F(exec_cmd)),

	/* check */
	ROW("ms", 0, NO, CHK, true, 0, set_flag, F(check_ms)),
	ROW("all", 0, NO, CHK, true, 0, set_flag, F(check_all)),
	ROW("feature", 0, REQ, CHK, true, 0, add_str, L(features)),
	ROW("extra", 0, NO, CHK, false, OF_NEG, set_flag, F(check_extra)),
	ROW("experimental", 0, NO, CHK, false, OF_NEG, set_flag, F(check_experimental)),

	/* show (CRIU 1.x/2.x forms) */
	ROW("file", 'f', REQ, B(CMD_SHOW), true, OF_CLI, add_show_file),
	ROW("contents", 'c', NO, B(CMD_SHOW), false, 0, set_flag, F(show_contents)),
	ROW("fields", 'F', REQ, B(CMD_SHOW), false, 0, set_str, F(show_fields)),
};
/* clang-format on */

#define NR_OPTS ((int)ARRAY_SIZE(opt_table))
_Static_assert(ARRAY_SIZE(opt_table) <= OPTS_MAX_TABLE, "raise OPTS_MAX_TABLE");

/* getopt_long values: a long option returns LONG_BASE + row, --no-X NEG_BASE + row. */
#define LONG_BASE 0x100
#define NEG_BASE 0x200

static void *field_ptr(struct cr_options *o, const struct opt_desc *d)
{
	return (char *)o + d->field;
}

static int row_of(const struct opt_desc *d)
{
	return (int)(d - opt_table);
}

static void mark_given(struct cr_options *o, int row, bool on)
{
	uint64_t bit = 1ULL << (row % 64);

	if (on)
		o->given[row / 64] |= bit;
	else
		o->given[row / 64] &= ~bit;
}

static bool is_given(const struct cr_options *o, int row)
{
	return o->given[row / 64] & (1ULL << (row % 64));
}

static const struct opt_desc *opt_by_short(int c)
{
	if (!c)
		return NULL;
	for (int i = 0; i < NR_OPTS; i++)
		if (opt_table[i].short_name == c)
			return &opt_table[i];
	return NULL;
}

/* Exact long name, or "no-NAME" for a negatable flag (@neg set). */
static const struct opt_desc *opt_by_name(const char *name, size_t len, bool *neg)
{
	*neg = false;
	for (int i = 0; i < NR_OPTS; i++)
		if (strlen(opt_table[i].name) == len && !strncmp(opt_table[i].name, name, len))
			return &opt_table[i];
	if (len > 3 && !strncmp(name, "no-", 3)) {
		const struct opt_desc *d = opt_by_name(name + 3, len - 3, neg);

		if (d && (d->flags & OF_NEG)) {
			*neg = true;
			return d;
		}
	}
	*neg = false;
	return NULL;
}

/* ----------------------------------------------------------------- setters */

static int set_flag(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	*(bool *)field_ptr(o, d) = true;
	return 0;
}

static int set_nop(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	return 0;
}

static int nonempty(const struct opt_desc *d, const char *arg)
{
	if (!arg || !*arg)
		return fail("empty value for --%s", d->name);
	return 0;
}

static void replace_str(char **slot, char *v)
{
	if (*slot != default_images_dir)
		free(*slot);
	*slot = v;
}

static int store_str(char **slot, const char *arg)
{
	char *v = strdup(arg);

	if (!v)
		return fail("out of memory");
	replace_str(slot, v);
	return 0;
}

static int set_str(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (nonempty(d, arg))
		return -1;
	return store_str(field_ptr(o, d), arg);
}

static void free_list(char **list, int *n)
{
	for (int i = 0; i < *n; i++)
		free(list[i]);
	*n = 0;
}

static int list_room(int n, const struct opt_desc *d)
{
	if (n >= MAX_LIST)
		return fail("too many --%s options (at most %d)", d->name, MAX_LIST);
	return 0;
}

static int add_str(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	char **list = field_ptr(o, d);
	int *n = (int *)((char *)o + d->count);

	if (nonempty(d, arg) || list_room(*n, d))
		return -1;
	list[*n] = strdup(arg);
	if (!list[*n])
		return fail("out of memory");
	(*n)++;
	return 0;
}

static int set_choice(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (!arg || !in_list(arg, strlen(arg), d->choices))
		return fail("bad value '%s' for --%s", arg ? arg : "", d->name);
	return set_str(o, d, arg);
}

/*
 * Like CRIU: -v and each extra v (-vvv) raise the level by one, -vN and
 * --verbosity=N set it. Levels above 4 mean "everything", so they are
 * clamped to 4 instead of refused.
 */
static int set_verbosity(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (!arg)
		v = o->log_level + 1;
	else if (arg[0] == 'v' && strspn(arg, "v") == strlen(arg))
		v = o->log_level + 1 + (long)strlen(arg);
	else if (parse_num(arg, 0, LONG_MAX, &v))
		return fail("bad verbosity '%s': expected a level from 0 to 4", arg);
	o->log_level = v > 4 ? 4 : (int)v;
	return 0;
}

static int set_fd(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (parse_num(arg, 0, INT_MAX, &v))
		return bad_num(d->name, arg, 0, INT_MAX);
	*(int *)field_ptr(o, d) = (int)v;
	return 0;
}

static int add_close(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (parse_num(arg, 0, INT_MAX, &v))
		return bad_num(d->name, arg, 0, INT_MAX);
	if (list_room(o->nr_close_fds, d))
		return -1;
	o->close_fds[o->nr_close_fds++] = (int)v;
	return 0;
}

static int set_timeout(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (parse_num(arg, 0, UINT_MAX, &v))
		return bad_num(d->name, arg, 0, UINT_MAX);
	o->timeout = (unsigned int)v;
	return 0;
}

static int set_tree(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (parse_num(arg, 1, INT_MAX, &v))
		return bad_num(d->name, arg, 1, INT_MAX);
	o->tree_pid = (int)v;
	return 0;
}

static int set_port(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	long v;

	if (parse_num(arg, 1, 65535, &v))
		return bad_num(d->name, arg, 1, 65535);
	o->port = (int)v;
	return 0;
}

/* -x alone dumps external unix sockets; -xINO[,INO] names them by inode. */
static int set_ext_unix_sk(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	char *v;

	o->ext_unix_sk = true;
	if (!arg)
		return 0;
	for (const char *s = arg;; s += strcspn(s, ",") + 1) {
		if (!all_digits(s, strcspn(s, ",")))
			return fail("bad value '%s' for --%s: expected INODE[,INODE...]", arg,
				    d->name);
		if (!s[strcspn(s, ",")])
			break;
	}
	if (!o->ext_unix_sk_list)
		return store_str(&o->ext_unix_sk_list, arg);
	if (asprintf(&v, "%s,%s", o->ext_unix_sk_list, arg) < 0)
		return fail("out of memory");
	replace_str(&o->ext_unix_sk_list, v);
	return 0;
}

static const char *const ns_names[] = { "uts", "ipc", "mnt", "pid", "net",
					"user", "cgroup", "time", NULL };

static int set_namespaces(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (!arg || !comma_list_ok(arg, ns_names, false))
		return fail("bad value '%s' for --%s: expected a list of uts,ipc,mnt,pid,net,"
			    "user,cgroup,time",
			    arg ? arg : "", d->name);
	return store_str(&o->namespaces, arg);
}

static int set_cgroups(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore", NULL };

	if (arg && !in_list(arg, strlen(arg), modes))
		return fail("bad value '%s' for --%s: expected soft, full, strict or ignore", arg,
			    d->name);
	o->manage_cgroups = true;
	if (!arg) {
		replace_str(&o->manage_cgroups_mode, NULL);
		return 0;
	}
	return store_str(&o->manage_cgroups_mode, arg);
}

/* Checks "A<sep>B" with both sides non-empty. */
static bool pair_ok(const char *arg, char sep)
{
	const char *p = arg ? strchr(arg, sep) : NULL;

	return p && p != arg && p[1];
}

static int add_veth(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (!pair_ok(arg, '='))
		return fail("bad value '%s' for --%s: expected IN=OUT", arg ? arg : "", d->name);
	return add_str(o, d, arg);
}

static int add_mount_map(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (arg && !strcmp(arg, "auto")) {
		o->ext_mount_auto = true;
		return 0;
	}
	if (!pair_ok(arg, ':'))
		return fail("bad value '%s' for --%s: expected KEY:VAL or auto", arg ? arg : "",
			    d->name);
	if (list_room(o->nr_ext_mount_maps, d))
		return -1;
	return store_str(&o->ext_mount_maps[o->nr_ext_mount_maps++], arg);
}

/* A byte count with an optional K, M or G suffix (powers of 1024). */
static int set_ghost_limit(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!arg || arg[0] < '0' || arg[0] > '9')
		goto bad;
	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno)
		goto bad;
	if (*end && !end[1]) {
		const char *sfx = strchr("KkMmGg", *end);

		if (!sfx)
			goto bad;
		shift = 10 * (unsigned int)(1 + (sfx - "KkMmGg") / 2);
		end++;
	}
	if (*end || v > (UINT64_MAX >> shift))
		goto bad;
	o->ghost_limit = (uint64_t)v << shift;
	return 0;
bad:
	return fail("bad value '%s' for --%s: expected a size such as 1048576, 512K or 1M",
		    arg ? arg : "", d->name);
}

static int set_cpu_cap(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	static const char *const caps[] = { "all", "cpu", "fpu", "ins", "none", NULL };

	/* Bare --cpu-cap means the strictest check, as in CRIU. */
	if (!arg)
		arg = "all";
	if (!comma_list_ok(arg, caps, true))
		return fail("bad value '%s' for --%s: expected a list of [^]all,cpu,fpu,ins,none",
			    arg, d->name);
	o->cpu_cap_set = true;
	return store_str(&o->cpu_cap, arg);
}

static int set_empty_ns(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (!arg || strcmp(arg, "net"))
		return fail("bad value '%s' for --%s: only 'net' is allowed", arg ? arg : "",
			    d->name);
	o->empty_ns = true;
	return 0;
}

/* fd[N]:NAME */
static int add_inherit_fd(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	const char *close_br = arg ? strchr(arg, ']') : NULL;
	long fd;
	char num[16];
	size_t len;

	if (!arg || strncmp(arg, "fd[", 3) || !close_br || close_br[1] != ':' || !close_br[2])
		goto bad;
	len = (size_t)(close_br - arg - 3);
	if (!all_digits(arg + 3, len) || len >= sizeof(num))
		goto bad;
	memcpy(num, arg + 3, len);
	num[len] = '\0';
	if (parse_num(num, 0, INT_MAX, &fd))
		goto bad;
	if (list_room(o->nr_inherit_fds, d))
		return -1;
	if (store_str(&o->inherit_fds[o->nr_inherit_fds].name, close_br + 2))
		return -1;
	o->inherit_fds[o->nr_inherit_fds++].fd = (int)fd;
	return 0;
bad:
	return fail("bad value '%s' for --%s: expected fd[N]:NAME", arg ? arg : "", d->name);
}

/* [CONTROLLER:]/PATH */
static int add_cgroup_root(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	const char *colon = arg ? strchr(arg, ':') : NULL;
	const char *path = arg;

	if (arg && arg[0] != '/' && colon && colon != arg)
		path = colon + 1;
	if (!path || path[0] != '/')
		return fail("bad value '%s' for --%s: expected [CONTROLLER:]/PATH", arg ? arg : "",
			    d->name);
	return add_str(o, d, arg);
}

/* NS:PID or NS:FILE, optionally followed by ",EXTRA" */
static int add_join_ns(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	size_t len = arg ? strcspn(arg, ":") : 0;

	if (!arg || !arg[len] || !arg[len + 1] || !in_list(arg, len, ns_names))
		return fail("bad value '%s' for --%s: expected NS:PID or NS:FILE", arg ? arg : "",
			    d->name);
	return add_str(o, d, arg);
}

/*
 * -d is --restore-detached for restore and --daemon for the servers, as in
 * CRIU; finish() moves the request to the right field once the command is
 * known for sure.
 */
static int set_detach(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	o->restore_detached = true;
	return 0;
}

static int add_show_file(struct cr_options *o, const struct opt_desc *d, const char *arg)
{
	if (nonempty(d, arg))
		return -1;
	o->args[o->nr_args] = strdup(arg);
	if (!o->args[o->nr_args])
		return fail("out of memory");
	o->nr_args++;
	return 0;
}

/* ------------------------------------------------------------- applying */

/*
 * Options from a config file that do not apply to this command are skipped:
 * one config file serves every command. On the command line they are errors.
 */
static int apply(struct cr_options *o, const struct opt_desc *d, bool neg, const char *arg,
		 bool from_cli)
{
	if (!(d->cmds & B(o->command))) {
		if (!from_cli)
			return 0;
		return fail("option --%s makes no sense for %s", d->name,
			    opts_command_name(o->command));
	}
	if (neg) {
		*(bool *)field_ptr(o, d) = false;
		mark_given(o, row_of(d), false);
		return 0;
	}
	if (d->set(o, d, arg))
		return -1;
	mark_given(o, row_of(d), true);
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && strchr(" \t\r\n", e[-1]))
		e--;
	*e = '\0';
	return s;
}

/* Cut a '#' comment that starts a word and is outside quotes. */
static void cut_comment(char *s)
{
	char quote = 0;

	for (char *p = s; *p; p++) {
		if (quote) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
			*p = '\0';
			return;
		}
	}
}

static char *unquote(char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
		v[n - 1] = '\0';
		return v + 1;
	}
	return v;
}

/* One line: "name", "name value" or "name=value". */
static int config_line(struct cr_options *o, char *line)
{
	const struct opt_desc *d;
	char *name, *val = NULL;
	size_t len;
	bool neg;

	cut_comment(line);
	name = trim(line);
	if (!*name)
		return 0;
	/* Tolerate "--name": people paste options from command lines. */
	if (!strncmp(name, "--", 2))
		name += 2;
	len = strcspn(name, " \t=");
	if (name[len]) {
		val = trim(name + len + 1);
		/* "name = value" */
		if (name[len] != '=' && *val == '=')
			val = trim(val + 1);
		val = unquote(val);
	}
	d = opt_by_name(name, len, &neg);
	name[len] = '\0';
	if (!d)
		return fail("unknown option '%s'", name);
	if (d->flags & OF_CLI)
		return fail("option '%s' is allowed only on the command line", name);
	if ((d->has_arg == NO || neg) && val && *val)
		return fail("option '%s' takes no value", name);
	if (d->has_arg == REQ && (!val || !*val))
		return fail("option '%s' needs a value", name);
	if (d->has_arg == NO)
		val = NULL;
	return apply(o, d, neg, val && *val ? val : NULL, false);
}

/* A missing file is an error only when the user named it (@must_exist). */
static int config_file(struct cr_options *o, const char *path, bool must_exist)
{
	char *line = NULL;
	size_t cap = 0;
	int lineno = 0, ret = 0;
	FILE *f = fopen(path, "re");

	if (!f) {
		if (!must_exist && (errno == ENOENT || errno == ENOTDIR))
			return 0;
		return fail("can't read config file %s: %s", path, strerror(errno));
	}
	while (!ret && getline(&line, &cap, f) >= 0) {
		snprintf(err_where, sizeof(err_where), "%s:%d: ", path, ++lineno);
		ret = config_line(o, line);
	}
	err_where[0] = '\0';
	if (!ret && ferror(f))
		ret = fail("can't read config file %s: %s", path, strerror(errno));
	free(line);
	fclose(f);
	return ret;
}

static int user_config(struct cr_options *o)
{
	const char *home = getenv("HOME");
	char path[PATH_MAX];

	if (!home || !*home)
		return 0;
	if (snprintf(path, sizeof(path), "%s/%s", home, USER_CONFIG) >= (int)sizeof(path))
		return 0;
	return config_file(o, path, false);
}

/* ------------------------------------------------------ the command line */

/* What the first pass saw, applied after the config files so it wins. */
struct cli_opt {
	const struct opt_desc *d;
	bool neg;
	const char *arg;
};

struct cli {
	struct cli_opt *v;
	int n;
	bool cpuinfo;		/* "cpuinfo" seen, waiting for dump|check */
	bool verbatim;		/* exec's syscall seen: the rest are its args */
};

static struct option long_opts[2 * ARRAY_SIZE(opt_table) + 1];
static char neg_names[ARRAY_SIZE(opt_table)][64];
static char short_opts[3 * ARRAY_SIZE(opt_table) + 3];

static void build_getopt_tables(void)
{
	int n = 0;
	char *s = short_opts;

	if (long_opts[0].name)
		return;
	/* '+': stop at a non-option, so exec's arguments stay verbatim; ':': quiet */
	*s++ = '+';
	*s++ = ':';
	for (int i = 0; i < NR_OPTS; i++) {
		const struct opt_desc *d = &opt_table[i];

		long_opts[n++] = (struct option){ d->name, d->has_arg, NULL, LONG_BASE + i };
		if (d->flags & OF_NEG) {
			snprintf(neg_names[i], sizeof(neg_names[i]), "no-%s", d->name);
			long_opts[n++] = (struct option){ neg_names[i], NO, NULL, NEG_BASE + i };
		}
		if (!d->short_name)
			continue;
		*s++ = (char)d->short_name;
		if (d->has_arg != NO)
			*s++ = ':';
		if (d->has_arg == OPT)
			*s++ = ':';
	}
}

static const struct opt_desc *opt_by_val(int val)
{
	if (val >= NEG_BASE && val < NEG_BASE + NR_OPTS)
		return &opt_table[val - NEG_BASE];
	if (val >= LONG_BASE && val < LONG_BASE + NR_OPTS)
		return &opt_table[val - LONG_BASE];
	return opt_by_short(val);
}

static void print_help(void)
{
	printf("Usage:\n"
	       "  criu dump|pre-dump -t PID [<options>]\n"
	       "  criu restore [<options>]\n"
	       "  criu check [--feature NAME] [--all] [--ms]\n"
	       "  criu exec -t PID SYSCALL [ARG...]\n"
	       "  criu show [FILE...]\n"
	       "  criu page-server|service|lazy-pages|dedup [<options>]\n"
	       "  criu swrk FD\n"
	       "  criu cpuinfo dump|check\n"
	       "\n"
	       "Commands:\n"
	       "  dump           checkpoint the process tree rooted at PID\n"
	       "  pre-dump       copy memory ahead of a later dump\n"
	       "  restore        re-create processes from images\n"
	       "  check          tell whether the kernel has what criu needs\n"
	       "  exec           run a system call inside a task\n"
	       "  show           print images as JSON\n"
	       "  page-server    receive pages over the network\n"
	       "  service        serve RPC requests on a socket\n"
	       "  swrk           serve RPC requests on an inherited socket FD\n"
	       "  lazy-pages     serve memory of a lazily restored tree\n"
	       "  dedup          drop pages that a parent image also has\n"
	       "  cpuinfo dump   save this CPU's features\n"
	       "  cpuinfo check  compare this CPU with the saved features\n"
	       "\n"
	       "Common options: -D DIR, -W DIR, -o FILE, -v[N], --config FILE.\n"
	       "See criu(8) for every option.\n");
}

/* A non-option word: the command, cpuinfo's subcommand, or an argument. */
static int positional(struct cr_options *o, struct cli *c, const char *word)
{
	if (c->cpuinfo) {
		c->cpuinfo = false;
		if (!strcmp(word, "dump"))
			o->command = CMD_CPUINFO_DUMP;
		else if (!strcmp(word, "check"))
			o->command = CMD_CPUINFO_CHECK;
		else
			return fail("unknown cpuinfo command '%s': expected dump or check", word);
		return 0;
	}
	if (o->command == CMD_NONE) {
		if (!strcmp(word, "cpuinfo")) {
			c->cpuinfo = true;
			return 0;
		}
		o->command = command_by_name(word);
		if (o->command == CMD_NONE)
			return fail("unknown command '%s'", word);
		return 0;
	}
	o->args[o->nr_args] = strdup(word);
	if (!o->args[o->nr_args])
		return fail("out of memory");
	o->nr_args++;
	if (o->command == CMD_EXEC)
		c->verbatim = true;
	return 0;
}

static const char *word_of(char *const argv[], int i, int optopt_val)
{
	static char buf[128];
	const struct opt_desc *d = opt_by_val(optopt_val);

	if (optopt_val > 0 && optopt_val < LONG_BASE) {
		snprintf(buf, sizeof(buf), "-%c", optopt_val);
		return buf;
	}
	if (d) {
		snprintf(buf, sizeof(buf), "--%s%s", optopt_val >= NEG_BASE ? "no-" : "", d->name);
		return buf;
	}
	snprintf(buf, sizeof(buf), "%.*s", (int)strcspn(argv[i], "="), argv[i]);
	return buf;
}

/* getopt's '?' and ':' as one line each. */
static int getopt_error(int ret, char *const argv[])
{
	const char *w = word_of(argv, optind - 1, optopt);

	if (ret == ':')
		return fail("option '%s' needs a value", w);
	if (optopt >= LONG_BASE)
		return fail("option '%s' takes no value", w);
	if (optopt)
		return fail("unknown option '%s'", w);
	return fail("unknown or ambiguous option '%s'", w);
}

/* 1: stop parsing and return 2 (help or version printed). */
static int early_exit(const struct opt_desc *d)
{
	if (d == &opt_table[OPT_HELP]) {
		print_help();
		return 1;
	}
	if (d == &opt_table[OPT_VERSION]) {
		printf("Version: %s\n", CR_VERSION);
		return 1;
	}
	return 0;
}

/* First pass: syntax only; values are checked when applied. */
static int scan_cli(struct cr_options *o, struct cli *c, int argc, char **argv)
{
	build_getopt_tables();
	optind = 0; /* full reinitialisation: opts_parse may run many times */
	opterr = 0;
	while (!c->verbatim) {
		int prev = optind < 1 ? 1 : optind;
		int ret = getopt_long(argc, argv, short_opts, long_opts, NULL);
		const struct opt_desc *d;

		if (ret == -1) {
			if (optind >= argc)
				break;
			if (optind == prev + 1 && !strcmp(argv[prev], "--")) {
				c->verbatim = true;
				break;
			}
			if (positional(o, c, argv[optind++]))
				return 1;
			continue;
		}
		if (ret == '?' || ret == ':') {
			getopt_error(ret, argv);
			return 1;
		}
		d = opt_by_val(ret);
		if (early_exit(d))
			return 2;
		c->v[c->n++] = (struct cli_opt){ d, ret >= NEG_BASE, optarg };
	}
	for (; optind < argc; optind++)
		if (positional(o, c, argv[optind]))
			return 1;
	return 0;
}

static int load_configs(struct cr_options *o, const struct cli *c)
{
	const char *env = getenv("CRIU_CONFIG_FILE");
	bool defaults = true;

	for (int i = 0; i < c->n; i++)
		if (c->v[i].d == &opt_table[OPT_NO_DEFAULT_CONFIG])
			defaults = false;
	if (defaults && (config_file(o, global_config, false) || user_config(o)))
		return -1;
	if (env && *env && config_file(o, env, true))
		return -1;
	for (int i = 0; i < c->n; i++)
		if (c->v[i].d == &opt_table[OPT_CONFIG] && config_file(o, c->v[i].arg, true))
			return -1;
	return 0;
}

/* Move -d/--daemon to the field that means something for this command. */
static void settle_detach(struct cr_options *o)
{
	bool server = B(o->command) & SERVERS;
	int from = server ? OPT_RESTORE_DETACHED : OPT_DAEMON;
	int to = server ? OPT_DAEMON : OPT_RESTORE_DETACHED;

	if (is_given(o, from)) {
		mark_given(o, from, false);
		mark_given(o, to, true);
	}
	if (server && o->restore_detached) {
		o->restore_detached = false;
		o->daemon_mode = true;
	}
}

static int check_args(const struct cr_options *o)
{
	const char *cmd = opts_command_name(o->command);

	switch (o->command) {
	case CMD_SHOW:
		return 0;
	case CMD_EXEC:
		if (!o->nr_args)
			return fail("exec needs a system call name after the options");
		return 0;
	case CMD_SWRK: {
		long fd;

		if (o->nr_args != 1 || parse_num(o->args[0], 0, INT_MAX, &fd))
			return fail("swrk needs one argument: the socket's file descriptor");
		return 0;
	}
	case CMD_RESTORE:
		if (o->exec_cmd) {
			if (!o->nr_args)
				return fail("--exec-cmd needs a command after the options");
			return 0;
		}
		break;
	default:
		break;
	}
	if (o->nr_args)
		return fail("unexpected argument '%s' for %s", o->args[0], cmd);
	return 0;
}

static int finish(struct cr_options *o)
{
	settle_detach(o);
	if (check_args(o))
		return -1;
	if ((o->command == CMD_DUMP || o->command == CMD_PRE_DUMP || o->command == CMD_EXEC) &&
	    !o->tree_pid)
		return fail("%s needs -t/--tree PID", opts_command_name(o->command));
	if (o->leave_running && o->leave_stopped)
		return fail("--leave-running and --leave-stopped exclude each other");
	return 0;
}

void opts_init(struct cr_options *o)
{
	memset(o, 0, sizeof(*o));
	o->log_level = 2;
	o->images_dir = default_images_dir;
	o->status_fd = -1;
	o->ps_socket = -1;
	o->ghost_limit = 1 << 20;
}

int opts_parse(struct cr_options *o, int argc, char **argv)
{
	struct cli c = { 0 };
	size_t words = 1;
	int ret;

	/* "-jlR" is one word but three options: size the record by characters */
	for (int i = 0; i < argc; i++)
		words += strlen(argv[i]) + 1;
	err_where[0] = '\0';
	c.v = calloc(words, sizeof(*c.v));
	if (o->args)
		free_list(o->args, &o->nr_args);
	free(o->args);
	o->args = calloc((size_t)argc + 1, sizeof(*o->args));
	if (!c.v || !o->args) {
		free(c.v);
		fail("out of memory");
		return 1;
	}
	ret = scan_cli(o, &c, argc, argv);
	if (!ret && o->command == CMD_NONE) {
		fail(c.cpuinfo ? "cpuinfo needs dump or check"
			       : "no command given (see criu --help)");
		ret = 1;
	}
	if (!ret && load_configs(o, &c))
		ret = 1;
	for (int i = 0; !ret && i < c.n; i++)
		if (apply(o, c.v[i].d, c.v[i].neg, c.v[i].arg, true))
			ret = 1;
	if (!ret && finish(o))
		ret = 1;
	free(c.v);
	return ret;
}

int opts_check_supported(const struct cr_options *o)
{
	for (int i = 0; i < NR_OPTS; i++) {
		if (!is_given(o, i) || opt_table[i].supported)
			continue;
		fprintf(stderr, "Error: unsupported: --%s\n", opt_table[i].name);
		return 1;
	}
	return 0;
}

void opts_free(struct cr_options *o)
{
	/* Every string field and list is in the table; the rest are below. */
	for (int i = 0; i < NR_OPTS; i++) {
		const struct opt_desc *d = &opt_table[i];

		if (d->set == set_str || d->set == set_choice)
			replace_str(field_ptr(o, d), NULL);
		else if (d->set == add_str || d->set == add_veth || d->set == add_cgroup_root ||
			 d->set == add_join_ns)
			free_list(field_ptr(o, d), (int *)((char *)o + d->count));
	}
	free_list(o->ext_mount_maps, &o->nr_ext_mount_maps);
	for (int i = 0; i < o->nr_inherit_fds; i++)
		free(o->inherit_fds[i].name);
	o->nr_inherit_fds = 0;
	replace_str(&o->ext_unix_sk_list, NULL);
	replace_str(&o->namespaces, NULL);
	replace_str(&o->manage_cgroups_mode, NULL);
	replace_str(&o->cpu_cap, NULL);
	if (o->args)
		free_list(o->args, &o->nr_args);
	free(o->args);
	o->args = NULL;
}

void opts_set_global_config(const char *path)
{
	global_config = path ? path : GLOBAL_CONFIG;
}
