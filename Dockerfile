# credemu container image: a static binary on a distroless base, running as
# a non-root user, listening on all interfaces inside the container: plain
# HTTP on 8080 and HTTPS (a certificate generated at start) on 8443.
#   docker build -t credemu .
#   docker run --rm -p 8080:8080 -p 8443:8443 credemu          # default scenario
#   docker cp <container>:/tmp/credemu-ca.pem .                 # the CA HTTPS clients trust
#   docker run --rm -p 8080:8080 -v $PWD/ci.yaml:/ci.yaml credemu serve --addr 0.0.0.0:8080 --scenario /ci.yaml
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath \
      -ldflags "-s -w -X github.com/credemu/credemu/emulator.Version=${VERSION}" \
      -o /out/credemu ./cmd/credemu

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/credemu /credemu
USER nonroot:nonroot
EXPOSE 8080 8443
# The image has no curl: the binary checks its own health endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=3s --retries=3 \
  CMD ["/credemu", "healthcheck", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/credemu"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--tls-addr", "0.0.0.0:8443", "--tls-ca-out", "/tmp/credemu-ca.pem", "--log-format", "json"]
