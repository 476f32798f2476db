// Replays golden.json files through the Kotlin reference code on the JVM.
//
//   java -jar check.jar path/to/golden.json [more.json or folders ...]
//
// Tokenizer goldens ("format": "keras-slm-golden"): every case's tokens and ids must match
// (and for the subword kind, a translation's target side, the text its ids turn back into).
// Translation goldens ("task": "translation"): source ids, the greedy loop's steps, the English.
// Post-processing goldens ("format": "keras-slm-postprocess"): softmax, top-k, entity spans.
// Prints one line per file and a final "RESULT {json}" line; exits 1 on any mismatch.
package check

import java.io.File
import kerasslm.CharTokenizer
import kerasslm.EntitySpan
import kerasslm.GreedyDecoder
import kerasslm.NluPostProcessing
import kerasslm.PostProcessing
import kerasslm.Seq2SeqSignatures
import kerasslm.SubwordTokenizer
import kerasslm.Vocabulary
import kerasslm.WordPieceTokenizer
import kerasslm.WordTokenizer

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as Map<String, Any?>

@Suppress("UNCHECKED_CAST")
fun Any?.list(): List<Any?> = this as List<Any?>

fun Any?.ints(): List<Int> = list().map { (it as Double).toInt() }

fun Any?.floats(): FloatArray = list().map { (it as Double).toFloat() }.toFloatArray()

class Tally(val file: String) {
    var cases = 0
    val failures = ArrayList<String>()

    fun check(ok: Boolean, what: () -> String) {
        cases++
        if (!ok) failures.add(what())
    }
}

fun checkTokenizer(file: File, doc: Map<String, Any?>, tally: Tally) {
    val config = doc["tokenizer"].obj()
    val kind = config["kind"] as String
    val lowercase = config["lowercase"] as? Boolean ?: true
    val vocab = Vocabulary.load(File(file.parentFile, config["vocab_file"] as? String ?: "vocab.txt").inputStream())
    val seqLen = (doc["seq_len"] as? Double)?.toInt()
    for (case in doc["cases"].list().map { it.obj() }) {
        val text = case["text"] as String
        val tokens = case["tokens"].list().map { it as String }
        val ids = case["ids"].ints()
        val gotTokens: List<String>
        val gotIds: List<Int>
        var gotText: String? = null
        when (kind) {
            "word", "char" -> {
                val tokenizer = if (kind == "char") CharTokenizer(vocab, lowercase) else WordTokenizer(vocab, lowercase)
                gotTokens = tokenizer.tokenize(text)
                gotIds = tokenizer.encode(text, seqLen!!).toList()
            }
            "wordpiece" -> {
                val tokenizer = WordPieceTokenizer(
                    vocab, lowercase,
                    stripAccents = config["strip_accents"] as? Boolean ?: true,
                    splitOnCjk = config["split_on_cjk"] as? Boolean ?: true
                )
                gotTokens = tokenizer.tokenize(text)
                gotIds = tokenizer.encode(text).toList()
            }
            "subword" -> {
                val tokenizer = SubwordTokenizer(vocab, lowercase)
                gotTokens = tokenizer.tokenize(text)
                gotIds = tokenizer.encode(text).toList()
                gotText = tokenizer.detokenize(ids.toIntArray())
            }
            else -> error("${file.path}: unknown tokenizer kind '$kind'")
        }
        val wantText = case["detokenized"] as? String  // subword: ids -> text
        tally.check(gotTokens == tokens && gotIds == ids && (wantText == null || gotText == wantText)) {
            "text=${quote(text)}\n    expected tokens=$tokens ids=$ids" + (wantText?.let { " text=${quote(it)}" } ?: "") +
                "\n    kotlin   tokens=$gotTokens ids=$gotIds" + (gotText?.let { " text=${quote(it)}" } ?: "")
        }
    }
}

// NLU goldens ("task": "nlu"): tokens, intent and slot spans (code-point offsets, as Python) per case.
fun checkNlu(doc: Map<String, Any?>, tally: Tally) {
    val perCharacter = doc["tokenizer"].obj()["kind"] == "char"
    val tags = doc["labels"].list().map { it as String }
    val intents = doc["intents"].list().map { it as String }
    for (case in doc["cases"].list().map { it.obj() }) {
        val text = case["text"] as String
        val tokens = NluPostProcessing.tokenOffsets(text, perCharacter).map { text.substring(it[0], it[1]) }
        val result = NluPostProcessing.decode(text, case["intent_scores"].floats(), case["tag_ids"].ints().toIntArray(),
                                              intents, tags, perCharacter)
        val got = result.slots.map {
            listOf(it.slot, it.text, text.codePointCount(0, it.start), text.codePointCount(0, it.end))
        }
        val want = case["slots"].list().map { val s = it.obj(); listOf(s["slot"], s["text"], (s["start"] as Double).toInt(), (s["end"] as Double).toInt()) }
        val wantTokens = case["tokens"].list().map { it as String }
        tally.check(tokens == wantTokens && result.intent == case["intent"] && got == want) {
            "text=${quote(text)}\n    expected tokens=$wantTokens intent=${case["intent"]} slots=$want\n" +
                "    kotlin   tokens=$tokens intent=${result.intent} slots=$got"
        }
    }
}

