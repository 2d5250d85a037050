// SPDX-License-Identifier: GPL-2.0
/*
 * Image framing (write, read back, every kind of damage) and the generic
 * JSON printer.
 */
#include <check.h>
#include <dirent.h>
#include <endian.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "images/image.h"
#include "images/json.h"
#include "util/log.h"

#include "inventory.pb-c.h"
#include "pagemap.pb-c.h"
#include "test.pb-c.h"

static char tmpdir[] = "/tmp/criu-test-image.XXXXXX";
static char logpath[PATH_MAX];

/* Fresh images directory and a log file of our own for every test. */
static void setup(void)
{
	strcpy(tmpdir, "/tmp/criu-test-image.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(img_dir_open(tmpdir, false), 0);
	snprintf(logpath, sizeof(logpath), "%s.log", tmpdir);
	ck_assert_int_eq(log_open(logpath), 0);
	log_set_level(LOG_DEBUG);
}

static void teardown(void)
{
	DIR *d = opendir(tmpdir);
	struct dirent *de;

	img_dir_close();
	log_close();
	unlink(logpath);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	rmdir(tmpdir);
}

static off_t log_size(void)
{
	struct stat st;

	ck_assert_int_eq(fstat(log_get_fd(), &st), 0);
	return st.st_size;
}

/* The log text written since offset @from (caller frees). */
static char *log_since(off_t from)
{
	off_t end = log_size();
	char *buf = calloc(1, end - from + 1);

	ck_assert_ptr_nonnull(buf);
	int fd = open(logpath, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, end - from, from), end - from);
	close(fd);
	return buf;
}

/* Assert an error line mentioning @what (and the file @name) was logged. */
static void assert_logged(off_t from, const char *what, const char *name)
{
	char *text = log_since(from);

	ck_assert_msg(strstr(text, "Error"), "no error logged (log: '%s')", text);
	if (what)
		ck_assert_msg(strstr(text, what), "'%s' not in log '%s'", what, text);
	if (name)
		ck_assert_msg(strstr(text, name), "'%s' not in log '%s'", name, text);
	free(text);
}

