# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds build/ndkms; demo, check, bench, install.  GNU make.

PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/sbin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
LIBDIR     ?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
DESTDIR    ?=

CC         ?= gcc
PKG_CONFIG ?= pkg-config
PKGS       := libkmod libconfig libarchive libcrypto liblzma libzstd zlib

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wwrite-strings -Wvla -Wundef -Wpointer-arith -Wno-unused-parameter
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Isrc $(WARN) -MMD -MP \
	$(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
LIBS := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

# Package ownership (src/pkg/owner_*.c) compiles in where pkg-config finds libalpm / librpm.
# They are not linked: src/pkg/dl_*.c load them by soname with dlopen() when ownership is
# asked for, so that no other command pays for their dependencies at start-up.
soname = $(or $(shell objdump -p "$$($(PKG_CONFIG) --variable=libdir $(1))/$(2).so" 2>/dev/null | \
	awk '/SONAME/ { print $$2 }'),$(2).so)
ifeq ($(shell $(PKG_CONFIG) --exists libalpm 2>/dev/null && echo y),y)
BASE_CFLAGS += -DHAVE_ALPM $(shell $(PKG_CONFIG) --cflags libalpm) \
	-DALPM_SONAME='"$(call soname,libalpm,libalpm)"'
endif
ifeq ($(shell $(PKG_CONFIG) --exists rpm 2>/dev/null && echo y),y)
BASE_CFLAGS += -DHAVE_RPM $(shell $(PKG_CONFIG) --cflags rpm) -DRPM_SONAME='"$(call soname,rpm,librpm)"'
endif
LIBS += -ldl
LDFLAGS_OPT := -Wl,-O1 -Wl,--as-needed
# The hooks name /usr/bin/ndkms; installed, they name where the binary goes.
HOOK_SED := sed 's|/usr/bin/ndkms|$(SBINDIR)/ndkms|g'

OPT_CFLAGS ?= -O2 -g
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -DNDKMS_FAULT \
	-fno-sanitize-recover=undefined

SRCS := $(shell find src -name '*.c' | LC_ALL=C sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))

OBJS     := $(SRCS:src/%.c=build/obj/%.o)
SAN_OBJS := $(SRCS:src/%.c=build/san/%.o)
SAN_LIB_OBJS := $(LIB_SRCS:src/%.c=build/san/%.o)

UNIT_SRCS := $(wildcard test/unit/t-*.c)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=build/unit/%)

.PHONY: all check demo bench install uninstall clean deps deps-test deps-demo unit fuzz fuzz-bins crash-full \
	valgrind

all: build/ndkms

build/ndkms: $(OBJS)
	$(CC) $(OPT_CFLAGS) $(LDFLAGS_OPT) -o $@ $^ $(LIBS)

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) -c -o $@ $<

# The sanitizer build every test runs against.
build/san/ndkms: $(SAN_OBJS)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

# The objects follow the flags: a change of SAN_CFLAGS (e.g. the fault points) rebuilds them all.
SAN_STAMP := build/san/.flags-$(shell echo '$(SAN_CFLAGS)' | md5sum | cut -c1-8)
$(SAN_STAMP):
	@mkdir -p build/san && rm -f build/san/.flags-* && touch $@

build/san/%.o: src/%.c $(SAN_STAMP)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

build/unit/%: test/unit/%.c test/unit/harness.h $(SAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itest/unit $(SAN_CFLAGS) -o $@ $< $(SAN_LIB_OBJS) $(LIBS)

# libFuzzer targets (clang): test/fuzz/fuzz-*.c over the library objects built by clang.
FUZZ_CC ?= clang
# (clang counts a lock held by a cleanup variable as unused, and log.c's vprintf wrappers as
# non-literal formats: those two warnings stay off in this build)
FUZZ_CFLAGS := -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined -Wno-unused-variable -Wno-format-nonliteral
FUZZ_OBJS := $(LIB_SRCS:src/%.c=build/fuzz/obj/%.o)
FUZZ_BINS := $(patsubst test/fuzz/%.c,build/fuzz/%,$(wildcard test/fuzz/fuzz-*.c))
FUZZ_SECONDS ?= 30

build/fuzz/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(BASE_CFLAGS) $(FUZZ_CFLAGS) -c -o $@ $<

build/fuzz/fuzz-%: test/fuzz/fuzz-%.c test/fuzz/fuzz.h $(FUZZ_OBJS)
	$(FUZZ_CC) $(BASE_CFLAGS) -Itest/fuzz $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_OBJS) $(LIBS)

fuzz-bins: $(FUZZ_BINS)

