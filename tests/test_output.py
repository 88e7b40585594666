"""The output folder belongs to a build only where the build wrote it: nothing else is removed or
replaced, refusals come before anything is written, the index lists what readers can open, two
builds into one folder are safe, and a full disk is the output's problem (exit 2), not a bug."""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import inspect
import os
import subprocess
import sys
from pathlib import Path

import pytest

from handbook_gen import cli
from handbook_gen.site import index_page
from handbook_gen.common import output
from handbook_gen.site import handbook as site
from helpers import EPOCH, MINIMAL, run

pytestmark = pytest.mark.slow  # real MkDocs builds (without PDFs)


@pytest.fixture(autouse=True)
def _epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def circle(folder: Path, circle_id: str, name: str = "Cirkel Test") -> Path:
    """A copy of the minimal circle with another id (and name)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = MINIMAL.read_text(encoding="utf-8").replace("id: minimal", f"id: {circle_id}", 1)
    path = folder / f"{circle_id}.yaml"
    path.write_text(text.replace("name: Cirkel Test", f"name: {name}", 1), encoding="utf-8")
    return path


def build(capsys, *argv) -> tuple[int, str, str]:
    return run(["build", "--no-pdf", "--no-history", "--jobs", "1", *map(str, argv)], capsys)


def snapshot(folder: Path) -> dict[str, str]:
    """Every file, folder and link under `folder` with its bytes' hash: byte for byte."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "-> " + os.readlink(path)
        elif path.is_file():
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            found[name] = "dir"
    return found


def listed(out: Path) -> list[str]:
    """The handbook links on the index page."""
    html = (out / "index.html").read_text(encoding="utf-8")
    return sorted(part.split('/index.html"')[0] for part in html.split('<a href="')[1:])


# --- ownership ----------------------------------------------------------------------------------

def test_a_folder_the_build_did_not_make_is_never_replaced(tmp_path, capsys):
    out = tmp_path / "site"
    foreign = out / "minimal"
    (foreign / "sub").mkdir(parents=True)
    (foreign / "rapport.docx").write_bytes(b"mijn werk")
    (foreign / "sub" / "x.txt").write_text("ook", encoding="utf-8")
    before = snapshot(out)
    code, _, err = build(capsys, MINIMAL, "-o", out)
    assert code == 2
    assert str(foreign) in err and "niet door handbook-gen gemaakt" in err and "-o" in err
    assert snapshot(out) == before  # nothing written at all: no index, no assets, no lock


