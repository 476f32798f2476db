// On-device personalisation with a keras-slm trainable file (keras-slm export ... --trainable).
//
// The file has five signatures; the app calls them with Interpreter.runSignature, builtin ops
// only (no Flex delegate). This mirrors keras_slm/export/ondevice_driver.py (OnDeviceModel), the
// Python driver the benchmarks use. Needs the LiteRT Android library:
//     implementation("com.google.ai.edge.litert:litert:1.4.1")
// and kerasslm/WordPieceTokenizer.kt + Vocabulary.kt from tflite/kotlin/ (for the MiniLM file).
//
// Not compiled by tflite/check_kotlin.sh (it depends on the Android LiteRT Interpreter).

package kerasslm.example

import kerasslm.WordPieceTokenizer
import org.tensorflow.lite.Interpreter
import java.io.DataInputStream
import java.io.DataOutputStream
import java.io.File
import java.nio.MappedByteBuffer

/** User categories (or corrections) over a frozen sentence encoder, trained on the phone. */
class PersonalClassifier(
    model: MappedByteBuffer,
    private val tokenizer: WordPieceTokenizer,
    private val seqLen: Int = 64,
) : AutoCloseable {
    private val interpreter = Interpreter(model, Interpreter.Options().setNumThreads(1))
    private val maxClasses = interpreter.getOutputTensorFromSignature("active", "save").shape()[0]
    private val dim = interpreter.getOutputTensorFromSignature("kernel", "save").shape()[0]

    private fun batch(texts: List<String>): Map<String, Any> {
        val encoded = texts.map { tokenizer.encodeForBert(it, seqLen) }
        return mapOf(
            "input_word_ids" to Array(texts.size) { encoded[it].first },   // int32 [n, seqLen]
            "input_mask" to Array(texts.size) { encoded[it].second },
            "input_type_ids" to Array(texts.size) { encoded[it].third },
        )
    }

    /** Class probabilities [n, maxClasses]; classes never trained on score 0. */
    fun scores(texts: List<String>): Array<FloatArray> {
        val scores = Array(texts.size) { FloatArray(maxClasses) }
        val features = Array(texts.size) { FloatArray(dim) }
        interpreter.runSignature(batch(texts), mapOf("scores" to scores, "features" to features), "infer")
        return scores
    }

    /** One SGD step on the user's examples (labels in 0 until maxClasses); returns the loss. */
    fun train(texts: List<String>, labels: IntArray): Float {
        val inputs = batch(texts) + ("labels" to labels)
        val loss = FloatArray(1)            // a scalar output: read it through a 1-element buffer
        interpreter.runSignature(inputs, mapOf("loss" to java.nio.FloatBuffer.wrap(loss)), "train")
        return loss[0]
    }

    /** Writes the learnt head (kernel, bias, active) to the app's storage. */
    fun save(file: File) {
        val kernel = Array(dim) { FloatArray(maxClasses) }
        val bias = FloatArray(maxClasses)
        val active = FloatArray(maxClasses)
        interpreter.runSignature(emptyMap(), mapOf("kernel" to kernel, "bias" to bias, "active" to active), "save")
        DataOutputStream(file.outputStream().buffered()).use { out ->
            kernel.forEach { row -> row.forEach(out::writeFloat) }
            bias.forEach(out::writeFloat)
            active.forEach(out::writeFloat)
        }
    }

    /** Loads a head written by save() (e.g. after the app restarts); bit-identical scores. */
    fun restore(file: File) {
        DataInputStream(file.inputStream().buffered()).use { input ->
            val kernel = Array(dim) { FloatArray(maxClasses) { input.readFloat() } }
            val bias = FloatArray(maxClasses) { input.readFloat() }
            val active = FloatArray(maxClasses) { input.readFloat() }
            val count = IntArray(1)
            interpreter.runSignature(mapOf("kernel" to kernel, "bias" to bias, "active" to active),
                mapOf("num_classes" to java.nio.IntBuffer.wrap(count)), "restore")
        }
    }

    /** Forgets everything the user taught (back to the exported head). */
    fun reset() {
        val count = IntArray(1)
        interpreter.runSignature(emptyMap(), mapOf("num_classes" to java.nio.IntBuffer.wrap(count)), "reset")
    }

    override fun close() = interpreter.close()
}

// Usage (off the main thread):
//   val clf = PersonalClassifier(loadModel(context, "user_categories.tflite"),
//                                WordPieceTokenizer(Vocabulary.load(context.assets.open("vocab.txt"))))
//   repeat(30) { clf.train(userTexts, userLabels) }        // a few epochs over the user's examples
//   clf.save(File(context.filesDir, "head.bin"))
//   ... next launch: clf.restore(File(context.filesDir, "head.bin")); clf.scores(listOf("new text"))
//
// Keyboard files (export_keyboard) work the same way with signature inputs
//   train: input_ids int32 [1, W], targets int32 [1, W] (next tokens), weights float32 [1, W]
//   infer: input_ids -> logits [1, W, vocab];  save/restore: kernel, bias.
