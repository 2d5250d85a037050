// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target for the image reader: the input is an image file. It is
 * opened with img_open_fd (kind from its magic), every record is read, and
 * each decoded record is printed as JSON, which must be valid JSON and must
 * survive a pack/unpack round trip unchanged. Damage must give a clean -1.
 *
 * Built with -DFUZZ_SEED_MAIN the same file is a small program writing valid
 * images of every kind into a directory, to seed the corpus. ci/fuzz.sh
 * builds and runs both.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "images/image.h"
#include "images/json.h"
#include "util/log.h"

#ifndef FUZZ_SEED_MAIN

static char *render(const ProtobufCMessage *msg, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);

	if (!f)
		abort();
	if (json_print_message(f, msg, 1, 0))
		abort();
	if (fclose(f))
		abort();
	return out;
}

/* Print @msg, check the JSON, and check that repacking changes nothing. */
static void check_record(const ProtobufCMessage *msg)
{
	size_t len, len2, plen = protobuf_c_message_get_packed_size(msg);
	ProtobufCMessage *again;
	uint8_t *packed;
	char *json, *json2;

	json = render(msg, &len);
	if (!json_valid(json, len)) {
		fprintf(stderr, "invalid JSON for %s:\n%s\n", msg->descriptor->name, json);
		abort();
	}
	packed = malloc(plen ? plen : 1);
	if (!packed)
		abort();
	if (protobuf_c_message_pack(msg, packed) != plen)
		abort();
	again = protobuf_c_message_unpack(msg->descriptor, NULL, plen, packed);
	if (!again) {
		fprintf(stderr, "repacked %s does not decode:\n%s\n", msg->descriptor->name, json);
		abort();
	}
	json2 = render(again, &len2);
	if (len != len2 || memcmp(json, json2, len)) {
		fprintf(stderr, "round trip changed %s:\n%s\n---\n%s\n", msg->descriptor->name,
			json, json2);
		abort();
	}
	protobuf_c_message_free_unpacked(again, NULL);
	free(packed);
	free(json);
	free(json2);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Format every message, but do not spend the run writing them out. */
	if (log_open("/dev/null"))
		abort();
	log_set_level(LOG_DEBUG);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int mfd = -1;
	ProtobufCMessage *msg;
	struct cr_img *img;
	int fd, ret;

	if (mfd < 0) {
		mfd = memfd_create("fuzz-image", MFD_CLOEXEC);
		if (mfd < 0)
			abort();
	}
	if (ftruncate(mfd, 0) || (size && pwrite(mfd, data, size, 0) != (ssize_t)size) ||
	    lseek(mfd, 0, SEEK_SET))
		abort();
	/* img_close closes what it was given: hand it a duplicate. */
	fd = dup(mfd);
	if (fd < 0)
		abort();
	img = img_open_fd(fd, "fuzz.img");
	if (!img) {
		close(fd);
		return 0;
	}
	while ((ret = img_read(img, &msg)) == 1) {
		if (!msg)
			abort();
		check_record(msg);
		img_free(img, msg);
	}
	if (ret != 0 && ret != -1)
		abort();
	if (ret == 0 && img->pos != img->size)
		abort();
	img_close(img);
	return 0;
}

#else /* FUZZ_SEED_MAIN */

/* Bytes one element of a field of type @t takes in the message struct. */
static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
	case PROTOBUF_C_TYPE_DOUBLE:
		return 8;
	case PROTOBUF_C_TYPE_STRING:
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(void *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	default:
		return 4;
	}
}

static ProtobufCMessage *make_msg(const ProtobufCMessageDescriptor *d, unsigned seed, int depth);

static void set_value(const ProtobufCFieldDescriptor *fd, void *p, unsigned seed, int depth)
{
	uint64_t v = (uint64_t)seed * 0x9e3779b97f4a7c15ull >> (seed % 40);

	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		*(int32_t *)p = seed % 2 ? -(int32_t)(v & 0xffff) : (int32_t)v;
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
	case PROTOBUF_C_TYPE_BOOL:
		*(uint32_t *)p = fd->type == PROTOBUF_C_TYPE_BOOL ? seed % 2 : (uint32_t)v;
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		*(float *)p = (float)seed / 3;
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		*(double *)p = (double)seed / 7;
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		const ProtobufCEnumDescriptor *ed = fd->descriptor;

		*(int *)p = ed->values[seed % ed->n_values].value;
		break;
	}
	case PROTOBUF_C_TYPE_STRING: {
		char *s = malloc(32);

		snprintf(s, 32, "%s-%u", seed % 3 ? "seed" : "s\xc3\xa9\"d\n", seed);
		*(char **)p = s;
		break;
	}
	case PROTOBUF_C_TYPE_BYTES: {
		ProtobufCBinaryData *b = p;

		b->len = seed % 5 * 8;
		b->data = malloc(b->len + 1);
		for (size_t i = 0; i < b->len; i++)
			b->data[i] = (uint8_t)(seed + i * 37);
		break;
	}
	case PROTOBUF_C_TYPE_MESSAGE:
		*(ProtobufCMessage **)p = make_msg(fd->descriptor, seed * 7 + 1, depth + 1);
		break;
	default:
		*(uint64_t *)p = v;
		break;
	}
}

/* A message of type @d with every required field and some others set. */
static ProtobufCMessage *make_msg(const ProtobufCMessageDescriptor *d, unsigned seed, int depth)
{
	ProtobufCMessage *m = calloc(1, d->sizeof_message);
	char *base = (char *)m;

	protobuf_c_message_init(d, m);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		unsigned s = seed + i;

		if (fd->label != PROTOBUF_C_LABEL_REQUIRED && (depth > 2 || s % 3 == 0))
			continue;
		if (fd->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = 1 + s % 3, sz = elem_size(fd->type);
			char *arr = calloc(n, sz);

			for (size_t k = 0; k < n; k++)
				set_value(fd, arr + k * sz, s + k, depth);
			*(size_t *)(base + fd->quantifier_offset) = n;
			*(void **)(base + fd->offset) = arr;
			continue;
		}
		set_value(fd, base + fd->offset, s, depth);
		if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
			*(uint32_t *)(base + fd->quantifier_offset) = fd->id;
		else if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset)
			*(protobuf_c_boolean *)(base + fd->quantifier_offset) = 1;
	}
	return m;
}

int main(int argc, char **argv)
{
	int files = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 1;
	}
	if (img_dir_open(argv[1], true))
		return 1;
	for (int k = 0; k < IMG_KIND_COUNT; k++) {
		const struct img_kind *kind = &img_kinds[k];

		if (!kind->desc)
			continue;
		/* Variants: empty, one record, several. */
		for (int v = 0; v < 3; v++) {
			struct cr_img *img = img_open(k, O_WRONLY, v + 1);
			int nr = v == 0 ? 0 : v == 1 ? 1 : 4;

			if (!img)
				return 1;
			for (int r = 0; r < nr; r++) {
				const ProtobufCMessageDescriptor *d =
					r && kind->rest ? kind->rest : kind->desc;
				ProtobufCMessage *m = make_msg(d, k * 100 + v * 10 + r, 0);

				if (img_write(img, m))
					return 1;
				protobuf_c_message_free_unpacked(m, NULL);
			}
			if (img_close(img))
				return 1;
			files++;
		}
	}
	printf("wrote %d seed images to %s\n", files, argv[1]);
	return 0;
}

#endif
