"""The rule-based narration: one complete sentence (or two) per scene, telling the idea in order.

The idea's sentences are the story's units, each made a complete sentence ("Show two
girls…" → "We see two girls…"; a phrase without a verb → "We see …"). When there are fewer
units than scenes the idea gets an arc: an opening that sets the scene ("Our story begins in
a sunny meadow, with a fox and a rabbit."), the idea itself with its subject kept ("The fox
and the rabbit share breakfast."), lines that develop it, and an ending; the product the
idea names ("for Lumo", "our kayak", a quoted or CamelCase name) is named, and ends the
story. Frames exist for the languages in `FRAMES`; others get the English frames (the
story's message says so) around the user's own words, which are never translated.
Choices among frames are seeded by a hash of the inputs: same idea, same narration.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vidflow.contract.params import DEFAULTS
from vidflow.engine.stages.narration import language_code

# --- the frames ------------------------------------------------------------------------


@dataclass(frozen=True)
class Frames:
    """Sentence frames of one language: {p} the product, {x} a phrase. The frames with a
    subject ({s}) or a setting ({l}) are English's only: its parser finds them."""

    intro: tuple[str, ...]
    develop: tuple[str, ...]
    develop_product: tuple[str, ...]  # {p}
    outro: tuple[str, ...]
    outro_product: tuple[str, ...]  # {p}
    phrase: str  # {x}: a phrase without a verb made a sentence
    name: str  # {x}: a name alone made a sentence
    intro_setting: tuple[str, ...] = ()  # {l}, {s} (as the idea says it)
    intro_subject: tuple[str, ...] = ()  # {s} (as the idea says it)
    develop_subject: tuple[str, ...] = ()  # {s} (definite: "the fox")
    outro_subject: tuple[str, ...] = ()  # {s} (definite)


FRAMES: dict[str, Frames] = {
    "en": Frames(
        intro=("Our story begins.", "It all starts here."),
        develop=("Step by step, the story unfolds.", "Every moment brings something new."),
        develop_product=("{p} is there at every step.", "With {p}, every moment shines."),
        outro=("Everything comes together at last.", "And that is how the story ends."),
        outro_product=("{p} is made for moments like this.", "Discover {p} today."),
        phrase="We see {x}.", name="Meet {x}.",
        intro_setting=("Our story begins {l}, with {s}.", "It all starts {l}, where we meet {s}."),
        intro_subject=("Meet {s}.", "Our story begins with {s}."),
        develop_subject=("Step by step, the day unfolds for {s}.",
                         "Every moment brings {s} something new.",
                         "Around {s}, the world comes alive.",
                         "For {s}, each moment counts."),
        outro_subject=("For {s}, it is a moment worth remembering.",
                       "And so the story of {s} comes to a happy end.",
                       "The day ends, and {s} will remember it.")),
    "es": Frames(
        intro=("Así empieza nuestra historia.", "Todo comienza aquí."),
        develop=("Poco a poco, todo cambia.", "Cada momento trae algo nuevo."),
        develop_product=("{p} está ahí en cada paso.",),
        outro=("Y así termina nuestra historia.",),
        outro_product=("{p} está hecho para momentos como este.", "Descubre {p} hoy."),
        phrase="Vemos {x}.", name="Os presentamos {x}."),
    "fr": Frames(
        intro=("Ainsi commence notre histoire.", "Tout commence ici."),
        develop=("Peu à peu, tout change.", "Chaque instant apporte du nouveau."),
        develop_product=("{p} est là à chaque pas.",),
        outro=("Et ainsi se termine notre histoire.",),
        outro_product=("{p} est fait pour des moments comme celui-ci.",
                       "Découvrez {p} dès aujourd'hui."),
        phrase="Nous voyons {x}.", name="Voici {x}."),
    "de": Frames(
        intro=("So beginnt unsere Geschichte.", "Hier beginnt alles."),
        develop=("Nach und nach verändert sich alles.", "Jeder Moment bringt etwas Neues."),
        develop_product=("{p} ist bei jedem Schritt dabei.",),
        outro=("Und so endet unsere Geschichte.",),
        outro_product=("{p} ist für Momente wie diesen gemacht.", "Entdecken Sie {p} noch heute."),
        phrase="Wir sehen {x}.", name="Das ist {x}."),
}
ENGLISH = "en"


