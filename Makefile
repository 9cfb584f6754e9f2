# SPDX-License-Identifier: GPL-2.0-or-later
# Makefile - builds build/ndkms; demo, check, bench, install.  GNU make.

# The one source of the version: VERSION.  The spec's Version and the PKGBUILD's pkgver must
# say the same (rpm and makepkg need them literally); make dist refuses a tarball otherwise.
VERSION    := $(shell cat VERSION)

# The binary goes to SBINDIR, $(PREFIX)/bin unless told (as the hooks in hooks/ name it); every
# installed hook's Exec path follows SBINDIR.  The RPM spec and the PKGBUILD pass /usr/bin.
PREFIX     ?= /usr
SBINDIR    ?= $(PREFIX)/bin
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
DATADIR    ?= $(PREFIX)/share
LIBDIR     ?= $(PREFIX)/lib
SYSCONFDIR ?= /etc
# zsh's vendor folder: Debian's; Arch and Fedora use $(DATADIR)/zsh/site-functions
ZSHDIR     ?= $(DATADIR)/zsh/vendor-completions
FISHDIR    ?= $(DATADIR)/fish/vendor_completions.d
DESTDIR    ?=

CC         ?= gcc
PKG_CONFIG ?= pkg-config
PKGS       := libkmod libconfig libarchive libcrypto liblzma libzstd zlib

# WERROR= for a release build with a compiler newer than the code (packagers).
WERROR ?= -Werror
WARN := -Wall -Wextra $(WERROR) -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 \
	-Wwrite-strings -Wvla -Wundef -Wpointer-arith -Wunused-parameter
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Isrc $(WARN) -MMD -MP -DNDKMS_VERSION='"$(VERSION)"' \
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

.PHONY: all check demo bench install uninstall clean dist deps deps-test deps-demo unit fuzz fuzz-bins crash-full \
	valgrind

all: build/ndkms

# The release build takes the packager's CFLAGS, CPPFLAGS and LDFLAGS (makepkg, rpmbuild).
build/ndkms: $(OBJS)
	$(CC) $(OPT_CFLAGS) $(CFLAGS) $(LDFLAGS_OPT) $(LDFLAGS) -o $@ $^ $(LIBS)

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

# the version is compiled into main.c
build/obj/main.o build/san/main.o: VERSION

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

# The package-ownership backends compile on a machine without libalpm or librpm too.
NOPKG_CFLAGS := $(filter-out -MMD -MP -DHAVE_ALPM -DHAVE_RPM -DALPM_SONAME% -DRPM_SONAME%,$(BASE_CFLAGS))
check-nopkg:
	@for f in src/pkg/owner_alpm.c src/pkg/owner_rpm.c; do \
		$(CC) $(NOPKG_CFLAGS) -fsyntax-only $$f || exit 1; done

check: deps-test
	@$(MAKE) --no-print-directory build/san/ndkms build/ndkms unit fuzz-bins check-nopkg
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

