# credemu's container image, built from source in a container, for machines
# that can pull golang:1.26. It stages the same root filesystem as
# `make image` (the static binary and an empty /tmp) and ends in the same
# stage as deploy/image/Containerfile, which builds without pulling anything.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t credemu .
# See the README's "Run in a container" for docker run, podman run and CI.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN mkdir -p /stage/rootfs/tmp && chmod 1777 /stage/rootfs/tmp && \
    CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/credemu/credemu/emulator.Version=${VERSION}" \
      -o /stage/rootfs/credemu ./cmd/credemu

# --- from here on, the same as deploy/image/Containerfile (a test holds them together)
FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="credemu" \
      org.opencontainers.image.description="Stateful emulator of the Avisi Cloud, ZStack, AWX and vSphere credential APIs" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/credemu/credemu" \
      org.opencontainers.image.licenses="MIT"
COPY --from=build /stage/rootfs/ /
# 65532 is distroless's "nonroot"; scratch has no passwd file, so it is numeric.
USER 65532:65532
EXPOSE 8080 8443
# The image has no curl: the binary checks its own health endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=3s --retries=3 \
  CMD ["/credemu", "healthcheck", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/credemu"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--tls-addr", "0.0.0.0:8443", "--tls-ca-out", "/tmp/credemu-ca.pem", "--log-format", "json"]
