// SPDX-License-Identifier: GPL-2.0
/*
 * JSON rendering of any protobuf-c message, walking its descriptor: no code
 * knows any particular message. Also a strict JSON checker for the tests.
 */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "images/json.h"

/*
 * Length of the well-formed UTF-8 sequence at @s (at most @left bytes), or 0
 * if it is not one: no overlong forms, no surrogates, nothing past U+10FFFF.
 */
static size_t utf8_seq_len(const unsigned char *s, size_t left)
{
	unsigned char c = s[0];
	uint32_t cp, min;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if ((c & 0xf0) == 0xe0)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (n > left)
		return 0;
	cp = c & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	min = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_print_string(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < len) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (c < 0x20 || c == 0x7f) {
				fprintf(f, "\\u%04x", c);
				break;
			}
			n = utf8_seq_len(s + i, len - i);
			if (!n) {
				/* Not UTF-8: keep the byte value visible. */
				fprintf(f, "\\u%04x", c);
				break;
			}
			fwrite(s + i, 1, n, f);
			i += n;
			continue;
		}
		i++;
	}
	fputc('"', f);
}

void json_newline(FILE *f, int indent, int level)
{
	if (indent <= 0)
		return;
	fputc('\n', f);
	for (int i = 0; i < indent * level; i++)
		fputc(' ', f);
}

/* Shortest decimal form that reads back as the same value. */
static void print_real(FILE *f, double v, bool is_float)
{
	char buf[40];

	if (isnan(v)) {
		fputs("\"NaN\"", f);
		return;
	}
	if (isinf(v)) {
		fputs(v > 0 ? "\"Infinity\"" : "\"-Infinity\"", f);
		return;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (is_float ? strtof(buf, NULL) == (float)v : strtod(buf, NULL) == v)
			break;
	}
	fputs(buf, f);
}

static void print_hex(FILE *f, const ProtobufCBinaryData *b)
{
	static const char digits[] = "0123456789abcdef";

	fputc('"', f);
	for (size_t i = 0; b->data && i < b->len; i++) {
		fputc(digits[b->data[i] >> 4], f);
		fputc(digits[b->data[i] & 15], f);
	}
	fputc('"', f);
}

/* Bytes one element of a field of type @t takes in the message struct. */
static size_t elem_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		return sizeof(uint32_t);
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_ENUM:
		return sizeof(int);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	}
	return 0;
}

/* What protobuf-c itself considers "nothing to send" for proto3 fields. */
static bool zeroish(const ProtobufCFieldDescriptor *fd, const void *p)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		return !s || !*s;
	}
	case PROTOBUF_C_TYPE_BYTES:
		return ((const ProtobufCBinaryData *)p)->len == 0;
	case PROTOBUF_C_TYPE_MESSAGE:
		return *(const void *const *)p == NULL;
	default: {
		static const uint8_t zero[8];
		size_t sz = elem_size(fd->type);

		return sz <= sizeof(zero) && !memcmp(p, zero, sz);
	}
	}
}

/* How many values field @fd of @msg holds (0: leave the field out). */
static size_t field_count(const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd)
{
	const char *base = (const char *)msg;
	const void *member = base + fd->offset;

	if (fd->label == PROTOBUF_C_LABEL_REPEATED)
		return *(const size_t *)(base + fd->quantifier_offset);
	if (fd->flags & PROTOBUF_C_FIELD_FLAG_ONEOF)
		return *(const uint32_t *)(base + fd->quantifier_offset) == fd->id;
	if (fd->label == PROTOBUF_C_LABEL_REQUIRED)
		return 1;
	if (fd->label == PROTOBUF_C_LABEL_NONE)
		return !zeroish(fd, member);
	/* proto2 optional: the same test protobuf-c's packer makes. */
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE || fd->type == PROTOBUF_C_TYPE_STRING) {
		const void *ptr = *(const void *const *)member;

		return ptr && ptr != fd->default_value;
	}
	if (fd->quantifier_offset)
		return *(const protobuf_c_boolean *)(base + fd->quantifier_offset) ? 1 : 0;
	return 1;
}

static void print_msg(FILE *f, const ProtobufCMessage *msg, int indent, int level, int depth);

