"""What the real-client scripts (rocketmq_interop.py, rocketmq_held.py) share: a fresh three-node
group of `ledger server` processes on free loopback ports, raw remoting frames, the log and
failure lines, waiting, the consumer group names rocketmq-client-cpp 2.1.0 can log, and `main`,
which runs a script's checks against the group and ends the process with os._exit (the clients
are never shut down: rocketmq-client-cpp 2.1.0's ShutdownPushConsumer crashes unless message
trace is on, Apache rocketmq-client-cpp issue 286, and 1.0.1's waits on its threads).

Imports nothing from the `rocketmq` package: the scripts do, from the interpreter running them.
"""

import ctypes
import faulthandler
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time
import traceback

STARTED = time.monotonic()
LOG_TAG = "interop"  # each script's log lines begin "[<LOG_TAG> +<seconds>s]"

# rocketmq-client-cpp 2.1.0 logs each rebalance that changes a consumer's queues with the text as
# the printf format (Rebalance.cpp, LOG_INFO(ss.str().c_str()); Apache rocketmq-client-cpp issue
# 284, fixed in 2.2.0), and that text names the group's retry topic "%RETRY%<group>". A group named
# "Interop..." makes "%In", glibc's %n with its I flag: the client writes an int through whatever
# pointer lies where the first argument would be, and the process later aborts with heap
# corruption ("malloc(): unaligned tcache chunk detected"). So every consumer group here begins
# with a letter glibc's printf reads as no conversion, flag or length modifier.
PRINTF_INERT = "DHJKMNOPQRTUVWY"

CLIENTS = []  # every client object, referenced until os._exit: Python would shut down one it frees


def client(obj):
    CLIENTS.append(obj)
    return obj


def group_name(name):
    if name[0] not in PRINTF_INERT:
        raise ValueError(f"consumer group {name!r}: 2.1.0 would read \"%{name[:2]}\" as a printf conversion")
    return name


def log(line):
    print(f"[{LOG_TAG} +{time.monotonic() - STARTED:6.1f}s] {line}", flush=True)


def fail(line):
    log("FAIL: " + line)
    raise SystemExit(1)


def maybe_text(value):
    return value.decode() if isinstance(value, bytes) else value


def wait_until(condition, timeout, poll=0.1):
    """Whether `condition()` came true within `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(poll)
    return False


def wait_for(condition, timeout, what):
    if not wait_until(condition, timeout):
        fail(f"timed out after {timeout} s waiting for {what}")


def free_ports(count):
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


# --- raw remoting ---------------------------------------------------------------------------


def frame(code, ext, opaque=1, body=b""):
    header = json.dumps({"code": code, "extFields": ext, "flag": 0, "language": "PYTHON", "opaque": opaque,
                         "version": 401}).encode()
    return struct.pack(">II", 4 + len(header) + len(body), len(header)) + header + body


def read_frame(sock):
    def exactly(count):
        data = b""
        while len(data) < count:
            chunk = sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed")
            data += chunk
        return data

    length, header_length = struct.unpack(">II", exactly(8))
    header_length &= 0xFFFFFF
    header = json.loads(exactly(header_length))
    return header, exactly(length - 4 - header_length)


def call(port, code, ext):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(frame(code, ext))
        return read_frame(sock)


def route_master(namesrv_port, topic="TBW102"):
    """The master broker address a NameServer names for `topic`, or None."""
    try:
        header, body = call(namesrv_port, 105, {"topic": topic})
    except OSError:
        return None
    if header["code"] != 0:
        return None
    return json.loads(body)["brokerDatas"][0]["brokerAddrs"]["0"]


def create_topic(port, topic, queues=4):
    """UPDATE_AND_CREATE_TOPIC (17) on the broker at `port` (the leader's)."""
    header, _ = call(port, 17, {"topic": topic, "readQueueNums": str(queues), "writeQueueNums": str(queues),
                                "perm": "6", "defaultTopic": "TBW102"})
    if header["code"] != 0:
        fail(f"UPDATE_AND_CREATE_TOPIC {topic} answered {header}")


# --- the group ------------------------------------------------------------------------------


def die_with_parent(parent):
    """A Popen preexec_fn: the node gets SIGKILL when this process ends, also when a client crashes
    it past every `finally` (prctl(PR_SET_PDEATHSIG); the group is started before any client
    thread exists, so the fork is safe)."""
    libc = ctypes.CDLL(None, use_errno=True)

    def arm():
        if libc.prctl(1, signal.SIGKILL) != 0 or os.getppid() != parent:  # 1 = PR_SET_PDEATHSIG
            os._exit(127)
    return arm


class Group:
    """Three `ledger server` processes (the binary `ledger`) with their configuration files, data
    and logs under `work`; `settings` are extra configuration lines for every node."""

    def __init__(self, ledger, work, settings=()):
        self.ledger, self.work = ledger, work
        ports = free_ports(9)
        self.peer, self.broker, self.namesrv = ports[0:3], ports[3:6], ports[6:9]
        peers = ";".join(f"n{i}-127.0.0.1:{p}" for i, p in enumerate(self.peer))
        remoting = ";".join(f"n{i}-127.0.0.1:{p}" for i, p in enumerate(self.broker))
        self.processes = {}
        os.makedirs(work, exist_ok=True)
        for i in range(3):
            with open(self.conf(i), "w") as conf:
                conf.write("\n".join([
                    "group=interop", f"selfId=n{i}", f"peers={peers}", f"storeBaseDir={work}/data/n{i}",
                    "dataFileSize=64MiB", f"listenPort={self.broker[i]}", f"namesrvPort={self.namesrv[i]}",
                    f"remotingPeers={remoting}"] + list(settings) + [""]))

    def conf(self, i):
        return f"{self.work}/n{i}.conf"

    def log_path(self, i):
        return f"{self.work}/n{i}.log"

    @property
    def namesrv_addr(self):
        return ";".join(f"127.0.0.1:{p}" for p in self.namesrv)

    def start(self, i):
        with open(self.log_path(i), "a") as out:
            self.processes[i] = subprocess.Popen([self.ledger, "server", "-c", self.conf(i)], stdout=out,
                                                 stderr=subprocess.STDOUT, preexec_fn=die_with_parent(os.getpid()))

    def kill(self, i):
        self.processes[i].send_signal(signal.SIGKILL)
        self.processes[i].wait()
        del self.processes[i]

    def stop(self):
        for process in self.processes.values():
            process.send_signal(signal.SIGKILL)
            process.wait()

    def leader(self, timeout=15):
        """The node every live NameServer names as master, once they agree."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            masters = {route_master(self.namesrv[i]) for i in self.processes}
            if len(masters) == 1 and None not in masters:
                port = int(masters.pop().split(":")[1])
                if self.broker.index(port) in self.processes:
                    return self.broker.index(port)
            time.sleep(0.1)
        fail(f"the NameServers did not agree on a live leader within {timeout} s")

    def logs(self):
        text = ""
        for i in range(3):
            with open(self.log_path(i)) as log_file:
                text += log_file.read()
        return text


def main(group, run):
    """Starts `group`, runs `run(group)` and ends the process: status 0 when it returned, else 1
    (or the status it exited with). Never returns: the clients are not shut down (see above)."""
    faulthandler.enable()  # a crash inside a client prints the Python stack it happened under
    status = 1
    try:
        for i in range(3):
            group.start(i)
        run(group)
        status = 0
    except SystemExit as exit:
        status = exit.code
    except BaseException:
        traceback.print_exc()
    finally:
        group.stop()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status if isinstance(status, int) else 1)
