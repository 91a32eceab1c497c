# credemu — make targets. `make run` and `make test` are the two that matter.
GO       ?= go
BIN      ?= bin/credemu
BARE     ?= bin/credemu-bare
PKGS     ?= ./...
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X github.com/credemu/credemu/emulator.Version=$(VERSION)
FUZZTIME ?= 30s

.PHONY: all build bare bench-peers install dist image image-deps run test unit bench-smoke conformance ansible-deps haproxy-deps chromium-deps screenshots scale-test deploy-test vet fmt-check lint bench load soak fuzz cover update-golden clean

all: build

build: ## build the credemu binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/credemu

# make install puts the static binary in GOBIN (go env GOBIN, else
# GOPATH/bin), as go install would; with PREFIX=/usr/local it goes to
# $(DESTDIR)$(PREFIX)/bin instead.
INSTALL_DIR = $(if $(PREFIX),$(DESTDIR)$(PREFIX)/bin,$(or $(shell $(GO) env GOBIN),$(shell $(GO) env GOPATH)/bin))
install: ## install the static credemu binary into GOBIN (or PREFIX/bin)
	mkdir -p '$(INSTALL_DIR)'
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o '$(INSTALL_DIR)/credemu' ./cmd/credemu
	@echo "installed $(INSTALL_DIR)/credemu ($(VERSION))"

# make dist cross-builds static, trimmed, versioned binaries and a SHA-256
# sums file in DIST, one per PLATFORMS entry.
DIST      ?= dist
PLATFORMS ?= linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64
dist: ## static release binaries for every platform, with SHA256SUMS, in dist/
	@rm -rf '$(DIST)' && mkdir -p '$(DIST)'
	@set -e; for p in $(PLATFORMS); do \
	  os=$${p%/*}; arch=$${p#*/}; ext=; [ "$$os" = windows ] && ext=.exe; \
	  out='$(DIST)'/credemu_$(VERSION)_$${os}_$${arch}$$ext; \
	  echo "== $$out"; \
	  CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o "$$out" ./cmd/credemu; \
	done
	cd '$(DIST)' && sha256sum credemu_* > SHA256SUMS && cat SHA256SUMS

# make image builds the image FROM scratch around the static binary, with
# whichever of buildah, podman or docker is installed (IMAGE_TOOL= to pick
# one); nothing is pulled. BUILDAH and PODMAN may carry global flags, e.g.
# BUILDAH="buildah --storage-driver vfs".
IMAGE      ?= credemu:$(VERSION)
IMAGE_TOOL ?= $(firstword $(foreach t,buildah podman docker,$(if $(shell command -v $(t) 2>/dev/null),$(t))))
BUILDAH    ?= buildah
PODMAN     ?= podman
DOCKER     ?= docker
IMAGE_CTX  := bin/image
image: ## container image FROM scratch of the static binary (IMAGE=name; buildah, podman or docker)
	@[ -n "$(IMAGE_TOOL)" ] || { echo "make image: none of buildah, podman or docker is installed (Debian: make image-deps)"; exit 1; }
	rm -rf $(IMAGE_CTX) && mkdir -p $(IMAGE_CTX)/rootfs/tmp && chmod 1777 $(IMAGE_CTX)/rootfs/tmp
	CGO_ENABLED=0 GOOS=linux $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(IMAGE_CTX)/rootfs/credemu ./cmd/credemu
	cp deploy/image/Containerfile $(IMAGE_CTX)/Containerfile
	case "$(IMAGE_TOOL)" in \
	  buildah) $(BUILDAH) bud --isolation chroot --format docker --build-arg VERSION=$(VERSION) -t '$(IMAGE)' -f Containerfile $(IMAGE_CTX) ;; \
	  podman)  $(PODMAN) build --format docker --build-arg VERSION=$(VERSION) -t '$(IMAGE)' -f Containerfile $(IMAGE_CTX) ;; \
	  docker)  $(DOCKER) build --build-arg VERSION=$(VERSION) -t '$(IMAGE)' -f $(IMAGE_CTX)/Containerfile $(IMAGE_CTX) ;; \
	  *) echo "make image: IMAGE_TOOL=$(IMAGE_TOOL) is not buildah, podman or docker"; exit 2 ;; \
	esac
	@echo "built image $(IMAGE) with $(IMAGE_TOOL)"

image-deps: ## install Debian's buildah, which make image and the image test use (as root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah

run: ## run the emulator on the built-in default scenario (127.0.0.1:8080)
	$(GO) run ./cmd/credemu serve --scenario default

