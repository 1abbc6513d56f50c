# rtd: a real-time UDP data plane beside the Linux stack on one NIC.
#
#   make            build build/rtd, build/rtctl (BPF embedded via skeletons)
#   make test       install deps, build, run unit and namespace tests
#   make unit       unit tests only (no root needed)
#   make nettest    namespace tests only (root)
#   make demo       install deps, build, run the latency/throughput demo
#   make bench      install deps, build, run the benchmark
#   make install    PREFIX=/usr/local by default
#   make deb        build/rtd_VERSION_ARCH.deb (dpkg-deb, dpkg-shlibdeps)

PREFIX   ?= /usr/local
DESTDIR  ?=
B        := build
CC       ?= gcc
# 16, not Debian 12's default 14: the BPF qdisc needs BTF type tags (kptr).
CLANG    ?= clang-16
BPFTOOL  ?= bpftool

WARN     := -Wall -Wextra -Werror -Wshadow -Wno-missing-field-initializers
CFLAGS   ?= -O2 -g
# <rtd/...> is include/rtd only; the daemon's own headers by their folder
# under rtd/ ("datapath/loop.h"), the pure ones under lib/ ("lib/clock.h").
CFLAGS   += -std=gnu11 $(WARN) -D_GNU_SOURCE -Iinclude -Irtd -I. -I$(B) -fno-strict-aliasing
# libcrypto: STUN's HMAC-SHA1; libssl: DTLS-SRTP; jansson: JSON-encoded ng
# messages; zlib: also STUN's CRC-32.
LDLIBS   := -lxdp -lbpf -luring -lelf -lz -lssl -lcrypto -ljansson -lhiredis -lmicrohttpd -lpthread
# libsrtp2: the SRTP tests' reference implementation; rtd does not link it.
UNIT_LDLIBS := -lcmocka -lssl -lcrypto -ljansson -lhiredis -lz -lpthread -lsrtp2
BPF_CFLAGS := -O2 -g -target bpf -Wall -Werror -Iinclude \
	-I/usr/include/$(shell $(CC) -dumpmachine)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
SKELS    := $(patsubst bpf/%.bpf.c,$(B)/%.skel.h,$(BPF_SRCS))

# Sources by room: the pure library, the daemon's shell, the RT thread's
# data path, the egress gate, the applications and the relay.
LIB_SRCS   := $(wildcard lib/*.c)
SHELL_SRCS := $(wildcard rtd/*.c)
DP_SRCS    := $(wildcard rtd/datapath/*.c)
GATE_SRCS  := $(wildcard rtd/gate/*.c)
APP_SRCS   := $(wildcard rtd/apps/*.c)
RELAY_SRCS := $(wildcard rtd/apps/relay/*.c)
RTD_SRCS   := $(SHELL_SRCS) $(DP_SRCS) $(GATE_SRCS) $(APP_SRCS) $(RELAY_SRCS)
RTD_OBJS   := $(patsubst %.c,$(B)/obj/%.o,$(RTD_SRCS))
LIB_OBJS   := $(patsubst %.c,$(B)/obj/%.o,$(LIB_SRCS))
CTL_SRCS   := $(wildcard ctl/*.c)
CTL_OBJS   := $(patsubst %.c,$(B)/obj/%.o,$(CTL_SRCS))

# What runs on the RT thread once it started: no allocation, lock or
# blocking call, no system call but the transmit kick.  tests/rt_path.sh
# checks these objects' calls against an allow list.
RT_SRCS := rtd/datapath/loop.c rtd/datapath/tx.c rtd/datapath/stack.c rtd/datapath/eth.c \
	rtd/datapath/ip.c rtd/datapath/udp.c rtd/datapath/csum.c rtd/neigh_table.c \
	rtd/apps/echo.c rtd/apps/relay/relay.c rtd/apps/relay/srtp.c
RT_OBJS := $(patsubst %.c,$(B)/obj/%.o,$(RT_SRCS))

TOOL_SRCS := $(filter-out %.bpf.c,$(wildcard tests/tools/*.c))
TOOLS    := $(patsubst tests/tools/%.c,$(B)/tools/%,$(TOOL_SRCS)) \
	$(patsubst tests/tools/%.bpf.c,$(B)/tools/%.bpf.o,$(wildcard tests/tools/*.bpf.c))

# Pure modules: no privileges, no kernel objects; the unit tests link these,
# built with sanitizers.
UNIT_LIB_SRCS := $(LIB_SRCS) rtd/log.c rtd/config.c rtd/neigh_table.c \
	rtd/datapath/csum.c rtd/datapath/eth.c rtd/datapath/ip.c rtd/datapath/udp.c \
	rtd/datapath/stack.c $(filter-out rtd/apps/relay/ng_server.c rtd/apps/relay/app.c \
		rtd/apps/relay/relay.c,$(RELAY_SRCS))
UNIT_LIB_OBJS := $(patsubst %.c,$(B)/san/%.o,$(UNIT_LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(B)/unit/%,$(UNIT_SRCS))
SAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps test unit nettest demo bench install deb clean tools
.SECONDARY:

all: $(B)/rtd $(B)/rtctl $(B)/rt-objs

deps:
	@sh scripts/deps.sh build

$(B)/%.bpf.o: bpf/%.bpf.c $(wildcard include/rtd/*.h bpf/*.h) | $(B)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

$(B)/%.skel.h: $(B)/%.bpf.o
	$(BPFTOOL) gen skeleton $< > $@

# Each object waits only for the skeletons it includes; headers are tracked
# by -MMD once an object has been built.
skels_of = $(patsubst %,$(B)/%.skel.h,$(shell sed -n 's/^\#include "\(.*\)\.skel\.h".*/\1/p' $(1)))
$(foreach s,$(RTD_SRCS),$(eval $(B)/obj/$(s:.c=.o): $(call skels_of,$(s))))

$(B)/obj/%.o: %.c | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(B)/san/%.o: %.c | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN) -MMD -MP -c $< -o $@