static void write_file(const char *name, const void *buf, size_t len)
{
	int fd = openat(img_dir_fd(), name, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

/* A growable byte buffer to build image files by hand. */
struct bytes {
	uint8_t *p;
	size_t len;
};

static void put(struct bytes *b, const void *data, size_t len)
{
	b->p = realloc(b->p, b->len + len + 1);
	ck_assert_ptr_nonnull(b->p);
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

static void put_u32(struct bytes *b, uint32_t v)
{
	v = htole32(v);
	put(b, &v, sizeof(v));
}

static void put_msg(struct bytes *b, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *tmp = malloc(len + 1);

	ck_assert_ptr_nonnull(tmp);
	protobuf_c_message_pack(msg, tmp);
	put_u32(b, len);
	put(b, tmp, len);
	free(tmp);
}

/* Record @i of the round-trip test: every field used in some records. */
static TestEntry *make_entry(unsigned i)
{
	TestEntry *e = calloc(1, sizeof(*e));

	test_entry__init(e);
	e->num = i * 2654435761u;
	if (i % 3) {
		e->text = malloc(32);
		snprintf(e->text, 32, "record \"%u\"\n\t\xc3\xa9", i);
	}
	e->n_list = i % 9;
	e->list = calloc(e->n_list + 1, sizeof(*e->list));
	for (size_t k = 0; k < e->n_list; k++)
		e->list[k] = (uint64_t)i << (k * 7);
	if (i % 5 == 0) {
		/* Sometimes past the write buffer, sometimes empty. */
		e->has_blob = 1;
		e->blob.len = i % 100 == 0 ? 20000 + i : i % 13;
		e->blob.data = malloc(e->blob.len + 1);
		for (size_t k = 0; k < e->blob.len; k++)
			e->blob.data[k] = (uint8_t)(k * 31 + i);
	}
	if (i % 7 == 0)
		e->child = make_entry(i + 1);
	return e;
}

static void free_entry(TestEntry *e)
{
	if (!e)
		return;
	free_entry(e->child);
	free(e->text);
	free(e->list);
	free(e->blob.data);
	free(e);
}

static void assert_same_msg(const ProtobufCMessage *a, const ProtobufCMessage *b)
{
	size_t la = protobuf_c_message_get_packed_size(a);
	size_t lb = protobuf_c_message_get_packed_size(b);
	uint8_t *pa, *pb;

	ck_assert_ptr_eq(a->descriptor, b->descriptor);
	ck_assert_uint_eq(la, lb);
	pa = malloc(la + 1);
	pb = malloc(lb + 1);
	protobuf_c_message_pack(a, pa);
	protobuf_c_message_pack(b, pb);
	ck_assert_int_eq(memcmp(pa, pb, la), 0);
	free(pa);
	free(pb);
}

#define NR_RECORDS 3000

START_TEST(test_roundtrip_many)
{
	ProtobufCMessage *msg;
	struct cr_img *img;
	unsigned n = 0;
	int ret;

	img = img_open(IMG_TEST, O_WRONLY, 7);
	ck_assert_ptr_nonnull(img);
	for (unsigned i = 0; i < NR_RECORDS; i++) {
		TestEntry *e = make_entry(i);

		ck_assert_int_eq(img_write(img, &e->base), 0);
		free_entry(e);
	}
	ck_assert_int_eq(img_close(img), 0);

	img = img_open(IMG_TEST, O_RDONLY, 7);
	ck_assert_ptr_nonnull(img);
	ck_assert_ptr_eq(img->kind, &img_kinds[IMG_TEST]);
	while ((ret = img_read(img, &msg)) == 1) {
		TestEntry *e = make_entry(n++);

		assert_same_msg(msg, &e->base);
		ck_assert_uint_eq(((TestEntry *)msg)->num, e->num);
		free_entry(e);
		img_free(img, msg);
	}
	ck_assert_int_eq(ret, 0);
	ck_assert_uint_eq(n, NR_RECORDS);
	/* End of file stays end of file. */
	ck_assert_int_eq(img_read(img, &msg), 0);
	ck_assert_ptr_null(msg);
	img_close(img);
}
END_TEST

START_TEST(test_roundtrip_fd)
{
	ProtobufCMessage *msg;
	struct cr_img *img;
	TestEntry *e = make_entry(700);
	int fd;

	ck_assert_int_eq(img_write_single(IMG_TEST, 3, &e->base), 0);
	fd = openat(img_dir_fd(), "test-3.img", O_RDONLY);
	ck_assert_int_ge(fd, 0);
	img = img_open_fd(fd, "test-3.img");
	ck_assert_ptr_nonnull(img);
	ck_assert_ptr_eq(img->kind, &img_kinds[IMG_TEST]);
	ck_assert_int_eq(img_read_one(img, &msg), 0);
	assert_same_msg(msg, &e->base);
	img_free(img, msg);
	ck_assert_int_eq(img_read(img, &msg), 0);
	img_close(img);

	ck_assert_int_eq(img_read_single(IMG_TEST, 3, &msg), 0);
	assert_same_msg(msg, &e->base);
	img_free(NULL, msg);
	free_entry(e);
}
END_TEST

/* Records after the first are decoded with the kind's "rest" descriptor. */
START_TEST(test_head_and_rest)
{
	PagemapHead head = PAGEMAP_HEAD__INIT;
	ProtobufCMessage *msg;
	struct cr_img *img;

	head.pages_id = 42;
	img = img_open(IMG_PAGEMAP, O_WRONLY, 1);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_write(img, &head.base), 0);
	for (int i = 0; i < 5; i++) {
		PagemapEntry pe = PAGEMAP_ENTRY__INIT;

		pe.vaddr = 0x400000 + i * 4096;
		pe.nr_pages = i + 1;
		ck_assert_int_eq(img_write(img, &pe.base), 0);
	}
	ck_assert_int_eq(img_close(img), 0);

	img = img_open(IMG_PAGEMAP, O_RDONLY, 1);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_read(img, &msg), 1);
	ck_assert_ptr_eq(msg->descriptor, &pagemap_head__descriptor);
	ck_assert_uint_eq(((PagemapHead *)msg)->pages_id, 42);
	img_free(img, msg);
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(img_read(img, &msg), 1);
		ck_assert_ptr_eq(msg->descriptor, &pagemap_entry__descriptor);
		ck_assert_uint_eq(((PagemapEntry *)msg)->vaddr, 0x400000 + i * 4096);
		ck_assert_uint_eq(((PagemapEntry *)msg)->nr_pages, i + 1);
		img_free(img, msg);
	}
	ck_assert_int_eq(img_read(img, &msg), 0);
	img_close(img);
}
END_TEST

START_TEST(test_empty_image)
{
	ProtobufCMessage *msg = (void *)1;
	struct cr_img *img;
	off_t mark;

	img = img_open(IMG_TEST, O_WRONLY, 0);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_close(img), 0);

	img = img_open(IMG_TEST, O_RDONLY, 0);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img->size, 4);
	ck_assert_int_eq(img_read(img, &msg), 0);
	ck_assert_ptr_null(msg);
	img_close(img);

	/* A record that must be there is an error, naming the file. */
	mark = log_size();
	img = img_open(IMG_TEST, O_RDONLY, 0);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_read_one(img, &msg), -1);
	assert_logged(mark, "test-0.img", NULL);
	img_close(img);

	/* A zero-byte file has no magic. */
	write_file("test-1.img", "", 0);
	mark = log_size();
	ck_assert_ptr_null(img_open(IMG_TEST, O_RDONLY, 1));
	assert_logged(mark, "test-1.img", NULL);
}
END_TEST

/* A small valid image; @bounds gets the offset where each record ends. */
static struct bytes valid_image(size_t *bounds, size_t *nr)
{
	struct bytes b = { 0 };

	put_u32(&b, img_kinds[IMG_TEST].magic);
	bounds[0] = b.len;
	*nr = 0;
	for (unsigned i = 0; i < 6; i++) {
		TestEntry *e = make_entry(i * 5 + 1);

		put_msg(&b, &e->base);
		bounds[++*nr] = b.len;
		free_entry(e);
	}
	return b;
}

