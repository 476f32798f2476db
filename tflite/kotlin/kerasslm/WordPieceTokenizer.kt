// keras-slm reference code for Android apps: BERT WordPiece tokenizer (copy into your app).
package kerasslm

import java.text.Normalizer
import java.util.Locale

/**
 * BERT-style tokenization: basic tokenization, then greedy longest-match-first WordPiece.
 *
 * Matches keras-hub's `WordPieceTokenizer(lowercase=True, strip_accents=True, split=True,
 * split_on_cjk=True)` and tensorflow-text's uncased `BertTokenizer` on the sentences we test
 * (English and Chinese): strip accents (NFD, drop `Mn` marks); split on whitespace and
 * control/format characters (dropped) and on punctuation and CJK characters (each kept as a
 * word); fold case (NFKC_Casefold); then split each word into the longest vocabulary pieces,
 * pieces after the first prefixed with `##`; a word that cannot be split (or is longer than
 * 100 UTF-8 bytes) becomes `[UNK]`.
 *
 * Example:
 * ```
 * val tok = WordPieceTokenizer(Vocabulary.load(assets.open("vocab.txt")))
 * val (ids, mask, types) = tok.encodeForBert("A man is eating food.", seqLen = 128)
 * ```
 */
class WordPieceTokenizer(
    val vocabulary: Vocabulary,
    val lowercase: Boolean = true,
    val stripAccents: Boolean = true,
    val splitOnCjk: Boolean = true,
    val unknownToken: String = "[UNK]",
    val suffixIndicator: String = "##",
    val maxBytesPerWord: Int = 100
) {
    /** Words after basic tokenization (before WordPiece). */
    fun words(text: String): List<String> {
        var s = text
        if (stripAccents) s = MARKS.replace(Normalizer.normalize(s, Normalizer.Form.NFD), "")
        val delimiter = if (splitOnCjk) DELIMITER_CJK else DELIMITER
        val keep = if (splitOnCjk) KEEP_CJK else KEEP
        val words = ArrayList<String>()
        var position = 0
        for (match in delimiter.findAll(s)) {
            if (match.range.first > position) words.add(s.substring(position, match.range.first))
            if (keep.matches(match.value)) words.add(match.value)
            position = match.range.last + 1
        }
        if (position < s.length) words.add(s.substring(position))
        return if (lowercase) words.map { caseFold(it) } else words
    }

    /** WordPiece strings of [text], e.g. `[he, ##llo, !]`. */
    fun tokenize(text: String): List<String> = words(text).flatMap { wordPieces(it) }

    /** WordPiece ids of [text] (no `[CLS]`/`[SEP]`, no padding). */
    fun encode(text: String): IntArray = tokenize(text).map { vocabulary.id(it)!! }.toIntArray()

    /**
     * The three BERT inputs for one text: `[CLS] pieces [SEP]`, padded with 0 to [seqLen]
     * (`input_word_ids`), the attention mask (`input_mask`) and zeros (`input_type_ids`).
     */
    fun encodeForBert(text: String, seqLen: Int, cls: String = "[CLS]", sep: String = "[SEP]"): Triple<IntArray, IntArray, IntArray> {
        val pieces = encode(text)
        val n = minOf(pieces.size, seqLen - 2)
        val ids = IntArray(seqLen)
        val mask = IntArray(seqLen)
        ids[0] = vocabulary.id(cls) ?: error("$cls is not in the vocabulary")
        for (i in 0 until n) ids[i + 1] = pieces[i]
        ids[n + 1] = vocabulary.id(sep) ?: error("$sep is not in the vocabulary")
        for (i in 0 until n + 2) mask[i] = 1
        return Triple(ids, mask, IntArray(seqLen))
    }

    private fun wordPieces(word: String): List<String> {
        if (word.length == 0) return emptyList()
        if (word.toByteArray(Charsets.UTF_8).size > maxBytesPerWord) return listOf(unknownToken)
        return longestMatchPieces(word, vocabulary, unknownToken, suffixIndicator)
    }

    companion object {
        private val MARKS = Regex("\\p{Mn}")
        private const val SPACE = "[ \\t\\n\\r\\f]|\\p{Cc}|\\p{Cf}"
        private const val PUNCT = "[!-/]|[:-@]|[\\[-`]|[{-~]|\\p{P}"
        private const val CJK = "[\\x{4E00}-\\x{9FFF}]|[\\x{3400}-\\x{4DBF}]|[\\x{20000}-\\x{2A6DF}]|" +
            "[\\x{2A700}-\\x{2B73F}]|[\\x{2B740}-\\x{2B81F}]|[\\x{2B820}-\\x{2CEAF}]|[\\x{F900}-\\x{FAFF}]|" +
            "[\\x{2F800}-\\x{2FA1F}]"
        private val DELIMITER = Regex("$SPACE|$PUNCT")
        private val DELIMITER_CJK = Regex("$SPACE|$PUNCT|$CJK")
        private val KEEP = Regex(PUNCT)
        private val KEEP_CJK = Regex("$PUNCT|$CJK")

        // Unicode Default_Ignorable_Code_Point ranges, dropped by NFKC_Casefold.
        private val IGNORABLE = intArrayOf(
            0x00AD, 0x00AD, 0x034F, 0x034F, 0x061C, 0x061C, 0x115F, 0x1160, 0x17B4, 0x17B5,
            0x180B, 0x180F, 0x200B, 0x200F, 0x202A, 0x202E, 0x2060, 0x206F, 0x3164, 0x3164,
            0xFE00, 0xFE0F, 0xFEFF, 0xFEFF, 0xFFA0, 0xFFA0, 0xFFF0, 0xFFF8, 0x1BCA0, 0x1BCA3,
            0x1D173, 0x1D17A, 0xE0000, 0xE0FFF
        )

        private fun ignorable(cp: Int): Boolean {
            var i = 0
            while (i < IGNORABLE.size) {
                if (cp >= IGNORABLE[i] && cp <= IGNORABLE[i + 1]) return true
                i += 2
            }
            return false
        }

        /**
         * NFKC_Casefold (what tensorflow-text's `case_fold_utf8` does): NFKC, full case folding
         * (approximated per code point by upper- then lower-casing, which gives ß -> ss and
         * final ς -> σ like folding does; dotless ı is kept), NFKC again, ignorables dropped.
         */
        fun caseFold(text: String): String {
            val s = Normalizer.normalize(text, Normalizer.Form.NFKC)
            val out = StringBuilder(s.length)
            var i = 0
            while (i < s.length) {
                val cp = s.codePointAt(i)
                val one = String(Character.toChars(cp))
                when {
                    ignorable(cp) -> {}
                    cp == 0x0131 -> out.append(one)
                    else -> out.append(one.toUpperCase(Locale.ROOT).toLowerCase(Locale.ROOT))
                }
                i += Character.charCount(cp)
            }
            return Normalizer.normalize(out.toString(), Normalizer.Form.NFKC)
        }
    }
}

/**
 * Greedy longest-match-first WordPiece of one word: the longest vocabulary prefix, then the
 * longest `##` pieces after it; `[unknownToken]` alone when some part matches nothing.
 * Works on code points, so characters outside the BMP are never split in half.
 */
internal fun longestMatchPieces(word: String, vocabulary: Vocabulary, unknownToken: String, suffixIndicator: String): List<String> {
    val starts = ArrayList<Int>()
    var i = 0
    while (i < word.length) {
        starts.add(i)
        i += Character.charCount(word.codePointAt(i))
    }
    starts.add(word.length)
    val pieces = ArrayList<String>()
    var start = 0
    while (start < starts.size - 1) {
        var end = starts.size - 1
        var found: String? = null
        while (start < end) {
            var piece = word.substring(starts[start], starts[end])
            if (start > 0) piece = suffixIndicator + piece
            if (piece in vocabulary) {
                found = piece
                break
            }
            end -= 1
        }
        if (found == null) return listOf(unknownToken)
        pieces.add(found)
        start = end
    }
    return pieces
}
