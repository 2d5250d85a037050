// SPDX-License-Identifier: GPL-2.0
/* A unix socket connected to a peer outside the tree, dumped with -x. */
#include "unix_ext.h"
