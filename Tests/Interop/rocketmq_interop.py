"""Real RocketMQ clients against a real three-node SwiftLedger group (issue 13's acceptance).

Starts three `ledger server` processes on free loopback ports (peers, broker `listenPort`,
`namesrvPort`), then, with the `rocketmq.client` module of the interpreter running it (PyPI's
`rocketmq==0.4.4`, rocketmq-client-cpp 1.0.1, or `rocketmq-python-cvs==2.1.0.3`, 2.1.0; same API):
  1. produces messages (tags, keys, a user property) through the NameServer addresses: sync,
     batched, one-way and asynchronous sends, and a 10 KiB body the client compresses;
  2. consumes them with a clustering push consumer: each arrives exactly once with its body,
     tags, keys and property intact; a two-member group subscribed to `TagA` before the topic
     existed splits the queues and gets each `TagA` message once and nothing else; a pull
     consumer with the same tag filter gets exactly the matching ones;
  3. sends ordered messages by selector (each key's messages to one queue) and, with 2.1.0, by
     sharding key (SendMessageOrderlyByShardingKey) to a topic created with
     UPDATE_AND_CREATE_TOPIC (17): an orderly push consumer (which locks its queues with
     LOCK_BATCH_MQ, 41) receives each once and in send order per queue, each sharding key on one
     queue, and each of two broadcasting consumers receives every one;
  4. kills the leader with SIGKILL in the middle of a stream of sends the push consumer is
     consuming: the producer follows the NameServers' new route, and the push consumer receives
     every acknowledged message of the stream, the later ones from the new leader.
Raw remoting frames check what the client never sends: an unknown code (answered 3), a follower
NameServer naming the leader, a malformed frame closing its connection while the node serves on.

With `acl` the group runs with aclEnable=true (RocketMQ's plain_acl.yml) and the client, given
an account with `set_session_credentials(access, secret, "ALIYUN")`, which signs every request
as RocketMQ's AclClientRPCHook does:
  1. produces and consumes (push consumer) with a valid account;
  2. is refused with a wrong secret key and on a topic marked DENY (producer and consumer), each
     refusal NO_PERMISSION (16) with the reason in the node's log, and nothing refused is stored;
  3. raw frames: an unsigned send is answered 16 with the reason; the NameServer stays open.

The clients are never shut down: the process ends with os._exit once the checks are done (and
when one fails), because rocketmq-client-cpp 2.1.0's ShutdownPushConsumer crashes unless message
trace is on (Apache rocketmq-client-cpp issue 286), and 1.0.1's waits on its threads.

Usage: rocketmq_interop.py LEDGER_BINARY WORK_DIR CORE [acl], CORE the client core the
interpreter's `rocketmq` package bundles (1.0.1 or 2.1.0). Exit status 0 when every check passed.
"""

import ctypes
import os
import socket
import struct
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for interop_common
from interop_common import (CLIENTS, Group, call, client, create_topic, fail, group_name, log, main, maybe_text,
                            route_master, wait_for)
from rocketmq.client import Message, Producer, PullConsumer, PushConsumer
from rocketmq.exceptions import ffi_check
from rocketmq.ffi import MessageModel, _CMQException, _CSendResult, dll

if len(sys.argv) not in (4, 5) or sys.argv[3] not in ("1.0.1", "2.1.0") or sys.argv[4:] not in ([], ["acl"]):
    sys.exit("usage: rocketmq_interop.py LEDGER_BINARY WORK_DIR 1.0.1|2.1.0 [acl]")
LEDGER, WORK, CORE = sys.argv[1], sys.argv[2], sys.argv[3]
ACL = sys.argv[4:] == ["acl"]
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
ASYNC = 4  # then asynchronous sends
STREAM_BEFORE, STREAM_AFTER = 20, 10  # the stream's sends acknowledged before and after the kill
BIG_BODY = "".join(f"{i:05d}," for i in range(1700))  # 10,200 bytes

# The C API passes the send result to SendMessageAsync's callbacks by value (CProducer.h:
# `void (*CSendSuccessCallback)(CSendResult)`); both Python wrappers declare a pointer and read
# garbage, so the asynchronous send is declared here as the C header has it.
SEND_SUCCESS = ctypes.CFUNCTYPE(None, _CSendResult)
SEND_FAILURE = ctypes.CFUNCTYPE(None, _CMQException)
SEND_ASYNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, SEND_SUCCESS, SEND_FAILURE)(
    ("SendMessageAsync", dll))
# rocketmq-client-cpp 2.1.0 only: the queue is chosen by the hash of the sharding key, and the
# key travels as the property __SHARDINGKEY.
SEND_BY_SHARDING_KEY = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_char_p,
                                        ctypes.POINTER(_CSendResult))(
    ("SendMessageOrderlyByShardingKey", dll)) if CORE == "2.1.0" else None


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