static void print_value(FILE *f, const ProtobufCFieldDescriptor *fd, const void *p, int indent,
			int level, int depth)
{
	switch (fd->type) {
	case PROTOBUF_C_TYPE_INT32:
	case PROTOBUF_C_TYPE_SINT32:
	case PROTOBUF_C_TYPE_SFIXED32:
		fprintf(f, "%" PRId32, *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
	case PROTOBUF_C_TYPE_FIXED32:
		fprintf(f, "%" PRIu32, *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
		fprintf(f, "%" PRId64, *(const int64_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		fprintf(f, "%" PRIu64, *(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		print_real(f, *(const float *)p, true);
		break;
	case PROTOBUF_C_TYPE_DOUBLE:
		print_real(f, *(const double *)p, false);
		break;
	case PROTOBUF_C_TYPE_BOOL:
		fputs(*(const protobuf_c_boolean *)p ? "true" : "false", f);
		break;
	case PROTOBUF_C_TYPE_ENUM: {
		int v = *(const int *)p;
		const ProtobufCEnumValue *ev = NULL;

		if (fd->descriptor)
			ev = protobuf_c_enum_descriptor_get_value(fd->descriptor, v);
		if (ev && ev->name)
			json_print_string(f, ev->name, strlen(ev->name));
		else
			fprintf(f, "%d", v);
		break;
	}
	case PROTOBUF_C_TYPE_STRING: {
		const char *s = *(const char *const *)p;

		if (s)
			json_print_string(f, s, strlen(s));
		else
			fputs("null", f);
		break;
	}
	case PROTOBUF_C_TYPE_BYTES:
		print_hex(f, p);
		break;
	case PROTOBUF_C_TYPE_MESSAGE: {
		const ProtobufCMessage *m = *(const ProtobufCMessage *const *)p;

		if (m)
			print_msg(f, m, indent, level, depth + 1);
		else
			fputs("null", f);
		break;
	}
	default:
		fputs("null", f);
		break;
	}
}

static void print_field(FILE *f, const ProtobufCMessage *msg, const ProtobufCFieldDescriptor *fd,
			size_t count, int indent, int level, int depth)
{
	const char *member = (const char *)msg + fd->offset;
	size_t sz;

	json_print_string(f, fd->name, strlen(fd->name));
	fputs(": ", f);
	if (fd->label != PROTOBUF_C_LABEL_REPEATED) {
		print_value(f, fd, member, indent, level, depth);
		return;
	}
	sz = elem_size(fd->type);
	member = *(const char *const *)member;
	fputc('[', f);
	for (size_t i = 0; member && i < count; i++) {
		if (fd->type == PROTOBUF_C_TYPE_MESSAGE) {
			if (i)
				fputc(',', f);
			if (i && indent <= 0)
				fputc(' ', f);
			json_newline(f, indent, level + 1);
		} else if (i) {
			fputs(", ", f);
		}
		print_value(f, fd, member + i * sz, indent, level + 1, depth);
	}
	if (fd->type == PROTOBUF_C_TYPE_MESSAGE)
		json_newline(f, indent, level);
	fputc(']', f);
}

static void print_msg(FILE *f, const ProtobufCMessage *msg, int indent, int level, int depth)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;
	bool first = true;

	if (depth > JSON_MAX_DEPTH || !d) {
		fputs("null", f);
		return;
	}
	fputc('{', f);
	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *fd = &d->fields[i];
		size_t count = field_count(msg, fd);

		if (!count)
			continue;
		if (!first)
			fputs(indent > 0 ? "," : ", ", f);
		json_newline(f, indent, level + 1);
		print_field(f, msg, fd, count, indent, level + 1, depth);
		first = false;
	}
	if (!first)
		json_newline(f, indent, level);
	fputc('}', f);
}

int json_print_message(FILE *f, const ProtobufCMessage *msg, int indent, int level)
{
	if (msg)
		print_msg(f, msg, indent, level, 0);
	else
		fputs("null", f);
	return ferror(f) ? -1 : 0;
}

/* A strict recursive-descent JSON checker. */
struct jparse {
	const unsigned char *s;
	size_t n, i;
	int depth;
};

#define JSON_VALID_MAX_DEPTH 512

static void jp_ws(struct jparse *p)
{
	while (p->i < p->n && strchr(" \t\n\r", p->s[p->i]) && p->s[p->i])
		p->i++;
}

static bool jp_lit(struct jparse *p, const char *word)
{
	size_t l = strlen(word);

	if (p->n - p->i < l || memcmp(p->s + p->i, word, l))
		return false;
	p->i += l;
	return true;
}

static bool jp_digits(struct jparse *p)
{
	size_t start = p->i;

	while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
		p->i++;
	return p->i > start;
}

static bool jp_number(struct jparse *p)
{
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n)
		return false;
	if (p->s[p->i] == '0')
		p->i++;
	else if (!jp_digits(p))
		return false;
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		if (!jp_digits(p))
			return false;
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		if (!jp_digits(p))
			return false;
	}
	return true;
}

static bool jp_string(struct jparse *p)
{
	if (p->i >= p->n || p->s[p->i] != '"')
		return false;
	p->i++;
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		size_t l;

		if (c == '"') {
			p->i++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (++p->i >= p->n)
				return false;
			c = p->s[p->i++];
			if (c == 'u') {
				for (int k = 0; k < 4; k++, p->i++)
					if (p->i >= p->n || !isxdigit(p->s[p->i]))
						return false;
			} else if (!c || !strchr("\"\\/bfnrt", c)) {
				return false;
			}
			continue;
		}
		l = utf8_seq_len(p->s + p->i, p->n - p->i);
		if (!l)
			return false;
		p->i += l;
	}
	return false;
}

static bool jp_value(struct jparse *p);

static bool jp_container(struct jparse *p, bool object)
{
	char close = object ? '}' : ']';

	if (++p->depth > JSON_VALID_MAX_DEPTH)
		return false;
	p->i++;
	jp_ws(p);
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
		p->depth--;
		return true;
	}
	for (;;) {
		if (object) {
			if (!jp_string(p))
				return false;
			jp_ws(p);
			if (p->i >= p->n || p->s[p->i] != ':')
				return false;
			p->i++;
		}
		if (!jp_value(p))
			return false;
		jp_ws(p);
		if (p->i >= p->n)
			return false;
		if (p->s[p->i] == close) {
			p->i++;
			p->depth--;
			return true;
		}
		if (p->s[p->i] != ',')
			return false;
		p->i++;
		jp_ws(p);
	}
}

static bool jp_value(struct jparse *p)
{
	jp_ws(p);
	if (p->i >= p->n)
		return false;
	switch (p->s[p->i]) {
	case '{':
		return jp_container(p, true);
	case '[':
		return jp_container(p, false);
	case '"':
		return jp_string(p);
	case 't':
		return jp_lit(p, "true");
	case 'f':
		return jp_lit(p, "false");
	case 'n':
		return jp_lit(p, "null");
	default:
		return jp_number(p);
	}
}

bool json_valid(const char *buf, size_t len)
{
	struct jparse p = { .s = (const unsigned char *)buf, .n = len };

	if (!jp_value(&p))
		return false;
	jp_ws(&p);
	return p.i == p.n;
}
