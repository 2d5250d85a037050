/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_IMAGES_STORE_H
#define CR_IMAGES_STORE_H

#include <stdint.h>

#include "images/image.h"

/*
 * The records of one single-file image kind (reg-files.img, pipes.img, ...),
 * as every kind of file description keeps them: written one by one during a
 * dump, read all at once before a restore, then looked up by a key field.
 */
struct img_store {
	enum img_kind_id kind;
	struct cr_img *out;		/* dump: opened at the first record */
	ProtobufCMessage **recs;	/* restore: every record of the image */
	int nr;
};

#define IMG_STORE(k) { .kind = (k) }

/* Dump: append @msg, opening the image the first time. */
int img_store_write(struct img_store *st, const ProtobufCMessage *msg);
/* Dump: close the image (if anything was written); -1 if a write failed. */
int img_store_finish(struct img_store *st);
/* Restore: read every record; a missing image is an empty store. */
int img_store_load(struct img_store *st);
/* Restore: the record whose integer field @field equals @key, or NULL. */
ProtobufCMessage *img_store_find(const struct img_store *st, const char *field, uint64_t key);
/* Forget everything, both halves. */
void img_store_reset(struct img_store *st);

#endif
