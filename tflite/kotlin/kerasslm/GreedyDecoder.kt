// keras-slm reference code for Android apps: greedy decoding of a translation file (copy into your app).
package kerasslm

/**
 * The two signatures of a keras-slm translation .tflite file, as your runtime runs them
 * (LiteRT: `Interpreter.runSignature`, see tflite/android/Translation.kt). Arrays are flat
 * and batch 1: an int32 `[1, T]` tensor is an `IntArray(T)`, a float32 `[1, V]` a `FloatArray(V)`;
 * state tensors (`memory`, `h`, `c`) are passed back to [decode] exactly as they came out.
 */
interface Seq2SeqSignatures {
    /** `encode`: `source_ids` `[1, S]` -> outputs by name: `memory`, and `h`, `c` for LSTM files. */
    fun encode(sourceIds: IntArray): Map<String, Any>

    /**
     * `decode`, one target token: inputs by name -> outputs by name: `logits` `[V]` (a
     * `FloatArray`), and `h_out`, `c_out` for LSTM files.
     */
    fun decode(inputs: Map<String, Any>): Map<String, Any>
}

/**
 * The greedy loop of keras-slm's `greedy_decode`, token for token: encode the source once,
 * then feed the ids written so far to `decode` and take the most probable next id (the
 * [blockedIds] never), until [eosId] or the length limit.
 *
 * Two kinds of file (model.json `decoder`): `"transformer"` reads the whole target window
 * (`target_ids` `[1, targetLen]`, `[CLS]` first, 0-padded) and the position to continue
 * (`index` `[1]`); `"lstm"` reads the last token (`token` `[1]`) and the state `h`, `c` the
 * previous step returned. Both also read `memory` (from `encode`) and `source_ids`.
 *
 * Example:
 * ```
 * val decoder = GreedyDecoder("transformer", sourceLen = 21, targetLen = 24, bosId = 2, eosId = 3,
 *                             blockedIds = intArrayOf(0, 2, 4))
 * val outputIds = decoder.decode(signatures, source.ids(text, 21))
 * val english = target.detokenize(outputIds)
 * ```
 */
class GreedyDecoder(
    val decoder: String,
    val sourceLen: Int,
    val targetLen: Int,
    val bosId: Int,
    val eosId: Int,
    val blockedIds: IntArray
) {
    init {
        require(decoder == TRANSFORMER || decoder == LSTM) { "decoder must be \"$TRANSFORMER\" or \"$LSTM\", got \"$decoder\"" }
    }

    /** `source_ids` as the file takes them: [ids] cut to [sourceLen], then 0-padded. */
    fun sourceRow(ids: IntArray): IntArray {
        val row = IntArray(sourceLen)
        for (i in 0 until minOf(ids.size, sourceLen)) row[i] = ids[i]
        return row
    }

    /** The target ids (without `[CLS]` and `[SEP]`) for the source [sourceIds] (unpadded is fine). */
    fun decode(signatures: Seq2SeqSignatures, sourceIds: IntArray, maxTokens: Int = targetLen - 1): IntArray {
        val source = sourceRow(sourceIds)
        val encoded = signatures.encode(source)
        val memory = encoded["memory"] ?: error("the encode signature gave no \"memory\" output")
        var h: Any? = encoded["h"]
        var c: Any? = encoded["c"]
        // The transformer's window holds [CLS] + at most targetLen - 1 tokens.
        val limit = if (decoder == TRANSFORMER) minOf(maxTokens, targetLen - 1) else maxTokens
        val ids = ArrayList<Int>()
        ids.add(bosId)
        for (step in 0 until limit) {
            val inputs = HashMap<String, Any>()
            inputs["memory"] = memory
            inputs["source_ids"] = source
            if (decoder == LSTM) {
                inputs["token"] = intArrayOf(ids[ids.size - 1])
                inputs["h"] = h ?: error("the encode signature gave no \"h\" output")
                inputs["c"] = c ?: error("the encode signature gave no \"c\" output")
            } else {
                val window = IntArray(targetLen)
                for (i in ids.indices) window[i] = ids[i]
                inputs["target_ids"] = window
                inputs["index"] = intArrayOf(ids.size - 1)
            }
            val outputs = signatures.decode(inputs)
            val token = nextToken(outputs["logits"] as? FloatArray ?: error("the decode signature gave no \"logits\" FloatArray"))
            if (token == eosId) break
            ids.add(token)
            if (decoder == LSTM) {
                h = outputs["h_out"]
                c = outputs["c_out"]
            }
        }
        return ids.subList(1, ids.size).toIntArray()
    }

    /** The first largest logit's id once the [blockedIds] are set to -1e9 (numpy's argmax). */
    fun nextToken(logits: FloatArray): Int {
        val masked = logits.copyOf()
        for (id in blockedIds) if (id >= 0 && id < masked.size) masked[id] = BLOCKED
        var best = 0
        for (i in 1 until masked.size) if (masked[i] > masked[best]) best = i
        return best
    }

    companion object {
        const val TRANSFORMER = "transformer"
        const val LSTM = "lstm"
        const val BLOCKED = -1e9f
    }
}
