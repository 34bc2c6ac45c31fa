"""Real RocketMQ clients against a real three-node SwiftLedger group (issue 13's acceptance).

Starts three `ledger server` processes on free loopback ports (peers, broker `listenPort`,
`namesrvPort`), then, with the `rocketmq.client` module of the interpreter running it (PyPI's
`rocketmq==0.4.4`, rocketmq-client-cpp 1.0.1, or `rocketmq-python-cvs==2.1.0.3`, 2.1.0; same API):
  1. produces messages (tags, keys, a user property) through the NameServer addresses: sync,
     batched and one-way sends, and a 10 KiB body the client compresses;
  2. consumes them with a clustering push consumer: each arrives exactly once with its body,
     tags, keys and property intact; a two-member group subscribed before the topic existed
     splits the queues and gets each message once; a pull consumer with a tag filter gets
     exactly the matching ones;
  3. sends ordered messages by selector (each key's messages to one queue) to a topic created
     with UPDATE_AND_CREATE_TOPIC (17): an orderly push consumer (which locks its queues with
     LOCK_BATCH_MQ, 41) receives each once and in send order per queue, and each of two
     broadcasting consumers receives every one;
  4. kills the leader with SIGKILL and keeps producing: the producer follows the NameServer's
     new route, and the push consumer receives the new messages from the new leader.
Raw remoting frames check what the client never sends: an unknown code (answered 3), a follower
NameServer naming the leader, a malformed frame closing its connection while the node serves on.

With `acl` the group runs with aclEnable=true (RocketMQ's plain_acl.yml) and the client, given
an account with `set_session_credentials(access, secret, "ALIYUN")`, which signs every request
as RocketMQ's AclClientRPCHook does:
  1. produces and consumes (push consumer) with a valid account;
  2. is refused with a wrong secret key and on a topic marked DENY (producer and consumer), each
     refusal NO_PERMISSION (16) with the reason in the node's log, and nothing refused is stored;
  3. raw frames: an unsigned send is answered 16 with the reason; the NameServer stays open.

Usage: rocketmq_interop.py LEDGER_BINARY WORK_DIR [acl]. Exit status 0 when every check passed.
"""

import json
import os
import signal
import socket
import struct
import subprocess
import sys
import time

from rocketmq.client import Message, Producer, PullConsumer, PushConsumer
from rocketmq.ffi import MessageModel

LEDGER, WORK = sys.argv[1], sys.argv[2]
ACL = sys.argv[3:] == ["acl"]
ACL_ACCESS, ACL_SECRET = "interop", "interop-secret"
ACL_FILE = f"""accounts:
  - accessKey: {ACL_ACCESS}
    secretKey: {ACL_SECRET}
    defaultTopicPerm: PUB|SUB
    defaultGroupPerm: SUB
    topicPerms:
      - DenyTopic=DENY
"""
TOPIC = "InteropTopic"
ORDERED_TOPIC = "InteropOrdered"
ORDER_KEYS, PER_KEY = 6, 8  # ordered sends: key k's messages go to queue k % 4
N = 40  # sync sends and batches
ONEWAY = 4  # then one-way sends
BIG_BODY = "".join(f"{i:05d}," for i in range(1700))  # 10,200 bytes
STARTED = time.monotonic()


def log(line):
    print(f"[interop +{time.monotonic() - STARTED:6.1f}s] {line}", flush=True)


def fail(line):
    log("FAIL: " + line)
    raise SystemExit(1)


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


# --- the group ------------------------------------------------------------------------------


