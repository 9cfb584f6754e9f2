/* SPDX-License-Identifier: GPL-2.0-or-later */
/* version.h - dkms's version ordering (numbers compared as numbers, the rest byte-wise). */
#pragma once

/*
 * dkms pads every digit run to three digits and compares the strings, so 1.10 > 1.9 and
 * 2.6.9-1 < 2.6.10.  We compare digit runs numerically instead, which gives the same order
 * everywhere dkms is right and also orders runs of four or more digits correctly.
 */
int version_cmp(const char *a, const char *b);
