// SPDX-License-Identifier: GPL-2.0
/* The demo's sample program: counts once every 200 ms, forever. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	for (unsigned long n = 0;; n++) {
		printf("%lu\n", n);
		fflush(stdout);
		usleep(200000);
	}
}
