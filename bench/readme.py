"""The README's generated blocks, written by the harness from saved runs: `bench-readme [RUN ...] [--check]`.

Section blocks: between `<!-- bench:section:start runs=RUN... title=HEADING -->` and
`<!-- bench:section:end -->`, the section of that title from the report the harness writes for
those runs (a grid, a table, a plot), so every result table in the README is generated too.

Between `<!-- bench:answer:start runs=... -->` and `<!-- bench:answer:end -->` the README
opens with what the given runs support ("use X; after a source edit it takes N s, after a
go.mod change M s, image K MB"), made from the report's summary (`bench.report.summary`):
the numbers are never typed by hand. The start marker records the runs (relative to the
README), so `bench-readme` alone regenerates the block from them and `--check` exits 1 when
the README no longer says what they do.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from bench.errors import UsageError, cli_entry
from bench.report.render import fmt
from bench.report.summary import summarize
from bench.results import load

START, END = "<!-- bench:answer:start", "<!-- bench:answer:end -->"
_BLOCK = re.compile(re.escape(START) + r"(?P<attrs>[^>]*)-->.*?" + re.escape(END), re.S)
GOMOD = ("gomod_bump", "gomod_add")


def answer(runs: Sequence[Path], readme_dir: Path) -> str:
    """The block for these runs, markers included (run paths in the marker relative to `readme_dir`)."""
    res = load([str(r) for r in runs])
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(map(str, runs))}")
    planned = [v for vs in res.manifests.get("variants", []) if isinstance(vs, list) for v in vs]
    recs = summarize(res.builds, res.manifests, planned).recommendations
    if not recs:
        raise UsageError(f"{' '.join(map(str, runs))}: no successful build to recommend from")
    names = " ".join(_relative(Path(r), readme_dir) for r in runs)
    body = [f"{_headline(recs)} {_details(recs)}", "", _provenance(res.manifests, names)]
    return "\n".join([f"{START} runs={names} -->", *body, END])


def _relative(run: Path, base: Path) -> str:
    try:
        return run.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return run.resolve().as_posix()


def _main_label(recs: list[dict[str, Any]]) -> str:
    """The option recommended most often (the first of a tie)."""
    labels = [r["label"] for r in recs]
    return max(dict.fromkeys(labels), key=labels.count)


def _headline(recs: list[dict[str, Any]]) -> str:
    main = _main_label(recs)
    others = [f"{r['when']}: `{r['label']}`" for r in recs if r["label"] != main]
    return f"**Use `{main}`** ({'; '.join(others)})." if others else f"**Use `{main}`.**"


def _details(recs: list[dict[str, Any]]) -> str:
    main = _main_label(recs)
    ordered = sorted(recs, key=lambda r: r["label"] != main)  # "it" right after the headline names it
    parts = [_cost(r, "it" if r["label"] == main else f"`{r['label']}`") for r in ordered]
    if not any(r.get("change") in GOMOD for r in recs):
        parts.append("after a go.mod change: not measured by these runs (`bench +scenario=change` measures it)")
    sentence = "; ".join(parts)
    text = sentence[0].upper() + sentence[1:] + "."
    image = next((r["image_mb"] for r in recs if r["label"] == main and r.get("image_mb") is not None), None)
    if image is not None:
        text += f" Image: **{image:.1f} MB** unpacked."
    return text


def _cost(r: dict[str, Any], subject: str) -> str:
    cost = r["cost_s"]
    interval = "" if cost.get("low") is None or cost["method"] == "exact" else \
        f", {'range' if cost['method'] == 'range' else '95% CI'} {fmt(cost['low'])}-{fmt(cost['high'])} s"
    line = f"{r['when']} {subject} takes **{fmt(cost['estimate'])} s** (median of {cost['n']} builds{interval})"
    if r.get("baseline_label") and r.get("saving_pct") is not None:
        base = r["cost_s"]["estimate"] + r["saving_s"]
        line += f", {r['saving_pct']:.0f}% less than `{r['baseline_label']}` ({fmt(base)} s)"
    close = r.get("not_clearly_slower") or []
    if close:
        line += f" (not clearly slower: {', '.join(f'`{c}`' for c in close)})"
    return line


def _provenance(manifests: pd.DataFrame, names: str) -> str:
    m = manifests.sort_values("started_at").iloc[-1] if "started_at" in manifests else manifests.iloc[-1]
    facts = [str(m.get("started_at", ""))[:10], _engine(m)]
    project = m.get("config.project.name")
    scenarios = ", ".join(dict.fromkeys(map(str, manifests.get("scenario", []))))
    what = f"scenario {scenarios}" + (f", project {project}" if isinstance(project, str) else "")
    return (f"<sub>Written by `bench-readme` from {names} ({what}; {'; '.join(f for f in facts if f)}), "
            f"never by hand. Caveats and every table: `bench-report {names}`.</sub>")


def _engine(m: pd.Series) -> str:
    cpus, docker, buildx = m.get("engine.host_cpus"), m.get("engine.engine_version"), m.get("engine.buildx_version")
    parts = [f"{int(cpus)} CPUs" if pd.notna(cpus) else "", f"docker {str(docker).split('+')[0]}" if isinstance(docker, str) else "",
             f"buildx {str(buildx).split('+')[0]}" if isinstance(buildx, str) else ""]
    return ", ".join(p for p in parts if p)


def runs_in(readme: str) -> list[str]:
    """The runs the README's answer block names in its start marker (empty when there is no block)."""
    m = _BLOCK.search(readme)
    if not m:
        return []
    found = re.search(r"runs=(.*)", m.group("attrs"))
    return found.group(1).split() if found else []


