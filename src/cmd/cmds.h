/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_CMD_CMDS_H
#define CR_CMD_CMDS_H

/* A whole criu command line (argv[0] is criu): its exit status. */
int criu_run(int argc, char **argv);

/* Each command returns the process exit status. */
int cmd_dump(void);
int cmd_restore(void);
int cmd_check(void);
int cmd_show(void);
int cmd_exec(void);
int cmd_cpuinfo_dump(void);
int cmd_cpuinfo_check(void);
int cmd_page_server(void);
int cmd_service(void);
int cmd_unsupported(void);

#endif
