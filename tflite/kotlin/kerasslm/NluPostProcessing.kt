// keras-slm reference code for Android apps: joint intent / slot model outputs -> intent and slot spans.
package kerasslm

/** A slot value: its name, the text it covers and UTF-16 offsets [start, end) in the utterance. */
data class Slot(val slot: String, val text: String, val start: Int, val end: Int)

/** The answer for one utterance. */
data class NluResult(val intent: String, val score: Float, val slots: List<Slot>)

object NluPostProcessing {

    private fun isSpace(codePoint: Int): Boolean =
        Character.isWhitespace(codePoint) || Character.isSpaceChar(codePoint) ||
            codePoint == 0x85 // Python's str.split() also splits on NEL and no-break spaces

    /**
     * The tokens the model tags, as UTF-16 [start, end) offsets: whitespace-separated words
     * (Python's `text.split()`), or with [perCharacter] every non-space character (code point).
     */
    fun tokenOffsets(text: String, perCharacter: Boolean): List<IntArray> {
        val out = ArrayList<IntArray>()
        var i = 0
        var start = -1
        while (i < text.length) {
            val cp = text.codePointAt(i)
            val next = i + Character.charCount(cp)
            if (isSpace(cp)) {
                if (start >= 0) out.add(intArrayOf(start, i))
                start = -1
            } else if (perCharacter) {
                out.add(intArrayOf(i, next))
            } else if (start < 0) {
                start = i
            }
            i = next
        }
        if (start >= 0) out.add(intArrayOf(start, text.length))
        return out
    }

    /**
     * The model's two outputs -> intent (with its probability) and slot spans.
     *
     * [intentScores]: the float `[numIntents]` output; [tagIds]: the int `[seqLen]` output
     * (tokens past seqLen are "O"); [intents] and [tags]: intents.txt and labels.txt lines.
     */
    fun decode(text: String, intentScores: FloatArray, tagIds: IntArray, intents: List<String>,
               tags: List<String>, perCharacter: Boolean): NluResult {
        var best = 0
        for (i in intentScores.indices) if (intentScores[i] > intentScores[best]) best = i
        return NluResult(intents[best], intentScores[best], slots(text, tagIds, tags, perCharacter))
    }

    /** Slot spans of [text] from per-token tag ids (BIO; a stray I- starts a slot, as seqeval reads it). */
    fun slots(text: String, tagIds: IntArray, tags: List<String>, perCharacter: Boolean): List<Slot> {
        val tokens = tokenOffsets(text, perCharacter)
        val ids = IntArray(tokens.size) { if (it < tagIds.size) tagIds[it] else 0 }
        return PostProcessing.entitySpans(ids, tags).map {
            val start = tokens[it.start][0]
            val end = tokens[it.end][1]
            Slot(it.type, text.substring(start, end), start, end)
        }
    }
}
