/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_IMAGES_JSON_H
#define CR_IMAGES_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <protobuf-c/protobuf-c.h>

/*
 * One generic JSON printer for every protobuf-c message, driven only by its
 * descriptor; "criu show" and the tests use it.
 *
 * Mapping: integers and bools as JSON numbers and true/false (64-bit values
 * too, as exact integers); float/double as numbers, or the strings "NaN",
 * "Infinity", "-Infinity"; enums as the name of the value (the number when
 * the value has no name); strings JSON-escaped, with bytes that are not valid
 * UTF-8 written as \u00XX; bytes as a string of lower-case hex digits;
 * nested messages as objects; repeated fields as arrays. Optional fields
 * that are not set and empty repeated fields are left out. Records whose
 * nesting goes deeper than JSON_MAX_DEPTH print the too-deep message as null.
 */

#define JSON_MAX_DEPTH 64

/*
 * Write @msg as one JSON object to @f. @indent is the number of spaces per
 * nesting level (0: all on one line); @level is the nesting level the object
 * itself starts at, so a caller can embed it in its own pretty output.
 * Returns 0, or -1 if @f reported a write error.
 */
int json_print_message(FILE *f, const ProtobufCMessage *msg, int indent, int level);

/* Write @len bytes of @s as a quoted, escaped JSON string. */
void json_print_string(FILE *f, const char *s, size_t len);

/* A newline followed by @indent * @level spaces; nothing when @indent is 0. */
void json_newline(FILE *f, int indent, int level);

/*
 * Strict RFC 8259 check of @len bytes at @buf: exactly one JSON value,
 * optionally surrounded by white space, valid UTF-8, nesting at most 512
 * deep. Used by the tests and the fuzzer to check the printer's output.
 */
bool json_valid(const char *buf, size_t len);

#endif