-include $(RTD_OBJS:.o=.d) $(CTL_OBJS:.o=.d) $(LIB_OBJS:.o=.d) $(UNIT_LIB_OBJS:.o=.d)

$(B)/lib.a: $(LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/rtd: $(RTD_OBJS) $(B)/lib.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/rtctl: $(CTL_OBJS) $(B)/lib.a
	$(CC) $(CFLAGS) -o $@ $^

$(B)/rt-objs: Makefile | $(B)
	@echo $(RT_OBJS) > $@

$(B)/tools/%.bpf.o: tests/tools/%.bpf.c | $(B)
	@mkdir -p $(dir $@)
	$(CLANG) $(BPF_CFLAGS) -c $< -o $@

# rtpload speaks SRTP as an SDES phone would: Debian's libsrtp2, a test peer's.
$(B)/tools/rtpload: TOOL_LIBS := -lsrtp2

$(B)/tools/%: tests/tools/%.c tests/tools/tool.h | $(B)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< -lpthread -lm $(TOOL_LIBS)

tools: $(TOOLS)

$(B)/unit/libunit.a: $(UNIT_LIB_OBJS)
	$(AR) rcs $@ $^

$(B)/unit/%: tests/unit/%.c $(B)/unit/libunit.a | $(B)
	@mkdir -p $(dir $@) $(B)/obj/unit
	$(CC) $(CFLAGS) $(SAN) -MMD -MP -MF $(B)/obj/unit/$*.d -o $@ $< $(B)/unit/libunit.a \
		$(UNIT_LDLIBS)

-include $(patsubst tests/unit/%.c,$(B)/obj/unit/%.d,$(UNIT_SRCS))

$(B):
	@mkdir -p $(B)/unit

unit: $(UNIT_BINS) all
	@sh tests/run.sh unit

nettest: all tools
	@sh tests/run.sh net

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
		$(DESTDIR)$(PREFIX)/share/doc/rtd $(DESTDIR)/etc/rtd \
		$(DESTDIR)$(PREFIX)/share/man/man5 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0755 $(B)/rtd $(DESTDIR)$(PREFIX)/sbin/rtd
	install -m 0755 $(B)/rtctl $(DESTDIR)$(PREFIX)/bin/rtctl
	sed 's|@SBINDIR@|$(PREFIX)/sbin|g' systemd/rtd@.service \
		> $(DESTDIR)$(PREFIX)/lib/systemd/system/rtd@.service
	install -m 0644 systemd/rtd.sysusers $(DESTDIR)$(PREFIX)/lib/sysusers.d/rtd.conf
	install -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/rtd/README.md
	install -m 0644 man/rtd.8 man/rtctl.8 $(DESTDIR)$(PREFIX)/share/man/man8
	install -m 0644 man/rtd.conf.5 $(DESTDIR)$(PREFIX)/share/man/man5
	[ -e $(DESTDIR)/etc/rtd/rtd.conf ] || install -m 0644 systemd/rtd.conf $(DESTDIR)/etc/rtd/rtd.conf

deb:
	@sh scripts/deps.sh build
	@$(MAKE) --no-print-directory all
	@sh scripts/deb.sh

clean:
	rm -rf $(B)

.PHONY: fuzz
include tests/fuzz/fuzz.mk
