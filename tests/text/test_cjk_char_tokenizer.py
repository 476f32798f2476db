from keras_slm.text import CharTokenizer, load_tokenizer


def test_chinese_sentence_is_one_token_per_character():
    assert CharTokenizer().tokenize("我喜欢吃苹果") == list("我喜欢吃苹果")
    assert len(CharTokenizer().tokenize("我喜欢吃苹果")) == 6


def test_latin_words_and_numbers_stay_whole_punctuation_dropped():
    assert CharTokenizer().tokenize("iPhone 13很好用！5星") == ["iphone", "13", "很", "好", "用", "5", "星"]
    assert CharTokenizer().tokenize("Hello, world") == ["hello", "world"]
    assert CharTokenizer().tokenize("カタカナ") == list("カタカナ")


def test_fit_encode_and_reload(tmp_path):
    tok = CharTokenizer.fit(["我喜欢吃苹果", "我不喜欢"], max_size=50)
    ids = tok.encode(["我喜欢吃香蕉"], seq_len=10)[0].tolist()
    assert ids[0] == 1 and ids[1:5] == [tok.token_to_id(c) for c in "我喜欢吃"]
    assert ids[5:7] == [2, 2]  # 香蕉 unseen -> <UNKNOWN>
    tok.save(tmp_path)
    assert load_tokenizer(tmp_path).vocabulary == tok.vocabulary
