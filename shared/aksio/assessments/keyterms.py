"""A course's key terms: the words and short noun phrases its passages are about.

Pure and deterministic (no I/O beyond a stopword list loaded once). Candidates
are runs of content words between stopwords and punctuation (the RAKE idea),
up to three words long; each is scored by how often it occurs and in how many
passages, multi-word terms that recur get a bonus (they are the domain's
vocabulary: "natural selection", "cell membrane"), and a single word that
almost only occurs inside a kept phrase is dropped in favour of that phrase.
Plural and singular forms count as one term, shown in their commonest form.

Stopwords: for English a curated list of function words and vague words kept
here, because the general-purpose English lists drop real subject terms
("system", "state", "energy", "information"); other languages use the ISO
lists of ``stopwordsiso`` (MIT, data only, imported lazily). A language with
no list still gets terms, ranked by the same statistics.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

MAX_WORDS = 3
MIN_WORD_CHARS = 3
_SUBSUMED = 0.6
"""A word dropped when this share of its occurrences sits inside a kept phrase."""

_APOSTROPHES = "'\u2019"
_TOKEN = re.compile(rf"[^\W\d_](?:[\w{_APOSTROPHES}-]*[^\W_])?|\d+(?:[.,]\d+)*|[^\w\s]")
_BREAK = re.compile(rf"[^\w\s{_APOSTROPHES}-]")

# Function words plus words that are frequent in any exposition but name no
# subject matter (quantities, evaluations, discourse markers, vague nouns).
_EN_STOPWORD_TEXT = """
a about above according across actually after afterwards again against ago all almost alone
along already also although always am among amongst an and another any anyhow anyone anything
anyway anywhere are around as aside at away back be became because become becomes becoming been
before beforehand behind being below beside besides best better between beyond both brief but by
call called can cannot could did do does doing done down due during each easily eg either else
elsewhere enough especially etc even ever every everyone everything everywhere example examples
except far few fewer first following for former formerly forth found four from further
furthermore generally get gets getting give given gives go goes going gone got great greater
greatest had hardly has have having he hence her here hereby herein hers herself him himself his
how however hundred i ie if in indeed instance into is it its itself just kind kinds known last
later latter least less let like likely little made mainly make makes making many may maybe me
mean meanwhile might mine more moreover most mostly mr mrs ms much must my myself namely near
nearly necessarily need needs neither never nevertheless new next nine no nobody none nor not
nothing now nowhere of off often old on once one ones only onto or other others otherwise ought
our ours ourselves out over own part particular particularly per perhaps possible possibly
probably quite rather really regard regarding respect respects said same saw say says second
see seem seemed seeming seems seen several shall she should show shown shows similar similarly
simply since six so some somehow someone something sometime sometimes somewhat somewhere soon
still such sure take taken takes ten than that the their theirs them themselves then thence there
thereafter thereby therefore therein thereof these they thing things third this those though
thousand three through throughout thus to together too toward towards twenty two under unless
until up upon us use used uses using usually various very via was way ways we well were what
whatever when whence whenever where whereas whereby wherever whether which while whilst whither
who whoever whole whom whose why will with within without would yet you your yours yourself
yourselves able certain certainly clearly case cases chiefly different fact facts good greatly
high important large larger largest long lower manner means member nature number numbers point
points reason reasons sense short small smaller sort sorts term terms time times true view
views word words degree slight slightly extremely extreme remarkable believe think thought
cause causes chapter chapters section sections figure figures table tables page pages
include includes included including consider considered called shall besides
common distinct present general various kept produced
"""
_EN_STOPWORDS = frozenset(_EN_STOPWORD_TEXT.split())

# Words after these are verbs ("to depend", "will act", "it varies") or
# adjectives ("very slow"), not the names of things.
_EN_VERB_CUE_TEXT = """
to will would can cannot could may might must shall should not it they he she we i
very more most less so too does do did often also always never usually generally sometimes already
"""
_EN_VERB_CUES = frozenset(_EN_VERB_CUE_TEXT.split())

_LANGUAGE_ALIASES = {"nb": "no", "nn": "no"}


@lru_cache(maxsize=16)
def stopwords(language: str) -> frozenset[str]:
    """Lower-case stopwords of ``language`` (ISO 639-1); empty when unknown."""
    code = language.lower().split("-")[0].split("_")[0]
    code = _LANGUAGE_ALIASES.get(code, code)
    if code == "en":
        return _EN_STOPWORDS
    import stopwordsiso  # data only; loaded the first time a non-English course asks

    return frozenset(w.lower() for w in stopwordsiso.stopwords(code))


def _singular(word: str, language: str) -> str:
    """The form plural and singular share (English only: elsewhere the word)."""
    if not language.startswith("en") or len(word) <= 4:
        return word
    if word.endswith("ies") and len(word) > 5:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "ous", "ics")):
        return word[:-1]
    return word


@dataclass
class _Run:
    words: list[str]
    opens_sentence: bool
    after: str
    """The lower-cased stopword or mark before it ("" at the start)."""


def _runs(text: str, stop: frozenset[str]) -> Iterable[_Run]:
    """Maximal runs of candidate words (original spelling)."""
    run = _Run([], True, "")
    previous = ""
    for token in _TOKEN.findall(text):
        lower = token.lower()
        if (
            _BREAK.fullmatch(token)
            or lower in stop
            or token[0].isdigit()
            or (len(token) < MIN_WORD_CHARS and not token.isupper())
            or (lower.endswith("ly") and len(lower) > 4)
        ):
            if run.words:
                yield run
            run = _Run([], previous in {"", ".", "!", "?"} and lower in {".", "!", "?"}, lower)
            if lower not in {".", "!", "?"}:
                run.opens_sentence = False
            previous = lower
            continue
        if not run.words and previous in {"", ".", "!", "?"}:
            run.opens_sentence = True
        run.words.append(token)
        previous = lower
    if run.words:
        yield run


def key_terms(texts: Sequence[str], limit: int = 30, language: str = "en") -> list[str]:
    """The key terms of ``texts`` (one text a passage), most important first."""
    if limit <= 0:
        return []
    stop = stopwords(language)
    count: Counter[tuple[str, ...]] = Counter()
    passages: defaultdict[tuple[str, ...], set[int]] = defaultdict(set)
    surfaces: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    initials: defaultdict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    heads: Counter[tuple[str, ...]] = Counter()  # single words that end their run
    verbs: Counter[tuple[str, ...]] = Counter()  # ...and that follow "to", "will", "very"
    verb_cues = _EN_VERB_CUES if language.lower().startswith("en") else frozenset()
    for index, text in enumerate(texts):
        for run in _runs(text, stop):
            words = run.words
            keys = [_singular(t.lower(), language) for t in words]
            for n in range(1, min(MAX_WORDS, len(words)) + 1):
                for start in range(len(words) - n + 1):
                    key = tuple(keys[start : start + n])
                    count[key] += 1
                    passages[key].add(index)
                    surface = " ".join(words[start : start + n])
                    # a capital that may only start the sentence says nothing of the term
                    if start == 0 and run.opens_sentence:
                        initials[key][surface] += 1
                    else:
                        surfaces[key][surface] += 1
            heads[(keys[-1],)] += 1
            if run.after in verb_cues:
                verbs[(keys[0],)] += 1

    n_texts = max(len(texts), 1)

    def score(key: tuple[str, ...]) -> float:
        spread = 1.0 + math.log(1 + len(passages[key])) / math.log(1 + n_texts + 1)
        if len(key) > 1:
            return count[key] * spread * (1.0 + 0.6 * (len(key) - 1))
        # A noun heads its phrase (last word before a verb, preposition or
        # stop); an adjective or participle mostly sits before another word.
        head = heads[key] / count[key]
        noun = 1.0 - verbs[key] / count[key]
        return count[key] * spread * (0.4 + head) * noun * _word_shape(key[0], language)

    candidates = [k for k in count if len(k) == 1 or count[k] >= 2]
    ranked = sorted(candidates, key=lambda k: (-score(k), k))

    chosen: list[tuple[str, ...]] = []
    chosen_set: set[tuple[str, ...]] = set()
    for key in ranked:
        if len(chosen) >= limit:
            break
        if len(key) > 1 and any(_contains(c, key) for c in chosen_set if len(c) > len(key)):
            continue  # a part of a phrase already chosen
        if len(key) == 1 and _mostly_inside(key, chosen_set, count):
            continue
        if len(key) > 1 and count[key] < 2:
            continue
        chosen.append(key)
        chosen_set.add(key)
        if len(key) > 1:  # a word ranked above its phrase gives way to it
            for word in [c for c in chosen if len(c) == 1 and c[0] in key]:
                if _mostly_inside(word, chosen_set, count):
                    chosen.remove(word)
                    chosen_set.discard(word)
    return [_display(surfaces[k], initials[k]) for k in chosen]


_EN_NON_NOUN = re.compile(r"(?:[^e]ed|ive|ous|ful|less|able|ible)$")


def _word_shape(word: str, language: str) -> float:
    """English participles and adjectives rank below nouns as lone terms."""
    if language.startswith("en") and _EN_NON_NOUN.search(word):
        return 0.5
    return 1.0


def _contains(longer: tuple[str, ...], shorter: tuple[str, ...]) -> bool:
    n = len(shorter)
    return any(longer[i : i + n] == shorter for i in range(len(longer) - n + 1))


def _mostly_inside(
    word: tuple[str, ...], chosen: set[tuple[str, ...]], count: Counter[tuple[str, ...]]
) -> bool:
    within = sum(count[c] for c in chosen if len(c) > 1 and word[0] in c)
    return within >= _SUBSUMED * count[word]


def _display(forms: Counter[str], initials: Counter[str]) -> str:
    """The commonest spelling inside sentences (names and acronyms keep their
    capitals), else the sentence-initial one with its first letter lowered."""
    if not forms:
        best = min(initials.items(), key=lambda item: (-item[1], item[0]))[0]
        first = best.split()[0]
        if first[1:] == first[1:].lower():
            best = best[0].lower() + best[1:]
        return best
    best = min(forms.items(), key=lambda item: (-item[1], item[0]))[0]
    lower = sum(c for f, c in forms.items() if f == f.lower())
    if lower and not any(w.isupper() and len(w) > 1 for w in best.split()):
        return best.lower()
    return best
