# Go builder on Debian bookworm minbase, Go from bookworm-backports. Built by bench.bases with --network=host.
FROM bench-base/debian:bookworm
ARG DEBIAN_ARCHIVE
ARG GO_VERSION
RUN echo "deb ${DEBIAN_ARCHIVE} bookworm-backports main" > /etc/apt/sources.list.d/backports.list \
 && apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends -t bookworm-backports \
      golang-${GO_VERSION}-go git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/go /usr/local/bin/go \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/gofmt /usr/local/bin/gofmt
# Like the golang images: modules under /go/pkg/mod; never download another toolchain.
ENV GOPATH=/go GOTOOLCHAIN=local PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /src
