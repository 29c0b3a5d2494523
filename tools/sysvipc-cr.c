// SPDX-License-Identifier: GPL-2.0
/*
 * sysvipc-cr: checkpoint and restore of the module's objects.
 *
 *   sysvipc-cr dump FILE      every object into FILE (docs/cr-format.md)
 *   sysvipc-cr restore FILE   recreate them, with the same ids
 *   sysvipc-cr verify FILE    check FILE only
 *   sysvipc-cr undo PID       a process's SEM_UNDO adjustments, as text
 *   sysvipc-cr undo-set PID [SEMID:SEMNUM:ADJ ...]
 *                             replace them (none: an empty list)
 *
 * Talks to /dev/sysvipc directly (raw ioctls), never to the kernel's IPC.
 * restore reads and checks the whole file before it changes anything; if
 * a step fails midway it removes every object it created.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <linux/sysvipc.h>
#include "undo-fetch.h"

#define CR_MAGIC	"SVIPCCR\n"
#define CR_VERSION	1

/* All little-endian, naturally aligned; see docs/cr-format.md. */
struct cr_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;	/* sizeof(struct cr_header) */
	uint64_t body_size;	/* bytes of records after the header */
	uint32_t nrecords;
	uint32_t body_crc;	/* CRC-32 (IEEE) of the body */
	uint32_t reserved;
	uint32_t header_crc;	/* CRC-32 of the header up to here */
};

struct cr_record {
	uint32_t type;		/* SYSVIPC_OBJ_SHM, _SEM, _MSG */
	uint32_t size;		/* of the record: this struct + payload */
	int32_t key;
	int32_t id;
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode;		/* including SHM_LOCKED */
	uint32_t pad;
	int64_t time[3];	/* as struct sysvipc_restore */
	int32_t pid[2];
	uint64_t length;	/* shm: segsz; sem: nsems; msg: qbytes */
	uint64_t count;		/* msg: messages; else 0 */
};

/* One message in a queue's payload, its text padded to 8 bytes. */
struct cr_msg {
	int64_t mtype;
	uint64_t len;
};

#define PAD8(x)		(((x) + 7) & ~(uint64_t)7)
#ifndef SHM_LOCKED
#define SHM_LOCKED	02000
#endif
#ifndef SHM_DEST
#define SHM_DEST	01000
#endif

static int dev = -1;
static const char *prog = "sysvipc-cr";

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint32_t crc_table[256];

