"""Seeded text perturbations: what phone users type (typos, casing, punctuation, spacing, script variants).

Every perturbation works on grapheme clusters (`graphemes`): a base character with its combining
marks, an emoji ZWJ sequence, a flag or a surrogate pair is one unit and is never split. Each
takes a text and a `random.Random` and returns the perturbed text; on a token list (`perturb_tokens`,
NER) it changes characters inside tokens only, so the tags stay aligned.

English suite (`suite("en")`):
    typo_5 / typo_10   keyboard typos on 5% / 10% of the letters: a QWERTY neighbour substituted
                       or inserted, the letter deleted, or swapped with the next letter (equally likely)
    lowercase / uppercase, no_punct (punctuation removed)
    whitespace         each space dropped or doubled with probability 0.2 (0.1 each)
    word_dropout       each word dropped with probability 0.1 (at least one kept; texts only)
Chinese suite (`suite("zh")`):
    char_sub_5 / char_sub_10   5% / 10% of the CJK characters replaced by a random character of
                               `pool` (the evaluation file's characters, frequency-weighted)
    to_traditional / to_simplified   OpenCC s2t / t2s
    full_width / half_width    ASCII <-> full-width forms (U+FF01-FF5E, ideographic space)
    no_punct

Example:
>>> import random
>>> typos("a gorgeous, witty film", random.Random(0), 0.1) != "a gorgeous, witty film"
True
"""

import functools
import random
import unicodedata

import regex

_GRAPHEME = regex.compile(r"\X")
_ROWS = ("1234567890", "qwertyuiop", "asdfghjkl", "zxcvbnm")
TYPO_OPS = ("substitute", "insert", "delete", "swap")


def _keyboard():
    pos = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}
    near = {}
    for c, (r, i) in pos.items():
        near[c] = "".join(d for d, (r2, j) in pos.items() if d != c and abs(r2 - r) <= 1 and abs(j - i) <= 1)
    return near


KEYBOARD_NEIGHBOURS = _keyboard()


def graphemes(text):
    """`text` split into user-perceived characters (extended grapheme clusters; surrogate pairs kept whole).

    Example:
    >>> [len(u) for u in graphemes("e\\u0301👍🏽a")]
    [2, 2, 1]
    """
    units = _GRAPHEME.findall(text)
    out = []
    for u in units:  # a high + low surrogate left apart (str from surrogatepass decoding) stays one unit
        if out and "\ud800" <= out[-1][-1] <= "\udbff" and "\udc00" <= u[0] <= "\udfff":
            out[-1] += u
        else:
            out.append(u)
    return out


def is_cjk(unit):
    """True for a CJK ideograph (the unit's base character)."""
    return "CJK" in unicodedata.name(unit[0], "") and unicodedata.category(unit[0]) == "Lo"


def _stochastic_count(rate, n, rng):
    """round(rate * n) up or down at random so that its mean is exactly rate * n."""
    exact = rate * n
    return min(n, int(exact) + (rng.random() < exact - int(exact)))


def typos(text, rng, rate, pool=None, ops=TYPO_OPS):
    """Character typos on `rate` of the letters (stochastic rounding: exact on average).

    ASCII letters get a keyboard typo (one of `ops`, case kept); CJK ideographs are replaced by a
    different character of `pool` (a list of characters; no pool: CJK left alone). Other units
    (digits, punctuation, emoji, other scripts) are never touched.
    """
    units = graphemes(text)
    pool = pool or ()
    eligible = [i for i, u in enumerate(units)
                if u[0].lower() in KEYBOARD_NEIGHBOURS and u[0].isalpha() or (pool and is_cjk(u))]
    for i in sorted(rng.sample(eligible, _stochastic_count(rate, len(eligible), rng)), reverse=True):
        u = units[i]
        if is_cjk(u):
            units[i] = _other(pool, u, rng)
            continue
        op = rng.choice(ops)
        near = rng.choice(KEYBOARD_NEIGHBOURS[u[0].lower()])
        near = near.upper() if u[0].isupper() else near
        if op == "substitute":
            units[i] = near
        elif op == "insert":
            units.insert(i + 1, near)
        elif op == "delete":
            del units[i]
        elif i + 1 < len(units) and units[i + 1][0].isalpha():
            units[i], units[i + 1] = units[i + 1], units[i]
        else:  # swap at a word end: substitute instead
            units[i] = near
    return "".join(units)