def replace_block(readme: str, block: str) -> str:
    """The README with its answer block replaced by `block` (put first when it has none)."""
    if _BLOCK.search(readme):
        return _BLOCK.sub(lambda _: block, readme, count=1)
    lines = readme.split("\n", 1)  # after the title line
    return f"{lines[0]}\n\n{block}\n" + (lines[1] if len(lines) > 1 else "")


SECTION = re.compile(
    r"<!-- bench:section:start runs=(?P<runs>.*?) title=(?P<title>.*?) -->\n.*?<!-- bench:section:end -->", re.S
)


def section(runs: Sequence[Path], title: str, readme_dir: Path) -> str:
    """The report section `title` for these runs (its plots written beside the first run, linked from the README)."""
    from bench import report

    res = load([str(r) for r in runs])
    if res.manifests.empty:
        raise UsageError(f"no runs found under {' '.join(map(str, runs))}")
    out = Path(runs[0]) / "report"
    report.build(res, out)
    text = (out / "report.md").read_text()
    found = _section_text(text, title)
    if found is None:
        heads = [ln.lstrip("#").strip() for ln in text.splitlines() if ln.startswith("#")]
        raise UsageError(f"title: the report of {runs[0]} has no section {title!r}; it has: {', '.join(heads)}")
    rel = _relative(out, readme_dir)
    return re.sub(r"!\[([^]]*)\]\((?!https?:|/)([^)]+)\)", lambda m: f"![{m.group(1)}]({rel}/{m.group(2)})", found)


def _section_text(markdown: str, title: str) -> str | None:
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("#") and line.lstrip("#").strip() == title:
            level = len(line) - len(line.lstrip("#"))
            end = next((j for j in range(i + 1, len(lines))
                        if lines[j].startswith("#") and len(lines[j]) - len(lines[j].lstrip("#")) <= level), len(lines))
            return "\n".join(lines[i + 1:end]).strip()
    return None


def replace_sections(readme: str, readme_dir: Path) -> str:
    """The README with every section block regenerated from the runs its marker names."""
    def fill(m: re.Match[str]) -> str:
        runs = [readme_dir / r for r in m.group("runs").split()]
        body = section(runs, m.group("title").strip(), readme_dir)
        return f"<!-- bench:section:start runs={m.group('runs')} title={m.group('title')} -->\n{body}\n<!-- bench:section:end -->"

    return SECTION.sub(fill, readme)


@cli_entry
def main(argv: Sequence[str] | None = None) -> None:
    """`bench-readme [RUN ...] [--readme README.md] [--check]`; exit 1 with --check when the block is stale."""
    p = argparse.ArgumentParser(prog="bench-readme", description=__doc__.splitlines()[0])
    p.add_argument("runs", nargs="*", help="run directories (default: the runs the README's block names)")
    p.add_argument("--readme", type=Path, default=Path("README.md"), help="the README to update (default README.md)")
    p.add_argument("--check", action="store_true", help="change nothing; exit 1 when the block differs")
    ns = p.parse_args(argv)
    if not ns.readme.is_file():
        raise UsageError(f"--readme: {ns.readme} does not exist")
    text = ns.readme.read_text()
    runs = [Path(r) for r in ns.runs] or [ns.readme.parent / r for r in runs_in(text)]
    if not runs:
        raise UsageError(f"give run directories: {ns.readme} has no answer block naming any")
    new = replace_sections(replace_block(text, answer(runs, ns.readme.parent)), ns.readme.parent)
    if ns.check:
        print(f"{ns.readme}: generated blocks {'up to date' if new == text else 'differ from what the runs say'}")
        if new != text:
            raise SystemExit(1)
        return
    ns.readme.write_text(new)
    print(f"{ns.readme}: answer block written from {' '.join(map(str, runs))}, "
          f"{len(SECTION.findall(new))} section block(s) from theirs")


if __name__ == "__main__":
    main()