def has_frames(language: str) -> bool:
    """Whether the writer has sentence frames of its own for `language`."""
    return language_code(language or DEFAULTS["language"]) in FRAMES


# --- English words the parser knows ------------------------------------------------------

def _words(text: str) -> list[str]:
    return text.split()


_VERBS = frozenset(_words("""
be is are was were am has have had do does did can will may must should could would
share play plays explore discover meet see watch wake rest glide ski race run walk dance
sing cook bake eat drink enjoy find open apply smile laugh pose take make show light
shine glow start begin end come go bring give keep help fly swim surf ride climb hike
jump sit stand look feel join call step return carry build paint read write learn teach
grow bloom fall rise sleep dream travel visit celebrate welcome hold hug love create
wander chase catch throw kick score win lose fight save protect cross follow lead talk
sip pour mix brew serve fill wear try use need want spend change unfold bring brings
count counts remember comes ends begins fit work move turn reach leave arrive camp fish
sail drive wave meet greet hear listen touch break crash roar hunt search pack unpack
prepare gather plant pick sail glide shine sparkle float splash picnic relax
stop wait nap rush dive soar hide seek peek smile"""))
_AUX = frozenset(_words("""
is are was were am has have had can will may must does do did"""))
_IRREGULAR = {"ran": "run", "went": "go", "came": "come", "made": "make", "took": "take",
              "saw": "see", "found": "find", "flew": "fly", "swam": "swim", "rode": "ride",
              "sat": "sit", "stood": "stand", "fell": "fall", "rose": "rise", "ate": "eat",
              "drank": "drink", "sang": "sing", "began": "begin", "brought": "bring",
              "gave": "give", "kept": "keep", "held": "hold", "caught": "catch", "won": "win",
              "lost": "lose", "led": "lead", "slept": "sleep", "felt": "feel", "met": "meet",
              "left": "leave", "wore": "wear", "threw": "throw", "taught": "teach",
              "built": "build", "wrote": "write", "grew": "grow", "drove": "drive"}
# words that look like verbs but, right after a determiner, are nouns ("a light", "the fall")
_DETERMINERS = frozenset(_words("""
a an the this these those our your my his her its their some every each one two three
four five"""))
_RELATIVE = frozenset({"that", "which", "who"})
_SETTING_PREPS = frozenset(_words("""
in on at inside under across through near beneath among amid along"""))
_IMPERATIVE = (
    (re.compile(r"^(?:then\s+)?(?:show|showing|shows|depict|feature|present|film)\s+(?:us\s+)?",
                re.I), "We see {x}."),
    (re.compile(r"^(?:end|finish|close)\s+(?:with|on)\s+", re.I), "In the end, we see {x}."),
    (re.compile(r"^(?:start|begin|open)\s+(?:with|on)\s+", re.I), "First, we see {x}."),
)
_WORD_RE = re.compile(r"[\w'’-]+", re.UNICODE)
_LETTER_RE = re.compile(r"[^\W\d_]", re.UNICODE)  # a unit says something: it has a letter
_END = ".!?。！？"


def _base(word: str) -> str:
    w = word.lower().strip("'’")
    if w in _IRREGULAR:
        return _IRREGULAR[w]
    for suffix, repl in (("ies", "y"), ("es", ""), ("s", ""), ("ing", ""), ("ing", "e"),
                         ("ed", ""), ("ed", "e"), ("d", "")):
        if w.endswith(suffix) and len(w) - len(suffix) >= 2:
            stem = w[: len(w) - len(suffix)] + repl
            if stem in _VERBS:
                return stem
            if suffix in ("ing", "ed") and len(stem) > 2 and stem[-1] == stem[-2] \
                    and stem[:-1] in _VERBS:  # swimming, stopped
                return stem[:-1]
    return w


def is_verb(word: str) -> bool:
    return word.lower() in _VERBS or _base(word) in _VERBS