/* Cut a valid image at every byte: each cut is a clean error, never a crash. */
START_TEST(test_truncated_everywhere)
{
	size_t bounds[16], nr;
	struct bytes b = valid_image(bounds, &nr);

	ck_assert_uint_gt(b.len, 40);
	for (size_t cut = 0; cut <= b.len; cut++) {
		ProtobufCMessage *msg;
		struct cr_img *img;
		size_t whole = 0, n = 0;
		off_t mark = log_size();
		bool boundary = false;
		int ret;

		for (size_t k = 0; k <= nr; k++) {
			if (bounds[k] <= cut)
				whole = k;
			if (bounds[k] == cut)
				boundary = true;
		}
		write_file("test-5.img", b.p, cut);
		img = img_open(IMG_TEST, O_RDONLY, 5);
		if (cut < 4) {
			ck_assert_msg(!img, "cut %zu opened", cut);
			assert_logged(mark, "test-5.img", NULL);
			continue;
		}
		ck_assert_msg(img != NULL, "cut %zu did not open", cut);
		while ((ret = img_read(img, &msg)) == 1) {
			n++;
			img_free(img, msg);
		}
		ck_assert_uint_eq(n, whole);
		if (boundary) {
			ck_assert_msg(ret == 0, "cut %zu at a record boundary: %d", cut, ret);
		} else {
			ck_assert_msg(ret == -1, "cut %zu gave %d", cut, ret);
			ck_assert_ptr_null(msg);
			assert_logged(mark, "test-5.img", NULL);
		}
		img_close(img);
	}
	free(b.p);
}
END_TEST

/* The same through img_open_fd, which takes the kind from the magic. */
START_TEST(test_truncated_fd)
{
	size_t bounds[16], nr;
	struct bytes b = valid_image(bounds, &nr);

	for (size_t cut = 0; cut < b.len; cut++) {
		ProtobufCMessage *msg;
		struct cr_img *img;
		int fd, ret;

		write_file("cut.img", b.p, cut);
		fd = openat(img_dir_fd(), "cut.img", O_RDONLY);
		ck_assert_int_ge(fd, 0);
		img = img_open_fd(fd, "cut.img");
		if (!img) {
			ck_assert_uint_lt(cut, 4);
			close(fd);
			continue;
		}
		while ((ret = img_read(img, &msg)) == 1)
			img_free(img, msg);
		ck_assert_int_ne(ret, 1);
		img_close(img);
	}
	free(b.p);
}
END_TEST

START_TEST(test_bad_magic)
{
	struct bytes b = { 0 };
	struct cr_img *img;
	off_t mark;
	int fd;

	/* Another kind's magic. */
	put_u32(&b, img_kinds[IMG_CORE].magic);
	write_file("test-2.img", b.p, b.len);
	mark = log_size();
	ck_assert_ptr_null(img_open(IMG_TEST, O_RDONLY, 2));
	assert_logged(mark, "magic", "test-2.img");

	/* A magic no kind has, and 0 (raw files have no magic). */
	for (int i = 0; i < 2; i++) {
		b.len = 0;
		put_u32(&b, i ? 0 : 0xdeadbeef);
		write_file("junk.img", b.p, b.len);
		fd = openat(img_dir_fd(), "junk.img", O_RDONLY);
		mark = log_size();
		img = img_open_fd(fd, "junk.img");
		ck_assert_ptr_null(img);
		assert_logged(mark, "magic", "junk.img");
		close(fd);
	}

	/* Byte-swapped magic. */
	b.len = 0;
	put_u32(&b, __builtin_bswap32(img_kinds[IMG_TEST].magic));
	write_file("test-2.img", b.p, b.len);
	ck_assert_ptr_null(img_open(IMG_TEST, O_RDONLY, 2));
	free(b.p);
}
END_TEST

/* Records claiming more bytes than allowed or than the file holds. */
START_TEST(test_oversized_length)
{
	static const uint32_t lens[] = {
		IMG_MAX_RECORD + 1, IMG_MAX_RECORD, 0xffffffffu, 0x80000000u, 101, 17,
	};

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct bytes b = { 0 };
		ProtobufCMessage *msg;
		struct cr_img *img;
		off_t mark;

		put_u32(&b, img_kinds[IMG_TEST].magic);
		put_u32(&b, lens[i]);
		put(&b, "\x08\x01\x08\x01\x08\x01\x08\x01\x08\x01\x08\x01\x08\x01\x08\x01", 16);
		write_file("test-4.img", b.p, b.len);
		img = img_open(IMG_TEST, O_RDONLY, 4);
		ck_assert_ptr_nonnull(img);
		mark = log_size();
		ck_assert_int_eq(img_read(img, &msg), -1);
		ck_assert_ptr_null(msg);
		assert_logged(mark, "record 0", "test-4.img");
		img_close(img);
		free(b.p);
	}
}
END_TEST

START_TEST(test_write_too_large)
{
	TestEntry e = TEST_ENTRY__INIT;
	struct cr_img *img;
	off_t mark;

	e.has_blob = 1;
	e.blob.len = IMG_MAX_RECORD + 1;
	e.blob.data = NULL;	/* never touched: refused on size */
	img = img_open(IMG_TEST, O_WRONLY, 6);
	ck_assert_ptr_nonnull(img);
	mark = log_size();
	ck_assert_int_eq(img_write(img, &e.base), -1);
	assert_logged(mark, "too large", "test-6.img");
	ck_assert_int_eq(img_close(img), 0);
}
END_TEST

