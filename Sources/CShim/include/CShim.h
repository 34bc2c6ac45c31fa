// Linux APIs that `import Glibc` does not expose to Swift (epoll, eventfd), plus helpers for
// the macros and unions Swift cannot call directly.
#ifndef SWIFTLEDGER_CSHIM_H
#define SWIFTLEDGER_CSHIM_H

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <signal.h>
#include <pthread.h>

/// 1 when this CPU computes CRC-32C in hardware (then cshim_crc32c_hardware may be called), else 0.
int cshim_crc32c_hardware_available(void);

/// The CRC-32C (Castagnoli) of `count` bytes at `data`, continuing from `crc` (0 to start), by
/// the CPU's instruction. Only when cshim_crc32c_hardware_available() returned 1.
uint32_t cshim_crc32c_hardware(uint32_t crc, const void *data, size_t count);

/// poll(2) on one descriptor with a nanosecond timeout (ppoll, a GNU extension Glibc's module
/// hides): returns what ppoll returns, `*revents` set on readiness.
int cshim_poll_one(int fd, short events, long long timeout_ns, short *revents);

/// accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC): a GNU extension Glibc's module hides.
int cshim_accept_nonblocking(int fd);

/// setns(fd, CLONE_NEWNET): moves the calling thread into the network namespace `fd` refers to
/// (a GNU extension Glibc's module hides). Returns what setns returns.
int cshim_enter_network_namespace(int fd);

/// The calling thread's errno.
static inline int cshim_errno(void) { return errno; }

/// Asks the processor to bring the cache line holding `address` closer, for a read soon (a
/// hint: it never faults, whatever the address).
static inline void cshim_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

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

/// Blocks the `count` signals in `signals` in the calling thread (threads started later inherit
/// the mask) and returns a nonblocking signalfd that becomes readable when one arrives; -1 with
/// errno on failure.
static inline int cshim_signalfd(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

/// Reads one pending signal from a signalfd; returns its number, or -1 (errno EAGAIN: none).
static inline int cshim_signalfd_read(int fd) {
    struct signalfd_siginfo info;
    ssize_t n = read(fd, &info, sizeof info);
    return n == (ssize_t)sizeof info ? (int)info.ssi_signo : -1;
}

/// 1 when libFuzzer's driver is linked into this binary (a `make fuzz` build), else 0.
int cshim_fuzzer_linked(void);

/// Runs libFuzzer's driver (LLVMFuzzerRunDriver) with `argc`/`argv` as its command line,
/// calling `callback` for each input. Only when cshim_fuzzer_linked() returned 1.
int cshim_fuzzer_run(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
