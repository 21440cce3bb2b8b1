# Go builder: a Debian minbase root (ROOT) plus golang-<GO_VERSION>-go from POCKET, which is the root's
# own suite (trixie) or its backports (bookworm-backports, trixie-backports). Built by bench.bases with
# --network=host so apt reaches the archive; bench.bases then labels it with the exact `go version`.
# git and make as in the golang images (real Dockerfiles run `make`); no C compiler, so cgo is off
# by default and binaries are static (the golang images have gcc: set CGO_ENABLED=0 for the same result).
ARG ROOT
FROM ${ROOT}
ARG DEBIAN_ARCHIVE
ARG POCKET
ARG GO_VERSION
RUN case "$POCKET" in *-backports) echo "deb ${DEBIAN_ARCHIVE} ${POCKET} main" > /etc/apt/sources.list.d/backports.list ;; esac \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t "$POCKET" \
      golang-${GO_VERSION}-go git make ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/go /usr/local/bin/go \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/gofmt /usr/local/bin/gofmt
# Like the golang images: modules under /go/pkg/mod; never download another toolchain.
ENV GOPATH=/go GOTOOLCHAIN=local PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /src