def has_verb(sentence: str) -> bool:
    """Whether an English sentence has a verb the writer knows (its frames all do)."""
    words = _WORD_RE.findall(sentence)
    return bool(words) and (is_verb(words[0]) or any(_main_verb(words, i)
                                                     for i in range(1, len(words))))


# --- the product -------------------------------------------------------------------------

@dataclass(frozen=True)
class Product:
    name: str
    description: str  # "a solar lantern that lights up camping nights" or ""


_NOT_PRODUCTS = frozenset(_words("""
i christmas easter halloween monday tuesday wednesday thursday friday saturday sunday
january february march april may june july august september october november december
the a an this that we our you it he she they"""))
_NAME = r"[A-Z][\w'’-]*(?:[ \t]+[A-Z][\w'’-]*){0,2}"
_FOR_RE = re.compile(rf"\b(?:for|introducing|presenting|para|pour|für|f[üu]r)\s+(?:the\s+)?"
                     rf"({_NAME})")
# a quoted name: one to three capitalised words ("Glow Tea"), not a quoted tagline
_QUOTED_RE = re.compile(r"[\"“«']([A-Z][\w'’-]*(?: [A-Z][\w'’-]*){0,2})[\"”»']")
_CAMEL_RE = re.compile(r"\b([A-Z][a-z]+[A-Z][\w-]*(?:[ \t]+[A-Z][a-z][\w-]*)?)")
_OUR_RE = re.compile(r"\bour\s+((?:[a-z][\w-]*\s+){0,2}?[a-z][\w-]*)"
                     r"(?=\s+(?:is|are|was|has|keeps|makes|lights|helps|gives|brings|lets|will|"
                     r"can)\b|[.,;!?]|$)", re.I)
_APPOSITIVE_RE = re.compile(r"^\s*[,:–—-]\s*((?:an?|the|un|une|una|ein|eine|el|la|le)\s+"
                            r"[^,.;:!?]{2,80})")


def find_product(text: str) -> Product | None:
    """The product an idea names: "for Lumo", a quoted name, a CamelCase brand, "our x"."""
    for regex in (_QUOTED_RE, _FOR_RE, _CAMEL_RE):
        for match in regex.finditer(text):
            name = match.group(1).strip(" '’-")
            if not name or name.split()[0].lower() in _NOT_PRODUCTS:
                continue
            tail = _APPOSITIVE_RE.match(text[match.end():])
            return Product(name, tail.group(1).strip() if tail else "")
    match = _OUR_RE.search(text)
    if match:
        words = [w for w in match.group(1).split() if w.lower() not in _DETERMINERS
                 and len(w) > 1]
        if words:
            return Product("our " + " ".join(words), "")
    return None


# --- parsing one English clause --------------------------------------------------------------

@dataclass(frozen=True)
class Clause:
    subject: str  # as the idea says it: "a fox and a rabbit"
    action: str  # the verb phrase without the setting: "share breakfast"; "" for a phrase
    setting: str  # "in a sunny meadow" or ""
    relative: bool = False  # said as "X that verbs…" (no main verb of its own)


def parse_clause(text: str) -> Clause:
    words = text.strip().rstrip(_END).split()
    # a subject is a few words: past them, a "verb" is a list's ("… a warm glow")
    verb = next((i for i, w in enumerate(words[:MAX_SUBJECT + 1])
                 if i > 0 and _main_verb(words, i)), None)
    if verb is None:  # a phrase: its subject is what comes before its setting
        start = next((i for i, w in enumerate(words) if i > 0 and w.lower() in _SETTING_PREPS),
                     len(words))
        end = next((i + 1 for i in range(start, len(words)) if words[i].endswith(",")),
                   len(words))
        setting = " ".join(words[start:end]).strip(" ,")
        return Clause(" ".join(words[:start]).strip(" ,"), "",
                      setting if len(setting.split()) <= 6 else "")
    subject_words = words[:verb]
    relative = bool(subject_words) and subject_words[-1].lower() in _RELATIVE
    if relative:  # "Lumo, a lantern that lights up…": Lumo lights up…
        subject_words = subject_words[:-1]
    subject = " ".join(subject_words).strip(" ,")
    if relative and "," in subject:
        subject += ","  # the appositive closes: "Lumo, a solar lantern, lights up…"
    rest = words[verb:]
    start = next((i for i, w in enumerate(rest) if i > 0 and w.lower() in _SETTING_PREPS),
                 None)
    if start is None:
        return Clause(subject, " ".join(rest).strip(" ,"), "", relative)
    end = next((i for i in range(start + 1, len(rest))
                if rest[i - 1].endswith(",") or rest[i].lower() in ("and", "while", "then")),
               len(rest))
    action = " ".join(rest[:start] + rest[end:]).strip(" ,")
    setting = " ".join(rest[start:end]).strip(" ,")
    return Clause(subject, action, setting, relative)