def test_a_file_or_link_in_the_way_is_refused(tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    elsewhere = tmp_path / "elders"
    elsewhere.mkdir()
    (out / "minimal").symlink_to(elsewhere)
    code, _, err = build(capsys, MINIMAL, "-o", out)
    assert code == 2 and str(out / "minimal") in err
    assert (out / "minimal").is_symlink() and list(elsewhere.iterdir()) == []


def test_a_foreign_assets_folder_is_not_replaced(tmp_path, capsys):
    out = tmp_path / "site"
    (out / "assets").mkdir(parents=True)
    (out / "assets" / "logo.png").write_bytes(b"\x89PNG eigen logo")
    before = snapshot(out)
    code, _, err = build(capsys, MINIMAL, "-o", out)
    assert code == 2 and str(out / "assets") in err
    assert snapshot(out) == before


def test_a_foreign_index_page_is_not_overwritten(tmp_path, capsys):
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("<h1>Intranet van het bestuur</h1>", encoding="utf-8")
    before = snapshot(out)
    code, _, err = build(capsys, MINIMAL, "-o", out)
    assert code == 2 and str(out / "index.html") in err
    assert snapshot(out) == before


@pytest.mark.parametrize("standalone", [[], ["--standalone"]])
def test_a_circle_with_the_id_assets_cannot_replace_the_shared_theme(standalone, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    before = snapshot(out)
    code, _, err = build(capsys, circle(tmp_path / "in", "assets"), "-o", out, *standalone)
    assert code in (1, 2) and "Traceback" not in err  # 1 where validate refuses the id itself
    assert snapshot(out) == before


def test_a_circle_named_like_the_input_folder_cannot_replace_it(tmp_path, capsys, monkeypatch):
    """`id: circles` with `-o .`: the build would have replaced the input folder."""
    monkeypatch.chdir(tmp_path)
    circle(tmp_path / "circles", "circles")
    before = snapshot(tmp_path)
    for argv in (["circles", "-o", "."], ["circles/circles.yaml", "-o", "."]):
        code, _, err = build(capsys, *argv)
        assert code == 2 and "invoer" in err, err
    assert snapshot(tmp_path) == before


def test_a_published_handbook_is_rebuilt_in_place(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = Path("site")  # relative, as an admin types it
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    edited = circle(tmp_path / "in", "minimal", name="Cirkel Nieuw")
    assert build(capsys, edited, "-o", out)[0] == 0  # ours: its stamp says so
    assert "Cirkel Nieuw" in (out / "minimal" / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("given, words", [
    ("", "-o is leeg"),
    ("~", "thuismap"),
    ("IN", "is of bevat de invoer"),
    ("IN/site", "ligt in de map met cirkelbestanden"),
    (".", "is of bevat de invoer"),
])
def test_an_output_folder_that_would_mix_or_endanger_is_refused(given, words, tmp_path, capsys,
                                                                 monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HOME", str(tmp_path / "thuis"))
    (tmp_path / "thuis").mkdir()
    source = circle(tmp_path / "IN", "minimal")
    before = snapshot(tmp_path)
    code, _, err = build(capsys, source.parent, "-o", os.path.expanduser(given))
    assert code == 2 and words in err, err
    assert "Traceback" not in err
    assert snapshot(tmp_path) == before


def test_the_root_folder_is_refused(capsys, monkeypatch):
    """Checked before anything else: no build is even attempted (a failing version of this test
    must not write into /), so the build itself is replaced by one that fails the test."""
    monkeypatch.setattr("handbook_gen.build.build", lambda *a, **k: pytest.fail("built into /"))
    code, _, err = build(capsys, MINIMAL, "-o", "/")
    assert code == 2 and "hoofdmap" in err, err


# --- damaged stamps ---------------------------------------------------------------------------

@pytest.mark.parametrize("damage", [
    "{not json",
    b"\xff\xfe broken".decode("latin-1"),
    "[1, 2]",
    json.dumps({"inputs": 5, "about": "x", "pdfs": 3, "generator": []}),
    json.dumps({"about": {"id": "minimal", "source": None, "problems": "x"}}),
    json.dumps({"about": {"id": 7, "name": None, "board": [], "problems": [{"code": 1}]}}),
])
def test_a_damaged_stamp_means_rebuild(damage, tmp_path, capsys):
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    (out / "minimal" / ".handbook-gen.json").write_text(damage, encoding="latin-1")
    code, stdout, err = build(capsys, MINIMAL, "-o", out)
    assert code == 0, err
    assert "minimal: handboek gebouwd" in stdout
    assert json.loads((out / "minimal" / ".handbook-gen.json").read_text())["about"]["id"] == "minimal"
    assert listed(out) == ["minimal"]


def test_a_stamp_whose_source_matches_but_whose_warnings_are_damaged_is_rebuilt(tmp_path, capsys):
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    stamp_file = out / "minimal" / ".handbook-gen.json"
    stamp = json.loads(stamp_file.read_text())
    stamp["about"]["problems"] = [{"severity": "warning"}]  # the right source key, half a warning
    stamp_file.write_text(json.dumps(stamp))
    code, stdout, err = build(capsys, MINIMAL, "-o", out)
    assert code == 0 and "Traceback" not in err


# --- an honest index --------------------------------------------------------------------------

def test_a_build_of_one_file_keeps_the_other_handbooks_on_the_index(tmp_path, capsys):
    out = tmp_path / "site"
    first, second = circle(tmp_path / "in", "eerste"), circle(tmp_path / "in", "tweede")
    assert build(capsys, first, second, "-o", out)[0] == 0
    assert listed(out) == ["eerste", "tweede"]
    assert build(capsys, first, "-o", out)[0] == 0
    assert listed(out) == ["eerste", "tweede"]  # tweede is still published there


def test_a_failed_circle_is_listed_as_its_published_version_or_not_at_all(tmp_path, capsys,
                                                                          monkeypatch):
    out = tmp_path / "site"
    assert build(capsys, circle(tmp_path / "in", "eerste", name="Oude naam"), "-o", out)[0] == 0
    real = site.build_handbook

    def failing(circle_id, *args, **kwargs):
        if circle_id in ("eerste", "nieuw"):
            raise site.SiteError("MkDocs: kapot")
        return real(circle_id, *args, **kwargs)

    monkeypatch.setattr(site, "build_handbook", failing)
    files = [circle(tmp_path / "in", "eerste", name="Nieuwe naam"), circle(tmp_path / "in", "nieuw"),
             circle(tmp_path / "in", "goed")]
    code, _, err = build(capsys, *files, "-o", out)
    assert code == 3 and "kapot" in err
    assert listed(out) == ["eerste", "goed"]  # not "nieuw": there is no handbook to open
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Oude naam" in index and "Nieuwe naam" not in index


def test_temporary_files_have_unique_names_and_never_follow_a_planted_link(tmp_path, capsys):
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    victim = tmp_path / "victim.txt"
    victim.write_text("onaangetast", encoding="utf-8")
    for fixed in (out / ".index.html.tmp", out / "minimal" / ".handbook-gen.json.tmp",
                  out / "assets" / ".handbook-gen.json.tmp"):
        fixed.symlink_to(victim)
    edited = circle(tmp_path / "in", "minimal", name="Cirkel Nieuw")
    assert build(capsys, edited, "-o", out)[0] == 0
    assert victim.read_text(encoding="utf-8") == "onaangetast"
    assert "Cirkel Nieuw" in (out / "index.html").read_text(encoding="utf-8")


# --- one build at a time ----------------------------------------------------------------------

def subprocess_build(circle_file: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "PYTHONPATH": str(Path(cli.__file__).parents[1])}
    return subprocess.Popen([sys.executable, "-m", "handbook_gen", "build", "--no-history", "--no-pdf",
                             str(circle_file), "-o", str(out)], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_a_build_waits_for_the_one_writing_into_the_same_folder(tmp_path):
    out = tmp_path / "site"
    out.mkdir()
    with open(out / output.LOCK, "wb") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # as another build holds it
        process = subprocess_build(MINIMAL, out)
        said = process.stderr.readline()  # a build that did not wait would end: "" here
        assert "een andere build schrijft nu in" in said and str(out) in said
        assert process.poll() is None
        assert sorted(p.name for p in out.iterdir()) == [output.LOCK]  # it wrote nothing
    _, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert listed(out) == ["minimal"]


def test_two_builds_at_once_into_one_folder_both_land_on_the_index(tmp_path):
    out = tmp_path / "site"
    files = [circle(tmp_path / "in", name) for name in ("eerste", "tweede")]
    processes = [subprocess_build(path, out) for path in files]
    for process in processes:
        _, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    assert listed(out) == ["eerste", "tweede"]
    assert sorted(p.name for p in out.iterdir()) == [".handbook-gen.lock", "assets", "eerste",
                                                     "index.html", "tweede"]


# --- leftovers --------------------------------------------------------------------------------

def test_what_killed_builds_left_is_removed_and_nothing_else(tmp_path, capsys):
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    pdf_store = out / ".handbook-gen-work.abc123"  # a killed build's PDF store
    pdf_store.mkdir()
    (pdf_store / ".handbook-gen-work").touch()
    (pdf_store / "0123.pdf").write_bytes(b"%PDF")
    staging = out / ".weg.x1y2.staging"  # a killed build's work folder, of a circle since removed
    staging.mkdir()
    (staging / ".handbook-gen-staging").touch()
    (staging / "site").mkdir()
    half = [out / ".index.html.k3j.hg-tmp", out / "minimal" / ".handbook-gen.json.q9.hg-tmp",
            out / "assets" / "stylesheets" / ".extra.css.z1.hg-tmp"]
    for path in half:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"half")
    foreign = [out / ".mijn.staging", out / ".handbook-gen-work.niet-van-ons"]
    for folder in foreign:
        folder.mkdir()
        (folder / "notities.txt").write_text("van mij", encoding="utf-8")
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    assert not pdf_store.exists() and not staging.exists()
    assert not any(path.exists() for path in half)
    assert all((folder / "notities.txt").is_file() for folder in foreign)


def test_the_work_folders_are_in_the_output_folder_not_in_tmp(tmp_path, capsys, monkeypatch):
    """A killed build cannot leave its PDF store or any other work in /tmp: they are made in
    the output, where the next build removes them (above)."""
    private_tmp = tmp_path / "tmp"
    private_tmp.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(private_tmp))
    seen = []
    real = site.build_handbook

    def spy(*args, **kwargs):
        seen.append(inspect.signature(real).bind(*args, **kwargs).arguments["pdf_store"])
        return real(*args, **kwargs)

    monkeypatch.setattr(site, "build_handbook", spy)
    out = tmp_path / "site"
    assert build(capsys, MINIMAL, "-o", out)[0] == 0
    assert seen and all(out.resolve() in Path(store).resolve().parents for store in seen)
    assert list(private_tmp.iterdir()) == []


# --- a full disk, an unwritable folder --------------------------------------------------------

@pytest.mark.parametrize("jobs", ["1", "2"])  # 2: the error comes from a worker process
def test_a_full_disk_is_an_output_problem_with_the_path(jobs, tmp_path, capsys, monkeypatch):
    out = tmp_path / "site"
    files = [circle(tmp_path / "in", "minimal"), circle(tmp_path / "in", "tweede")]
    assert build(capsys, *files, "-o", out)[0] == 0
    before = snapshot(out)

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))  # as write() raises it: no file name

    monkeypatch.setattr(site, "_write_sources", full)  # forked workers inherit it
    files = [circle(tmp_path / "in", name, name="Cirkel Nieuw") for name in ("minimal", "tweede")]
    code, _, err = build(capsys, *files, "-o", out, "--jobs", jobs)
    assert code == 2, err
    assert str(out) in err and os.strerror(errno.ENOSPC) in err and "interne fout" not in err
    assert snapshot(out) == before


def mounted(mount_point: Path, options: str):
    """A real tmpfs at `mount_point` (root only; the test is skipped where it cannot be mounted)."""
    mount_point.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs",
                                            str(mount_point)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    return mount_point


@pytest.fixture
def tiny_disk(tmp_path):
    """A real file system of 1 MiB."""
    yield mounted(tmp_path / "klein", "size=1m")
    subprocess.run(["umount", str(tmp_path / "klein")], check=True)


@pytest.fixture
def read_only_disk(tmp_path):
    yield mounted(tmp_path / "alleen-lezen", "ro,size=1m")
    subprocess.run(["umount", str(tmp_path / "alleen-lezen")], check=True)


def test_a_really_full_disk_is_exit_2(tiny_disk, capsys):
    code, _, err = build(capsys, MINIMAL, "-o", tiny_disk / "site")
    assert code == 2, err
    assert str(tiny_disk / "site") in err and os.strerror(errno.ENOSPC) in err
    assert "Traceback" not in err and "interne fout" not in err


def test_a_read_only_output_is_exit_2_with_the_path(read_only_disk, capsys):
    code, _, err = build(capsys, MINIMAL, "-o", read_only_disk)
    assert code == 2, err
    assert str(read_only_disk) in err and os.strerror(errno.EROFS) in err
    assert "interne fout" not in err


# --- the crash log ------------------------------------------------------------------------------

def test_the_crash_log_is_new_unique_private_and_follows_no_link(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "CRASH_LOG_FOLDER", tmp_path)
    monkeypatch.setattr(cli, "check_files", lambda files: {}["bug"])
    victim = tmp_path / "victim.txt"
    victim.write_text("onaangetast", encoding="utf-8")
    (tmp_path / "handbook-gen-error.log").symlink_to(victim)  # the old fixed name, planted
    logs = []
    for _ in range(2):
        code, _, err = run(["validate", str(MINIMAL)], capsys)
        assert code == 3
        logs.append(Path(err.split(" staan in ")[1].split(";")[0]))
    assert logs[0] != logs[1]
    for log in logs:
        assert log.parent == tmp_path and not log.is_symlink()
        assert log.stat().st_mode & 0o777 == 0o600
        assert "KeyError" in log.read_text(encoding="utf-8")
    assert victim.read_text(encoding="utf-8") == "onaangetast"


def test_index_page_lists_nothing_it_cannot_read(tmp_path):
    (tmp_path / "kapot").mkdir()
    (tmp_path / "kapot" / ".handbook-gen.json").write_text('{"about": {"id": "kapot"}}')
    (tmp_path / "goed").mkdir()
    about = {"id": "goed", "name": "Goed", "board": "B", "school_year": "2025-2026", "year": "build"}
    (tmp_path / "goed" / ".handbook-gen.json").write_text(json.dumps({"about": about}))
    assert index_page.published(tmp_path) == {"goed": about}
