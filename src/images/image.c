// SPDX-License-Identifier: GPL-2.0
/* Framing of image files: magic, then length-prefixed protobuf records. */
#include <endian.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "images/image.h"
#include "util/log.h"
#include "util/fault.h"

static int images_dir_fd = -1;

int img_dir_open(const char *path, bool create)
{
	int fd;

	if (create && mkdir(path, 0700) && errno != EEXIST) {
		pr_perror("Can't create images directory %s", path);
		return -1;
	}
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		pr_perror("Can't open images directory %s", path);
		return -1;
	}
	img_dir_close();
	images_dir_fd = fd;
	return 0;
}

int img_dir_fd(void)
{
	return images_dir_fd;
}

int img_dir_move(int min)
{
	int fd = fcntl(images_dir_fd, F_DUPFD_CLOEXEC, min);

	if (fd < 0) {
		pr_perror("Can't move the images directory fd above %d", min);
		return -1;
	}
	close(images_dir_fd);
	images_dir_fd = fd;
	return fd;
}

void img_dir_close(void)
{
	if (images_dir_fd >= 0)
		close(images_dir_fd);
	images_dir_fd = -1;
}

int img_raw_open(const char *name, int flags)
{
	int dfd = images_dir_fd >= 0 ? images_dir_fd : AT_FDCWD;
	int fd;

	if (flags & O_WRONLY)
		flags |= O_CREAT | O_TRUNC;
	fd = openat(dfd, name, flags | O_CLOEXEC, 0600);
	if (fd < 0 && !(errno == ENOENT && !(flags & O_WRONLY)))
		pr_perror("Can't open image %s", name);
	return fd;
}

static struct cr_img *img_alloc(int fd, const struct img_kind *kind, const char *name)
{
	struct cr_img *img = calloc(1, sizeof(*img));

	if (!img) {
		pr_err("Out of memory opening image %s\n", name);
		return NULL;
	}
	img->fd = fd;
	img->kind = kind;
	snprintf(img->path, sizeof(img->path), "%s", name);
	return img;
}

static int read_exact(struct cr_img *img, void *buf, size_t len, const char *what)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = read(img->fd, (char *)buf + done, len - done);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			pr_perror("Can't read %s of image %s", what, img->path);
			return -1;
		}
		if (r == 0) {
			pr_err("Image %s is truncated: %s of record %u cut short\n", img->path,
			       what, img->record);
			return -1;
		}
		done += r;
	}
	img->pos += len;
	return 0;
}

static int img_check_magic(struct cr_img *img, const struct img_kind *want)
{
	uint32_t magic;
	struct stat st;

	if (fstat(img->fd, &st)) {
		pr_perror("Can't stat image %s", img->path);
		return -1;
	}
	img->size = st.st_size;
	if (img->size < (off_t)sizeof(magic)) {
		pr_err("Image %s is truncated: no magic\n", img->path);
		return -1;
	}
	if (read_exact(img, &magic, sizeof(magic), "magic"))
		return -1;
	magic = le32toh(magic);
	if (!want) {
		img->kind = img_kind_by_magic(magic);
		if (!img->kind) {
			pr_err("Image %s has unknown magic 0x%08x\n", img->path, magic);
			return -1;
		}
	} else if (magic != want->magic) {
		pr_err("Image %s has bad magic 0x%08x (expected 0x%08x for %s)\n", img->path,
		       magic, want->magic, want->name);
		return -1;
	}
	return 0;
}

static struct cr_img *img_do_open(enum img_kind_id id, int flags, int nr, bool optional)
{
	const struct img_kind *kind = &img_kinds[id];
	char name[256];
	struct cr_img *img;
	int fd;

	snprintf(name, sizeof(name), kind->fmt, nr);
	if (flags == O_WRONLY && fault_hit(FAULT_IMG_OPEN)) {
		errno = EIO;
		pr_perror("Can't create image %s (injected)", name);
		return NULL;
	}
	fd = img_raw_open(name, flags);
	if (fd < 0) {
		if (errno == ENOENT && !(flags & O_WRONLY) && !optional)
			pr_err("Image %s is missing from the images directory\n", name);
		return NULL;
	}
	img = img_alloc(fd, kind, name);
	if (!img) {
		close(fd);
		return NULL;
	}
	if (flags & O_WRONLY) {
		uint32_t magic = htole32(kind->magic);

		img->writing = true;
		memcpy(img->wbuf, &magic, sizeof(magic));
		img->wbuf_len = sizeof(magic);
		return img;
	}
	if (img_check_magic(img, kind)) {
		img_close(img);
		errno = EINVAL;	/* damaged, not missing: optional opens must not skip it */
		return NULL;
	}
	return img;
}