# Hooks are installed by globbing hooks/, so that a new hook file is shipped without a new line.
HOOKS_ALPM    = $(wildcard hooks/alpm/*.hook)
HOOKS_DEBIAN  = $(wildcard hooks/debian/*.d/*)
HOOKS_KINSTALL = $(wildcard hooks/kernel-install/*.install)
HOOKS_SYSTEMD = $(wildcard hooks/systemd/*.service)
HOOKS_INITRAMFS = $(wildcard hooks/initramfs-tools/*)

install: build/ndkms
	install -Dm755 build/ndkms $(DESTDIR)$(SBINDIR)/ndkms
	ln -sf ndkms $(DESTDIR)$(SBINDIR)/dkms
	install -Dm644 src/ndkms.8 $(DESTDIR)$(MANDIR)/man8/ndkms.8
	ln -sf ndkms.8 $(DESTDIR)$(MANDIR)/man8/dkms.8
	install -Dm644 completions/bash/ndkms $(DESTDIR)$(DATADIR)/bash-completion/completions/ndkms
	ln -sf ndkms $(DESTDIR)$(DATADIR)/bash-completion/completions/dkms
	install -Dm644 completions/zsh/_ndkms $(DESTDIR)$(ZSHDIR)/_ndkms
	install -Dm644 completions/fish/ndkms.fish $(DESTDIR)$(FISHDIR)/ndkms.fish
	ln -sf ndkms.fish $(DESTDIR)$(FISHDIR)/dkms.fish
	install -Dm644 examples/ndkms.conf $(DESTDIR)$(SYSCONFDIR)/ndkms/ndkms.conf.example
	install -d $(DESTDIR)$(DATADIR)/libalpm/hooks $(DESTDIR)$(LIBDIR)/kernel/install.d \
		$(DESTDIR)$(LIBDIR)/systemd/system
	for h in $(HOOKS_ALPM); do \
		$(HOOK_SED) $$h >$(DESTDIR)$(DATADIR)/libalpm/hooks/$${h##*/} || exit 1; \
		chmod 644 $(DESTDIR)$(DATADIR)/libalpm/hooks/$${h##*/} || exit 1; done
	for h in $(HOOKS_KINSTALL); do \
		$(HOOK_SED) $$h >$(DESTDIR)$(LIBDIR)/kernel/install.d/$${h##*/} || exit 1; \
		chmod 755 $(DESTDIR)$(LIBDIR)/kernel/install.d/$${h##*/} || exit 1; done
	for h in $(HOOKS_DEBIAN); do \
		d=$(DESTDIR)$(SYSCONFDIR)/kernel/$${h#hooks/debian/}; \
		install -d $${d%/*} && $(HOOK_SED) $$h >$$d && chmod 755 $$d || exit 1; done
	for h in $(HOOKS_SYSTEMD); do \
		$(HOOK_SED) $$h >$(DESTDIR)$(LIBDIR)/systemd/system/$${h##*/} || exit 1; \
		chmod 644 $(DESTDIR)$(LIBDIR)/systemd/system/$${h##*/} || exit 1; done
	install -d $(DESTDIR)$(DATADIR)/initramfs-tools/hooks
	for h in $(HOOKS_INITRAMFS); do \
		$(HOOK_SED) $$h >$(DESTDIR)$(DATADIR)/initramfs-tools/hooks/$${h##*/} || exit 1; \
		chmod 755 $(DESTDIR)$(DATADIR)/initramfs-tools/hooks/$${h##*/} || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ndkms $(DESTDIR)$(SBINDIR)/dkms \
		$(DESTDIR)$(MANDIR)/man8/ndkms.8 $(DESTDIR)$(MANDIR)/man8/dkms.8 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/ndkms \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/dkms \
		$(DESTDIR)$(ZSHDIR)/_ndkms \
		$(DESTDIR)$(FISHDIR)/ndkms.fish $(DESTDIR)$(FISHDIR)/dkms.fish \
		$(DESTDIR)$(SYSCONFDIR)/ndkms/ndkms.conf.example \
		$(patsubst hooks/alpm/%,$(DESTDIR)$(DATADIR)/libalpm/hooks/%,$(HOOKS_ALPM)) \
		$(patsubst hooks/kernel-install/%,$(DESTDIR)$(LIBDIR)/kernel/install.d/%,$(HOOKS_KINSTALL)) \
		$(patsubst hooks/debian/%,$(DESTDIR)$(SYSCONFDIR)/kernel/%,$(HOOKS_DEBIAN)) \
		$(patsubst hooks/systemd/%,$(DESTDIR)$(LIBDIR)/systemd/system/%,$(HOOKS_SYSTEMD)) \
		$(patsubst hooks/initramfs-tools/%,$(DESTDIR)$(DATADIR)/initramfs-tools/hooks/%,$(HOOKS_INITRAMFS))

# The release tarball ndkms-VERSION.tar.gz (in DIST_DIR): the tracked files as they are in the
# work tree, under ndkms-VERSION/, owned by root, dated by the last commit.  rpmbuild -ta takes
# it as it is (it wants exactly one *.spec in it: the example module's spec stays in the
# repository); the PKGBUILD builds from it.
DIST_DIR ?= .
dist:
	@v=$$(sed -n 's/^Version:[[:space:]]*//p' hooks/rpm/ndkms.spec); [ "$$v" = "$(VERSION)" ] || \
		{ echo "make dist: hooks/rpm/ndkms.spec has Version $$v, VERSION has $(VERSION)" >&2; exit 1; }
	@v=$$(sed -n 's/^pkgver=//p' hooks/alpm/PKGBUILD); [ "$$v" = "$(VERSION)" ] || \
		{ echo "make dist: hooks/alpm/PKGBUILD has pkgver=$$v, VERSION has $(VERSION)" >&2; exit 1; }
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "make dist: not a git checkout" >&2; exit 1; }
	@set -e; out=$(DIST_DIR)/ndkms-$(VERSION).tar.gz; tmp=$$(mktemp "$$out.XXXXXX"); \
	trap 'rm -f "$$tmp"' EXIT; \
	git ls-files -z | { grep -zv '^examples/.*\.spec$$' || :; } | LC_ALL=C tar --null -T - --sort=name --owner=0 --group=0 --numeric-owner \
		--mode=go-w --mtime=@$$(git log -1 --format=%ct 2>/dev/null || echo 0) \
		--transform 's,^,ndkms-$(VERSION)/,S' -cf - | gzip -9n >"$$tmp"; \
	chmod 644 "$$tmp"; mv "$$tmp" "$$out"; trap - EXIT; echo "$$out"

clean:
	rm -rf build/obj build/san build/unit build/fuzz build/ndkms

-include $(OBJS:.o=.d) $(SAN_OBJS:.o=.d)
