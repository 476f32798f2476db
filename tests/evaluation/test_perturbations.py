"""Perturbation generators: rates, seeds, label/tag alignment, Unicode safety (pure Python, fast)."""

import random
import unicodedata

import pytest

from keras_slm.evaluation import perturbations as P

EN = [
    "a gorgeous, witty, seductive movie.",
    "The plot is a mess and the acting is worse!",
    "it's not the best film of the year, but it's close",
    "Nothing about this movie works.",
] * 50
ZH = ["眉州炒饭超级咸啊京酱肉丝也超级咸，没有堂食的好", "送餐很快，味道不错，下次还会再点。"] * 50
# Combining marks (decomposed é, Vietnamese stacked marks), a ZWJ family, a flag, a skin tone,
# a keycap, and a surrogate pair left as two code units (as surrogatepass decoding leaves it).
TRICKY = ("Cafe\u0301 Vie\u0323\u0302t and 👩\u200d👩\u200d👧 at 🇫🇷 with 👍🏽 and 1\ufe0f\u20e3 "
          "ok \ud83d\ude00 done")
CLUSTERS = ["e\u0301", "e\u0323\u0302", "👩\u200d👩\u200d👧", "🇫🇷", "👍🏽", "1\ufe0f\u20e3", "\ud83d\ude00"]
TAILS = {c[1:] for c in CLUSTERS}
LONE = {"\u200d", "\ufe0f", "\u20e3", "\U0001f3fd", "\U0001f1eb", "\U0001f1f7", "\ud83d", "\ude00"}


def _letters(text):
    return sum(1 for u in P.graphemes(text) if u[0].isascii() and u[0].isalpha())


def test_typo_rate_is_the_share_of_letters_changed():
    for rate in (0.05, 0.10):
        changed = letters = 0
        for i, text in enumerate(EN):
            out = P.typos(text, random.Random(i), rate, ops=("substitute",))
            a, b = P.graphemes(text), P.graphemes(out)
            assert len(a) == len(b)  # substitutions only: units line up
            changed += sum(x != y for x, y in zip(a, b))
            letters += _letters(text)
        assert abs(changed / letters - rate) < 0.01, (rate, changed / letters)


def test_every_typo_op_changes_the_text_and_keeps_case():
    for op in P.TYPO_OPS:
        outs = [P.typos("Nothing ABOUT this", random.Random(s), 0.3, ops=(op,)) for s in range(20)]
        assert all(o != "Nothing ABOUT this" for o in outs), op
        if op == "delete":
            assert all(len(o) < len("Nothing ABOUT this") for o in outs)
        if op == "insert":
            assert all(len(o) > len("Nothing ABOUT this") for o in outs)
    # A substituted upper-case letter stays upper-case (keyboard neighbour, same case).
    out = P.typos("ABCDEFGHIJ", random.Random(0), 1.0, ops=("substitute",))
    assert out.isupper() and out != "ABCDEFGHIJ"


def test_chinese_substitution_uses_the_pool_and_keeps_length():
    pool = P.character_pool(ZH)
    (sub10,) = [p for p in P.suite("zh", pool) if p.name == "char_sub_10"]
    outs = P.perturb_texts(sub10, ZH, seed=3)
    changed = total = 0
    for text, out in zip(ZH, outs):
        assert len(out) == len(text)
        diff = [(a, b) for a, b in zip(text, out) if a != b]
        assert all(P.is_cjk(a) and b in pool for a, b in diff)
        changed += len(diff)
        total += sum(P.is_cjk(c) for c in text)
    assert abs(changed / total - 0.10) < 0.015


def test_same_seed_same_output_other_seed_other_output():
    for p in P.suite("en"):
        first, again = P.perturb_texts(p, EN, seed=7), P.perturb_texts(p, EN, seed=7)
        assert first == again, p.name
        if p.name.startswith(("typo_", "whitespace", "word_dropout")):
            assert P.perturb_texts(p, EN, seed=8) != first, p.name


def test_token_perturbations_keep_tags_aligned():
    sentences = [["EU", "rejects", "German", "call", "to", "boycott", "British", "lamb", "."],
                 ["Peter", "Blackburn"], ["BRUSSELS", "1996-08-22"]] * 20
    for language, sents in (("en", sentences), ("zh", [list(t) for t in ZH])):
        for p in P.suite(language, P.character_pool(ZH)):
            if not p.on_tokens:
                with pytest.raises(ValueError, match="no token form"):
                    p.apply_tokens(sents[0], random.Random(0))
                continue
            out = P.perturb_tokens(p, sents, seed=1)
            assert [len(s) for s in out] == [len(s) for s in sents], p.name
            assert all(t for s in out for t in s), p.name  # no token vanishes
    copies, source = P.noisy_token_copies(sentences, copies=2, seed=0)
    assert copies and all(len(c) == len(sentences[i]) for c, i in zip(copies, source))


def test_unicode_clusters_are_never_split():
    assert P.graphemes(TRICKY).count("e\u0301") == 1
    for cluster in CLUSTERS:
        assert cluster in P.graphemes(TRICKY), ascii(cluster)
    every_letter = P.Perturbation("typo_100", lambda t, r: P.typos(t, r, 1.0, list("汉字")), "all letters")
    perts = P.suite("en") + P.suite("zh", list("汉字")) + [every_letter]
    for p in perts:
        for seed in range(30):
            out = p.apply(TRICKY, random.Random(seed))
            if not p.name.startswith(("word_dropout", "whitespace", "to_", "full_", "half_")):
                assert all(c in out for c in CLUSTERS[2:]), (p.name, ascii(out))  # never touched
            for u in P.graphemes(out):
                # A cluster survives whole (its tail after the base unchanged) or not at all; no
                # mark, joiner, selector, regional indicator or surrogate half is ever left alone.
                if len(u) > 1:
                    assert u[1:] in TAILS, (p.name, seed, ascii(u))
                else:
                    assert not unicodedata.combining(u) and u not in LONE, (p.name, seed, ascii(u))


def test_width_and_script_conversions():
    ascii_text = "Hello, World! 123 (ok)"
    assert P.full_width(ascii_text) == "Ｈｅｌｌｏ，\u3000Ｗｏｒｌｄ！\u3000１２３\u3000（ｏｋ）"
    assert P.half_width(P.full_width(ascii_text)) == ascii_text
    assert P.to_traditional("汉字简体") == "漢字簡體"
    assert P.to_simplified("漢字簡體") == "汉字简体"


def test_noisy_copies_keep_their_source_and_differ_from_it():
    copies, source = P.noisy_copies(EN[:4], copies=3, seed=0)
    assert len(copies) == len(source) > 4
    assert all(c != EN[i] for c, i in zip(copies, source))
    assert P.noisy_copies(EN[:4], copies=3, seed=0) == (copies, source)
    zh_copies, zh_source = P.noisy_copies(ZH[:2], copies=4, seed=0)
    assert P.detect_language(ZH) == "zh" and P.detect_language(EN) == "en"
    assert any(len(c) == len(ZH[i]) and c != ZH[i] for c, i in zip(zh_copies, zh_source))
