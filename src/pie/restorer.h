/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CR_PIE_RESTORER_H
#define CR_PIE_RESTORER_H

struct restorer_args;

#endif
