"""Plots: small multiples for two axes, short labels, titles with units, and no text outside the figure."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from bench import plots
from bench.results import load
from tests.unit.synthetic import change_wall, make_run

ROOT = Path(__file__).resolve().parents[2]
RECORDED = [ROOT / "tests" / "data" / "results", ROOT / "results" / "samples"]
STRATEGIES = ["naive", "multistage", "multistage_cachemount", "singlestage", "vendor"]
CHANGES = ["none", "source", "gomod_bump", "gomod_add"]


def _wall(c: Mapping[str, str]) -> float:
    return change_wall({**c, "strategy": c["strategy"] if c["strategy"] in ("naive", "multistage") else "naive"})


def _runs() -> dict[str, object]:
    return {
        "3 variants, one axis": make_run({"strategy": STRATEGIES[:3]}, 3, _wall),
        "20 variants, one axis": make_run({"strategy": [f"strategy_option_number_{i:02d}" for i in range(20)]}, 2,
                                          lambda c: 10.0),
        "20 variants, 5 x 4": make_run({"strategy": STRATEGIES, "change": CHANGES}, 2, _wall),
        "3 x 1 x 2, three axes": make_run({"strategy": STRATEGIES[:3], "change": ["source"],
                                           "runtime": ["static", "debian"]}, 2, _wall),
    }


RUNS = _runs()


def _figures(res: object) -> list[Figure]:
    b, s = res.builds, res.steps  # type: ignore[attr-defined]
    made = [plots.build_times_figure(b), plots.step_times_figure(b, s), plots.image_sizes_figure(b),
            plots.proxy_profiles_figure(b)]
    return [f for f in made if f is not None]


@pytest.mark.parametrize("name", list(RUNS))
def test_no_text_is_clipped(name: str) -> None:
    figs = _figures(RUNS[name])
    assert len(figs) >= 3
    for fig in figs:
        assert plots.clipped_texts(fig) == [], fig.get_suptitle()


def test_recorded_runs_have_no_clipped_text() -> None:
    for path in RECORDED:
        for fig in _figures(load(path)):
            assert plots.clipped_texts(fig) == [], (path, fig.get_suptitle())


def test_the_clipping_check_finds_clipped_text() -> None:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.set_yticks([0], ["a label far too long to fit in a three inch figure without layout"])
    assert plots.clipped_texts(fig)


def test_two_axes_are_small_multiples_with_value_labels() -> None:
    fig = plots.build_times_figure(RUNS["20 variants, 5 x 4"].builds)  # type: ignore[attr-defined]
    assert fig is not None
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in panels] == CHANGES
    labels = [t.get_text() for t in panels[0].get_yticklabels()]
    assert labels == STRATEGIES  # values only, no `axis=value`
    assert "=" not in "".join(t.get_text() for ax in panels for t in ax.get_yticklabels())
    title = fig.get_suptitle()
    assert "Build wall time (s)" in title and "one panel per change" in title


def test_every_plot_has_a_title_with_its_unit() -> None:
    for fig in _figures(RUNS["3 x 1 x 2, three axes"]):
        title = fig.get_suptitle()
        assert "(s)" in title or "(MB" in title or "(%)" in title, title


def test_plots_write_png_and_svg(tmp_path: Path) -> None:
    png = plots.build_times(RUNS["3 variants, one axis"].builds, tmp_path / "bt")  # type: ignore[attr-defined]
    assert png is not None and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.with_suffix(".svg").read_text().lstrip().startswith("<?xml")


def test_the_same_plot_twice_is_the_same_svg(tmp_path: Path) -> None:
    # Regenerating a committed report (bench-readme, the README test) must leave git nothing to show.
    builds = RUNS["3 variants, one axis"].builds  # type: ignore[attr-defined]
    first = plots.build_times(builds, tmp_path / "a" / "bt")
    second = plots.build_times(builds, tmp_path / "b" / "bt")
    assert first is not None and second is not None
    assert first.with_suffix(".svg").read_bytes() == second.with_suffix(".svg").read_bytes()
