// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc_plugin.so: lets CRIU (Debian's 3.17) checkpoint and restore
 * processes that use the sysvipc module through libsysvipc.
 *
 * CRIU hands every descriptor of an unknown character device to its
 * plugins (DUMP_EXT_FILE / RESTORE_EXT_FILE).  What the module keeps for
 * the tasks lives outside them, so the plugin saves it beside CRIU's
 * images, while the tree is frozen:
 *
 * dump, at the first /dev/sysvipc descriptor:
 *   sysvipc-objects.img  every object (sysvipc-cr dump, docs/cr-format.md)
 *   sysvipc-undo.img     the SEM_UNDO list of every task CRIU has seized,
 *                        one "vpid semid semnum adj" line per entry
 *   and per descriptor a marker sysvipc-fd-ID.img.
 * restore:
 *   init                 recreates the objects with their ids (sysvipc-cr
 *                        restore; it refuses a registry that has any of
 *                        those ids and then changes nothing)
 *   RESTORE_EXT_FILE     opens /dev/sysvipc again
 *   RESUME_DEVICES_LATE  installs each restored task's undo list, found by
 *                        its pid in its own pid namespace, before it runs
 *
 * HANDLE_DEVICE_VMA / UPDATE_VMA_MAP take the library's mappings of the
 * device (semaphore fast-path pages, the queues' status region, ABI 1.4):
 * CRIU maps the device again at the same page offset.
 *
 * The objects are the whole registry, the way CRIU dumps a whole IPC
 * namespace: the tree is taken to own them.  Not handled (CRIU refuses such
 * a dump): attached segments, which CRIU takes for the kernel's own SysV
 * attaches (a /SYSV name on the shmem device) and would re-attach with the
 * kernel's shmat().  docs/criu.md has the details.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <criu/criu-plugin.h>
#include <linux/sysvipc.h>
#include "../undo-fetch.h"

#ifndef SYSVIPC_CR_PATH
#define SYSVIPC_CR_PATH	"/usr/local/bin/sysvipc-cr"
#endif
#define DEVICE		"/dev/sysvipc"
#define OBJECTS_IMG	"sysvipc-objects.img"
#define UNDO_IMG	"sysvipc-undo.img"

/* CRIU's logger, exported by the criu binary (criu-log.h needs its log.h). */
extern void print_on_level(unsigned int loglevel, const char *format, ...)
	__attribute__((format(printf, 2, 3)));
#define LOG_ERROR	1
#define LOG_INFO	3
#define pr_err(fmt, ...)	print_on_level(LOG_ERROR, "sysvipc: " fmt, ##__VA_ARGS__)
#define pr_info(fmt, ...)	print_on_level(LOG_INFO, "sysvipc: " fmt, ##__VA_ARGS__)

extern char **environ;

static int dumped;		/* objects and undo lists saved */
static int undo_loaded;
/* sysvipc-undo.img at restore, parsed once */
static struct undo_line {
	pid_t vpid;
	struct sysvipc_undo_entry e;
} *undo_lines;
static size_t undo_count;

/* The image directory as a path, for sysvipc-cr. */
static int image_path(const char *name, char *buf, size_t len)
{
	char link[64], dir[PATH_MAX];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", criu_get_image_dir());
	n = readlink(link, dir, sizeof(dir) - 1);
	if (n < 0) {
		pr_err("cannot resolve the image directory: %s\n", strerror(errno));
		return -1;
	}
	dir[n] = '\0';
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		pr_err("image path too long\n");
		return -1;
	}
	return 0;
}

/* Run sysvipc-cr with @cmd on @file; 0 when it exited 0. */
static int run_cr(const char *cmd, const char *file)
{
	const char *cr = getenv("SYSVIPC_CR") ?: SYSVIPC_CR_PATH;
	char *argv[] = { (char *)cr, (char *)cmd, (char *)file, NULL };
	pid_t pid;
	int st, err;

	err = posix_spawn(&pid, cr, NULL, NULL, argv, environ);
	if (err) {
		pr_err("cannot run %s: %s\n", cr, strerror(err));
		return -1;
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (!WIFEXITED(st) || WEXITSTATUS(st)) {
		pr_err("%s %s %s failed (status %#x)\n", cr, cmd, file, st);
		return -1;
	}
	pr_info("%s %s %s: done\n", cr, cmd, file);
	return 0;
}

static int is_our_device(int fd)
{
	struct stat a, b;

	return !fstat(fd, &a) && S_ISCHR(a.st_mode) && !stat(DEVICE, &b) &&
	       S_ISCHR(b.st_mode) && a.st_rdev == b.st_rdev;
}

/* @key from /proc/PID/status, the last number on its line ("NSpid:"). */
static long status_field_last(pid_t pid, const char *key)
{
	char path[64], line[256];
	long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", pid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p, *end;

		if (strncmp(line, key, strlen(key)))
			continue;
		for (p = line + strlen(key); *p; p = end) {
			long x = strtol(p, &end, 10);

			if (end == p)
				break;
			v = x;
		}
		break;
	}
	fclose(f);
	return v;
}

