"""Tiny untrained model directories of every kind (classifier, taggers, NLU, language models,
translation), written through the artifacts' own save/export: for tests that need a real
directory of a kind, not its accuracy (serving without TensorFlow, the fuzz suite)."""

import os

from keras_slm.data.labels import LabelVocabulary

SENTENCES = [["John", "Smith", "lives", "in", "London", "."], ["Paris", "is", "big"], ["Acme", "Corp", "hired", "Ann"]]
TEXTS = [" ".join(s) for s in SENTENCES]
TAGS = ["O", "B-PER", "I-PER", "B-LOC", "B-ORG", "I-ORG"]


def _classifier(d, export=True):
    from keras_slm.models.classifiers import build_classifier
    from keras_slm.tasks import TextClassifier
    from keras_slm.text import WordTokenizer

    tokenizer = WordTokenizer.fit(TEXTS)
    clf = TextClassifier(build_classifier("awe", tokenizer.vocab_size, 2), tokenizer, LabelVocabulary(["neg", "pos"]), 8)
    clf.save(d)
    if export:
        clf.export(os.path.join(d, "model.tflite"), sample_texts=TEXTS, latency_threads=())


def _tagger(d, export=True):
    from keras_slm.models.taggers import bilstm_crf_tagger
    from keras_slm.tasks import SequenceTagger

    words, chars = SequenceTagger.build_vocabularies(SENTENCES, 1, lowercase=True, char_features=True)
    network = bilstm_crf_tagger(len(words), len(TAGS), char_vocab_size=len(chars), max_word_chars=8, embedding_dim=8,
                                lstm_units=8, char_dim=4, char_filters=4)
    tagger = SequenceTagger(network, words, LabelVocabulary(TAGS), seq_len=8, chars=chars, max_word_chars=8)
    tagger.save(d)
    if export:
        tagger.export(os.path.join(d, "model.tflite"), sample_sentences=SENTENCES, latency_threads=())


def _wordpiece_tagger(d, export=True):
    from keras_slm.models.transformer_encoder import transformer_encoder
    from keras_slm.models.transformer_tagger import transformer_tagger
    from keras_slm.tasks import WordPieceTagger
    from keras_slm.text.wordpiece_tokenizer import WordPieceTokenizer

    tokenizer = WordPieceTokenizer.fit(TEXTS * 5, vocab_size=60)
    encoder = transformer_encoder(tokenizer.vocab_size, num_layers=1, hidden_dim=16, num_heads=2, intermediate_dim=32,
                                  max_length=10)
    tagger = WordPieceTagger(transformer_tagger(encoder, num_tags=len(TAGS)), tokenizer, LabelVocabulary(TAGS), seq_len=10)
    tagger.save(d)
    if export:
        tagger.export(os.path.join(d, "model.tflite"), sample_sentences=SENTENCES, latency_threads=())


def _nlu(d, export=True):
    from keras_slm.models.joint_nlu import joint_bilstm_crf
    from keras_slm.tasks import NluModel, SequenceTagger

    words, chars = SequenceTagger.build_vocabularies(SENTENCES, 1, lowercase=True, char_features=True)
    tags = LabelVocabulary(TAGS)
    network = joint_bilstm_crf(len(words), 2, len(tags), char_vocab_size=len(chars), max_word_chars=8, embedding_dim=8,
                               lstm_units=8, char_dim=4, char_filters=4)
    nlu = NluModel(network, SequenceTagger(None, words, tags, 8, chars, 8), LabelVocabulary(["Move", "Stay"]), tags, 8)
    nlu.save(d)
    if export:
        nlu.export(os.path.join(d, "model.tflite"), sample_tokens=SENTENCES, latency_threads=())


def _lm(family):
    def build(d, export=True):
        from keras_slm.export.lm import export_lm
        from keras_slm.models.language_models import build_lm
        from keras_slm.tasks import LanguageModel
        from keras_slm.text import lm_stream

        tokenizer = lm_stream.fit_lm_tokenizer("word", "\n".join(TEXTS * 3))
        options = {"units": 8, "embedding_dim": 8} if family == "lstm" else {
            "num_layers": 1, "hidden_dim": 16, "num_heads": 2, "intermediate_dim": 32, "sequence_length": 8}
        lm = LanguageModel(build_lm(family, tokenizer.vocab_size, **options), tokenizer, family, seq_len=8)
        lm.save(d)
        if export:
            export_lm(lm, os.path.join(d, "model.tflite"), prompts=TEXTS, max_tokens=2, latency_runs=1, latency_threads=())

    return build


def _translator(d, export=True):
    from keras_slm.data.translation import read_parallel
    from keras_slm.tasks.translation_training import train_translator

    os.makedirs(os.path.dirname(d), exist_ok=True)
    path = os.path.join(os.path.dirname(d), "pairs.tsv")
    with open(path, "w", encoding="utf-8") as f:
        f.write("zh\ten\n" + "".join(f"{zh}\t{en}\n" for zh, en in [("我们走吧", "Let's go."), ("你好", "Hello."),
                                                                    ("谢谢", "Thank you.")] * 4))
    translator, _, _ = train_translator(read_parallel(path), None, model="lstm_attention", source_vocab_size=50,
                                        target_vocab_size=60, epochs=1, batch_size=12, verbose=0,
                                        model_options={"embedding_dim": 8, "units": 8, "attention_dim": 8})
    translator.save(d)
    if export:
        translator.export(os.path.join(d, "model.tflite"), latency_texts=0)


KINDS = {"classifier": _classifier, "ner": _tagger, "ner_wordpiece": _wordpiece_tagger, "nlu": _nlu,
         "lm_lstm": _lm("lstm"), "lm_transformer": _lm("transformer"), "translation": _translator}


def build(kind, directory, export=True):
    """Writes a tiny `kind` model directory (one of `KINDS`), with its model.tflite when `export`."""
    import keras

    keras.utils.set_random_seed(0)
    KINDS[kind](directory, export)
    return directory