# Each target for FUZZ_SECONDS (make check: 30 s each).
fuzz: fuzz-bins
	@FUZZ_SECONDS=$(FUZZ_SECONDS) sh test/fuzz/run.sh

deps:
	@test/deps.sh build

deps-test:
	@test/deps.sh test

deps-demo:
	@test/deps.sh demo

demo: deps-demo
	@$(MAKE) --no-print-directory build/ndkms
	@test/demo.sh

unit: $(UNIT_BINS)

check: deps-test
	@$(MAKE) --no-print-directory build/san/ndkms unit fuzz-bins
	@test/run.sh

# Every kill point of more commands (a two-module autoinstall, --force, kernel_prerm).
crash-full: build/san/ndkms
	@CRASH_FULL=1 TESTS=t-crash test/run.sh

# The integration tests against the release build under valgrind memcheck.
valgrind: build/ndkms
	@VALGRIND=1 TEST_RESULTS=build/test-results-valgrind TESTS=$${TESTS:-integration} test/run.sh

bench: deps-test
	@$(MAKE) --no-print-directory build/ndkms
	@test/bench/run.sh

install: build/ndkms
	install -Dm755 build/ndkms $(DESTDIR)$(SBINDIR)/ndkms
	ln -sf ndkms $(DESTDIR)$(SBINDIR)/dkms
	install -Dm644 src/ndkms.8 $(DESTDIR)$(MANDIR)/man8/ndkms.8
	ln -sf ndkms.8 $(DESTDIR)$(MANDIR)/man8/dkms.8
	install -Dm644 completions/bash/ndkms $(DESTDIR)$(DATADIR)/bash-completion/completions/ndkms
	ln -sf ndkms $(DESTDIR)$(DATADIR)/bash-completion/completions/dkms
	install -Dm644 completions/zsh/_ndkms $(DESTDIR)$(DATADIR)/zsh/vendor-completions/_ndkms
	install -Dm644 examples/ndkms.conf $(DESTDIR)$(SYSCONFDIR)/ndkms/ndkms.conf.example
	install -d $(DESTDIR)$(DATADIR)/libalpm/hooks $(DESTDIR)$(LIBDIR)/kernel/install.d \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d $(DESTDIR)$(SYSCONFDIR)/kernel/prerm.d \
		$(DESTDIR)$(LIBDIR)/systemd/system
	for h in hooks/alpm/*.hook; do \
		$(HOOK_SED) $$h >$(DESTDIR)$(DATADIR)/libalpm/hooks/$${h##*/} || exit 1; done
	$(HOOK_SED) hooks/kernel-install/40-ndkms.install \
		>$(DESTDIR)$(LIBDIR)/kernel/install.d/40-ndkms.install
	$(HOOK_SED) hooks/debian/postinst.d/50-ndkms >$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-ndkms
	$(HOOK_SED) hooks/debian/prerm.d/50-ndkms >$(DESTDIR)$(SYSCONFDIR)/kernel/prerm.d/50-ndkms
	chmod 755 $(DESTDIR)$(LIBDIR)/kernel/install.d/40-ndkms.install \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-ndkms $(DESTDIR)$(SYSCONFDIR)/kernel/prerm.d/50-ndkms
	$(HOOK_SED) hooks/systemd/ndkms.service >$(DESTDIR)$(LIBDIR)/systemd/system/ndkms.service

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ndkms $(DESTDIR)$(SBINDIR)/dkms \
		$(DESTDIR)$(MANDIR)/man8/ndkms.8 $(DESTDIR)$(MANDIR)/man8/dkms.8 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/ndkms \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/dkms \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions/_ndkms \
		$(DESTDIR)$(SYSCONFDIR)/ndkms/ndkms.conf.example \
		$(DESTDIR)$(DATADIR)/libalpm/hooks/70-ndkms-install.hook \
		$(DESTDIR)$(DATADIR)/libalpm/hooks/70-ndkms-upgrade.hook \
		$(DESTDIR)$(DATADIR)/libalpm/hooks/71-ndkms-remove.hook \
		$(DESTDIR)$(LIBDIR)/kernel/install.d/40-ndkms.install \
		$(DESTDIR)$(SYSCONFDIR)/kernel/postinst.d/50-ndkms $(DESTDIR)$(SYSCONFDIR)/kernel/prerm.d/50-ndkms \
		$(DESTDIR)$(LIBDIR)/systemd/system/ndkms.service

clean:
	rm -rf build/obj build/san build/unit build/fuzz build/ndkms

-include $(OBJS:.o=.d) $(SAN_OBJS:.o=.d)