struct cr_img *img_open(enum img_kind_id kind, int flags, int id)
{
	return img_do_open(kind, flags, id, false);
}

struct cr_img *img_open_optional(enum img_kind_id kind, int id)
{
	return img_do_open(kind, O_RDONLY, id, true);
}

struct cr_img *img_open_fd(int fd, const char *name)
{
	struct cr_img *img = img_alloc(fd, NULL, name);

	if (!img)
		return NULL;
	if (img_check_magic(img, NULL)) {
		img->fd = -1;
		img_close(img);
		return NULL;
	}
	return img;
}

static int img_flush(struct cr_img *img)
{
	size_t done = 0;

	while (done < img->wbuf_len) {
		ssize_t w = write(img->fd, img->wbuf + done, img->wbuf_len - done);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			pr_perror("Can't write image %s", img->path);
			return -1;
		}
		done += w;
	}
	img->wbuf_len = 0;
	return 0;
}

static int img_put(struct cr_img *img, const void *data, size_t len)
{
	if (img->wbuf_len + len > sizeof(img->wbuf) && img_flush(img))
		return -1;
	if (len > sizeof(img->wbuf)) {
		size_t done = 0;

		while (done < len) {
			ssize_t w = write(img->fd, (const char *)data + done, len - done);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				pr_perror("Can't write image %s", img->path);
				return -1;
			}
			done += w;
		}
		return 0;
	}
	memcpy(img->wbuf + img->wbuf_len, data, len);
	img->wbuf_len += len;
	return 0;
}

int img_write(struct cr_img *img, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t small[4096], *buf = small;
	uint32_t hdr = htole32((uint32_t)len);
	int ret = -1;

	if (len > IMG_MAX_RECORD) {
		pr_err("Record %u of image %s is too large (%zu bytes)\n", img->record, img->path,
		       len);
		return -1;
	}
	if (len > sizeof(small)) {
		buf = malloc(len);
		if (!buf) {
			pr_err("Out of memory packing record of %s\n", img->path);
			return -1;
		}
	}
	protobuf_c_message_pack(msg, buf);
	if (!img_put(img, &hdr, sizeof(hdr)) && !img_put(img, buf, len)) {
		img->record++;
		ret = 0;
	}
	if (buf != small)
		free(buf);
	return ret;
}

/*
 * protobuf-c unpacks nested messages by recursion without any limit, so a
 * record of a self-referencing message nested deeply enough overflows the
 * stack. Walk the wire format first and refuse records nested deeper than
 * this; real images nest a few levels at most.
 */
#define IMG_MAX_NESTING 32

static bool wire_varint(const uint8_t *buf, size_t len, size_t *pos, uint64_t *val)
{
	uint64_t v = 0;

	for (unsigned shift = 0; shift < 64 && *pos < len; shift += 7) {
		uint8_t b = buf[(*pos)++];

		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*val = v;
			return true;
		}
	}
	return false;
}

/*
 * Check what protobuf-c does not: sub-messages in @len bytes at @buf, decoded
 * as @desc, nest at most @depth levels, and no field number is 0 (protobuf-c
 * takes a 0 written in a long varint as an unknown field, then writes it back
 * in a form it refuses). Returns NULL, or what is wrong. Other malformed data
 * passes: unpacking reports it.
 */
