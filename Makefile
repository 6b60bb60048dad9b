# leofs: top-level build.
#
#   make              build everything (module, daemons, tools, tests)
#   make help         list the targets
#
# Userspace code lives in lib/<name>/ (one static library, libleofs.a),
# daemons/<name>/ (main.c plus a library of the rest, so unit tests can link
# the daemon logic) and utils/<tool>/. Tests are found by file name:
# tests/unit/test_*.c, tests/fuzz/fuzz_*.c, tests/bench/bench_*.c.

.DEFAULT_GOAL := all
.SECONDEXPANSION:
SHELL := /bin/bash

BUILD ?= build
CC ?= cc
CLANG ?= clang
V ?= 0
ifeq ($(V),0)
Q := @
else
Q :=
endif

PKG_NL := $(shell pkg-config --cflags libnl-genl-3.0 2>/dev/null)
INCLUDES := -Iinclude -I$(BUILD)/gen
BASE_CFLAGS := -std=gnu11 -g -D_GNU_SOURCE -Wall -Wextra -Werror \
	-Wno-missing-field-initializers -fno-strict-aliasing $(INCLUDES) $(PKG_NL)
OPT_CFLAGS := -O2
SAN_CFLAGS := -O1 -fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer
FUZZ_CFLAGS := -O1 -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=undefined -fno-omit-frame-pointer -DLEOFS_FUZZING
EXT_LIBS := -lisal -ljansson -lsystemd -lnl-genl-3 -lnl-3 -llmdb -lraft \
	-lpthread -lm

# ---- sources ---------------------------------------------------------------

LIB_DIRS := $(sort $(dir $(wildcard lib/*/*.c)))
LIB_SRCS := $(wildcard $(addsuffix *.c,$(LIB_DIRS)))
DAEMONS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard daemons/*/*.c)))))
DAEMON_LIB_SRCS := $(filter-out %/main.c,$(wildcard daemons/*/*.c))
TOOLS := $(notdir $(patsubst %/,%,$(sort $(dir $(wildcard utils/*/*.c)))))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_HELPER_SRCS := $(wildcard tests/unit/helper_*.c) $(wildcard tests/golden/*.c)
FUZZ_SRCS := $(wildcard tests/fuzz/fuzz_*.c)
BENCH_SRCS := $(wildcard tests/bench/bench_*.c)
BENCH_HELPER_SRCS := $(wildcard tests/bench/helper_*.c)
ITEST_SRCS := $(wildcard tests/integration/*.c)

# Generated headers (fixed-point tables and the like) are declared by
# optional per-directory rules.mk fragments, which append to GEN_HEADERS.
GEN_HEADERS :=
-include $(wildcard lib/*/rules.mk)

# Program name for a tool directory: utils/admin -> leofs-admin, except
# utils/mount -> mount.leofs (what mount(8) runs for -t leofs).
tool_name = $(if $(filter mount,$(1)),mount.leofs,leofs-$(1))

# ---- object trees ----------------------------------------------------------
# $(BUILD)/opt   -O2, for daemons, tools and benchmarks
# $(BUILD)/san   ASan+UBSan, for unit tests
# $(BUILD)/fuzz  clang libFuzzer instrumentation

