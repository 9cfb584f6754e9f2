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

OPT_CFLAGS ?= -O2 -g
SAN_CFLAGS := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=undefined

SRCS := $(shell find src -name '*.c' | LC_ALL=C sort)
LIB_SRCS := $(filter-out src/main.c,$(SRCS))

OBJS     := $(SRCS:src/%.c=build/obj/%.o)
SAN_OBJS := $(SRCS:src/%.c=build/san/%.o)
SAN_LIB_OBJS := $(LIB_SRCS:src/%.c=build/san/%.o)

UNIT_SRCS := $(wildcard test/unit/t-*.c)
UNIT_BINS := $(UNIT_SRCS:test/unit/%.c=build/unit/%)

.PHONY: all check demo bench install uninstall clean deps deps-test unit fuzz

all: build/ndkms

build/ndkms: $(OBJS)
	$(CC) $(OPT_CFLAGS) -o $@ $^ $(LIBS)

build/obj/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) -c -o $@ $<

# The sanitizer build every test runs against.
build/san/ndkms: $(SAN_OBJS)
	$(CC) $(SAN_CFLAGS) -o $@ $^ $(LIBS)

build/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -c -o $@ $<

build/unit/%: test/unit/%.c test/unit/harness.h $(SAN_LIB_OBJS)
	@mkdir -p $(dir $@)
	$(CC) $(BASE_CFLAGS) -Itest/unit $(SAN_CFLAGS) -o $@ $< $(SAN_LIB_OBJS) $(LIBS)

deps:
	@test/deps.sh build

deps-test:
	@test/deps.sh test

demo: deps
	@$(MAKE) --no-print-directory build/ndkms
	@test/demo.sh

unit: $(UNIT_BINS)

check: deps-test
	@$(MAKE) --no-print-directory build/san/ndkms unit
	@test/run.sh

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

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/ndkms $(DESTDIR)$(SBINDIR)/dkms \
		$(DESTDIR)$(MANDIR)/man8/ndkms.8 $(DESTDIR)$(MANDIR)/man8/dkms.8 \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/ndkms \
		$(DESTDIR)$(DATADIR)/bash-completion/completions/dkms \
		$(DESTDIR)$(DATADIR)/zsh/vendor-completions/_ndkms \
		$(DESTDIR)$(SYSCONFDIR)/ndkms/ndkms.conf.example

clean:
	rm -rf build/obj build/san build/unit build/ndkms

-include $(OBJS:.o=.d) $(SAN_OBJS:.o=.d)
