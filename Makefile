# rtd: a real-time UDP data plane beside the Linux stack on one NIC.
#
#   make            build build/rtd, build/rtctl (BPF embedded via skeletons)
#   make test       install deps, build, run unit and namespace tests
#   make demo       install deps, build, run the latency/throughput demo
#   make bench      install deps, build, run the benchmark
#   make install    PREFIX=/usr/local by default

PREFIX   ?= /usr/local
DESTDIR  ?=
B        := build
CC       ?= gcc
# 16, not Debian 12's default 14: the BPF qdisc needs BTF type tags (kptr).
CLANG    ?= clang-16
BPFTOOL  ?= bpftool

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS   ?= -O2 -g
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -I. -I$(B) -fno-strict-aliasing
LDLIBS   := -lxdp -lbpf -luring -lelf -lz -lpthread
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude \
	-I/usr/include/$(shell $(CC) -dumpmachine)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(B)/%.bpf.o,$(BPF_SRCS))
SKELS    := $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))

RTD_SRCS := $(wildcard rtd/*.c rtd/apps/*.c)
RTD_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(RTD_SRCS))
CTL_SRCS := $(wildcard ctl/*.c) rtd/portset.c
CTL_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(CTL_SRCS))
TOOL_SRCS := $(filter-out %.bpf.c,$(wildcard tests/tools/*.c))
TOOLS    := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRCS)) \
	$(patsubst tests/tools/%.bpf.c,$(B)/tools/%.bpf.o,$(wildcard tests/tools/*.bpf.c))

# Pure modules: no privileges, no kernel objects; unit tests link these,
# built with sanitizers.
UNIT_LIB_SRCS := rtd/portset.c rtd/csum.c rtd/eth.c rtd/ip.c rtd/udp.c \
	rtd/stack.c rtd/neigh_table.c rtd/config.c rtd/bencode.c rtd/sdp.c rtd/ng.c
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps test unit nettest demo bench install clean tools
.SECONDARY:

all: $(B)/rtd $(B)/rtctl

deps:
	@sh scripts/deps.sh build

$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard include/rtd/*.h bpf/*.h) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# Objects track the headers they include (-MMD); the skeletons must exist
# before the first compile, when there are no dependency files yet.
$(B)/obj/rtd/%.o: rtd/%.c $(SKELS) | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/obj/ctl/%.o: ctl/%.c | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

-include $(RTD_OBJS:.o=.d) $(CTL_OBJS:.o=.d)

$(B)/rtd: $(RTD_OBJS)
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/rtctl: $(CTL_OBJS)
	$(CC) $(CFLAGS) -o $@ $^

$(B)/tools/%.bpf.o: tests/tools/%.bpf.c | $(B)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/tools/%: tests/tools/%.c tests/tools/tool.h | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lpthread -lm

tools: $(TOOLS)

$(B)/unit/%: tests/unit/%.c $(UNIT_LIB_SRCS) $(wildcard include/rtd/*.h rtd/*.h rtd/apps/*.h tests/unit/*.h) | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -o $@ $< $(UNIT_LIB_SRCS) -lcmocka -luring -lpthread

$(B):
	@mkdir -p $(B)

unit: $(UNIT_BINS)
	@sh tests/unit/run.sh $(UNIT_BINS)

nettest: all tools
	@sh tests/net/run.sh

test:
	@sh scripts/deps.sh test
	@$(MAKE) --no-print-directory all tools $(UNIT_BINS)
	@sh tests/run.sh

demo:
	@sh scripts/deps.sh demo
	@$(MAKE) --no-print-directory all tools
	@sh tests/demo.sh

bench:
	@sh scripts/deps.sh bench
	@$(MAKE) --no-print-directory all tools
	@sh tests/bench.sh

install: all
	install -d $(DESTDIR)$(PREFIX)/sbin $(DESTDIR)$(PREFIX)/bin \
		$(DESTDIR)$(PREFIX)/lib/systemd/system $(DESTDIR)$(PREFIX)/lib/sysusers.d \
		$(DESTDIR)$(PREFIX)/share/doc/rtd $(DESTDIR)/etc/rtd
	install -m 0755 $(B)/rtd $(DESTDIR)$(PREFIX)/sbin/rtd
	install -m 0755 $(B)/rtctl $(DESTDIR)$(PREFIX)/bin/rtctl
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' systemd/rtd@.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/rtd@.service
	install -m 0644 systemd/rtd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/rtd.conf
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/rtd/README.md
	[ -e $(DESTDIR)/etc/rtd/rtd.conf ] || install -m 0644 systemd/rtd.conf $(DESTDIR)/etc/rtd/rtd.conf

clean:
	rm -rf $(B)
