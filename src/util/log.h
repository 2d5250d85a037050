/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_UTIL_LOG_H
#define CR_UTIL_LOG_H

#include <errno.h>
#include <string.h>

/* Levels as in the manual: -v1 errors, -v2 warnings (default), -v3 info, -v4 debug. */
enum log_level {
	LOG_MSG = 0,	/* always printed, no prefix: user-facing results */
	LOG_ERROR = 1,
	LOG_WARN = 2,
	LOG_INFO = 3,
	LOG_DEBUG = 4,
};

#define DEFAULT_LOGLEVEL LOG_WARN

void log_set_level(int level);
int log_get_level(void);
/* Send the log to @path (NULL: stderr). Returns 0 or -1 with an error on stderr. */
int log_open(const char *path);
int log_get_fd(void);
/* Log to @fd from now on (after criu moved its log fd out of the way). */
int log_adopt_fd(int fd);
/* The log file opened with log_open(), or NULL when logging to stderr. */
const char *log_path(void);
void log_close(void);
/* The first error message logged, for one-line summaries on stderr. */
const char *log_first_error(void);

void log_print(int level, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#define pr_msg(fmt, ...) log_print(LOG_MSG, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define pr_err(fmt, ...) log_print(LOG_ERROR, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define pr_warn(fmt, ...) log_print(LOG_WARN, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...) log_print(LOG_INFO, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
#define pr_debug(fmt, ...) log_print(LOG_DEBUG, __FILE__, __LINE__, fmt, ##__VA_ARGS__)
/* Error with the text of the current errno appended. */
#define pr_perror(fmt, ...)                                                                    \
	do {                                                                                   \
		int __e = errno;                                                               \
		log_print(LOG_ERROR, __FILE__, __LINE__, fmt ": %s", ##__VA_ARGS__, strerror(__e)); \
		errno = __e;                                                                   \
	} while (0)

#endif
