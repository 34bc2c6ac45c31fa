# SwiftLedger. `make test` is what CI runs; `make cluster` starts the local three-node group.
SWIFT ?= swift
NODES := n0 n1 n2
RUN := run
# The release `ledger` binary, resolved when a recipe runs (after the build).
LEDGER = "$$($(SWIFT) build -c release --show-bin-path)/ledger"

.PHONY: build test sim release cluster cluster-stop cluster-status bench-failover bench-store bench-commitlog bench

build:
	$(SWIFT) build

# Imports checked against Package.swift (a clean clone fails on an undeclared one), unit tests
# (debug), then the simulator in release: a bounded seed sweep, the failover story and the lagging
# follower (a follower paused 20 s under load causes no election). The tests include the dashboard
# in headless Chromium (DashboardBrowserTests): run as root, they `apt-get install -y chromium`
# when it is missing; otherwise that test is skipped with a printed reason. Its screenshot goes to
# .build/dashboard.png.
test:
	mkdir -p .build && $(SWIFT) package dump-package >.build/package.json
	python3 Tests/Scripts/check-imports.py .build/package.json
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) run -c release simulate --seeds 1-300
	$(SWIFT) run -c release simulate --scenario failover
	$(SWIFT) run -c release simulate --scenario lagging-follower

# The long simulator sweep (on demand; one job per core).
sim:
	$(SWIFT) run -c release simulate --seeds 1-20000

release:
	$(SWIFT) build -c release

# Start n0-n2 from conf/ in the background (pid files and logs in run/), wait up to ~10 s for a
# leader, print the status. A node whose pid file names a live `ledger server` is left alone.
cluster: release
	@mkdir -p $(RUN)
	@ledger=$(LEDGER); \
	for node in $(NODES); do \
	  pidfile=$(RUN)/$$node.pid; \
	  if [ -f $$pidfile ] && pid=$$(cat $$pidfile) && kill -0 $$pid 2>/dev/null \
	     && tr '\0' ' ' </proc/$$pid/cmdline | grep -q "server -c conf/$$node.conf"; then \
	    echo "$$node already running (pid $$pid)"; \
	  else \
	    nohup $$ledger server -c conf/$$node.conf >>$(RUN)/$$node.log 2>&1 </dev/null & \
	    echo $$! >$$pidfile; \
	    echo "started $$node (pid $$!, log $(RUN)/$$node.log)"; \
	  fi; \
	done; \
	for attempt in $$(seq 1 50); do \
	  $$ledger status --timeout 1000 >/dev/null 2>&1 && break; \
	  sleep 0.2; \
	done; \
	$$ledger status

# Stop the nodes started by `make cluster`: SIGTERM, wait up to 10 s each, report.
cluster-stop:
	@for node in $(NODES); do \
	  pidfile=$(RUN)/$$node.pid; \
	  [ -f $$pidfile ] || { echo "$$node: not started (no $$pidfile)"; continue; }; \
	  pid=$$(cat $$pidfile); \
	  if ! kill -0 $$pid 2>/dev/null; then echo "$$node: not running (pid $$pid)"; rm -f $$pidfile; continue; fi; \
	  kill -TERM $$pid; \
	  for attempt in $$(seq 1 100); do kill -0 $$pid 2>/dev/null || break; sleep 0.1; done; \
	  if kill -0 $$pid 2>/dev/null; then \
	    echo "$$node: still running 10 s after SIGTERM (pid $$pid); see $(RUN)/$$node.log"; \
	  else \
	    echo "$$node: stopped (pid $$pid)"; rm -f $$pidfile; \
	  fi; \
	done

cluster-status:
	@$(LEDGER) status

# Kill -9 the leader of a fresh temporary group 20 times under a light write load; print the
# write stall after each kill, p50 and max.
bench-failover: release
	@$(LEDGER) bench-failover

# Log store appends (1 KiB, SYNC_FLUSH, batches of 1/16/256) against this disk's raw limits,
# and the open time of a 1,000,000-record store.
bench-store:
	$(SWIFT) run -c release bench-store

# The message state machine alone: apply and persist throughput, memory kept, reopen time.
bench-commitlog:
	$(SWIFT) run -c release bench-commitlog

# Issue 7's matrix of message sends: 1 producer sequential, 16 and 256 in flight; 128 B and 1 KiB;
# batch 1 and 32; then 1 KiB paced at a quarter of the measured peak. Each cell 5 s on a fresh
# three-node group, machine limits measured once. The Markdown table goes
# to stdout and to run/bench-<UTC time>.md; progress goes to stderr.
bench: release
	@mkdir -p $(RUN)
	@table=$(RUN)/bench-$$(date -u +%Y%m%dT%H%M%SZ).md; \
	$(LEDGER) bench --matrix --spawn --limits >$$table; status=$$?; \
	cat $$table; echo "table written to $$table"; exit $$status

.PHONY: chaos chaos-long

# A fresh three-node group under kill -9, SIGSTOP, SIGTERM and partition faults with message
# producers and consumer groups running, then a Jepsen-style check of the history; exits non-zero
# on a violation (printing the seed and keeping the data). SEED=N replays a fault schedule;
# WORKLOAD=raw-append runs the raw-log workload instead of messages.
CHAOS_FLAGS = $(if $(SEED),--seed $(SEED)) $(if $(WORKLOAD),--workload $(WORKLOAD)) --report chaos-report.json

chaos: release
	@$(LEDGER) chaos --duration 60s $(CHAOS_FLAGS)

chaos-long: release
	@$(LEDGER) chaos --duration 10m $(CHAOS_FLAGS)
