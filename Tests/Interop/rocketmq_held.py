"""Real RocketMQ clients and the messages a SwiftLedger group holds back (issue 14's real-client tests).

Starts a fresh three-node group (interop_common.Group) whose nodes have short held-message
settings (SETTINGS: delay level 3 is 10 s and every other level 1 s, `maxReconsumeTimes=2`,
transactions checked back after 1 s, every 1 s, at most 3 times), then, with the `rocketmq.client`
module of the interpreter running it (PyPI's `rocketmq==0.4.4`, rocketmq-client-cpp 1.0.1, or
`rocketmq-python-cvs==2.1.0.3`, 2.1.0), checks at the same time:
  1. delay: messages sent with `set_delay_time_level(3)` (property DELAY=3) reach a push consumer
     no earlier than 10 s after the send began and within 25 s, each exactly once, with body, tags,
     keys and property intact, on the queue they were sent to;
  2. retry: a push consumer whose callback fails (RECONSUME_LATER, so the client sends
     CONSUMER_SEND_MSG_BACK, 36) gets the message again from `%RETRY%<group>` with reconsume_times
     1 (no earlier than 10 s later: level 3 + 0) and then 2 (level 4, 1 s), its topic reset to
     the original by the client (from RETRY_TOPIC), the same message id (UNIQ_KEY) and the rest intact;
        1.0.1: the client sends no maxReconsumeTimes, so the node's 2 applies: the third failure
        puts the message in `%DLQ%<group>`, where `ledger pull --topic %DLQ%<group> --queue 0`
        (LEDGER_BINARY's) shows it, and the consumer never gets it a fourth time;
        2.1.0: it always sends maxReconsumeTimes 16 (no C API sets it), so the callback succeeds
        on the third delivery and the message never comes back, nor reaches the DLQ;
  3. transactions (2.1.0 only: 1.0.1 has no transaction API), through the C API with ctypes
     (CreateTransactionProducer, SendMessageTransaction; CTransactionStatus commit 0, rollback
     1, unknown 2): a half message the local transaction commits is consumed exactly once, one
     it rolls back never, one left unknown is checked back (CHECK_TRANSACTION_STATE, 39: the
     checker callback runs, no earlier than transactionTimeOut after the send) and, answered
     commit, consumed exactly once; one the checker keeps answering unknown is checked exactly
     transactionCheckMax (3) times, never consumed, and every node logs its discard.

The push consumers' callbacks are registered here with an explicit status (RECONSUME_LATER = 1)
rather than through the wrappers' `subscribe`, whose callback, when the user's raises, re-raises
out of the ctypes callback: ctypes prints the traceback and does not set the C return value, so
that a raise means RECONSUME_LATER (as it did in every run tried) is luck, not a promise.

Usage: rocketmq_held.py LEDGER_BINARY WORK_DIR CORE (1.0.1 or 2.1.0, the core the interpreter's
`rocketmq` package bundles). Exit status 0 when every check passed. The clients are never shut
down (interop_common.main).
"""

import ctypes
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree for interop_common
import interop_common
from interop_common import (CLIENTS, Group, client, create_topic, fail, group_name, log, main, maybe_text, route_master,
                            wait_for, wait_until)
from rocketmq.client import Message, Producer, PushConsumer, RecvMessage
from rocketmq.exceptions import ffi_check
from rocketmq.ffi import MSG_CALLBACK_FUNC, _CSendResult, dll

if len(sys.argv) != 4 or sys.argv[3] not in ("1.0.1", "2.1.0"):
    sys.exit("usage: rocketmq_held.py LEDGER_BINARY WORK_DIR 1.0.1|2.1.0")
LEDGER, WORK, CORE = sys.argv[1], sys.argv[2], sys.argv[3]
interop_common.LOG_TAG = f"held {CORE}"

