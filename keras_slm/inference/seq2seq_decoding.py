"""Greedy and beam-search decoding for encoder-decoder models, one loop for Keras and TFLite.

A `Seq2SeqDriver` wraps two functions, `encode(feed) -> outputs` and
`decode(feed) -> outputs` (dicts keyed by the exported signature's input / output names),
so the very same loop drives the Keras step models (`Seq2SeqDriver.from_steps`) and a
.tflite file's `encode` / `decode` signatures (`keras_slm.inference.seq2seq_driver`): the
token-for-token comparison between the two tests the file, not two loops.

State per family: LSTM `(h, c)` arrays fed back each step; transformer the ids written
so far (the decode signature reads the whole window and returns the next-token logits
at `index`).
"""

import math

import numpy as np

_BLOCKED = -1e9


class Seq2SeqDriver:
    """Runs encode / decode functions with explicit state.

    Args:
        family: "lstm" or "transformer".
        encode: `fn({"source_ids": [1, S]}) -> {"memory", ("h", "c")}`.
        decode: `fn(inputs dict) -> {"logits": [1, V], ("h_out", "c_out")}`.
        source_len: S.
        target_len: T, the transformer's window (the longest output, `[CLS]` included).

    Example:
    >>> driver = Seq2SeqDriver.from_steps(steps)  # doctest: +SKIP
    >>> greedy_decode(driver, [5, 9, 7], max_tokens=20, bos_id=2, eos_id=3)  # doctest: +SKIP
    """

    def __init__(self, family, encode, decode, source_len, target_len=None):
        if family not in ("lstm", "transformer"):
            raise ValueError(f"`family` must be 'lstm' or 'transformer', received {family!r}.")
        self.family, self._encode, self._decode = family, encode, decode
        self.source_len, self.target_len = int(source_len), target_len and int(target_len)
        self.record = None  # {"encode": [], "decode": []}: feeds are appended (int8 calibration)

    @classmethod
    def from_steps(cls, steps):
        """A driver over Keras step models (`LSTMSeq2SeqSteps` / `TransformerSeq2SeqSteps`)."""
        import tensorflow as tf

        family = "lstm" if hasattr(steps, "units") else "transformer"
        specs = steps.decoder_specs()
        names = list(specs)
        # tf.function: one traced graph per model instead of eager layer calls per token.
        encoder = tf.function(lambda ids: steps.encoder(ids, training=False),
                              input_signature=[tf.TensorSpec([1, steps.source_len], tf.int32)])
        decoder = tf.function(lambda *args: steps.decoder(list(args), training=False),
                              input_signature=[tf.TensorSpec(shape, dtype) for shape, dtype in specs.values()])

        def encode(feed):
            out = encoder(feed["source_ids"])
            out = out if isinstance(out, (list, tuple)) else [out]
            return {n: o.numpy() for n, o in zip(steps.encoder.output_names, out)}

        def decode(feed):
            out = decoder(*[feed[n] for n in names])
            out = out if isinstance(out, (list, tuple)) else [out]
            return {n: o.numpy() for n, o in zip(steps.decoder.output_names, out)}

        return cls(family, encode, decode, steps.source_len, getattr(steps, "target_len", None))

    def _call(self, kind, fn, feed):
        if self.record is not None:
            self.record[kind].append({k: np.array(v) for k, v in feed.items()})
        return fn(feed)

    def start(self, source_ids, bos_id):
        """Encodes one sentence's ids; returns (context, initial state)."""
        row = np.zeros((1, self.source_len), np.int32)
        ids = list(source_ids)[: self.source_len]
        row[0, : len(ids)] = ids
        out = self._call("encode", self._encode, {"source_ids": row})
        context = {"memory": np.asarray(out["memory"], np.float32), "source_ids": row}
        if self.family == "lstm":
            return context, (np.asarray(out["h"], np.float32), np.asarray(out["c"], np.float32), (bos_id,))
        return context, ((bos_id,),)

    def step(self, context, state):
        """Next-token logits `[V]` after the ids in `state`, and the state to extend."""
        if self.family == "lstm":
            h, c, ids = state
            out = self._call("decode", self._decode, {"token": np.array([ids[-1]], np.int32), "h": h, "c": c, **context})
            return np.asarray(out["logits"], np.float32)[0], (out["h_out"], out["c_out"])
        (ids,) = state
        window = np.zeros((1, self.target_len), np.int32)
        window[0, : len(ids)] = ids
        out = self._call("decode", self._decode, {"target_ids": window, "index": np.array([len(ids) - 1], np.int32),
                                                  **context})
        return np.asarray(out["logits"], np.float32)[0], ()

    def extend(self, state, step_state, token):
        """The state after choosing `token` (the step's new recurrent state, ids + token)."""
        ids = state[-1] + (int(token),)
        return (*step_state, ids) if self.family == "lstm" else (ids,)

    def max_tokens(self, requested):
        """Tokens a decode may write: the transformer's window caps it."""
        if self.family == "transformer":
            return min(int(requested), self.target_len - 1)
        return int(requested)


def _mask(logits, blocked):
    logits = np.array(logits, np.float32)
    if blocked:
        logits[list(blocked)] = _BLOCKED
    return logits


