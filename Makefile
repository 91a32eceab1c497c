# credemu — make targets. `make run` and `make test` are the two that matter.
GO       ?= go
BIN      ?= bin/credemu
PKGS     ?= ./...
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/credemu/credemu/emulator.Version=$(VERSION)
FUZZTIME ?= 30s

.PHONY: all build run test unit bench-smoke conformance ansible-deps vet fmt-check lint bench load soak fuzz cover update-golden clean

all: build

build: ## build the credemu binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/credemu

run: ## run the emulator on the built-in default scenario (127.0.0.1:8080)
	$(GO) run ./cmd/credemu serve --scenario default

test: vet fmt-check unit bench-smoke conformance ## vet, gofmt check, every test with the race detector, every benchmark once, the vendors' clients

unit:
	$(GO) test -race -count=1 $(PKGS)

# Every benchmark once (the memory ones still make their 120,000 objects),
# so that a change that breaks `make bench` fails `make test`.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x $(PKGS)

# Each conformance/<family> is its own Go module that runs a vendor's real
# client against credemu. A module whose client comes from ../shared/clients
# (a replace directive) is skipped, loudly, where that folder is missing.
conformance: ## the vendors' real clients against credemu (conformance/*)
	@for mod in $(dir $(wildcard conformance/*/go.mod)); do \
	  missing=""; \
	  for dep in $$(sed -n 's/^replace [^ ]* => \(\.\.\/[^ ]*shared[^ ]*\)$$/\1/p' $$mod/go.mod); do \
	    [ -d "$$mod/$$dep" ] || missing="$$missing $$dep"; \
	  done; \
	  if [ -n "$$missing" ]; then \
	    echo "CONFORMANCE SUITE NOT RUN: $$mod (missing$$missing, the vendor's client source)"; continue; \
	  fi; \
	  echo "== conformance: $$mod"; \
	  (cd $$mod && $(GO) vet ./... && $(GO) test -race -count=1 ./...) || exit 1; \
	done

# Ansible's collections (vmware.vmware_rest, awx.awx) come with Debian's
# ansible package; the vSphere suite runs them when ansible-playbook is on
# PATH and says so when it is not. CI installs them first (.ci/run).
ansible-deps: ## install Ansible and the Python library its vmware_rest collection needs (Debian, as root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq ansible python3-aiohttp

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

lint: vet fmt-check ## static checks that need nothing beyond the Go toolchain

bench: build ## benchmarks, then the side-by-side load figures (ratios within one run; see README)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s $(PKGS)
	$(GO) run ./cmd/credemu-load -binary $(BIN) -duration 8s

load: build ## only the load figures: start-up and throughput against a bare net/http server
	$(GO) run ./cmd/credemu-load -binary $(BIN) -duration $(or $(DURATION),5s)

SOAK ?= 10m
soak: ## bounded mixed load on every API with faults on, on 127.0.0.1 (SOAK=10m)
	$(GO) run ./cmd/credemu-load -soak $(SOAK) -concurrency 8

fuzz: ## run every fuzz target for FUZZTIME each
	@for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz'); do \
	    echo "== $$pkg $$t"; $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

cover: ## test coverage report in cover.out / cover.html
	$(GO) test -race -coverprofile=cover.out $(PKGS)
	$(GO) tool cover -html=cover.out -o cover.html
	$(GO) tool cover -func=cover.out | tail -1

update-golden: ## rewrite golden files from the current responses
	$(GO) test -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep 'emulator/emulatortest' | cut -d' ' -f1) -update

clean:
	rm -rf bin cover.out cover.html