def _other(pool, unit, rng):
    for _ in range(8):
        c = rng.choice(pool)
        if c != unit:
            return c
    return unit


def lowercase(text, rng=None):
    return text.lower()


def uppercase(text, rng=None):
    return text.upper()


def no_punct(text, rng=None):
    """Punctuation (Unicode category P*) removed."""
    return "".join(u for u in graphemes(text) if not unicodedata.category(u[0]).startswith("P"))


def whitespace(text, rng, rate=0.2):
    """Each space dropped or doubled (each with probability rate / 2)."""
    out = []
    for c in text:
        if c == " ":
            r = rng.random()
            c = "" if r < rate / 2 else "  " if r < rate else c
        out.append(c)
    return "".join(out)


def word_dropout(text, rng, rate=0.1):
    """Each white-space separated word dropped with probability `rate` (at least one kept)."""
    words = text.split()
    kept = [w for w in words if rng.random() >= rate]
    return " ".join(kept or words[:1])


@functools.lru_cache(maxsize=None)
def _opencc(config):
    from opencc import OpenCC

    return OpenCC(config)


def to_traditional(text, rng=None):
    """Simplified -> traditional Chinese (OpenCC s2t)."""
    return _opencc("s2t").convert(text)


def to_simplified(text, rng=None):
    """Traditional -> simplified Chinese (OpenCC t2s)."""
    return _opencc("t2s").convert(text)


_TO_FULL = {c: c + 0xFEE0 for c in range(0x21, 0x7F)} | {0x20: 0x3000}
_TO_HALF = {v: k for k, v in _TO_FULL.items()}


def full_width(text, rng=None):
    """ASCII characters -> their full-width forms (U+FF01-FF5E; space -> U+3000)."""
    return text.translate(_TO_FULL)


def half_width(text, rng=None):
    """Full-width forms and the ideographic space -> ASCII."""
    return text.translate(_TO_HALF)


class Perturbation:
    """A named perturbation: `fn(text, rng) -> text`; `on_tokens` False when it needs whole texts.

    Example:
    >>> p = Perturbation("lowercase", lowercase, "lower-cased")
    >>> p.apply_tokens(["New", "York"], random.Random(0))
    ['new', 'york']
    """

    def __init__(self, name, fn, description, on_tokens=True):
        self.name, self.fn, self.description, self.on_tokens = name, fn, description, on_tokens

    def apply(self, text, rng):
        return self.fn(text, rng)

    def apply_tokens(self, tokens, rng):
        """Each token perturbed on its own; a token that would vanish stays as it was."""
        if not self.on_tokens:
            raise ValueError(f"perturbation {self.name!r} changes words, not characters; it has no token form")
        return [self.fn(t, rng) or t for t in tokens]

    def __repr__(self):
        return f"Perturbation({self.name!r})"


def suite(language="en", pool=None):
    """The standard perturbations for "en" or "zh" (`pool`: characters for CJK substitutions)."""
    pool = list(pool or ())
    common = [Perturbation("no_punct", no_punct, "punctuation removed")]
    if language == "zh":
        return [
            Perturbation("char_sub_5", lambda t, r: typos(t, r, 0.05, pool), "5% of CJK characters substituted"),
            Perturbation("char_sub_10", lambda t, r: typos(t, r, 0.10, pool), "10% of CJK characters substituted"),
            Perturbation("to_traditional", to_traditional, "simplified -> traditional (OpenCC s2t)"),
            Perturbation("to_simplified", to_simplified, "traditional -> simplified (OpenCC t2s)"),
            Perturbation("full_width", full_width, "ASCII -> full-width forms"),
            Perturbation("half_width", half_width, "full-width forms -> ASCII"),
            *common,
        ]
    if language != "en":
        raise ValueError(f"`language` must be 'en' or 'zh', received {language!r}.")
    return [
        Perturbation("typo_5", lambda t, r: typos(t, r, 0.05), "keyboard typos on 5% of letters"),
        Perturbation("typo_10", lambda t, r: typos(t, r, 0.10), "keyboard typos on 10% of letters"),
        Perturbation("lowercase", lowercase, "lower-cased"),
        Perturbation("uppercase", uppercase, "upper-cased"),
        *common,
        Perturbation("whitespace", whitespace, "spaces dropped or doubled (p=0.2)", on_tokens=False),
        Perturbation("word_dropout", word_dropout, "10% of words dropped", on_tokens=False),
    ]