static const char *wire_check(const ProtobufCMessageDescriptor *desc, const uint8_t *buf,
			      size_t len, int depth)
{
	size_t pos = 0;

	if (depth < 0)
		return "messages nested too deep";
	while (pos < len) {
		const ProtobufCFieldDescriptor *fd;
		const char *err;
		uint64_t key, v;

		if (!wire_varint(buf, len, &pos, &key))
			return NULL;
		if (key >> 3 == 0)
			return "field number 0";
		switch (key & 7) {
		case 0: /* varint */
			if (!wire_varint(buf, len, &pos, &v))
				return NULL;
			break;
		case 1: /* 64-bit */
			pos += 8;
			break;
		case 5: /* 32-bit */
			pos += 4;
			break;
		case 2: /* length-delimited */
			if (!wire_varint(buf, len, &pos, &v) || v > len - pos)
				return NULL;
			fd = NULL;
			if (key >> 3 <= UINT32_MAX)
				fd = protobuf_c_message_descriptor_get_field(desc, key >> 3);
			if (fd && fd->type == PROTOBUF_C_TYPE_MESSAGE) {
				err = wire_check(fd->descriptor, buf + pos, v, depth - 1);
				if (err)
					return err;
			}
			pos += v;
			break;
		default: /* groups and junk: protobuf-c refuses them */
			return NULL;
		}
	}
	return NULL;
}

int img_read_as(struct cr_img *img, const ProtobufCMessageDescriptor *desc,
		ProtobufCMessage **msg)
{
	off_t left = img->size - img->pos;
	const char *bad;
	uint32_t len;
	uint8_t *buf;

	*msg = NULL;
	if (left == 0)
		return 0;
	if (left < (off_t)sizeof(len)) {
		pr_err("Image %s is truncated: %ld stray bytes after record %u\n", img->path,
		       (long)left, img->record);
		return -1;
	}
	if (read_exact(img, &len, sizeof(len), "length"))
		return -1;
	len = le32toh(len);
	left -= sizeof(len);
	if (len > IMG_MAX_RECORD || (off_t)len > left) {
		pr_err("Image %s is damaged: record %u claims %u bytes, %ld left in file\n",
		       img->path, img->record, len, (long)left);
		return -1;
	}
	buf = malloc(len ? len : 1);
	if (!buf) {
		pr_err("Out of memory reading record %u of %s\n", img->record, img->path);
		return -1;
	}
	if (read_exact(img, buf, len, "body")) {
		free(buf);
		return -1;
	}
	bad = wire_check(desc, buf, len, IMG_MAX_NESTING);
	if (bad) {
		free(buf);
		pr_err("Image %s is damaged: record %u does not decode as %s: %s\n", img->path,
		       img->record, desc->name, bad);
		return -1;
	}
	*msg = protobuf_c_message_unpack(desc, NULL, len, buf);
	free(buf);
	if (!*msg) {
		pr_err("Image %s is damaged: record %u does not decode as %s\n", img->path,
		       img->record, desc->name);
		return -1;
	}
	img->record++;
	return 1;
}

int img_read(struct cr_img *img, ProtobufCMessage **msg)
{
	const ProtobufCMessageDescriptor *desc = img->kind->desc;

	if (img->record > 0 && img->kind->rest)
		desc = img->kind->rest;
	if (!desc) {
		pr_err("Image %s holds raw data, not records\n", img->path);
		return -1;
	}
	return img_read_as(img, desc, msg);
}

int img_read_one(struct cr_img *img, ProtobufCMessage **msg)
{
	int ret = img_read(img, msg);

	if (ret == 0) {
		pr_err("Image %s is truncated: record %u is missing\n", img->path, img->record);
		return -1;
	}
	return ret < 0 ? -1 : 0;
}

void img_free(struct cr_img *img, ProtobufCMessage *msg)
{
	(void)img;
	if (msg)
		protobuf_c_message_free_unpacked(msg, NULL);
}

int img_close(struct cr_img *img)
{
	int ret = 0;

	if (!img)
		return 0;
	if (img->writing && img_flush(img))
		ret = -1;
	if (img->fd >= 0 && close(img->fd) && img->writing) {
		pr_perror("Can't close image %s", img->path);
		ret = -1;
	}
	free(img);
	return ret;
}

int img_write_single(enum img_kind_id kind, int id, const ProtobufCMessage *msg)
{
	struct cr_img *img = img_open(kind, O_WRONLY, id);
	int ret;

	if (!img)
		return -1;
	ret = img_write(img, msg);
	if (img_close(img))
		ret = -1;
	return ret;
}

int img_read_single(enum img_kind_id kind, int id, ProtobufCMessage **msg)
{
	struct cr_img *img = img_open(kind, O_RDONLY, id);
	int ret;

	if (!img)
		return -1;
	ret = img_read_one(img, msg);
	img_close(img);
	return ret;
}
