// SPDX-License-Identifier: GPL-2.0
/*
 * A file appended continuously through an O_APPEND fd with fixed-size
 * records carrying sequence numbers. After SIGTERM the file must hold the
 * gapless sequence 0..N-1 where N is the number of records the test knows
 * it wrote, and the fd offset must be at the end. The writing is paced so
 * that the file stays small however long the run.
 *
 * One step back is allowed: after dump --leave-running the task appends on
 * until it is killed, and the restored one resumes from the dumped count, so
 * the file shows 0..M then K.. with K <= M. Anything else (a gap, a second
 * rollback, a last record that is not N-1) fails.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "zdtmtst.h"

#define REC_LEN 16	/* "%015llu\n" */

int main(int argc, char **argv)
{
	uint64_t count = 0, i, expect;
	bool rolled_back = false;
	char rec[REC_LEN + 1], buf[64 * REC_LEN];
	struct stat st;
	int fd, rfd;

	test_init(argc, argv);

	fd = open("file_append.data", O_CREAT | O_WRONLY | O_APPEND | O_EXCL, 0600);
	if (fd < 0)
		test_setup_fail("open: %s", strerror(errno));

	test_daemon();

	while (test_running()) {
		ssize_t n;

		snprintf(rec, sizeof(rec), "%015llu\n", (unsigned long long)count);
		n = write(fd, rec, REC_LEN);
		if (n < 0 && errno == EINTR)
			continue;
		if (n != REC_LEN)
			fail("write of record %llu gave %zd: %s", (unsigned long long)count, n,
			     strerror(errno));
		count++;
		/* Keep the file small over a long run: about 128 KiB/s. */
		if (count % 8 == 0)
			usleep(1000);
	}

	if (test_break()) {
		snprintf(rec, sizeof(rec), "%015llu\n", (unsigned long long)count + 1);
		if (write(fd, rec, REC_LEN) != REC_LEN)
			test_msg("break: write: %s", strerror(errno));
	}

	if (fstat(fd, &st))
		pfail("fstat");
	if (st.st_size % REC_LEN)
		fail("file size %lld is not whole records", (long long)st.st_size);
	if (lseek(fd, 0, SEEK_CUR) != st.st_size)
		fail("fd offset %lld is not at the end %lld", (long long)lseek(fd, 0, SEEK_CUR),
		     (long long)st.st_size);
	rfd = open("file_append.data", O_RDONLY);
	if (rfd < 0)
		pfail("open for reading");
	for (i = 0, expect = 0; i < (uint64_t)st.st_size / REC_LEN;) {
		ssize_t n = read(rfd, buf, sizeof(buf)), off;

		if (n <= 0 || n % REC_LEN)
			fail("read at record %llu gave %zd", (unsigned long long)i, n);
		for (off = 0; off < n; off += REC_LEN, i++) {
			unsigned long long v = strtoull(buf + off, NULL, 10);

			if (v != expect && v < expect && !rolled_back) {
				test_msg("record %llu steps back from %llu to %llu",
					 (unsigned long long)i, (unsigned long long)expect - 1, v);
				rolled_back = true;
			} else if (v != expect) {
				fail("record %llu is %llu, expected %llu", (unsigned long long)i, v,
				     (unsigned long long)expect);
			}
			expect = v + 1;
		}
	}
	if (expect != count)
		fail("the file ends at record %llu, the test wrote %llu",
		     (unsigned long long)expect, (unsigned long long)count);
	test_msg("%llu records", (unsigned long long)count);
	pass();
}