_PRONOUNS = frozenset(_words("""they we you i he she it"""))
_PLURAL_PRONOUNS = frozenset(_words("""
they we you i"""))


def _main_verb(words: list[str], i: int) -> bool:
    """Whether words[i] is the clause's verb: a known verb not after a determiner; a bare
    form ("share", "ski") only after a plural subject ("a fox and a rabbit share"), so
    "a calm ski day" has none."""
    word = words[i].strip(",;:").lower()
    before = words[i - 1].lower().strip(",")
    if before in _PRONOUNS and word.isalpha() and word not in _FUNCTION_WORDS | _PRONOUNS:
        return True  # "they stop", "she naps": what follows a pronoun is its verb
    if not is_verb(word) or before in _DETERMINERS:
        return False
    if word.endswith("ing") and before not in _AUX:
        return False  # "berries falling onto a table": a phrase, not a clause
    if word in _AUX or word in _IRREGULAR or word.endswith(("s", "ed")) or before in _RELATIVE:
        return True
    near = words[max(0, i - 6):i]  # a plural subject is close by and not a list
    subject = [w.lower() for w in near] if not any(w.endswith(",") for w in near) else []
    return "and" in subject or before in _PLURAL_PRONOUNS or (
        before.endswith("s") and not before.endswith("ss")) or before.endswith("ren")


def definite(subject: str, product: Product | None, names: frozenset[str] = frozenset()
             ) -> str:
    """The subject as the story refers back to it: "a fox and a rabbit" → "the fox and the
    rabbit"; a named subject keeps its name ("Lumo, a solar lantern" → "Lumo")."""
    if product and subject.startswith(product.name):
        return product.name
    head = lower_first(subject.split(",")[0].strip(), names)
    parts = re.split(r"(\s+and\s+)", head)
    out = []
    for part in parts:
        if re.fullmatch(r"\s+and\s+", part):
            out.append(part)
            continue
        words = part.split()
        if not words:
            continue
        first = words[0].lower()
        if first in ("a", "an", "some"):
            words = ["the", *words[1:]]
        elif first in ("his", "her", "their", "our", "my", "your", "the", "its", "this",
                       "these", "those", "that", "he", "she", "they", "it", "we", "i", "you"):
            pass
        elif words[0][:1].isupper() and first not in _DETERMINERS:
            pass  # a name
        else:
            words = ["the", *words]
        out.append(" ".join(words))
    return "".join(out)


# --- sentences -----------------------------------------------------------------------------

def sentence(text: str, frames: Frames, *, english: bool,
             names: frozenset[str] = frozenset()) -> str:
    """`text` as one complete sentence: capitalised, ending with punctuation, with a verb."""
    text = " ".join(text.split()).strip(" ,;:–—-")
    if not text:
        return ""
    if english:
        for regex, frame in _IMPERATIVE:
            rest = regex.sub("", text, count=1).strip().rstrip(_END)
            if regex.match(text) and rest:
                return capital(frame.format(x=lower_first(rest, names)))
        if not has_verb(text):
            body = text.rstrip(_END).strip()
            if body.split()[0] in names and len(body.split()) <= 4:
                return capital(frames.name.format(x=body))
            return capital(frames.phrase.format(x=lower_first(body, names)))
    text = capital(text)
    return text if text[-1] in _END else text + ("。" if _cjk(text[-1]) else ".")


def capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def lower_first(text: str, names: frozenset[str] = frozenset()) -> str:
    """Lower the first letter of a phrase put mid-sentence, unless its first word is a
    name (one the idea capitalises mid-sentence, or CamelCase, or all capitals)."""
    first = text.split()[0].strip(",;:'’\"") if text.split() else ""
    if first[:1].isupper() and first[1:] == first[1:].lower() and first not in names:
        return text[:1].lower() + text[1:]
    return text


def names_in(text: str) -> frozenset[str]:
    """Words the text capitalises where a sentence does not start: names."""
    found = set()
    for part in re.split(r"(?<=[.!?])\s+", text):
        words = _WORD_RE.findall(part)
        found.update(w for w in words[1:] if w[:1].isupper())
    return frozenset(found)


def _cjk(ch: str) -> bool:
    return "\u3000" <= ch <= "\u9fff" or "\uac00" <= ch <= "\ud7af"


def complete(line: str) -> bool:
    """Starts with a capital (or a caseless script) and ends with punctuation: what every
    line the writer speaks is (English ones also pass `has_verb`)."""
    # "ª" is lower case with no capital form: it counts as capitalised as it can be
    return bool(line) and (not line[0].islower() or line[0].upper() == line[0]) \
        and line[-1] in _END


def pick(options: tuple[str, ...], seed: int, salt: int) -> str:
    return options[(seed + salt * 7919) % len(options)]


# --- the story ---------------------------------------------------------------------------

MAX_WORDS = 22  # a line's budget, so its audio fits a scene
MAX_SUBJECT = 10  # words


@dataclass(frozen=True)
class Line:
    text: str  # the narration
    beat: str  # the idea's words this line tells (what the scene shows)


def tell(units: list[str], count: int, *, language: str, seed: int,
         product: Product | None, source: str = "") -> list[Line]:
    """Exactly `count` narration lines telling `units` (the idea's sentences) in order."""
    code = language_code(language or DEFAULTS["language"])
    english = code == ENGLISH
    frames = FRAMES.get(code, FRAMES[ENGLISH])
    names = names_in(source) | (frozenset(product.name.split()) if product else frozenset())
    units = [u for u in (" ".join(u.split()) for u in units) if _LETTER_RE.search(u)]
    clause = parse_clause(units[0]) if english and units else Clause("", "", "")
    # "Lumo, a lantern that lights…" gets a verb of its own: "Lumo, a lantern, lights…"
    if clause.relative and clause.action and _good_subject(clause.subject):
        units[0] = f"{clause.subject} {clause.action} {clause.setting}".strip()
    if len(units) >= count:
        groups = _group(units, count)
        lines = [Line(_fit([sentence(u, frames, english=english, names=names) for u in g],
                           english), " ".join(g)) for g in groups]
        return _name_product(lines, frames, product, seed)
    if not _good_subject(clause.subject):
        clause = Clause("", "", "")  # a long phrase, or no noun: no one to introduce
    told = lower_first(clause.subject.rstrip(","), names)  # as the idea says it
    subject = definite(clause.subject, product, names) if clause.subject and clause.action else ""
    subject = subject if _good_subject(subject) else ""
    spoken = [_fit([sentence(u, frames, english=english, names=names)], english)
              for u in units]
    if clause.setting and clause.subject and frames.intro_setting:
        intro = Line(pick(frames.intro_setting, seed, 0).format(l=clause.setting, s=told),
                     f"{clause.subject} {clause.setting}")
    elif subject and frames.intro_subject:
        intro = Line(capital(pick(frames.intro_subject, seed, 0).format(s=told)),
                     clause.subject)
    else:
        intro = Line(pick(frames.intro, seed, 0), "")
    outro = _outro(frames, subject, product, seed)
    if 1 + len(units) + 1 <= count:
        if subject:  # the opening said who (and where): the idea goes on with its action
            spoken[0] = _fit([sentence(f"{subject} {clause.action}", frames,
                                       english=english, names=names)], english)
        arc = [intro, *map(Line, spoken, units), outro]
    else:  # fewer scenes than the arc: the idea's own words come first, then its ending
        arc = [*map(Line, spoken, units), outro][:count]
    k = 0
    while len(arc) < count:  # more scenes: develop the idea before its ending
        arc.insert(len(arc) - 1, _develop(frames, subject, product, seed, k))
        k += 1
    return _name_product(arc, frames, product, seed)


