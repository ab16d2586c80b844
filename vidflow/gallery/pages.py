"""The gallery's pages as HTML strings: pure functions of the cards, no I/O.

Jinja2 with autoescape on: titles, narration, addresses and variant values are the
specs' text (a pull request's), so every one of them is escaped. Links are relative
(`base` is the way back to the site's root), so the same pages work from a folder, a CI
artifact or the local server.
"""

from __future__ import annotations

from collections.abc import Sequence

import jinja2

from vidflow.gallery.model import Card, Group

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                          trim_blocks=True, lstrip_blocks=True)

_HEAD = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ title }}</title>
<link rel="stylesheet" href="{{ base }}assets/gallery.css">
<script src="{{ base }}assets/gallery.js" defer></script>
</head><body>
"""

_CELL = """{% macro cell(card, base) %}
<div class="card {{ 'sync' if card.in_sync else 'change' }}" data-address="{{ card.address }}">
  <a href="{{ base }}stories/{{ card.slug }}/index.html">
  {% if card.poster %}
    <img class="poster" src="{{ base }}stories/{{ card.slug }}/poster.jpg"
         alt="poster of {{ card.address }}">
  {% else %}
    <div class="poster none">no video yet</div>
  {% endif %}
  <span class="address">{{ card.address }}</span></a>
  <dl>
    <dt>status</dt><dd class="status">{{ card.status }}</dd>
    <dt>credits</dt><dd class="credits">{{ card.credits }}</dd>
    <dt>plan</dt><dd class="plan">{{ card.plan_state }}</dd>
  </dl>
</div>
{% endmacro %}"""

_INDEX = _ENV.from_string(_CELL + _HEAD + """
<h1>{{ title }}</h1>
<p class="summary">{{ total }} stories; {{ synced }} in sync, {{ total - synced }} would
change (as <code>vidflow plan --no-refresh</code> says).</p>
{% for group in groups %}
<section class="group" id="story-{{ group.slug }}">
  <h2>{{ group.name }}
  {% if compare[group.name] %}
    <a class="compare" href="{{ base }}compare/{{ group.slug }}.html">compare variants</a>
  {% endif %}
  </h2>
  <table class="matrix">
    {% if group.column_keys %}
    <tr><th>{{ group.row_key }}</th>
      {% for column in group.columns %}<th scope="col">{{ column }}</th>{% endfor %}</tr>
    {% endif %}
    {% for row in group.rows %}
    <tr>
      {% if group.row_key %}
      <th scope="row">{{ group.row_key }}={{ row }}</th>
      {% endif %}
      {% for column in group.columns %}
      <td>{% if (row, column) in group.cells %}{{ cell(group.cells[(row, column)], base) }}
          {% else %}<div class="card empty">—</div>{% endif %}</td>
      {% endfor %}
    </tr>
    {% endfor %}
  </table>
</section>
{% endfor %}
</body></html>
""")

_STORY = _ENV.from_string(_HEAD + """
<p><a href="{{ base }}index.html">all stories</a>
{% if compare %} · <a href="{{ base }}compare/{{ group_slug }}.html">compare variants</a>
{% endif %}</p>
<h1>{{ card.title or card.address }}</h1>
<dl class="facts">
  <dt>address</dt><dd class="address"><code>{{ card.address }}</code></dd>
  <dt>status</dt><dd class="status">{{ card.status }}</dd>
  <dt>credits</dt><dd class="credits">{{ card.credits }}</dd>
  <dt>plan</dt><dd class="plan">{{ card.plan_state }}</dd>
  <dt>source</dt><dd class="source"><code>{{ card.source or "not in the specs" }}</code></dd>
</dl>
{% if card.video %}
<video class="player" controls muted playsinline preload="auto" src="video.mp4"
       {% if card.poster %}poster="poster.jpg"{% endif %}></video>
{% else %}
<p class="none">No video yet: <code>vidflow preview</code> drafts one for free,
<code>vidflow apply</code> makes it.</p>
{% endif %}
{% if card.strip %}
<h2>Storyboard</h2>
<img class="strip" src="storyboard.jpg" alt="storyboard of {{ card.address }}">
{% endif %}
{% if card.scenes %}
<ol class="scenes">
  {% for scene in card.scenes %}<li value="{{ scene.number }}">{{ scene.narration }}</li>
  {% endfor %}
</ol>
{% endif %}
</body></html>
""")

_COMPARE = _ENV.from_string(_HEAD + """
<p><a href="{{ base }}index.html">all stories</a></p>
<h1>{{ name }}: variants side by side</h1>
<p><button type="button" id="ab-play">play all</button>
<button type="button" id="ab-pause">pause all</button>
<span id="ab-drift" aria-live="polite"></span></p>
<div class="ab">
  {% for card in cards %}
  <figure>
    <video class="ab-video" muted playsinline preload="auto"
           src="{{ base }}stories/{{ card.slug }}/video.mp4"
           {% if card.poster %}poster="{{ base }}stories/{{ card.slug }}/poster.jpg"{% endif %}
           data-address="{{ card.address }}"></video>
    <figcaption><a href="{{ base }}stories/{{ card.slug }}/index.html">{{ card.address }}</a>
    · {{ card.plan_state }}</figcaption>
  </figure>
  {% endfor %}
</div>
</body></html>
""")


def comparable(group: Group) -> list[Card]:
    """The variants of `group` that have a video (A/B needs two or more)."""
    return [c for c in group.cards if c.video is not None]


def index_page(groups: Sequence[Group], *, title: str = "vidflow gallery") -> str:
    cards = [c for g in groups for c in g.cards]
    return _INDEX.render(title=title, base="", groups=groups,
                         compare={g.name: len(comparable(g)) >= 2 for g in groups},
                         total=len(cards), synced=sum(c.in_sync for c in cards))


def story_page(card: Card, group: Group) -> str:
    return _STORY.render(title=card.address, base="../../", card=card,
                         compare=len(comparable(group)) >= 2, group_slug=group.slug)


def compare_page(group: Group) -> str:
    return _COMPARE.render(title=f"{group.name}: compare", base="../", name=group.name,
                           cards=comparable(group))
