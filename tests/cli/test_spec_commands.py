"""vidflow validate / render / schema, through click and once as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from vidflow import schemas
from vidflow.cli import cli, main

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"


def run(*args: str) -> tuple[int, str, str]:
    """Through the real entry point, so errors are reported as users see them."""
    with CliRunner().isolation() as (out, err, _):
        try:
            main(list(args))
        except SystemExit as exc:
            code = int(exc.code or 0)
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture(autouse=True)
def _in_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


class TestValidate:
    def test_summary_counts_stories_and_variants(self) -> None:
        assert run("validate", "examples/product-promo") == (
            0, "1 story, 4 variants, valid\n", "")

    def test_folder_of_files(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "a.yaml").write_text(
            "version: 1\nstories:\n  a: {idea: x}\n  b:\n    idea: y\n"
            "    variants: {matrix: {n: [1, 2, 3]}}\n")
        (tmp_path / "b.yml").write_text(
            "version: 1\nstories:\n  c:\n    idea: z\n"
            "    variants: {matrix: {m: [1, 2]}, include: [{m: 9}, {m: 8}]}\n")
        monkeypatch.chdir(tmp_path)
        assert run("validate") == (0, "3 stories, 8 variants, valid\n", "")

    def test_every_problem_on_its_own_line(self, tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
        (tmp_path / "videos.yaml").write_text(
            "version: 1\nstories:\n  a:\n    idea: x\n    aspect_ratio: '2:1'\n    loop: 9\n")
        monkeypatch.chdir(tmp_path)
        code, out, err = run("validate", "videos.yaml")
        assert code == 1 and out == ""
        assert err.splitlines() == [
            "videos.yaml:5:19: stories.a.aspect_ratio: '2:1' is not one of: "
            "16:9, 4:3, 1:1, 3:4, 9:16",
            "videos.yaml:6:5: stories.a.loop: not a parameter of idea mode (idea mode does "
            "not take it; remove it)",
            "videos.yaml:6:11: stories.a.loop: 9 is greater than the maximum of 6",
            "3 problems found; the spec is not valid",
        ]

    def test_var_without_equals_is_a_usage_error(self) -> None:
        result = CliRunner().invoke(cli, ["validate", "--var", "brand", "examples/quickstart"])
        assert result.exit_code == 2
        assert "'brand' is not KEY=VALUE" in result.output

    def test_help_has_an_example(self) -> None:
        for name in ("validate", "render", "schema"):
            result = CliRunner().invoke(cli, [name, "--help"])
            assert result.exit_code == 0
            example = result.output.split("Example:", 1)[1]
            assert example.lstrip().startswith(f"vidflow {name}")


class TestRender:
    def test_json_is_stable_and_complete(self) -> None:
        code, out, _ = run("render", "--json", "--var", "brand=Acme", "examples/product-promo")
        assert code == 0
        doc = json.loads(out)
        assert out == json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        story = doc["stories"]["winter-promo[aspect_ratio=9:16,tone=fun]"]
        assert story["title"] == "Acme winter promo (fun, 9:16)"
        assert story["params"]["aspect_ratio"] == "9:16"
        assert story["visibility_status"] == "1"
        assert story["output"] == "out/winter-promo-aspect_ratio-9-16-tone-fun.mp4"
        assert run("render", "--json", "--var", "brand=Acme", "examples/product-promo")[1] == out

    def test_human_output_is_yaml_per_address(self) -> None:
        import yaml

        code, out, _ = run("render", "examples/quickstart")
        assert code == 0
        assert out.startswith("# videos.yaml:9:3\n")  # relative to the project root
        doc = yaml.safe_load(out)
        assert doc["hello-meadow"]["params"]["scene_count"] == 2

    def test_var_file(self, tmp_path: Path) -> None:
        varfile = tmp_path / "v.yaml"
        varfile.write_text("brand: FromFile\n")
        code, out, _ = run("render", "--json", "--var-file", str(varfile),
                           "examples/product-promo")
        assert code == 0 and "FromFile jar" in out


def test_schema_prints_the_committed_schema() -> None:
    code, out, _ = run("schema")
    assert code == 0
    assert out == schemas.resource(schemas.SPEC).read_text()


def test_real_process_validates_an_example() -> None:
    exe = Path(sys.executable).parent / "vidflow"
    result = subprocess.run([str(exe), "validate", "examples/images-story"], cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert (result.returncode, result.stdout) == (0, "1 story, 1 variant, valid\n")
    bad = subprocess.run([str(exe), "validate", "no/such/folder"], cwd=REPO,
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode == 2 and "does not exist" in bad.stderr


def test_unusable_var_name_is_reported(tmp_path: Path) -> None:
    code, _, err = run("validate", "--var", "variant=x", "examples/quickstart")
    assert code == 1
    assert err.splitlines()[0] == (
        "--var: 'variant' is not a usable variable name (letters, digits and _; not vars, "
        "variant, address or address_slug)")


def test_messages_are_printed_verbatim(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No rich markup or emoji codes are interpreted in user text."""
    (tmp_path / "videos.yaml").write_text(
        "version: 1\nstories:\n  a:\n    idea: x\n    language: ':fire: [bold]x[/bold]'\n")
    monkeypatch.chdir(tmp_path)
    _, _, err = run("validate")
    assert ":fire: [bold]x[/bold]" in err


def test_render_json_is_the_same_from_any_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """Locations in render output are relative to the project root, not to the cwd."""
    _, from_repo, _ = run("render", "--json", "examples/quickstart")
    monkeypatch.chdir(EXAMPLES / "quickstart")
    _, from_inside, _ = run("render", "--json", ".")
    assert from_repo == from_inside
    assert json.loads(from_repo)["stories"]["hello-meadow"]["location"] == "videos.yaml:9:3"


def test_errors_still_name_files_from_the_cwd(tmp_path: Path) -> None:
    (tmp_path / "videos.yaml").write_text("version: 1\nstories:\n  a: {idea: x, loop: 9}\n")
    code, _, err = run("render", "--json", str(tmp_path))
    assert code == 1
    assert err.startswith(f"{tmp_path.as_posix()}/videos.yaml:3:")


@pytest.mark.parametrize("command", ["validate", "plan", "render"])
def test_a_non_yaml_file_is_named_as_such(tmp_path: Path, command: str) -> None:
    picture = tmp_path / "x.png"
    picture.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    code, _, err = run(command, str(picture))
    assert code == 1
    assert err.splitlines()[0] == (
        f"{picture} is not a YAML spec (expected .yaml/.yml or a folder)")


def test_an_empty_folder_says_how_to_start(tmp_path: Path) -> None:
    code, _, err = run("validate", str(tmp_path))
    assert code == 1
    assert err.splitlines()[0] == (
        f"no *.yaml or *.yml files in {tmp_path}; create videos.yaml "
        "(see examples/quickstart)")
