// SPDX-License-Identifier: GPL-2.0
/*
 * The command line contract: every option in its short and long forms,
 * every malformed form giving exactly one "Error:" line, config files and
 * the unsupported-option gate.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/options.h"

static struct cr_options o;
static int ret;
static char err[8192];
static char out[8192];
static char tmpdir[] = "/tmp/test_options.XXXXXX";

/* Read what went to @fd since it was redirected to @f, then put @saved back. */
static void collect(int fd, int saved, FILE *f, char *buf, size_t size)
{
	size_t n;

	fflush(fd == 1 ? stdout : stderr);
	dup2(saved, fd);
	close(saved);
	rewind(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Run @fn with stdout and stderr captured into out[] and err[]. */
static int captured(int (*fn)(void *), void *arg)
{
	FILE *fe = tmpfile(), *fo = tmpfile();
	int se, so, r;

	ck_assert(fe && fo);
	fflush(stdout);
	fflush(stderr);
	se = dup(2);
	so = dup(1);
	dup2(fileno(fe), 2);
	dup2(fileno(fo), 1);
	r = fn(arg);
	collect(2, se, fe, err, sizeof(err));
	collect(1, so, fo, out, sizeof(out));
	return r;
}

struct argv_buf {
	int argc;
	char *argv[256];
	char words[1024];
};

static int do_parse(void *p)
{
	struct argv_buf *a = p;

	return opts_parse(&o, a->argc, a->argv);
}

static int do_check(void *p)
{
	return opts_check_supported(&o);
}

static int parse_argv(int argc, char **argv)
{
	struct argv_buf a = { .argc = argc };

	memcpy(a.argv, argv, sizeof(char *) * (size_t)argc);
	opts_free(&o);
	opts_init(&o);
	ret = captured(do_parse, &a);
	return ret;
}

/* "dump -t 1" -> criu dump -t 1; words are split on spaces. */
static int parse(const char *line)
{
	struct argv_buf a = { .argc = 1 };

	a.argv[0] = "criu";
	snprintf(a.words, sizeof(a.words), "%s", line);
	for (char *s = strtok(a.words, " "); s; s = strtok(NULL, " "))
		a.argv[a.argc++] = s;
	opts_free(&o);
	opts_init(&o);
	ret = captured(do_parse, &a);
	return ret;
}

static int lines(const char *s)
{
	int n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

#define OK(line)                                                                               \
	do {                                                                                   \
		parse(line);                                                                   \
		ck_assert_msg(ret == 0, "'%s' returned %d: %s", line, ret, err);               \
		ck_assert_msg(!err[0], "'%s' printed: %s", line, err);                         \
	} while (0)

/* Exactly one line, "Error: ...", containing @what when it is not NULL. */
static void one_error(const char *what, int line)
{
	ck_assert_msg(lines(err) == 1 && !strncmp(err, "Error: ", 7) &&
			      err[strlen(err) - 1] == '\n',
		      "line %d: not one error line: [%s]", line, err);
	if (what)
		ck_assert_msg(strstr(err, what), "line %d: [%s] lacks [%s]", line, err, what);
}

#define ONE_ERROR(what) one_error(what, __LINE__)

#define BAD(line, what)                                                                        \
	do {                                                                                   \
		parse(line);                                                                   \
		ck_assert_msg(ret == 1, "'%s' returned %d", line, ret);                        \
		ONE_ERROR(what);                                                               \
		ck_assert_msg(!out[0], "'%s' wrote to stdout: %s", line, out);                 \
	} while (0)

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert(f);
	fputs(text, f);
	fclose(f);
}

static char path_buf[4][512];

static const char *tmp_path(int slot, const char *name)
{
	snprintf(path_buf[slot], sizeof(path_buf[slot]), "%s/%s", tmpdir, name);
	return path_buf[slot];
}

static void setup(void)
{
	char home_criu[600];

	ck_assert(mkdtemp(tmpdir));
	snprintf(home_criu, sizeof(home_criu), "%s/.criu", tmpdir);
	ck_assert(!mkdir(home_criu, 0700));
	setenv("HOME", tmpdir, 1);
	unsetenv("CRIU_CONFIG_FILE");
	opts_set_global_config(tmp_path(0, "global.conf"));
	opts_init(&o);
}

static void teardown(void)
{
	char cmd[600];

	opts_free(&o);
	opts_set_global_config(NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	ck_assert(!system(cmd));
	strcpy(tmpdir, "/tmp/test_options.XXXXXX");
}

/* ------------------------------------------------------------- commands */

START_TEST(test_defaults)
{
	opts_init(&o);
	ck_assert_int_eq(o.command, CMD_NONE);
	ck_assert_int_eq(o.log_level, 2);
	ck_assert_str_eq(o.images_dir, ".");
	ck_assert_int_eq(o.status_fd, -1);
	ck_assert_uint_eq(o.ghost_limit, 1 << 20);
	ck_assert_ptr_null(o.log_file);
	ck_assert_ptr_null(o.work_dir);
	OK("restore");
	ck_assert_int_eq(o.command, CMD_RESTORE);
	ck_assert_int_eq(o.log_level, 2);
	ck_assert_str_eq(o.images_dir, ".");
	ck_assert_int_eq(o.status_fd, -1);
	ck_assert_int_eq(o.nr_args, 0);
	ck_assert(!o.restore_detached && !o.leave_stopped);
	ck_assert_int_eq(opts_check_supported(&o), 0);
}
END_TEST

START_TEST(test_commands)
{
	static const struct {
		const char *line;
		enum cr_command cmd;
	} t[] = {
		{ "dump -t 1", CMD_DUMP },
		{ "pre-dump -t 1", CMD_PRE_DUMP },
		{ "restore", CMD_RESTORE },
		{ "check", CMD_CHECK },
		{ "page-server", CMD_PAGE_SERVER },
		{ "service", CMD_SERVICE },
		{ "swrk 3", CMD_SWRK },
		{ "dedup", CMD_DEDUP },
		{ "exec -t 1 getpid", CMD_EXEC },
		{ "cpuinfo dump", CMD_CPUINFO_DUMP },
		{ "cpuinfo check", CMD_CPUINFO_CHECK },
		{ "show", CMD_SHOW },
		{ "lazy-pages", CMD_LAZY_PAGES },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		OK(t[i].line);
		ck_assert_msg(o.command == t[i].cmd, "%s", t[i].line);
		ck_assert_str_eq(opts_command_name(o.command),
				 strncmp(t[i].line, "cpuinfo", 7) ? strtok(strdupa(t[i].line), " ")
								  : t[i].line);
	}
	ck_assert_str_eq(opts_command_name(CMD_NONE), "?");
	OK("swrk 3");
	ck_assert_int_eq(o.nr_args, 1);
	ck_assert_str_eq(o.args[0], "3");
}
END_TEST

START_TEST(test_bad_commands)
{
	BAD("", "no command");
	BAD("-v4 -D /tmp", "no command");
	BAD("bogus", "bogus");
	BAD("dumb -t 1", "dumb");
	BAD("cpuinfo", "cpuinfo");
	BAD("cpuinfo show", "show");
	BAD("dump", "-t");
	BAD("pre-dump -R", "-t");
	BAD("exec -t 1", "system call");
	BAD("exec close 1", "-t");
	BAD("restore extra", "extra");
	BAD("dump -t 1 extra", "extra");
	BAD("check foo", "foo");
	BAD("swrk", "swrk");
	BAD("swrk x", "swrk");
	BAD("swrk 3 4", "swrk");
	BAD("cpuinfo dump extra", "extra");
}
END_TEST

START_TEST(test_options_around_command)
{
	OK("-t 42 -D /img dump -o log -v4");
	ck_assert_int_eq(o.command, CMD_DUMP);
	ck_assert_int_eq(o.tree_pid, 42);
	ck_assert_str_eq(o.images_dir, "/img");
	ck_assert_str_eq(o.log_file, "log");
	ck_assert_int_eq(o.log_level, 4);
	OK("-D /img cpuinfo -v0 check");
	ck_assert_int_eq(o.command, CMD_CPUINFO_CHECK);
	ck_assert_int_eq(o.log_level, 0);
	OK("-- restore");
	ck_assert_int_eq(o.command, CMD_RESTORE);
}
END_TEST

START_TEST(test_exec_verbatim)
{
	OK("exec -t 1234 close 1");
	ck_assert_int_eq(o.command, CMD_EXEC);
	ck_assert_int_eq(o.tree_pid, 1234);
	ck_assert_int_eq(o.nr_args, 2);
	ck_assert_str_eq(o.args[0], "close");
	ck_assert_str_eq(o.args[1], "1");
	OK("exec -t 1234 open &/foo/bar 2");
	ck_assert_int_eq(o.nr_args, 3);
	ck_assert_str_eq(o.args[1], "&/foo/bar");
	OK("-t 7 exec kill -1 -9 -t --help -v4 -- x");
	ck_assert_int_eq(o.tree_pid, 7);
	ck_assert_int_eq(o.log_level, 2);
	ck_assert_int_eq(o.nr_args, 8);
	ck_assert_str_eq(o.args[1], "-1");
	ck_assert_str_eq(o.args[2], "-9");
	ck_assert_str_eq(o.args[3], "-t");
	ck_assert_str_eq(o.args[4], "--help");
	ck_assert_str_eq(o.args[6], "--");
	ck_assert(!out[0]);
	OK("exec -t 5 -- -weird");
	ck_assert_int_eq(o.nr_args, 1);
	ck_assert_str_eq(o.args[0], "-weird");
}
END_TEST

START_TEST(test_show_files)
{
	OK("show a.img -v4 b.img");
	ck_assert_int_eq(o.nr_args, 2);
	ck_assert_str_eq(o.args[0], "a.img");
	ck_assert_str_eq(o.args[1], "b.img");
	ck_assert_int_eq(o.log_level, 4);
	OK("show -f c.img --file=d.img e.img");
	ck_assert_int_eq(o.nr_args, 3);
	ck_assert_str_eq(o.args[0], "e.img");
	ck_assert_str_eq(o.args[1], "c.img");
	ck_assert_str_eq(o.args[2], "d.img");
	ck_assert_int_eq(opts_check_supported(&o), 0);
	OK("show -c -F a,b");
	ck_assert(o.show_contents);
	ck_assert_str_eq(o.show_fields, "a,b");
	BAD("dump -t 1 -f x", "--file");
}
END_TEST

START_TEST(test_help_version)
{
	parse("--help");
	ck_assert_int_eq(ret, 2);
	ck_assert(!err[0]);
	ck_assert(strstr(out, "dump"));
	ck_assert(strstr(out, "restore"));
	ck_assert(strstr(out, "cpuinfo"));
	parse("-h");
	ck_assert_int_eq(ret, 2);
	parse("dump -h");
	ck_assert_int_eq(ret, 2);
	parse("-V");
	ck_assert_int_eq(ret, 2);
	ck_assert(!err[0]);
	ck_assert_str_eq(out, "Version: " CR_VERSION "\n");
	ck_assert_int_eq(lines(out), 1);
	parse("--version");
	ck_assert_int_eq(ret, 2);
	ck_assert(!strncmp(out, "Version: ", 9));
	parse("restore --version");
	ck_assert_int_eq(ret, 2);
}
END_TEST

/* ------------------------------------------------------- common options */

START_TEST(test_verbosity)
{
	static const struct {
		const char *line;
		int level;
	} t[] = {
		{ "check -v", 3 },	     { "check -vv", 4 },	{ "check -vvv", 4 },
		{ "check -vvvv", 4 },	     { "check -v0", 0 },	{ "check -v1", 1 },
		{ "check -v2", 2 },	     { "check -v3", 3 },	{ "check -v4", 4 },
		{ "check -v9", 4 },	     { "check -v123456789012", 4 },
		{ "check --verbosity=1", 1 }, { "check --verbosity", 3 },
		{ "check --verbosity=vv", 4 }, { "check -v -v", 4 },	{ "check -v0 -v", 1 },
		{ "-v1 check", 1 },	     { "check -v4 -v1", 1 },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		OK(t[i].line);
		ck_assert_msg(o.log_level == t[i].level, "%s: %d", t[i].line, o.log_level);
	}
	BAD("check -vx", "verbosity");
	BAD("check -v-1", "verbosity");
	BAD("check --verbosity=abc", "verbosity");
	BAD("check --verbosity=", "verbosity");
	/* optional values must be attached, as getopt wants */
	BAD("check --verbosity 3", "'3'");
}
END_TEST

START_TEST(test_common_strings)
{
	OK("restore -o a.log -D /d -W /w --pidfile /p -L /lib");
	ck_assert_str_eq(o.log_file, "a.log");
	ck_assert_str_eq(o.images_dir, "/d");
	ck_assert_str_eq(o.work_dir, "/w");
	ck_assert_str_eq(o.pidfile, "/p");
	ck_assert_str_eq(o.libdir, "/lib");
	BAD("restore --prev-images-dir ../p", "makes no sense");
	OK("dump -t 1 --log-file=b.log --images-dir=/e --work-dir=/x --pidfile=/q "
	   "--libdir=/l --prev-images-dir=../p");
	ck_assert_str_eq(o.log_file, "b.log");
	ck_assert_str_eq(o.images_dir, "/e");
	ck_assert_str_eq(o.work_dir, "/x");
	ck_assert_str_eq(o.pidfile, "/q");
	ck_assert_str_eq(o.libdir, "/l");
	ck_assert_str_eq(o.prev_images_dir, "../p");
	OK("dump -t 1 --log-file c.log --images-dir /f --work-dir /y -Dlast -oshort.log");
	ck_assert_str_eq(o.images_dir, "last");
	ck_assert_str_eq(o.log_file, "short.log");
	ck_assert_str_eq(o.work_dir, "/y");
	OK("check --log-pid --action-script /a --action-script=/b --unprivileged --deprecated");
	ck_assert(o.log_pid && o.unprivileged && o.deprecated);
	ck_assert_int_eq(o.nr_action_scripts, 2);
	ck_assert_str_eq(o.action_scripts[1], "/b");
	OK("check --log-pid --no-log-pid");
	ck_assert(!o.log_pid);
	BAD("check -D", "-D");
	BAD("check --images-dir", "--images-dir");
	BAD("check --images-dir=", "empty");
	BAD("check -o", "-o");
	BAD("check --log-file", "needs a value");
}
END_TEST

START_TEST(test_common_numbers)
{
	OK("restore --close 3 --close=4 --close 0 --status-fd 5 --timeout 10");
	ck_assert_int_eq(o.nr_close_fds, 3);
	ck_assert_int_eq(o.close_fds[0], 3);
	ck_assert_int_eq(o.close_fds[1], 4);
	ck_assert_int_eq(o.close_fds[2], 0);
	ck_assert_int_eq(o.status_fd, 5);
	ck_assert_uint_eq(o.timeout, 10);
	OK("restore --status-fd=0 --timeout=0");
	ck_assert_int_eq(o.status_fd, 0);
	ck_assert_uint_eq(o.timeout, 0);
	OK("restore --timeout=4294967295");
	ck_assert_uint_eq(o.timeout, 4294967295u);
	BAD("restore --close x", "--close");
	BAD("restore --close -1", "--close");
	BAD("restore --close 3x", "--close");
	BAD("restore --close", "--close");
	BAD("restore --status-fd -1", "--status-fd");
	BAD("restore --status-fd abc", "--status-fd");
	BAD("restore --timeout abc", "--timeout");
	BAD("restore --timeout -1", "--timeout");
	BAD("restore --timeout 4294967296", "--timeout");
	BAD("restore --timeout +5", "--timeout");
	BAD("restore --timeout 99999999999999999999999", "--timeout");
}
END_TEST

START_TEST(test_list_limit)
{
	char *argv[2 * MAX_LIST + 8];
	char nums[MAX_LIST + 1][16];
	int argc = 0;

	argv[argc++] = "criu";
	argv[argc++] = "restore";
	for (int i = 0; i <= MAX_LIST; i++) {
		snprintf(nums[i], sizeof(nums[i]), "%d", i + 3);
		argv[argc++] = "--close";
		argv[argc++] = nums[i];
	}
	parse_argv(argc - 2, argv);
	ck_assert_int_eq(ret, 0);
	ck_assert_int_eq(o.nr_close_fds, MAX_LIST);
	parse_argv(argc, argv);
	ck_assert_int_eq(ret, 1);
	ONE_ERROR("too many");
}
END_TEST

/* ------------------------------------------------------- dump / pre-dump */

START_TEST(test_tree)
{
	OK("dump -t 1234");
	ck_assert_int_eq(o.tree_pid, 1234);
	OK("dump --tree 5");
	ck_assert_int_eq(o.tree_pid, 5);
	OK("dump --tree=6");
	ck_assert_int_eq(o.tree_pid, 6);
	OK("dump -t7");
	ck_assert_int_eq(o.tree_pid, 7);
	OK("pre-dump -t 2147483647");
	ck_assert_int_eq(o.tree_pid, 2147483647);
	BAD("dump -t 0", "--tree");
	BAD("dump -t -5", "--tree");
	BAD("dump -t abc", "--tree");
	BAD("dump -t 12abc", "--tree");
	BAD("dump -t 2147483648", "--tree");
	BAD("dump -t", "-t");
	BAD("dump --tree", "--tree");
	BAD("dump --tree=", "--tree");
	BAD("restore -t 1", "--tree");
	BAD("check -t 1", "--tree");
	BAD("page-server -t 1", "--tree");
}
END_TEST

START_TEST(test_final_state)
{
	OK("dump -t 1");
	ck_assert(!o.leave_running && !o.leave_stopped);
	OK("dump -t 1 -R");
	ck_assert(o.leave_running);
	OK("dump -t 1 --leave-running");
	ck_assert(o.leave_running);
	OK("dump -t 1 -s");
	ck_assert(o.leave_stopped);
	OK("dump -t 1 --leave-stopped");
	ck_assert(o.leave_stopped);
	OK("pre-dump -t 1 -R");
	OK("restore --leave-stopped");
	ck_assert(o.leave_stopped);
	OK("restore -s");
	ck_assert(o.leave_stopped);
	ck_assert_int_eq(opts_check_supported(&o), 0);
	BAD("dump -t 1 -R -s", "exclude");
	BAD("dump -t 1 -Rs", "exclude");
	BAD("dump -t 1 --leave-running --leave-stopped", "exclude");
	BAD("restore -R", "--leave-running");
	BAD("pre-dump -t 1 -s", "--leave-stopped");
	BAD("dump -t 1 --leave-running=yes", "takes no value");
}
END_TEST

START_TEST(test_dump_flags)
{
	OK("dump -t 1 -j -l --tcp-established --tcp-close --evasive-devices --page-server "
	   "--force-irmap --auto-dedup --link-remap --track-mem --check-only --skip-in-flight "
	   "--lazy-pages --display-stats --stream --allow-uprobes --ghost-fiemap --tls "
	   "--tls-no-cn-verify");
	ck_assert(o.shell_job && o.file_locks && o.tcp_established && o.tcp_close);
	ck_assert(o.evasive_devices && o.use_page_server && o.force_irmap && o.auto_dedup);
	ck_assert(o.link_remap && o.track_mem && o.check_only && o.skip_in_flight);
	ck_assert(o.lazy_pages && o.display_stats && o.stream && o.allow_uprobes);
	ck_assert(o.ghost_fiemap && o.tls && o.tls_no_cn_verify);
	OK("dump -t 1 --shell-job --file-locks");
	ck_assert(o.shell_job && o.file_locks);
	OK("dump -t 1 --tcp-established --no-tcp-established -j --no-shell-job");
	ck_assert(!o.tcp_established && !o.shell_job);
	ck_assert_int_eq(opts_check_supported(&o), 0);
	BAD("dump -t 1 --no-tcp-close", "--no-tcp-close");
	BAD("dump -t 1 --tcp-established=1", "takes no value");
}
END_TEST

START_TEST(test_dump_values)
{
	static const char *const modes[] = { "soft", "full", "strict", "ignore", NULL };

	OK("dump -t 1 -x -n uts,ipc --manage-cgroups --veth-pair a=b --veth-pair=c=d@br "
	   "--address 10.0.0.1 --port 1234 -M /m:m --ext-mount-map=/n:n --external mnt[x]:y "
	   "--freeze-cgroup /sys/fs/cgroup/x --empty-ns net --ps-socket 9 "
	   "--irmap-scan-path /a --skip-mnt /b --enable-fs fuse --cgroup-props p "
	   "--cgroup-props-file f --cgroup-dump-controller cpu --cgroup-yard /y "
	   "--network-lock nftables --file-validation buildid --tls-cacert a --tls-cacrl b "
	   "--tls-cert c --tls-key d");
	ck_assert(o.ext_unix_sk);
	ck_assert_ptr_null(o.ext_unix_sk_list);
	ck_assert_str_eq(o.namespaces, "uts,ipc");
	ck_assert(o.manage_cgroups);
	ck_assert_ptr_null(o.manage_cgroups_mode);
	ck_assert_int_eq(o.nr_veth_pairs, 2);
	ck_assert_str_eq(o.veth_pairs[1], "c=d@br");
	ck_assert_str_eq(o.address, "10.0.0.1");
	ck_assert_int_eq(o.port, 1234);
	ck_assert_int_eq(o.nr_ext_mount_maps, 2);
	ck_assert_str_eq(o.ext_mount_maps[0], "/m:m");
	ck_assert_str_eq(o.ext_mount_maps[1], "/n:n");
	ck_assert_int_eq(o.nr_externals, 1);
	ck_assert_str_eq(o.externals[0], "mnt[x]:y");
	ck_assert_str_eq(o.freeze_cgroup, "/sys/fs/cgroup/x");
	ck_assert(o.empty_ns);
	ck_assert_int_eq(o.ps_socket, 9);
	ck_assert_str_eq(o.irmap_scan_paths[0], "/a");
	ck_assert_str_eq(o.skip_mnts[0], "/b");
	ck_assert_str_eq(o.enable_fs[0], "fuse");
	ck_assert_str_eq(o.cgroup_props, "p");
	ck_assert_str_eq(o.cgroup_props_file, "f");
	ck_assert_str_eq(o.cgroup_dump_controllers[0], "cpu");
	ck_assert_str_eq(o.cgroup_yard, "/y");
	ck_assert_str_eq(o.network_lock, "nftables");
	ck_assert_str_eq(o.file_validation, "buildid");
	ck_assert_str_eq(o.tls_cacert, "a");
	ck_assert_str_eq(o.tls_key, "d");

	OK("dump -t 1 -x123 --ext-unix-sk=4,5 --namespaces=net --manage-cgroups=full "
	   "--port=65535 --address=::1 -Mauto");
	ck_assert(o.ext_unix_sk);
	ck_assert_str_eq(o.ext_unix_sk_list, "123,4,5");
	ck_assert_str_eq(o.namespaces, "net");
	ck_assert_str_eq(o.manage_cgroups_mode, "full");
	ck_assert_int_eq(o.port, 65535);
	ck_assert_str_eq(o.address, "::1");
	ck_assert(o.ext_mount_auto);
	ck_assert_int_eq(o.nr_ext_mount_maps, 0);
	for (const char *const *m = modes; *m; m++) {
		char line[64];

		snprintf(line, sizeof(line), "restore --manage-cgroups=%s", *m);
		OK(line);
		ck_assert_str_eq(o.manage_cgroups_mode, *m);
	}
	OK("pre-dump -t 1 --pre-dump-mode=read");
	ck_assert_str_eq(o.pre_dump_mode, "read");
	OK("pre-dump -t 1 --pre-dump-mode splice");
	ck_assert_str_eq(o.pre_dump_mode, "splice");
}
END_TEST

START_TEST(test_dump_bad_values)
{
	BAD("dump -t 1 --port abc", "--port");
	BAD("dump -t 1 --port 70000", "--port");
	BAD("dump -t 1 --port 0", "--port");
	BAD("dump -t 1 --port -1", "--port");
	BAD("dump -t 1 --port", "--port");
	BAD("dump -t 1 --veth-pair ab", "--veth-pair");
	BAD("dump -t 1 --veth-pair =b", "--veth-pair");
	BAD("dump -t 1 --veth-pair a=", "--veth-pair");
	BAD("dump -t 1 --manage-cgroups=bogus", "--manage-cgroups");
	BAD("dump -t 1 --manage-cgroups=", "--manage-cgroups");
	BAD("dump -t 1 --cpu-cap=bogus", "--cpu-cap");
	BAD("dump -t 1 --cpu-cap=fpu,", "--cpu-cap");
	BAD("dump -t 1 --cpu-cap=^", "--cpu-cap");
	BAD("dump -t 1 --ghost-limit abc", "--ghost-limit");
	BAD("dump -t 1 --ghost-limit 1T", "--ghost-limit");
	BAD("dump -t 1 --ghost-limit 1MB", "--ghost-limit");
	BAD("dump -t 1 --ghost-limit -1", "--ghost-limit");
	BAD("dump -t 1 --ghost-limit 99999999999999999999", "--ghost-limit");
	BAD("dump -t 1 --ghost-limit 17179869184G", "--ghost-limit");
	BAD("dump -t 1 -x12a", "--ext-unix-sk");
	BAD("dump -t 1 --ext-unix-sk=1,,2", "--ext-unix-sk");
	BAD("dump -t 1 -n foo", "--namespaces");
	BAD("dump -t 1 -n net,", "--namespaces");
	BAD("dump -t 1 -M nocolon", "--ext-mount-map");
	BAD("dump -t 1 -M :x", "--ext-mount-map");
	BAD("dump -t 1 --empty-ns mnt", "--empty-ns");
	BAD("dump -t 1 --network-lock ebtables", "--network-lock");
	BAD("dump -t 1 --file-validation md5", "--file-validation");
	BAD("pre-dump -t 1 --pre-dump-mode=copy", "--pre-dump-mode");
	BAD("dump -t 1 --pre-dump-mode=read", "makes no sense");
	BAD("dump -t 1 --external", "--external");
	BAD("dump -t 1 --ps-socket x", "--ps-socket");
	BAD("dump -t 1 --restore-detached", "--restore-detached");
	BAD("dump -t 1 -d", "--restore-detached");
	BAD("dump -t 1 -S", "--restore-sibling");
	BAD("dump -t 1 --inherit-fd fd[1]:x", "--inherit-fd");
	BAD("dump -t 1 -r /", "--root");
	BAD("dump -t 1 --ms", "--ms");
}
END_TEST

START_TEST(test_ghost_limit)
{
	static const struct {
		const char *v;
		uint64_t bytes;
	} t[] = {
		{ "0", 0 },
		{ "4096", 4096 },
		{ "1K", 1024 },
		{ "1k", 1024 },
		{ "64M", 64ULL << 20 },
		{ "2m", 2ULL << 20 },
		{ "3G", 3ULL << 30 },
		{ "1g", 1ULL << 30 },
		{ "17179869183G", 17179869183ULL << 30 },
	};
	char line[128];

	OK("dump -t 1");
	ck_assert_uint_eq(o.ghost_limit, 1 << 20);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(line, sizeof(line), "dump -t 1 --ghost-limit %s", t[i].v);
		OK(line);
		ck_assert_msg(o.ghost_limit == t[i].bytes, "%s", line);
		snprintf(line, sizeof(line), "pre-dump -t 1 --ghost-limit=%s", t[i].v);
		OK(line);
		ck_assert_msg(o.ghost_limit == t[i].bytes, "%s", line);
	}
	ck_assert_int_eq(opts_check_supported(&o), 0);
	BAD("restore --ghost-limit 1M", "makes no sense");
}
END_TEST

START_TEST(test_cpu_cap)
{
	OK("dump -t 1");
	ck_assert(!o.cpu_cap_set);
	ck_assert_ptr_null(o.cpu_cap);
	OK("dump -t 1 --cpu-cap");
	ck_assert(o.cpu_cap_set);
	ck_assert_str_eq(o.cpu_cap, "all");
	OK("restore --cpu-cap=fpu,^ins");
	ck_assert_str_eq(o.cpu_cap, "fpu,^ins");
	OK("restore --cpu-cap=none");
	ck_assert_str_eq(o.cpu_cap, "none");
	OK("cpuinfo check --cpu-cap=cpu");
	ck_assert_str_eq(o.cpu_cap, "cpu");
	OK("cpuinfo dump --cpu-cap=all,cpu,fpu,ins");
	BAD("check --cpu-cap=all", "makes no sense");
	BAD("restore --cpu-cap all", "'all'");
}
END_TEST

/* ---------------------------------------------------------------- restore */

START_TEST(test_restore_options)
{
	OK("restore -d -S -r /root --inherit-fd fd[3]:pipe:[123] --inherit-fd=fd[10]:/a/b "
	   "--cgroup-root /new --cgroup-root cpu:/other -M auto --enable-external-sharing "
	   "--enable-external-masters -J net:/proc/1/ns/net --join-ns=uts:123 "
	   "--lsm-profile apparmor:x --lsm-mount-context ctx --weak-sysctls "
	   "--orphan-pts-master --mntns-compat-mode --skip-file-rwx-check --tcp-close "
	   "--auto-dedup --check-only -l -j -x --leave-stopped");
	ck_assert(o.restore_detached && o.restore_sibling && !o.daemon_mode);
	ck_assert_str_eq(o.root, "/root");
	ck_assert_int_eq(o.nr_inherit_fds, 2);
	ck_assert_int_eq(o.inherit_fds[0].fd, 3);
	ck_assert_str_eq(o.inherit_fds[0].name, "pipe:[123]");
	ck_assert_int_eq(o.inherit_fds[1].fd, 10);
	ck_assert_str_eq(o.inherit_fds[1].name, "/a/b");
	ck_assert_int_eq(o.nr_cgroup_roots, 2);
	ck_assert_str_eq(o.cgroup_roots[1], "cpu:/other");
	ck_assert(o.ext_mount_auto && o.enable_external_sharing && o.enable_external_masters);
	ck_assert_int_eq(o.nr_join_ns, 2);
	ck_assert_str_eq(o.join_ns[0], "net:/proc/1/ns/net");
	ck_assert_str_eq(o.join_ns[1], "uts:123");
	ck_assert_str_eq(o.lsm_profile, "apparmor:x");
	ck_assert_str_eq(o.lsm_mount_context, "ctx");
	ck_assert(o.weak_sysctls && o.orphan_pts_master && o.mntns_compat_mode);
	ck_assert(o.skip_file_rwx_check && o.tcp_close && o.auto_dedup && o.check_only);
	ck_assert(o.file_locks && o.shell_job && o.ext_unix_sk && o.leave_stopped);
	OK("restore --restore-detached --restore-sibling --root=/r");
	ck_assert(o.restore_detached && o.restore_sibling);
	ck_assert_str_eq(o.root, "/r");
	ck_assert_int_eq(captured(do_check, NULL), 1);
	ck_assert_str_eq(err, "Error: unsupported: --root\n");
	OK("restore --restore-detached --restore-sibling");
	ck_assert_int_eq(opts_check_supported(&o), 0);
	OK("restore --exec-cmd -- /bin/true -x");
	ck_assert(o.exec_cmd);
	ck_assert_int_eq(o.nr_args, 2);
	ck_assert_str_eq(o.args[1], "-x");
	BAD("restore --exec-cmd", "--exec-cmd");
}
END_TEST

START_TEST(test_restore_bad_values)
{
	BAD("restore --inherit-fd 3:pipe", "--inherit-fd");
	BAD("restore --inherit-fd fd[3]pipe", "--inherit-fd");
	BAD("restore --inherit-fd fd[3]:", "--inherit-fd");
	BAD("restore --inherit-fd fd[]:x", "--inherit-fd");
	BAD("restore --inherit-fd fd[-1]:x", "--inherit-fd");
	BAD("restore --inherit-fd fd[x]:y", "--inherit-fd");
	BAD("restore --inherit-fd fd[99999999999]:y", "--inherit-fd");
	BAD("restore --inherit-fd", "--inherit-fd");
	BAD("restore --cgroup-root rel", "--cgroup-root");
	BAD("restore --cgroup-root cpu:rel", "--cgroup-root");
	BAD("restore --join-ns net", "--join-ns");
	BAD("restore --join-ns foo:1", "--join-ns");
	BAD("restore --join-ns net:", "--join-ns");
	BAD("restore -r", "-r");
	BAD("restore --track-mem", "makes no sense");
	OK("restore --daemon");
	ck_assert(o.restore_detached && !o.daemon_mode);
	ck_assert_int_eq(opts_check_supported(&o), 0);
	BAD("restore -d -R", "--leave-running");
}
END_TEST

/* ------------------------------------------------ check, page-server, ... */

START_TEST(test_check_options)
{
	OK("check --ms --all --feature mnt_id --feature=tun --extra --experimental");
	ck_assert(o.check_ms && o.check_all && o.check_extra && o.check_experimental);
	ck_assert_int_eq(o.nr_features, 2);
	ck_assert_str_eq(o.features[0], "mnt_id");
	ck_assert_str_eq(o.features[1], "tun");
	OK("check --ms --all --feature x");
	ck_assert_int_eq(opts_check_supported(&o), 0);
	BAD("check --feature", "--feature");
	BAD("check --feature=", "--feature");
	BAD("dump -t 1 --feature x", "makes no sense");
	BAD("restore --all", "makes no sense");
}
END_TEST

START_TEST(test_servers)
{
	OK("page-server --daemon --address 1.2.3.4 --port 27");
	ck_assert(o.daemon_mode && !o.restore_detached);
	ck_assert_str_eq(o.address, "1.2.3.4");
	ck_assert_int_eq(o.port, 27);
	OK("page-server -d --status-fd 3");
	ck_assert(o.daemon_mode && !o.restore_detached);
	ck_assert_int_eq(captured(do_check, NULL), 0);
	OK("service -d");
	ck_assert(o.daemon_mode);
	OK("lazy-pages --port=9 --address=h");
	BAD("service --leave-stopped", "makes no sense");
	BAD("page-server --port 65536", "--port");
}
END_TEST

/* ---------------------------------------------------- generic bad forms */

START_TEST(test_unknown_options)
{
	BAD("dump -t 1 --bogus", "--bogus");
	BAD("dump -t 1 --bogus=1", "'--bogus'");
	BAD("dump -t 1 -q", "-q");
	BAD("-q dump -t 1", "-q");
	BAD("dump -t 1 -Rq", "-q");
	BAD("dump -t 1 --no-leave-running", "--no-leave-running");
	BAD("dump -t 1 --leave", "ambiguous");
	BAD("restore --no", "ambiguous");
	/* a cluster of short options is one word but many options */
	OK("restore -jjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjjj");
	ck_assert(o.shell_job);
	OK("dump -jRt5");
	ck_assert(o.shell_job && o.leave_running);
	ck_assert_int_eq(o.tree_pid, 5);
	/* unique prefixes are accepted, as getopt_long does for CRIU */
	OK("dump --tre=3 --leave-r");
	ck_assert_int_eq(o.tree_pid, 3);
	ck_assert(o.leave_running);
}
END_TEST

/* Every failure leaves nothing behind: parse many times under ASan. */
START_TEST(test_repeat)
{
	for (int i = 0; i < 50; i++) {
		OK("dump -t 1 -D /x -o y --external a --close 3 -x1 --cpu-cap");
		BAD("dump -t 1 -D /x -o y --external a --close 3 --port x", "--port");
		BAD("restore --inherit-fd fd[1]:a --inherit-fd bad", "--inherit-fd");
		OK("exec -t 1 a b c");
	}
	opts_free(&o);
	opts_free(&o);
	ck_assert_ptr_null(o.args);
	ck_assert_ptr_null(o.log_file);
}
END_TEST

/* --------------------------------------------------------- config files */

START_TEST(test_config_forms)
{
	const char *cfg = tmp_path(1, "c.conf");
	char line[600];

	write_file(cfg, "# a comment\n"
			"\n"
			"   # indented comment\n"
			"tcp-established\n"
			"log-file /tmp/x.log   # trailing comment\n"
			"images-dir=/x\n"
			"work-dir = \"/with space\"\n"
			"verbosity 4\n"
			"\tshell-job\t\n"
			"close 7\n"
			"--ghost-limit 2M\n"
			"manage-cgroups\n"
			"cpu-cap=fpu\n"
			"external 'a # not a comment'\n");
	snprintf(line, sizeof(line), "dump -t 1 --config %s", cfg);
	OK(line);
	ck_assert(o.tcp_established && o.shell_job && o.manage_cgroups);
	ck_assert_str_eq(o.log_file, "/tmp/x.log");
	ck_assert_str_eq(o.images_dir, "/x");
	ck_assert_str_eq(o.work_dir, "/with space");
	ck_assert_int_eq(o.log_level, 4);
	ck_assert_int_eq(o.nr_close_fds, 1);
	ck_assert_int_eq(o.close_fds[0], 7);
	ck_assert_uint_eq(o.ghost_limit, 2 << 20);
	ck_assert_str_eq(o.cpu_cap, "fpu");
	ck_assert_str_eq(o.externals[0], "a # not a comment");
	/* from the config file, still refused when unsupported */
	ck_assert_int_eq(captured(do_check, NULL), 1);
	ONE_ERROR("unsupported: --");
	snprintf(line, sizeof(line), "dump -t 1 --config=%s -D /cli -o cli.log -v1", cfg);
	OK(line);
	ck_assert_str_eq(o.images_dir, "/cli");
	ck_assert_str_eq(o.log_file, "cli.log");
	ck_assert_int_eq(o.log_level, 1);
}
END_TEST

START_TEST(test_config_order)
{
	const char *global = tmp_path(0, "global.conf");
	const char *user = tmp_path(1, ".criu/default.conf");
	const char *env = tmp_path(2, "env.conf");
	const char *given = tmp_path(3, "given.conf");
	char line[600];

	write_file(global, "images-dir /global\nlog-file g.log\nwork-dir /gw\npidfile /gp\n"
			   "close 1\n");
	write_file(user, "log-file u.log\nwork-dir /uw\npidfile /up\nclose 2\n");
	write_file(env, "work-dir /ew\npidfile /ep\nclose 3\n");
	write_file(given, "pidfile /cp\nclose 4\n");
	OK("restore");
	ck_assert_str_eq(o.images_dir, "/global");
	ck_assert_str_eq(o.log_file, "u.log");
	ck_assert_str_eq(o.work_dir, "/uw");
	setenv("CRIU_CONFIG_FILE", env, 1);
	snprintf(line, sizeof(line), "restore --config %s --close 5", given);
	OK(line);
	ck_assert_str_eq(o.images_dir, "/global");
	ck_assert_str_eq(o.log_file, "u.log");
	ck_assert_str_eq(o.work_dir, "/ew");
	ck_assert_str_eq(o.pidfile, "/cp");
	ck_assert_int_eq(o.nr_close_fds, 5);
	for (int i = 0; i < 5; i++)
		ck_assert_int_eq(o.close_fds[i], i + 1);

	snprintf(line, sizeof(line), "restore --no-default-config --config %s", given);
	OK(line);
	ck_assert_str_eq(o.images_dir, ".");
	ck_assert_ptr_null(o.log_file);
	ck_assert_str_eq(o.work_dir, "/ew");
	ck_assert_str_eq(o.pidfile, "/cp");
	unsetenv("CRIU_CONFIG_FILE");
	OK("--no-default-config restore");
	ck_assert_str_eq(o.images_dir, ".");
	ck_assert_ptr_null(o.pidfile);
	ck_assert_int_eq(o.nr_close_fds, 0);
	ck_assert_int_eq(opts_check_supported(&o), 0);
}
END_TEST

START_TEST(test_config_other_commands)
{
	write_file(tmp_path(0, "global.conf"), "tree 5\nleave-running\nrestore-detached\n"
					       "tcp-established\nfeature x\n");
	OK("restore");
	ck_assert_int_eq(o.tree_pid, 0);
	ck_assert(!o.leave_running && o.restore_detached && o.tcp_established);
	ck_assert_int_eq(o.nr_features, 0);
	OK("dump");
	ck_assert_int_eq(o.tree_pid, 5);
	ck_assert(o.leave_running && !o.restore_detached);
	OK("check");
	ck_assert_int_eq(o.nr_features, 1);
	ck_assert_int_eq(opts_check_supported(&o), 0);
	/* the command line turns a config flag back off */
	OK("dump --no-tcp-established");
	ck_assert(!o.tcp_established);
	ck_assert_int_eq(opts_check_supported(&o), 0);
	/* and a config final state can clash with the command line's */
	BAD("dump -s", "exclude");
}
END_TEST

START_TEST(test_config_errors)
{
	const char *cfg = tmp_path(1, "bad.conf");
	char line[600], where[600];
	static const char *const bad[] = {
		"bogus-option\n",	  "port abc\n",		 "tree 0\n",
		"leave-running yes\n",	  "images-dir\n",	 "images-dir=\n",
		"config /x\n",		  "no-default-config\n", "help\n",
		"version\n",		  "-t 5\n",		 "no-tree 5\n",
		"close x\n",		  "no-tcp-established 1\n", "file x\n",
		"manage-cgroups=bogus\n", "veth-pair ab\n",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[256];

		snprintf(text, sizeof(text), "# ok\nshell-job\n%s", bad[i]);
		write_file(cfg, text);
		snprintf(line, sizeof(line), "dump -t 1 --config %s", cfg);
		snprintf(where, sizeof(where), "Error: %s:3: ", cfg);
		parse(line);
		ck_assert_msg(ret == 1, "accepted %s", bad[i]);
		ONE_ERROR(where);
	}
	BAD("dump -t 1 --config /nonexistent/x.conf", "/nonexistent/x.conf");
	BAD("dump -t 1 --config", "--config");
	setenv("CRIU_CONFIG_FILE", "/nonexistent/env.conf", 1);
	BAD("restore", "/nonexistent/env.conf");
	unsetenv("CRIU_CONFIG_FILE");
	BAD(strcat(strcpy(line, "restore --config "), tmpdir), tmpdir);
	/* a missing default config is fine, a broken one is not */
	OK("restore");
	write_file(tmp_path(0, "global.conf"), "nonsense\n");
	BAD("restore", "global.conf:1:");
	OK("restore --no-default-config");
	/* the command line is read first: its errors come before the config's */
	BAD("restore --bogus", "--bogus");
}
END_TEST

/* ----------------------------------------------------------- unsupported */

START_TEST(test_supported)
{
	static const char *const good[] = {
		"dump -t 1 -v4 -o l -D d -W w --pidfile p --close 3 --timeout 5 -R",
		"dump -t 1 -s -j --ghost-limit 1M --verbosity=3",
		"dump -t 1 --no-default-config --config /dev/null",
		"restore -d -S --leave-stopped -j",
		"check --ms --all --feature a",
		"show x",
		"exec -t 1 close 1",
		"dump -t 1 -x",
		"restore --ext-unix-sk=12,34",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		OK(good[i]);
		ck_assert_msg(captured(do_check, NULL) == 0, "%s: %s", good[i], err);
		ck_assert(!err[0]);
	}
}
END_TEST

START_TEST(test_unsupported)
{
	static const struct {
		const char *line;
		const char *name;
	} t[] = {
		{ "restore -L /x", "libdir" },
		{ "dump -t 1 -n net", "namespaces" },
		{ "dump -t 1 --manage-cgroups=soft", "manage-cgroups" },
		{ "dump -t 1 --veth-pair a=b", "veth-pair" },
		{ "dump -t 1 --auto-dedup", "auto-dedup" },
		{ "dump -t 1 -M a:b", "ext-mount-map" },
		{ "dump -t 1 --external x", "external" },
		{ "dump -t 1 --track-mem", "track-mem" },
		{ "pre-dump -t 1 --pre-dump-mode=read", "pre-dump-mode" },
		{ "dump -t 1 --empty-ns net", "empty-ns" },
		{ "restore -r /", "root" },
		{ "restore --cgroup-root /x", "cgroup-root" },
		{ "restore -M auto", "ext-mount-map" },
		{ "restore --enable-external-sharing", "enable-external-sharing" },
		{ "restore --enable-external-masters", "enable-external-masters" },
		{ "restore --join-ns net:1", "join-ns" },
		{ "restore --lazy-pages", "lazy-pages" },
		{ "restore --network-lock skip", "network-lock" },
		{ "restore --lsm-profile x", "lsm-profile" },
		{ "check --extra", "extra" },
		{ "show -c", "contents" },
	};

	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		char want[64];

		OK(t[i].line);
		ck_assert_msg(captured(do_check, NULL) == 1, "%s passed", t[i].line);
		snprintf(want, sizeof(want), "Error: unsupported: --%s\n", t[i].name);
		ck_assert_msg(!strcmp(err, want), "%s: got [%s], want [%s]", t[i].line, err,
			      want);
	}
}
END_TEST

static Suite *options_suite(void)
{
	Suite *s = suite_create("options");
	TCase *cmds = tcase_create("commands");
	TCase *vals = tcase_create("values");
	TCase *cfg = tcase_create("config");
	TCase *sup = tcase_create("supported");
	TCase *all[] = { cmds, vals, cfg, sup };

	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		tcase_add_checked_fixture(all[i], setup, teardown);
		tcase_set_timeout(all[i], 60);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(cmds, test_defaults);
	tcase_add_test(cmds, test_commands);
	tcase_add_test(cmds, test_bad_commands);
	tcase_add_test(cmds, test_options_around_command);
	tcase_add_test(cmds, test_exec_verbatim);
	tcase_add_test(cmds, test_show_files);
	tcase_add_test(cmds, test_help_version);
	tcase_add_test(cmds, test_unknown_options);
	tcase_add_test(cmds, test_repeat);

	tcase_add_test(vals, test_verbosity);
	tcase_add_test(vals, test_common_strings);
	tcase_add_test(vals, test_common_numbers);
	tcase_add_test(vals, test_list_limit);
	tcase_add_test(vals, test_tree);
	tcase_add_test(vals, test_final_state);
	tcase_add_test(vals, test_dump_flags);
	tcase_add_test(vals, test_dump_values);
	tcase_add_test(vals, test_dump_bad_values);
	tcase_add_test(vals, test_ghost_limit);
	tcase_add_test(vals, test_cpu_cap);
	tcase_add_test(vals, test_restore_options);
	tcase_add_test(vals, test_restore_bad_values);
	tcase_add_test(vals, test_check_options);
	tcase_add_test(vals, test_servers);

	tcase_add_test(cfg, test_config_forms);
	tcase_add_test(cfg, test_config_order);
	tcase_add_test(cfg, test_config_other_commands);
	tcase_add_test(cfg, test_config_errors);

	tcase_add_test(sup, test_supported);
	tcase_add_test(sup, test_unsupported);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(options_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
