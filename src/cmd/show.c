// SPDX-License-Identifier: GPL-2.0
/*
 * criu show FILE...   decode the named images
 * criu show [-D DIR]  decode every *.img of the images directory
 *
 * The output is always one JSON document: one object per image
 * {"magic": KIND, "file": PATH, "entries": [RECORD...]}, or an array of them
 * when more than one file is named or a directory is shown. Raw page files
 * are described by their size only. A damaged image gives one error line
 * naming the file and record; the other images are still printed, and the
 * exit status is 1.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd/cmds.h"
#include "images/image.h"
#include "images/json.h"
#include "util/log.h"
#include "util/options.h"

#define SHOW_INDENT 2

/* Does @name match the image file-name format @fmt (at most one %d)? */
static bool name_matches_fmt(const char *name, const char *fmt)
{
	const char *pct = strstr(fmt, "%d");
	size_t pre;

	if (!pct)
		return !strcmp(name, fmt);
	pre = pct - fmt;
	if (strncmp(name, fmt, pre))
		return false;
	name += pre;
	if (*name == '-')
		name++;
	if (!isdigit((unsigned char)*name))
		return false;
	while (isdigit((unsigned char)*name))
		name++;
	return !strcmp(name, pct + 2);
}

/* The raw (unframed) kind a file of this name holds, or NULL. */
static const struct img_kind *raw_kind_of(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	for (int i = 0; i < IMG_KIND_COUNT; i++)
		if (!img_kinds[i].desc && name_matches_fmt(base, img_kinds[i].fmt))
			return &img_kinds[i];
	return NULL;
}

static void print_header(FILE *out, const char *magic, const char *path, int level)
{
	fputc('{', out);
	json_newline(out, SHOW_INDENT, level + 1);
	fputs("\"magic\": ", out);
	json_print_string(out, magic, strlen(magic));
	fputc(',', out);
	json_newline(out, SHOW_INDENT, level + 1);
	fputs("\"file\": ", out);
	json_print_string(out, path, strlen(path));
	fputc(',', out);
	json_newline(out, SHOW_INDENT, level + 1);
}

static int show_raw(int fd, const struct img_kind *kind, const char *path, FILE *out, int level)
{
	struct stat st;

	if (fstat(fd, &st)) {
		pr_perror("Can't stat image %s", path);
		return -1;
	}
	print_header(out, kind->name, path, level);
	fprintf(out, "\"size\": %lld", (long long)st.st_size);
	json_newline(out, SHOW_INDENT, level);
	fputc('}', out);
	return 0;
}

/* Decode every record of the image open at @fd; closes @fd. */
static int show_records(int fd, const char *path, FILE *out, int level)
{
	ProtobufCMessage *msg;
	struct cr_img *img;
	unsigned n = 0;
	int ret;

	img = img_open_fd(fd, path);
	if (!img) {
		close(fd);
		return -1;
	}
	print_header(out, img->kind->name, path, level);
	fputs("\"entries\": [", out);
	while ((ret = img_read(img, &msg)) == 1) {
		if (n++)
			fputc(',', out);
		json_newline(out, SHOW_INDENT, level + 2);
		json_print_message(out, msg, SHOW_INDENT, level + 2);
		img_free(img, msg);
	}
	if (n)
		json_newline(out, SHOW_INDENT, level + 1);
	fputc(']', out);
	json_newline(out, SHOW_INDENT, level);
	fputc('}', out);
	img_close(img);
	return ret < 0 ? -1 : 0;
}

static int open_image(int dfd, const char *name)
{
	int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC);

	if (fd < 0 && errno == ENOENT && dfd == AT_FDCWD && name[0] != '/' && opts.images_dir &&
	    strcmp(opts.images_dir, ".")) {
		/* "criu show -D DIR core-1.img" names a file inside DIR. */
		char alt[PATH_MAX];

		snprintf(alt, sizeof(alt), "%s/%s", opts.images_dir, name);
		fd = open(alt, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			errno = ENOENT;
	}
	return fd;
}

