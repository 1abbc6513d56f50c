// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * rtd's settings from a config file and from the command line.  The input
 * is the file, then "\n%%\n", then the arguments separated by NULs (after
 * an argv[0] of "rtd"); without the separator it is all file and the
 * command line is "rtd --config FILE".
 *
 * The file is a memfd, loaded through /proc/self/fd/N.  Whatever path the
 * arguments name (--config /dev/stdin would block the fuzzer), config.c's
 * fopen is fuzz_fopen here (fuzz.mk renames it in a copy of config.o), which
 * opens that same memfd: every --config reads the input's file.
 *
 * What config_load and config_parse_args promise: 0, or an error with a
 * one-line reason; from the file, prefixed "<path>:<line>: " with a line
 * the file has, "line too long" only for a line that is (1023 bytes before
 * its LF), "a NUL byte" only for a line that has one; a command line
 * accepted names an interface and at least one RT port; a file loads the
 * same way twice, and loaded over itself changes nothing but the relay's
 * interfaces (each "interface" line adds one).
 */
#include <errno.h>
#include <stdbool.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "fuzz.h"

#define SEP "\n%%\n"
#define MAX_ARGS 64

static char path[64];

FILE *fuzz_fopen(const char *p, const char *mode);
FILE *fuzz_fopen(const char *p, const char *mode)
{
	(void)p;
	return fopen(path, mode);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfd_create("rtd.conf", MFD_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd < 0)
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	return 0;
}

static void set_file(const uint8_t *p, size_t n)
{
	int fd = atoi(path + strlen("/proc/self/fd/"));

	if (ftruncate(fd, 0) || pwrite(fd, p, n, 0) != (ssize_t)n)
		abort();
}

/* The length of line lineno (1-based) of file, up to its LF; -1 if none. */
static long line_len(const uint8_t *file, size_t n, unsigned lineno)
{
	size_t pos = 0;

	for (unsigned l = 1; pos < n; l++) {
		const uint8_t *nl = memchr(file + pos, '\n', n - pos);
		size_t end = nl ? (size_t)(nl - file) : n;

		if (l == lineno)
			return (long)(end - pos);
		pos = end + 1;
	}
	return -1;
}

static bool line_has_nul(const uint8_t *file, size_t n, unsigned lineno)
{
	size_t pos = 0;

	for (unsigned l = 1; l < lineno && pos < n; l++) {
		const uint8_t *nl = memchr(file + pos, '\n', n - pos);

		pos = nl ? (size_t)(nl - file) + 1 : n;
	}
	return pos < n && memchr(file + pos, 0, (size_t)line_len(file, n, lineno));
}

static void check_err(const char *err, size_t errlen)
{
	FUZZ_CHECK(memchr(err, 0, errlen) && err[0], "no reason given");
}

static void check_load(const uint8_t *file, size_t n)
{
	struct rtd_config c, c2;
	char err[512];
	unsigned lineno;
	int ret, at;

	config_defaults(&c);
	memset(err, 0, sizeof(err));
	ret = config_load(&c, path, err, sizeof(err));
	if (!ret) {
		/* The same file loads the same way again. */
		config_defaults(&c2);
		FUZZ_CHECK(!config_load(&c2, path, err, sizeof(err)) && !memcmp(&c, &c2, sizeof(c)),
			   "loading the file again differs");
		/* Loaded over what it set, it changes nothing but what adds up by
		 * design: each "interface" line is one more interface. */
		FUZZ_CHECK(!config_load(&c2, path, err, sizeof(err)), "loading it over itself fails");
		memset(&c.relay.ifaces, 0, sizeof(c.relay.ifaces));
		memset(&c2.relay.ifaces, 0, sizeof(c2.relay.ifaces));
		FUZZ_CHECK(!memcmp(&c, &c2, sizeof(c)), "loading the file over itself changed it");
		return;
	}
	FUZZ_CHECK(ret == -EINVAL, "config_load: %d", ret);
	check_err(err, sizeof(err));
	FUZZ_CHECK(sscanf(err, "/proc/self/fd/%*d:%u: %n", &lineno, &at) == 1 && at > 0,
		   "'%s' does not start with the path and a line", err);
	FUZZ_CHECK(line_len(file, n, lineno) >= 0, "'%s': the file has no line %u", err, lineno);
	if (strstr(err + at, "line too long") == err + at)
		FUZZ_CHECK(line_len(file, n, lineno) >= 1023, "'%s', but line %u has %ld bytes",
			   err, lineno, line_len(file, n, lineno));
	if (strstr(err + at, "a NUL byte") == err + at)
		FUZZ_CHECK(line_has_nul(file, n, lineno), "'%s', but line %u has none", err, lineno);
}

static void check_args(const uint8_t *args, size_t n, bool have)
{
	char *copy = malloc(n + 1), *argv[MAX_ARGS + 1], err[512];
	int argc = 0, ret;
	struct rtd_config c;

	if (!copy)
		abort();
	argv[argc++] = "rtd";
	if (have) {
		memcpy(copy, args, n);
		copy[n] = 0;
		for (size_t i = 0; i <= n && argc < MAX_ARGS;) {
			argv[argc++] = copy + i;
			i += strlen(copy + i) + 1;
		}
	} else {
		argv[argc++] = "--config";
		argv[argc++] = "rtd.conf";
	}
	argv[argc] = NULL;
	config_defaults(&c);
	memset(err, 0, sizeof(err));
	ret = config_parse_args(&c, argc, argv, err, sizeof(err));
	if (ret) {
		FUZZ_CHECK(ret == -EINVAL || ret == -ENOENT, "config_parse_args: %d", ret);
		check_err(err, sizeof(err));
	} else if (!c.help && !c.version) {
		FUZZ_CHECK(c.iface[0] && portset_count(&c.ports), "accepted without iface or ports");
		FUZZ_CHECK(c.ctl_socket[0], "no control socket path");
	}
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *sep = memmem(data, size, SEP, strlen(SEP));
	size_t flen = sep ? (size_t)(sep - data) : size;

	set_file(data, flen);
	check_load(data, flen);
	if (sep)
		check_args(sep + strlen(SEP), size - flen - strlen(SEP), true);
	else
		check_args(NULL, 0, false);
	return 0;
}