/* Bodies that do not decode as the kind's message. */
START_TEST(test_garbage_body)
{
	static const struct {
		const char *data;
		size_t len;
	} bodies[] = {
		{ "\xff\xff\xff\xff\xff\xff\xff\xff", 8 },	/* endless varint */
		{ "\x0f\x01", 2 },				/* wire type 7 */
		{ "\x12\x03hi", 4 },				/* string past end */
		{ "\x12\x02hi", 4 },				/* required num missing */
		{ "", 0 },					/* likewise */
		{ "\x08\x01\x2a\x05\x08", 5 },			/* child cut short */
		{ "\x08\x01\x2a\x02\x10\x01", 6 },		/* child lacks num */
		{ "\x08\x01\x1b\x00\x1c", 5 },			/* a group */
		{ "\x08\x01\x1a\x03\x80\x80\x80", 7 },		/* packed list cut */
		{ "\x08\x01\x80\x00\x01", 5 },			/* field number 0 */
		{ "\x08\x01\x2a\x05\x08\x01\x80\x00\x01", 9 }, /* the same, nested */
	};

	for (size_t i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct bytes b = { 0 };
		ProtobufCMessage *msg;
		struct cr_img *img;
		off_t mark;

		put_u32(&b, img_kinds[IMG_TEST].magic);
		put_u32(&b, bodies[i].len);
		put(&b, bodies[i].data, bodies[i].len);
		write_file("test-8.img", b.p, b.len);
		img = img_open(IMG_TEST, O_RDONLY, 8);
		ck_assert_ptr_nonnull(img);
		mark = log_size();
		ck_assert_msg(img_read(img, &msg) == -1, "body %zu decoded", i);
		ck_assert_ptr_null(msg);
		assert_logged(mark, "test-8.img", NULL);
		img_close(img);
		free(b.p);
	}
}
END_TEST

/* Wire bytes of test_entry records nested @depth deep through "child". */
static struct bytes nested_entry(unsigned depth)
{
	size_t cap = (size_t)depth * 8 + 2, pos = cap;
	struct bytes b = { malloc(cap), 0 };

	ck_assert_ptr_nonnull(b.p);
	/* Built back to front: the innermost record first. */
	b.p[--pos] = 0x00;
	b.p[--pos] = 0x08;
	for (unsigned d = 0; d < depth; d++) {
		uint8_t var[10];
		size_t n = 0, l = cap - pos;

		do {
			var[n++] = (l & 0x7f) | (l > 0x7f ? 0x80 : 0);
			l >>= 7;
		} while (l);
		pos -= n;
		memcpy(b.p + pos, var, n);
		b.p[--pos] = 0x2a;
		b.p[--pos] = 0x00;
		b.p[--pos] = 0x08;
	}
	b.len = cap - pos;
	memmove(b.p, b.p + pos, b.len);
	return b;
}

/* protobuf-c recurses without limit; the reader must refuse deep nesting. */
START_TEST(test_deep_nesting)
{
	static const unsigned depths[] = { 5, 32, 33, 1000, 200000 };

	for (size_t i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		struct bytes body = nested_entry(depths[i]);
		struct bytes b = { 0 };
		ProtobufCMessage *msg;
		struct cr_img *img;
		int ret;

		put_u32(&b, img_kinds[IMG_TEST].magic);
		put_u32(&b, body.len);
		put(&b, body.p, body.len);
		write_file("test-9.img", b.p, b.len);
		img = img_open(IMG_TEST, O_RDONLY, 9);
		ck_assert_ptr_nonnull(img);
		ret = img_read(img, &msg);
		if (depths[i] <= 32) {
			char *out = NULL;
			size_t len = 0;
			FILE *f = open_memstream(&out, &len);

			ck_assert_int_eq(ret, 1);
			ck_assert_int_eq(json_print_message(f, msg, 1, 0), 0);
			fclose(f);
			ck_assert(json_valid(out, len));
			free(out);
			img_free(img, msg);
		} else {
			ck_assert_int_eq(ret, -1);
		}
		img_close(img);
		free(body.p);
		free(b.p);
	}
}
END_TEST

