#!/usr/bin/python3
"""Trains the tiny SentencePiece models used by the tokenizer tests and writes sentencepiece's own ids for them.

Run with Debian's python3-sentencepiece: /usr/bin/python3 make_models.py (from this folder). Deterministic: one
thread, a fixed corpus (corpus.txt, Simile's own text) and fixed options. Writes bpe.model, unigram.model and
expected.json ({model: {text: [ids]}}; encode() without BOS/EOS, as SentencePieceProcessor.encode gives them).
"""
import json
import sentencepiece as spm

CORPUS = "corpus.txt"
COMMON = dict(input=CORPUS, vocab_size=1000, character_coverage=0.98, num_threads=1, seed_sentencepiece_size=20000,
              shuffle_input_sentence=False, bos_id=1, eos_id=2, unk_id=0, user_defined_symbols=["<sep>"])

spm.SentencePieceTrainer.train(model_prefix="bpe", model_type="bpe", byte_fallback=True, **COMMON)
spm.SentencePieceTrainer.train(model_prefix="unigram", model_type="unigram", **COMMON)

texts = [l.rstrip("\n") for l in open("texts.txt", encoding="utf-8") if l.strip()]
expected = {}
for name in ("bpe", "unigram"):
    sp = spm.SentencePieceProcessor(model_file=name + ".model")
    expected[name] = {t: " ".join(map(str, sp.encode(t))) for t in texts}
with open("expected.json", "w", encoding="utf-8") as f:
    json.dump({"sentencepiece": spm.__version__, "expected": expected}, f, ensure_ascii=False, indent=1, sort_keys=True)
