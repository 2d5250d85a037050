// SPDX-License-Identifier: GPL-2.0
/* skip_in_flight01 with an IPv6 listener taking the IPv4 connections (v4-mapped). */
#define DUAL_STACK 1
#include "skip_in_flight01.c"
