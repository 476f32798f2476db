// keras-slm reference code for Android apps: model outputs -> answers (copy into your app).
package kerasslm

/** One class with its score. */
data class Scored(val index: Int, val label: String, val score: Float)

/** An entity: tag type (e.g. "PER") and token positions [start, end] (end inclusive). */
data class EntitySpan(val type: String, val start: Int, val end: Int)

object PostProcessing {

    /** Softmax of logits, computed stably (max subtracted first). */
    fun softmax(logits: FloatArray): FloatArray {
        if (logits.isEmpty()) return FloatArray(0)
        var max = logits[0]
        for (x in logits) if (x > max) max = x
        val out = FloatArray(logits.size)
        var sum = 0.0
        for (i in logits.indices) {
            val e = Math.exp((logits[i] - max).toDouble())
            out[i] = e.toFloat()
            sum += e
        }
        for (i in out.indices) out[i] = (out[i] / sum).toFloat()
        return out
    }

    /** Int8/uint8 output -> float: `(q - zeroPoint) * scale` (read both from the output tensor). */
    fun dequantize(values: ByteArray, scale: Float, zeroPoint: Int, unsigned: Boolean = false): FloatArray =
        FloatArray(values.size) { i ->
            val q = if (unsigned) values[i].toInt() and 0xFF else values[i].toInt()
            (q - zeroPoint) * scale
        }

    /** The [k] highest scores, best first; ties keep the lower index first. */
    fun topK(scores: FloatArray, labels: List<String>, k: Int): List<Scored> =
        scores.indices.sortedWith(compareBy<Int>({ -scores[it] }, { it })).take(k)
            .map { Scored(it, labels[it], scores[it]) }

    /** Per-token argmax of a `[seqLen, numTags]` output (row-major). */
    fun argmaxRows(scores: FloatArray, numTags: Int): IntArray =
        IntArray(scores.size / numTags) { row ->
            var best = 0
            for (j in 1 until numTags) if (scores[row * numTags + j] > scores[row * numTags + best]) best = j
            best
        }

    /**
     * Tag ids -> entity spans, with the same rules as seqeval / conlleval (BIO, IOBES, and
     * stray `I-` tags starting an entity). [tags] maps ids to names like "B-PER", "I-PER", "O".
     */
    fun entitySpans(tagIds: IntArray, tags: List<String>): List<EntitySpan> {
        val spans = ArrayList<EntitySpan>()
        var prevTag = 'O'
        var prevType = ""
        var begin = 0
        for (i in 0..tagIds.size) {
            val name = if (i < tagIds.size) tags[tagIds[i]] else "O"
            val tag = name[0]
            val rest = name.substring(1)
            val type = (if (rest.contains('-')) rest.substring(rest.indexOf('-') + 1) else rest).ifEmpty { "_" }
            if (endOfChunk(prevTag, tag, prevType, type)) spans.add(EntitySpan(prevType, begin, i - 1))
            if (startOfChunk(prevTag, tag, prevType, type)) begin = i
            prevTag = tag
            prevType = type
        }
        return spans
    }

    private fun endOfChunk(prevTag: Char, tag: Char, prevType: String, type: String): Boolean =
        prevTag == 'E' || prevTag == 'S' ||
            (prevTag == 'B' && (tag == 'B' || tag == 'S' || tag == 'O')) ||
            (prevTag == 'I' && (tag == 'B' || tag == 'S' || tag == 'O')) ||
            (prevTag != 'O' && prevTag != '.' && prevType != type)

    private fun startOfChunk(prevTag: Char, tag: Char, prevType: String, type: String): Boolean =
        tag == 'B' || tag == 'S' ||
            ((prevTag == 'E' || prevTag == 'S' || prevTag == 'O') && (tag == 'E' || tag == 'I')) ||
            (tag != 'O' && tag != '.' && prevType != type)
}
