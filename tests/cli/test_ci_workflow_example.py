"""The CI example's lockfile commit-back survives main moving during a long apply, and the
pull-request plan needs no secret."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from lifecycle_helpers import ROOT

WORKFLOW = yaml.safe_load((ROOT / "examples" / "ci" / "vidflow.yml").read_text())
APPLY_STEPS = WORKFLOW["jobs"]["apply"]["steps"]


def _step(name: str) -> dict:
    [step] = [s for s in APPLY_STEPS if s.get("name") == name]
    return step


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture
def repos(tmp_path: Path) -> tuple[Path, Path]:
    """(the runner's checkout, a teammate's clone) of one origin with videos/ on main."""
    origin = tmp_path / "origin.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(origin))
    runner, mate = tmp_path / "runner", tmp_path / "mate"
    git(tmp_path, "clone", "-q", str(origin), str(runner))
    (runner / "videos").mkdir()
    (runner / "videos" / "videos.yaml").write_text("version: 1\nstories: {}\n")
    (runner / "videos" / "vidflow.lock").write_text('{"serial": 1}\n')
    git(runner, "add", ".")
    git(runner, "commit", "-q", "-m", "specs")
    git(runner, "push", "-q", "origin", "HEAD:main")
    git(tmp_path, "clone", "-q", str(origin), str(mate))
    return runner, mate


def commit_back(runner: Path) -> subprocess.CompletedProcess[str]:
    script = _step("Commit the lockfile back")["run"]
    env = {**os.environ, "SPECS": "videos", "GITHUB_REF_NAME": "main",
           "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["bash", "-e", "-c", script], cwd=runner, env=env,
                          capture_output=True, text=True, timeout=60)


def test_commit_back_rebases_when_main_moved_during_the_apply(repos):
    runner, mate = repos
    (mate / "README.md").write_text("merged while the apply ran\n")
    git(mate, "add", "README.md")
    git(mate, "commit", "-q", "-m", "other work")
    git(mate, "push", "-q", "origin", "HEAD:main")
    (runner / "videos" / "vidflow.lock").write_text('{"serial": 2, "ids": ["paid-for"]}\n')

    result = commit_back(runner)
    assert result.returncode == 0, result.stdout + result.stderr
    git(mate, "pull", "-q", "--rebase", "origin", "main")
    assert "paid-for" in (mate / "videos" / "vidflow.lock").read_text()
    assert (mate / "README.md").exists()
    log = git(mate, "log", "--format=%s").splitlines()
    assert log[:2] == ["vidflow: update lockfile [skip ci]", "other work"]


def test_a_conflicting_lockfile_fails_clearly_and_leaves_no_rebase_behind(repos):
    runner, mate = repos
    (mate / "videos" / "vidflow.lock").write_text('{"serial": 9}\n')
    git(mate, "commit", "-q", "-am", "hand edit")
    git(mate, "push", "-q", "origin", "HEAD:main")
    (runner / "videos" / "vidflow.lock").write_text('{"serial": 2}\n')

    result = commit_back(runner)
    assert result.returncode == 1
    assert "commit the vidflow-lock artifact by hand" in result.stdout
    assert not (runner / ".git" / "rebase-merge").exists()
    assert '"serial": 2' in (runner / "videos" / "vidflow.lock").read_text()


def test_nothing_to_commit_is_success(repos):
    runner, _ = repos
    assert commit_back(runner).returncode == 0


def test_the_lockfile_artifact_is_uploaded_always_before_the_push():
    names = [s.get("name") for s in APPLY_STEPS]
    keep = _step("Keep the lockfile as an artifact")
    assert keep["if"] == "always()" and keep["with"]["path"].endswith("vidflow.lock")
    assert names.index("Keep the lockfile as an artifact") < names.index(
        "Commit the lockfile back")


def test_pull_requests_plan_without_refresh_or_secrets():
    """Forks get no secrets: the PR plan makes no API call and never sees the key."""
    plan_job = WORKFLOW["jobs"]["plan"]
    runs = " ".join(str(s.get("run", "")) for s in plan_job["steps"])
    assert "--no-refresh" in runs
    assert "secrets." not in yaml.safe_dump(plan_job)
    assert "secrets." not in yaml.safe_dump(WORKFLOW.get("env", {}))
    assert "VIMMERSE_API_KEY" in WORKFLOW["jobs"]["apply"]["env"]


PLAN_STEPS = WORKFLOW["jobs"]["plan"]["steps"]


def _plan_step(name: str) -> dict:
    [step] = [s for s in PLAN_STEPS if s.get("name") == name]
    return step


def _fake_vidflow(folder: Path, plan_code: int, version: str = "vidflow, version 0.1.0") -> Path:
    """A `vidflow` on PATH whose plan exits `plan_code` (and prints a Markdown plan, with
    the arguments it got, for --format markdown)."""
    bin_dir = folder / "bin"
    bin_dir.mkdir(exist_ok=True)
    script = bin_dir / "vidflow"
    script.write_text(f"""#!/usr/bin/env bash