DELAY_LEVEL, DELAY_SECONDS = 3, 10
SETTINGS = [
    "messageDelayLevel=1s 1s 10s " + " ".join(["1s"] * 15),  # 18 levels; level 3 is 10 s
    "maxReconsumeTimes=2",
    "transactionTimeOut=1000",
    "transactionCheckInterval=1000",
    "transactionCheckMax=3",
    # Not a failover test: a leader that a loaded machine stalls past the default 150 ms election
    # timeout steps down, and the clients reach the new one only at their 30 s route refresh,
    # beyond these checks' deadlines (seen once while a test build ran beside it).
    "heartbeatIntervalMs=100",
    "electionTimeoutMinMs=1000",
    "electionTimeoutMaxMs=2000",  # at most proposalTimeoutMs (2000)
]
CHECK_MAX = 3
DELAY_TOPIC, RETRY_TOPIC, TX_TOPIC = "HeldDelayTopic", "HeldRetryTopic", "HeldTxTopic"
DELAY_GROUP, RETRY_GROUP, TX_GROUP = group_name("HeldDelay"), group_name("HeldRetry"), group_name("HeldTx")
DELAYED = 3  # delayed messages, one per queue 0..2
QUIET = 3.0  # seconds without a further delivery (or check) before "exactly once" holds

# CTransactionStatus (rocketmq-client-cpp 2.1.0 include/CTransactionStatus.h).
COMMIT, ROLLBACK, UNKNOWN = 0, 1, 2
CONSUME_SUCCESS, RECONSUME_LATER = 0, 1  # CConsumeStatus
if CORE == "2.1.0":
    # CProducer.h: typedef CTransactionStatus (*CLocalTransactionCheckerCallback)(CProducer*,
    # CMessageExt*, void*); the executor's takes a CMessage*; both return the enum (an int).
    TX_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)
    CREATE_TX_PRODUCER = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_char_p, TX_CALLBACK, ctypes.c_void_p)(
        ("CreateTransactionProducer", dll))
    SEND_TX = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, TX_CALLBACK, ctypes.c_void_p,
                               ctypes.POINTER(_CSendResult))(("SendMessageTransaction", dll))


def push_consumer(namesrv, group, instance, topic, on_message):
    """A clustering push consumer of `group` on `topic` in a client instance of its own;
    `on_message(msg)` returns whether the message was consumed (else RECONSUME_LATER)."""
    consumer = client(PushConsumer(group))
    consumer.set_instance_name(instance)
    consumer.set_namesrv_addr(namesrv)

    def callback(_consumer, handle):
        try:
            return CONSUME_SUCCESS if on_message(RecvMessage(handle)) else RECONSUME_LATER
        except BaseException as error:  # a broken check is a failed consumption, and a failed test
            ERRORS.append(f"{group}'s callback raised {error!r}")
            return RECONSUME_LATER

    func = MSG_CALLBACK_FUNC(callback)
    CLIENTS.append(func)
    ffi_check(dll.Subscribe(consumer._handle, topic.encode(), b"*"))
    ffi_check(dll.RegisterMessageCallback(consumer._handle, func))
    consumer.start()
    return consumer


ERRORS = []  # failures inside client callbacks, reported by the main thread


def delivery(msg):
    return {"at": time.time(), "topic": maybe_text(msg.topic), "tags": maybe_text(msg.tags),
            "keys": maybe_text(msg.keys), "body": maybe_text(msg.body), "idx": maybe_text(msg.get_property("idx")),
            "queue": msg.queue_id, "reconsume": msg.reconsume_times, "id": maybe_text(msg.id)}


def held_message(topic, idx, tags):
    msg = Message(topic)
    msg.set_tags(tags)
    msg.set_keys(f"key-{idx}")
    msg.set_property("idx", idx)
    msg.set_body(f"held body {idx} with spaces")
    return msg


def intact(seen, idx, tags, topic):
    return (seen["topic"], seen["tags"], seen["keys"], seen["body"], seen["idx"]) == (
        topic, tags, f"key-{idx}", f"held body {idx} with spaces", idx)


