// SPDX-License-Identifier: GPL-2.0
/*
 * A POSIX message queue with messages in it: not supported yet, so the
 * dump must fail with one line (reopening "/name" on restore would be
 * another file), and the queue keeps its messages in order.
 */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <unistd.h>

#include "zdtmtst.h"

int main(int argc, char **argv)
{
	struct mq_attr attr = { .mq_maxmsg = 4, .mq_msgsize = 32 };
	char name[64], buf[32];
	unsigned prio;
	mqd_t q;

	test_init(argc, argv);
	snprintf(name, sizeof(name), "/zdtm-mqueue00-%d", getpid());
	q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, &attr);
	if (q < 0)
		test_setup_fail("mq_open: %s", strerror(errno));
	mq_unlink(name);
	if (mq_send(q, "low", 4, 1) || mq_send(q, "high", 5, 9))
		test_setup_fail("mq_send: %s", strerror(errno));

	test_daemon();
	test_waitsig();

	if (test_break())
		mq_receive(q, buf, sizeof(buf), &prio);

	if (mq_receive(q, buf, sizeof(buf), &prio) != 5 || prio != 9 || strcmp(buf, "high"))
		fail("the first message is not 'high' (priority 9)");
	if (mq_receive(q, buf, sizeof(buf), &prio) != 4 || prio != 1 || strcmp(buf, "low"))
		fail("the second message is not 'low' (priority 1)");
	pass();
}
