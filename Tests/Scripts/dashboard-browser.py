#!/usr/bin/env python3
"""Drives headless Chromium through the DevTools protocol (over --remote-debugging-pipe, Python
stdlib only) for DashboardBrowserTests: opens the dashboard, reads its DOM contract
(Sources/Admin/ADMIN.md), and reports what it saw in JSON files the Swift test asserts on.

Phases, coordinated through files in --work:
1. Load --url, wait until the page has polled and shows three nodes, a leader, a topic and a
   consumer group; look up --lookup-key in --lookup-topic with the page's form and wait for the
   answer; mark the page (window.__dashboardMarker); write before.json.
2. While waiting, note the highest throughput the page shows (maxRate: the test sends
   messages now). Wait for killed.json ({"leader": NAME, "killedAtMs": WALL_CLOCK_MS}) written by the test after
   it SIGKILLed that leader; then, without reloading, poll the DOM every 100 ms until a different
   leader is shown; write after.json (with the milliseconds from the kill, and whether the marker
   survived, which proves the page was not reloaded).
3. Save a screenshot (--screenshot) and close the browser.

With --access-key and --secret-key (a node with aclEnable=true), the browser answers the admin
port's HTTP Basic challenge with them, as a person answers the browser's prompt: through the
DevTools Fetch domain, which hands the browser the credentials once, after which the browser
itself sends them with the page's own requests. With --load-only the script stops after the page
loaded and polled three times, and writes loaded.json (with the number of challenges answered).

Exits 1 with a reason on stderr when a phase times out (the last DOM state included)."""

import argparse
import base64
import ctypes
import fcntl
import json
import os
import signal
import subprocess
import sys
import time

PR_SET_PDEATHSIG = 1

# What the DOM says, as one JSON value; the hooks are the contract of ADMIN.md.
STATE_JS = r"""
(() => {
  const rows = (selector) => Array.from(document.querySelectorAll(selector));
  const banner = document.getElementById("leader-change");
  return JSON.stringify({
    marker: window.__dashboardMarker || null,
    polls: Number(document.getElementById("updated").dataset.polls),
    leader: document.getElementById("leader").dataset.leader,
    groupState: document.getElementById("group-status").dataset.state,
    groupStatus: document.getElementById("group-status").textContent,
    leaderChange: banner.hidden ? null : { from: banner.dataset.from, to: banner.dataset.to, text: banner.textContent },
    nodes: rows("#nodes tr[data-node]").map((r) => ({
      id: r.dataset.node, role: r.dataset.role, up: r.dataset.up === "true",
      term: r.querySelector('[data-field="term"]').textContent,
      lag: r.querySelector('[data-field="lag"]').textContent,
      note: r.querySelector('[data-field="note"]').textContent })),
    topics: rows("#topics tr[data-topic]").map((r) => ({ name: r.dataset.topic, queues: Number(r.dataset.queues),
      inRate: r.dataset.inRate === "" ? null : Number(r.dataset.inRate),
      outRate: r.dataset.outRate === "" ? null : Number(r.dataset.outRate) })),
    queues: rows("#topics tr[data-queue]").map((r) => ({
      queue: r.dataset.queue, min: Number(r.dataset.min), max: Number(r.dataset.max) })),
    groups: rows("#consumer-groups tr[data-group]").map((r) => ({ group: r.dataset.group, lag: Number(r.dataset.lag) })),
    groupQueues: rows("#consumer-groups tr[data-group-queue]").map((r) => ({
      queue: r.dataset.groupQueue, lag: Number(r.dataset.lag) })),
    rate: Number(document.getElementById("throughput-rate").dataset.rate),
    outRate: Number(document.getElementById("throughput-out").dataset.rate),
    lookup: rows("#lookup-result [data-msgid]").map((r) => r.dataset.msgid),
    events: rows("#events li[data-level]").map((r) => r.textContent),
  });
})()
"""


