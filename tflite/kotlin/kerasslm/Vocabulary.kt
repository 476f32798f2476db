// keras-slm reference code for Android apps: token vocabulary (copy into your app).
package kerasslm

import java.io.InputStream

/**
 * Token -> id map read from a keras-slm `vocab.txt`.
 *
 * Two formats are accepted:
 *  - `token id` lines (keras-slm word/char tokenizers, MediaPipe regex tokenizer);
 *  - one token per line, id = line number (BERT / WordPiece `vocab.txt`).
 *
 * Example: `val vocab = Vocabulary.load(context.assets.open("vocab.txt"))`
 */
class Vocabulary(private val ids: Map<String, Int>) {

    val size: Int get() = ids.size

    /** The id of [token], or null when it is not in the vocabulary. */
    fun id(token: String): Int? = ids[token]

    operator fun contains(token: String): Boolean = ids.containsKey(token)

    private val tokens: Array<String?> by lazy {
        var n = 0
        for (i in ids.values) if (i + 1 > n) n = i + 1
        val out = arrayOfNulls<String>(n)
        for ((token, i) in ids) if (out[i] == null) out[i] = token
        out
    }

    /** The token with id [id] (ids -> text, e.g. a translation's output), or null when no token has it. */
    fun token(id: Int): String? = if (id >= 0 && id < tokens.size) tokens[id] else null

    companion object {
        private val TOKEN_ID = Regex("^(\\S+) (\\d+)$")

        fun load(stream: InputStream): Vocabulary =
            parse(stream.bufferedReader(Charsets.UTF_8).use { it.readText() })

        fun parse(text: String): Vocabulary {
            val lines = text.split("\n").map { it.removeSuffix("\r") }.dropLastWhile { it.length == 0 }
            val map = HashMap<String, Int>(lines.size * 2)
            if (lines.isNotEmpty() && lines.all { TOKEN_ID.matches(it) }) {
                for (line in lines) {
                    val cut = line.lastIndexOf(' ')
                    map[line.substring(0, cut)] = line.substring(cut + 1).toInt()
                }
            } else {
                for ((index, token) in lines.withIndex()) map[token] = index
            }
            return Vocabulary(map)
        }
    }
}