class Group:
    def __init__(self):
        ports = free_ports(9)
        self.peer, self.broker, self.namesrv = ports[0:3], ports[3:6], ports[6:9]
        peers = ";".join(f"n{i}-127.0.0.1:{p}" for i, p in enumerate(self.peer))
        remoting = ";".join(f"n{i}-127.0.0.1:{p}" for i, p in enumerate(self.broker))
        self.processes = {}
        os.makedirs(WORK, exist_ok=True)
        acl = []
        if ACL:
            with open(f"{WORK}/plain_acl.yml", "w") as file:
                file.write(ACL_FILE)
            acl = ["aclEnable=true", f"aclFile={WORK}/plain_acl.yml"]
        for i in range(3):
            with open(f"{WORK}/n{i}.conf", "w") as conf:
                conf.write("\n".join([
                    "group=interop", f"selfId=n{i}", f"peers={peers}", f"storeBaseDir={WORK}/data/n{i}",
                    "dataFileSize=64MiB", f"listenPort={self.broker[i]}", f"namesrvPort={self.namesrv[i]}",
                    f"remotingPeers={remoting}"] + acl + [""]))

    @property
    def namesrv_addr(self):
        return ";".join(f"127.0.0.1:{p}" for p in self.namesrv)

    def start(self, i):
        with open(f"{WORK}/n{i}.log", "a") as out:
            self.processes[i] = subprocess.Popen([LEDGER, "server", "-c", f"{WORK}/n{i}.conf"], stdout=out,
                                                 stderr=subprocess.STDOUT)

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


# --- checks -----------------------------------------------------------------------------------


def check_raw(group, leader):
    follower = next(i for i in group.processes if i != leader)
    master = route_master(group.namesrv[follower])
    if master != f"127.0.0.1:{group.broker[leader]}":
        fail(f"follower n{follower}'s NameServer names {master}, not the leader n{leader}")
    header, _ = call(group.namesrv[follower], 105, {"topic": "no spaces allowed"})
    if header["code"] != 17:
        fail(f"an invalid topic's route answered {header['code']}, not TOPIC_NOT_EXIST (17)")
    header, _ = call(group.broker[leader], 9999, {})
    if header["code"] != 3 or "9999" not in header.get("remark", ""):
        fail(f"an unknown code answered {header}, not REQUEST_CODE_NOT_SUPPORTED (3)")
    with socket.create_connection(("127.0.0.1", group.broker[leader]), timeout=5) as sock:
        sock.sendall(struct.pack(">II", 12, 0x07000004) + b"junkjunk")  # serialize type 7
        if sock.recv(1) != b"":
            fail("a malformed frame got an answer instead of a closed connection")
    header, _ = call(group.namesrv[leader], 105, {"topic": "TBW102"})
    if header["code"] != 0:
        fail(f"the node stopped serving after a malformed frame: {header}")
    log("raw frames: follower NameServer names the leader, 17 for invalid topic names, 3 for unknown codes, "
        "malformed frame closed its connection and the node served on")


def message(i, phase):
    msg = Message(TOPIC)
    msg.set_tags("TagA" if i % 2 == 0 else "TagB")
    msg.set_keys(f"key-{phase}-{i}")
    msg.set_property("idx", f"{phase}-{i}")
    msg.set_body(f"body {phase} {i} " + "x" * (i % 7))
    return msg


def expected(i, phase):
    return {"tags": "TagA" if i % 2 == 0 else "TagB", "keys": f"key-{phase}-{i}",
            "body": f"body {phase} {i} " + "x" * (i % 7)}


def main():
    group = Group()
    for i in range(3):
        group.start(i)
    try:
        (run_acl if ACL else run)(group)
    finally:
        group.stop()


