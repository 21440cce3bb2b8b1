"""A private mirror: HTTP basic auth, a self-signed HTTPS certificate, and the .netrc the go command reads.

The go command adds .netrc credentials to GOPROXY requests over https only
(cmd/go/internal/web: `if url.Scheme == "https" { auth.AddCredentials(req) }`), so a
private profile serves HTTPS with a certificate made at start; builds trust it for the
download step only (a secret mount into /etc/ssl/certs, which Go reads as a cert directory).
Which .netrc `machine` matches has changed between Go releases (host with or without the
port: golang/go#37130, #81253), so the .netrc written here names both.
"""

from __future__ import annotations

import base64
import hmac
import os
import shutil
import ssl
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

CERT_DAYS = 7


def authorized(header: str, user: str, token: str) -> bool:
    """True when an Authorization header carries basic credentials `user`:`token` (constant-time compare)."""
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "basic":
        return False
    try:
        given = base64.b64decode(value.strip(), validate=True)
    except ValueError:
        return False
    return hmac.compare_digest(given, f"{user}:{token}".encode())


def basic_header(user: str, token: str) -> str:
    """The Authorization header value for `user`:`token`."""
    return "Basic " + base64.b64encode(f"{user}:{token}".encode()).decode()


def netrc_text(url: str, user: str, token: str) -> str:
    """A .netrc for the mirror at `url`: one entry with the port, one without (Go releases differ)."""
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    machines = [f"{host}:{parts.port}", host] if parts.port else [host]
    return "".join(f"machine {m} login {user} password {token}\n" for m in machines)


def write_secret_file(path: Path, text: str | bytes) -> Path:
    """Write `text` to `path` readable by the owner only (created so, never world-readable for a moment)."""
    path.unlink(missing_ok=True)
    data = text.encode() if isinstance(text, str) else text
    with open(path, "xb", opener=lambda p, flags: os.open(p, flags, 0o600)) as f:
        f.write(data)
    return path


class CertificateError(RuntimeError):
    """No certificate could be made (openssl missing or failing)."""


def self_signed(host: str = "127.0.0.1") -> tuple[ssl.SSLContext, bytes]:
    """A server TLS context with a fresh self-signed certificate for `host` (an IP), and the certificate's PEM.

    Made with the openssl command line (present wherever ca-certificates is); the key
    never leaves memory once loaded: the files are removed before returning.
    """
    openssl = shutil.which("openssl")
    if openssl is None:
        raise CertificateError("a TLS mirror profile needs the openssl command (apt-get install openssl)")
    with tempfile.TemporaryDirectory(prefix="bench-mirror-tls-") as tmp:
        cert, key = Path(tmp) / "cert.pem", Path(tmp) / "key.pem"
        argv = [
            openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", str(key), "-out", str(cert), "-days", str(CERT_DAYS), "-subj", "/CN=bench-mirror",
            "-addext", f"subjectAltName=IP:{host},DNS:localhost",
        ]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=False)
        if done.returncode != 0:
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise CertificateError(f"openssl could not make a certificate: {tail}")
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(cert, key)
        return ctx, cert.read_bytes()
