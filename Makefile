# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# gwtrace build. Shape after libbpf-bootstrap, with header dependencies
# tracked by -MMD -MP for both clang and cc.
#
#   make            build ./gwtrace (BPF object embedded as a skeleton)
#   make test       unit tests (ASan/UBSan) + end-to-end tests (root),
#                   including the VM lab (GWT_NO_VM=1 skips it)
#   make vmtest     only the VM lab tests (fentry and kprobe on Debian's 6.1,
#                   tracepoint on its 6.12); KVER=6.1.0-N or
#                   KVER=6.12.N+deb12-amd64: another guest kernel than the
#                   pinned one for the runs of that kernel; VM612_ALL=0
#                   leaves out fentry and kprobe on 6.12 (two boots, ~6 min)
#   make vmlab-prepare  fetch and cache both lab kernels (what the VM tests
#                   do on first use)
#   make demo       install what is missing, build, run the demo gateway
#   make fuzz       every fuzz target for FUZZ_SECONDS (libFuzzer, clang)
#   make SAN=1      build with AddressSanitizer + UBSan
#   make V=1        show the commands
#   make install    $(PREFIX)/sbin/gwtrace (PREFIX=/usr/local); install-systemd
#                   also the monitor's unit in /etc/systemd/system

OUTPUT ?= build
CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH := $(shell uname -m | sed -e 's/x86_64/x86/' -e 's/aarch64/arm64/')
VMLINUX_H := vmlinux/$(ARCH)/vmlinux.h

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

WARN := -Wall -Wextra -Werror
CFLAGS ?= -O2 -g
SANITIZERS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SANFLAGS := $(if $(SAN),$(SANITIZERS))
# Fuzz builds (FUZZ=1, clang): libFuzzer's coverage on every object.
FUZZ_SANITIZERS := -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
ifneq ($(FUZZ),)
SANFLAGS := $(FUZZ_SANITIZERS)
# clang, unlike gcc, warns about partly initialized nested aggregates.
WARN += -Wno-missing-field-initializers
endif
# Sanitizer builds also check that every literal JSON member name is plain.
SANDEFS := $(if $(SAN)$(FUZZ),-DJW_CHECK_NAMES)
# user/ by pipeline stage; every folder is on the include path, so
# includes stay "x.h".
USER_DIRS := user/load user/trace user/path user/out user/ipsec user/monitor user/sys
USER_CFLAGS := $(CFLAGS) $(WARN) $(SANFLAGS) $(SANDEFS) -std=gnu11 -D_GNU_SOURCE \
	-I$(OUTPUT) -Ibpf -Iuser $(addprefix -I,$(USER_DIRS))
# libmicrohttpd serves gwtrace monitor's /metrics on its own thread.
LDLIBS := -lbpf -lelf -lz -lmnl -lmicrohttpd -lpthread
LDFLAGS += $(SANFLAGS)

# clang -target bpf lacks the host's system include paths; borrow them
# (libbpf-bootstrap's trick) so <linux/types.h> and friends resolve.
CLANG_SYS_INCLUDES := $(shell $(CLANG) -v -E - </dev/null 2>&1 \
	| sed -n '/<...> search starts here:/,/End of search list./{ s| \(/.*\)|-idirafter \1|p }')
BPF_CFLAGS := -g -O2 -target bpf -D__TARGET_ARCH_$(ARCH) $(WARN) \
	-Wno-unused-parameter -Wno-missing-field-initializers \
	-Ivmlinux/$(ARCH) -Ibpf $(CLANG_SYS_INCLUDES)

# maps.bpf.c holds the definitions the others reference as externs; it goes
# first, since libbpf 1.1's linker mis-places externs resolved later.
BPF_SRCS := bpf/maps.bpf.c $(filter-out bpf/maps.bpf.c,$(sort $(wildcard bpf/*.bpf.c)))
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.bpf.o,$(BPF_SRCS))
USER_SRCS := $(sort $(wildcard user/*.c user/*/*.c))
USER_OBJS := $(patsubst user/%.c,$(OUTPUT)/user/%.o,$(USER_SRCS))
USER_OBJ_DIRS := $(OUTPUT)/user $(patsubst user/%,$(OUTPUT)/user/%,$(USER_DIRS))
LIB_OBJS := $(filter-out $(OUTPUT)/user/main.o,$(USER_OBJS))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/tests/%,$(UNIT_SRCS))
SKEL := $(OUTPUT)/gwtrace.skel.h