def send_async(producer, msg, results, kept):
    """Sends `msg` asynchronously; its callback appends (status, message id), or (-1, the
    exception's text), to `results`. `msg` and the callbacks stay in `kept` until the process ends."""
    def on_success(result):
        results.append((result.sendStatus, result.msgId.decode()))

    def on_failure(error):
        results.append((-1, error.msg.decode(errors="replace")))

    callbacks = (SEND_SUCCESS(on_success), SEND_FAILURE(on_failure))
    kept.append((msg, callbacks))
    status = SEND_ASYNC(producer._handle, msg._handle, *callbacks)
    if status != 0:
        fail(f"SendMessageAsync returned {status}")


def run(group):
    leader = group.leader()
    log(f"group up, leader n{leader}; NameServers {group.namesrv_addr}; client core {CORE}")
    check_raw(group, leader)

    # A two-member group subscribed (to TagA only) before the topic exists: each queue goes to one
    # member, and only TagA messages reach either.
    pair = {"pair1": [], "pair2": []}
    for name in pair:
        member = client(PushConsumer(group_name("TestPair")))
        member.set_namesrv_addr(group.namesrv_addr)
        member.set_instance_name(name)
        member.subscribe(TOPIC, lambda msg, name=name: pair[name].append(
            (msg.queue_id, maybe_text(msg.get_property("idx")), maybe_text(msg.tags))), "TagA")
        member.start()
    time.sleep(2)

    # The producer and the push consumer that follow the leader kill get client instances (and so
    # connections) of their own: after the kill, 1.0.1's consumers retry their pulls and locks on
    # the dead broker in a tight loop, and an instance's route refresh that cannot take the
    # connection table's lock meanwhile fails at once (TcpRemotingClient::CreateTransport, "get
    # timed_mutex timeout"); sharing one with the orderly consumer, the producer once found no
    # new route for 90 s.
    producer = client(Producer("TestProducer", timeout=3000))
    ffi_check(dll.SetProducerInstanceName(producer._handle, b"producer"))
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
    async_results = []
    for i in range(N + ONEWAY, N + ONEWAY + ASYNC):
        send_async(producer, message(i, "a"), async_results, kept)
    wait_for(lambda: len(async_results) == ASYNC, 30, "the asynchronous sends' callbacks")
    if any(status != 0 or not msg_id for status, msg_id in async_results):
        fail(f"asynchronous sends answered {async_results}")
    total = N + ONEWAY + ASYNC
    log(f"produced {total + 1} messages ({N // 2} sync sends, {N // 2} in batches of 5, {ONEWAY} one-way, "
        f"{ASYNC} asynchronous, one 10 KiB body the client compressed)")

    received = {}
    received_ids = {}

    def on_message(msg):
        idx = maybe_text(msg.get_property("idx"))
        seen = {"tags": maybe_text(msg.tags), "keys": maybe_text(msg.keys), "body": maybe_text(msg.body)}
        received.setdefault(idx, []).append(seen)
        received_ids[idx] = maybe_text(msg.id)

    consumer = client(PushConsumer(group_name("TestPush")))
    consumer.set_instance_name("push")
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
    async_ids = sorted(msg_id for _, msg_id in async_results)
    consumed_async_ids = sorted(received_ids[f"a-{i}"] for i in range(N + ONEWAY, total))
    if async_ids != consumed_async_ids:
        fail(f"the asynchronous sends were answered ids {async_ids} and consumed as {consumed_async_ids}")
    for idx, sent_id in sent_ids.items():
        if received_ids[idx] != sent_id:
            fail(f"message {idx} was sent as id {sent_id} and consumed as {received_ids[idx]}")
    log(f"push consumer received all {total + 1} exactly once with body, tags, keys and property intact "
        "(the compressed one inflated), "
        "with the ids the producer was given (the asynchronous ones through their callbacks)")

    tag_a = sorted(f"a-{i}" for i in range(total) if i % 2 == 0)
    wait_for(lambda: len(pair["pair1"]) + len(pair["pair2"]) >= len(tag_a), 30, "the two-member group")
    time.sleep(1)
    ids = sorted(idx for deliveries in pair.values() for _, idx, _ in deliveries)
    tags = {tag for deliveries in pair.values() for _, _, tag in deliveries}
    queues = [{queue for queue, _, _ in deliveries} for deliveries in pair.values()]
    if ids != tag_a or tags != {"TagA"}:
        fail(f"the two-member TagA group received {len(ids)} deliveries of {len(set(ids))} messages tagged {tags}, "
             f"not the {len(tag_a)} TagA messages once")
    if not all(queues) or queues[0] & queues[1]:
        fail(f"the two members' queues overlap or one has none: {queues}")
    log(f"a two-member group subscribed to TagA before the topic existed split the queues {sorted(queues[0])} / "
        f"{sorted(queues[1])} and received each of the {len(tag_a)} TagA messages once, nothing else")

    puller = client(PullConsumer("TestPuller"))
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

    check_ordered_and_broadcast(group, leader, producer)
    check_failover(group, leader, producer, received)
    log(f"PASS ({len(CLIENTS)} clients still running)")


