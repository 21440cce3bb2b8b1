# singlestage: one builder stage, everything copied at once; the image ships the Go toolchain.
FROM bench-base/builder:go1.23
# Module mirror settings arrive as build arguments, never baked into the image as ENV.
ARG GOPROXY
ARG GOSUMDB=off
ARG GOFLAGS
ARG GOPRIVATE
ARG GONOSUMDB
WORKDIR /src
COPY . .
RUN go mod download
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /usr/local/bin/app .
USER 65534:65534
ENTRYPOINT ["/usr/local/bin/app"]