def detect_language(texts):
    """"zh" when over 30% of the letters in `texts` are CJK ideographs, else "en"."""
    letters = cjk = 0
    for text in texts:
        for c in text:
            if c.isalpha():
                letters += 1
                cjk += is_cjk(c)
    return "zh" if letters and cjk / letters > 0.3 else "en"


def character_pool(texts):
    """The CJK characters of `texts`, repeated as often as they occur (a frequency-weighted pool), sorted."""
    return sorted(c for text in texts for c in text if is_cjk(c))


def row_rng(seed, name, index):
    """The `random.Random` for row `index` under perturbation `name`: the same whatever else is perturbed."""
    return random.Random(f"{seed}/{name}/{index}")


def perturb_texts(perturbation, texts, seed=0):
    """`perturbation` applied to every text, row i with `row_rng(seed, name, i)`."""
    return [perturbation.apply(t, row_rng(seed, perturbation.name, i)) for i, t in enumerate(texts)]


def perturb_tokens(perturbation, sentences, seed=0):
    """`perturbation` applied inside the tokens of every sentence (lists of tokens; lengths kept)."""
    return [perturbation.apply_tokens(s, row_rng(seed, perturbation.name, i)) for i, s in enumerate(sentences)]


def _training_mix(texts, language, rate, tokens):
    language = language or detect_language(texts[:2000])
    pool = character_pool(texts[:5000]) if language == "zh" else None
    typo = Perturbation("typos", lambda t, r: typos(t, r, rate, pool), f"typos on {rate:.0%}")
    others = [p for p in suite(language, pool) if not p.name.startswith(("typo_", "char_sub_", "to_simplified"))
              and (p.on_tokens or not tokens)]
    return typo, others


def noisy_copies(texts, copies=1, seed=0, language=None, rate=0.1):
    """Perturbed copies of `texts` for training (`--augment noise`): (copies, index of each copy's source).

    Each copy gets one perturbation: typos (`rate` of the letters; "zh": CJK substitutions from the
    texts' own characters) half of the time, else one of the suite's others, uniformly. Copies equal
    to their source are left out.

    Example:
    >>> copies, source = noisy_copies(["a gorgeous, witty film", "dull"], copies=2, seed=0)
    >>> len(copies) == len(source) and all(s in (0, 1) for s in source)
    True
    """
    typo, others = _training_mix(texts, language, rate, tokens=False)
    out, source = [], []
    for c in range(copies):
        for i, text in enumerate(texts):
            rng = row_rng(seed, f"augment{c}", i)
            p = typo if rng.random() < 0.5 else rng.choice(others)
            copy = p.apply(text, rng)
            if copy != text and copy.strip():
                out.append(copy)
                source.append(i)
    return out, source


def noisy_token_copies(sentences, copies=1, seed=0, language=None, rate=0.1):
    """`noisy_copies` for token lists (taggers): characters change inside tokens only, so tags stay aligned.

    Returns (copies, index of each copy's source sentence).
    """
    typo, others = _training_mix([" ".join(s) for s in sentences], language, rate, tokens=True)
    out, source = [], []
    for c in range(copies):
        for i, tokens in enumerate(sentences):
            rng = row_rng(seed, f"augment{c}", i)
            p = typo if rng.random() < 0.5 else rng.choice(others)
            copy = p.apply_tokens(tokens, rng)
            if copy != list(tokens):
                out.append(copy)
                source.append(i)
    return out, source
