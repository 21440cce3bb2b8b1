"""A project's own Dockerfile, offline: which public images it needs and which local images stand in.

BuildKit replaces a `FROM` (or `COPY --from`, `RUN --mount=from=`) image with a named context
given as `--build-context NAME=docker-image://LOCAL`; both buildx and BuildKit normalise NAME the
same way (docker.io/library/ dropped, `:latest` trimmed; buildx `ParseContextNames`, BuildKit
`dockerui.NamedContext`). Only stages the target needs are resolved, so a helper stage that the
target does not use is no obstacle. A `# syntax=` line would pull its frontend from a registry;
`without_syntax()` drops it so the engine's built-in Dockerfile frontend builds the file.

Parsing uses the `dockerfile` package, BuildKit's own parser compiled for Python: line
continuations, the escape directive, heredocs and JSON forms come out as BuildKit sees them.
ARG expansion in FROM lines (`$V`, `${V}`, `${V:-x}`, `${V:+x}`) is done here.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

import dockerfile as buildkit_parser  # type: ignore[import-not-found]  # a compiled module without stubs

from bench import bases, gover
from bench.errors import UsageError

# First match wins; `{go}` matches a Go version in a tag. A value is a role (local image of that
# role; `builder` takes the Go version from the tag, the newest local one without a version) or an
# image reference. Config puts its own entries in front with `aliases(extra)`.
DEFAULT_ALIASES: dict[str, str] = {
    "golang:{go}": "builder",
    "golang:{go}-bookworm": "builder",
    "golang:{go}-trixie": "builder",
    "golang:{go}-bullseye": "builder",
    "golang:{go}-alpine*": "builder",  # only without apk steps: see _package_refusals
    "golang": "builder",
    "golang:bookworm": "builder",
    "golang:trixie": "builder",
    "debian:trixie*": "bench-base/debian:trixie",
    "debian": "runtime-debian",
    "debian:*": "runtime-debian",
    "gcr.io/distroless/static*": "runtime-static",
    "gcr.io/distroless/base*": "runtime-static",  # our builders have no C compiler: binaries are static
    "busybox": "runtime-static",
    "busybox:*": "runtime-static",
    "alpine": "runtime-static",  # only without apk steps
    "alpine:*": "runtime-static",
}
ROLES = ("builder", "runtime-static", "runtime-debian", "scratch")
HELPER_HINTS = {
    "tonistiigi/xx": "a cross-compilation helper (xx-go, xx-apk) pulled from a registry",
    "docker/dockerfile": "a Dockerfile frontend image",
}
# What BuildKit defines for FROM lines on this kind of machine (docs.docker.com: "Automatic platform ARGs").
PLATFORM_ARGS = {
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
}
_DIRECTIVE = re.compile(r"^\s*#\s*([A-Za-z][A-Za-z0-9_-]*)\s*=\s*(.*?)\s*$")
_VAR = re.compile(r"\\\$|\$\{(\w+)(?:(:?[-+])([^}]*))?\}|\$(\w+)")
_APK = re.compile(r"\bapk\s+(?:add|update|upgrade)\b")
_ADVICE = re.compile(r"[;:] (?=[a-z])")  # where a refusal turns from why to what to do (image tags have no space)


@dataclass
class Stage:
    """One `FROM` and what it depends on."""

    index: int
    name: str  # lower-cased `AS` name, or "" without one
    base: str  # the image reference after ARG expansion, or a stage name
    line: int
    raw: str = ""  # the reference as written, before ARG expansion
    parent: int | None = None  # index of the stage `FROM` names, when it names one
    deps: set[int] = field(default_factory=set)  # stages it copies or mounts from
    images: list[tuple[int, str]] = field(default_factory=list)  # images it copies or mounts from
    runs: list[tuple[int, str]] = field(default_factory=list)  # RUN lines (heredocs included)


@dataclass(frozen=True)
class Alias:
    """One public image reference and the local image that stands in for it."""

    ref: str  # the normalised name, as BuildKit looks it up
    local: str
    note: str = ""
    go: str = ""  # a builder's exact Go version ("1.26.11"); "" for other images


@dataclass
class Plan:
    """What building a Dockerfile offline takes: named contexts, refusals, and notes to print."""

    syntax: str | None
    stages: list[Stage]
    target: str  # the stage built: its name, or `stage N` for an unnamed last stage
    aliases: list[Alias] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def build_contexts(self) -> list[str]:
        """The `--build-context` flags for buildx, one pair per alias."""
        flags: list[str] = []
        for a in self.aliases:
            flags += ["--build-context", f"{a.ref}=docker-image://{a.local}"]
        return flags

    def go_versions(self) -> list[str]:
        """The exact Go versions of the local builders the target's stages use (what builds the binary)."""
        return sorted({a.go for a in self.aliases if a.go}, key=gover.key)

    def local_images(self) -> list[str]:
        """The local images the aliases use (to be built first), without `scratch`."""
        return sorted({a.local for a in self.aliases if a.local != "scratch"})

    def record(self) -> dict[str, object]:
        """What a row keeps: the aliases used, and that the built-in frontend built it (with the syntax line it dropped)."""
        return {
            "aliases": {a.ref: a.local for a in self.aliases},
            "frontend": "builtin",
            "syntax_dropped": self.syntax,
        }

    def check(self) -> None:
        """Refuse, in one line, when something the target needs cannot be had offline.

        The first refusal comes in full; the others by image, line and reason, so that a user who
        fixes the first learns at once what else stands in the way (a real Dockerfile has several).
        """
        if self.refusals:
            others = "; ".join(_reason(r) for r in self.refusals[1:])
            raise UsageError(self.refusals[0] + (f" (also: {others})" if others else ""))