def check_failover(group, leader, producer, received):
    """A stream of sends the push consumer (`received`) consumes as they come; the leader is
    killed once STREAM_BEFORE of them were acknowledged and some consumed, and the stream goes on
    until STREAM_AFTER more are acknowledged. Every acknowledged one must be consumed, intact."""
    acked = []
    failures = 0
    killed = None
    i = 0
    while len(acked) < STREAM_BEFORE + STREAM_AFTER:
        if killed is None and len(acked) == STREAM_BEFORE:
            wait_for(lambda: any(f"s-{j}" in received for j in acked), 30,
                     "the push consumer to receive the stream's first messages")
            consumed = sum(f"s-{j}" in received for j in acked)
            group.kill(leader)
            killed = time.monotonic()
            log(f"killed the leader n{leader} (SIGKILL) in the middle of the stream: {len(acked)} sends "
                f"acknowledged, {consumed} of them consumed so far")
        if killed is not None and time.monotonic() - killed > 90:
            fail(f"only {len(acked) - STREAM_BEFORE} of {STREAM_AFTER} sends succeeded within 90 s of the leader kill")
        try:  # a retried index gets a new UNIQ_KEY: it may be stored twice, and each copy is checked
            result = producer.send_sync(message(i, "s"))
            error = None if result.status == 0 else f"status {result.status}"
        except Exception as exception:  # the client reports a dead broker as an exception
            error = exception
        if error is None:
            acked.append(i)
            i += 1
            time.sleep(0.05)
            continue
        if killed is None:
            fail(f"send s-{i} failed with the leader n{leader} still up: {error}")
        failures += 1
        if failures == 1:
            log(f"first send after the kill failed, as expected until the route refresh: {error}")
        time.sleep(0.5)
    log(f"producer kept working: {STREAM_AFTER} more sends acknowledged {time.monotonic() - killed:.1f} s after "
        f"the kill ({failures} failed attempts meanwhile)")
    new_leader = group.leader()
    log(f"the NameServers name n{new_leader}")
    wait_for(lambda: all(f"s-{j}" in received for j in acked), 90, "the push consumer to follow the new leader")
    for j in acked:
        if any(delivery != expected(j, "s") for delivery in received[f"s-{j}"]):
            fail(f"message s-{j} arrived as {received[f's-{j}']}, sent as {expected(j, 's')}")
    repeated = sum(len(deliveries) > 1 for deliveries in list(received.values()))
    log(f"push consumer received all {len(acked)} acknowledged messages of the stream, the last "
        f"{time.monotonic() - killed:.1f} s after the kill; {repeated} messages arrived more than once "
        "(redelivered from an uncommitted offset, or a failed send that was stored after all)")


