# SwiftLedger. `make test` is what CI runs.
SWIFT ?= swift

.PHONY: build test

build:
	$(SWIFT) build

test:
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build
