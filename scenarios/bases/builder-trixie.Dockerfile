# Go builder on Debian trixie minbase with trixie's own Go. Built by bench.bases with --network=host.
FROM bench-base/debian:trixie
ARG GO_VERSION
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      golang-${GO_VERSION}-go git ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/go /usr/local/bin/go \
 && ln -s /usr/lib/go-${GO_VERSION}/bin/gofmt /usr/local/bin/gofmt
ENV GOPATH=/go GOTOOLCHAIN=local PATH=/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
WORKDIR /src
