#!/bin/sh
# Rebuild `proxy=near_mirror` as bench measured it (run 17-22-30-proxy-bf0528).
# State before the measured build: cache=none; change=none (applied to a scratch copy; this script builds the project as it is).
# Build arguments keep the values of the run (the module mirror's URL was the run's own);
# set them in the environment to override, e.g. GOPROXY=https://proxy.golang.org.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
docker buildx build \
  --progress=auto \
  --network=host \
  -f "$here"/proxy_near_mirror.Dockerfile \
  -t bench-repro/api:latest \
  --label bench.run=17-22-30-proxy-bf0528 \
  --build-arg GOPROXY="${GOPROXY-http://127.0.0.1:32901}" \
  --build-arg GOSUMDB="${GOSUMDB-off}" \
  --build-arg GOFLAGS="${GOFLAGS-}" \
  --build-arg GOPRIVATE="${GOPRIVATE-}" \
  --build-arg GONOSUMDB="${GONOSUMDB-}" \
  /work/main/scenarios/projects/api
