# multistage: go.mod and go.sum first, download, then the source, build, and ship only the binary.
FROM bench-base/builder:go1.23 AS build
# Module mirror settings arrive as build arguments, never baked into the image as ENV.
ARG GOPROXY
ARG GOSUMDB=off
ARG GOFLAGS
ARG GOPRIVATE
ARG GONOSUMDB
WORKDIR /src
COPY go.mod go.sum* ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .

FROM bench-base/runtime-static:latest
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
