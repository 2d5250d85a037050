// SPDX-License-Identifier: GPL-2.0
#include <fcntl.h>
#include <stdlib.h>

#include "images/store.h"
#include "util/log.h"

int img_store_write(struct img_store *st, const ProtobufCMessage *msg)
{
	if (!st->out) {
		st->out = img_open(st->kind, O_WRONLY, 0);
		if (!st->out)
			return -1;
	}
	return img_write(st->out, msg);
}

int img_store_finish(struct img_store *st)
{
	int ret = img_close(st->out);

	st->out = NULL;
	return ret;
}

int img_store_load(struct img_store *st)
{
	struct cr_img *img = img_open_optional(st->kind, 0);
	ProtobufCMessage *msg;
	int r;

	if (!img)
		return errno == ENOENT ? 0 : -1;
	while ((r = img_read(img, &msg)) > 0) {
		ProtobufCMessage **nr = realloc(st->recs, (st->nr + 1) * sizeof(*nr));

		if (!nr) {
			img_free(img, msg);
			r = -1;
			break;
		}
		st->recs = nr;
		st->recs[st->nr++] = msg;
	}
	img_close(img);
	return r < 0 ? -1 : 0;
}

static uint64_t field_value(const ProtobufCMessage *m, const ProtobufCFieldDescriptor *f)
{
	const char *p = (const char *)m + f->offset;

	switch (f->type) {
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return *(const uint32_t *)p;
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		return (uint64_t)(int64_t)*(const int32_t *)p;
	default:
		return *(const uint64_t *)p;
	}
}

ProtobufCMessage *img_store_find(const struct img_store *st, const char *field, uint64_t key)
{
	const ProtobufCFieldDescriptor *f;

	if (!st->nr)
		return NULL;
	f = protobuf_c_message_descriptor_get_field_by_name(st->recs[0]->descriptor, field);
	if (!f || f->label == PROTOBUF_C_LABEL_REPEATED) {
		pr_err("Image %s has no key field %s\n", img_kinds[st->kind].name, field);
		return NULL;
	}
	for (int i = 0; i < st->nr; i++)
		if (field_value(st->recs[i], f) == key)
			return st->recs[i];
	return NULL;
}

void img_store_reset(struct img_store *st)
{
	img_close(st->out);
	st->out = NULL;
	for (int i = 0; i < st->nr; i++)
		protobuf_c_message_free_unpacked(st->recs[i], NULL);
	free(st->recs);
	st->recs = NULL;
	st->nr = 0;
}