def _good_subject(phrase: str) -> bool:
    """A noun phrase the frames can say: a few words, one clause, ending on a noun-ish
    word ("a fox and a rabbit", not "who video ; an , the")."""
    words = [w.lower() for w in _WORD_RE.findall(phrase)]
    return bool(words) and len(phrase.split()) <= MAX_SUBJECT and not any(
        c in phrase for c in ";:()[]") and words[0] not in _RELATIVE \
        and words[-1] not in _FUNCTION_WORDS and _content(phrase)


def _content(phrase: str) -> bool:
    """Whether a phrase has a word other than articles and the like ("a a a" has none)."""
    return any(_LETTER_RE.search(w) and w.lower() not in _FUNCTION_WORDS
               for w in _WORD_RE.findall(phrase))


_FUNCTION_WORDS = _DETERMINERS | _SETTING_PREPS | _RELATIVE | frozenset(_words("""
and or but then for of to from with by as so while when where if"""))


def _group(parts: list[str], count: int) -> list[list[str]]:
    n = len(parts)
    bounds = [round(k * n / count) for k in range(count + 1)]
    return [parts[bounds[k]:bounds[k + 1]] for k in range(count)]


def _fit(sentences: list[str], english: bool) -> str:
    """Whole sentences up to the budget; the first always, cut at a clause if too long."""
    budget = MAX_WORDS if english else 40
    first = sentences[0]
    if len(first.split()) > budget:
        first = _cut(first, budget, english)
    kept = [first]
    for s in sentences[1:]:
        if len(" ".join([*kept, s]).split()) > budget:
            break
        kept.append(s)
    return " ".join(kept)


def _cut(text: str, budget: int, english: bool) -> str:
    """The longest head of `text` ending at a comma, within the budget, that is still a
    sentence; else the text whole (a long line beats a broken one)."""
    words = text.split()
    for end in range(min(budget, len(words) - 1), 2, -1):
        if words[end - 1].endswith(","):
            head = " ".join(words[:end]).rstrip(",") + "."
            if not english or has_verb(head):
                return head
    return text


def _develop(frames: Frames, subject: str, product: Product | None, seed: int, k: int
             ) -> Line:
    if product and k % 2 == 1:
        return Line(pick(frames.develop_product, seed, k + 1).format(p=product.name),
                    product.name)
    if subject and frames.develop_subject:
        return Line(capital(pick(frames.develop_subject, seed, k + 1).format(s=subject)),
                    subject)
    return Line(pick(frames.develop, seed, k + 1), "")


def _outro(frames: Frames, subject: str, product: Product | None, seed: int) -> Line:
    if product:
        return Line(capital(pick(frames.outro_product, seed, 99).format(p=product.name)),
                    product.name)
    if subject and frames.outro_subject:
        return Line(capital(pick(frames.outro_subject, seed, 99).format(s=subject)), subject)
    return Line(pick(frames.outro, seed, 99), "")


def _name_product(lines: list[Line], frames: Frames, product: Product | None, seed: int
                  ) -> list[Line]:
    """The product the idea names is named: by the last line, if no line did. Every
    line starts with a capital (a frame may start with the product's "our …")."""
    lines = [Line(capital(line.text), line.beat) for line in lines]
    if not product or any(product.name.lower() in line.text.lower() for line in lines):
        return lines
    last = lines[-1]
    tag = capital(pick(frames.outro_product, seed, 99).format(p=product.name))
    text = f"{last.text} {tag}".strip() if len(last.text.split()) + len(tag.split()) \
        <= MAX_WORDS + 8 else tag
    return [*lines[:-1], Line(text, f"{last.beat} {product.name}".strip())]