/*
 * Render image @name (relative to @dfd; called @path in messages and output)
 * as one JSON object starting at nesting @level. The text goes to memory
 * first, so a damaged image leaves nothing half-written: on success *@buf
 * holds it (free it); on failure the error is logged and -1 returned.
 */
static int render_one(int dfd, const char *name, const char *path, int level, char **buf,
		      size_t *len)
{
	const struct img_kind *raw;
	FILE *mem;
	int fd, ret;

	*buf = NULL;
	*len = 0;
	fd = open_image(dfd, name);
	if (fd < 0) {
		pr_perror("Can't open image %s", path);
		return -1;
	}
	mem = open_memstream(buf, len);
	if (!mem) {
		pr_perror("Can't allocate output for image %s", path);
		close(fd);
		return -1;
	}
	raw = raw_kind_of(name);
	if (raw) {
		ret = show_raw(fd, raw, path, mem, level);
		close(fd);
	} else {
		ret = show_records(fd, path, mem, level);
	}
	if (fclose(mem) && !ret) {
		pr_err("Can't render image %s: out of memory\n", path);
		ret = -1;
	}
	if (ret) {
		free(*buf);
		*buf = NULL;
	}
	return ret;
}

/* Append image @name as the next element of the top-level array. */
static int array_add(int dfd, const char *name, const char *path, FILE *out, int *n)
{
	char *buf;
	size_t len;

	if (render_one(dfd, name, path, 1, &buf, &len))
		return -1;
	if ((*n)++)
		fputc(',', out);
	json_newline(out, SHOW_INDENT, 1);
	fwrite(buf, 1, len, out);
	free(buf);
	return 0;
}

static void array_end(FILE *out, int n)
{
	if (n)
		json_newline(out, SHOW_INDENT, 0);
	fputs("]\n", out);
}

static int has_img_suffix(const struct dirent *de)
{
	size_t l = strlen(de->d_name);

	return de->d_name[0] != '.' && l > 4 && !strcmp(de->d_name + l - 4, ".img");
}

static int name_cmp(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int show_dir(const char *dir, FILE *out)
{
	struct dirent **names;
	int dfd, nr, n = 0, ret = 0;
	size_t dl = strlen(dir);

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		pr_perror("Can't open images directory %s", dir);
		return 1;
	}
	nr = scandirat(dfd, ".", &names, has_img_suffix, name_cmp);
	if (nr < 0) {
		pr_perror("Can't read images directory %s", dir);
		close(dfd);
		return 1;
	}
	fputc('[', out);
	for (int i = 0; i < nr; i++) {
		const char *name = names[i]->d_name;
		char path[PATH_MAX];
		struct stat st;

		if (!fstatat(dfd, name, &st, 0) && S_ISREG(st.st_mode)) {
			if (!strcmp(dir, "."))
				snprintf(path, sizeof(path), "%s", name);
			else
				snprintf(path, sizeof(path), "%s%s%s", dir,
					 dl && dir[dl - 1] == '/' ? "" : "/", name);
			if (array_add(dfd, name, path, out, &n))
				ret = 1;
		}
		free(names[i]);
	}
	free(names);
	close(dfd);
	array_end(out, n);
	return ret;
}

static int show_files(char **files, int nr, FILE *out)
{
	int n = 0, ret = 0;

	if (nr == 1) {
		char *buf;
		size_t len;

		if (render_one(AT_FDCWD, files[0], files[0], 0, &buf, &len))
			return 1;
		fwrite(buf, 1, len, out);
		fputc('\n', out);
		free(buf);
		return 0;
	}
	fputc('[', out);
	for (int i = 0; i < nr; i++)
		if (array_add(AT_FDCWD, files[i], files[i], out, &n))
			ret = 1;
	array_end(out, n);
	return ret;
}

int cmd_show(void)
{
	int ret;

	if (opts.nr_args > 0)
		ret = show_files(opts.args, opts.nr_args, stdout);
	else
		ret = show_dir(opts.images_dir ? opts.images_dir : ".", stdout);
	if (fflush(stdout) || ferror(stdout)) {
		pr_perror("Can't write the output");
		ret = 1;
	}
	return ret;
}