/* Append @pid's undo list to @out; -1 on error. */
static int dump_undo_of(int dev, pid_t pid, FILE *out)
{
	struct sysvipc_undo_entry *e;
	long n = sysvipc_undo_fetch(dev, pid, &e), vpid, i;

	if (n < 0) {
		pr_err("undo list of %d: %s\n", pid, strerror(errno));
		return -1;
	}
	vpid = status_field_last(pid, "NSpid:");
	if (vpid <= 0)
		vpid = pid;
	for (i = 0; i < n; i++)
		fprintf(out, "%ld %d %u %d\n", vpid, e[i].semid, e[i].semnum, e[i].adj);
	if (n)
		pr_info("undo list of %d (vpid %ld): %ld entries\n", pid, vpid, n);
	free(e);
	return 0;
}

/* The undo lists of every task this CRIU process has seized (ptrace). */
static int dump_undo_lists(int dev)
{
	char path[PATH_MAX];
	struct dirent *d;
	FILE *out;
	DIR *proc;
	int ret = 0;

	if (image_path(UNDO_IMG, path, sizeof(path)))
		return -1;
	out = fopen(path, "we");
	proc = opendir("/proc");
	if (!out || !proc) {
		pr_err("%s: %s\n", out ? "/proc" : path, strerror(errno));
		if (out)
			fclose(out);
		if (proc)
			closedir(proc);
		return -1;
	}
	fprintf(out, "# sysvipc undo lists 1: vpid semid semnum adj\n");
	while ((d = readdir(proc))) {
		pid_t pid = atoi(d->d_name);

		if (pid <= 0 || status_field_last(pid, "TracerPid:") != getpid())
			continue;
		if (dump_undo_of(dev, pid, out))
			ret = -1;
	}
	closedir(proc);
	if (fclose(out))
		ret = -1;
	return ret;
}

static int write_marker(int id)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "sysvipc-fd-%d.img", id);
	fd = openat(criu_get_image_dir(), name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "sysvipc 1\n", 10) != 10) {
		pr_err("%s: %s\n", name, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return close(fd);
}

static int sysvipc_dump_file(int fd, int id)
{
	char path[PATH_MAX];

	if (!is_our_device(fd))
		return -ENOTSUP;
	if (!dumped) {
		if (image_path(OBJECTS_IMG, path, sizeof(path)) ||
		    run_cr("dump", path) || dump_undo_lists(fd))
			return -1;
		dumped = 1;
	}
	pr_info("descriptor id %d\n", id);
	return write_marker(id) ? -1 : 0;
}
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__DUMP_EXT_FILE, sysvipc_dump_file)

static int sysvipc_restore_file(int id)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "sysvipc-fd-%d.img", id);
	if (faccessat(criu_get_image_dir(), name, F_OK, 0))
		return -ENOTSUP;
	fd = open(DEVICE, O_RDWR);
	if (fd < 0)
		pr_err("%s: %s\n", DEVICE, strerror(errno));
	return fd < 0 ? -1 : fd;
}
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__RESTORE_EXT_FILE, sysvipc_restore_file)

/*
 * The library's mappings of the device (ABI 1.4): a set's fast-path page
 * at SYSVIPC_MMAP_SEM + id, the queues' status region at
 * SYSVIPC_MMAP_MSGSTATUS and (ABI 1.5) a queue's receive ring at
 * SYSVIPC_MMAP_MSGRING + id.  CRIU saves no contents for them (they are
 * the module's; dumping a queue takes its ring back into its list) and
 * maps the device again at the same offset on restore.
 */
static int sysvipc_handle_vma(int fd, const struct stat *st)
{
	struct stat dev;

	(void)fd;
	if (!S_ISCHR(st->st_mode) || stat(DEVICE, &dev) || st->st_rdev != dev.st_rdev)
		return -ENOTSUP;
	return 0;
}
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__HANDLE_DEVICE_VMA, sysvipc_handle_vma)

