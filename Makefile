# irdrill build, test and benchmark entry points. `make test` is what CI runs.

GO        ?= go
BIN       ?= bin/irdrill
IMAGE     ?= irdrill:dev
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION  ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
LDFLAGS   := -s -w -X github.com/irdrill/irdrill/internal/buildinfo.version=$(VERSION)
FUZZTIME  ?= 10s

.PHONY: all build test unit e2e lint fuzz bench stress image clean

all: lint build test

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/irdrill

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

# unit runs every package's tests with the race detector; e2e specs run
# too, against a served sandbox, driven by the AWS CLI.
unit:
	$(GO) test -race -count=1 ./...

# fuzz runs every fuzz target for FUZZTIME; see .ci/fuzz for how a finding
# and an engine failure are told apart.
fuzz:
	FUZZTIME=$(FUZZTIME) GO=$(GO) bash .ci/fuzz

test: lint unit fuzz

bench:
	$(GO) run ./internal/bench/sandboxmoto
	$(GO) run ./internal/bench/insightsjq

# stress reproduces issue 6's probe against a served sandbox and prints RSS
# and p99 latency (not run by CI: it takes minutes and gigabytes on old builds).
stress:
	$(GO) run ./internal/bench/sandboxstress

# image builds the static Linux binary into bin/irdrill and the image from
# the repository root, whose .dockerignore sends only that binary; on Linux,
# `make build && docker build .` gives the same image without the labels'
# version and revision.
image:
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/irdrill ./cmd/irdrill
	docker build --build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) -t $(IMAGE) .

clean:
	rm -rf bin
