# datamatch — build, demo and test. Needs only Go (see go.mod for the version);
# modules come from the module proxy on first use.

GO      ?= go
BIN     := bin/datamatch
VERSION := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
DEMO    := demo
SEED    ?= 42
PEOPLE  ?= 60000

.PHONY: all build demo test test-short lint bench fuzz clean

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/datamatch

# demo: generate synthetic housing data into ./demo and run the default
# exercise on it end to end.
demo: build
	@mkdir -p $(DEMO)
	./$(BIN) synth --seed $(SEED) --people $(PEOPLE) --out $(DEMO)
	./$(BIN) run --config $(DEMO)/exercise.yaml

# test: vet, then every test with the race detector.
test:
	$(GO) vet ./...
	$(GO) test -race -timeout 15m ./...

test-short:
	$(GO) test -short ./...

# lint: vet, then staticcheck, built from the version and checksums pinned
# in .ci/tools (a module of its own: a tool, not a dependency of datamatch).
lint:
	$(GO) vet ./...
	cd .ci/tools && $(GO) build -o ../../bin/staticcheck honnef.co/go/tools/cmd/staticcheck
	./bin/staticcheck ./...

# bench: the benchmarks in ./benchmarks (rows/s, peak memory, F1).
bench:
	$(GO) test -run '^$$' -bench . -benchtime 1x -timeout 60m ./benchmarks/...

# fuzz: a short fuzzing pass over every parser and normaliser. The budget
# is a count of inputs, not a duration: with a duration, Go before 1.27 can
# fail a target with "context deadline exceeded" as the time runs out, with
# no failing input (go.dev/issue/75804). Minimising a new input is bounded
# too, so that it cannot hold a pass up for a minute.
FUZZ_INPUTS ?= 50000
fuzz:
	@for pkg in $$($(GO) list ./internal/...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZ_INPUTS)x -fuzzminimizetime 5s $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin $(DEMO)
