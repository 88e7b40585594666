"""A build killed with SIGKILL at any moment: readers see the old or the new handbook, never half
of one, and the next build leaves no work folder behind (and none of another build's), also when
it was killed while making PDFs: nothing is left in the output or in the temporary folder."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import ROOT

pytestmark = pytest.mark.slow  # real builds, killed

MINIMAL = ROOT / "tests/circles/minimal.yaml"


def digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def build(circle: Path, out: Path, pdfs: bool = False, temporary: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600", **({"TMPDIR": str(temporary)} if temporary else {})}
    options = [] if pdfs else ["--no-pdf"]
    return subprocess.Popen([sys.executable, "-m", "handbook_gen", "build", "--no-history", *options, str(circle),
                             "-o", str(out)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for_work(out: Path, process: subprocess.Popen, is_work) -> None:
    """Until the build has a work folder in the output (is_work(path)) or has ended: a kill timed
    from then hits a build in the middle however long its start took on a busy machine."""
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        if any(is_work(path) for path in out.iterdir()):
            return
        time.sleep(0.005)


def test_sigkill_at_many_moments_leaves_old_or_new_and_no_staging(tmp_path):
    circle = tmp_path / "minimal.yaml"
    old_text = MINIMAL.read_text(encoding="utf-8")
    new_text = old_text.replace("name: Cirkel Test", "name: Cirkel Nieuw", 1)
    out = tmp_path / "site"
    published = out / "minimal"
    versions = {}
    for label, text in (("new", new_text), ("old", old_text)):
        circle.write_text(text, encoding="utf-8")
        assert build(circle, out).wait(timeout=300) == 0
        versions[label] = digest(published)
    assert versions["old"] != versions["new"]

    # A folder that looks like a work folder but is not ours, and must survive.
    foreign = out / ".minimal.not-ours"
    foreign.mkdir()
    circle.write_text(new_text, encoding="utf-8")
    started = time.monotonic()
    assert build(circle, out).wait(timeout=300) == 0
    full = time.monotonic() - started
    circle.write_text(old_text, encoding="utf-8")
    assert build(circle, out).wait(timeout=300) == 0

    killed_with_staging = 0
    for step in range(10):
        circle.write_text(new_text if step % 2 == 0 else old_text, encoding="utf-8")
        process = build(circle, out)
        if step % 2:  # from the moment its staging folder is there, at five moments
            wait_for_work(out, process, lambda path: path.name.endswith(".staging"))
            time.sleep(full * 0.05 * step)
        else:  # from its start, at five moments
            time.sleep(full * (0.1 + 0.09 * step))
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert digest(published) in (versions["old"], versions["new"]), f"half a handbook at step {step}"
        killed_with_staging += any(p.name.startswith(".minimal.") and p != foreign for p in out.iterdir())

    assert build(circle, out).wait(timeout=300) == 0
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert left == [".handbook-gen.lock", ".minimal.not-ours"], left
    assert killed_with_staging > 0  # some kill did hit a build in the middle


def test_a_running_builds_work_folder_is_left_alone(tmp_path):
    import fcntl

    out = tmp_path / "site"
    running = out / ".minimal.abc123.staging"
    running.mkdir(parents=True)
    with open(running / ".handbook-gen-staging", "wb") as mark:
        fcntl.flock(mark, fcntl.LOCK_EX)  # as a build in another process holds it
        assert build(MINIMAL, out).wait(timeout=300) == 0
        assert running.is_dir()


def test_sigkill_while_making_pdfs_leaves_old_or_new_and_no_junk(tmp_path):
    circle = tmp_path / "minimal.yaml"
    old_text = MINIMAL.read_text(encoding="utf-8")
    # A new name, theme and school day: the review-day pack and the forms are laid out again.
    new_text = (old_text.replace("name: Cirkel Test", "name: Cirkel Nieuw", 1)
                .replace("title: Rekenen", "title: Lezen", 1).replace('end: "15:30"', 'end: "15:00"', 1))
    out = tmp_path / "site"
    temporary = tmp_path / "tmp"  # the builds' temporary folder: nothing may stay behind in it
    temporary.mkdir()
    published = out / "minimal"
    versions = {}
    started = time.monotonic()
    for label, text in (("new", new_text), ("old", old_text)):
        circle.write_text(text, encoding="utf-8")
        assert build(circle, out, pdfs=True, temporary=temporary).wait(timeout=600) == 0
        versions[label] = digest(published)
    full = (time.monotonic() - started) / 2
    assert versions["old"] != versions["new"]
    for version in versions.values():
        changed = [name for name in version if name.endswith(".pdf")]
        assert sorted(changed) == ["formulieren/formulieren.pdf", "handboek.pdf", "reviews/review-a.pdf",
                                   "reviews/review-a/voorbereiding.pdf", "reviews/review-a/workshop.pdf"]
    assert {name: versions["old"][name] for name in versions["old"] if name.endswith(".pdf")} != \
           {name: versions["new"][name] for name in versions["new"] if name.endswith(".pdf")}

    killed_mid_build = 0
    for step in range(3):
        circle.write_text(new_text if step % 2 == 0 else old_text, encoding="utf-8")
        process = build(circle, out, pdfs=True, temporary=temporary)
        # From the moment it holds the output: in MkDocs, then well into WeasyPrint.
        wait_for_work(out, process, lambda path: path.name.startswith(".handbook-gen-work."))
        time.sleep(full * 0.25 * step)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=60)
        assert digest(published) in (versions["old"], versions["new"]), f"half a handbook at step {step}"
        killed_mid_build += any(p.name.startswith((".minimal.", ".handbook-gen-work.")) for p in out.iterdir())

    assert build(circle, out, pdfs=True, temporary=temporary).wait(timeout=600) == 0
    assert digest(published) in (versions["old"], versions["new"])
    left = sorted(p.name for p in out.iterdir() if p.name.startswith("."))
    assert left == [".handbook-gen.lock"], left
    assert not [p for p in out.rglob("*") if p.name.endswith((".tmp", ".hg-tmp", ".staging"))]
    assert list(temporary.iterdir()) == []
    assert killed_mid_build > 0  # some kill did hit a build in the middle