def run(group):
    leader = group.leader()
    log(f"group up, leader n{leader}; client core {CORE}; " + ", ".join(SETTINGS))
    topics = (DELAY_TOPIC, RETRY_TOPIC, TX_TOPIC)
    for topic in topics:
        create_topic(group.broker[leader], topic)
    # A follower's NameServer names a topic once the follower applied its creation; until then it
    # answers TOPIC_NOT_EXIST, and 1.0.1's send by selector fails ("No route info of this topic").
    wait_for(lambda: all(route_master(port, topic) for port in group.namesrv for topic in topics), 10,
             "every NameServer to name the new topics")

    delayed, retried, transacted = [], [], []
    push_consumer(group.namesrv_addr, DELAY_GROUP, "delay", DELAY_TOPIC, lambda msg: delayed.append(delivery(msg)) or True)

    def on_retry(msg):
        retried.append(delivery(msg))
        # 1.0.1: fail every time, into the DLQ; 2.1.0: succeed on the third delivery.
        return CORE == "2.1.0" and msg.reconsume_times >= 2

    push_consumer(group.namesrv_addr, RETRY_GROUP, "retry", RETRY_TOPIC, on_retry)
    if CORE == "2.1.0":
        push_consumer(group.namesrv_addr, TX_GROUP, "tx", TX_TOPIC, lambda msg: transacted.append(delivery(msg)) or True)

    producer = client(Producer("HeldProducer", timeout=3000))
    ffi_check(dll.SetProducerInstanceName(producer._handle, b"producer"))
    producer.set_namesrv_addr(group.namesrv_addr)
    producer.start()

    # 1. Delayed sends, one to each of queues 0..DELAYED-1 (by the default selector, arg % 4).
    delay_sent = {}
    for i in range(DELAYED):
        msg = held_message(DELAY_TOPIC, f"delay-{i}", "TagD")
        msg.set_delay_time_level(DELAY_LEVEL)
        began = time.time()
        result = producer.send_orderly(msg, i)
        if result.status != 0:
            fail(f"delayed send {i}: status {result.status}")
        delay_sent[f"delay-{i}"] = (began, i)
    log(f"sent {DELAYED} messages with delay level {DELAY_LEVEL} ({DELAY_SECONDS} s)")

    # 2. The message the retry group's callback fails.
    retry_began = time.time()
    if producer.send_sync(held_message(RETRY_TOPIC, "retry-0", "TagR")).status != 0:
        fail("the retry topic's send failed")
    log("sent the message the retry group fails")

    tx = run_transactions(group, leader) if CORE == "2.1.0" else None

    # Every wait below runs while the others' deadlines pass: the phases overlap.
    try:
        check_delayed(delayed, delay_sent)
        check_retried(group, retried, retry_began)
        if tx is not None:
            tx(transacted)
    finally:
        elections = [line for line in group.logs().splitlines() if "won the election" in line]
        if len(elections) > 1:
            log(f"the leader changed during the run (the clients follow at their 30 s route refresh): {elections}")
    if ERRORS:
        fail("; ".join(ERRORS))
    log(f"PASS ({len(CLIENTS)} clients and callbacks still referenced)")


def check_delayed(delayed, sent):
    latest = max(began for began, _ in sent.values())
    if not wait_until(lambda: len({d["idx"] for d in delayed}) >= len(sent),
                      latest + DELAY_SECONDS + 15 - time.time()):
        fail(f"{DELAY_SECONDS + 15} s after the sends, the delay group got only {delayed}")
    time.sleep(max(0.0, max(d["at"] for d in delayed) + QUIET - time.time()))
    waits = []
    for idx, (began, queue) in sent.items():
        deliveries = [d for d in delayed if d["idx"] == idx]
        if len(deliveries) != 1:
            fail(f"delayed message {idx} was delivered {len(deliveries)} times: {deliveries}")
        seen = deliveries[0]
        if not intact(seen, idx, "TagD", DELAY_TOPIC) or seen["queue"] != queue:
            fail(f"delayed message {idx} arrived as {seen}, sent to queue {queue}")
        waited = seen["at"] - began
        if not DELAY_SECONDS <= waited <= DELAY_SECONDS + 15:
            fail(f"delayed message {idx} (level {DELAY_LEVEL}, {DELAY_SECONDS} s) was consumed {waited:.2f} s after "
                 "its send began")
        waits.append(waited)
    if len(delayed) != len(sent):
        fail(f"the delay group got {len(delayed)} deliveries: {delayed}")
    log(f"delay level {DELAY_LEVEL}: each of the {len(sent)} messages consumed once, intact, on its queue, "
        f"{min(waits):.2f}-{max(waits):.2f} s after its send began")