.DELETE_ON_ERROR:
.PHONY: all clean test unit e2e vmtest vmlab-prepare vmlab-selftest demo deps vmlinux lint bench
.PHONY: fuzz fuzz-build
.PHONY: install install-systemd uninstall

all: gwtrace

gwtrace: $(OUTPUT)/gwtrace
	$(Q)cp $< $@

$(OUTPUT)/gwtrace: $(USER_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/bpf/%.bpf.o: bpf/%.bpf.c | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -c $< -o $@

# One CO-RE object for all probe families: statically linked by bpftool.
$(OUTPUT)/gwtrace.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(SKEL): $(OUTPUT)/gwtrace.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name gwtrace_bpf > $@

# Every user object may include the skeleton; generate it first.
$(OUTPUT)/user/%.o: user/%.c $(SKEL) | $(USER_OBJ_DIRS)
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@

$(OUTPUT)/tests/%: tests/unit/%.c $(LIB_OBJS) | $(OUTPUT)/tests
	$(call msg,TEST-CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -MMD -MP $< $(LIB_OBJS) \
		$(LDFLAGS) $(LDLIBS) -lcmocka -o $@

# Fuzz targets and the seed writer (FUZZ=1 builds only: see fuzz-build).
$(OUTPUT)/fuzzers/seeds: tests/fuzz/seeds.c $(LIB_OBJS) | $(OUTPUT)/fuzzers
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -MMD -MP $< $(LIB_OBJS) \
		$(LDFLAGS) $(LDLIBS) -lcmocka -o $@

$(OUTPUT)/fuzzers/%: tests/fuzz/%.c $(LIB_OBJS) | $(OUTPUT)/fuzzers
	$(call msg,FUZZ-CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -Itests/unit -Itests/fuzz -MMD -MP -fsanitize=fuzzer $< \
		$(LIB_OBJS) $(LDFLAGS) $(LDLIBS) -o $@

$(OUTPUT)/bpf $(USER_OBJ_DIRS) $(OUTPUT)/tests $(OUTPUT)/bench $(OUTPUT)/fuzzers:
	$(Q)mkdir -p $@

# Unit tests and end-to-end tests run against an ASan/UBSan build.
SAN_OUT := $(OUTPUT)/san

# GWTRACE_PLAIN: the non-ASan build, for the valgrind test. bench/replay
# too: tests/e2e/test_record.sh replays a recording with it.
unit:
	$(Q)$(MAKE) --no-print-directory SAN=1 OUTPUT=$(SAN_OUT) $(patsubst $(OUTPUT)/%,$(SAN_OUT)/%,$(UNIT_BINS)) $(SAN_OUT)/gwtrace \
		$(SAN_OUT)/bench/replay

# The VM lab's guest kernels: pinned in scripts/vmlab/kernels.sh, KVER= for
# another one (6.1.0-N or 6.12.N+deb12-amd64; it replaces the pin of its own
# kernel only).
VMLAB_ENV := GWTRACE_VMLAB_KVER=$(KVER) GWT_VM_612_ALL=$(VM612_ALL)

test: unit fuzz-build all
	$(Q)$(VMLAB_ENV) GWTRACE=$(SAN_OUT)/gwtrace GWTRACE_PLAIN=$(CURDIR)/gwtrace \
		UNIT_DIR=$(SAN_OUT)/tests FUZZ_DIR=$(FUZZ_OUT) tests/run.sh

# Fuzzing (tests/fuzz/README.md): every target in $(FUZZ_OUT)/fuzzers,
# built with clang's libFuzzer + ASan + UBSan, seeds generated for this
# build's formats. `make fuzz` runs each for FUZZ_SECONDS (default 60);
# `make test` replays the corpora and runs each for a few seconds.
FUZZ_OUT := $(OUTPUT)/fuzz
FUZZ_NAMES := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_SECONDS ?= 60

fuzz-build:
	$(Q)$(MAKE) --no-print-directory FUZZ=1 CC=$(CLANG) OUTPUT=$(FUZZ_OUT) \
		$(addprefix $(FUZZ_OUT)/fuzzers/,$(FUZZ_NAMES) seeds)
	$(Q)rm -rf $(FUZZ_OUT)/seeds && $(FUZZ_OUT)/fuzzers/seeds $(FUZZ_OUT)/seeds

fuzz: fuzz-build
	$(Q)for t in $(FUZZ_NAMES); do \
		FUZZ_DIR=$(FUZZ_OUT) tests/fuzz/run.sh $$t $(FUZZ_SECONDS) || exit 1; \
	done

e2e: all
	$(Q)GWTRACE=./gwtrace tests/run.sh --e2e-only

# The VM lab alone: Debian 12's 6.1 kernel under qemu, suites in fentry and
# kprobe modes, and its 6.12 in tracepoint mode (also part of `make test`).
vmtest: unit
	$(Q)$(VMLAB_ENV) GWTRACE=$(SAN_OUT)/gwtrace tests/run.sh --e2e-only -k '^test_vm'

vmlab-prepare:
	$(Q)$(VMLAB_ENV) scripts/vmlab/prepare.sh --all

vmlab-selftest:
	$(Q)scripts/vmlab/selftest.sh

deps:
	$(Q)scripts/install-deps.sh

# Sequential on purpose: deps must be installed before anything builds.
demo:
	$(Q)scripts/install-deps.sh
	$(Q)$(MAKE) --no-print-directory all
	$(Q)scripts/demo.sh ./gwtrace

vmlinux:
	$(Q)scripts/gen-vmlinux.sh $(VMLINUX_H)

lint:
	$(Q)shellcheck -x scripts/*.sh scripts/vmlab/*.sh tests/*.sh tests/e2e/*.sh tests/fuzz/*.sh \
		bench/*.sh

# The consumer benchmark: replays a recording through the user objects,
# linked like the unit tests (no root, no BPF; bench/replay.c).
$(OUTPUT)/bench/replay: bench/replay.c $(LIB_OBJS) | $(OUTPUT)/bench
	$(call msg,CC,$@)
	$(Q)$(CC) $(USER_CFLAGS) -MMD -MP $< $(LIB_OBJS) $(LDFLAGS) $(LDLIBS) -o $@

# Forwarding cost of tracing, then the consumer's throughput on a recording
# (root, ~1.5 min; see bench/README.md). The plain gwtrace binary (the one
# `all` copies to ./gwtrace), replay and two traffic tools, built into
# $(OUTPUT)/bench. Never part of `make test`.
bench: $(OUTPUT)/gwtrace $(OUTPUT)/bench/replay
	$(Q)mkdir -p $(OUTPUT)/bench
	$(call msg,CC,$(OUTPUT)/bench/udpflood $(OUTPUT)/bench/udpsink)
	$(Q)for t in udpflood udpsink; do \
		$(CC) -O2 -Wall -Wextra -Werror -std=gnu11 -D_GNU_SOURCE \
			bench/$$t.c -o $(OUTPUT)/bench/$$t || exit 1; \
	done
	$(Q)bench/run.sh $(OUTPUT)/gwtrace $(OUTPUT)/bench

# `make install` puts the binary in $(PREFIX)/sbin; `make install-systemd`
# adds the monitor's unit (scripts/gwtrace-monitor.service), pointed at that
# binary. Neither enables or starts anything. DESTDIR for packaging.
PREFIX ?= /usr/local
SYSTEMD_UNIT_DIR ?= /etc/systemd/system
UNIT := gwtrace-monitor.service

install: $(OUTPUT)/gwtrace
	$(call msg,INSTALL,$(DESTDIR)$(PREFIX)/sbin/gwtrace)
	$(Q)install -D -m 0755 $< $(DESTDIR)$(PREFIX)/sbin/gwtrace

install-systemd: install
	$(call msg,INSTALL,$(DESTDIR)$(SYSTEMD_UNIT_DIR)/$(UNIT))
	$(Q)install -d $(DESTDIR)$(SYSTEMD_UNIT_DIR)
	$(Q)sed 's|/usr/local/sbin/gwtrace|$(PREFIX)/sbin/gwtrace|' scripts/$(UNIT) \
		>$(DESTDIR)$(SYSTEMD_UNIT_DIR)/$(UNIT)
	$(Q)chmod 0644 $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$(UNIT)
	@echo "then: systemctl daemon-reload && systemctl enable --now $(UNIT)"

uninstall:
	$(call msg,UNINSTALL,gwtrace $(UNIT))
	$(Q)rm -f $(DESTDIR)$(PREFIX)/sbin/gwtrace $(DESTDIR)$(SYSTEMD_UNIT_DIR)/$(UNIT)

clean:
	$(call msg,CLEAN)
	$(Q)rm -rf $(OUTPUT) gwtrace

-include $(wildcard $(OUTPUT)/bpf/*.d $(OUTPUT)/user/*.d $(OUTPUT)/user/*/*.d \
	$(OUTPUT)/tests/*.d $(OUTPUT)/bench/*.d)
