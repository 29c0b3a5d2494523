// SPDX-License-Identifier: GPL-2.0
/*
 * One io_uring serving a System V message queue and TCP clients at once,
 * which no SysV implementation allowed before object fds: a bridge.
 *
 *   - every message received on the queue (any type) is sent to every
 *     connected client as a line "<mtype> <text>\n";
 *   - every line a client sends is queued as a message of type 1.
 *
 * The queue's receive is an IORING_OP_READ on a queue fd (sysvipc_fd()),
 * parked by io_uring until a message arrives, next to the accept and the
 * clients' recvs; the queue's sends are IORING_OP_WRITEs.  Listens on
 * 127.0.0.1 only.
 *
 * build: cc -O2 -Iuapi -Ilibsysvipc/include tools/examples/uring_msgq_tcp.c \
 *           -Llibsysvipc -lsysvipc -luring -o uring_msgq_tcp
 * run:   ./uring_msgq_tcp [-k key] [-p port] [-n events]
 *        (key: hex or decimal, default 0x5e0b0001; port default 5599;
 *         -n: exit after that many completions, for scripts)
 * try:   nc 127.0.0.1 5599   and, elsewhere, ipcs -q / a msgsnd program
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <liburing.h>
#include <sysvipc.h>
#include <sysvipc_uring.h>

#define MAX_CLIENTS	16
#define TEXT_MAX	512

enum { EV_MSG, EV_ACCEPT, EV_RECV, EV_SEND };

/* One request in flight; its buffer lives as long as the request. */
struct req {
	int kind;
	int client;			/* EV_RECV: slot */
	size_t len;
	struct {
		long mtype;
		char mtext[TEXT_MAX];
	} msg;
};

static int clients[MAX_CLIENTS];

static struct req *req_new(int kind)
{
	struct req *r = calloc(1, sizeof(*r));

	if (!r) {
		perror("calloc");
		exit(1);
	}
	r->kind = kind;
	return r;
}

static struct io_uring_sqe *sqe_get(struct io_uring *ring)
{
	struct io_uring_sqe *sqe = io_uring_get_sqe(ring);

	if (!sqe) {
		io_uring_submit(ring);
		sqe = io_uring_get_sqe(ring);
	}
	return sqe;
}

static void arm_msg(struct io_uring *ring, int qfd)
{
	struct req *r = req_new(EV_MSG);
	struct io_uring_sqe *sqe = sqe_get(ring);

	sysvipc_prep_msgrcv(sqe, qfd, &r->msg, sizeof(r->msg.mtext) - 1);
	io_uring_sqe_set_data(sqe, r);
}

static void arm_accept(struct io_uring *ring, int lfd)
{
	struct io_uring_sqe *sqe = sqe_get(ring);

	io_uring_prep_accept(sqe, lfd, NULL, NULL, SOCK_CLOEXEC);
	io_uring_sqe_set_data(sqe, req_new(EV_ACCEPT));
}

static void arm_recv(struct io_uring *ring, int slot)
{
	struct req *r = req_new(EV_RECV);
	struct io_uring_sqe *sqe = sqe_get(ring);

	r->client = slot;
	io_uring_prep_recv(sqe, clients[slot], r->msg.mtext,
			   sizeof(r->msg.mtext) - 1, 0);
	io_uring_sqe_set_data(sqe, r);
}

/* A message from the queue: one line to every client (best effort). */
static void broadcast(const struct req *r, int len)
{
	char line[TEXT_MAX + 32];
	int n = snprintf(line, sizeof(line), "%ld %.*s\n", r->msg.mtype, len,
			 r->msg.mtext);

	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i] >= 0 &&
		    send(clients[i], line, n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
			fprintf(stderr, "client %d: %s\n", i, strerror(errno));
}

/* A client's bytes: queued as a type-1 message, newline stripped. */
static void enqueue(struct io_uring *ring, int qfd, const struct req *in,
		    int len)
{
	struct req *r = req_new(EV_SEND);
	struct io_uring_sqe *sqe = sqe_get(ring);

	while (len > 0 && (in->msg.mtext[len - 1] == '\n' ||
			   in->msg.mtext[len - 1] == '\r'))
		len--;
	r->msg.mtype = 1;
	memcpy(r->msg.mtext, in->msg.mtext, len);
	sysvipc_prep_msgsnd(sqe, qfd, &r->msg, len);
	io_uring_sqe_set_data(sqe, r);
}

static int listen_loopback(int port)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(port),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(fd, 16)) {
		perror("listen on 127.0.0.1");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	key_t key = 0x5e0b0001;
	int port = 5599, opt, qid, qfd, lfd;
	long events = -1;
	struct io_uring ring;

	while ((opt = getopt(argc, argv, "k:p:n:")) != -1) {
		switch (opt) {
		case 'k':
			key = strtol(optarg, NULL, 0);
			break;
		case 'p':
			port = atoi(optarg);
			break;
		case 'n':
			events = atol(optarg);
			break;
		default:
			fprintf(stderr, "usage: %s [-k key] [-p port] [-n events]\n",
				argv[0]);
			return 2;
		}
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i] = -1;

	qid = msgget(key, IPC_CREAT | 0600);
	if (qid < 0) {
		perror("msgget");
		return 1;
	}
	/* Blocking mode on purpose: io_uring parks the reads on the queue. */
	qfd = sysvipc_fd(SYSVIPC_OBJ_MSG, qid, NULL, O_RDWR | O_CLOEXEC);
	if (qfd < 0) {
		perror("sysvipc_fd (is the module loaded, the library in use?)");
		return 1;
	}
	lfd = listen_loopback(port);
	if (io_uring_queue_init(64, &ring, 0)) {
		perror("io_uring_queue_init");
		return 1;
	}
	printf("queue id %d (key 0x%x) <-> tcp 127.0.0.1:%d\n", qid, key, port);
	fflush(stdout);

	arm_msg(&ring, qfd);
	arm_accept(&ring, lfd);
	while (events < 0 || events-- > 0) {
		struct io_uring_cqe *cqe;
		struct req *r;
		int res, slot;

		io_uring_submit(&ring);
		if (io_uring_wait_cqe(&ring, &cqe)) {
			perror("io_uring_wait_cqe");
			break;
		}
		r = io_uring_cqe_get_data(cqe);
		res = cqe->res;
		io_uring_cqe_seen(&ring, cqe);

		switch (r->kind) {
		case EV_MSG:
			if (res < 0) {
				fprintf(stderr, "queue: %s\n", strerror(-res));
				free(r);
				goto out;	/* EIDRM: the queue is gone */
			}
			broadcast(r, sysvipc_uring_msglen(res));
			arm_msg(&ring, qfd);
			break;
		case EV_ACCEPT:
			for (slot = 0; slot < MAX_CLIENTS; slot++)
				if (clients[slot] < 0)
					break;
			if (res >= 0 && slot < MAX_CLIENTS) {
				clients[slot] = res;
				arm_recv(&ring, slot);
			} else if (res >= 0) {
				close(res);	/* full */
			}
			arm_accept(&ring, lfd);
			break;
		case EV_RECV:
			if (res <= 0) {
				close(clients[r->client]);
				clients[r->client] = -1;
				break;
			}
			enqueue(&ring, qfd, r, res);
			arm_recv(&ring, r->client);
			break;
		case EV_SEND:
			if (res < 0)
				fprintf(stderr, "msgsnd: %s\n", strerror(-res));
			break;
		}
		free(r);
	}
out:
	/* Pending requests go with the ring; nothing can hang here. */
	io_uring_queue_exit(&ring);
	close(qfd);
	close(lfd);
	return 0;
}