def check_retried(group, retried, began):
    want = 3  # reconsume_times 0, 1, 2
    if not wait_until(lambda: len(retried) >= want, began + DELAY_SECONDS + 25 - time.time()):
        fail(f"{DELAY_SECONDS + 25} s after the send, the retry group got only {retried}")
    times = [d["reconsume"] for d in retried[:want]]
    if times != [0, 1, 2]:
        fail(f"the retried message's deliveries had reconsume_times {times}, not 0, 1, 2: {retried}")
    for seen in retried[:want]:
        if not intact(seen, "retry-0", "TagR", RETRY_TOPIC):
            fail(f"the retried message came back as {seen} (the client resets the topic from RETRY_TOPIC)")
    if len({d["id"] for d in retried}) != 1:
        fail(f"the redeliveries carry message ids {[d['id'] for d in retried]}, not the first one's (UNIQ_KEY)")
    gaps = [retried[1]["at"] - retried[0]["at"], retried[2]["at"] - retried[1]["at"]]
    if gaps[0] < DELAY_SECONDS or gaps[1] < 1:
        fail(f"redelivered {gaps[0]:.2f} s and {gaps[1]:.2f} s after each failure: sooner than delay levels 3 "
             f"({DELAY_SECONDS} s) and 4 (1 s)")
    dlq = f"%DLQ%{RETRY_GROUP}"
    if CORE == "1.0.1":
        line = "0 TagR key-retry-0 held body retry-0 with spaces"
        if not wait_until(lambda: line in dead_letters(group, dlq), 15, poll=0.5):
            fail(f"15 s after the third failure, `ledger pull --topic {dlq}` shows {dead_letters(group, dlq)}")
        found = time.time()
        time.sleep(max(0.0, max(found, retried[-1]["at"] + 1) + QUIET - time.time()))
        if len(retried) != want:
            fail(f"the message was consumed {len(retried)} times, after it went to {dlq}: {retried}")
        shown = dead_letters(group, dlq)
        if shown[0] != line or len(shown) != 2 or not shown[1].startswith("next 1 "):
            fail(f"ledger pull --topic {dlq} shows {shown}")
        outcome = (f"the third failure put it in {dlq} (maxReconsumeTimes=2 of the node), where `ledger pull` shows "
                   f"{shown[0]!r}; not consumed a fourth time")
    else:
        time.sleep(max(0.0, retried[-1]["at"] + QUIET - time.time()))
        if len(retried) != want:
            fail(f"the message was consumed {len(retried)} times, after the callback succeeded: {retried}")
        shown = dead_letters(group, dlq)
        if len(shown) != 1 or not (shown[0].startswith("next 0 ") or f"no such topic: {dlq}" in shown[0]):
            fail(f"{dlq} is not empty after the third delivery succeeded: {shown}")
        outcome = f"consumed on the third delivery and never again; `ledger pull --topic {dlq}`: {shown[0]!r}"
    log(f"retry: the failed message came back from %RETRY%{RETRY_GROUP} with reconsume_times 1 after "
        f"{gaps[0]:.2f} s and 2 after {gaps[1]:.2f} s, topic {RETRY_TOPIC}, "
        f"its id and the rest intact; {outcome}")


