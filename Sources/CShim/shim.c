#define _GNU_SOURCE
#include <stddef.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <time.h>
#include "CShim.h"

int cshim_accept_nonblocking(int fd) {
    return accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
}

int cshim_poll_one(int fd, short events, long long timeout_ns, short *revents) {
    struct pollfd poller = {.fd = fd, .events = events, .revents = 0};
    struct timespec limit = {.tv_sec = timeout_ns / 1000000000LL, .tv_nsec = timeout_ns % 1000000000LL};
    int ready = ppoll(&poller, 1, &limit, NULL);
    *revents = poller.revents;
    return ready;
}

int cshim_enter_network_namespace(int fd) { return setns(fd, CLONE_NEWNET); }
