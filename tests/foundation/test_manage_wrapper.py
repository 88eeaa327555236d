"""README's commands run as written: scripts/manage is manage.py with the console's
virtualenv, from any directory, without an activated virtualenv or `python` on the PATH."""

import subprocess
import sys
from pathlib import Path

from tests.workers import ROOT


def test_scripts_manage_runs_check_outside_the_virtualenv(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",  # no virtualenv's bin, no `python` of ours
        "QUERYPIE_VENV": sys.prefix,  # the virtualenv these tests run in stands for .venv
        "QUERYPIE_VAR_DIR": str(tmp_path),
        "HOME": str(tmp_path),
    }
    done = subprocess.run(
        [str(Path(ROOT) / "scripts" / "manage"), "check"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues" in done.stdout


def test_readme_and_docs_show_manage_commands_through_the_wrapper():
    """`python manage.py …` fails outside the virtualenv; every page shows scripts/manage."""
    pages = [Path(ROOT) / "README.md", *sorted((Path(ROOT) / "docs").glob("*.md"))]
    bare = [
        f"{page.name}: {line.strip()}"
        for page in pages
        for line in page.read_text().splitlines()
        if "python manage.py" in line
    ]
    assert bare == []