def dead_letters(group, topic):
    """`ledger pull --topic TOPIC --queue 0` against the group: its output lines."""
    result = subprocess.run([LEDGER, "pull", "--topic", topic, "--queue", "0", "--offset", "0", "-c", group.conf(0)],
                            capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        return [f"exit {result.returncode}: {result.stderr.strip()}"]
    return result.stdout.splitlines()


def run_transactions(group, leader):
    """Sends the four transactions; returns the check, to run once `transacted` had time."""
    decisions = {"tx-commit": COMMIT, "tx-rollback": ROLLBACK, "tx-check": UNKNOWN, "tx-never": UNKNOWN}
    answers = {"tx-check": COMMIT, "tx-never": UNKNOWN}  # what the checker says
    checks = []  # (time, idx)

    # A Python exception must not leave a ctypes callback (its C return value would be unset).
    def executor(_producer, _msg, data):  # data: 1 + the message's index in TX_ORDER
        try:
            return decisions[TX_ORDER[data - 1]]
        except BaseException as error:
            ERRORS.append(f"the local transaction executor raised {error!r}")
            return ROLLBACK

    def checker(_producer, msg_ext, _data):
        try:
            idx = maybe_text(dll.GetMessageProperty(msg_ext, b"idx"))
            checks.append((time.time(), idx))
            return answers.get(idx, ROLLBACK)
        except BaseException as error:
            ERRORS.append(f"the transaction checker raised {error!r}")
            return ROLLBACK

    executor_func, checker_func = TX_CALLBACK(executor), TX_CALLBACK(checker)
    CLIENTS.extend([executor_func, checker_func])
    handle = CREATE_TX_PRODUCER(b"HeldTxProducer", checker_func, None)
    if not handle:
        fail("CreateTransactionProducer returned NULL")
    CLIENTS.append(handle)
    ffi_check(dll.SetProducerInstanceName(handle, b"txproducer"))
    ffi_check(dll.SetProducerNameServerAddress(handle, group.namesrv_addr.encode()))
    ffi_check(dll.StartProducer(handle))
    sent = {}
    for n, idx in enumerate(TX_ORDER):
        msg = client(held_message(TX_TOPIC, idx, "TagT"))
        result = _CSendResult()
        sent[idx] = time.time()
        status = SEND_TX(handle, msg._handle, executor_func, n + 1, ctypes.byref(result))
        if status != 0 or result.sendStatus != 0:
            fail(f"SendMessageTransaction {idx}: returned {status}, send status {result.sendStatus}")
    log("sent 4 transactional messages: local transaction commit, rollback, unknown (checker: commit), "
        "unknown (checker: unknown)")

    def check(transacted):
        wait_for(lambda: {"tx-commit", "tx-check"} <= {d["idx"] for d in transacted}, 20,
                 "the committed and the checked-and-committed transactional messages")
        wait_for(lambda: sum(idx == "tx-never" for _, idx in checks) >= CHECK_MAX, 20,
                 f"{CHECK_MAX} check backs of the message the checker leaves unknown")
        wait_for(lambda: len(discards(group)) >= 3, 10, "every node to log the discard")
        time.sleep(max(0.0, max([d["at"] for d in transacted] + [at for at, _ in checks]) + QUIET - time.time()))
        for idx in ("tx-commit", "tx-check"):
            deliveries = [d for d in transacted if d["idx"] == idx]
            if len(deliveries) != 1 or not intact(deliveries[0], idx, "TagT", TX_TOPIC):
                fail(f"transactional message {idx} was consumed as {deliveries}, not once intact")
        if len(transacted) != 2:
            fail(f"the transaction group consumed {[d['idx'] for d in transacted]}: a rolled-back or discarded "
                 "half message became visible")
        checked = {idx: [at - sent[idx] for at, i in checks if i == idx] for idx in TX_ORDER}
        if checked["tx-commit"] or checked["tx-rollback"]:
            fail(f"decided transactions were checked back: {checked}")
        if not 1 <= len(checked["tx-check"]) <= CHECK_MAX or len(checked["tx-never"]) != CHECK_MAX:
            fail(f"check backs after the sends: {checked}; wanted 1-{CHECK_MAX} and exactly {CHECK_MAX}")
        if min(checked["tx-check"] + checked["tx-never"]) < 1.0:
            fail(f"a half message was checked back sooner than transactionTimeOut (1 s): {checked}")
        consumed = next(d["at"] for d in transacted if d["idx"] == "tx-check")
        if consumed < sent["tx-check"] + min(checked["tx-check"]):
            fail("the checked transaction was consumed before its check back")
        discard = discards(group)
        if len(discard) != 3 or any(f"still undecided after {CHECK_MAX} check backs" not in d for d in discard):
            fail(f"the nodes logged the discards {discard}, not one each after {CHECK_MAX} check backs")

        def seconds(values):
            return ", ".join(f"{v:.2f}" for v in values)

        log(f"transactions: the committed one consumed once; the rolled-back one never; the unknown one checked "
            f"back {seconds(checked['tx-check'])} s after its send, committed by the checker and consumed once; "
            f"the one the checker leaves unknown checked {seconds(checked['tx-never'])} s after its send, never "
            f"consumed, and discarded (each node logs {discard[0].split(' discarded ')[1]!r})")
    return check


def discards(group):
    """The nodes' log lines about discarded half messages."""
    return [line for line in group.logs().splitlines() if "discarded the half message" in line]


TX_ORDER = ["tx-commit", "tx-rollback", "tx-check", "tx-never"]

if __name__ == "__main__":
    main(Group(LEDGER, WORK, SETTINGS), run)
