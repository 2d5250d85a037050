/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_IMAGES_IMAGE_H
#define CR_IMAGES_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <protobuf-c/protobuf-c.h>

/*
 * An image file is a 32-bit little-endian magic naming its kind, then records:
 * a 32-bit little-endian length and that many bytes of one protobuf message.
 * Raw page files (pages-N.img) have no framing at all.
 */

/* Longest record accepted on read; anything longer is damage, not data. */
#define IMG_MAX_RECORD (64u << 20)

struct img_kind {
	const char *name;	/* short name used by "criu show" and errors */
	const char *fmt;	/* file name, printf format with at most one %d */
	uint32_t magic;
	const ProtobufCMessageDescriptor *desc; /* first record; NULL for raw files */
	const ProtobufCMessageDescriptor *rest; /* records after the first, if different */
};

enum img_kind_id {
	IMG_INVENTORY,
	IMG_PSTREE,
	IMG_CORE,
	IMG_MM,
	IMG_PAGEMAP,
	IMG_PAGES,
	IMG_FDINFO,
	IMG_REG_FILES,
	IMG_PIPES,
	IMG_PIPES_DATA,
	IMG_FS,
	IMG_GHOST_FILE,
	IMG_SHMEM_PAGEMAP,
	IMG_CPUINFO,
	IMG_EVENTFD,
	IMG_SIGNALFD,
	IMG_TIMERFD,
	IMG_FILE_LOCKS,
	IMG_UNIXSK,
	IMG_INETSK,
	IMG_NETLINKSK,
	IMG_PACKETSK,
	IMG_MEMFD_INODES,
	IMG_MEMFD_FILES,
	IMG_EVENTPOLL,
	IMG_INOTIFY,
	IMG_FANOTIFY,
	IMG_PIDFD,
	IMG_TTY_FILES,
	IMG_TTY_INFO,
	IMG_TEST,	/* used by unit tests and the fuzzer only */
	IMG_KIND_COUNT,
};

extern const struct img_kind img_kinds[IMG_KIND_COUNT];
/* The kind whose magic is @magic, or NULL. */
const struct img_kind *img_kind_by_magic(uint32_t magic);

struct cr_img {
	int fd;
	const struct img_kind *kind;
	bool writing;
	off_t size;	/* bytes in the file when opened for reading */
	off_t pos;	/* offset of the next record */
	unsigned record; /* index of the next record, for error messages */
	char path[256];
	/* Write side is buffered so many small records cost one syscall. */
	size_t wbuf_len;
	uint8_t wbuf[16384];
};

/* The directory all images are read from and written to (-D). */
int img_dir_open(const char *path, bool create);
int img_dir_fd(void);
void img_dir_close(void);
/* Move the images directory fd to the lowest free number >= @min. */
int img_dir_move(int min);

/*
 * Open an image of @kind in the images directory. @flags is O_RDONLY or
 * O_WRONLY; the file name is built from the kind's format and @id.
 * For reading, a missing file returns NULL with errno ENOENT and no error
 * logged when @optional is true.
 */
struct cr_img *img_open(enum img_kind_id kind, int flags, int id);
struct cr_img *img_open_optional(enum img_kind_id kind, int id);
/* Open an arbitrary file descriptor as an image, kind taken from its magic. */
struct cr_img *img_open_fd(int fd, const char *name);
int img_close(struct cr_img *img);	/* flushes; returns -1 if a write failed */

/* Append one record. */
int img_write(struct cr_img *img, const ProtobufCMessage *msg);
/* Read the next record: 1 with *msg set, 0 at clean end of file, -1 on damage. */
int img_read(struct cr_img *img, ProtobufCMessage **msg);
/* The same, decoding the record as @desc (for kinds with a head record). */
int img_read_as(struct cr_img *img, const ProtobufCMessageDescriptor *desc,
		ProtobufCMessage **msg);
/* Read exactly one record that must be there. */
int img_read_one(struct cr_img *img, ProtobufCMessage **msg);
void img_free(struct cr_img *img, ProtobufCMessage *msg);

/* Convenience: write a single-record image in one call. */
int img_write_single(enum img_kind_id kind, int id, const ProtobufCMessage *msg);
/* Convenience: read a single-record image; returns 0 or -1. */
int img_read_single(enum img_kind_id kind, int id, ProtobufCMessage **msg);

/* Raw files (pages-N.img): created 0600, no framing. */
int img_raw_open(const char *name, int flags);

#endif
