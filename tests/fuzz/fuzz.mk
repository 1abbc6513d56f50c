# libFuzzer targets, one per tests/fuzz/fuzz_<name>.c, built with clang-16
# over the unit tests' pure sources (plus the rtnetlink mirror), all of it
# instrumented for libFuzzer, ASan and UBSan.  Included by the Makefile.
#
#   make fuzz          each target FUZZ_SECS seconds (default 60) over its
#                      corpus; what it finds is kept in build/fuzz/corpus/
#   make fuzz-build    the targets only
#   make fuzz-cov      line coverage of the corpora (clang-16 profile,
#                      read by clang-14's llvm-cov: clang-16 here has none)
#
# tests/fuzz/run.sh runs them; without FUZZ_SECS (make test) it replays
# every corpus and fuzzes each target for a few seconds.

FUZZ_CC       ?= clang-16
FUZZ_SECS     ?= 60
FUZZ_PROFDATA ?= llvm-profdata-14
FUZZ_COV      ?= llvm-cov-14
FUZZ_B        := $(B)/fuzz
FUZZ_NAMES    := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS     := $(patsubst %,$(FUZZ_B)/fuzz_%,$(FUZZ_NAMES))
FUZZ_SRCS     := $(sort $(UNIT_LIB_SRCS) rtd/neigh.c rtd/nl.c rtd/log.c rtd/neigh_table.c)
FUZZ_CFLAGS   := -std=gnu11 -D_GNU_SOURCE -Iinclude -Irtd -I. -I$(B) -g -O1 \
	-fno-omit-frame-pointer -fno-strict-aliasing $(WARN)
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_OBJS     := $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(FUZZ_SRCS))
# What the sources under test link against, as the unit tests have it.
FUZZ_LDLIBS   := $(filter-out -lcmocka,$(UNIT_LDLIBS)) -lpthread
# Two targets replace a library call in one object only (a copy of it,
# linked ahead of the archive), never in libFuzzer's own: config_load's
# fopen opens the input's file whatever path the input names (--config
# /dev/stdin would block), and ng_new's 1.5 MB calloc is kept between
# inputs (fresh pages from the kernel on every input cost most of the time).
FUZZ_EXTRA_config := $(FUZZ_B)/obj/config-fopen.o
FUZZ_EXTRA_ng     := $(FUZZ_B)/obj/ng_cmd-calloc.o

# The coverage build: the same sources with clang's source-based coverage
# instead of the sanitizers.
FUZZ_COV_B    := $(FUZZ_B)/cov
FUZZ_COV_OBJS := $(patsubst %.c,$(FUZZ_COV_B)/obj/%.o,$(FUZZ_SRCS))
FUZZ_COV_FLAGS := -fprofile-instr-generate -fcoverage-mapping

$(FUZZ_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_B)/libfuzz.a: $(FUZZ_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_B)/obj/config-fopen.o: $(FUZZ_B)/obj/rtd/config.o
	objcopy --redefine-sym fopen=fuzz_fopen $< $@

$(FUZZ_B)/obj/ng_cmd-calloc.o: $(FUZZ_B)/obj/rtd/apps/relay/ng_cmd.o
	objcopy --redefine-sym calloc=fuzz_calloc --redefine-sym free=fuzz_free $< $@

.SECONDEXPANSION:
$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c $$(FUZZ_EXTRA_$$*) $(FUZZ_B)/libfuzz.a
	@mkdir -p $(FUZZ_B)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_SAN) -fsanitize=fuzzer -MMD -MP \
		-MF $(FUZZ_B)/obj/fuzz_$*.d -o $@ $< $(FUZZ_EXTRA_$*) $(FUZZ_B)/libfuzz.a \
		$(FUZZ_LDLIBS_$*) $(FUZZ_LDLIBS)

$(FUZZ_COV_B)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COV_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP \
		-c $< -o $@

$(FUZZ_COV_B)/libfuzz.a: $(FUZZ_COV_OBJS)
	@rm -f $@
	$(AR) rcs $@ $^

$(FUZZ_COV_B)/obj/config-fopen.o: $(FUZZ_COV_B)/obj/rtd/config.o
	objcopy --redefine-sym fopen=fuzz_fopen $< $@

$(FUZZ_COV_B)/obj/ng_cmd-calloc.o: $(FUZZ_COV_B)/obj/rtd/apps/relay/ng_cmd.o
	objcopy --redefine-sym calloc=fuzz_calloc --redefine-sym free=fuzz_free $< $@

$(FUZZ_COV_B)/fuzz_%: tests/fuzz/fuzz_%.c $$(subst $(FUZZ_B)/,$(FUZZ_COV_B)/,$$(FUZZ_EXTRA_$$*)) \
		$(FUZZ_COV_B)/libfuzz.a
	@mkdir -p $(FUZZ_COV_B)/obj
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_COV_FLAGS) -fsanitize=fuzzer -MMD -MP \
		-MF $(FUZZ_COV_B)/obj/fuzz_$*.d -o $@ $< \
		$(subst $(FUZZ_B)/,$(FUZZ_COV_B)/,$(FUZZ_EXTRA_$*)) $(FUZZ_COV_B)/libfuzz.a $(FUZZ_LDLIBS) \
		$(FUZZ_LDLIBS_$*)

-include $(FUZZ_OBJS:.o=.d) $(FUZZ_COV_OBJS:.o=.d) \
	$(patsubst %,$(FUZZ_B)/obj/fuzz_%.d,$(FUZZ_NAMES)) \
	$(patsubst %,$(FUZZ_COV_B)/obj/fuzz_%.d,$(FUZZ_NAMES))

.PHONY: fuzz-build fuzz-cov

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@FUZZ_SECS=$(FUZZ_SECS) sh tests/fuzz/run.sh

# Each corpus (the tree's seeds and what make fuzz found) through the
# coverage build; one report per target, over the sources it links.
fuzz-cov: $(patsubst %,$(FUZZ_COV_B)/fuzz_%,$(FUZZ_NAMES))
	@for n in $(FUZZ_NAMES); do \
		d=$(FUZZ_COV_B)/$$n; rm -rf $$d; mkdir -p $$d; \
		LLVM_PROFILE_FILE=$$d/%p.profraw $(FUZZ_COV_B)/fuzz_$$n -runs=0 \
			tests/fuzz/corpus/$$n $$(ls -d $(FUZZ_B)/corpus/$$n 2>/dev/null) \
			>$$d/run.log 2>&1 || { echo "fuzz-cov: fuzz_$$n failed, see $$d/run.log"; exit 1; }; \
		$(FUZZ_PROFDATA) merge -sparse -o $$d/all.profdata $$d/*.profraw || exit 1; \
		echo "== fuzz_$$n"; \
		$(FUZZ_COV) report $(FUZZ_COV_B)/fuzz_$$n -instr-profile=$$d/all.profdata \
			-ignore-filename-regex='tests/fuzz/' | \
			awk '$$1 ~ /\.c$$/ && $$(NF-3) != "0" || /^TOTAL/'; \
	done