def check_ordered_and_broadcast(group, leader, producer):
    create_topic(group.broker[leader], ORDERED_TOPIC)
    orderly_seen = []  # (queue, key, seq) in arrival order
    broadcast_seen = {"cast1": [], "cast2": []}

    def on_orderly(msg):
        key, seq = maybe_text(msg.get_property("okey")), int(maybe_text(msg.get_property("oseq")))
        orderly_seen.append((msg.queue_id, key, seq))

    orderly = client(PushConsumer(group_name("TestOrderly"), orderly=True))
    orderly.set_namesrv_addr(group.namesrv_addr)
    orderly.subscribe(ORDERED_TOPIC, on_orderly)
    orderly.start()
    for name in broadcast_seen:
        cast = client(PushConsumer(group_name("TestBroadcast"), message_model=MessageModel.BROADCASTING))
        cast.set_namesrv_addr(group.namesrv_addr)
        cast.set_instance_name(name)
        cast.subscribe(ORDERED_TOPIC, lambda msg, name=name: broadcast_seen[name].append(
            (maybe_text(msg.get_property("okey")), int(maybe_text(msg.get_property("oseq"))))))
        cast.start()
    time.sleep(3)  # broadcasting consumers start at the queues' max offsets: let them find them first

    # Keys "k<n>" go by selector to queue n % 4; with 2.1.0, keys "s<n>" by sharding key "shard-<n>"
    # to the queue the client hashes it to, which the consumer reveals.
    sharded = SEND_BY_SHARDING_KEY is not None
    sent = []  # (key, seq) in send order
    for seq in range(PER_KEY):
        for k in range(ORDER_KEYS):
            msg = ordered_message(f"k{k}", seq)
            result = producer.send_orderly(msg, k)  # the default selector: queue k % 4
            if result.status != 0:
                fail(f"ordered send k{k}/{seq}: status {result.status}")
            sent.append((f"k{k}", seq))
            if sharded:
                msg = ordered_message(f"s{k}", seq)
                result = _CSendResult()
                status = SEND_BY_SHARDING_KEY(producer._handle, msg._handle, f"shard-{k}".encode(),
                                              ctypes.byref(result))
                if status != 0 or result.sendStatus != 0:
                    fail(f"send by sharding key shard-{k} ({seq}): returned {status}, status {result.sendStatus}")
                sent.append((f"s{k}", seq))
    total = len(sent)
    wait_for(lambda: len(orderly_seen) >= total, 60, "the orderly consumer")
    wait_for(lambda: all(len(seen) >= total for seen in broadcast_seen.values()), 60, "both broadcasting consumers")
    time.sleep(1)
    if sorted((key, seq) for _, key, seq in orderly_seen) != sorted(sent):
        fail(f"the orderly consumer got {len(orderly_seen)} deliveries, not the {total} messages once each")
    queue_of = {f"k{k}": k % 4 for k in range(ORDER_KEYS)}
    for k in range(ORDER_KEYS if sharded else 0):
        queues = {queue for queue, key, _ in orderly_seen if key == f"s{k}"}
        if len(queues) != 1:
            fail(f"sharding key shard-{k}'s messages arrived on queues {sorted(queues)}, not one")
        queue_of[f"s{k}"] = queues.pop()
    for queue in range(4):
        in_queue = [(key, seq) for q, key, seq in orderly_seen if q == queue]
        if any(queue_of[key] != queue for key, _ in in_queue):
            fail(f"queue {queue} holds keys the selector sent elsewhere: {in_queue}")
        expected_order = [(key, seq) for key, seq in sent if queue_of[key] == queue]
        if in_queue != expected_order:
            fail(f"queue {queue} was consumed as {in_queue}, sent as {expected_order}")
    for name, seen in broadcast_seen.items():
        if sorted(seen) != sorted(sent):
            fail(f"broadcasting member {name} got {len(seen)} deliveries, not the {total} messages once each")
    by_key = ""
    if sharded:
        by_key = (f" and {ORDER_KEYS * PER_KEY} by sharding key (each key on one queue: "
                  + ", ".join(f"shard-{k}→{queue_of[f's{k}']}" for k in range(ORDER_KEYS)) + ")")
    log(f"{ORDER_KEYS * PER_KEY} ordered sends by selector{by_key}: the orderly consumer (queues locked with 41) "
        f"received each once in send order per queue, and both broadcasting members received all {total}")


def ordered_message(key, seq):
    msg = Message(ORDERED_TOPIC)
    msg.set_keys(f"order-{key}")
    msg.set_property("okey", key)
    msg.set_property("oseq", str(seq))
    msg.set_body(f"order {key} step {seq}")
    return msg


# --- ACL ---------------------------------------------------------------------------------------


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
    consumer = PushConsumer("TestAclConsumer" + secret)
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
    consumer = client(PushConsumer(group_name("TestAcl")))
    consumer.set_namesrv_addr(group.namesrv_addr)
    consumer.set_session_credentials(ACL_ACCESS, ACL_SECRET, "ALIYUN")
    consumer.subscribe("AclTopic", lambda msg: received.append(maybe_text(msg.body)))
    consumer.start()
    producer = client(Producer("AclProducer", timeout=3000))
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
             in group.logs(), 10, "the node to log the wrong secret's refusal")
    log(f"wrong secret key: the send failed ({wrong}); the node refused it: signature does not match")

    denied = client_process(group, ACL_ACCESS, ACL_SECRET, "DenyTopic", "producer")
    if not denied.startswith("error"):
        fail(f"a send to a DENY topic was not refused: {denied}")
    wait_for(lambda: 'no permission: AccessKey "interop" lacks PUB on topic "DenyTopic"' in group.logs(), 10,
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


def group_settings():
    """With `acl`, the group's ACL lines (and plain_acl.yml written in WORK)."""
    if not ACL:
        return []
    os.makedirs(WORK, exist_ok=True)
    with open(f"{WORK}/plain_acl.yml", "w") as file:
        file.write(ACL_FILE)
    return ["aclEnable=true", f"aclFile={WORK}/plain_acl.yml"]


if __name__ == "__main__":
    main(Group(LEDGER, WORK, group_settings()), run_acl if ACL else run)
