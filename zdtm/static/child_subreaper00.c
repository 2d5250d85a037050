// SPDX-License-Identifier: GPL-2.0
/* PR_SET_CHILD_SUBREAPER survives and still adopts orphaned grandchildren. */
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	int v = 0, pfd[2], status;
	pid_t child, gc, ppid;

	test_init(argc, argv);
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0))
		test_setup_fail("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0);

	if (prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0))
		pfail("PR_GET_CHILD_SUBREAPER");
	if (v != 1)
		fail("child subreaper is %d", v);

	/* A grandchild whose parent dies is reparented to us. */
	if (pipe(pfd))
		pfail("pipe");
	child = fork();
	if (child < 0)
		pfail("fork");
	if (child == 0) {
		gc = fork();
		if (gc < 0)
			_exit(1);
		if (gc == 0) {
			/* We are the session leader's grandchild: wait until
			 * the middle child is gone and someone adopted us. */
			close(pfd[0]);
			for (int i = 0; i < 5000 && getppid() != getsid(0); i++)
				usleep(1000);
			ppid = getppid();
			if (write(pfd[1], &ppid, sizeof(ppid)) != sizeof(ppid))
				_exit(1);
			_exit(0);
		}
		_exit(0);
	}
	close(pfd[1]);
	if (waitpid(child, &status, 0) != child)
		pfail("waitpid child");
	if (read(pfd[0], &ppid, sizeof(ppid)) != sizeof(ppid))
		fail("no answer from the grandchild");
	if (ppid != getpid())
		fail("orphaned grandchild's parent is %d, not us (%d)", ppid, getpid());
	if (wait(&status) < 0)
		pfail("the grandchild was not reparented to us");
	pass();
}
