"""`make bench` end to end on a tiny data set: data generation, the real granian
server and the JSON report. Figures are not asserted, only that they are there:
timings on a shared test machine say nothing."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kollegan.bench.pages import PAGES

REPO_DIR = Path(__file__).resolve().parent.parent


def run_bench(data_dir: Path) -> subprocess.CompletedProcess:
    # The environment passes through as is: with DATABASE_URL set the bench must
    # pick a database of its own, never this test run's.
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "kollegan.bench",
            "--members",
            "60",
            "--requests",
            "20",
            "--warmup",
            "2",
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@pytest.mark.slow
def test_bench_reports_every_page_as_json(tmp_path):
    result = run_bench(tmp_path / "bench")
    assert result.returncode == 0, result.stderr[-4000:]

    lines = [json.loads(line) for line in result.stdout.splitlines()]
    by_page = {line["page"]: line for line in lines}
    assert [line["page"] for line in lines] == [page.name for page in PAGES]
    assert lines[0]["page"] == "hello"
    assert by_page["start"]["path"] == "/"

    for line in lines:
        assert line["status"] == 200, line
        assert line["members"] == 60
        assert line["requests"] == 20
        assert "error" not in line
        for key in ("server_p50_ms", "server_p95_ms", "client_p50_ms", "client_p95_ms"):
            assert isinstance(line[key], int | float) and line[key] > 0, (key, line)
        assert isinstance(line["ratio_p50_vs_hello"], int | float), line
        assert isinstance(line["queries"], int), line

    assert by_page["hello"]["ratio_p50_vs_hello"] == 1.0
    assert by_page["start"]["queries"] > 0


@pytest.mark.slow
def test_bench_fails_on_an_error_page(tmp_path):
    """A page answering non-2xx is reported in its line and fails the run."""
    # The bench runs in a subprocess, so the broken page list is set up by a
    # tiny wrapper script rather than by patching PAGES here. The runner shares
    # the PAGES list object, so changing it in place is enough.
    wrapper = tmp_path / "broken_bench.py"
    wrapper.write_text(
        "import sys\n"
        "from kollegan.bench import __main__ as bench, pages\n"
        "pages.PAGES[:] = [pages.HELLO, pages.Page('missing', '/finns-inte/')]\n"
        "sys.exit(bench.main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [
            sys.executable,
            str(wrapper),
            # The same size as the test above, so a kept database is reused.
            "--members",
            "60",
            "--requests",
            "3",
            "--warmup",
            "0",
            "--data-dir",
            str(tmp_path / "bench"),
        ],
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-4000:]
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    missing = next(line for line in lines if line["page"] == "missing")
    assert missing["status"] == 404
    assert missing["error"] == "HTTP 404"
