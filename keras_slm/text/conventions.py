"""The id and splitting conventions shared by the Python tokenizers and the in-graph `TextToIds`.

Ids follow MediaPipe's regex-tokenizer convention: `<PAD>`=0, `<START>`=1, `<UNKNOWN>`=2.
Words split on MediaPipe's delimiter; CJK characters (Han and kana) are single tokens for
`CjkCharTokenizer`. This module imports nothing from keras_slm, so the tokenizers and the
Keras layer both read it without importing each other.
"""

PAD, START, UNKNOWN = "<PAD>", "<START>", "<UNKNOWN>"
RESERVED = (PAD, START, UNKNOWN)
PAD_ID, START_ID, UNKNOWN_ID = 0, 1, 2

# MediaPipe's text classifier delimiter. Python's `\w` is Unicode-aware; RE2 (on device)
# and Java's regex without (?U) are ASCII-only, so non-ASCII text can split differently
# there (see tflite/README.md). The in-graph layer uses `[^\pL\pN_']+` to match Python.
DELIMITER = r"[^\w']+"

# Han (CJK unified ideographs, extension A, compatibility) and kana. Hangul is written
# with spaces between words, so Korean words stay whole like Latin ones.
CJK_RANGES = (
    ("\u3040", "\u30ff"),
    ("\u3400", "\u4dbf"),
    ("\u4e00", "\u9fff"),
    ("\uf900", "\ufaff"),
)
CJK_CLASS = "[" + "".join(f"{a}-{b}" for a, b in CJK_RANGES) + "]"
