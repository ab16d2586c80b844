"""Templates: variables from every source, strict undefined, the sandbox, coercion."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

HEAD = "version: 1\nvars: {brand: Acme}\nstories:\n  a:\n"


class TestVariables:
    def test_vars_render_into_any_string_field(self, load) -> None:
        project = load(HEAD + '    idea: "An ad for {{ brand }}"\n    title: "{{ vars.brand }}"\n'
                       "    elements:\n      objects: [{name: '{{ brand }} jar'}]\n")
        story = project.stories["a"]
        assert story.params["idea"] == "An ad for Acme"
        assert story.title == "Acme"
        assert story.params["elements"]["objects"][0]["name"] == "Acme jar"

    def test_precedence_spec_then_var_files_then_cli(self, load, write) -> None:
        write("brand: FromFile\nextra: X\n", "vars.yaml")
        text = HEAD + '    idea: "{{ brand }} {{ extra }}"\n'
        assert load(text, vars={"extra": "Y"}).stories["a"].params["idea"] == "Acme Y"
        from_file = load(text, var_files=[Path("vars.yaml")])
        assert from_file.stories["a"].params["idea"] == "FromFile X"
        from_cli = load(text, var_files=[Path("vars.yaml")], vars={"brand": "Cli"})
        assert from_cli.stories["a"].params["idea"] == "Cli X"

    def test_address_and_slug_are_available(self, load) -> None:
        text = ("version: 1\nstories:\n  a:\n    idea: '{{ address }} / {{ address_slug }}'\n"
                "    variants: {matrix: {ratio: ['9:16']}}\n")
        story = load(text).stories["a[ratio=9:16]"]
        assert story.params["idea"] == "a[ratio=9:16] / a-ratio-9-16"
        assert story.output == "out/a-ratio-9-16.mp4"

    def test_templated_integer_field_is_coerced(self, load) -> None:
        text = ("version: 1\nstories:\n  a:\n    idea: x\n    scene_count: '{{ variant.n }}'\n"
                "    is_transition: '{{ variant.t }}'\n"
                "    variants: {matrix: {n: [2], t: [true]}}\n")
        story = load(text).stories["a[n=2,t=true]"]
        assert story.params["scene_count"] == 2
        assert story.params["is_transition"] is True

    def test_string_enums_are_not_coerced(self, load) -> None:
        """'16:9' would be the number 969 by YAML 1.1 rules; string fields stay strings."""
        text = HEAD + "    idea: x\n    aspect_ratio: '{{ r }}'\n"
        assert load(text, vars={"r": "16:9"}).stories["a"].params["aspect_ratio"] == "16:9"


class TestErrors:
    def test_undefined_variable_names_variable_file_and_line(self, problems) -> None:
        assert problems(HEAD + '    idea: "An ad for {{ brnd }}"\n') == [
            "videos.yaml:5:11: stories.a.idea: undefined variable 'brnd' "
            "(define it under `vars:` or pass --var brnd=...)"]

    def test_undefined_variant_key(self, problems) -> None:
        text = HEAD + ("    idea: '{{ variant.tone }}'\n"
                       "    variants: {matrix: {mood: [a, b]}}\n")
        assert problems(text) == [
            "videos.yaml:5:11: stories.a.idea: undefined variable 'variant.tone' "
            "(add the key to variants) (in a[mood=a] and 1 more)"]

    def test_undefined_on_a_later_line_of_a_block_scalar(self, problems) -> None:
        text = HEAD + "    idea: |\n      first line\n      then {{ missing }}\n"
        assert problems(text)[0].startswith("videos.yaml:7:1: stories.a.idea: undefined "
                                            "variable 'missing'")

    @pytest.mark.parametrize("expr", ["''.__class__.__mro__", "''.__class__",
                                      "brand.__class__.__base__.__subclasses__()"])
    def test_sandbox_escape_is_refused(self, problems, expr: str) -> None:
        (only,) = problems(HEAD + f'    idea: "{{{{ {expr} }}}}"\n')
        assert only.startswith("videos.yaml:5:11: stories.a.idea: template refused by the "
                               "sandbox: access to attribute '__class__' of 'str' object is "
                               "unsafe")

    def test_no_environment_or_files(self, problems, monkeypatch) -> None:
        """Templates see no environment variables and cannot include files."""
        monkeypatch.setenv("SECRET_THING", "x")
        assert "undefined variable 'SECRET_THING'" in problems(
            HEAD + "    idea: '{{ SECRET_THING }}'\n")[0]
        (only,) = problems(HEAD + "    idea: \"{% include '/etc/passwd' %}\"\n")
        assert only.startswith("videos.yaml:5:11: stories.a.idea: template error:")

    def test_syntax_error(self, problems) -> None:
        (only,) = problems(HEAD + "    idea: '{{ brand '\n")
        assert only.startswith("videos.yaml:5:11: stories.a.idea: template syntax error:")

    def test_rendered_value_is_validated_at_the_template_line(self, problems) -> None:
        text = ("version: 1\nstories:\n  a:\n    idea: x\n    aspect_ratio: '{{ variant.r }}'\n"
                "    variants: {matrix: {r: ['16:9', '2:1']}}\n")
        assert problems(text) == [
            "videos.yaml:5:19: stories.a.aspect_ratio: rendered to '2:1': '2:1' is not one of: "
            "16:9, 4:3, 1:1, 3:4, 9:16 (in a[r=2:1])"]

    def test_reserved_variable_names(self, problems) -> None:
        assert problems("version: 1\nvars: {variant: x}\n") == [
            "videos.yaml:2:8: vars.variant: 'variant' is a reserved template name; "
            "rename the variable"]


class TestReuse:
    def test_results_are_reused_only_for_equal_inputs(self, load) -> None:
        """Each variant gets its own address and values even though templates are shared."""
        text = ("version: 1\nvars: {brand: Acme}\nstories:\n  a:\n"
                "    idea: '{{ brand }} {{ variant.n }} {{ address }}'\n"
                "    title: '{{ variant }}'\n"
                "    variants: {matrix: {n: [1, 2], m: [x, y]}}\n")
        stories = load(text).stories
        assert stories["a[m=x,n=1]"].params["idea"] == "Acme 1 a[m=x,n=1]"
        assert stories["a[m=y,n=1]"].params["idea"] == "Acme 1 a[m=y,n=1]"
        assert stories["a[m=y,n=2]"].title == "{'n': 2, 'm': 'y'}"
        assert stories["a[m=x,n=2]"].title == "{'n': 2, 'm': 'x'}"

    def test_mode_itself_may_be_a_template(self, load) -> None:
        text = ("version: 1\nstories:\n  a:\n    mode: '{{ variant.mode }}'\n"
                "    idea: 'ad for https://x.org'\n    variants: {matrix: {mode: [idea, url]}}\n")
        stories = load(text).stories
        assert stories["a[mode=url]"].mode == "url"
        assert stories["a[mode=idea]"].mode == "idea"


def test_var_file_must_be_a_mapping(problems, write) -> None:
    write("- a\n", "vars.yaml")
    assert problems(HEAD + "    idea: x\n", var_files=[Path("vars.yaml")]) == [
        "vars.yaml:1:1: a --var-file must be a mapping of name: value"]


def test_defaults_belong_to_their_file(write) -> None:
    """A file's `defaults` shape only that file's stories."""
    from vidflow.spec import load_project

    write("version: 1\ndefaults: {language: French}\nstories:\n  a: {idea: x}\n", "a.yaml")
    write("version: 1\nstories:\n  b: {idea: y}\n", "b.yaml")
    stories = load_project(Path(".")).stories
    assert stories["a"].params["language"] == "French"
    assert stories["b"].params["language"] == "English"


class TestLimits:
    """A template cannot hang validate or exhaust memory; each limit is a spec error."""

    NESTED = ("{% for i in range(99999) %}{% for j in range(99999) %}x{% endfor %}"
              "{% endfor %}")

    def test_nested_huge_ranges_are_refused_at_once(self, problems) -> None:
        import time

        start = time.monotonic()
        assert problems(HEAD + f"    idea: '{self.NESTED}'\n") == [
            "videos.yaml:5:11: stories.a.idea: range() of 99,999 items; templates may use "
            "at most 10,000"]
        assert time.monotonic() - start < 5

    def test_allowed_ranges_still_bounded_by_a_work_budget(self, problems) -> None:
        loops = ("{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}"
                 "{% endfor %}x")
        assert problems(HEAD + f"    idea: '{loops}'\n") == [
            "videos.yaml:5:11: stories.a.idea: the template does too much work (over "
            "1,000,000 loop steps and calls); simplify it"]

    @pytest.mark.parametrize("expr", [
        "{{ \"x\" * 10**9 }}",
        "{{ (\"x\" * 90000)|replace(\"x\", \"yyyy\") }}",
        "{% set ns = namespace(s=\"xx\") %}{% for i in range(40) %}"
        "{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    ])
    def test_values_over_100000_characters_are_refused(self, problems, expr: str) -> None:
        (only,) = problems(HEAD + f"    idea: '{expr}'\n")
        assert only.startswith("videos.yaml:5:11: stories.a.idea: the template would make a "
                               "value of ")
        assert only.endswith("characters or items; the limit is 100,000")

    @pytest.mark.parametrize("expr", ["{{ \"x\".center(10**9) }}", "{{ \"x\"|center(10**9) }}",
                                      "{{ \"{:>999999999}\".format(1) }}",
                                      "{{ \"%999999999d\" % 1 }}"])
    def test_huge_widths_are_refused(self, problems, expr: str) -> None:
        assert problems(HEAD + f"    idea: '{expr}'\n") == [
            "videos.yaml:5:11: stories.a.idea: a width or count above 100,000 in a template; "
            "use a smaller number"]

    def test_rendered_result_length_is_capped(self, problems) -> None:
        loop = "{% for i in range(10000) %}0123456789x{% endfor %}"
        assert problems(HEAD + f"    idea: '{loop}'\n") == [
            "videos.yaml:5:11: stories.a.idea: the template renders to more than 100,000 "
            "characters; shorten it"]

    def test_runaway_macros_are_refused(self, problems) -> None:
        endless = "{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}"
        assert problems(HEAD + f"    idea: '{endless}'\n") == [
            "videos.yaml:5:11: stories.a.idea: template error: a macro calls itself without "
            "end"]
        doubling = ("{% macro f(n) %}{% if n %}{{ f(n-1) }}{{ f(n-1) }}{% endif %}"
                    "{% endmacro %}{{ f(60) }}")
        assert "does too much work" in problems(HEAD + f"    idea: '{doubling}'\n")[0]

    def test_ordinary_templates_still_work(self, load) -> None:
        idea = ("{% for x in [1, 2] %}{{ loop.index }}{{ x ~ \"-\" }}{% endfor %} "
                "{{ range(3)|join(\",\") }} {{ \"%s\"|format(brand)|upper }} "
                "{{ \"Top 1000000\"|center(13) }}")
        story = load(HEAD + f"    idea: '{idea}'\n").stories["a"]
        assert story.params["idea"] == "11-22- 0,1,2 ACME  Top 1000000 "


def test_values_cannot_be_changed_in_place(problems) -> None:
    """A list extended by itself in a loop would double each time; in-place changes are
    refused by the sandbox."""
    grow = ("{% set l = [1] %}{% for i in range(40) %}{{ l.extend(l) }}{% endfor %}")
    (only,) = problems(HEAD + f"    idea: '{grow}'\n")
    assert only.startswith("videos.yaml:5:11: stories.a.idea: template refused by the "
                           "sandbox:")


def test_a_failing_template_runs_once_for_all_variants(problems) -> None:
    """10,000 variants sharing an over-budget template: one render, one message."""
    import time

    loops = ("{% for i in range(9999) %}{% for j in range(9999) %}{% endfor %}"
             "{% endfor %}")
    text = (HEAD + f"    idea: '{loops}'\n"
            "    variants: {matrix: {m: [" + ", ".join(map(str, range(100))) + "], "
            "n: [" + ", ".join(map(str, range(100))) + "]}}\n")
    start = time.monotonic()
    assert problems(text) == [
        "videos.yaml:5:11: stories.a.idea: the template does too much work (over 1,000,000 "
        "loop steps and calls); simplify it (in a[m=0,n=0] and 9999 more)"]
    assert time.monotonic() - start < 20


def test_all_renders_of_a_load_share_one_budget(problems, monkeypatch) -> None:
    from vidflow.spec import sandbox

    monkeypatch.setattr(sandbox, "MAX_TOTAL_STEPS", 50_000)
    loop = "{% for i in range(10000) %}{% endfor %}{{ variant.n }}"
    text = HEAD + f"    idea: '{loop}'\n    variants: {{matrix: {{n: [0, 1, 2, 3, 4, 5, 6]}}}}\n"
    assert problems(text) == [
        "videos.yaml:5:11: stories.a.idea: the templates do too much work in all (over 50,000 "
        "loop steps and calls across every variant); simplify them (in a[n=4] and 2 more)"]


@pytest.mark.parametrize("expr", ["{{ range(3)|batch(10**9, \"x\")|list }}",
                                  "{{ range(3)|slice(10**9)|list }}",
                                  "{{ range(10000)|join(\"x\" * 99999) }}",
                                  "{{ (\"a\\nb\" * 9999)|indent(\"x\" * 99999) }}"])
def test_filters_cannot_blow_up_sizes(problems, expr: str) -> None:
    (only,) = problems(HEAD + f"    idea: '{expr}'\n")
    assert only.startswith("videos.yaml:5:11: stories.a.idea: ")
    assert "100,000" in only


def test_filters_with_value_parameters_still_work(load) -> None:
    idea = "{{ 3000000|filesizeformat }} {{ missing|default(2000000) }} {{ 1.5|round(0) }}"
    story = load(HEAD + f"    idea: '{idea}'\n", vars={"missing": "m"}).stories["a"]
    assert story.params["idea"] == "3.0 MB m 2.0"


_NUMBER = st.sampled_from(["0", "3", "10**4", "10**5", "10**9", "-1", "x|length"])
_EXPR = st.recursive(
    st.sampled_from(["x", "'ab'", "[1, 2]", "range(3)", "brand"]) | _NUMBER,
    lambda inner: st.one_of(
        st.builds("({} * {})".format, inner, inner),
        st.builds("({} ~ {})".format, inner, inner),
        st.builds("({} + {})".format, inner, inner),
        st.builds("({} ** {})".format, inner, _NUMBER),
        st.builds("range({})".format, _NUMBER),
        st.builds("{}|{}".format, inner, st.sampled_from(
            ["join", "upper", "list", "length", "string", "center(" + "10**9" + ")",
             "batch(10**9)", "indent(10**6)", "replace('a', 'aaaa')", "format(1)"])),
        st.builds("{}.{}".format, inner, st.sampled_from(
            ["ljust(10**9)", "split()", "zfill(10**6)", "extend([1])", "__class__"]))),
    max_leaves=6)
_TEMPLATE = st.lists(st.one_of(
    st.builds("{{{{ {} }}}}".format, _EXPR),
    st.builds("{{% for i in {} %}}{{{{ {} }}}}{{% endfor %}}".format, _EXPR, _EXPR),
    st.builds("{{% for i in {} %}}{{% for j in {} %}}x{{% endfor %}}{{% endfor %}}".format,
              _EXPR, _EXPR)), min_size=1, max_size=3).map("".join)


@settings(max_examples=150, deadline=None)
@given(source=_TEMPLATE)
def test_any_template_renders_or_is_a_problem_quickly(source: str) -> None:
    """Whatever a template computes, rendering ends within seconds with a result of at most
    100,000 characters, or with a TemplateProblem (never another exception)."""
    import time

    from vidflow.spec import templating

    start = time.monotonic()
    try:
        compiled = templating.compile_template(source)
        text = templating.render(compiled, templating.make_context({"x": "xy",
                                                                    "brand": "Acme"}))
    except templating.TemplateProblem:
        pass
    else:
        assert len(text) <= 100_000
    assert time.monotonic() - start < 10


@pytest.mark.parametrize("extra", ["", ", m: [x, y]"])
def test_variants_equal_under_python_but_printed_apart_render_apart(load, extra) -> None:
    """1, true and 1.0 are == in Python but print as 1, True and 1.0: no variant may get
    another's render (with or without a key the template does not read)."""
    text = (HEAD + "    idea: 'value {{ variant.k }}'\n"
            f"    variants: {{matrix: {{k: [1, true, 1.0]{extra}}}}}\n")
    ideas = {a.split(",")[0].rstrip("]"): s.params["idea"]
             for a, s in load(text).stories.items()}
    assert ideas == {"a[k=1": "value 1", "a[k=true": "value True", "a[k=1.0": "value 1.0"}



def test_rendered_values_are_coerced_and_checked_in_every_variant(load, problems) -> None:
    """The per-field checks are looked up once per field, not once per rendered text:
    each variant's own value is still coerced and checked."""
    text = (HEAD + "    idea: x\n    scene_count: '{{ variant.n }}'\n"
            "    variants: {matrix: {n: [N]}}\n")
    stories = load(text.replace("N", "2, 3, 4")).stories.values()
    assert sorted(s.params["scene_count"] for s in stories) == [2, 3, 4]
    found = " ".join(problems(text.replace("N", "2, many, 0")))
    assert "rendered to 'many'" in found and "rendered to '0'" in found