test: vet fmt-check unit bench-smoke conformance deploy-test ## vet, gofmt check, every test with the race detector, every benchmark once, the vendors' clients

unit:
	@command -v buildah >/dev/null 2>&1 || echo "IMAGE TEST NOT RUN: buildah is not installed (make image-deps installs it)"
	@command -v ansible-playbook >/dev/null 2>&1 || echo "ANSIBLE CONFORMANCE NOT RUN: ansible-playbook is not installed (make ansible-deps installs it)"
	@command -v haproxy >/dev/null 2>&1 || echo "SCALE TEST NOT RUN: haproxy is not installed (make haproxy-deps installs it)"
	@command -v chromium >/dev/null 2>&1 || echo "DASHBOARD BROWSER TEST NOT RUN: chromium is not installed (make chromium-deps installs it)"
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

# deploy/kubernetes is its own module (it needs k8s.io/api, which credemu
# itself does not): its test decodes the manifests strictly and runs
# credemu with the Deployment's arguments.
deploy-test: ## the Kubernetes manifests against the Kubernetes API types
	cd deploy/kubernetes && $(GO) vet ./... && $(GO) test -race -count=1 ./...

# Three replicas and Debian's haproxy with deploy/haproxy/haproxy.cfg, on
# 127.0.0.1; make test runs a short version (TestScaleShort).
SANDBOXES ?= 300
scale-test: build ## replicas behind haproxy: affinity, isolation, a replica joining and one lost (needs haproxy)
	$(GO) run ./cmd/credemu-scale -binary $(BIN) -sandboxes $(SANDBOXES)

chromium-deps: ## install Debian's chromium, which the dashboard's browser test (conformance/dashboard) drives headless (as root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# The dashboard's screenshots in the README, taken by its browser test.
screenshots: ## retake emulator/ui/screenshots/*.png with headless chromium
	cd conformance/dashboard && CREDEMU_UI_SCREENSHOTS=1 $(GO) test -count=1 ./...

haproxy-deps: ## install Debian's haproxy, which make scale-test uses (as root)
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy

vet:
	$(GO) vet $(PKGS)

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed on:"; echo "$$out"; exit 1; fi

lint: vet fmt-check ## static checks that need nothing beyond the Go toolchain

# make bench measures as a user would: credemu and credemu-bare (standard
# library only, answering credemu's recorded bytes) as separate processes,
# the load from a third, the two servers in turns on the same cores.
bench: build bare ## the Go benchmarks, then every figure of the README's table against credemu-bare (ratios within one run)
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2s $(PKGS)
	$(GO) run ./cmd/credemu-load -binary $(BIN) -bare $(BARE) -duration 8s

# WireMock's standalone jar comes in the npm package wiremock; Java from
# Debian. Without either the target says so and does nothing.
WIREMOCK_VERSION ?= 3.13.2
WIREMOCK_DIR     ?= .cache/wiremock
WIREMOCK_JAR      = $(WIREMOCK_DIR)/node_modules/wiremock/build/wiremock-standalone-$(WIREMOCK_VERSION).jar
bench-peers: build ## credemu side by side with WireMock on the same requests and validation (needs java and npm)
	@if ! command -v java >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then \
	  echo "BENCH-PEERS NOT RUN: java and npm are needed (Debian: default-jre-headless, npm)"; exit 0; fi; \
	[ -f $(WIREMOCK_JAR) ] || npm install --no-audit --no-fund --prefix $(WIREMOCK_DIR) wiremock@$(WIREMOCK_VERSION); \
	CREDEMU_WIREMOCK_JAR=$(CURDIR)/$(WIREMOCK_JAR) $(GO) test -count=1 -run 'TestPeersShort|TestWireMockStart' ./cmd/credemu-load && \
	$(GO) run ./cmd/credemu-load --binary $(BIN) --wiremock $(WIREMOCK_JAR) --duration $(or $(DURATION),4s)

bare:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BARE) ./cmd/credemu-bare

load: build bare ## only the load figures, on separate processes (DURATION=5s per figure)
	$(GO) run ./cmd/credemu-load -binary $(BIN) -bare $(BARE) -duration $(or $(DURATION),5s)

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

update-golden: ## rewrite golden files from the current responses, and the files generated from fixtures
	$(GO) test -count=1 $$($(GO) list -f '{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}' ./... | grep -E ' .*emulator/(emulatortest|internal/golit|internal/sectiongen)( |$$)' | cut -d' ' -f1) -update

clean:
	rm -rf bin dist cover.out cover.html
