// Chinese -> English on the phone with a keras-slm translation folder
// (keras-slm export DIR --target android --out app/src/main/assets/zh_en).
//
// The file has two signatures, `encode` (once per sentence) and `decode` (once per English
// token, all state as explicit inputs and outputs); kerasslm.GreedyDecoder runs the loop exactly
// as keras-slm's Python does, this file only connects it to LiteRT. Needs the LiteRT Android
// library:
//     implementation("com.google.ai.edge.litert:litert:1.4.1")
// and kerasslm/{Vocabulary, WordTokenizer, CharTokenizer, WordPieceTokenizer, SubwordTokenizer,
// GreedyDecoder}.kt from tflite/kotlin/.
//
// Not compiled by tflite/check_kotlin.sh (it depends on the Android LiteRT Interpreter); the
// check replays golden.json through GreedyDecoder with the steps Python recorded instead.

package kerasslm.example

import android.content.Context
import kerasslm.CharTokenizer
import kerasslm.GreedyDecoder
import kerasslm.Seq2SeqSignatures
import kerasslm.SubwordTokenizer
import kerasslm.Vocabulary
import org.json.JSONObject
import org.tensorflow.lite.Interpreter
import java.io.FileInputStream
import java.nio.ByteBuffer
import java.nio.ByteOrder
import java.nio.MappedByteBuffer
import java.nio.channels.FileChannel

/**
 * The `encode` / `decode` signatures of a translation file run by LiteRT's `runSignature`.
 * State tensors (`memory`, `h`, `c`) stay in direct ByteBuffers and go back in unchanged;
 * `[1, n]` int inputs are wrapped as `arrayOf(IntArray(n))` so LiteRT keeps their shape.
 */
class LiteRtSeq2Seq(private val interpreter: Interpreter) : Seq2SeqSignatures {

    private fun outputBuffers(signature: String): Map<String, ByteBuffer> =
        interpreter.getSignatureOutputs(signature).associate { name ->
            val tensor = interpreter.getOutputTensorFromSignature(name, signature)
            name to ByteBuffer.allocateDirect(tensor.numBytes()).order(ByteOrder.nativeOrder())
        }

    override fun encode(sourceIds: IntArray): Map<String, Any> {
        val outputs = outputBuffers("encode")
        interpreter.runSignature(mapOf("source_ids" to arrayOf(sourceIds)), outputs, "encode")
        outputs.values.forEach { it.rewind() }
        return outputs
    }

    override fun decode(inputs: Map<String, Any>): Map<String, Any> {
        val feed = HashMap<String, Any>()
        for ((name, value) in inputs) {
            feed[name] = when {
                value is ByteBuffer -> value.rewind()
                value is IntArray && (name == "target_ids" || name == "source_ids") -> arrayOf(value)   // [1, n]
                else -> value                                                                          // [1]
            }
        }
        val outputs = outputBuffers("decode")
        interpreter.runSignature(feed, outputs, "decode")
        outputs.values.forEach { it.rewind() }
        val logits = outputs.getValue("logits").asFloatBuffer()         // float32 [1, V]
        return outputs + ("logits" to FloatArray(logits.remaining()).also { logits.get(it) })
    }
}

/** Text in, English out, with the files of one translation folder in the app's assets. */
class Translator(context: Context, dir: String = "zh_en") : AutoCloseable {
    private val info = JSONObject(context.assets.open("$dir/model.json").bufferedReader().readText())
    private val source = info.getJSONObject("source_tokenizer").let {
        CharTokenizer(Vocabulary.load(context.assets.open("$dir/${it.getString("vocab_file")}")), it.getBoolean("lowercase"))
    }
    private val target = info.getJSONObject("target_tokenizer").let {
        SubwordTokenizer(Vocabulary.load(context.assets.open("$dir/${it.getString("vocab_file")}")), it.getBoolean("lowercase"))
    }
    private val decoder = GreedyDecoder(
        info.getString("decoder"), info.getInt("source_len"), info.getInt("target_len"),
        info.getInt("bos_id"), info.getInt("eos_id"),
        info.getJSONArray("blocked_ids").let { a -> IntArray(a.length()) { a.getInt(it) } }
    )
    private val interpreter = Interpreter(loadModel(context, "$dir/${info.getString("model_file")}"),
                                          Interpreter.Options().setNumThreads(1))
    private val file = LiteRtSeq2Seq(interpreter)

    /** The output ids (what golden.json lists as `output_ids`). */
    fun translateIds(text: String): IntArray = decoder.decode(file, source.ids(text, decoder.sourceLen))

    fun translate(text: String): String = target.detokenize(translateIds(text))

    override fun close() = interpreter.close()

    private fun loadModel(context: Context, path: String): MappedByteBuffer {
        val fd = context.assets.openFd(path)
        FileInputStream(fd.fileDescriptor).channel.use { ch ->
            return ch.map(FileChannel.MapMode.READ_ONLY, fd.startOffset, fd.declaredLength)
        }
    }
}