def run(group):
    leader = group.leader()
    log(f"group up, leader n{leader}; NameServers {group.namesrv_addr}")
    check_raw(group, leader)

    # A two-member group subscribed before the topic exists: each queue goes to one member.
    pair = {"pair1": [], "pair2": []}
    members = []
    for name in pair:
        member = PushConsumer("InteropPair")
        member.set_namesrv_addr(group.namesrv_addr)
        member.set_instance_name(name)
        member.subscribe(TOPIC, lambda msg, name=name: pair[name].append(
            (msg.queue_id, maybe_text(msg.get_property("idx")))))
        member.start()
        members.append(member)
    time.sleep(2)

    producer = Producer("InteropProducer", timeout=3000)
    producer.set_namesrv_addr(group.namesrv_addr)
    producer.start()
    sent_ids = {}
    for i in range(N // 2):
        msg = message(i, "a")
        result = producer.send_sync(msg)
        if result.status != 0:
            fail(f"send {i}: status {result.status}")
        sent_ids[f"a-{i}"] = result.msg_id
    batch = [message(i, "a") for i in range(N // 2, N)]
    for start in range(0, len(batch), 5):
        result = producer.send_batch(batch[start:start + 5])
        if result.status != 0:
            fail(f"batch from {start}: status {result.status}")
    big = Message(TOPIC)  # over 4 KiB: the client zlib-compresses the body (sysFlag 0x1)
    big.set_tags("TagBig")
    big.set_keys("key-big")
    big.set_property("idx", "a-big")
    big.set_body(BIG_BODY)
    if producer.send_sync(big).status != 0:
        fail("the 10 KiB send failed")
    kept = []  # the C++ client reads a message after send_oneway returns: keep them alive
    for i in range(N, N + ONEWAY):
        kept.append(message(i, "a"))
        producer.send_oneway(kept[-1])
    total = N + ONEWAY
    log(f"produced {total + 1} messages ({N // 2} sync sends, {N // 2} in batches of 5, {ONEWAY} one-way, "
        "one 10 KiB body the client compressed)")

    received = {}
    received_ids = {}

    def on_message(msg):
        idx = maybe_text(msg.get_property("idx"))
        seen = {"tags": maybe_text(msg.tags), "keys": maybe_text(msg.keys), "body": maybe_text(msg.body)}
        received.setdefault(idx, []).append(seen)
        received_ids[idx] = maybe_text(msg.id)

    consumer = PushConsumer("InteropConsumer")
    consumer.set_namesrv_addr(group.namesrv_addr)
    consumer.subscribe(TOPIC, on_message)
    consumer.start()
    wait_for(lambda: "a-big" in received and all(f"a-{i}" in received for i in range(total)), 60,
             "the push consumer to receive phase a")
    time.sleep(1)
    if received["a-big"] != [{"tags": "TagBig", "keys": "key-big", "body": BIG_BODY}]:
        fail(f"the compressed message arrived as {[len(d['body']) for d in received['a-big']]} bytes")
    for i in range(total):
        deliveries = received[f"a-{i}"]
        if len(deliveries) != 1:
            fail(f"message a-{i} delivered {len(deliveries)} times")
        if deliveries[0] != expected(i, "a"):
            fail(f"message a-{i} arrived as {deliveries[0]}, sent as {expected(i, 'a')}")
    for idx, sent_id in sent_ids.items():
        if received_ids[idx] != sent_id:
            fail(f"message {idx} was sent as id {sent_id} and consumed as {received_ids[idx]}")
    log(f"push consumer received all {total + 1} exactly once with body, tags, keys and property intact "
        "(the compressed one inflated), "
        "with the ids the producer was given")

    wait_for(lambda: len(pair["pair1"]) + len(pair["pair2"]) >= total + 1, 30, "the two-member group")
    time.sleep(1)
    ids = [idx for deliveries in pair.values() for _, idx in deliveries]
    queues = [{queue for queue, _ in deliveries} for deliveries in pair.values()]
    if sorted(ids) != sorted([f"a-{i}" for i in range(total)] + ["a-big"]):
        fail(f"the two-member group received {len(ids)} deliveries of {len(set(ids))} messages, not {total + 1} once")
    if not all(queues) or queues[0] & queues[1]:
        fail(f"the two members' queues overlap or one has none: {queues}")
    log(f"a two-member group subscribed before the topic existed split the queues {sorted(queues[0])} / "
        f"{sorted(queues[1])} and received every message once")

    puller = PullConsumer("InteropPuller")
    puller.set_namesrv_addr(group.namesrv_addr)
    puller.start()
    pulled = {}
    for msg in puller.pull(TOPIC, "TagA"):
        seen = {"tags": maybe_text(msg.tags), "keys": maybe_text(msg.keys), "body": maybe_text(msg.body)}
        pulled.setdefault(maybe_text(msg.get_property("idx")), []).append(seen)
    wanted = {f"a-{i}": [expected(i, "a")] for i in range(total) if i % 2 == 0}
    if pulled != wanted:
        fail(f"the TagA pull consumer got {sorted(pulled)}, expected {sorted(wanted)}")
    log(f"pull consumer with subscription TagA received exactly the {len(wanted)} TagA messages, once each")

    # Kept referenced: a consumer object that Python frees while the client runs crashes it.
    ordered_consumers = check_ordered_and_broadcast(group, leader, producer)

    # Let the consumer commit its offsets (every 5 s) before the leader dies.
    time.sleep(6)
    group.kill(leader)
    killed = time.monotonic()
    log(f"killed the leader n{leader} (SIGKILL)")
    new_leader = group.leader()
    log(f"NameServers name n{new_leader} after {time.monotonic() - killed:.1f} s")
    sent_after = 0
    failures = 0
    deadline = time.monotonic() + 90
    while sent_after < 10 and time.monotonic() < deadline:
        msg = message(sent_after, "b")
        try:
            result = producer.send_sync(msg)
            if result.status == 0:
                sent_after += 1
                continue
        except Exception as error:  # the client reports a dead broker as an exception
            failures += 1
            if failures == 1:
                log(f"first send after the kill failed, as expected until the route refresh: {error}")
        time.sleep(0.5)
    if sent_after < 10:
        fail(f"only {sent_after} of 10 sends succeeded within 90 s of the leader kill")
    log(f"producer kept working: 10 sends acknowledged {time.monotonic() - killed:.1f} s after the kill "
        f"({failures} failed attempts meanwhile)")
    wait_for(lambda: all(f"b-{i}" in received for i in range(10)), 90, "the push consumer to follow the new leader")
    for i in range(10):
        if received[f"b-{i}"][0] != expected(i, "b"):
            fail(f"message b-{i} arrived as {received[f'b-{i}'][0]}")
    redelivered = sum(len(received[f"a-{i}"]) - 1 for i in range(total))
    log(f"push consumer received the 10 post-failover messages from n{new_leader} "
        f"{time.monotonic() - killed:.1f} s after the kill; {redelivered} earlier messages redelivered")
    # The C++ clients' shutdown waits on their threads; ending the process is enough here.
    log(f"PASS ({len(ordered_consumers)} ordered and broadcasting consumers still running)")
    sys.stdout.flush()
    group.stop()
    os._exit(0)


def check_ordered_and_broadcast(group, leader, producer):
    header, _ = call(group.broker[leader], 17, {"topic": ORDERED_TOPIC, "readQueueNums": "4", "writeQueueNums": "4",
                                                "perm": "6", "defaultTopic": "TBW102"})
    if header["code"] != 0:
        fail(f"UPDATE_AND_CREATE_TOPIC answered {header}")
    orderly_seen = []  # (queue, key, seq) in arrival order
    broadcast_seen = {"cast1": [], "cast2": []}

    def on_orderly(msg):
        key, seq = maybe_text(msg.get_property("okey")), int(maybe_text(msg.get_property("oseq")))
        orderly_seen.append((msg.queue_id, key, seq))

    orderly = PushConsumer("InteropOrderly", orderly=True)
    orderly.set_namesrv_addr(group.namesrv_addr)
    orderly.subscribe(ORDERED_TOPIC, on_orderly)
    orderly.start()
    casts = []
    for name in broadcast_seen:
        cast = PushConsumer("InteropBroadcast", message_model=MessageModel.BROADCASTING)
        cast.set_namesrv_addr(group.namesrv_addr)
        cast.set_instance_name(name)
        cast.subscribe(ORDERED_TOPIC, lambda msg, name=name: broadcast_seen[name].append(
            (maybe_text(msg.get_property("okey")), int(maybe_text(msg.get_property("oseq"))))))
        cast.start()
        casts.append(cast)
    time.sleep(3)  # broadcasting consumers start at the queues' max offsets: let them find them first

    sent = []
    for seq in range(PER_KEY):
        for k in range(ORDER_KEYS):
            msg = Message(ORDERED_TOPIC)
            msg.set_keys(f"order-{k}")
            msg.set_property("okey", f"k{k}")
            msg.set_property("oseq", str(seq))
            msg.set_body(f"order {k} step {seq}")
            result = producer.send_orderly(msg, k)  # the default selector: queue k % 4
            if result.status != 0:
                fail(f"ordered send k{k}/{seq}: status {result.status}")
            sent.append((f"k{k}", seq))
    total = len(sent)
    wait_for(lambda: len(orderly_seen) >= total, 60, "the orderly consumer")
    wait_for(lambda: all(len(seen) >= total for seen in broadcast_seen.values()), 60, "both broadcasting consumers")
    time.sleep(1)
    if sorted((key, seq) for _, key, seq in orderly_seen) != sorted(sent):
        fail(f"the orderly consumer got {len(orderly_seen)} deliveries, not the {total} messages once each")
    for queue in range(4):
        in_queue = [(key, seq) for q, key, seq in orderly_seen if q == queue]
        if any(int(key[1:]) % 4 != queue for key, _ in in_queue):
            fail(f"queue {queue} holds keys the selector sent elsewhere: {in_queue}")
        expected_order = [(key, seq) for key, seq in sent if int(key[1:]) % 4 == queue]
        if in_queue != expected_order:
            fail(f"queue {queue} was consumed as {in_queue}, sent as {expected_order}")
    for name, seen in broadcast_seen.items():
        if sorted(seen) != sorted(sent):
            fail(f"broadcasting member {name} got {len(seen)} deliveries, not the {total} messages once each")
    log(f"{total} ordered sends by selector: the orderly consumer (queues locked with 41) received each once "
        f"in send order per queue, and both broadcasting members received all {total}")
    return [orderly] + casts


# --- ACL ---------------------------------------------------------------------------------------


def logs(group):
    text = ""
    for i in range(3):
        with open(f"{WORK}/n{i}.log") as log_file:
            text += log_file.read()
    return text


CLIENT_PROCESS = """
import sys, time
from rocketmq.client import Message, Producer, PushConsumer
namesrv, access, secret, topic, role = sys.argv[1:6]
if role == "producer":
    producer = Producer("AclProducer" + secret, timeout=3000)
    producer.set_namesrv_addr(namesrv)
    producer.set_session_credentials(access, secret, "ALIYUN")
    producer.start()
    msg = Message(topic)
    msg.set_body("refused " + secret)
    try:
        print("status", producer.send_sync(msg).status, flush=True)
    except Exception as error:
        print("error", type(error).__name__, error, flush=True)
else:
    got = []
    consumer = PushConsumer("AclConsumer" + secret)
    consumer.set_namesrv_addr(namesrv)
    consumer.set_session_credentials(access, secret, "ALIYUN")
    consumer.subscribe(topic, lambda msg: got.append(msg.body))
    consumer.start()
    time.sleep(8)
    print("received", len(got), flush=True)
import os
os._exit(0)
"""


def client_process(group, access, secret, topic, role):
    """Runs a producer's send (or a push consumer for 8 s) in a process of its own, so its
    credentials are its own (the C++ client shares one instance per process)."""
    result = subprocess.run([sys.executable, "-c", CLIENT_PROCESS, group.namesrv_addr, access, secret, topic, role],
                            capture_output=True, text=True, timeout=90)
    return result.stdout.strip()


def run_acl(group):
    leader = group.leader()
    log(f"group up with aclEnable=true, leader n{leader}; NameServers {group.namesrv_addr}")
    header, _ = call(group.broker[leader], 10, {"producerGroup": "raw", "topic": "AclTopic", "defaultTopic": "TBW102",
                                                "defaultTopicQueueNums": "4", "queueId": "0", "sysFlag": "0",
                                                "bornTimestamp": "0", "flag": "0", "properties": "",
                                                "reconsumeTimes": "0", "unitMode": "false"})
    if header["code"] != 16 or "carries no AccessKey and Signature" not in header.get("remark", ""):
        fail(f"an unsigned send was answered {header}, not NO_PERMISSION (16) with the reason")
    log(f"raw unsigned send: NO_PERMISSION (16), remark {header['remark']!r}; NameServer routes stay open")

    received = []
    consumer = PushConsumer("AclGroup")
    consumer.set_namesrv_addr(group.namesrv_addr)
    consumer.set_session_credentials(ACL_ACCESS, ACL_SECRET, "ALIYUN")
    consumer.subscribe("AclTopic", lambda msg: received.append(maybe_text(msg.body)))
    consumer.start()
    producer = Producer("AclProducer", timeout=3000)
    producer.set_namesrv_addr(group.namesrv_addr)
    producer.set_session_credentials(ACL_ACCESS, ACL_SECRET, "ALIYUN")
    producer.start()
    for i in range(5):
        msg = Message("AclTopic")
        msg.set_tags("TagA")
        msg.set_body(f"signed {i}")
        result = producer.send_sync(msg)
        if result.status != 0:
            fail(f"a signed send {i} got status {result.status}")
    wait_for(lambda: len(received) >= 5, 60, "the signed push consumer to receive 5 messages")
    log("valid account: 5 signed sends acknowledged and consumed by a signed push consumer")

    wrong = client_process(group, ACL_ACCESS, "not-the-secret", "AclTopic", "producer")
    if not wrong.startswith("error"):
        fail(f"a producer with a wrong secret key was not refused: {wrong}")
    wait_for(lambda: 'no permission: the signature does not match AccessKey "interop" (wrong secret key?)'
             in logs(group), 10, "the node to log the wrong secret's refusal")
    log(f"wrong secret key: the send failed ({wrong}); the node refused it: signature does not match")

    denied = client_process(group, ACL_ACCESS, ACL_SECRET, "DenyTopic", "producer")
    if not denied.startswith("error"):
        fail(f"a send to a DENY topic was not refused: {denied}")
    wait_for(lambda: 'no permission: AccessKey "interop" lacks PUB on topic "DenyTopic"' in logs(group), 10,
             "the node to log the DENY topic's refusal")
    log(f"DENY topic: the send failed ({denied}); the node refused it: lacks PUB on topic \"DenyTopic\"")

    before = len(received)
    bad_consumer = client_process(group, ACL_ACCESS, "not-the-secret", "AclTopic", "consumer")
    if bad_consumer != "received 0":
        fail(f"a push consumer with a wrong secret key got messages: {bad_consumer}")
    last = Message("AclTopic")  # one more for the valid consumer, none for the refused one
    last.set_body("signed last")
    if producer.send_sync(last).status != 0:
        fail("the last signed send failed")
    wait_for(lambda: len(received) >= before + 1, 30, "the valid consumer to receive the last message")
    time.sleep(1)
    if sorted(received[:5]) != [f"signed {i}" for i in range(5)] or any(b and "refused" in b for b in received):
        fail(f"the valid consumer received {received}: a refused send was stored")
    log(f"wrong-secret push consumer received nothing; the valid one exactly the {len(received)} accepted sends")
    log("PASS")
    sys.stdout.flush()
    group.stop()
    os._exit(0)


def maybe_text(value):
    return value.decode() if isinstance(value, bytes) else value


def wait_for(condition, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    fail(f"timed out after {timeout} s waiting for {what}")


if __name__ == "__main__":
    main()