if [ "$1" = "--version" ]; then echo "{version}"; exit 0; fi
for arg in "$@"; do
  if [ "$arg" = "markdown" ]; then
    echo "### vidflow plan: Plan: 1 to create."; echo "args: $*"; exit 0
  fi
done
echo "planned"; exit {plan_code}
""")
    script.chmod(0o755)
    return bin_dir


def _run_step(step: dict, cwd: Path, bin_dir: Path, **extra: str) -> tuple[int, str]:
    outputs = cwd / "github_output"
    outputs.write_text("")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "SPECS": "videos",
           "GITHUB_OUTPUT": str(outputs), "VIDFLOW_PACKAGE": "vidflow-iac", "GALLERY_URL": "",
           **extra}
    done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=60)
    return done.returncode, outputs.read_text()


@pytest.mark.parametrize(("code", "passes"), [(0, True), (2, True), (1, False), (3, False),
                                              (127, False), (130, False), (143, False)])
def test_the_plan_step_fails_on_every_code_but_0_and_2(tmp_path: Path, code: int,
                                                       passes: bool) -> None:
    rc, outputs = _run_step(_plan_step("vidflow plan"), tmp_path, _fake_vidflow(tmp_path, code))
    assert (rc == 0) is passes
    assert f"exitcode={code}" in outputs
    if passes:  # what the comment step posts
        posted = (tmp_path / "plan.md").read_text()
        assert posted.startswith("### vidflow plan: ") and "--no-refresh" in posted
        assert "--gallery-url" not in posted  # GALLERY_URL empty: no thumbnails


def test_the_comment_is_the_markdown_plan_with_the_gallery_when_one_is_set(
        tmp_path: Path) -> None:
    rc, _ = _run_step(_plan_step("vidflow plan"), tmp_path, _fake_vidflow(tmp_path, 2),
                      GALLERY_URL="https://example.org/pr-7")
    assert rc == 0
    assert "--gallery-url https://example.org/pr-7" in (tmp_path / "plan.md").read_text()
    script = _plan_step("Comment the plan on the pull request")["with"]["script"]
    assert "readFileSync('plan.md'" in script and "plan.jsonl" not in script


def test_an_unrelated_vidflow_package_fails_the_install_step(tmp_path: Path) -> None:
    """PyPI's `vidflow` is another project: the install step checks it got this one."""
    step = {"run": _plan_step("Install vidflow")["run"].replace(
        'pip install "$VIDFLOW_PACKAGE"', "true")}
    for name in ("mine", "other"):
        (tmp_path / name).mkdir()
    mine = _fake_vidflow(tmp_path / "mine", 0)
    other = _fake_vidflow(tmp_path / "other", 0,
                          version="vidflow 0.1.2 (making videos at lightspeed)")
    assert _run_step(step, tmp_path, mine)[0] == 0
    assert _run_step(step, tmp_path, other)[0] != 0


def test_the_recipe_installs_a_pinned_vidflow_iac_not_the_index_name() -> None:
    package = WORKFLOW["env"]["VIDFLOW_PACKAGE"]
    assert package != "vidflow" and "@" in package  # a git URL at a tag


def test_the_apply_job_keeps_the_local_engine_store() -> None:
    cache = _step("Keep the local engine's store between runs")
    assert cache["uses"].startswith("actions/cache@")
    assert cache["with"]["path"].endswith(".vidflow/engine")
    names = [s.get("name") for s in APPLY_STEPS]
    assert names.index("Keep the local engine's store between runs") < names.index(
        "vidflow apply")