$(BUILD)/opt/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC      $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(OPT_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC-SAN  $<"
	$(Q)$(CC) $(BASE_CFLAGS) $(SAN_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/%.o: %.c | $(GEN_HEADERS)
	@mkdir -p $(@D)
	@echo "  CC-FUZZ $<"
	$(Q)$(CLANG) $(BASE_CFLAGS) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@

objs = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(2))

define archive
	@mkdir -p $(@D)
	@echo "  AR      $@"
	$(Q)rm -f $@ && ar rcs $@ $^
endef

$(BUILD)/%/libleofs.a: $$(call objs,$$*,$(LIB_SRCS))
	$(archive)

# One archive per daemon holding everything but main.c.
$(BUILD)/%/libdaemons.a: $$(call objs,$$*,$(DAEMON_LIB_SRCS))
	$(archive)

# ---- daemons and tools -----------------------------------------------------

PROGRAMS := $(addprefix $(BUILD)/bin/leofs-,$(DAEMONS)) \
	$(foreach t,$(TOOLS),$(BUILD)/bin/$(call tool_name,$(t)))

define daemon_rule
$(BUILD)/bin/leofs-$(1): $(call objs,opt,daemons/$(1)/main.c) $(BUILD)/opt/libdaemons.a $(BUILD)/opt/libleofs.a
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(OPT_CFLAGS) -o $$@ $$^ $(EXT_LIBS)
endef
$(foreach d,$(DAEMONS),$(eval $(call daemon_rule,$(d))))

define tool_rule
$(BUILD)/bin/$(call tool_name,$(1)): $(call objs,opt,$(wildcard utils/$(1)/*.c)) $(BUILD)/opt/libdaemons.a $(BUILD)/opt/libleofs.a
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	$(Q)$(CC) $(OPT_CFLAGS) -o $$@ $$^ $(EXT_LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# ---- tests -----------------------------------------------------------------

UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
UNIT_HELPER_OBJS := $(call objs,san,$(UNIT_HELPER_SRCS))

$(BUILD)/tests/unit/%: $(BUILD)/san/tests/unit/%.o $(UNIT_HELPER_OBJS) \
		$(BUILD)/san/libdaemons.a $(BUILD)/san/libleofs.a
	@mkdir -p $(@D)
	@echo "  LD-SAN  $@"
	$(Q)$(CC) $(SAN_CFLAGS) -o $@ $^ -lcmocka $(EXT_LIBS)

FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(FUZZ_SRCS))

$(BUILD)/tests/fuzz/%: $(BUILD)/fuzz/tests/fuzz/%.o $(BUILD)/fuzz/libdaemons.a \
		$(BUILD)/fuzz/libleofs.a
	@mkdir -p $(@D)
	@echo "  LD-FUZZ $@"
	$(Q)$(CLANG) -fsanitize=fuzzer,address,undefined -o $@ $^ $(EXT_LIBS)

BENCH_BINS := $(patsubst tests/bench/%.c,$(BUILD)/tests/bench/%,$(BENCH_SRCS))

$(BUILD)/tests/bench/%: $(BUILD)/opt/tests/bench/%.o \
		$(call objs,opt,$(BENCH_HELPER_SRCS)) $(BUILD)/opt/libdaemons.a \
		$(BUILD)/opt/libleofs.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT_CFLAGS) -o $@ $^ $(EXT_LIBS)

# Integration test helpers written in C (one program per file).
ITEST_BINS := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(ITEST_SRCS))

$(BUILD)/tests/integration/%: $(BUILD)/opt/tests/integration/%.o \
		$(BUILD)/opt/libdaemons.a $(BUILD)/opt/libleofs.a
	@mkdir -p $(@D)
	@echo "  LD      $@"
	$(Q)$(CC) $(OPT_CFLAGS) -o $@ $^ $(EXT_LIBS)

.SECONDARY:

# ---- kernel module ---------------------------------------------------------

# KDIR: the command line wins; else the running kernel's build directory;
# else the newest one installed. scripts/find-kdir implements the search.
KDIR ?= $(shell scripts/find-kdir)

module: $(GEN_HEADERS)
	@mkdir -p $(BUILD)/gen
	@if [ -z "$(KDIR)" ] || [ ! -d "$(KDIR)" ]; then \
		echo "error: no kernel build directory found$(if $(KDIR), at $(KDIR))." >&2; \
		echo "  Install Debian's headers: apt-get install linux-headers-amd64" >&2; \
		echo "  (or run scripts/install-deps), or pass KDIR=/path/to/build." >&2; \
		exit 1; fi
	$(Q)$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules 2>&1 | tee $(BUILD)/module.log
	@if grep -E 'warning:|error:' $(BUILD)/module.log >/dev/null; then \
		echo "error: the module build printed warnings (see $(BUILD)/module.log)" >&2; \
		exit 1; fi
	@test -f kernel/leofs.ko

module-clean:
	@if [ -n "$(KDIR)" ] && [ -d "$(KDIR)" ]; then \
		$(MAKE) -C $(KDIR) M=$(CURDIR) clean >/dev/null; fi

$(BUILD)/module.log: | $(BUILD)
$(BUILD):
	@mkdir -p $@

# ---- top-level targets -----------------------------------------------------

userspace: $(PROGRAMS) $(UNIT_BINS) $(BENCH_BINS) $(ITEST_BINS)
fuzzers: $(FUZZ_BINS)

all: | $(BUILD)
	$(Q)$(MAKE) --no-print-directory userspace
	$(Q)$(MAKE) --no-print-directory fuzzers
	$(Q)$(MAKE) --no-print-directory module

NPROC := $(shell nproc 2>/dev/null || echo 2)

deps:
	scripts/install-deps

# The README's two commands install what they need first, then build
# (recursively, so the build sees the freshly installed packages).
check: deps
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) all
	BUILD=$(abspath $(BUILD)) scripts/run-tests all

demo: deps
	$(Q)$(MAKE) --no-print-directory -j$(NPROC) all
	BUILD=$(abspath $(BUILD)) scripts/demo

check-unit: userspace
	BUILD=$(abspath $(BUILD)) scripts/run-tests unit

check-fuzz: fuzzers
	BUILD=$(abspath $(BUILD)) scripts/run-tests fuzz

check-integration: userspace
	BUILD=$(abspath $(BUILD)) scripts/run-tests integration

check-vm: all
	BUILD=$(abspath $(BUILD)) scripts/run-tests vm

check-vm-full: all
	BUILD=$(abspath $(BUILD)) scripts/run-tests vm-full

fuzz: fuzzers
	LEOFS_FUZZ_SECONDS=$${LEOFS_FUZZ_SECONDS:-600} BUILD=$(abspath $(BUILD)) scripts/run-tests fuzz

bench-libs: userspace
	BUILD=$(abspath $(BUILD)) scripts/run-bench libs

bench: all
	BUILD=$(abspath $(BUILD)) scripts/run-bench all

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean: module-clean
	rm -rf $(BUILD)

help:
	@echo "leofs build targets:"
	@echo "  make               build everything: kernel/leofs.ko, daemons, tools, tests"
	@echo "  make demo          the main job: build, then run the local cluster demo"
	@echo "  make check         run every test layer (unit, fuzz, integration, vm)"
	@echo "  make check-unit    cmocka unit tests, built with ASan and UBSan"
	@echo "  make check-fuzz    short bounded run of every fuzz target"
	@echo "  make check-integration  real daemons on 127.0.0.1"
	@echo "  make check-vm      kernel tests in a QEMU guest (scripts/vm-run)"
	@echo "  make check-vm-full the kernel checks at full size (several hours)"
	@echo "  make fuzz          long fuzz run (LEOFS_FUZZ_SECONDS per target, default 600)"
	@echo "  make bench-libs    library benchmarks (JSON lines)"
	@echo "  make bench         every benchmark of the project"
	@echo "  make module        only the kernel module (KDIR=... to choose the kernel)"
	@echo "  make userspace     only daemons, tools and test programs"
	@echo "  make deps          install the Debian packages leofs needs"
	@echo "  make format        clang-format the tree"
	@echo "  make clean         remove build products"

.PHONY: all userspace fuzzers module module-clean deps check check-unit \
	check-fuzz check-integration check-vm check-vm-full fuzz bench-libs bench demo format \
	clean help

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
