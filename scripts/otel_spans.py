"""Which OpenTelemetry spans does this engine's buildx emit for one build, and what do they add over rawjson steps?

Starts an OTLP/HTTP receiver on 127.0.0.1 (decoding with opentelemetry-proto), builds the
`hello` example once with OTEL_EXPORTER_OTLP_ENDPOINT pointing at it, and prints every span
(service, instrumentation scope, name, seconds), longest first, next to the build's own
rawjson steps. bench keeps no receiver in its runs: on docker.io 26.1 / buildx 0.13 the spans
are the buildx client's (HTTP and gRPC calls, "build", "load buildkit capabilities"); the
daemon's BuildKit sends none, so the steps' timeline comes from rawjson alone.

Usage: .venv/bin/python scripts/otel_spans.py
"""

from __future__ import annotations

import http.server
import os
import shutil
import socket
import sys
import tempfile
import threading
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from opentelemetry.proto.collector.trace.v1 import trace_service_pb2  # noqa: E402

from bench import bases  # noqa: E402
from bench.engine import cli, rawjson  # noqa: E402
from bench.paths import PROJECTS_DIR  # noqa: E402

SPANS: list[tuple[str, str, str, float]] = []


class Receiver(http.server.BaseHTTPRequestHandler):
    """POST /v1/traces with an ExportTraceServiceRequest (OTLP/HTTP, protobuf)."""

    def do_POST(self) -> None:  # noqa: N802
        req = trace_service_pb2.ExportTraceServiceRequest()
        req.ParseFromString(self.rfile.read(int(self.headers.get("Content-Length", 0))))
        for rs in req.resource_spans:
            service = next((a.value.string_value for a in rs.resource.attributes if a.key == "service.name"), "?")
            for ss in rs.scope_spans:
                for sp in ss.spans:
                    SPANS.append((service, ss.scope.name.rsplit("/", 1)[-1], sp.name,
                                  (sp.end_time_unix_nano - sp.start_time_unix_nano) / 1e9))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()
        self.wfile.write(trace_service_pb2.ExportTraceServiceResponse().SerializeToString())

    def log_message(self, *args: object) -> None:
        pass


def main() -> None:
    """Print the spans and the steps of one build."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    work = Path(tempfile.mkdtemp(prefix="bench-otel-"))
    shutil.copytree(PROJECTS_DIR / "hello", work / "src")
    builder, runtime = bases.image_for("builder", "1.23"), bases.image_for("runtime-static")
    (work / "Dockerfile").write_text(f"FROM {builder} AS build\nWORKDIR /src\nCOPY . .\n"
                                     f"RUN CGO_ENABLED=0 go build -o /app .\nFROM {runtime}\nCOPY --from=build /app /app\n")
    env = {"OTEL_EXPORTER_OTLP_ENDPOINT": f"http://127.0.0.1:{port}", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/protobuf"}
    os.environ.update(env)
    done = cli.run(["buildx", "build", "--progress=rawjson", "--network=host", "--no-cache", "--provenance=false",
                    "-f", str(work / "Dockerfile"), str(work / "src")], timeout=600)
    server.shutdown()
    print(f"{len(SPANS)} spans from this engine's buildx (service, scope, name, seconds), longest first:")
    for service, scope, name, secs in sorted(SPANS, key=lambda x: -x[3]):
        print(f"  {service:8} {scope:12} {name:60} {secs:8.3f}")
    print("\nthe same build's rawjson steps (name, seconds):")
    for v in rawjson.steps(rawjson.parse(done.stderr)):
        print(f"  {v.name[:70]:72} {v.duration or 0:8.3f}")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