def aliases(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The alias table: config's entries first (they win), then the defaults."""
    return {**dict(extra or {}), **{k: v for k, v in DEFAULT_ALIASES.items() if k not in (extra or {})}}


def directives(text: str) -> dict[str, str]:
    """The parser directives at the top of a Dockerfile (`syntax`, `escape`, `check`), keys lower-cased."""
    found: dict[str, str] = {}
    for line in text.splitlines():
        m = _DIRECTIVE.match(line)
        if not m or m.group(1).lower() in found:
            break
        found[m.group(1).lower()] = m.group(2)
    return found


def without_syntax(text: str) -> str:
    """The Dockerfile without its `# syntax=` directive, so the engine's built-in frontend builds it."""
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        m = _DIRECTIVE.match(line)
        if not m:
            break
        if m.group(1).lower() == "syntax":
            return "".join(lines[:i] + lines[i + 1:])
    return text


def normalize(ref: str) -> str:
    """An image reference the way BuildKit names a context: no docker.io/library/, no `:latest`."""
    for prefix in ("docker.io/library/", "index.docker.io/library/", "docker.io/", "index.docker.io/"):
        if ref.startswith(prefix):
            ref = ref[len(prefix):]
            break
    return ref.removesuffix(":latest")


def expand(word: str, env: Mapping[str, str]) -> str:
    """ARG substitution as in FROM lines: `$V`, `${V}`, `${V:-default}`, `${V-default}`, `${V:+alt}`, `${V+alt}`."""

    def sub(m: re.Match[str]) -> str:
        if m.group(0) == "\\$":
            return "$"
        name = m.group(1) or m.group(4)
        value, op, word_ = env.get(name), m.group(2), m.group(3) or ""
        if op in (":-", "-"):
            return value if value or (op == "-" and value is not None) else word_
        if op in (":+", "+"):
            return word_ if value or (op == "+" and value is not None) else ""
        return value or ""

    return _VAR.sub(sub, word)


def parse(text: str, build_args: Mapping[str, str] | None = None) -> list[Stage]:
    """The stages of a Dockerfile, FROM references expanded with global ARG defaults and `build_args`."""
    try:
        commands = buildkit_parser.parse_string(text)
    except buildkit_parser.GoParseError as err:
        raise UsageError(f"Dockerfile does not parse: {str(err).splitlines()[0]}") from None
    env: dict[str, str] = dict(PLATFORM_ARGS)
    stages: list[Stage] = []
    for c in commands:
        if c.cmd == "ARG" and not stages:
            for token in c.value:
                name, eq, default = shlex.split(token)[0].partition("=")
                given = (build_args or {}).get(name)
                env[name] = given if given is not None else (expand(default, env) if eq else "")
        elif c.cmd == "FROM":
            stages.append(_stage(c, env, stages))
        elif stages and c.cmd in ("COPY", "RUN", "ADD"):
            _add_refs(stages[-1], c, env, stages)
    if not stages:
        raise UsageError("Dockerfile has no FROM line")
    return stages


def _stage(c: buildkit_parser.Command, env: Mapping[str, str], stages: list[Stage]) -> Stage:
    words = list(c.value)
    name = words[2].lower() if len(words) == 3 and words[1].lower() == "as" else ""
    base = expand(words[0], env) if words else ""
    stage = Stage(len(stages), name, base, c.start_line, words[0] if words else "")
    stage.parent = _stage_index(base, stages)
    return stage


def _stage_index(ref: str, stages: list[Stage]) -> int | None:
    for s in stages:
        if s.name and s.name == ref.lower():
            return s.index
    return int(ref) if ref.isdigit() and int(ref) < len(stages) else None


def _add_refs(stage: Stage, c: buildkit_parser.Command, env: Mapping[str, str], stages: list[Stage]) -> None:
    refs: list[str] = []
    for flag in c.flags:
        if flag.startswith("--from="):
            refs.append(flag.removeprefix("--from="))
        elif flag.startswith("--mount="):
            opts = dict(kv.partition("=")[::2] for kv in flag.removeprefix("--mount=").split(","))
            refs += [opts["from"]] if opts.get("from") else []
    for ref in (expand(r, env) for r in refs):
        index = _stage_index(ref, stages)
        if index is not None:
            stage.deps.add(index)
        else:
            stage.images.append((c.start_line, ref))
    if c.cmd == "RUN":
        body = " ".join(c.value) + "".join(h.content for h in c.heredocs)
        stage.runs.append((c.start_line, body))


def plan(
    text: str,
    build_args: Mapping[str, str] | None = None,
    target: str | None = None,
    extra_aliases: Mapping[str, str] | None = None,
    builders: Mapping[str, str] | None = None,
    requirement: gover.Requirement | None = None,
) -> Plan:
    """Everything the target of a Dockerfile needs offline: aliases, refusals, notes (nothing is built).

    With the module's `requirement` (its go.mod), a golang image that stands for a builder older than
    the `go` line is refused here, not met later as a compile error in the middle of a build.
    """
    syntax = directives(text).get("syntax")
    stages = parse(text, build_args)
    goal = _target(stages, target)
    table = aliases(extra_aliases)
    builders = builders if builders is not None else {g: b.version for g, b in bases.GO_BUILDERS.items()}
    result = Plan(syntax, stages, stages[goal].name or f"stage {goal}")
    if syntax:
        result.notes.append(f"`# syntax={syntax}` dropped: the engine's built-in Dockerfile frontend builds it")
    needed = _reachable(stages, goal)
    seen: set[str] = set()
    for line, raw, ref in _image_refs(stages, needed):
        name = normalize(ref)
        if name == "scratch" or name.startswith("bench-base/") or name in seen:
            continue
        seen.add(name)
        found = _resolve(name, raw, line, table, builders, requirement, avoid=_avoid_hint(stages, name))
        if isinstance(found, str):
            result.refusals.append(found)
            continue
        result.aliases.append(found)
    result.refusals += _package_refusals(stages, needed)
    refused = " ".join(result.refusals)
    result.notes += [a.note for a in result.aliases if a.note and f"{a.ref} (Dockerfile line" not in refused]
    skipped = [f"{s.name or s.index} ({s.base})" for s in stages if s.index not in needed and s.parent is None]
    if skipped:
        result.notes.append(f"not needed by target {result.target}, not built: {', '.join(skipped)}")
    return result


def _target(stages: list[Stage], target: str | None) -> int:
    if not target:
        return len(stages) - 1
    for s in stages:
        if s.name == target.lower():
            return s.index
    names = ", ".join(s.name for s in stages if s.name) or "(no named stages)"
    raise UsageError(f"project.target: {target!r} is not a stage of the Dockerfile; stages: {names}")


def _reachable(stages: list[Stage], goal: int) -> list[int]:
    todo, seen = [goal], set()
    while todo:
        i = todo.pop()
        if i in seen:
            continue
        seen.add(i)
        parent = stages[i].parent
        todo += [*stages[i].deps, *([] if parent is None else [parent])]
    return sorted(seen)


def _image_refs(stages: list[Stage], needed: list[int]) -> list[tuple[int, str, str]]:
    refs: list[tuple[int, str, str]] = []
    for i in needed:
        s = stages[i]
        if s.parent is None:
            refs.append((s.line, s.raw, s.base))
        refs += [(line, ref, ref) for line, ref in s.images]
    return refs


def _pattern(pattern: str) -> re.Pattern[str]:
    parts = re.split(r"(\{go\}|\*)", pattern)
    go = r"(?P<go>\d+(?:\.\d+){0,2}(?:rc\d+|beta\d+)?)"
    return re.compile("".join(go if p == "{go}" else ".*" if p == "*" else re.escape(p) for p in parts))


def _match(ref: str, table: Mapping[str, str]) -> tuple[str, re.Match[str] | None]:
    for pattern, value in table.items():
        m = _pattern(pattern).fullmatch(ref)
        if m:
            return value, m
    return "", None


def _resolve(
    ref: str, raw: str, line: int, table: Mapping[str, str], builders: Mapping[str, str],
    requirement: gover.Requirement | None = None, avoid: str = "build a target that does not use it",
) -> Alias | str:
    where = f"{ref} (Dockerfile line {line})"
    bare = ref.split("@", 1)[0]  # a digest pin names the public image; the alias matches the name and tag
    value, m = _match(bare, table)
    if m is None:
        repo = re.sub(r":[^/:]*$", "", bare)
        what = f"is {HELPER_HINTS[repo]}; {avoid}, " if repo in HELPER_HINTS else "has no local stand-in; "
        return f"{where} {what}add an alias for it to a local image, or use base=registry on a machine with a registry"
    if value != "builder":
        local = bases.image_for(value) if value in ROLES else value
        return Alias(ref, local, _alpine_note(ref, local))
    go = m.groupdict().get("go")
    # golang:1.25.3 and golang:1.25rc1 mean the 1.25 builder; golang, golang:1 mean the newest
    minor = re.sub(r"(rc|beta)\d+$", "", ".".join(go.split(".")[:2])) if go and "." in go else list(builders)[-1]
    via = " (set its ARG with project.build_args)" if "$" in raw else ""
    if minor not in builders:
        return f"{where} needs Go {go} and there is no local builder for it (local: {', '.join(builders)}): change the Go version{via} or add an alias"
    version = builders[minor]
    if requirement is not None and not gover.at_least(version, requirement.go):
        return (f"{where} stands for local builder go{minor} (Go {version}), but {requirement.describe()}: "
                f"use a newer golang tag{via} or add an alias to a newer builder")
    local = bases.image_for("builder", go=minor)
    note = f"{ref} -> {local} (Go {version})" if go != version else ""
    return Alias(ref, local, _alpine_note(ref, local) or note, go=version)


def _avoid_hint(stages: list[Stage], name: str) -> str:
    """Which named targets do without image `name`: a real Dockerfile often builds every target on it."""
    free = [s.name for s in stages if s.name and all(
        normalize(ref) != name for _, _, ref in _image_refs(stages, _reachable(stages, s.index)))]
    if not free:
        return "every target of this Dockerfile needs it, so build with a Dockerfile of yours (strategy=vendor or a template)"
    return f"build a target that does not use it (project.target: {', '.join(free)})"


def _reason(refusal: str) -> str:
    """A refusal without its advice: `<image> (Dockerfile line N) <why>`, cut where what to do begins."""
    return _ADVICE.split(refusal, maxsplit=1)[0]


def _alpine_note(ref: str, local: str) -> str:
    if "alpine" not in ref:
        return ""
    return f"{ref} -> {local}: Debian-based, not Alpine; the stages built on it run no apk step"


def _package_refusals(stages: list[Stage], needed: list[int]) -> list[str]:
    refusals = []
    for i in needed:
        root = stages[i]
        while root.parent is not None:
            root = stages[root.parent]
        if "alpine" not in normalize(root.base):
            continue
        for line, body in stages[i].runs:
            if _APK.search(body):
                refusals.append(
                    f"{normalize(root.base)} (Dockerfile line {root.line}) is Alpine and line {line} runs apk, which needs "
                    "Alpine's package mirror (not reachable offline): use a -bookworm image with apt-get, drop the apk "
                    "step, or use base=registry on a machine with a registry and that mirror"
                )
                break
    return refusals
