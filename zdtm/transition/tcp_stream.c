// SPDX-License-Identifier: GPL-2.0
/*
 * tcp_external with the server inside the tree: a client/server pair
 * streaming both ways without pause, both ends dumped and restored with
 * --tcp-established, every byte checked (see tcp_external.c).
 */
#define SERVER_IN_TREE 1
#include "tcp_external.c"
