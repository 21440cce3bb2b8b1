# multistage_cachemount: as multistage, with BuildKit cache mounts for the module and build caches.
# Cache mounts live on this machine only: --cache-to never exports them (moby/buildkit#1512).
FROM bench-base/builder:go1.23 AS build
# Module mirror settings arrive as build arguments, never baked into the image as ENV.
ARG GOPROXY
ARG GOSUMDB=off
ARG GOFLAGS
ARG GOPRIVATE
ARG GONOSUMDB
WORKDIR /src
COPY go.mod go.sum* ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .

FROM bench-base/runtime-static:latest
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