def greedy_decode(driver, source_ids, max_tokens=32, bos_id=2, eos_id=3, blocked_ids=(0,)):
    """The most probable next token, step by step, until `eos_id` (dropped) or `max_tokens`.

    Args:
        driver: a `Seq2SeqDriver`.
        source_ids: the source sentence's ids (no padding needed).
        max_tokens: the most tokens to write (`eos_id` included).
        bos_id: the id that starts every target (`[CLS]`).
        eos_id: the id that ends it (`[SEP]`).
        blocked_ids: ids never written (padding, ...).

    Returns:
        list of int: the target ids, without `bos_id` / `eos_id`.
    """
    context, state = driver.start(source_ids, bos_id)
    out = []
    for _ in range(driver.max_tokens(max_tokens)):
        logits, step_state = driver.step(context, state)
        token = int(np.argmax(_mask(logits, blocked_ids)))
        if token == eos_id:
            break
        out.append(token)
        state = driver.extend(state, step_state, token)
    return out


def _log_softmax(logits):
    logits = logits - logits.max()
    return logits - math.log(float(np.exp(logits).sum()))


def length_penalty(length, alpha):
    """GNMT's length normalisation `((5 + length) / 6) ** alpha` (Wu et al. 2016)."""
    return ((5.0 + length) / 6.0) ** alpha


def beam_decode(driver, source_ids, width=4, alpha=0.6, max_tokens=32, bos_id=2, eos_id=3, blocked_ids=(0,)):
    """Beam search: keeps the `width` best partial targets, scores finished ones by
    log-probability / `length_penalty(length, alpha)`.

    Width 1 gives exactly `greedy_decode`'s tokens. Args as `greedy_decode`, plus:
        width: beams kept per step.
        alpha: length-penalty exponent (0: raw log-probability, favours short outputs).

    Returns:
        list of int: the best target ids, without `bos_id` / `eos_id`.
    """
    if width < 1:
        raise ValueError(f"`width` must be >= 1, received {width}.")
    context, state = driver.start(source_ids, bos_id)
    beams = [(0.0, state, [])]  # (log-probability, state, tokens)
    finished = []  # (normalised score, tokens)
    for length in range(1, driver.max_tokens(max_tokens) + 1):
        candidates = []
        for score, state, tokens in beams:
            logits, step_state = driver.step(context, state)
            logp = _log_softmax(_mask(logits, blocked_ids))
            for token in np.argsort(-logp, kind="stable")[:width]:
                candidates.append((score + float(logp[token]), state, step_state, tokens, int(token)))
        candidates.sort(key=lambda c: -c[0])
        beams = []
        for score, state, step_state, tokens, token in candidates[:width]:
            if token == eos_id:
                finished.append((score / length_penalty(length, alpha), tokens))
            else:
                beams.append((score, driver.extend(state, step_state, token), tokens + [token]))
        best_open = max((s for s, _, _ in beams), default=-math.inf)
        # An open beam's score only falls; its best normalised score is bounded by the longest length.
        if not beams or (len(finished) >= width and
                         best_open / length_penalty(driver.max_tokens(max_tokens), alpha) < max(s for s, _ in finished)):
            break
    if not finished:
        finished = [(s / length_penalty(len(t), alpha), t) for s, _, t in beams]
    return max(finished, key=lambda f: f[0])[1]


def batch_greedy(model, sources, target_len, bos_id=2, eos_id=3, blocked_ids=(0,), batch_size=256):
    """Greedy decoding of many sentences at once with the teacher-forced model itself.

    Both decoders are causal (the logits at position t see targets <= t only), so feeding
    the ids written so far and reading position t gives the step models' next token; this
    runs `target_len - 1` batched forward passes instead of one step per token per sentence.
    For validation and bulk evaluation; the per-token loop (`greedy_decode`) is what a phone runs.

    Args:
        model: `[source_ids [B, S], target_ids [B, T]] -> logits [B, T, V]`.
        sources: int32 `[N, S]` padded source ids.
        target_len: T.

    Returns:
        list of N id lists (without `bos_id` / `eos_id`).
    """
    sources = np.asarray(sources, np.int32)
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec([None, sources.shape[1]], tf.int32),
                                  tf.TensorSpec([None, target_len], tf.int32), tf.TensorSpec([], tf.int32)])
    def next_logits(src, ids, t):  # one traced graph; only position t's logits leave it
        return tf.gather(model([src, ids], training=False), t, axis=1)

    results = []
    for start in range(0, len(sources), batch_size):
        src = sources[start : start + batch_size]
        ids = np.zeros((len(src), target_len), np.int32)
        ids[:, 0] = bos_id
        done = np.zeros(len(src), bool)
        for t in range(target_len - 1):
            logits = next_logits(src, ids, tf.constant(t, tf.int32)).numpy()
            if blocked_ids:
                logits[:, list(blocked_ids)] = _BLOCKED
            token = logits.argmax(-1)
            ids[:, t + 1] = np.where(done, 0, token)
            done |= token == eos_id
            if done.all():
                break
        for row in ids:
            out = []
            for token in row[1:]:
                if token in (eos_id, 0):
                    break
                out.append(int(token))
            results.append(out)
    return results
