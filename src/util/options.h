/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_OPTIONS_H
#define CR_UTIL_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

/* Every command of the CRIU command line. */
enum cr_command {
	CMD_NONE = 0,
	CMD_DUMP,
	CMD_PRE_DUMP,
	CMD_RESTORE,
	CMD_CHECK,
	CMD_PAGE_SERVER,
	CMD_SERVICE,
	CMD_SWRK,
	CMD_DEDUP,
	CMD_EXEC,
	CMD_CPUINFO_DUMP,
	CMD_CPUINFO_CHECK,
	CMD_SHOW,
	CMD_LAZY_PAGES,
};

#define CR_VERSION "0.1"

#define MAX_LIST 64

struct inherit_fd {
	int fd;
	char *name;	/* "pipe:[123]", "socket:[456]" or a path */
};

struct cr_options {
	enum cr_command command;
	/* Positional arguments after the command (exec's syscall, show's files). */
	int nr_args;
	char **args;

	/* common */
	int log_level;			/* 0..4, default 2 */
	char *log_file;			/* -o; NULL = stderr */
	bool log_pid;
	char *images_dir;		/* -D; default "." */
	char *prev_images_dir;
	char *work_dir;			/* -W; default images_dir */
	char *pidfile;
	int close_fds[MAX_LIST];
	int nr_close_fds;
	char *libdir;
	char *action_scripts[MAX_LIST];
	int nr_action_scripts;
	int status_fd;			/* -1 when not set */
	unsigned timeout;		/* seconds; 0 = default */

	/* dump / pre-dump */
	int tree_pid;			/* -t; 0 = not given */
	bool leave_running;
	bool leave_stopped;
	bool ext_unix_sk;
	char *ext_unix_sk_list;
	char *namespaces;		/* -n list as given */
	bool manage_cgroups;
	char *manage_cgroups_mode;	/* soft|full|strict|ignore, NULL default */
	bool tcp_established;
	bool tcp_close;
	char *veth_pairs[MAX_LIST];
	int nr_veth_pairs;
	bool evasive_devices;
	bool use_page_server;
	char *address;
	int port;			/* 0 = not given */
	bool force_irmap;
	bool auto_dedup;
	bool file_locks;
	char *ext_mount_maps[MAX_LIST];	/* -M KEY:VAL, or "auto" */
	int nr_ext_mount_maps;
	bool ext_mount_auto;
	char *externals[MAX_LIST];
	int nr_externals;
	bool link_remap;
	uint64_t ghost_limit;		/* bytes; default 1 MiB */
	bool shell_job;
	bool cpu_cap_set;
	char *cpu_cap;			/* as given, NULL = default (fpu) */
	bool track_mem;
	char *pre_dump_mode;		/* splice|read */
	char *freeze_cgroup;
	bool check_only;
	bool empty_ns;
	bool skip_in_flight;

	/* restore */
	struct inherit_fd inherit_fds[MAX_LIST];
	int nr_inherit_fds;
	bool restore_detached;
	bool restore_sibling;
	char *root;
	char *cgroup_roots[MAX_LIST];
	int nr_cgroup_roots;
	bool enable_external_sharing;
	bool enable_external_masters;
	char *join_ns[MAX_LIST];
	int nr_join_ns;

	/* check */
	bool check_ms;
	bool check_all;
	char *features[MAX_LIST];
	int nr_features;

	/* page-server */
	bool daemon_mode;

	/*
	 * Further CRIU options. Most are accepted so that CRIU scripts parse,
	 * then refused by opts_check_supported() until the feature exists.
	 */
	bool lazy_pages;
	char *network_lock;		/* iptables|nftables|skip */
	char *lsm_profile;
	char *lsm_mount_context;
	bool display_stats;
	bool weak_sysctls;
	bool orphan_pts_master;
	bool mntns_compat_mode;
	char *file_validation;		/* filesize|buildid */
	bool skip_file_rwx_check;
	bool allow_uprobes;
	bool ghost_fiemap;
	bool unprivileged;
	bool deprecated;
	bool stream;
	int ps_socket;			/* -1 when not set */
	char *cgroup_props;
	char *cgroup_props_file;
	char *cgroup_yard;
	char *cgroup_dump_controllers[MAX_LIST];
	int nr_cgroup_dump_controllers;
	char *irmap_scan_paths[MAX_LIST];
	int nr_irmap_scan_paths;
	char *skip_mnts[MAX_LIST];
	int nr_skip_mnts;
	char *enable_fs[MAX_LIST];
	int nr_enable_fs;
	bool exec_cmd;			/* restore: run args after restore */
	bool check_extra;
	bool check_experimental;
	bool show_contents;
	char *show_fields;
	bool tls;
	bool tls_no_cn_verify;
	char *tls_cacert;
	char *tls_cacrl;
	char *tls_cert;
	char *tls_key;

	/* Which entries of the option table were given (bit = table index). */
#define OPTS_MAX_TABLE 128
	uint64_t given[OPTS_MAX_TABLE / 64];
};

extern struct cr_options opts;

/* Reset @o to defaults. */
/*
 * Set by a service worker dumping its own client: the inode of the
 * worker's end of the connection. That connection is outside the tree and
 * gone once the answer is sent: it is dumped as closed by its peer.
 */
extern unsigned long service_sk_ino;

void opts_init(struct cr_options *o);
/*
 * Parse the command line (and, unless --no-default-config, the config files
 * in CRIU's order: /etc/criu/default.conf, $HOME/.criu/default.conf,
 * $CRIU_CONFIG_FILE, --config FILE). Returns 0, or 1 after printing one line
 * naming the problem to stderr. Also returns 2 for --help/--version (already
 * printed: exit 0).
 */
int opts_parse(struct cr_options *o, int argc, char **argv);
/*
 * Refuse accepted options whose feature is not implemented yet, one line
 * "unsupported: --OPTION". Returns 0 or 1.
 */
int opts_check_supported(const struct cr_options *o);
/* Free everything opts_parse allocated; safe after any return value. */
void opts_free(struct cr_options *o);

/* "dump", "cpuinfo check", ...; "?" for CMD_NONE or out of range. */
const char *opts_command_name(enum cr_command cmd);
/*
 * Replace /etc/criu/default.conf (NULL restores it), so that tests do not
 * depend on the machine's configuration.
 */
void opts_set_global_config(const char *path);

#endif
