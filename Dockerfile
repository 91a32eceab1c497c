# credemu container image: a static binary on a distroless base, running as
# a non-root user, listening on all interfaces inside the container.
#   docker build -t credemu .
#   docker run --rm -p 8080:8080 credemu                      # default scenario
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
EXPOSE 8080
# The image has no curl: the binary checks its own health endpoint.
HEALTHCHECK --interval=10s --timeout=3s --start-period=3s --retries=3 \
  CMD ["/credemu", "healthcheck", "--url", "http://127.0.0.1:8080"]
ENTRYPOINT ["/credemu"]
CMD ["serve", "--addr", "0.0.0.0:8080", "--log-format", "json"]
