/* SPDX-License-Identifier: GPL-2.0-or-later */
/* harness.h - a tiny TAP unit-test harness: TEST(), CHECK*(), and a main() that runs them. */
#pragma once

#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
};

static int harness_failed;
static int harness_current_failed;

#define CHECK(cond)                                                                               \
	do {                                                                                      \
		if (!(cond)) {                                                                    \
			printf("# %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);         \
			harness_current_failed = 1;                                               \
		}                                                                                 \
	} while (0)

#define CHECK_STR(a, b)                                                                           \
	do {                                                                                      \
		const char *_a = (a), *_b = (b);                                                  \
		if (!_a || !_b || strcmp(_a, _b) != 0) {                                          \
			printf("# %s:%d: \"%s\" != \"%s\"\n", __FILE__, __LINE__,                  \
			       _a ? _a : "(null)", _b ? _b : "(null)");                           \
			harness_current_failed = 1;                                               \
		}                                                                                 \
	} while (0)

#define CHECK_INT(a, b)                                                                           \
	do {                                                                                      \
		long _a = (long)(a), _b = (long)(b);                                              \
		if (_a != _b) {                                                                   \
			printf("# %s:%d: %s == %ld, expected %ld\n", __FILE__, __LINE__, #a, _a,   \
			       _b);                                                               \
			harness_current_failed = 1;                                               \
		}                                                                                 \
	} while (0)

/* Each test file defines: static const struct test_case tests[] = {{"name", fn}, ...}; */
#define HARNESS_MAIN(tests)                                                                       \
	int main(void)                                                                            \
	{                                                                                         \
		size_t n = sizeof(tests) / sizeof(tests[0]);                                      \
		printf("1..%zu\n", n);                                                            \
		for (size_t i = 0; i < n; i++) {                                                  \
			harness_current_failed = 0;                                               \
			tests[i].fn();                                                            \
			printf("%s %zu - %s\n", harness_current_failed ? "not ok" : "ok", i + 1,  \
			       tests[i].name);                                                    \
			harness_failed |= harness_current_failed;                                \
		}                                                                                 \
		return harness_failed;                                                            \
	}
