"""Storyboard writers: a deterministic rule-based one (default) and an OpenAI-compatible one.

The rule-based writer tells the idea as a story, one narration line per scene (story.py:
the idea's sentences in order, an opening and an ending around them, the product it names
named), finds environments, characters, objects and the product by keyword, keeps the
user's own elements verbatim, placing each in the scenes that mention it, and gives the
scenes the look of the idea's tone words (looks.py: camera speed and the image's grade).
Same inputs, same storyboard, byte for byte, so content-addressed assets are reused.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from vidflow.contract.params import DEFAULTS
from vidflow.contract.storyboard import ELEMENT_KINDS
from vidflow.engine.stages import looks, story

log = logging.getLogger(__name__)


def _words(text: str) -> list[str]:
    return text.split()


CAMERA_MOVEMENTS = ("zoom_in", "zoom_out", "pan_left", "pan_right", "tilt_up", "tilt_down",
                    "static")
# Fields that point at a user-supplied image for an element; kept verbatim.
IMAGE_FIELDS = ("image_url", "URL", "url", "image", "image_path")

_STOPWORDS = frozenset(_words("""
a an the and or of to in on at for with by from into onto over under this that these
those is are was were be been it its their our your my his her as while where when who
which what create make video promotional commercial story short about showing shows
show featuring feature features"""))


@dataclass(frozen=True)
class EnvKind:
    kind: str
    keywords: tuple[str, ...]
    name: str
    description: str


# Order matters: the first kind whose keyword appears wins for a beat.
ENV_KINDS: tuple[EnvKind, ...] = (
    EnvKind("snow", ("snow", "snowy", "snowfall", "snowflakes", "winter", "ski", "skiing",
                     "skier", "skiers", "snowboard", "ice", "frozen", "glacier",
                     "christmas", "nieve", "nevado", "invierno", "neige", "enneigé", "hiver",
                     "schnee", "verschneit", "winter"),
            "Snowy Mountains", "snow-covered mountains and pine slopes under a pale winter sky"),
    EnvKind("ocean", ("ocean", "sea", "beach", "wave", "surf", "coast", "island", "shore", "playa",
             "mar", "plage", "mer", "strand", "meer"),
            "Ocean Shore", "a sunlit ocean shore with rolling waves and soft sand"),
    EnvKind("desert", ("desert", "dune", "sahara", "cactus", "canyon", "desierto", "désert",
             "wüste"),
            "Desert Dunes", "golden desert dunes under a hot orange sky"),
    EnvKind("forest", ("forest", "woods", "jungle", "tree", "trees", "woodland", "bosque",
             "forêt", "wald"),
            "Deep Forest", "a green forest of tall trees with light through the leaves"),
    EnvKind("meadow", ("meadow", "field", "garden", "park", "farm", "flower", "flowers",
                       "grass", "spring", "countryside",
                       "prado", "campo", "jardín", "prairie", "jardin", "wiese", "garten"),
            "Sunny Meadow", "a sunny green meadow with wildflowers and rolling hills"),
    EnvKind("city", ("city", "street", "urban", "downtown", "town", "skyline", "building",
                     "cafe", "shop", "market", "ciudad",
                     "calle", "ville", "rue", "stadt", "straße"),
            "City Street", "a lively city street with tall buildings and lit windows"),
    EnvKind("night", ("night", "nights", "midnight", "star", "stars", "moon", "evening", "dark",
                      "noche", "nuit", "nacht"),
            "Starry Night", "a calm night sky full of stars above dark hills"),
    EnvKind("studio", ("studio", "product", "showcase", "stage", "spotlight", "launch"),
            "Studio", "a clean photo studio with a soft gradient backdrop and spotlight"),
    EnvKind("indoor", ("tent", "room", "home", "house", "kitchen", "indoor", "indoors",
                       "office", "cabin", "bedroom", "living"),
            "Cozy Interior", "a cozy indoor room with warm lamp light and a window"),
)
DEFAULT_ENV = EnvKind("default", (), "Open Landscape",
                      "a soft open landscape of gentle hills under a clear sky")

_CHARACTER_WORDS = ("animals", "animal", "cat", "cats", "dog", "dogs", "fox", "bear",
                    "rabbit", "bunny", "bird", "birds", "owl", "penguin", "lion", "panda",
                    "woman", "women", "man", "men", "girl", "girls", "boy", "boys", "kid",
                    "kids", "child", "children", "family", "friends", "people", "team", "chef",
                    "hiker", "hikers", "skier", "skiers", "surfer", "astronaut", "robot",
                    "explorer", "traveler", "customer", "mother", "father", "athlete",
                    "dancer", "musician")
_OBJECT_WORDS = ("jar", "bottle", "cream", "serum", "phone", "car", "bike", "cup", "coffee",
                 "tea", "instrument", "instruments", "guitar", "drum", "drums", "piano",
                 "violin", "book", "shoe", "shoes", "watch", "bag", "box", "gift", "camera",
                 "laptop", "headphones", "lamp", "ball", "cake", "pizza", "perfume",
                 "backpack", "jacket", "skis", "board", "lantern", "mug", "logo")
_ADJ_WORDS = frozenset(_words("""
cute little small big happy young old brave tiny fluffy wise clever friendly playful
curious elegant shiny new red blue green golden silver pink white black musical sleek
warm cozy bright colorful wooden"""))

_SENTENCE_RE = re.compile(r"(?<=[.!?])\s+|(?<=[。！？])\s*")
_URL_RE = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_THEN_RE = re.compile(r"\s*;\s*|,?\s+(?=(?:and\s+)?then\s)", re.IGNORECASE)
_WORD_RE = re.compile(r"[\w'-]+", re.UNICODE)
_LEAD_RE = re.compile(
    r"^(?:please\s+)?(?:create|make|produce|generate|write|build)\s+(?:an?\s+|the\s+)?"
    r"(?:[\w-]+\s+){0,3}?(?:video|story|commercial|ad|film|clip|movie)\s*"
    r"(?:where|in which|about|of|showing|showcasing|that shows|featuring|for|with)?\s*",
    re.IGNORECASE)

# "An ad for Lumo, …", "A calm video about …": the product or the subject follows
_AD_LEAD_RE = re.compile(
    r"^(?:an?|the)\s+(?:[\w-]+\s+){0,3}?(?:video|story|commercial|ad|advert|advertisement|"
    r"film|clip|movie|promo|spot)\s+(?:for|about|of|where|in which|showing|featuring)\s+",
    re.IGNORECASE)


def write_storyboard(idea: str, *, scene_count: int, language: str = DEFAULTS["language"],
                     elements: dict[str, Any] | None = None, page_text: str | None = None,
                     image_count: int | None = None) -> dict[str, Any]:
    """A full storyboard for `idea`: characters, environments, objects and scenes.

    `image_count` (images mode) fixes the scene count; `page_text` (url mode) adds beats and
    keywords from the page. Narration tells the idea in the user's own words (never
    translated), one line per scene (story.py); the idea's tone words pick the look
    (looks.py): the camera's speed here, the image's grade through a mark in its description.
    """
    count = image_count if image_count else scene_count
    count = max(1, int(count))
    idea = (idea or "").strip()
    # url mode passes the address as the idea: narrate the page, never the URL
    spoken_idea = " ".join(_URL_RE.sub(" ", idea).split())
    source = " ".join(p for p in (spoken_idea, _page_summary(page_text)) if p)
    english = story.language_code(language or DEFAULTS["language"]) == story.ENGLISH
    seed = _seed(idea, count, language, page_text or "", image_count or 0)
    look = looks.look_for(source)
    product = story.find_product(source)
    lines = story.tell(_units(source, count, english=english), count, language=language,
                       seed=seed, product=product, source=source)
    beats = [line.beat for line in lines]

    user = _user_elements(elements)
    environments = _environments(source, beats, user["environments"])
    characters = _merge(user["characters"], _detect(source, _CHARACTER_WORDS))
    objects = _merge(user["objects"], _product_object(product, _detect(source, _OBJECT_WORDS)))

    scenes = []
    for i, (line, beat) in enumerate(zip(lines, beats, strict=True)):
        env = _scene_environment(beat, environments, i, count)
        shown = _scene_elements(beat, i, count, characters, objects, user, beats)
        scenes.append({
            "name": _scene_name(i, count, beat),
            "image_description": _image_description(env, shown, beat, i, image_count, look),
            "narrator": line.text,
            "camera_movement": _camera(i, count, seed, look),
            "elements": shown,
            "environment": env["name"],
        })
    return {"characters": characters, "environments": environments, "objects": objects,
            "scenes": scenes}


# --- units ---------------------------------------------------------------------------

def _page_summary(page_text: str | None, sentences: int = 3) -> str:
    if not page_text:
        return ""
    parts = [p.strip() for p in _SENTENCE_RE.split(" ".join(page_text.split())) if p.strip()]
    return " ".join(parts[:sentences])


def _strip_lead(text: str) -> str:
    stripped = _LEAD_RE.sub("", text, count=1).strip() or text
    return _AD_LEAD_RE.sub("", stripped, count=1).strip() or stripped


def _units(text: str, count: int, *, english: bool) -> list[str]:
    """The idea's sentences in order (the story's units); when there are fewer than scenes,
    sentences joined by "then" or ";" are told as two."""
    sentences = [s.strip() for s in _SENTENCE_RE.split(text) if s.strip()]
    if not sentences:
        return []
    sentences[0] = _strip_lead(sentences[0])
    if english:  # "A fun ski day: two friends race…": the heading is not narrated
        sentences = [_drop_heading(s) for s in sentences]
    if len(sentences) < count:
        split = []
        for s in sentences:
            parts = [p.strip(" ,") for p in _THEN_RE.split(s) if p and p.strip(" ,")]
            parts = [re.sub(r"^and\s+", "", p) for p in parts]
            whole = len(parts) > 1 and all(len(p.split()) >= 2 for p in parts) and (
                not english or all(story.has_verb(p) for p in parts))
            split += parts if whole else [s]
        sentences = split
    return sentences


def _drop_heading(text: str) -> str:
    head, colon, rest = text.partition(":")
    if colon and rest.strip() and len(head.split()) <= 6 and not story.has_verb(head):
        return rest.strip()
    return text


def _product_object(product: story.Product | None, detected: list[dict[str, Any]]
                    ) -> list[dict[str, Any]]:
    """The product the idea names, as an object (first), instead of the plain things its
    description names ("Lumo, a solar lantern" is one object, not Lumo and a lantern)."""
    if product is None:
        return detected
    name = product.name.removeprefix("our ").strip()
    name = name if any(c.isupper() for c in name) else name.title()
    what = product.description or "the product the story is about"
    obj = {"name": name, "description": f"{name}, {what}, shown as the idea describes it"}
    said = _name_words(f"{name} {product.description}")
    return [obj, *(d for d in detected if not (_name_words(d["name"]) & said))]


# --- elements ------------------------------------------------------------------------

def _user_elements(elements: dict[str, Any] | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {k: [] for k in ELEMENT_KINDS}
    for kind in ELEMENT_KINDS:
        for item in (elements or {}).get(kind) or []:
            if isinstance(item, dict) and str(item.get("name", "")).strip():
                out[kind].append(copy.deepcopy(item))
    return out


def _detect(text: str, vocabulary: Iterable[str]) -> list[dict[str, Any]]:
    words = [w.lower() for w in _WORD_RE.findall(text)]
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for idx, word in enumerate(words):
        if word not in vocabulary or word in seen:
            continue
        seen.add(word)
        adjs = [w for w in words[max(0, idx - 2):idx] if w in _ADJ_WORDS]
        phrase = " ".join([*adjs, word])
        found.append({"name": phrase.title(),
                      "description": f"{_article(phrase)} {phrase}, stylized and friendly, "
                                     f"as the idea describes it"})
        if len(found) >= 3:
            break
    return found


def _article(phrase: str) -> str:
    if phrase.endswith("s") and not phrase.endswith("ss"):
        return "Some"
    return "An" if phrase[:1].lower() in "aeiou" else "A"


def _merge(user: list[dict[str, Any]], detected: list[dict[str, Any]]) -> list[dict[str, Any]]:
    names = {e["name"].lower() for e in user}
    words = {w for e in user for w in _name_words(e["name"])}
    extra = [d for d in detected if d["name"].lower() not in names
             and not (_name_words(d["name"]) & words)]
    return user + extra


def _name_words(name: str) -> set[str]:
    return {w.lower() for w in _WORD_RE.findall(name)
            if len(w) > 2 and w.lower() not in _STOPWORDS}


def env_kind_of(text: str) -> EnvKind:
    """The environment kind whose keywords appear first in `text` (default if none)."""
    words = {w.lower() for w in _WORD_RE.findall(text)}
    return next((k for k in ENV_KINDS if words & set(k.keywords)), DEFAULT_ENV)


def _environments(source: str, beats: list[str], user: list[dict[str, Any]]
                  ) -> list[dict[str, Any]]:
    envs = list(user)
    kinds = {env_kind_of(f"{e['name']} {e.get('description', '')}").kind for e in user}
    for text in [*beats, source]:
        kind = env_kind_of(text)
        if kind.kind not in kinds and kind is not DEFAULT_ENV and len(envs) < 3:
            kinds.add(kind.kind)
            envs.append({"name": kind.name, "description": kind.description})
    if not envs:
        envs.append({"name": DEFAULT_ENV.name, "description": DEFAULT_ENV.description})
    return envs


def _mentions(text: str, element: dict[str, Any]) -> bool:
    low = text.lower()
    if element["name"].lower() in low:
        return True
    words = {w.lower() for w in _WORD_RE.findall(text)}
    return bool(_name_words(element["name"]) & words)


def _scene_environment(beat: str, envs: list[dict[str, Any]], i: int, count: int
                       ) -> dict[str, Any]:
    for env in envs:
        if _mentions(beat, env):
            return env
    kind = env_kind_of(beat)
    for env in envs:
        if env_kind_of(f"{env['name']} {env.get('description', '')}").kind == kind.kind \
                and kind is not DEFAULT_ENV:
            return env
    # No hint in this beat: keep the story's settings in order across the scenes.
    return envs[min(len(envs) - 1, i * len(envs) // count)]


def _scene_elements(beat: str, i: int, count: int, characters: list[dict[str, Any]],
                    objects: list[dict[str, Any]], user: dict[str, list[dict[str, Any]]],
                    beats: list[str]) -> list[str]:
    shown = [c["name"] for c in characters if _mentions(beat, c)]
    # A user character no beat mentions is the protagonist: it is in every scene.
    shown += [c["name"] for c in user["characters"]
              if not any(_mentions(b, c) for b in beats)]
    if not shown and characters and i < count - 1:
        shown.append(characters[i % len(characters)]["name"])
    hero_shot = i == count - 1  # every object gets at least the final, hero shot
    shown += [o["name"] for o in objects if hero_shot or _mentions(beat, o)]
    return list(dict.fromkeys(shown))


# --- scene text ------------------------------------------------------------------------

def _scene_name(i: int, count: int, beat: str) -> str:
    words = [w for w in _WORD_RE.findall(beat) if w.lower() not in _STOPWORDS][:3]
    title = " ".join(w.capitalize() for w in words)
    role = "Opening" if i == 0 else "Finale" if i == count - 1 and count > 1 else f"Scene {i + 1}"
    return f"{role}: {title}" if title else role


def _image_description(env: dict[str, Any], shown: list[str], beat: str, i: int,
                       image_count: int | None, look: looks.Look) -> str:
    parts = []
    if image_count:
        parts.append(f"The user's image {i + 1}")
    parts.append(f"Wide shot of {env.get('description') or env['name']}")
    if shown:
        parts.append("featuring " + ", ".join(shown))
    text = ", ".join(parts)
    beat = story.capital(beat.strip())
    text = f"{text}. {beat}" if beat else f"{text}."
    text = text if text[-1] in ".!?。！？" else text + "."
    return f"{text} {looks.mark(look)}"  # the image stage grades the scene by this mark


def _camera(i: int, count: int, seed: int, look: looks.Look) -> str:
    """The look's moves at the look's speed: opening in, ending out, the middle varied."""
    if i == 0:
        move = "zoom_in"
    elif i == count - 1:
        move = "zoom_out"
    else:
        move = look.moves[(seed + i) % len(look.moves)]
    return looks.camera(move, look)


def _seed(*parts: object) -> int:
    digest = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).digest()
    return int.from_bytes(digest[:4], "big")


# --- validation, shared by the chat writer ------------------------------------------------

def validate_storyboard(board: Any, scene_count: int) -> dict[str, Any]:
    """Check a storyboard's shape; ValueError naming the first problem."""
    if not isinstance(board, dict):
        raise ValueError("storyboard is not a JSON object")
    scenes = board.get("scenes")
    if not isinstance(scenes, list) or len(scenes) != scene_count:
        raise ValueError(f"storyboard needs exactly {scene_count} scenes")
    for kind in ELEMENT_KINDS:
        items = board.setdefault(kind, [])
        if not isinstance(items, list) or not all(
                isinstance(e, dict) and isinstance(e.get("name"), str) for e in items):
            raise ValueError(f"{kind} must be a list of objects with a name")
    for n, scene in enumerate(scenes):
        if not isinstance(scene, dict):
            raise ValueError(f"scenes[{n}] is not an object")
        for key in ("name", "image_description", "narrator"):
            if not isinstance(scene.get(key), str):
                raise ValueError(f"scenes[{n}].{key} must be a string")
        if looks.split_speed(str(scene.get("camera_movement")))[0] not in CAMERA_MOVEMENTS:
            scene["camera_movement"] = "zoom_in"
        if not isinstance(scene.get("elements"), list):
            scene["elements"] = []
        if not isinstance(scene.get("environment"), str):
            envs = board["environments"]
            scene["environment"] = envs[0]["name"] if envs else DEFAULT_ENV.name
    return board