// Plays back one translation case's decode steps as recorded by Python: checks what the Kotlin
// loop feeds each step (ids so far and index, or last token and the state it got back) and
// returns the recorded top logits (every other id far below them).
class Replay(val decoder: String, val sourceRow: List<Int>, val steps: List<Map<String, Any?>>, val vocabSize: Int) : Seq2SeqSignatures {
    val memory = Any()
    var state: Any = Any()
    var calls = 0
    var problem: String? = null

    fun fail(message: String) {
        if (problem == null) problem = message
    }

    override fun encode(sourceIds: IntArray): Map<String, Any> {
        if (sourceIds.toList() != sourceRow) fail("encode got source_ids ${sourceIds.toList()}, expected $sourceRow")
        return if (decoder == GreedyDecoder.LSTM) mapOf("memory" to memory, "h" to state, "c" to state) else mapOf("memory" to memory)
    }

    override fun decode(inputs: Map<String, Any>): Map<String, Any> {
        val step = calls++
        if (step >= steps.size) {
            fail("decode call ${step + 1}, Python made ${steps.size}")
            return mapOf("logits" to FloatArray(vocabSize), "h_out" to state, "c_out" to state)
        }
        val want = steps[step]
        if (inputs["memory"] !== memory) fail("step $step: memory is not the encoder's output")
        if ((inputs["source_ids"] as IntArray).toList() != sourceRow) fail("step $step: source_ids changed")
        if (decoder == GreedyDecoder.LSTM) {
            val token = (inputs["token"] as IntArray).toList()
            if (token != listOf((want["token"] as Double).toInt())) fail("step $step: token $token, expected ${want["token"]}")
            if (inputs["h"] !== state || inputs["c"] !== state) fail("step $step: h / c are not the previous step's outputs")
        } else {
            val window = (inputs["target_ids"] as IntArray).toList()
            val ids = want["ids"].ints()
            val expected = ids + List(window.size - ids.size) { 0 }
            if (window != expected) fail("step $step: target_ids $window, expected $expected")
            val index = (inputs["index"] as IntArray).toList()
            if (index != listOf((want["index"] as Double).toInt())) fail("step $step: index $index, expected ${want["index"]}")
        }
        val logits = FloatArray(vocabSize) { -1e30f }
        for (pair in want["top"].list()) {
            val p = pair.list()
            logits[(p[0] as Double).toInt()] = (p[1] as Double).toFloat()
        }
        state = Any()
        return mapOf("logits" to logits, "h_out" to state, "c_out" to state)
    }
}

// Translation goldens ("task": "translation"): source tokens and ids (CharTokenizer), the greedy
// loop replayed against the recorded steps (GreedyDecoder), target tokens and text (SubwordTokenizer).
fun checkTranslation(file: File, doc: Map<String, Any?>, tally: Tally) {
    val sourceConfig = doc["tokenizer"].obj()
    val targetConfig = doc["target_tokenizer"].obj()
    val source = CharTokenizer(Vocabulary.load(File(file.parentFile, sourceConfig["vocab_file"] as String).inputStream()),
                               sourceConfig["lowercase"] as? Boolean ?: true)
    val targetVocab = Vocabulary.load(File(file.parentFile, targetConfig["vocab_file"] as String).inputStream())
    val target = SubwordTokenizer(targetVocab, targetConfig["lowercase"] as? Boolean ?: false)
    val decoder = GreedyDecoder(doc["decoder"] as String, (doc["source_len"] as Double).toInt(),
                                (doc["target_len"] as Double).toInt(), (doc["bos_id"] as Double).toInt(),
                                (doc["eos_id"] as Double).toInt(), doc["blocked_ids"].ints().toIntArray())
    for (case in doc["cases"].list().map { it.obj() }) {
        val text = case["text"] as String
        val tokens = source.tokenize(text)
        val ids = decoder.sourceRow(source.ids(text, decoder.sourceLen)).toList()
        val replay = Replay(decoder.decoder, case["ids"].ints(), case["steps"].list().map { it.obj() }, targetVocab.size)
        val output = decoder.decode(replay, source.ids(text, decoder.sourceLen)).toList()
        if (replay.calls != replay.steps.size) replay.fail("${replay.calls} decode calls, Python made ${replay.steps.size}")
        val translation = target.detokenize(case["output_ids"].ints().toIntArray())
        val translationTokens = target.tokenize(case["translation"] as String)
        val translationIds = target.encode(case["translation"] as String).toList()
        val ok = tokens == case["tokens"].list() && ids == case["ids"].ints() && replay.problem == null &&
            output == case["output_ids"].ints() && translation == case["translation"] &&
            translationTokens == case["translation_tokens"].list() && translationIds == case["translation_ids"].ints()
        tally.check(ok) {
            "text=${quote(text)}\n    expected tokens=${case["tokens"]} ids=${case["ids"].ints()} output=${case["output_ids"].ints()} " +
                "translation=${quote(case["translation"] as String)} tokens=${case["translation_tokens"]}\n" +
                "    kotlin   tokens=$tokens ids=$ids output=$output translation=${quote(translation)} tokens=$translationTokens" +
                (replay.problem?.let { "\n    loop: $it" } ?: "")
        }
    }
}

