"""go.mod files written the way `go mod tidy` lays them out (Go 1.17+: direct and indirect blocks)."""

from __future__ import annotations

from collections.abc import Mapping


def _block(reqs: Mapping[str, str], comment: str) -> str:
    lines = [f"{path} {version}{comment}" for path, version in sorted(reqs.items(), key=lambda kv: kv[0].encode())]
    if not lines:
        return ""
    if len(lines) == 1:  # modfile writes a lone requirement on one line, not as a block
        return f"\nrequire {lines[0]}\n"
    return "\nrequire (\n" + "".join(f"\t{line}\n" for line in lines) + ")\n"


def render(module: str, go: str, direct: Mapping[str, str], indirect: Mapping[str, str] | None = None) -> str:
    """A tidy go.mod: `direct` requirements, then `indirect` ones marked `// indirect`."""
    return f"module {module}\n\ngo {go}\n" + _block(direct, "") + _block(indirect or {}, " // indirect")