static uint32_t crc32_update(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	if (!crc_table[1]) {
		for (uint32_t i = 0; i < 256; i++) {
			uint32_t c = i;

			for (int k = 0; k < 8; k++)
				c = c & 1 ? 0xedb88320U ^ (c >> 1) : c >> 1;
			crc_table[i] = c;
		}
	}
	crc = ~crc;
	while (len--)
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

static void dev_open(void)
{
	struct sysvipc_version v;

	dev = open(SYSVIPC_DEVICE, O_RDWR | O_CLOEXEC);
	if (dev < 0)
		die("%s: %s", SYSVIPC_DEVICE, strerror(errno));
	if (ioctl(dev, SYSVIPC_IOC_VERSION, &v) ||
	    !(v.features & SYSVIPC_FEAT_RESTORE) ||
	    !(v.features & SYSVIPC_FEAT_UNDO_RW))
		die("the module lacks checkpoint/restore (ABI 1.3)");
}

static int get_at(unsigned long cmd, key_t key, int flags, uint64_t size,
		  int id)
{
	struct sysvipc_get g = {
		.key = key, .flags = flags, .size = size,
		.get_flags = SYSVIPC_GET_AT_ID, .at_id = id,
	};

	return ioctl(dev, cmd, &g);
}

static int objfd(int type, int id, int flags)
{
	struct sysvipc_objfd o = { .type = type, .id = id, .flags = flags };

	return ioctl(dev, SYSVIPC_IOC_OBJFD, &o);
}

static long ctl(unsigned long cmd, int id, int op, int semnum, void *arg)
{
	struct sysvipc_ctl c = {
		.id = id, .cmd = op, .semnum = semnum,
		.arg = (uintptr_t)arg,
	};

	return ioctl(dev, cmd, &c);
}

/* ---- a growing buffer ---- */

struct buf {
	unsigned char *p;
	size_t len, cap;
};

static void *buf_put(struct buf *b, const void *data, size_t len)
{
	size_t plen = PAD8(len);

	if (b->len + plen > b->cap) {
		b->cap = (b->len + plen) * 2 + 4096;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			die("out of memory");
	}
	if (data)
		memcpy(b->p + b->len, data, len);
	else
		memset(b->p + b->len, 0, len);
	memset(b->p + b->len + len, 0, plen - len);
	b->len += plen;
	return b->p + b->len - plen;
}

/* ---- dump ---- */

static void perm_to_rec(struct cr_record *r, const struct ipc_perm *p)
{
	r->key = p->__key;
	r->uid = p->uid;
	r->gid = p->gid;
	r->cuid = p->cuid;
	r->cgid = p->cgid;
	r->mode = p->mode;
}

static void rec_check_size(struct cr_record *r, uint64_t payload)
{
	if (payload > UINT32_MAX - sizeof(*r))
		die("object %d: %" PRIu64 " bytes, too big for this format",
		    r->id, payload);
	r->size = sizeof(*r) + payload;
}

static unsigned int dump_shm(struct buf *b)
{
	struct shm_info info;
	unsigned int n = 0;
	long max = ctl(SYSVIPC_IOC_SHMCTL, 0, SHM_INFO, 0, &info);

	for (long idx = 0; idx <= max; idx++) {
		struct cr_record r = { .type = SYSVIPC_OBJ_SHM };
		struct shmid_ds ds;
		size_t off;
		int id, fd;

		id = ctl(SYSVIPC_IOC_SHMCTL, idx, SHM_STAT_ANY, 0, &ds);
		if (id < 0)
			continue;
		if (ds.shm_perm.mode & SHM_DEST) {
			fprintf(stderr, "%s: skipping segment %d: removed, goes at its last detach\n",
				prog, id);
			continue;
		}
		perm_to_rec(&r, &ds.shm_perm);
		r.id = id;
		r.time[0] = ds.shm_atime;
		r.time[1] = ds.shm_dtime;
		r.time[2] = ds.shm_ctime;
		r.pid[0] = ds.shm_cpid;
		r.pid[1] = ds.shm_lpid;
		r.length = ds.shm_segsz;
		rec_check_size(&r, PAD8(ds.shm_segsz));
		buf_put(b, &r, sizeof(r));
		off = b->len;
		buf_put(b, NULL, ds.shm_segsz);
		/* pread through an object fd: no attach, no atime stamp */
		fd = objfd(SYSVIPC_OBJ_SHM, id, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			die("segment %d: object fd: %s", id, strerror(errno));
		for (size_t done = 0; done < ds.shm_segsz;) {
			ssize_t got = pread(fd, b->p + off + done,
					    ds.shm_segsz - done, done);

			if (got <= 0)
				die("segment %d: read: %s", id,
				    got ? strerror(errno) : "short");
			done += got;
		}
		close(fd);
		n++;
	}
	return n;
}

static unsigned int dump_sem(struct buf *b)
{
	struct seminfo info;
	unsigned int n = 0;
	long max = ctl(SYSVIPC_IOC_SEMCTL, 0, SEM_INFO, 0, &info);

	for (long idx = 0; idx <= max; idx++) {
		struct cr_record r = { .type = SYSVIPC_OBJ_SEM };
		struct sysvipc_restore_sem *sems;
		unsigned short *vals;
		struct semid_ds ds;
		int id;

		id = ctl(SYSVIPC_IOC_SEMCTL, idx, SEM_STAT_ANY, 0, &ds);
		if (id < 0)
			continue;
		perm_to_rec(&r, &ds.sem_perm);
		r.id = id;
		r.time[0] = ds.sem_otime;
		r.time[1] = ds.sem_ctime;
		r.length = ds.sem_nsems;
		rec_check_size(&r, ds.sem_nsems * sizeof(*sems));
		buf_put(b, &r, sizeof(r));
		sems = buf_put(b, NULL, ds.sem_nsems * sizeof(*sems));
		vals = calloc(ds.sem_nsems, sizeof(*vals));
		if (!vals)
			die("out of memory");
		if (ctl(SYSVIPC_IOC_SEMCTL, id, GETALL, 0, vals) < 0)
			die("set %d: GETALL: %s", id, strerror(errno));
		for (unsigned long i = 0; i < ds.sem_nsems; i++) {
			long pid = ctl(SYSVIPC_IOC_SEMCTL, id, GETPID, i, NULL);

			if (pid < 0)
				die("set %d: GETPID: %s", id, strerror(errno));
			sems[i].val = vals[i];
			sems[i].pid = pid;
		}
		free(vals);
		n++;
	}
	return n;
}

static unsigned int dump_msg(struct buf *b)
{
	struct msginfo info;
	unsigned int n = 0;
	long max = ctl(SYSVIPC_IOC_MSGCTL, 0, MSG_INFO, 0, &info);

	for (long idx = 0; idx <= max; idx++) {
		struct cr_record r = { .type = SYSVIPC_OBJ_MSG };
		struct cr_record *rp;
		struct msqid_ds ds;
		size_t at, bufsz;
		long *mbuf;
		int id;

		id = ctl(SYSVIPC_IOC_MSGCTL, idx, MSG_STAT_ANY, 0, &ds);
		if (id < 0)
			continue;
		perm_to_rec(&r, &ds.msg_perm);
		r.id = id;
		r.time[0] = ds.msg_stime;
		r.time[1] = ds.msg_rtime;
		r.time[2] = ds.msg_ctime;
		r.pid[0] = ds.msg_lspid;
		r.pid[1] = ds.msg_lrpid;
		r.length = ds.msg_qbytes;
		at = b->len;
		buf_put(b, &r, sizeof(r));
		/* no message is bigger than the bytes queued */
		bufsz = ds.__msg_cbytes;
		mbuf = malloc(sizeof(long) + bufsz + 1);
		if (!mbuf)
			die("out of memory");
		/* MSG_COPY: the i-th message, not consumed, no stamps */
		for (uint64_t i = 0;; i++) {
			struct sysvipc_msgrcv a = {
				.id = id, .flags = MSG_COPY | IPC_NOWAIT,
				.msgp = (uintptr_t)mbuf, .msgsz = bufsz,
				.msgtyp = i,
			};
			struct cr_msg m;
			long len = ioctl(dev, SYSVIPC_IOC_MSGRCV, &a);

			if (len < 0 && errno == ENOMSG)
				break;
			if (len < 0)
				die("queue %d: MSG_COPY: %s", id,
				    strerror(errno));
			m.mtype = mbuf[0];
			m.len = len;
			buf_put(b, &m, sizeof(m));
			buf_put(b, mbuf + 1, len);
			r.count++;
		}
		free(mbuf);
		rp = (struct cr_record *)(b->p + at);
		rp->count = r.count;
		r.id = id;
		rec_check_size(rp, b->len - at - sizeof(r));
		n++;
	}
	return n;
}

static int do_dump(const char *path)
{
	struct cr_header h = { .version = CR_VERSION };
	struct buf b = {};
	char *tmp;
	FILE *f;

	h.nrecords = dump_shm(&b);
	h.nrecords += dump_sem(&b);
	h.nrecords += dump_msg(&b);
	memcpy(h.magic, CR_MAGIC, sizeof(h.magic));
	h.header_size = sizeof(h);
	h.body_size = b.len;
	h.body_crc = crc32_update(0, b.p, b.len);
	h.header_crc = crc32_update(0, &h, offsetof(struct cr_header,
						    header_crc));
	/* written whole, then renamed: never a half-written FILE */
	if (asprintf(&tmp, "%s.tmp", path) < 0)
		die("out of memory");
	f = fopen(tmp, "w");
	if (!f)
		die("%s: %s", tmp, strerror(errno));
	if (fwrite(&h, sizeof(h), 1, f) != 1 ||
	    (b.len && fwrite(b.p, b.len, 1, f) != 1) || fflush(f) ||
	    fsync(fileno(f)) || fclose(f))
		die("%s: write: %s", tmp, strerror(errno));
	if (rename(tmp, path))
		die("%s: %s", path, strerror(errno));
	printf("%s: %u objects, %zu bytes\n", path, h.nrecords,
	       sizeof(h) + b.len);
	free(tmp);
	free(b.p);
	return 0;
}

/* ---- reading and checking a file ---- */

struct image {
	struct cr_header h;
	unsigned char *body;
	struct cr_record **recs;
};

static void bad(const char *path, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: %s: refused, nothing changed: ", prog, path);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/* Everything restore relies on is checked here, before any change. */
static void load(const char *path, struct image *im)
{
	struct stat st;
	uint64_t off = 0;
	FILE *f;

	f = fopen(path, "r");
	if (!f || fstat(fileno(f), &st))
		die("%s: %s", path, strerror(errno));
	if ((uint64_t)st.st_size < sizeof(im->h) ||
	    fread(&im->h, sizeof(im->h), 1, f) != 1)
		bad(path, "truncated header");
	if (memcmp(im->h.magic, CR_MAGIC, sizeof(im->h.magic)))
		bad(path, "not a sysvipc-cr file");
	if (im->h.header_crc != crc32_update(0, &im->h,
				offsetof(struct cr_header, header_crc)))
		bad(path, "header checksum mismatch (corrupted)");
	if (im->h.version != CR_VERSION || im->h.header_size != sizeof(im->h))
		bad(path, "format version %u (header %u bytes); this tool reads version %u",
		    im->h.version, im->h.header_size, CR_VERSION);
	if (im->h.reserved)
		bad(path, "reserved header field set");
	if (im->h.body_size != (uint64_t)st.st_size - sizeof(im->h))
		bad(path, "%s: body is %" PRIu64 " bytes, header says %" PRIu64,
		    (uint64_t)st.st_size - sizeof(im->h) < im->h.body_size ?
		    "truncated" : "trailing data",
		    (uint64_t)st.st_size - sizeof(im->h), im->h.body_size);
	im->body = malloc(im->h.body_size + 1);
	im->recs = calloc(im->h.nrecords + 1, sizeof(*im->recs));
	if (!im->body || !im->recs)
		die("out of memory");
	if (im->h.body_size &&
	    fread(im->body, im->h.body_size, 1, f) != 1)
		bad(path, "truncated body");
	fclose(f);
	if (crc32_update(0, im->body, im->h.body_size) != im->h.body_crc)
		bad(path, "body checksum mismatch (corrupted)");

	for (uint32_t i = 0; i < im->h.nrecords; i++) {
		struct cr_record *r = (void *)(im->body + off);
		uint64_t need, p;

		if (im->h.body_size - off < sizeof(*r))
			bad(path, "record %u: truncated", i);
		if (r->size < sizeof(*r) || r->size % 8 ||
		    r->size > im->h.body_size - off)
			bad(path, "record %u: bad size %u", i, r->size);
		if (r->id < 0 || r->pad || (r->mode & ~0777 &&
		    (r->type != SYSVIPC_OBJ_SHM || r->mode & ~(0777 | SHM_LOCKED))))
			bad(path, "record %u: bad id or mode", i);
		for (int t = 0; t < 3; t++)
			if (r->time[t] < 0)
				bad(path, "record %u: bad time", i);
		switch (r->type) {
		case SYSVIPC_OBJ_SHM:
			need = PAD8(r->length);
			if (r->count || !r->length || need != r->size - sizeof(*r))
				bad(path, "record %u: segment size mismatch", i);
			break;
		case SYSVIPC_OBJ_SEM:
			need = r->length * sizeof(struct sysvipc_restore_sem);
			if (r->count || !r->length ||
			    r->length > SYSVIPC_RESTORE_SEMS_MAX ||
			    need != r->size - sizeof(*r) || r->pid[0] ||
			    r->pid[1] || r->time[2])
				bad(path, "record %u: semaphore set mismatch", i);
			break;
		case SYSVIPC_OBJ_MSG:
			p = sizeof(*r);
			for (uint64_t m = 0; m < r->count; m++) {
				struct cr_msg *mh = (void *)((char *)r + p);

				if (r->size - p < sizeof(*mh))
					bad(path, "record %u: message %" PRIu64 " truncated", i, m);
				p += sizeof(*mh);
				if (mh->mtype < 1 || mh->len > r->size - p ||
				    PAD8(mh->len) > r->size - p)
					bad(path, "record %u: message %" PRIu64 " bad", i, m);
				p += PAD8(mh->len);
			}
			if (p != r->size)
				bad(path, "record %u: queue size mismatch", i);
			break;
		default:
			bad(path, "record %u: unknown type %u", i, r->type);
		}
		for (uint32_t j = 0; j < i; j++)
			if (im->recs[j]->type == r->type && im->recs[j]->id == r->id)
				bad(path, "record %u: id %d twice", i, r->id);
		im->recs[i] = r;
		off += r->size;
	}
	if (off != im->h.body_size)
		bad(path, "%" PRIu64 " bytes after the last record",
		    im->h.body_size - off);
}

/* ---- restore ---- */

static const unsigned long get_cmd[4] = {
	0, SYSVIPC_IOC_SHMGET, SYSVIPC_IOC_SEMGET, SYSVIPC_IOC_MSGGET,
};
static const unsigned long ctl_cmd[4] = {
	0, SYSVIPC_IOC_SHMCTL, SYSVIPC_IOC_SEMCTL, SYSVIPC_IOC_MSGCTL,
};
static const char *const type_name[4] = { "?", "segment", "set", "queue" };

/* Creates the object of @r (*@created says whether it got that far). */
static int restore_one(const struct cr_record *r, bool *created)
{
	struct sysvipc_restore rs = {
		.type = r->type, .id = r->id,
		.uid = r->uid, .gid = r->gid, .cuid = r->cuid, .cgid = r->cgid,
		.mode = r->mode & 0777,
		.time = { r->time[0], r->time[1], r->time[2] },
		.pid = { r->pid[0], r->pid[1] },
	};
	const unsigned char *p = (const unsigned char *)(r + 1);
	int flags = IPC_CREAT | IPC_EXCL | 0600;
	int id, fd;

	id = get_at(get_cmd[r->type], r->key, flags,
		    r->type == SYSVIPC_OBJ_MSG ? 0 : r->length, r->id);
	if (id < 0)
		return -1;
	*created = true;
	switch (r->type) {
	case SYSVIPC_OBJ_SHM:
		fd = objfd(SYSVIPC_OBJ_SHM, id, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return -1;
		for (uint64_t done = 0; done < r->length;) {
			ssize_t n = pwrite(fd, p + done, r->length - done, done);

			if (n <= 0) {
				close(fd);
				if (!n)
					errno = EIO;
				return -1;
			}
			done += n;
		}
		close(fd);
		if ((r->mode & SHM_LOCKED) &&
		    ctl(SYSVIPC_IOC_SHMCTL, id, SHM_LOCK, 0, NULL) < 0)
			return -1;
		break;
	case SYSVIPC_OBJ_SEM:
		rs.nsems = r->length;
		rs.sems = (uintptr_t)p;
		break;
	case SYSVIPC_OBJ_MSG: {
		struct msqid_ds ds;
		uint64_t off = 0;

		if (ctl(SYSVIPC_IOC_MSGCTL, id, IPC_STAT, 0, &ds) < 0)
			return -1;
		ds.msg_qbytes = r->length;
		if (ctl(SYSVIPC_IOC_MSGCTL, id, IPC_SET, 0, &ds) < 0)
			return -1;
		for (uint64_t m = 0; m < r->count; m++) {
			const struct cr_msg *mh = (const void *)(p + off);
			long *mbuf = malloc(sizeof(long) + mh->len);
			struct sysvipc_msgsnd a = {
				.id = id, .flags = IPC_NOWAIT,
				.msgp = (uintptr_t)mbuf, .msgsz = mh->len,
			};
			int ret;

			if (!mbuf)
				die("out of memory");
			mbuf[0] = mh->mtype;
			memcpy(mbuf + 1, mh + 1, mh->len);
			ret = ioctl(dev, SYSVIPC_IOC_MSGSND, &a);
			free(mbuf);
			if (ret < 0)
				return -1;
			off += sizeof(*mh) + PAD8(mh->len);
		}
		break;
	}
	}
	/* last: the stamps the steps above changed */
	return ioctl(dev, SYSVIPC_IOC_RESTORE, &rs);
}

static int do_restore(const char *path, bool dry)
{
	struct image im;
	uint32_t i, j;

	load(path, &im);
	if (dry) {
		printf("%s: %u objects, OK\n", path, im.h.nrecords);
		return 0;
	}
	/* Taken ids or keys: refuse before creating anything. */
	for (i = 0; i < im.h.nrecords; i++) {
		const struct cr_record *r = im.recs[i];
		struct sysvipc_get g = { .key = r->key };
		char ds[256];

		if (ctl(ctl_cmd[r->type], r->id, IPC_STAT, 0, ds) >= 0 ||
		    errno != EINVAL)
			bad(path, "%s id %d is in use", type_name[r->type], r->id);
		if (ctl(ctl_cmd[r->type], r->id & 0x7fff,
			r->type == SYSVIPC_OBJ_SHM ? SHM_STAT_ANY :
			r->type == SYSVIPC_OBJ_SEM ? SEM_STAT_ANY :
			MSG_STAT_ANY, 0, ds) >= 0)
			bad(path, "%s index %d is in use", type_name[r->type],
			    r->id & 0x7fff);
		if (r->key != IPC_PRIVATE &&
		    (ioctl(dev, get_cmd[r->type], &g) >= 0 || errno != ENOENT))
			bad(path, "%s key 0x%08x is in use", type_name[r->type],
			    (unsigned int)r->key);
	}
	for (i = 0; i < im.h.nrecords; i++) {
		const struct cr_record *r = im.recs[i];
		bool created = false;
		int err;

		if (!restore_one(r, &created))
			continue;
		err = errno;
		/* undo: everything created so far, this one if it was */
		for (j = 0; j < i + created; j++)
			ctl(ctl_cmd[im.recs[j]->type], im.recs[j]->id, IPC_RMID,
			    0, NULL);
		die("%s: %s %d (key 0x%08x): %s; the %u objects created were removed",
		    path, type_name[r->type], r->id, (unsigned int)r->key,
		    strerror(err), i + created);
	}
	printf("%s: %u objects restored\n", path, im.h.nrecords);
	return 0;
}

/* ---- undo lists ---- */

static int do_undo(pid_t pid)
{
	struct sysvipc_undo_entry *e;
	long n = sysvipc_undo_fetch(dev, pid, &e);

	if (n < 0)
		die("pid %d: %s", pid, strerror(errno));
	printf("%10s %6s %6s\n", "semid", "semnum", "adj");
	for (long i = 0; i < n; i++)
		printf("%10d %6u %6d\n", e[i].semid, e[i].semnum, e[i].adj);
	free(e);
	return 0;
}

static int do_undo_set(pid_t pid, int argc, char **argv)
{
	struct sysvipc_undo_entry *e = calloc(argc + 1, sizeof(*e));
	struct sysvipc_undo_io io = { .pid = pid, .count = argc };

	if (!e)
		die("out of memory");
	for (int i = 0; i < argc; i++) {
		int semid, semnum, adj;
		char c;

		if (sscanf(argv[i], "%d:%d:%d%c", &semid, &semnum, &adj, &c) != 3 ||
		    semnum < 0 || semnum > 65535 || adj < -32768 || adj > 32767)
			die("%s: not SEMID:SEMNUM:ADJ", argv[i]);
		e[i].semid = semid;
		e[i].semnum = semnum;
		e[i].adj = adj;
	}
	io.entries = (uintptr_t)e;
	if (ioctl(dev, SYSVIPC_IOC_UNDO_SET, &io) < 0)
		die("pid %d: %s", pid, strerror(errno));
	free(e);
	return 0;
}

static void usage(int status)
{
	fprintf(status ? stderr : stdout,
		"usage: %s dump FILE | restore FILE | verify FILE\n"
		"       %s undo PID | undo-set PID [SEMID:SEMNUM:ADJ ...]\n",
		prog, prog);
	exit(status);
}

static pid_t parse_pid(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end || v < 0 || v > INT32_MAX)
		die("%s: not a pid", s);
	return v;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage(1);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))
		usage(0);
	if (argc < 3)
		usage(1);
	if (!strcmp(argv[1], "verify"))
		return do_restore(argv[2], true);
	dev_open();
	if (!strcmp(argv[1], "dump") && argc == 3)
		return do_dump(argv[2]);
	if (!strcmp(argv[1], "restore") && argc == 3)
		return do_restore(argv[2], false);
	if (!strcmp(argv[1], "undo") && argc == 3)
		return do_undo(parse_pid(argv[2]));
	if (!strcmp(argv[1], "undo-set"))
		return do_undo_set(parse_pid(argv[2]), argc - 3, argv + 3);
	usage(1);
	return 1;
}