fun checkPostProcess(doc: Map<String, Any?>, tally: Tally) {
    for (case in doc["softmax"].list().map { it.obj() }) {
        val got = PostProcessing.softmax(case["logits"].floats())
        val want = case["probabilities"].floats()
        val ok = got.size == want.size && got.indices.all { Math.abs(got[it] - want[it]) <= 1e-6f + 1e-5f * want[it] }
        tally.check(ok) { "softmax ${case["logits"]}: expected ${want.toList()} got ${got.toList()}" }
    }
    for (case in doc["top_k"].list().map { it.obj() }) {
        val scores = case["scores"].floats()
        val labels = scores.indices.map { "c$it" }
        val got = PostProcessing.topK(scores, labels, (case["k"] as Double).toInt()).map { it.index }
        tally.check(got == case["indices"].ints()) { "top_k ${case["scores"]}: expected ${case["indices"]} got $got" }
    }
    val tags = doc["tags"].list().map { it as String }
    for (case in doc["entities"].list().map { it.obj() }) {
        val ids = case["tag_ids"].ints().toIntArray()
        val want = case["spans"].list().map { val s = it.list(); EntitySpan(s[0] as String, (s[1] as Double).toInt(), (s[2] as Double).toInt()) }
        val got = PostProcessing.entitySpans(ids, tags)
        tally.check(got == want) { "entities ${ids.map { tags[it] }}: expected $want got $got" }
    }
    for (case in doc["argmax_rows"].list().map { it.obj() }) {
        val got = PostProcessing.argmaxRows(case["scores"].floats(), (case["num_tags"] as Double).toInt()).toList()
        tally.check(got == case["tag_ids"].ints()) { "argmax_rows: expected ${case["tag_ids"]} got $got" }
    }
    for (case in doc["dequantize"].list().map { it.obj() }) {
        val q = case["values"].ints().map { it.toByte() }.toByteArray()
        val got = PostProcessing.dequantize(q, (case["scale"] as Double).toFloat(), (case["zero_point"] as Double).toInt())
        val want = case["floats"].floats()
        tally.check(got.indices.all { Math.abs(got[it] - want[it]) <= 1e-6f }) { "dequantize: expected ${want.toList()} got ${got.toList()}" }
    }
}

fun quote(s: String): String = "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""

fun goldenFiles(args: Array<String>): List<File> = args.flatMap { arg ->
    val f = File(arg)
    if (f.isDirectory) f.walk().filter { it.isFile && it.name.endsWith(".json") && it.name != "model.json" }.sorted().toList()
    else listOf(f)
}

fun main(args: Array<String>) {
    if (args.isEmpty()) {
        System.err.println("usage: java -jar check.jar GOLDEN.json|FOLDER ...")
        System.exit(2)
    }
    val tallies = ArrayList<Tally>()
    files@ for (file in goldenFiles(args)) {
        val doc = MiniJson(file.readText(Charsets.UTF_8)).parse().obj()
        val tally = Tally(file.path)
        when (doc["format"]) {
            "keras-slm-golden" -> when (doc["task"]) {
                "nlu" -> checkNlu(doc, tally)
                "translation" -> checkTranslation(file, doc, tally)
                else -> checkTokenizer(file, doc, tally)
            }
            "keras-slm-postprocess" -> checkPostProcess(doc, tally)
            else -> continue@files
        }
        tallies.add(tally)
        val passed = tally.cases - tally.failures.size
        val what = if (doc["task"] == "nlu" || doc["task"] == "translation") doc["task"] else (doc["tokenizer"] as? Map<*, *>)?.get("kind") ?: "postprocess"
        println("${if (tally.failures.isEmpty()) "PASS" else "FAIL"} ${file.path} [$what] $passed/${tally.cases}")
        for (failure in tally.failures.take(5)) println("  $failure")
    }
    val cases = tallies.sumBy { it.cases }
    val failed = tallies.sumBy { it.failures.size }
    val perFile = tallies.joinToString(",") { "{\"file\":${quote(it.file)},\"cases\":${it.cases},\"failed\":${it.failures.size}}" }
    println("RESULT {\"files\":[${perFile}],\"cases\":$cases,\"failed\":$failed}")
    System.exit(if (failed == 0 && cases > 0) 0 else 1)
}
