#!/bin/sh
# Run every unit-test binary given; Check prints its own summary per binary.
fail=0
for t in "$@"; do
	CK_FORK=yes "$t" || fail=1
done
exit $fail
