# naive: multi-stage, but the whole source is copied before `go mod download`,
# so any source edit invalidates the download step.
FROM bench-base/builder:go1.23 AS build
# Module mirror settings arrive as build arguments, never baked into the image as ENV.
ARG GOPROXY
ARG GOSUMDB=off
ARG GOFLAGS
ARG GOPRIVATE
ARG GONOSUMDB
WORKDIR /src
COPY . .
RUN go mod download
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app .

FROM bench-base/runtime-static:latest
COPY --from=build /out/app /app
USER 65534:65534
ENTRYPOINT ["/app"]
