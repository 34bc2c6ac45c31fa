# SwiftLedger. `make test` is what CI runs.
SWIFT ?= swift

.PHONY: build test sim

build:
	$(SWIFT) build

# Unit tests (debug), then the simulator in release: a bounded seed sweep and the failover story.
test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
	$(SWIFT) run -c release simulate --seeds 1-300
	$(SWIFT) run -c release simulate --scenario failover

# The long simulator sweep (on demand).
sim:
	$(SWIFT) run -c release simulate --seeds 1-10000
