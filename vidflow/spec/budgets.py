"""Every limit on what reading a spec, a lockfile or a saved plan may cost.

A spec, a `--var-file`, a lockfile and a plan file are input an attacker may write (a pull
request, a downloaded example). Each limit here is checked while the value is being built,
never after, so a hostile file is refused in well under a second and a few MB instead of
exhausting the machine; each refusal is one located error (`file:line:col: field: ...`).

The figures leave a wide margin over any real project: the documented 10,000-variant
benchmark (one story, a 100x100 matrix) passes every one of them.
"""

from __future__ import annotations

# --- YAML spec files (and --var-file) -----------------------------------------------------
MAX_SPEC_BYTES = 2 * 1024 * 1024  # one spec file; checked from its size before reading
MAX_NODES = 100_000  # values in one file, counting each alias use as the nodes it repeats
MAX_EXPANDED_CHARS = 8 * 1024 * 1024  # text of one file, likewise with aliases expanded
MAX_ALIASES = 1_000  # `*anchor` uses in one file
MAX_DEPTH = 64  # nesting of mappings and lists (libyaml's own limit is 1,000)
MAX_NUMBER_DIGITS = 100  # digits of an integer (YAML or JSON); Python refuses 4,300

# --- variants ---------------------------------------------------------------------------
MAX_VARIANTS_PER_STORY = 10_000  # a 100x100 matrix: the documented benchmark
MAX_VARIANTS = 20_000  # all stories of a project together
MAX_MATRIX_WORK = 1_000_000  # combinations x (exclude + include entries) matched (~1 s)

# --- JSON state: vidflow.lock and saved plans ------------------------------------------
MAX_JSON_BYTES = 64 * 1024 * 1024  # a 10,000-entry lockfile is 12 MB, its plan 15 MB
MAX_JSON_DEPTH = 64  # no vidflow JSON nests deeper than about ten

# --- templates (one render, and all renders of one project load) -------------------------
MAX_RANGE = 10_000  # items in one range()
MAX_LENGTH = 100_000  # characters (plus one per item) of any value a template makes
MAX_BUFFERED = 1_000_000  # characters a render writes into macros, `set` and filter blocks
MAX_STEPS = 1_000_000  # loop iterations + calls in one render (about a second of work)
MAX_TOTAL_STEPS = 20_000_000  # ... and in all renders of one load (10,000 variants)
CALL_STEPS = 10  # a call (a macro's above all) costs about ten loop iterations
MAX_INT_BITS = 4096  # numbers beyond ~10**1200 are no spec's business