START_TEST(test_file_modes)
{
	TestEntry e = TEST_ENTRY__INIT;
	char sub[PATH_MAX];
	struct stat st;
	int fd;

	umask(0);
	ck_assert_int_eq(img_write_single(IMG_TEST, 11, &e.base), 0);
	ck_assert_int_eq(fstatat(img_dir_fd(), "test-11.img", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);

	fd = img_raw_open("pages-1.img", O_WRONLY);
	ck_assert_int_ge(fd, 0);
	close(fd);
	ck_assert_int_eq(fstatat(img_dir_fd(), "pages-1.img", &st, 0), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0600);

	/* Rewriting an existing image truncates it. */
	ck_assert_int_eq(img_write_single(IMG_TEST, 11, &e.base), 0);
	ck_assert_int_eq(fstatat(img_dir_fd(), "test-11.img", &st, 0), 0);
	ck_assert_int_eq(st.st_size, 4 + 4 + 2);

	/* A directory created for images is the caller's only. */
	snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
	ck_assert_int_eq(img_dir_open(sub, true), 0);
	ck_assert_int_eq(stat(sub, &st), 0);
	ck_assert_uint_eq(st.st_mode & 07777, 0700);
	img_dir_close();
	rmdir(sub);
}
END_TEST

START_TEST(test_missing)
{
	off_t mark = log_size();

	errno = 0;
	ck_assert_ptr_null(img_open(IMG_TEST, O_RDONLY, 99));
	ck_assert_int_eq(errno, ENOENT);
	assert_logged(mark, "test-99.img", NULL);

	mark = log_size();
	errno = 0;
	ck_assert_ptr_null(img_open_optional(IMG_TEST, 99));
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(log_size(), mark);

	ck_assert_int_lt(img_read_single(IMG_TEST, 99, &(ProtobufCMessage *){ NULL }), 0);
	ck_assert_int_eq(img_close(NULL), 0);
}
END_TEST

START_TEST(test_kinds_table)
{
	for (int i = 0; i < IMG_KIND_COUNT; i++) {
		const struct img_kind *k = &img_kinds[i];

		ck_assert_ptr_nonnull(k->name);
		ck_assert_ptr_nonnull(k->fmt);
		if (!k->desc) {
			ck_assert_uint_eq(k->magic, 0);
			continue;
		}
		ck_assert_ptr_eq(img_kind_by_magic(k->magic), k);
		for (int j = 0; j < i; j++)
			ck_assert_str_ne(k->name, img_kinds[j].name);
	}
	ck_assert_ptr_null(img_kind_by_magic(0));
	ck_assert_ptr_null(img_kind_by_magic(0x12345678));
}
END_TEST

/*
 * A message with every field type, described by hand (proto/test.proto has
 * only a few): required, optional set and unset, repeated, packed repeated.
 */
typedef struct {
	ProtobufCMessage base;
	int32_t i32;
	int32_t s32;
	int32_t sf32;
	uint32_t u32;
	uint32_t fx32;
	int64_t i64;
	int64_t s64;
	int64_t sf64;
	uint64_t u64;
	uint64_t fx64;
	float fl;
	double db;
	protobuf_c_boolean b;
	int en;
	char *str;
	ProtobufCBinaryData by;
	TestEntry *msg;
	protobuf_c_boolean has_opt_i32;
	int32_t opt_i32;
	protobuf_c_boolean has_opt_u64;
	uint64_t opt_u64;
	char *opt_str;
	TestEntry *opt_msg;
	protobuf_c_boolean has_opt_by;
	ProtobufCBinaryData opt_by;
	size_t n_r_i32;
	int32_t *r_i32;
	size_t n_r_s64;
	int64_t *r_s64;
	size_t n_r_db;
	double *r_db;
	size_t n_r_b;
	protobuf_c_boolean *r_b;
	size_t n_r_en;
	int *r_en;
	size_t n_r_str;
	char **r_str;
	size_t n_r_by;
	ProtobufCBinaryData *r_by;
	size_t n_r_msg;
	TestEntry **r_msg;
	size_t n_r_fl;
	float *r_fl;
	size_t n_r_fx64;
	uint64_t *r_fx64;
} AllTypes;

#define REQ(nm, num, type, member, desc)                                                       \
	{ #nm, num, PROTOBUF_C_LABEL_REQUIRED, PROTOBUF_C_TYPE_##type, 0,                      \
	  offsetof(AllTypes, member), desc, NULL, 0, 0, NULL, NULL }
#define OPT(nm, num, type, has, member, desc)                                                  \
	{ #nm, num, PROTOBUF_C_LABEL_OPTIONAL, PROTOBUF_C_TYPE_##type, has,                    \
	  offsetof(AllTypes, member), desc, NULL, 0, 0, NULL, NULL }
#define REP(nm, num, type, member, desc, flags)                                                \
	{ #nm, num, PROTOBUF_C_LABEL_REPEATED, PROTOBUF_C_TYPE_##type,                          \
	  offsetof(AllTypes, n_##member), offsetof(AllTypes, member), desc, NULL, flags, 0,    \
	  NULL, NULL }

static const ProtobufCFieldDescriptor all_fields[] = {
	REQ(i32, 1, INT32, i32, NULL),
	REQ(s32, 2, SINT32, s32, NULL),
	REQ(sf32, 3, SFIXED32, sf32, NULL),
	REQ(u32, 4, UINT32, u32, NULL),
	REQ(fx32, 5, FIXED32, fx32, NULL),
	REQ(i64, 6, INT64, i64, NULL),
	REQ(s64, 7, SINT64, s64, NULL),
	REQ(sf64, 8, SFIXED64, sf64, NULL),
	REQ(u64, 9, UINT64, u64, NULL),
	REQ(fx64, 10, FIXED64, fx64, NULL),
	REQ(fl, 11, FLOAT, fl, NULL),
	REQ(db, 12, DOUBLE, db, NULL),
	REQ(b, 13, BOOL, b, NULL),
	REQ(en, 14, ENUM, en, &dump_kind__descriptor),
	REQ(str, 15, STRING, str, NULL),
	REQ(by, 16, BYTES, by, NULL),
	REQ(msg, 17, MESSAGE, msg, &test_entry__descriptor),
	OPT(opt_i32, 18, INT32, offsetof(AllTypes, has_opt_i32), opt_i32, NULL),
	OPT(opt_u64, 19, UINT64, offsetof(AllTypes, has_opt_u64), opt_u64, NULL),
	OPT(opt_str, 20, STRING, 0, opt_str, NULL),
	OPT(opt_msg, 21, MESSAGE, 0, opt_msg, &test_entry__descriptor),
	OPT(opt_by, 22, BYTES, offsetof(AllTypes, has_opt_by), opt_by, NULL),
	REP(r_i32, 23, INT32, r_i32, NULL, 0),
	REP(r_s64, 24, SINT64, r_s64, NULL, 0),
	REP(r_db, 25, DOUBLE, r_db, NULL, 0),
	REP(r_b, 26, BOOL, r_b, NULL, 0),
	REP(r_en, 27, ENUM, r_en, &dump_kind__descriptor, 0),
	REP(r_str, 28, STRING, r_str, NULL, 0),
	REP(r_by, 29, BYTES, r_by, NULL, 0),
	REP(r_msg, 30, MESSAGE, r_msg, &test_entry__descriptor, 0),
	REP(r_fl, 31, FLOAT, r_fl, NULL, PROTOBUF_C_FIELD_FLAG_PACKED),
	REP(r_fx64, 32, FIXED64, r_fx64, NULL, PROTOBUF_C_FIELD_FLAG_PACKED),
};

#define NR_ALL_FIELDS (sizeof(all_fields) / sizeof(all_fields[0]))

static unsigned all_by_name[NR_ALL_FIELDS];
static const ProtobufCIntRange all_ranges[] = { { 1, 0 }, { 0, NR_ALL_FIELDS } };

static void all_types_init(ProtobufCMessage *m);

static const ProtobufCMessageDescriptor all_types_descriptor = {
	PROTOBUF_C__MESSAGE_DESCRIPTOR_MAGIC,
	"all_types",
	"AllTypes",
	"AllTypes",
	"",
	sizeof(AllTypes),
	NR_ALL_FIELDS,
	all_fields,
	all_by_name,
	1,
	all_ranges,
	all_types_init,
	NULL,
	NULL,
	NULL,
};

static void all_types_init(ProtobufCMessage *m)
{
	memset(m, 0, sizeof(AllTypes));
	m->descriptor = &all_types_descriptor;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(all_fields[*(const unsigned *)a].name, all_fields[*(const unsigned *)b].name);
}

static void all_types_setup(void)
{
	for (unsigned i = 0; i < NR_ALL_FIELDS; i++)
		all_by_name[i] = i;
	qsort(all_by_name, NR_ALL_FIELDS, sizeof(all_by_name[0]), by_name);
}

/* Fill @m with awkward values; @child and friends are static storage. */
static void fill_all_types(AllTypes *m)
{
	static TestEntry child = TEST_ENTRY__INIT, c1 = TEST_ENTRY__INIT, c2 = TEST_ENTRY__INIT;
	static uint64_t child_list[] = { 1, UINT64_MAX };
	static uint8_t raw[] = { 0x00, 0xff, 0x10, 0xab };
	static int32_t r_i32[] = { INT32_MIN, -1, 0, INT32_MAX };
	static int64_t r_s64[] = { INT64_MIN, INT64_MAX };
	static double r_db[] = { 0.1, -0.0, 1e300, 5e-324, 0, 0, 0 };
	static protobuf_c_boolean r_b[] = { 1, 0 };
	static int r_en[] = { DUMP_KIND__FULL, DUMP_KIND__CHECK_ONLY, 77 };
	static char *r_str[] = { "", "plain", "\xe2\x82\xac\xf0\x9f\x98\x80" };
	static ProtobufCBinaryData r_by[] = { { 0, NULL }, { 4, raw } };
	static TestEntry *r_msg[] = { &c1, &c2 };
	static float r_fl[] = { 1.5f, -3.25e-20f, FLT_MAX, 0.1f, 0, 0 };
	static uint64_t r_fx64[] = { 0, 0x8000000000000000ull };

	all_types_init(&m->base);
	r_db[4] = NAN;
	r_db[5] = INFINITY;
	r_db[6] = -INFINITY;
	r_fl[4] = NAN;
	r_fl[5] = -INFINITY;
	child.num = 9;
	child.text = "child \"text\"";
	child.n_list = 2;
	child.list = child_list;
	child.child = &c1;
	c1.num = 1;
	c2.num = 2;
	c2.has_blob = 1;
	c2.blob.len = sizeof(raw);
	c2.blob.data = raw;

	m->i32 = -123456;
	m->s32 = INT32_MIN;
	m->sf32 = -7;
	m->u32 = UINT32_MAX;
	m->fx32 = 0xdeadbeef;
	m->i64 = INT64_MIN;
	m->s64 = -1;
	m->sf64 = INT64_MAX;
	m->u64 = UINT64_MAX;
	m->fx64 = 0x0123456789abcdefull;
	m->fl = 0.1f;
	m->db = -2.5e-310;
	m->b = 1;
	m->en = DUMP_KIND__PRE_DUMP;
	m->str = "q\"\\/\n\r\t\b\f\x01\x1f\x7f \xc3\xa9 \xff\xfe \xed\xa0\x80 \xc0\xaf end";
	m->by.len = sizeof(raw);
	m->by.data = raw;
	m->msg = &child;
	m->has_opt_i32 = 1;
	m->opt_i32 = 0;
	m->n_r_i32 = 4;
	m->r_i32 = r_i32;
	m->n_r_s64 = 2;
	m->r_s64 = r_s64;
	m->n_r_db = 7;
	m->r_db = r_db;
	m->n_r_b = 2;
	m->r_b = r_b;
	m->n_r_en = 3;
	m->r_en = r_en;
	m->n_r_str = 3;
	m->r_str = r_str;
	m->n_r_by = 2;
	m->r_by = r_by;
	m->n_r_msg = 2;
	m->r_msg = r_msg;
	m->n_r_fl = 6;
	m->r_fl = r_fl;
	m->n_r_fx64 = 2;
	m->r_fx64 = r_fx64;
}

static char *to_json(const ProtobufCMessage *m, int indent, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(json_print_message(f, m, indent, 0), 0);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

/* Ask python's json module too, when it is there. */
static void python_accepts(const char *text, size_t len)
{
	FILE *p;
	int st;

	if (access("/usr/bin/python3", X_OK))
		return;
	p = popen("python3 -m json.tool > /dev/null", "w");
	ck_assert_ptr_nonnull(p);
	fwrite(text, 1, len, p);
	st = pclose(p);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python3 rejected: %s", text);
}

static void assert_has(const char *text, const char *what)
{
	ck_assert_msg(strstr(text, what), "'%s' not in %s", what, text);
}

START_TEST(test_json_all_types)
{
	AllTypes m;

	all_types_setup();
	fill_all_types(&m);
	for (int indent = 0; indent <= 4; indent += 4) {
		size_t len;
		char *out = to_json(&m.base, indent, &len);

		ck_assert_uint_eq(strlen(out), len);
		ck_assert_msg(json_valid(out, len), "invalid JSON: %s", out);
		python_accepts(out, len);
		if (indent)
			ck_assert_ptr_nonnull(strchr(out, '\n'));
		else
			ck_assert_ptr_null(strchr(out, '\n'));
		assert_has(out, "\"i32\": -123456");
		assert_has(out, "\"s32\": -2147483648");
		assert_has(out, "\"sf32\": -7");
		assert_has(out, "\"u32\": 4294967295");
		assert_has(out, "\"fx32\": 3735928559");
		assert_has(out, "\"i64\": -9223372036854775808");
		assert_has(out, "\"s64\": -1");
		assert_has(out, "\"sf64\": 9223372036854775807");
		assert_has(out, "\"u64\": 18446744073709551615");
		assert_has(out, "\"fx64\": 81985529216486895");
		assert_has(out, "\"fl\": 0.1,");
		assert_has(out, "\"db\": -2.5e-310");
		assert_has(out, "\"b\": true");
		assert_has(out, "\"en\": \"PRE_DUMP\"");
		assert_has(out, "\"str\": \"q\\\"\\\\/\\n\\r\\t\\b\\f\\u0001\\u001f\\u007f "
				"\xc3\xa9 \\u00ff\\u00fe \\u00ed\\u00a0\\u0080 \\u00c0\\u00af end\"");
		assert_has(out, "\"by\": \"00ff10ab\"");
		assert_has(out, "\"text\": \"child \\\"text\\\"\"");
		assert_has(out, "\"list\": [1, 18446744073709551615]");
		assert_has(out, "\"opt_i32\": 0");
		assert_has(out, "\"r_i32\": [-2147483648, -1, 0, 2147483647]");
		assert_has(out, "\"r_s64\": [-9223372036854775808, 9223372036854775807]");
		assert_has(out, "\"r_db\": [0.1, -0, 1e+300, 5e-324, \"NaN\", "
				"\"Infinity\", \"-Infinity\"]");
		assert_has(out, "\"r_b\": [true, false]");
		assert_has(out, "\"r_en\": [\"FULL\", \"CHECK_ONLY\", 77]");
		assert_has(out, "\"r_str\": [\"\", \"plain\", \"\xe2\x82\xac\xf0\x9f\x98\x80\"]");
		assert_has(out, "\"r_by\": [\"\", \"00ff10ab\"]");
		assert_has(out, "\"r_fl\": [1.5, -3.25e-20, 3.4028235e+38, 0.1, \"NaN\", "
				"\"-Infinity\"]");
		assert_has(out, "\"r_fx64\": [0, 9223372036854775808]");
		assert_has(out, "\"blob\": \"00ff10ab\"");
		/* Unset optionals are left out. */
		ck_assert_ptr_null(strstr(out, "opt_u64"));
		ck_assert_ptr_null(strstr(out, "opt_str"));
		ck_assert_ptr_null(strstr(out, "opt_msg"));
		ck_assert_ptr_null(strstr(out, "opt_by"));
		free(out);
	}
}
END_TEST

START_TEST(test_json_pretty_layout)
{
	TestEntry e = TEST_ENTRY__INIT, c = TEST_ENTRY__INIT;
	uint64_t list[] = { 3, 4 };
	size_t len;
	char *out;

	e.num = 1;
	e.n_list = 2;
	e.list = list;
	e.child = &c;
	c.num = 2;
	out = to_json(&e.base, 2, &len);
	ck_assert_str_eq(out, "{\n  \"num\": 1,\n  \"list\": [3, 4],\n  \"child\": {\n"
			      "    \"num\": 2\n  }\n}");
	free(out);
	out = to_json(&e.base, 0, &len);
	ck_assert_str_eq(out, "{\"num\": 1, \"list\": [3, 4], \"child\": {\"num\": 2}}");
	free(out);
	out = to_json(NULL, 0, &len);
	ck_assert_str_eq(out, "null");
	free(out);
}
END_TEST

/* Messages of every kind, empty and as protobuf-c initialises them. */
START_TEST(test_json_every_kind)
{
	for (int i = 0; i < IMG_KIND_COUNT; i++) {
		const ProtobufCMessageDescriptor *descs[2] = { img_kinds[i].desc, img_kinds[i].rest };

		for (int k = 0; k < 2; k++) {
			ProtobufCMessage *m;
			size_t len;
			char *out;

			if (!descs[k])
				continue;
			m = calloc(1, descs[k]->sizeof_message);
			protobuf_c_message_init(descs[k], m);
			out = to_json(m, 2, &len);
			ck_assert_msg(json_valid(out, len), "%s: %s", descs[k]->name, out);
			free(out);
			free(m);
		}
	}
}
END_TEST

/* Through the image layer: every wire type packs, frames and decodes. */
START_TEST(test_all_types_image)
{
	ProtobufCMessage *msg;
	struct cr_img *img;
	AllTypes m;
	char *a, *b;
	size_t la, lb;

	all_types_setup();
	fill_all_types(&m);
	m.str = "valid utf-8 only \xc3\xa9";
	img = img_open(IMG_TEST, O_WRONLY, 12);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_write(img, &m.base), 0);
	ck_assert_int_eq(img_close(img), 0);
	img = img_open(IMG_TEST, O_RDONLY, 12);
	ck_assert_ptr_nonnull(img);
	ck_assert_int_eq(img_read_as(img, &all_types_descriptor, &msg), 1);
	a = to_json(&m.base, 0, &la);
	b = to_json(msg, 0, &lb);
	ck_assert_str_eq(a, b);
	img_free(img, msg);
	img_close(img);
	free(a);
	free(b);
}
END_TEST

START_TEST(test_json_deep_in_memory)
{
	TestEntry *chain = calloc(JSON_MAX_DEPTH + 10, sizeof(*chain));
	size_t len;
	char *out;

	for (int i = 0; i < JSON_MAX_DEPTH + 10; i++) {
		test_entry__init(&chain[i]);
		chain[i].num = i;
		if (i + 1 < JSON_MAX_DEPTH + 10)
			chain[i].child = &chain[i + 1];
	}
	out = to_json(&chain[0].base, 1, &len);
	ck_assert(json_valid(out, len));
	assert_has(out, "\"child\": null");
	free(out);
	free(chain);
}
END_TEST

START_TEST(test_json_validator)
{
	static const char *good[] = {
		"{}", "[]", " 1 ", "-0.5e+3", "\"\\u00ff\\/\"", "{\"a\": [1, {\"b\": null}]}",
		"true", "0", "\"\xe2\x82\xac\"", "1E5", "[\n]",
	};
	static const char *bad[] = {
		"", "{", "[1,]", "01", "\"\x01\"", "\"\xff\"", "{\"a\" 1}", "1 2", "nul",
		"\"\\u12\"", "\"\\x\"", "{1: 2}", "[1 2]", "-", "1.", ".5", "1e", "\"abc",
		"\"\xed\xa0\x80\"", "\"\xc0\xaf\"", "NaN", "[\"a\",]", "{\"a\":1,}", "+1",
	};
	char deep[2000];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(json_valid(good[i], strlen(good[i])), "rejected %s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!json_valid(bad[i], strlen(bad[i])), "accepted %s", bad[i]);
	ck_assert(!json_valid("1\0", 2));
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	ck_assert(!json_valid(deep, sizeof(deep)));
	ck_assert(json_valid(deep + 600, 800));
}
END_TEST

static Suite *image_suite(void)
{
	Suite *s = suite_create("image");
	TCase *frame = tcase_create("framing");
	TCase *json = tcase_create("json");

	tcase_add_checked_fixture(frame, setup, teardown);
	tcase_set_timeout(frame, 120);
	/* the json checks start python3 several times: slow on a loaded machine */
	tcase_set_timeout(json, 60);
	tcase_add_test(frame, test_roundtrip_many);
	tcase_add_test(frame, test_roundtrip_fd);
	tcase_add_test(frame, test_head_and_rest);
	tcase_add_test(frame, test_empty_image);
	tcase_add_test(frame, test_truncated_everywhere);
	tcase_add_test(frame, test_truncated_fd);
	tcase_add_test(frame, test_bad_magic);
	tcase_add_test(frame, test_oversized_length);
	tcase_add_test(frame, test_write_too_large);
	tcase_add_test(frame, test_garbage_body);
	tcase_add_test(frame, test_deep_nesting);
	tcase_add_test(frame, test_file_modes);
	tcase_add_test(frame, test_missing);
	tcase_add_test(frame, test_kinds_table);
	tcase_add_test(frame, test_all_types_image);
	suite_add_tcase(s, frame);

	tcase_add_test(json, test_json_all_types);
	tcase_add_test(json, test_json_pretty_layout);
	tcase_add_test(json, test_json_every_kind);
	tcase_add_test(json, test_json_deep_in_memory);
	tcase_add_test(json, test_json_validator);
	suite_add_tcase(s, json);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(image_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
