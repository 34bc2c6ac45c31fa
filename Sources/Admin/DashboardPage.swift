/// The dashboard at `/`: one self-contained HTML page (inline CSS and JavaScript, nothing
/// fetched but this node's own `/api` documents), compiled into the binary. The page polls
/// `/api/group`, `/api/topics`, `/api/groups` and `/api/events` every second and redraws; the
/// DOM hooks tests and scripts may rely on are listed in `ADMIN.md` ("Dashboard DOM contract").
public enum DashboardPage {
    /// The `200` answer for `/`: the page as `text/html`, not cached (a new binary serves a new page).
    public static let response = HTTPResponse(
        status: .ok,
        headers: [
            HTTPHeader(name: "Content-Type", value: "text/html; charset=utf-8"),
            HTTPHeader(name: "Cache-Control", value: "no-store"),
        ],
        body: Array(html.utf8))

    /// The page's source.
    public static let html = #"""
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>SwiftLedger</title>
        <style>
          :root { --bg: #f6f7f9; --card: #fff; --ink: #1d2330; --dim: #667085; --line: #e3e6eb;
                  --leader: #1a7f37; --warn: #b54708; --down: #b42318; --accent: #2f6fdd; }
          * { box-sizing: border-box; }
          body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; background: var(--bg); color: var(--ink); }
          header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 24px; padding: 12px 20px;
                   background: var(--card); border-bottom: 1px solid var(--line); }
          header h1 { font-size: 18px; margin: 0; }
          header .fact { color: var(--dim); }
          header .fact b { color: var(--ink); }
          #group-status { font-weight: 600; padding: 2px 10px; border-radius: 10px; }
          #group-status[data-state="ok"] { background: #e6f4ea; color: var(--leader); }
          #group-status[data-state="no-leader"], #group-status[data-state="unreachable"] { background: #fdecea; color: var(--down); }
          #group-status[data-state="loading"] { background: var(--line); color: var(--dim); }
          #leader-change { margin: 10px 20px 0; padding: 8px 12px; border-radius: 6px; background: #fff4e5; color: var(--warn); }
          #leader-change[hidden] { display: none; }
          main { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; padding: 16px 20px; }
          section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; min-width: 0; }
          section.wide { grid-column: 1 / -1; }
          h2 { font-size: 15px; margin: 0 0 8px; }
          h2 small { font-weight: normal; color: var(--dim); }
          table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
          th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
          th { color: var(--dim); font-weight: 500; font-size: 12px; }
          td.num, th.num { text-align: right; }
          .role { font-weight: 600; }
          tr[data-role="LEADER"] .role { color: var(--leader); }
          tr[data-role="CANDIDATE"] .role { color: var(--warn); }
          tr[data-up="false"] { color: var(--down); background: #fff5f4; }
          tr.changed td { animation: flash 2s ease-out; }
          @keyframes flash { from { background: #fff1c2; } to { background: transparent; } }
          .lag-high { color: var(--warn); font-weight: 600; }
          .empty { color: var(--dim); padding: 6px 0; }
          .scroll { max-height: 320px; overflow: auto; }
          canvas { width: 100%; height: 180px; display: block; }
          .legend-in { color: #2f6fdd; font-weight: 600; } .legend-out { color: #e07b24; font-weight: 600; }
          form { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 8px; }
          input { font: inherit; padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; min-width: 0; }
          button { font: inherit; padding: 4px 12px; border: 1px solid var(--accent); background: var(--accent); color: #fff; border-radius: 4px; cursor: pointer; }
          pre { white-space: pre-wrap; word-break: break-all; margin: 4px 0; background: var(--bg); padding: 6px 8px; border-radius: 4px; }
          #events li { list-style: none; padding: 2px 0; border-bottom: 1px solid var(--line); }
          #events { margin: 0; padding: 0; font-size: 13px; }
          #events .time { color: var(--dim); margin-right: 8px; font-variant-numeric: tabular-nums; }
          #events li[data-level="warning"], #events li[data-level="error"] { color: var(--warn); }
          .error { color: var(--down); }
        </style>
        </head>
        <body>
        <header>
          <h1>SwiftLedger <span id="group-name"></span></h1>
          <span id="group-status" data-state="loading">loading</span>
          <span class="fact">leader <b id="leader" data-leader="">-</b></span>
          <span class="fact">term <b id="term">-</b></span>
          <span class="fact">served by <b id="served-by">-</b></span>
          <span class="fact">updated <b id="updated" data-polls="0">never</b></span>
        </header>
        <div id="leader-change" hidden></div>
        <main>
          <section class="wide">
            <h2>Nodes <small>role, term and log positions as each node reports them; lag is entries behind the leader</small></h2>
            <table id="nodes">
              <thead><tr><th>node</th><th>address</th><th>role</th><th class="num">term</th><th>leader</th>
                <th class="num">last</th><th class="num">commit</th><th class="num">applied</th><th class="num">lag</th>
                <th class="num">uptime</th><th class="num">disk</th><th>note</th></tr></thead>
              <tbody></tbody>
            </table>
          </section>
          <section>
            <h2>Throughput <small>messages in (stored) and out (consumed and committed) per second, up to the last 5 minutes</small></h2>
            <canvas id="throughput" width="880" height="360"></canvas>
            <div><span class="legend-in">in</span> <span id="throughput-rate" data-rate="0">0</span> msg/s,
              <span class="legend-out">out</span> <span id="throughput-out" data-rate="0">0</span> msg/s now,
              <span id="messages-in">0</span> messages stored</div>
          </section>
          <section>
            <h2>Message lookup <small>by key and topic, or by msgId</small></h2>
            <form id="lookup">
              <input id="lookup-topic" placeholder="topic" size="12">
              <input id="lookup-key" placeholder="key" size="12">
              <span>or</span>
              <input id="lookup-msgid" placeholder="msgId" size="34">
              <button type="submit">Look up</button>
            </form>
            <div id="lookup-result" class="scroll"></div>
          </section>
          <section>
            <h2>Topics <small>queue offsets on the serving node; messages in and out per second over the last minute</small></h2>
            <div class="scroll"><table id="topics">
              <thead><tr><th>topic / queue</th><th class="num">min offset</th><th class="num">max offset</th><th class="num">messages</th><th class="num">in/s</th><th class="num">out/s</th></tr></thead>
              <tbody></tbody>
            </table></div>
          </section>
          <section>
            <h2>Consumer groups <small>highest lag first</small></h2>
            <div class="scroll"><table id="consumer-groups">
              <thead><tr><th>group / queue</th><th class="num">broker offset</th><th class="num">consumer offset</th><th class="num">lag</th></tr></thead>
              <tbody></tbody>
            </table></div>
          </section>
          <section class="wide">
            <h2>Events <small>recent elections, leader changes, followers catching up, peers down (serving node)</small></h2>
            <ul id="events" class="scroll"></ul>
          </section>
        </main>
        <script>
        "use strict";
        const POLL_MS = 1000, WINDOW_MS = 5 * 60 * 1000, TIMEOUT_MS = 2500;
        const $ = (id) => document.getElementById(id);
        let polls = 0, lastLeader = undefined, samples = [], lastRoles = {};

        function el(tag, attrs, ...children) {
          const node = document.createElement(tag);
          for (const [name, value] of Object.entries(attrs || {})) {
            if (name === "class") node.className = value; else node.setAttribute(name, value);
          }
          for (const child of children) {
            node.append(child instanceof Node ? child : child === null || child === undefined ? "" : String(child));
          }
          return node;
        }
        function num(value) { return value === null || value === undefined ? "-" : Number(value).toLocaleString("en-US"); }
        function uptime(ms) {
          if (ms === null || ms === undefined) return "-";
          const s = Math.floor(ms / 1000);
          if (s < 60) return s + "s";
          if (s < 3600) return Math.floor(s / 60) + "m" + String(s % 60).padStart(2, "0") + "s";
          if (s < 86400) return Math.floor(s / 3600) + "h" + String(Math.floor(s / 60) % 60).padStart(2, "0") + "m";
          return Math.floor(s / 86400) + "d" + String(Math.floor(s / 3600) % 24).padStart(2, "0") + "h";
        }
        function clock(ms) { return new Date(ms).toLocaleTimeString("en-GB", { hour12: false }); }

        async function getJSON(path) {
          const controller = new AbortController();
          const timer = setTimeout(() => controller.abort(), TIMEOUT_MS);
          try {
            const response = await fetch(path, { signal: controller.signal, cache: "no-store" });
            const body = await response.json();
            if (!response.ok) throw new Error(body.error || response.status);
            return body;
          } finally { clearTimeout(timer); }
        }

        function renderGroup(group) {
          $("group-name").textContent = group.group;
          $("served-by").textContent = group.servedBy;
          $("term").textContent = group.term === null ? "-" : group.term;
          const leader = group.leader;
          $("leader").textContent = leader || "none";
          $("leader").dataset.leader = leader || "";
          const status = $("group-status");
          const up = group.nodes.filter((n) => n.up).length;
          if (leader) {
            status.dataset.state = "ok";
            status.textContent = "leader " + leader + " \u00b7 " + up + " of " + group.nodes.length + " nodes up";
          } else {
            status.dataset.state = "no-leader";
            status.textContent = "NO LEADER \u00b7 " + up + " of " + group.nodes.length + " nodes up";
          }
          // A change is from the last leader seen to the new one, whether or not a poll fell in
          // the leaderless gap between them; the gap itself reads "no leader (was ...)".
          const banner = $("leader-change");
          if (leader && lastLeader !== undefined && leader !== lastLeader) {
            banner.hidden = false;
            banner.dataset.from = lastLeader || "";
            banner.dataset.to = leader;
            banner.textContent = clock(Date.now()) + ": leader changed from " + (lastLeader || "none") +
              " to " + leader + " (term " + group.term + ")";
          } else if (!leader && lastLeader && banner.dataset.gapFrom !== lastLeader) {
            banner.hidden = false;
            banner.dataset.gapFrom = lastLeader;
            banner.textContent = clock(Date.now()) + ": no leader (was " + lastLeader + ")";
          }
          if (leader) { lastLeader = leader; delete banner.dataset.gapFrom; }
          else if (lastLeader === undefined) lastLeader = null;
          const body = $("nodes").tBodies[0];
          body.replaceChildren(...group.nodes.map((n) => {
            const note = !n.up ? "node down: " + (n.error || "no answer") : n.catchingUp ? "catching up" : "";
            const row = el("tr", { "data-node": n.id, "data-role": n.role, "data-up": String(n.up) },
              el("td", { "data-field": "id" }, n.id), el("td", {}, n.address),
              el("td", { class: "role", "data-field": "role" }, n.up ? n.role : "DOWN"),
              el("td", { class: "num", "data-field": "term" }, num(n.term)),
              el("td", { "data-field": "leader" }, n.leader || "-"),
              el("td", { class: "num", "data-field": "lastIndex" }, num(n.lastIndex)),
              el("td", { class: "num", "data-field": "commitIndex" }, num(n.commitIndex)),
              el("td", { class: "num", "data-field": "appliedIndex" }, num(n.appliedIndex)),
              el("td", { class: "num" + (n.catchingUp ? " lag-high" : ""), "data-field": "lag" }, num(n.lag)),
              el("td", { class: "num" }, uptime(n.uptimeMs)),
              el("td", { class: "num", "data-field": "disk" },
                n.diskUsedRatio == null ? "-" : Math.ceil(n.diskUsedRatio * 100) + "%"),
              el("td", { "data-field": "note" }, note));
            if (lastRoles[n.id] !== undefined && lastRoles[n.id] !== n.role) row.className = "changed";
            lastRoles[n.id] = n.role;
            return row;
          }));
          const now = Date.now();
          samples.push([now, group.messagesIn, group.messagesConsumed]);
          while (samples.length > 0 && samples[0][0] < now - WINDOW_MS) samples.shift();
          $("messages-in").textContent = num(group.messagesIn);
          drawThroughput();
        }

        // Per second between polls of counter `k` of the samples (1: in, 2: out).
        function rates(k) {
          const points = [];
          for (let i = 1; i < samples.length; i++) {
            const t0 = samples[i - 1][0], m0 = samples[i - 1][k], t1 = samples[i][0], m1 = samples[i][k];
            // A restarted or different serving node may report fewer messages: no negative rates.
            if (t1 > t0) points.push([t1, Math.max(0, (m1 - m0) * 1000 / (t1 - t0))]);
          }
          return points;
        }

        function drawThroughput() {
          const canvas = $("throughput"), g = canvas.getContext("2d");
          const w = canvas.width, h = canvas.height, pad = 44;
          const points = rates(1), out = rates(2), now = Date.now();
          const current = points.length ? points[points.length - 1][1] : 0;
          const currentOut = out.length ? out[out.length - 1][1] : 0;
          $("throughput-rate").textContent = num(Math.round(current));
          $("throughput-rate").dataset.rate = String(Math.round(current));
          $("throughput-out").textContent = num(Math.round(currentOut));
          $("throughput-out").dataset.rate = String(Math.round(currentOut));
          const max = Math.max(10, ...points.map((p) => p[1]), ...out.map((p) => p[1])) * 1.15;
          g.clearRect(0, 0, w, h);
          g.font = "20px system-ui, sans-serif";
          g.fillStyle = "#667085"; g.strokeStyle = "#e3e6eb"; g.lineWidth = 1;
          for (let i = 0; i <= 4; i++) {
            const y = h - pad - (h - pad * 2) * i / 4;
            g.beginPath(); g.moveTo(pad + 40, y); g.lineTo(w - 10, y); g.stroke();
            g.fillText(String(Math.round(max * i / 4)), 4, y + 6);
          }
          // The axis grows with the page's history, from one minute up to WINDOW_MS.
          const span = Math.min(WINDOW_MS, Math.max(60000, samples.length ? now - samples[0][0] : 0));
          const spanText = span < 120000 ? Math.round(span / 1000) + " s" : Math.round(span / 60000) + " min";
          g.fillText("-" + spanText, pad + 40, h - 10); g.fillText("now", w - 50, h - 10);
          const x = (t) => pad + 40 + (w - pad - 50) * (1 - (now - t) / span);
          const y = (r) => h - pad - (h - pad * 2) * r / max;
          for (const [series, color] of [[out, "#e07b24"], [points, "#2f6fdd"]]) {
            g.strokeStyle = color; g.lineWidth = 3; g.beginPath();
            series.forEach(([t, r], i) => { if (i === 0) g.moveTo(x(t), y(r)); else g.lineTo(x(t), y(r)); });
            g.stroke();
          }
        }

        function renderTopics(doc) {
          const body = $("topics").tBodies[0];
          if (doc.topics.length === 0) { body.replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: "6" }, "no topics yet"))); return; }
          // A rate is null until the node has sampled for a second, and for topics past its first 100.
          const rate = (r) => r == null ? "-" : r.toFixed(r < 10 ? 2 : 1);
          const rows = [];
          for (const topic of doc.topics) {
            rows.push(el("tr", { "data-topic": topic.name, "data-queues": String(topic.queues.length),
                "data-in-rate": topic.inPerSecond == null ? "" : String(topic.inPerSecond),
                "data-out-rate": topic.outPerSecond == null ? "" : String(topic.outPerSecond) },
              el("td", {}, el("b", {}, topic.name)), el("td", {}), el("td", {}),
              el("td", { class: "num" }, num(topic.messages)),
              el("td", { class: "num", "data-field": "in" }, rate(topic.inPerSecond)),
              el("td", { class: "num", "data-field": "out" }, rate(topic.outPerSecond))));
            for (const q of topic.queues) {
              rows.push(el("tr", { "data-queue": topic.name + ":" + q.queueId, "data-min": String(q.minOffset), "data-max": String(q.maxOffset) },
                el("td", {}, "\u00a0\u00a0queue " + q.queueId), el("td", { class: "num" }, num(q.minOffset)),
                el("td", { class: "num" }, num(q.maxOffset)), el("td", { class: "num" }, num(q.maxOffset - q.minOffset)),
                el("td", {}), el("td", {})));
            }
          }
          if (doc.truncated) rows.push(el("tr", {}, el("td", { class: "empty", colspan: "6" }, "more topics not shown")));
          body.replaceChildren(...rows);
        }

        function renderGroups(doc) {
          const body = $("consumer-groups").tBodies[0];
          if (doc.groups.length === 0) { body.replaceChildren(el("tr", {}, el("td", { class: "empty", colspan: "4" }, "no consumer group has committed an offset or sent a heartbeat"))); return; }
          const rows = [];
          for (const group of doc.groups) {
            const subscribed = group.subscriptions.map((s) => s.topic + " (" + s.expression + ")").join(", ");
            rows.push(el("tr", { "data-group": group.group, "data-lag": String(group.totalLag),
                "data-members": String(group.members.length), "data-subscriptions": subscribed },
              el("td", {}, el("b", {}, group.group), subscribed ? el("small", {}, " subscribes " + subscribed) : ""),
              el("td", {}), el("td", {}),
              el("td", { class: "num" + (group.totalLag > 0 ? " lag-high" : "") }, num(group.totalLag))));
            for (const m of group.members) {
              rows.push(el("tr", { "data-member": group.group + "/" + m.clientId, "data-age": String(m.lastHeartbeatAgeMs) },
                el("td", { colspan: "4" }, "\u00a0\u00a0member " + m.clientId + " at " + m.address + ", last heartbeat " +
                  Math.round(m.lastHeartbeatAgeMs / 1000) + " s ago")));
            }
            for (const q of group.queues) {
              rows.push(el("tr", { "data-group-queue": group.group + "/" + q.topic + "/" + q.queueId, "data-lag": String(q.lag) },
                el("td", {}, "\u00a0\u00a0" + q.topic + " queue " + q.queueId), el("td", { class: "num" }, num(q.maxOffset)),
                el("td", { class: "num" }, num(q.committedOffset)), el("td", { class: "num" }, num(q.lag))));
            }
          }
          if (doc.truncated) rows.push(el("tr", {}, el("td", { class: "empty", colspan: "4" }, "more groups not shown")));
          body.replaceChildren(...rows);
        }

        function renderEvents(doc) {
          const list = $("events");
          list.replaceChildren(...doc.events.slice().reverse().map((e) =>
            el("li", { "data-level": e.level }, el("span", { class: "time" }, clock(e.timeMs)), e.message)));
          if (doc.events.length === 0) list.replaceChildren(el("li", { class: "empty" }, "no events yet"));
        }

        async function lookup(event) {
          event.preventDefault();
          const result = $("lookup-result");
          const id = $("lookup-msgid").value.trim(), key = $("lookup-key").value.trim(), topic = $("lookup-topic").value.trim();
          const query = id ? "msgId=" + encodeURIComponent(id)
            : "key=" + encodeURIComponent(key) + "&topic=" + encodeURIComponent(topic);
          try {
            const doc = await getJSON("/api/message?" + query);
            if (doc.messages.length === 0) { result.replaceChildren(el("div", { class: "empty" }, "no message found")); return; }
            result.replaceChildren(...doc.messages.map((m) => el("div", { "data-msgid": m.msgId },
              el("div", {}, m.topic + " queue " + m.queueId + " offset " + m.queueOffset + " \u00b7 keys " + (m.keys || "-") +
                " \u00b7 tags " + (m.tags || "-") + " \u00b7 stored " + new Date(m.storeTimestamp).toISOString()),
              el("div", {}, "msgId " + m.msgId),
              el("pre", {}, m.body === null ? "(" + m.bodySize + " bytes, not UTF-8)" : m.body + (m.bodyTruncated ? " \u2026" : "")))));
          } catch (error) {
            result.replaceChildren(el("div", { class: "error" }, String(error.message || error)));
          }
        }

        async function poll() {
          try {
            const [group, topics, groups, events] = await Promise.all(
              ["/api/group", "/api/topics", "/api/groups", "/api/events"].map(getJSON));
            renderGroup(group); renderTopics(topics); renderGroups(groups); renderEvents(events);
            polls += 1;
            $("updated").textContent = clock(Date.now());
            $("updated").dataset.polls = String(polls);
          } catch (error) {
            const status = $("group-status");
            status.dataset.state = "unreachable";
            status.textContent = "the node serving this page is not answering (" + (error.message || error) + ")";
          } finally {
            setTimeout(poll, POLL_MS);
          }
        }

        $("lookup").addEventListener("submit", lookup);
        poll();
        </script>
        </body>
        </html>
        """#
}
