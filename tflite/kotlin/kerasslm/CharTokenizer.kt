// keras-slm reference code for Android apps: CJK character tokenizer (copy into your app).
package kerasslm

import java.util.Locale

/**
 * keras-slm's `CharTokenizer`: every CJK character (Han, kana) is a token; Latin words and
 * numbers stay whole, as in [WordTokenizer].
 *
 * Example: `CharTokenizer(vocab).tokenize("iPhone 13很好用！")` == `[iphone, 13, 很, 好, 用]`
 */
class CharTokenizer(vocabulary: Vocabulary, lowercase: Boolean = true) : WordTokenizer(vocabulary, lowercase) {

    override fun tokenize(text: String): List<String> {
        val prepared = if (lowercase) text.toLowerCase(Locale.ROOT) else text
        return split(spaceCjk(prepared))
    }

    companion object {
        /** Hiragana/katakana, CJK extension A, CJK unified ideographs, compatibility ideographs. */
        val CJK = Regex("[\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff]")

        /**
         * Puts spaces around CJK characters. MediaPipe's TextClassifier cannot split CJK text
         * into characters itself: call `classifier.classify(spaceCjk(text.toLowerCase()))`.
         */
        fun spaceCjk(text: String): String = CJK.replace(text) { " " + it.value + " " }
    }
}
