// Linux APIs that `import Glibc` does not expose to Swift (epoll, eventfd), plus helpers for
// the macros and unions Swift cannot call directly.
#ifndef SWIFTLEDGER_CSHIM_H
#define SWIFTLEDGER_CSHIM_H

#include <errno.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a GNU extension Glibc's module hides.
int cshim_accept_nonblocking(int fd);

/// The calling thread's errno.
static inline int cshim_errno(void) { return errno; }

/// Fills an epoll_event for `fd` with `events`, tagging it with the fd itself.
static inline struct epoll_event cshim_epoll_event(uint32_t events, int fd) {
    struct epoll_event event;
    event.events = events;
    event.data.u64 = 0;
    event.data.fd = fd;
    return event;
}

/// The fd an epoll_event was tagged with by cshim_epoll_event.
static inline int cshim_epoll_event_fd(const struct epoll_event *event) { return event->data.fd; }

#endif
