// keras-slm reference code for Android apps: word tokenizer (copy into your app).
package kerasslm

import java.util.Locale

/**
 * Text -> token ids exactly as keras-slm's Python `WordTokenizer` gives them.
 *
 * Lowercases (when the model was trained so), splits on runs of characters that are not
 * letters, digits, `_` or `'` (Unicode-aware, like Python's `[^\w']+`), maps tokens to ids,
 * puts `<START>` (1) first, pads with `<PAD>` (0) and uses `<UNKNOWN>` (2) for unseen tokens.
 *
 * Example:
 * ```
 * val tokenizer = WordTokenizer(Vocabulary.load(assets.open("vocab.txt")))
 * val ids: IntArray = tokenizer.encode("A gorgeous, witty film", seqLen = 64)
 * ```
 */
open class WordTokenizer(val vocabulary: Vocabulary, val lowercase: Boolean = true) {

    /** The string tokens of [text], before the vocabulary lookup. */
    open fun tokenize(text: String): List<String> {
        val prepared = if (lowercase) text.toLowerCase(Locale.ROOT) else text
        return split(prepared)
    }

    protected fun split(text: String): List<String> = DELIMITER.split(text).filter { it.isNotEmpty() }

    /** `<START>`, token ids, then `<PAD>` up to [seqLen] (truncated to [seqLen]). */
    fun encode(text: String, seqLen: Int): IntArray {
        require(seqLen >= 2) { "seqLen must be >= 2, got $seqLen" }
        val out = IntArray(seqLen) { PAD_ID }
        out[0] = START_ID
        var i = 1
        for (token in tokenize(text)) {
            if (i >= seqLen) break
            out[i++] = vocabulary.id(token) ?: UNKNOWN_ID
        }
        return out
    }

    /**
     * Token ids of [text] without `<START>` or padding, at most [maxLen] (a translation model's
     * source ids: `source_ids` in its golden.json, 0-padded to `source_len` by [GreedyDecoder]).
     */
    fun ids(text: String, maxLen: Int = Int.MAX_VALUE): IntArray {
        val tokens = tokenize(text)
        return IntArray(minOf(tokens.size, maxLen)) { vocabulary.id(tokens[it]) ?: UNKNOWN_ID }
    }

    companion object {
        const val PAD_ID = 0
        const val START_ID = 1
        const val UNKNOWN_ID = 2

        /** Java's `\p{L}`/`\p{N}` are Unicode classes: "café" and "日本語" stay whole, as in Python. */
        val DELIMITER = Regex("[^\\p{L}\\p{N}_']+")
    }
}