static int sysvipc_update_vma(const char *path, const uint64_t addr, const uint64_t old_pgoff,
			      uint64_t *new_pgoff, int *plugin_fd)
{
	struct sysvipc_msgstatus a = { 0 };
	int fd;

	/* CRIU's file names may lack the leading slash */
	if (strcmp(path + (path[0] != '/'), DEVICE + 1 - (path[0] == '/')) &&
	    strcmp(path, "." DEVICE))
		return -ENOTSUP;
	*new_pgoff = old_pgoff;
	*plugin_fd = -1;
	/* The region is made by the ioctl only; make sure it exists. */
	if (old_pgoff == SYSVIPC_MMAP_MSGSTATUS * 4096) {
		fd = open(DEVICE, O_RDWR | O_CLOEXEC);
		if (fd < 0 || ioctl(fd, SYSVIPC_IOC_MSGSTATUS, &a)) {
			pr_err("status region for %#llx: %s\n", (unsigned long long)addr,
			       strerror(errno));
			if (fd >= 0)
				close(fd);
			return -1;
		}
		munmap((void *)(uintptr_t)a.addr, a.size);
		close(fd);
	}
	pr_info("mapping at %#llx, offset %#llx\n", (unsigned long long)addr,
		(unsigned long long)old_pgoff);
	return 1;
}
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__UPDATE_VMA_MAP, sysvipc_update_vma)

static int load_undo_lines(void)
{
	char line[128];
	size_t room = 0;
	FILE *f;
	int fd;

	undo_loaded = 1;
	fd = openat(criu_get_image_dir(), UNDO_IMG, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		int vpid, semid, semnum, adj;
		char c;

		if (line[0] == '#')
			continue;
		if (sscanf(line, "%d %d %d %d%c", &vpid, &semid, &semnum, &adj, &c) != 5 ||
		    c != '\n' || semnum < 0 || semnum > 65535 || adj < -32768 || adj > 32767) {
			pr_err("%s: bad line: %s", UNDO_IMG, line);
			fclose(f);
			return -1;
		}
		if (undo_count == room) {
			void *p = realloc(undo_lines, (room = room * 2 + 16) * sizeof(*undo_lines));

			if (!p) {
				fclose(f);
				return -1;
			}
			undo_lines = p;
		}
		undo_lines[undo_count++] = (struct undo_line){ vpid,
			{ .semid = semid, .semnum = semnum, .adj = adj } };
	}
	fclose(f);
	return 0;
}

/* A restored task, stopped before it runs: give it its undo list back. */
static int sysvipc_resume_late(int pid)
{
	struct sysvipc_undo_entry *e;
	struct sysvipc_undo_io io = { .pid = pid };
	long vpid = status_field_last(pid, "NSpid:");
	size_t i;
	int dev, ret;

	if (!undo_loaded && load_undo_lines()) {
		pr_err("cannot read %s\n", UNDO_IMG);
		return -1;
	}
	e = calloc(undo_count + 1, sizeof(*e));
	if (!e)
		return -1;
	for (i = 0; i < undo_count; i++)
		if (undo_lines[i].vpid == vpid)
			e[io.count++] = undo_lines[i].e;
	if (!io.count) {
		free(e);
		return 0;
	}
	io.entries = (uintptr_t)e;
	dev = open(DEVICE, O_RDWR | O_CLOEXEC);
	ret = dev < 0 ? -1 : ioctl(dev, SYSVIPC_IOC_UNDO_SET, &io);
	if (ret)
		pr_err("undo list of %d (vpid %ld): %s\n", pid, vpid, strerror(errno));
	else
		pr_info("undo list of %d (vpid %ld): %u entries installed\n", pid, vpid, io.count);
	if (dev >= 0)
		close(dev);
	free(e);
	return ret ? -1 : 0;
}
CR_PLUGIN_REGISTER_HOOK(CR_PLUGIN_HOOK__RESUME_DEVICES_LATE, sysvipc_resume_late)

static int sysvipc_init(int stage)
{
	char path[PATH_MAX];

	if (stage != CR_PLUGIN_STAGE__RESTORE)
		return 0;
	if (faccessat(criu_get_image_dir(), OBJECTS_IMG, F_OK, 0))
		return 0;	/* nothing of ours was dumped */
	if (image_path(OBJECTS_IMG, path, sizeof(path)))
		return -1;
	return run_cr("restore", path);
}

static void sysvipc_exit(int stage, int ret)
{
	(void)stage;
	(void)ret;
	free(undo_lines);
	undo_lines = NULL;
	undo_count = 0;
}

CR_PLUGIN_REGISTER("sysvipc", sysvipc_init, sysvipc_exit)
