// SPDX-License-Identifier: GPL-2.0
/* One log for the whole program: level filter, timestamps from -v3, and an
 * "Error (file:line):" prefix that CI greps for. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

#include "util/log.h"

static int log_level = DEFAULT_LOGLEVEL;
static int log_fd = STDERR_FILENO;
static struct timeval log_start;
static char first_error[512];
static char log_file_path[4096];

void log_set_level(int level)
{
	if (level < 0)
		level = 0;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_level = level;
}

int log_get_level(void)
{
	return log_level;
}

int log_open(const char *path)
{
	int fd;

	gettimeofday(&log_start, NULL);
	first_error[0] = 0;
	if (!path) {
		log_fd = STDERR_FILENO;
		return 0;
	}
	snprintf(log_file_path, sizeof(log_file_path), "%s", path);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
	if (fd < 0) {
		int e = errno;

		dprintf(STDERR_FILENO, "Error: can't open log file %s: %s\n", path, strerror(e));
		errno = e;
		return -1;
	}
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = fd;
	return 0;
}

int log_get_fd(void)
{
	return log_fd;
}

const char *log_path(void)
{
	return log_file_path[0] ? log_file_path : NULL;
}

int log_adopt_fd(int fd)
{
	log_fd = fd;
	return 0;
}

void log_close(void)
{
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
}

const char *log_first_error(void)
{
	return first_error[0] ? first_error : NULL;
}

static int format_prefix(char *buf, size_t size, int level, const char *file, int line)
{
	int n = 0;

	if (log_level >= LOG_INFO) {
		struct timeval now, d;

		gettimeofday(&now, NULL);
		timersub(&now, &log_start, &d);
		n = snprintf(buf, size, "(%02ld.%06ld) ", (long)d.tv_sec, (long)d.tv_usec);
	}
	if (level == LOG_ERROR)
		n += snprintf(buf + n, size - n, "Error (%s:%d): ", file, line);
	else if (level == LOG_WARN)
		n += snprintf(buf + n, size - n, "Warn  (%s:%d): ", file, line);
	return n;
}

void log_print(int level, const char *file, int line, const char *fmt, ...)
{
	char buf[4096];
	int saved_errno = errno;
	va_list ap;
	int n;

	if (level > log_level)
		return;
	n = format_prefix(buf, sizeof(buf), level, file, line);
	va_start(ap, fmt);
	n += vsnprintf(buf + n, sizeof(buf) - n, fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf) - 1) {
		n = sizeof(buf) - 2;
		buf[n++] = '\n';
	} else if (n > 0 && buf[n - 1] != '\n') {
		buf[n++] = '\n';
	}
	if (level == LOG_ERROR && !first_error[0])
		snprintf(first_error, sizeof(first_error), "%.*s", n - 1, buf);
	/* Results (level 0) are for the user: stdout, and the log file if any. */
	if (level == LOG_MSG)
		(void)!write(STDOUT_FILENO, buf, n);
	if (level != LOG_MSG || log_fd != STDERR_FILENO)
		(void)!write(log_fd, buf, n);
	errno = saved_errno;
}