# --- the OpenAI-compatible writer ---------------------------------------------------------

_SYSTEM_PROMPT = """You write storyboards for short videos. Answer with one JSON object:
{"characters": [{"name", "description"}], "environments": [{"name", "description"}],
 "objects": [{"name", "description"}],
 "scenes": [{"name", "image_description", "narrator", "camera_movement", "elements",
             "environment"}]}
"narrator" is the narration text of the scene: one or two short sentences in LANGUAGE.
"camera_movement" is one of: MOVES. "elements" lists the names of the characters and objects
the scene shows; "environment" names one environment. Write exactly COUNT scenes."""


class ChatStoryboardWriter:
    """`write_storyboard` through an OpenAI-compatible /v1/chat/completions endpoint.

    Any failure (connection, timeout, HTTP error, reply that is not a valid storyboard)
    logs one warning naming the reason and returns the rule-based storyboard instead, so a
    flaky endpoint never fails a story. The API key is sent as a bearer token and never
    logged. `last_fallback` holds the reason of the latest fallback (None if none).
    """

    def __init__(self, base_url: str, model: str = "gpt-4o-mini", api_key: str | None = None,
                 *, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self._api_key = api_key
        self.timeout = timeout
        self.last_fallback: str | None = None

    def __repr__(self) -> str:  # never show the key
        return f"ChatStoryboardWriter({self.base_url!r}, {self.model!r})"

    @property
    def url(self) -> str:
        root = self.base_url if self.base_url.endswith("/v1") else f"{self.base_url}/v1"
        return f"{root}/chat/completions"

    def write_storyboard(self, idea: str, *, scene_count: int, language: str = DEFAULTS["language"],
                         elements: dict[str, Any] | None = None,
                         page_text: str | None = None,
                         image_count: int | None = None) -> dict[str, Any]:
        count = max(1, int(image_count or scene_count))
        try:
            board = self._ask(idea, count, language, elements, page_text)
            board = validate_storyboard(board, count)
            self.last_fallback = None
            return _keep_user_elements(board, elements)
        except Exception as exc:  # every failure falls back, by design
            self.last_fallback = f"{type(exc).__name__}: {exc}"
            log.warning("storyboard endpoint %s failed (%s); using the rule-based writer",
                        self.url, self.last_fallback)
        return write_storyboard(idea, scene_count=scene_count, language=language,
                                elements=elements, page_text=page_text,
                                image_count=image_count)

    __call__ = write_storyboard

    def _ask(self, idea: str, count: int, language: str, elements: dict[str, Any] | None,
             page_text: str | None) -> Any:
        import requests

        system = (_SYSTEM_PROMPT.replace("LANGUAGE", language)
                  .replace("MOVES", ", ".join(CAMERA_MOVEMENTS)).replace("COUNT", str(count)))
        user = {"idea": idea, "scene_count": count, "language": language,
                "elements": elements or {}, "page_text": (page_text or "")[:4000]}
        headers = {"Content-Type": "application/json"}
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        payload = {"model": self.model, "temperature": 0,
                   "response_format": {"type": "json_object"},
                   "messages": [{"role": "system", "content": system},
                                {"role": "user", "content": json.dumps(user)}]}
        try:
            response = requests.post(self.url, json=payload, headers=headers,
                                     timeout=self.timeout)
        except requests.RequestException as exc:
            raise ConnectionError(type(exc).__name__) from None  # no URL/key echo
        if response.status_code != 200:
            raise ValueError(f"HTTP {response.status_code}")
        try:
            content = response.json()["choices"][0]["message"]["content"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ValueError("reply is not a chat completion") from exc
        return json.loads(_strip_fence(content))


def _strip_fence(text: str) -> str:
    text = text.strip()
    if text.startswith("```"):
        text = text.split("\n", 1)[1] if "\n" in text else ""
        text = text.rsplit("```", 1)[0]
    return text


def _keep_user_elements(board: dict[str, Any], elements: dict[str, Any] | None
                        ) -> dict[str, Any]:
    """The user's own elements win over the model's, verbatim (image fields and all)."""
    user = _user_elements(elements)
    for kind in ELEMENT_KINDS:
        mine = {e["name"]: e for e in user[kind]}
        theirs = [e for e in board[kind] if e.get("name") not in mine]
        board[kind] = [*user[kind], *theirs]
    if user["objects"] and board["scenes"]:  # the product gets its hero shot
        last = board["scenes"][-1]
        for obj in user["objects"]:
            if obj["name"] not in last["elements"]:
                last["elements"].append(obj["name"])
    return board
