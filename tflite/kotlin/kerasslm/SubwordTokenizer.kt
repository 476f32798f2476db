// keras-slm reference code for Android apps: case-keeping WordPiece of generated text (copy into your app).
package kerasslm

import java.util.Locale

/**
 * keras-slm's `SubwordTokenizer`, the target side of a translation model: words are runs of
 * non-white-space characters (case and punctuation kept: "What're", "you?"), cut into the
 * longest vocabulary pieces (`##` marks a piece inside a word). [detokenize] turns the ids a
 * model writes back into text: a `##` piece glues to the word before, any other piece starts
 * a new word, special tokens (`[PAD]`, `[CLS]`, `[SEP]`, `[MASK]`) are dropped, `[UNK]` kept.
 *
 * The vocabulary is `target/vocab.txt` of a translation folder (one token per line, line = id).
 *
 * Example:
 * ```
 * val target = SubwordTokenizer(Vocabulary.load(assets.open("zh_en/target_vocab.txt")))
 * val english = target.detokenize(outputIds)       // "What're you saying?"
 * ```
 */
class SubwordTokenizer(
    val vocabulary: Vocabulary,
    val lowercase: Boolean = false,
    val unknownToken: String = "[UNK]",
    val suffixIndicator: String = "##",
    val maxCharsPerWord: Int = 100
) {
    /** Words: white-space separated, as Python's `str.split()` cuts them. */
    fun words(text: String): List<String> {
        val s = if (lowercase) text.toLowerCase(Locale.ROOT) else text
        val words = ArrayList<String>()
        var start = -1
        for (i in 0 until s.length) {
            if (isSpace(s[i])) {
                if (start >= 0) words.add(s.substring(start, i))
                start = -1
            } else if (start < 0) {
                start = i
            }
        }
        if (start >= 0) words.add(s.substring(start))
        return words
    }

    /** WordPiece strings of [text], e.g. `[What', ##re, you, saying?]`. */
    fun tokenize(text: String): List<String> = words(text).flatMap { word ->
        if (word.codePointCount(0, word.length) > maxCharsPerWord) listOf(unknownToken)
        else longestMatchPieces(word, vocabulary, unknownToken, suffixIndicator)
    }

    /** WordPiece ids of [text] (no `[CLS]`/`[SEP]`). */
    fun encode(text: String): IntArray = tokenize(text).map { vocabulary.id(it) ?: vocabulary.id(unknownToken)!! }.toIntArray()

    /** Ids (a translation's output, without `[CLS]`/`[SEP]`) -> text. */
    fun detokenize(ids: IntArray): String {
        val words = ArrayList<StringBuilder>()
        for (id in ids) {
            val piece = vocabulary.token(id) ?: error("id $id is not in the vocabulary (size ${vocabulary.size})")
            if (piece != unknownToken && piece.startsWith("[") && piece.endsWith("]")) continue
            if (piece.startsWith(suffixIndicator) && words.isNotEmpty()) {
                words[words.size - 1].append(piece, suffixIndicator.length, piece.length)
            } else {
                words.add(StringBuilder(piece))
            }
        }
        return words.joinToString(" ")
    }

    companion object {
        /** Python's `str.isspace()` characters (all in the BMP). */
        private const val SPACES = "\t\n\u000b\u000c\r\u001c\u001d\u001e\u001f \u0085\u00a0\u1680" +
            "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"

        fun isSpace(c: Char): Boolean = SPACES.indexOf(c) >= 0
    }
}