class DevTools:
    """The DevTools protocol over Chromium's pipe: NUL-terminated JSON both ways."""

    def __init__(self, chromium, work, size):
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Chromium reads commands on fd 3 and writes answers on fd 4. Copies far above 4 (closed
        # on exec) survive the child's dup2 onto 3 and 4, whatever numbers the pipes got.
        high_r = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 100)
        high_w = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 100)

        def wire():
            os.dup2(high_r, 3)
            os.dup2(high_w, 4)
            # The browser dies with this script, even when the test has to SIGKILL it.
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)

        self.process = subprocess.Popen(
            [chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
             "--user-data-dir=" + os.path.join(work, "chromium-profile"), "--window-size=" + size, "about:blank"],
            preexec_fn=wire, close_fds=False, stdout=subprocess.DEVNULL,
            stderr=open(os.path.join(work, "chromium.log"), "wb"))
        for fd in (to_browser_r, from_browser_w, high_r, high_w):
            os.close(fd)
        self.out = os.fdopen(to_browser_w, "wb")
        self.inp = os.fdopen(from_browser_r, "rb")
        self.buffer = b""
        self.next_id = 0
        self.session = None
        self.credentials = None
        self.challenges = []

    def call(self, method, params=None, session=True):
        self.next_id += 1
        own_id = self.next_id
        message = {"id": own_id, "method": method, "params": params or {}}
        if session and self.session:
            message["sessionId"] = self.session
        self.out.write(json.dumps(message).encode() + b"\0")
        self.out.flush()
        while True:
            reply = self._read()
            if reply.get("method", "").startswith("Fetch."):
                self._answer_fetch(reply)
            elif reply.get("id") == own_id:
                if "error" in reply:
                    raise RuntimeError("%s failed: %s" % (method, reply["error"]))
                return reply.get("result", {})

    def _read(self):
        while b"\0" not in self.buffer:
            chunk = self.inp.read1(65536)
            if not chunk:
                raise RuntimeError("chromium closed the DevTools pipe (see chromium.log)")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def _answer_fetch(self, event):
        """Lets a paused request go on, and answers an auth challenge as a person would."""
        params = event["params"]
        if event["method"] == "Fetch.authRequired":
            self.challenges.append(params["request"]["url"])
            username, password = self.credentials
            response = {"response": "ProvideCredentials", "username": username, "password": password}
            if len(self.challenges) > 3:  # Refused again and again: give up as a person would.
                response = {"response": "CancelAuth"}
            self._send("Fetch.continueWithAuth", {"requestId": params["requestId"], "authChallengeResponse": response},
                       event.get("sessionId"))
        elif event["method"] == "Fetch.requestPaused":
            self._send("Fetch.continueRequest", {"requestId": params["requestId"]}, event.get("sessionId"))

    def _send(self, method, params, session):
        """A command whose reply nobody waits for (it is skipped when it arrives)."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.out.write(json.dumps(message).encode() + b"\0")
        self.out.flush()

    def open(self, url, credentials=None):
        target = self.call("Target.createTarget", {"url": "about:blank"}, session=False)["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True},
                                 session=False)["sessionId"]
        self.call("Page.enable")
        if credentials:
            self.credentials = credentials
            self.call("Fetch.enable", {"handleAuthRequests": True, "patterns": [{"urlPattern": "*"}]})
        self.call("Page.navigate", {"url": url})

    def evaluate(self, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        if "exceptionDetails" in result:
            raise RuntimeError("page script failed: %s" % result["exceptionDetails"])
        return result["result"].get("value")

    def state(self):
        try:
            return json.loads(self.evaluate(STATE_JS))
        except RuntimeError as error:  # the page has not loaded yet
            return {"error": str(error)}

    def screenshot(self, path):
        data = self.call("Page.captureScreenshot", {"format": "png"})["data"]
        with open(path, "wb") as file:
            file.write(base64.b64decode(data))

    def close(self):
        try:
            self.call("Browser.close", session=False)
        except RuntimeError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def write_json(path, value):
    with open(path + ".tmp", "w") as file:
        json.dump(value, file)
    os.rename(path + ".tmp", path)


def wait_for(what, timeout, poll, condition):
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        last = poll()
        if condition(last):
            return last
        time.sleep(0.1)
    sys.stderr.write("timed out after %.0f s waiting for %s; last DOM state: %s\n" % (timeout, what, json.dumps(last)))
    sys.exit(1)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--chromium", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--screenshot", required=True)
    parser.add_argument("--size", default="1366,900")
    parser.add_argument("--lookup-topic")
    parser.add_argument("--lookup-key")
    parser.add_argument("--access-key")
    parser.add_argument("--secret-key")
    parser.add_argument("--load-only", action="store_true")
    arguments = parser.parse_args()
    credentials = (arguments.access_key, arguments.secret_key) if arguments.access_key else None

    browser = DevTools(arguments.chromium, arguments.work, arguments.size)
    try:
        browser.open(arguments.url, credentials)
        if arguments.load_only:
            loaded = wait_for("three polls showing three nodes and a leader", 30, browser.state,
                              lambda state: state.get("polls", 0) >= 3 and len(state["nodes"]) == 3 and state["leader"])
            loaded["challenges"] = browser.challenges
            write_json(os.path.join(arguments.work, "loaded.json"), loaded)
            browser.screenshot(arguments.screenshot)
            return

        def loaded(state):
            return (state.get("polls", 0) >= 1 and len(state["nodes"]) == 3 and state["leader"]
                    and state["topics"] and state["groups"] and all(node["up"] for node in state["nodes"]))

        wait_for("three nodes, a leader, a topic and a group", 30, browser.state, loaded)
        browser.evaluate("document.getElementById('lookup-topic').value = %s;"
                         "document.getElementById('lookup-key').value = %s;"
                         "document.getElementById('lookup').requestSubmit()"
                         % (json.dumps(arguments.lookup_topic), json.dumps(arguments.lookup_key)))
        before = wait_for("the message lookup's answer", 10, browser.state, lambda state: state.get("lookup"))
        browser.evaluate("window.__dashboardMarker = 'set before the kill'")
        write_json(os.path.join(arguments.work, "before.json"), before)

        killed_path = os.path.join(arguments.work, "killed.json")

        def read_killed():
            if not os.path.exists(killed_path):
                return None
            with open(killed_path) as file:
                return json.load(file)

        max_rate = 0
        max_out_rate = 0

        def watch_rate_until_killed():
            nonlocal max_rate, max_out_rate
            state = browser.state()
            max_rate = max(max_rate, state.get("rate", 0))
            max_out_rate = max(max_out_rate, state.get("outRate", 0))
            return read_killed()

        killed = wait_for("the test to kill the leader", 60, watch_rate_until_killed, lambda value: value is not None)

        def new_leader(state):
            return state.get("leader") not in (None, "", killed["leader"])

        after = wait_for("a new leader on the page", 20, browser.state, new_leader)
        after["shownAfterMs"] = int(time.time() * 1000) - killed["killedAtMs"]
        after["maxRate"] = max_rate
        after["maxOutRate"] = max_out_rate
        # The dead node's row turns DOWN once its peers' status of it is stale; give it a moment.
        deadline = time.time() + 5
        while time.time() < deadline:
            latest = browser.state()
            if any(node["id"] == killed["leader"] and not node["up"] for node in latest.get("nodes", [])) \
                    and any(("peer %s down" % killed["leader"]) in event for event in latest.get("events", [])):
                break
            time.sleep(0.1)
        after["latest"] = latest
        write_json(os.path.join(arguments.work, "after.json"), after)
        browser.screenshot(arguments.screenshot)
    finally:
        browser.close()


if __name__ == "__main__":
    main()
