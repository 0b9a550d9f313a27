#!/usr/bin/python3
"""Tiny random checkpoints + float64 reference hidden states for GPT-NeoX (Pythia), RoBERTa, XLM-RoBERTa, Mixtral and
Qwen3-MoE, in the Hugging Face safetensors layouts with the HF tensor names, and the GGUF copies of the decoders in
llama.cpp's converter layout (tensor names, qkv order, metadata keys).

The forward passes below are written from the equations of the Hugging Face modeling files (modeling_gpt_neox.py,
modeling_roberta.py, modeling_xlm_roberta.py, modeling_mixtral.py, modeling_qwen3_moe.py) and run in float64 with
Debian's torch 1.13. Token ids come from Hugging Face `tokenizers` (npm `tokenizers` 0.23.2, node) for the BPE folders
and from sentencepiece (Debian python3-sentencepiece) for XLM-R, with the fairseq offset.

Usage: /usr/bin/python3 make_neox_encoders_moe.py   (writes next to this file; needs node + /tmp/neoxnpm/node_modules/tokenizers)
"""
import json, math, os, struct, subprocess, sys
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
NODE_MODULES = os.environ.get("TOKENIZERS_NODE_MODULES", "/tmp/neoxnpm/node_modules")
torch.set_default_dtype(torch.float64)

WORDS = ["galaxy", "banana", "couch", "apple", "comet", "is", "a"]
SENTENCES = ["The galaxy is a comet.", "a banana is an apple"]


# ---------------------------------------------------------------------------------------------- files
def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, numpy float64 array); dtype 'F32' | 'F16' | 'BF16'. Returns the stored values as float64."""
    header, blobs, offset, stored = {}, [], 0, {}
    for name, a in tensors:
        a = np.asarray(a, dtype=np.float64)
        if dtype == "F32":
            raw = a.astype("<f4"); back = raw.astype(np.float64)
        elif dtype == "F16":
            raw = a.astype("<f2"); back = raw.astype(np.float64)
        else:
            f = a.astype("<f4").view("<u4")
            r = ((f + 0x7FFF + ((f >> 16) & 1)) >> 16).astype("<u2")       # round to nearest even
            raw = r; back = (r.astype("<u4") << 16).view("<f4").astype(np.float64)
        b = raw.tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
        blobs.append(b); offset += len(b); stored[name] = back.reshape(a.shape)
    header["__metadata__"] = {"format": "pt"}
    h = json.dumps(header, separators=(",", ":")).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h))); f.write(h)
        for b in blobs: f.write(b)
    return stored


class Gguf:
    """GGUF v3 writer (all tensors F32), tensors given in numpy order (dims written reversed, as ggml ne[])."""
    T_U32, T_I32, T_F32, T_BOOL, T_STR, T_ARR = 4, 5, 6, 7, 8, 9

    def __init__(self): self.kv, self.tensors = [], []

    def add(self, key, typ, value, elem=None): self.kv.append((key, typ, value, elem))

    def tensor(self, name, a): self.tensors.append((name, np.asarray(a, dtype=np.float64).astype("<f4")))

    @staticmethod
    def _str(s):
        b = s.encode(); return struct.pack("<Q", len(b)) + b

    def _val(self, typ, v, elem):
        if typ == self.T_U32: return struct.pack("<I", v)
        if typ == self.T_I32: return struct.pack("<i", v)
        if typ == self.T_F32: return struct.pack("<f", v)
        if typ == self.T_BOOL: return struct.pack("<B", 1 if v else 0)
        if typ == self.T_STR: return self._str(v)
        out = struct.pack("<IQ", elem, len(v))
        for x in v: out += self._val(elem, x, None)
        return out

    def write(self, path):
        align = 32
        out = bytearray(b"GGUF" + struct.pack("<IQQ", 3, len(self.tensors), len(self.kv)))
        for k, t, v, e in self.kv: out += self._str(k) + struct.pack("<I", t) + self._val(t, v, e)
        offset, offsets = 0, []
        for name, a in self.tensors:
            offsets.append(offset); offset += a.nbytes; offset += (-offset) % align
        for (name, a), off in zip(self.tensors, offsets):
            dims = list(reversed(a.shape))
            out += self._str(name) + struct.pack("<I", len(dims)) + b"".join(struct.pack("<Q", d) for d in dims)
            out += struct.pack("<IQ", 0, off)
        out += b"\0" * ((-len(out)) % align)
        base = len(out)
        for (name, a), off in zip(self.tensors, offsets):
            out += b"\0" * (base + off - len(out)); out += a.tobytes()
        with open(path, "wb") as f: f.write(out)


def node_encode(tokenizer_json, texts, add_special):
    """ids and tokens from Hugging Face tokenizers (npm) for each text."""
    script = r"""
const { Tokenizer } = require('tokenizers');
const [path, texts, special] = [process.argv[1], JSON.parse(process.argv[2]), process.argv[3] === '1'];
(async () => {
  const t = Tokenizer.fromFile(path);
  const out = [];
  for (const s of texts) { const e = await t.encode(s, null, { addSpecialTokens: special }); out.push({ ids: e.getIds(), tokens: e.getTokens(), offsets: e.getOffsets() }); }
  console.log(JSON.stringify(out));
})();
"""
    env = dict(os.environ, NODE_PATH=NODE_MODULES)
    r = subprocess.run(["node", "-e", script, tokenizer_json, json.dumps(texts), "1" if add_special else "0"],
                       capture_output=True, text=True, env=env, check=True)
    return json.loads(r.stdout)


def rounded(a):
    return [[float(f"{v:.10g}") for v in row] for row in np.asarray(a)]


# ---------------------------------------------------------------------------------------------- shared math (float64)
def layer_norm(x, w, b, eps):
    mu = x.mean(-1, keepdim=True); var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * w + b


def rms_norm(x, w, eps):
    return x / torch.sqrt((x * x).mean(-1, keepdim=True) + eps) * w


def gelu_erf(x):
    return 0.5 * x * (1 + torch.erf(x / math.sqrt(2)))


def silu(x):
    return x / (1 + torch.exp(-x))


def rotate_half_rope(x, positions, dims, theta):
    """HF rotate_half RoPE on the first `dims` of the last axis; x [heads, T, hd]."""
    inv = 1.0 / theta ** (torch.arange(0, dims, 2, dtype=torch.float64) / dims)
    ang = positions[:, None].double() * inv[None, :]                     # [T, dims/2]
    cos = torch.cat([ang.cos(), ang.cos()], -1); sin = torch.cat([ang.sin(), ang.sin()], -1)
    xr, xp = x[..., :dims], x[..., dims:]
    half = dims // 2
    rot = torch.cat([-xr[..., half:], xr[..., :half]], -1)
    return torch.cat([xr * cos + rot * sin, xp], -1)


def attention(q, k, v, causal):
    """q [H, T, hd], k/v [H, T, hd] (already repeated for GQA). Returns ctx [T, H*hd] and probabilities [H, T, T]."""
    H, T, hd = q.shape
    s = q @ k.transpose(1, 2) / math.sqrt(hd)
    if causal:
        s = s.masked_fill(torch.triu(torch.ones(T, T, dtype=torch.bool), 1), float("-inf"))
    p = torch.softmax(s, -1)
    return (p @ v).transpose(0, 1).reshape(T, H * hd), p


def rnd(gen, *shape, std=0.02):
    return torch.randn(*shape, generator=gen, dtype=torch.float64) * std


# ---------------------------------------------------------------------------------------------- tokenizers
def byte_level_tokenizer(specials_front, specials_back, post_processor, add_prefix_space=False):
    """GPT-2-style byte-level BPE built from llama-tiny's vocabulary and merges (GPT-2 split regex, no ignore_merges)."""
    src = json.load(open(os.path.join(HERE, "llama-tiny", "tokenizer.json"), encoding="utf-8"))
    pieces = sorted(src["model"]["vocab"].items(), key=lambda kv: kv[1])
    vocab, added = {}, []
    for s in specials_front:
        added.append({"id": len(vocab), "content": s, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True})
        vocab[s] = len(vocab)
    for p, _ in pieces: vocab[p] = len(vocab)
    for s in specials_back:
        added.append({"id": len(vocab), "content": s, "single_word": False, "lstrip": s == "<mask>", "rstrip": False, "normalized": False, "special": True})
        vocab[s] = len(vocab)
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": add_prefix_space, "trim_offsets": True, "use_regex": True},
        "post_processor": post_processor,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False, "vocab": vocab, "merges": src["model"]["merges"]},
    }


def inputs_of(tokenizer_json, special):
    texts = [" " + w for w in WORDS] + SENTENCES
    enc = node_encode(tokenizer_json, texts, special)
    checks = node_encode(tokenizer_json, WORDS + [" " + w for w in WORDS] + SENTENCES, False)
    tc = {t: {"ids": e["ids"], "tokens": e["tokens"]} for t, e in zip(WORDS + [" " + w for w in WORDS] + SENTENCES, checks)}
    return texts, enc, tc


# ---------------------------------------------------------------------------------------------- GPT-NeoX
def gpt_neox_weights(gen, c, V):
    D, L, I = c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"]
    t = [("gpt_neox.embed_in.weight", rnd(gen, V, D, std=0.5))]
    for l in range(L):
        p = f"gpt_neox.layers.{l}."
        t += [(p + "input_layernorm.weight", 1 + rnd(gen, D, std=0.1)), (p + "input_layernorm.bias", rnd(gen, D, std=0.1)),
              (p + "post_attention_layernorm.weight", 1 + rnd(gen, D, std=0.1)), (p + "post_attention_layernorm.bias", rnd(gen, D, std=0.1)),
              (p + "attention.query_key_value.weight", rnd(gen, 3 * D, D, std=0.12)), (p + "attention.query_key_value.bias", rnd(gen, 3 * D, std=0.1)),
              (p + "attention.dense.weight", rnd(gen, D, D, std=0.15)), (p + "attention.dense.bias", rnd(gen, D, std=0.05)),
              (p + "mlp.dense_h_to_4h.weight", rnd(gen, I, D, std=0.15)), (p + "mlp.dense_h_to_4h.bias", rnd(gen, I, std=0.1)),
              (p + "mlp.dense_4h_to_h.weight", rnd(gen, D, I, std=0.1)), (p + "mlp.dense_4h_to_h.bias", rnd(gen, D, std=0.05))]
    t += [("gpt_neox.final_layer_norm.weight", 1 + rnd(gen, D, std=0.1)), ("gpt_neox.final_layer_norm.bias", rnd(gen, D, std=0.1)),
          ("embed_out.weight", rnd(gen, V, D, std=0.1))]
    return t


def gelu_tanh(x):
    return 0.5 * x * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x ** 3)))


def gelu_ggml(x):
    """ggml's CPU GELU (GGML_GELU_FP16): the tanh form looked up in a table indexed by x rounded to half precision,
    holding half-precision values; identity above 10, zero below −10."""
    y = gelu_tanh(x.half().double()).half().double()
    return torch.where(x >= 10, x, torch.where(x <= -10, torch.zeros_like(x), y))


def gpt_neox_forward(w, c, ids, act=gelu_erf):
    """GPTNeoXModel: x = embed_in[ids]; per layer (parallel) x + attn(ln1 x) + mlp(ln2 x), or (sequential) a = x + attn(ln1 x);
    a + mlp(ln2 a). qkv per head [q | k | v] of head_dim each; rotary (rotate_half) on the first rotary_ndims."""
    D, H, L = c["hidden_size"], c["num_attention_heads"], c["num_hidden_layers"]
    hd = D // H
    rot = int(hd * c.get("rotary_pct", c.get("partial_rotary_factor", 0.25)))
    base = c.get("rotary_emb_base", c.get("rope_theta", 10000))
    eps = c["layer_norm_eps"]
    T = len(ids)
    x = w["gpt_neox.embed_in.weight"][ids]
    layers, att = {"0": x.clone()}, {}
    pos = torch.arange(T)
    for l in range(L):
        p = f"gpt_neox.layers.{l}."
        a = layer_norm(x, w[p + "input_layernorm.weight"], w[p + "input_layernorm.bias"], eps)
        qkv = a @ w[p + "attention.query_key_value.weight"].T + w[p + "attention.query_key_value.bias"]
        qkv = qkv.view(T, H, 3 * hd).transpose(0, 1)                      # [H, T, 3hd]
        q, k, v = qkv[..., :hd], qkv[..., hd:2 * hd], qkv[..., 2 * hd:]
        q, k = rotate_half_rope(q, pos, rot, base), rotate_half_rope(k, pos, rot, base)
        ctx, prob = attention(q, k, v, causal=True)
        att[str(l)] = prob
        attn_out = ctx @ w[p + "attention.dense.weight"].T + w[p + "attention.dense.bias"]

        def mlp(h):
            f = act(h @ w[p + "mlp.dense_h_to_4h.weight"].T + w[p + "mlp.dense_h_to_4h.bias"])
            return f @ w[p + "mlp.dense_4h_to_h.weight"].T + w[p + "mlp.dense_4h_to_h.bias"]
        if c.get("use_parallel_residual", True):
            x = x + attn_out + mlp(layer_norm(x, w[p + "post_attention_layernorm.weight"], w[p + "post_attention_layernorm.bias"], eps))
        else:
            a2 = x + attn_out
            x = a2 + mlp(layer_norm(a2, w[p + "post_attention_layernorm.weight"], w[p + "post_attention_layernorm.bias"], eps))
        layers[str(l + 1)] = x.clone()
    final = layer_norm(x, w["gpt_neox.final_layer_norm.weight"], w["gpt_neox.final_layer_norm.bias"], eps)
    return layers, final, att


def gpt_neox_gguf(path, w, c, tok, V):
    """As convert_hf_to_gguf.py's GPTNeoXModel: arch gptneox, qkv rows regrouped from per-head [q|k|v] to [all q | all k | all v]."""
    D, H, L = c["hidden_size"], c["num_attention_heads"], c["num_hidden_layers"]
    hd = D // H
    g = Gguf()
    g.add("general.architecture", Gguf.T_STR, "gptneox")
    g.add("general.name", Gguf.T_STR, "gpt-neox-tiny")
    g.add("gptneox.context_length", Gguf.T_U32, c["max_position_embeddings"])
    g.add("gptneox.embedding_length", Gguf.T_U32, D)
    g.add("gptneox.block_count", Gguf.T_U32, L)
    g.add("gptneox.feed_forward_length", Gguf.T_U32, c["intermediate_size"])
    g.add("gptneox.rope.dimension_count", Gguf.T_U32, int(c["rotary_pct"] * hd))
    g.add("gptneox.attention.head_count", Gguf.T_U32, H)
    g.add("gptneox.use_parallel_residual", Gguf.T_BOOL, c.get("use_parallel_residual", True))
    g.add("gptneox.attention.layer_norm_epsilon", Gguf.T_F32, c["layer_norm_eps"])
    add_gpt2_vocab(g, tok, V, pre="gpt-2", bos=c["bos_token_id"], eos=c["eos_token_id"], add_bos=False)
    g.tensor("token_embd.weight", w["gpt_neox.embed_in.weight"])
    for l in range(L):
        p, b = f"gpt_neox.layers.{l}.", f"blk.{l}."
        qkv = w[p + "attention.query_key_value.weight"].view(H, 3, hd, D)
        qkvb = w[p + "attention.query_key_value.bias"].view(H, 3, hd)
        g.tensor(b + "attn_norm.weight", w[p + "input_layernorm.weight"]); g.tensor(b + "attn_norm.bias", w[p + "input_layernorm.bias"])
        g.tensor(b + "attn_qkv.weight", torch.cat([qkv[:, i].reshape(-1, D) for i in range(3)], 0))
        g.tensor(b + "attn_qkv.bias", torch.cat([qkvb[:, i].reshape(-1) for i in range(3)], 0))
        g.tensor(b + "attn_output.weight", w[p + "attention.dense.weight"]); g.tensor(b + "attn_output.bias", w[p + "attention.dense.bias"])
        g.tensor(b + "ffn_norm.weight", w[p + "post_attention_layernorm.weight"]); g.tensor(b + "ffn_norm.bias", w[p + "post_attention_layernorm.bias"])
        g.tensor(b + "ffn_up.weight", w[p + "mlp.dense_h_to_4h.weight"]); g.tensor(b + "ffn_up.bias", w[p + "mlp.dense_h_to_4h.bias"])
        g.tensor(b + "ffn_down.weight", w[p + "mlp.dense_4h_to_h.weight"]); g.tensor(b + "ffn_down.bias", w[p + "mlp.dense_4h_to_h.bias"])
    g.tensor("output_norm.weight", w["gpt_neox.final_layer_norm.weight"]); g.tensor("output_norm.bias", w["gpt_neox.final_layer_norm.bias"])
    g.tensor("output.weight", w["embed_out.weight"])
    g.write(path)


def add_gpt2_vocab(g, tok, V, pre, bos=None, eos=None, add_bos=None):
    """tokenizer.ggml.* as the converter's _set_vocab_gpt2 writes them (with the special ids and add_bos_token of the
    folder's tokenizer_config.json, as its SpecialVocab does); ids beyond the tokenizer padded with [PAD{i}]."""
    by_id = {i: p for p, i in tok["model"]["vocab"].items()}
    special = {a["id"] for a in tok["added_tokens"]}
    tokens, types = [], []
    for i in range(V):
        if i in by_id: tokens.append(by_id[i]); types.append(3 if i in special else 1)
        else: tokens.append(f"[PAD{i}]"); types.append(5)
    g.add("tokenizer.ggml.model", Gguf.T_STR, "gpt2")
    g.add("tokenizer.ggml.pre", Gguf.T_STR, pre)
    g.add("tokenizer.ggml.tokens", Gguf.T_ARR, tokens, Gguf.T_STR)
    g.add("tokenizer.ggml.token_type", Gguf.T_ARR, types, Gguf.T_I32)
    g.add("tokenizer.ggml.merges", Gguf.T_ARR, list(tok["model"]["merges"]), Gguf.T_STR)
    if bos is not None: g.add("tokenizer.ggml.bos_token_id", Gguf.T_U32, bos)
    if eos is not None: g.add("tokenizer.ggml.eos_token_id", Gguf.T_U32, eos)
    if add_bos is not None: g.add("tokenizer.ggml.add_bos_token", Gguf.T_BOOL, add_bos)


def make_gpt_neox(name, config, dtype, seed, folder, gguf_name=None, extra_tensors=()):
    os.makedirs(folder, exist_ok=True)
    gen = torch.Generator().manual_seed(seed)
    V = config["vocab_size"]
    tok = byte_level_tokenizer([], ["<|endoftext|>"], {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True})
    tok_path = os.path.join(folder, "tokenizer.json")
    json.dump(tok, open(tok_path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    json.dump({"add_bos_token": False, "add_eos_token": False, "bos_token": "<|endoftext|>", "eos_token": "<|endoftext|>",
               "unk_token": "<|endoftext|>", "tokenizer_class": "GPTNeoXTokenizer", "model_max_length": config["max_position_embeddings"]},
              open(os.path.join(folder, "tokenizer_config.json"), "w"), indent=1)
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)
    tensors = gpt_neox_weights(gen, config, V)
    stored = write_safetensors(os.path.join(folder, "model.safetensors"), tensors + list(extra_tensors), dtype)
    w = {k: torch.tensor(v) for k, v in stored.items()}
    texts, enc, checks = inputs_of(tok_path, True)
    out = []
    for text, e in zip(texts, enc):
        ids = e["ids"]
        layers, final, att = gpt_neox_forward(w, config, ids)
        item = {"text": text, "ids": ids, "tokens": e["tokens"], "layers": {k: rounded(v) for k, v in layers.items()}, "final_norm": rounded(final)}
        # the same pass with the GELU llama.cpp computes (tanh form through a half-precision table), to check llama.cpp
        # on the GGUF copy apart from that one departure
        item["final_norm_ggml_gelu"] = rounded(gpt_neox_forward(w, config, ids, act=gelu_ggml)[1])
        if len(ids) > 1: item["attentions"] = {"1": [[[float(f"{v:.10g}") for v in r] for r in h] for h in att["1"].numpy()]}
        out.append(item)
    doc = {"description": f"Float64 reference hidden states of {name} (see README.md).", "config": config, "storage_dtype": dtype,
           "tokenizer_checks": checks, "inputs": out}
    if gguf_name:
        gpt_neox_gguf(os.path.join(HERE, gguf_name), w, config, tok, V)
        doc["gguf"] = gguf_name
    return doc


# ---------------------------------------------------------------------------------------------- RoBERTa / XLM-R
def roberta_weights(gen, c):
    D, L, I, V, P = c["hidden_size"], c["num_hidden_layers"], c["intermediate_size"], c["vocab_size"], c["max_position_embeddings"]
    pre = "roberta." if c.get("_prefix", False) else ""
    t = [(pre + "embeddings.word_embeddings.weight", rnd(gen, V, D, std=0.5)),
         (pre + "embeddings.position_embeddings.weight", rnd(gen, P, D, std=0.3)),
         (pre + "embeddings.token_type_embeddings.weight", rnd(gen, c["type_vocab_size"], D, std=0.3)),
         (pre + "embeddings.LayerNorm.weight", 1 + rnd(gen, D, std=0.1)), (pre + "embeddings.LayerNorm.bias", rnd(gen, D, std=0.1))]
    for l in range(L):
        p = f"{pre}encoder.layer.{l}."
        for n in ["query", "key", "value"]:
            t += [(p + f"attention.self.{n}.weight", rnd(gen, D, D, std=0.12)), (p + f"attention.self.{n}.bias", rnd(gen, D, std=0.1))]
        t += [(p + "attention.output.dense.weight", rnd(gen, D, D, std=0.15)), (p + "attention.output.dense.bias", rnd(gen, D, std=0.05)),
              (p + "attention.output.LayerNorm.weight", 1 + rnd(gen, D, std=0.1)), (p + "attention.output.LayerNorm.bias", rnd(gen, D, std=0.1)),
              (p + "intermediate.dense.weight", rnd(gen, I, D, std=0.15)), (p + "intermediate.dense.bias", rnd(gen, I, std=0.1)),
              (p + "output.dense.weight", rnd(gen, D, I, std=0.1)), (p + "output.dense.bias", rnd(gen, D, std=0.05)),
              (p + "output.LayerNorm.weight", 1 + rnd(gen, D, std=0.1)), (p + "output.LayerNorm.bias", rnd(gen, D, std=0.1))]
    t += [(pre + "pooler.dense.weight", rnd(gen, D, D)), (pre + "pooler.dense.bias", rnd(gen, D))]
    return t


def roberta_forward(w, c, ids, pre=""):
    """RobertaModel: positions = cumsum(ids != pad) · (ids != pad) + pad; x = LN(word + pos + type[0]); post-LN BERT layers."""
    D, H, L, eps, pad = c["hidden_size"], c["num_attention_heads"], c["num_hidden_layers"], c["layer_norm_eps"], c["pad_token_id"]
    hd = D // H
    ids_t = torch.tensor(ids)
    mask = (ids_t != pad).long()
    pos = torch.cumsum(mask, 0) * mask + pad
    x = w[pre + "embeddings.word_embeddings.weight"][ids] + w[pre + "embeddings.position_embeddings.weight"][pos] \
        + w[pre + "embeddings.token_type_embeddings.weight"][0]
    x = layer_norm(x, w[pre + "embeddings.LayerNorm.weight"], w[pre + "embeddings.LayerNorm.bias"], eps)
    layers, att = {"0": x.clone()}, {}
    T = len(ids)
    for l in range(L):
        p = f"{pre}encoder.layer.{l}."
        q, k, v = [(x @ w[p + f"attention.self.{n}.weight"].T + w[p + f"attention.self.{n}.bias"]).view(T, H, hd).transpose(0, 1)
                   for n in ["query", "key", "value"]]
        ctx, prob = attention(q, k, v, causal=False)
        att[str(l)] = prob
        x = layer_norm(x + ctx @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"],
                       w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"], eps)
        f = gelu_erf(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
        x = layer_norm(x + f @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"],
                       w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"], eps)
        layers[str(l + 1)] = x.clone()
    return layers, att


def encoder_doc(name, config, dtype, folder, tensors, encodings, checks, pre=""):
    stored = write_safetensors(os.path.join(folder, "model.safetensors"), tensors, dtype)
    w = {k: torch.tensor(v) for k, v in stored.items()}
    out = []
    for text, e in encodings:
        layers, att = roberta_forward(w, config, e["ids"], pre)
        item = {"text": text, "ids": e["ids"], "tokens": e["tokens"], "layers": {k: rounded(v) for k, v in layers.items()},
                "token": rounded(w[pre + "embeddings.word_embeddings.weight"][e["ids"]])}
        item["attentions"] = {"1": [[[float(f"{v:.10g}") for v in r] for r in h] for h in att["1"].numpy()]}
        out.append(item)
    return {"description": f"Float64 reference hidden states of {name} (see README.md).", "config": config, "storage_dtype": dtype,
            "tokenizer_checks": checks, "inputs": out}


def make_roberta(folder):
    os.makedirs(folder, exist_ok=True)
    tok = byte_level_tokenizer(["<s>", "<pad>", "</s>", "<unk>"], ["<mask>"],
                               {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True, "add_prefix_space": False})
    tok_path = os.path.join(folder, "tokenizer.json")
    json.dump(tok, open(tok_path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    V = len(tok["model"]["vocab"])
    config = {"architectures": ["RobertaModel"], "model_type": "roberta", "hidden_size": 64, "num_hidden_layers": 2,
              "num_attention_heads": 4, "intermediate_size": 128, "hidden_act": "gelu", "max_position_embeddings": 40,
              "type_vocab_size": 1, "vocab_size": V, "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
              "position_embedding_type": "absolute", "torch_dtype": "float32"}
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)
    json.dump({"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
               "mask_token": "<mask>", "add_prefix_space": False, "tokenizer_class": "RobertaTokenizer", "model_max_length": 38},
              open(os.path.join(folder, "tokenizer_config.json"), "w"), indent=1)
    gen = torch.Generator().manual_seed(7)
    texts, enc, checks = inputs_of(tok_path, True)
    return encoder_doc("roberta-tiny", config, "F32", folder, roberta_weights(gen, config), list(zip(texts, enc)), checks)


SP_CORPUS = """The galaxy is a comet. A banana is an apple. The couch is in the house.
Galaxies and comets move through space; bananas and apples grow on trees.
She sat on the couch and ate an apple, then a banana.
The comet's tail glowed over the galaxy at night.
Über den Wolken: café, naïve, résumé — déjà vu.
Apples, bananas, couches, comets, galaxies: words of a tiny world.
Il était une fois une galaxie lointaine. Die Banane ist gelb.
A sofa, a couch, a settee; a planet, a star, a comet.
"""


def make_xlmr(folder):
    import sentencepiece as spm
    os.makedirs(folder, exist_ok=True)
    corpus = os.path.join("/tmp", "xlmr_tiny_corpus.txt")
    with open(corpus, "w", encoding="utf-8") as f:
        for i in range(40): f.write(SP_CORPUS)
    prefix = os.path.join("/tmp", "xlmr_tiny_sp")
    spm.SentencePieceTrainer.train(input=corpus, model_prefix=prefix, vocab_size=100, model_type="unigram",
                                   character_coverage=1.0, bos_id=1, eos_id=2, unk_id=0, pad_id=-1, seed_sentencepiece_size=10000,
                                   num_threads=1)
    model_bytes = open(prefix + ".model", "rb").read()
    open(os.path.join(folder, "sentencepiece.bpe.model"), "wb").write(model_bytes)
    sp = spm.SentencePieceProcessor(model_file=prefix + ".model")
    n = sp.get_piece_size()
    # fairseq dictionary: <s>=0 <pad>=1 </s>=2 <unk>=3, then SentencePiece id i ≥ 3 at i + 1, <mask> last.
    def fs(i):
        return {0: 3, 1: 0, 2: 2}[i] if i < 3 else i + 1
    V = n + 2
    vocab = [["<s>", 0.0], ["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]] + [[sp.id_to_piece(i), sp.get_score(i)] for i in range(3, n)] + [["<mask>", 0.0]]
    assert len(vocab) == V
    tok = {"version": "1.0", "truncation": None, "padding": None,
           "added_tokens": [{"id": i, "content": c, "single_word": False, "lstrip": c == "<mask>", "rstrip": False, "normalized": False, "special": True}
                            for i, c in [(0, "<s>"), (1, "<pad>"), (2, "</s>"), (3, "<unk>"), (V - 1, "<mask>")]],
           "normalizer": {"type": "Sequence", "normalizers": [{"type": "NFKC"}, {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]},
           "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
           "post_processor": {"type": "TemplateProcessing",
                              "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                              "pair": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                                       {"SpecialToken": {"id": "</s>", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
                              "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}, "</s>": {"id": "</s>", "ids": [2], "tokens": ["</s>"]}}},
           "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
           "model": {"type": "Unigram", "unk_id": 3, "vocab": vocab, "byte_fallback": False}}
    json_folder = folder + "-json"
    os.makedirs(json_folder, exist_ok=True)
    tok_path = os.path.join(json_folder, "tokenizer.json")
    json.dump(tok, open(tok_path, "w", encoding="utf-8"), ensure_ascii=False, indent=1)
    config = {"architectures": ["XLMRobertaModel"], "model_type": "xlm-roberta", "hidden_size": 48, "num_hidden_layers": 2,
              "num_attention_heads": 3, "intermediate_size": 96, "hidden_act": "gelu", "max_position_embeddings": 34,
              "type_vocab_size": 1, "vocab_size": V, "layer_norm_eps": 1e-5, "pad_token_id": 1, "bos_token_id": 0, "eos_token_id": 2,
              "position_embedding_type": "absolute", "torch_dtype": "float32"}
    for f in (folder, json_folder):
        json.dump(config, open(os.path.join(f, "config.json"), "w"), indent=2)
        json.dump({"bos_token": "<s>", "eos_token": "</s>", "sep_token": "</s>", "cls_token": "<s>", "unk_token": "<unk>", "pad_token": "<pad>",
                   "mask_token": "<mask>", "tokenizer_class": "XLMRobertaTokenizer", "model_max_length": 32},
                  open(os.path.join(f, "tokenizer_config.json"), "w"), indent=1)
    # SentencePiece's own encoder (+ fairseq offset, <s> … </s>) gives the reference ids; HF tokenizers on the
    # tokenizer.json must agree.
    texts = WORDS + SENTENCES + ["galaxies and comets", "Über den Wolken", "naïve café", "couches   and\tapples", "xylophone", "The  galaxy"]
    checks = {}
    for t in texts:
        pieces = sp.encode(t, out_type=str); ids = [fs(i) for i in sp.encode(t)]
        checks[t] = {"ids": ids, "tokens": pieces, "sp_ids": sp.encode(t)}
    hf = node_encode(tok_path, texts, False)
    for t, e in zip(texts, hf):
        if e["ids"] != checks[t]["ids"]:
            print("tokenizers and sentencepiece differ on", repr(t), e["ids"], checks[t]["ids"], file=sys.stderr)
            checks[t]["hf_ids"] = e["ids"]
    gen = torch.Generator().manual_seed(11)
    encs = []
    for t in WORDS + SENTENCES:
        ids = [0] + [fs(i) for i in sp.encode(t)] + [2]
        encs.append((t, {"ids": ids, "tokens": ["<s>"] + sp.encode(t, out_type=str) + ["</s>"]}))
    tensors = roberta_weights(gen, config)
    doc = encoder_doc("xlm-roberta-tiny", config, "F32", folder, tensors, encs, checks)
    write_safetensors(os.path.join(json_folder, "model.safetensors"), tensors, "F32")
    doc["sentencepiece_version"] = spm.__version__
    return doc


# ---------------------------------------------------------------------------------------------- MoE decoders
def moe_weights(gen, c, kind):
    D, L, H, KV = c["hidden_size"], c["num_hidden_layers"], c["num_attention_heads"], c["num_key_value_heads"]
    hd = c.get("head_dim", D // H)
    V = c["vocab_size"]
    t = [("model.embed_tokens.weight", rnd(gen, V, D, std=0.5))]
    for l in range(L):
        p = f"model.layers.{l}."
        t += [(p + "input_layernorm.weight", 1 + rnd(gen, D, std=0.1)), (p + "post_attention_layernorm.weight", 1 + rnd(gen, D, std=0.1)),
              (p + "self_attn.q_proj.weight", rnd(gen, H * hd, D, std=0.12)), (p + "self_attn.k_proj.weight", rnd(gen, KV * hd, D, std=0.12)),
              (p + "self_attn.v_proj.weight", rnd(gen, KV * hd, D, std=0.3)), (p + "self_attn.o_proj.weight", rnd(gen, D, H * hd, std=0.15))]
        if kind == "qwen3_moe":
            t += [(p + "self_attn.q_norm.weight", 1 + rnd(gen, hd, std=0.1)), (p + "self_attn.k_norm.weight", 1 + rnd(gen, hd, std=0.1))]
        E = c["num_local_experts"] if kind == "mixtral" else c["num_experts"]
        if kind == "mixtral":
            I = c["intermediate_size"]
            t.append((p + "block_sparse_moe.gate.weight", rnd(gen, E, D, std=0.5)))
            for e in range(E):
                q = p + f"block_sparse_moe.experts.{e}."
                t += [(q + "w1.weight", rnd(gen, I, D, std=0.2)), (q + "w2.weight", rnd(gen, D, I, std=0.15)), (q + "w3.weight", rnd(gen, I, D, std=0.2))]
        elif qwen3_sparse(c, l):
            I = c["moe_intermediate_size"]
            t.append((p + "mlp.gate.weight", rnd(gen, E, D, std=0.5)))
            for e in range(E):
                q = p + f"mlp.experts.{e}."
                t += [(q + "gate_proj.weight", rnd(gen, I, D, std=0.2)), (q + "up_proj.weight", rnd(gen, I, D, std=0.2)), (q + "down_proj.weight", rnd(gen, D, I, std=0.15))]
        else:
            I = c["intermediate_size"]
            t += [(p + "mlp.gate_proj.weight", rnd(gen, I, D, std=0.2)), (p + "mlp.up_proj.weight", rnd(gen, I, D, std=0.2)), (p + "mlp.down_proj.weight", rnd(gen, D, I, std=0.15))]
    t += [("model.norm.weight", 1 + rnd(gen, D, std=0.1)), ("lm_head.weight", rnd(gen, V, D, std=0.1))]
    return t


def qwen3_sparse(c, l):
    return l not in c.get("mlp_only_layers", []) and c["num_experts"] > 0 and (l + 1) % c.get("decoder_sparse_step", 1) == 0


def moe_block(x, gate, experts, top_k, normalise):
    """softmax over router logits, top-k, optional renormalisation of the k weights; experts: list of (gate, up, down)."""
    probs = torch.softmax(x @ gate.T, -1)
    wts, sel = torch.topk(probs, top_k, -1)
    if normalise: wts = wts / wts.sum(-1, keepdim=True)
    out = torch.zeros_like(x)
    for t in range(x.shape[0]):
        for j in range(top_k):
            g, u, d = experts[int(sel[t, j])]
            out[t] += wts[t, j] * ((silu(x[t] @ g.T) * (x[t] @ u.T)) @ d.T)
    return out, sel


def moe_forward(w, c, kind, ids):
    D, H, KV, L, eps = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["num_hidden_layers"], c["rms_norm_eps"]
    hd = c.get("head_dim", D // H)
    theta = c.get("rope_theta", 10000.0)
    T = len(ids)
    pos = torch.arange(T)
    x = w["model.embed_tokens.weight"][ids]
    layers, att, routes = {"0": x.clone()}, {}, {}
    for l in range(L):
        p = f"model.layers.{l}."
        a = rms_norm(x, w[p + "input_layernorm.weight"], eps)
        q = (a @ w[p + "self_attn.q_proj.weight"].T).view(T, H, hd)
        k = (a @ w[p + "self_attn.k_proj.weight"].T).view(T, KV, hd)
        v = (a @ w[p + "self_attn.v_proj.weight"].T).view(T, KV, hd)
        if kind == "qwen3_moe":
            q, k = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps), rms_norm(k, w[p + "self_attn.k_norm.weight"], eps)
        q, k, v = q.transpose(0, 1), k.transpose(0, 1), v.transpose(0, 1)
        q, k = rotate_half_rope(q, pos, hd, theta), rotate_half_rope(k, pos, hd, theta)
        rep = H // KV
        k, v = k.repeat_interleave(rep, 0), v.repeat_interleave(rep, 0)
        ctx, prob = attention(q, k, v, causal=True)
        att[str(l)] = prob
        x = x + ctx @ w[p + "self_attn.o_proj.weight"].T
        a = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps)
        if kind == "mixtral":
            E = c["num_local_experts"]
            ex = [(w[p + f"block_sparse_moe.experts.{e}.w1.weight"], w[p + f"block_sparse_moe.experts.{e}.w3.weight"],
                   w[p + f"block_sparse_moe.experts.{e}.w2.weight"]) for e in range(E)]
            f, sel = moe_block(a, w[p + "block_sparse_moe.gate.weight"], ex, c["num_experts_per_tok"], True)
            routes[str(l)] = sel.tolist()
        elif qwen3_sparse(c, l):
            E = c["num_experts"]
            ex = [(w[p + f"mlp.experts.{e}.gate_proj.weight"], w[p + f"mlp.experts.{e}.up_proj.weight"], w[p + f"mlp.experts.{e}.down_proj.weight"]) for e in range(E)]
            f, sel = moe_block(a, w[p + "mlp.gate.weight"], ex, c["num_experts_per_tok"], c.get("norm_topk_prob", False))
            routes[str(l)] = sel.tolist()
        else:
            f = (silu(a @ w[p + "mlp.gate_proj.weight"].T) * (a @ w[p + "mlp.up_proj.weight"].T)) @ w[p + "mlp.down_proj.weight"].T
        x = x + f
        layers[str(l + 1)] = x.clone()
    return layers, rms_norm(x, w["model.norm.weight"], eps), att, routes


def moe_gguf(path, w, c, kind, tok, V, permute_qk):
    """llama.cpp converter layout: Mixtral → arch llama with llama.expert_count / expert_used_count and merged 3-D
    ffn_{gate,up,down}_exps ([E, I, D] / [E, D, I] numpy order), q/k rows permuted for its interleaved RoPE;
    Qwen3-MoE → arch qwen3moe (NEOX RoPE, no permutation), expert_feed_forward_length."""
    D, H, KV, L = c["hidden_size"], c["num_attention_heads"], c["num_key_value_heads"], c["num_hidden_layers"]
    hd = c.get("head_dim", D // H)
    arch = "llama" if kind == "mixtral" else "qwen3moe"
    g = Gguf()
    g.add("general.architecture", Gguf.T_STR, arch)
    g.add("general.name", Gguf.T_STR, f"{kind}-tiny")
    g.add(f"{arch}.context_length", Gguf.T_U32, c["max_position_embeddings"])
    g.add(f"{arch}.embedding_length", Gguf.T_U32, D)
    g.add(f"{arch}.block_count", Gguf.T_U32, L)
    g.add(f"{arch}.feed_forward_length", Gguf.T_U32, c["intermediate_size"])
    g.add(f"{arch}.attention.head_count", Gguf.T_U32, H)
    g.add(f"{arch}.attention.head_count_kv", Gguf.T_U32, KV)
    g.add(f"{arch}.rope.freq_base", Gguf.T_F32, c["rope_theta"])
    g.add(f"{arch}.attention.layer_norm_rms_epsilon", Gguf.T_F32, c["rms_norm_eps"])
    E = c["num_local_experts"] if kind == "mixtral" else c["num_experts"]
    g.add(f"{arch}.expert_count", Gguf.T_U32, E)
    g.add(f"{arch}.expert_used_count", Gguf.T_U32, c["num_experts_per_tok"])
    if kind == "mixtral":
        g.add(f"{arch}.rope.dimension_count", Gguf.T_U32, hd)
        g.add(f"{arch}.vocab_size", Gguf.T_U32, V)
    else:
        g.add(f"{arch}.attention.key_length", Gguf.T_U32, hd)
        g.add(f"{arch}.attention.value_length", Gguf.T_U32, hd)
        g.add(f"{arch}.expert_feed_forward_length", Gguf.T_U32, c["moe_intermediate_size"])
    add_gpt2_vocab(g, tok, V, pre="llama-bpe" if kind == "mixtral" else "qwen2", bos=c["bos_token_id"], eos=c["eos_token_id"], add_bos=True)

    def perm(m, heads):
        return m.reshape(heads, 2, m.shape[0] // heads // 2, *m.shape[1:]).swapaxes(1, 2).reshape(m.shape)
    g.tensor("token_embd.weight", w["model.embed_tokens.weight"])
    for l in range(L):
        p, b = f"model.layers.{l}.", f"blk.{l}."
        g.tensor(b + "attn_norm.weight", w[p + "input_layernorm.weight"])
        qw, kw = w[p + "self_attn.q_proj.weight"], w[p + "self_attn.k_proj.weight"]
        g.tensor(b + "attn_q.weight", perm(qw, H) if permute_qk else qw)
        g.tensor(b + "attn_k.weight", perm(kw, KV) if permute_qk else kw)
        g.tensor(b + "attn_v.weight", w[p + "self_attn.v_proj.weight"])
        g.tensor(b + "attn_output.weight", w[p + "self_attn.o_proj.weight"])
        if kind == "qwen3_moe":
            g.tensor(b + "attn_q_norm.weight", w[p + "self_attn.q_norm.weight"]); g.tensor(b + "attn_k_norm.weight", w[p + "self_attn.k_norm.weight"])
        g.tensor(b + "ffn_norm.weight", w[p + "post_attention_layernorm.weight"])
        if kind == "mixtral":
            pe = p + "block_sparse_moe."
            g.tensor(b + "ffn_gate_inp.weight", w[pe + "gate.weight"])
            g.tensor(b + "ffn_gate_exps.weight", torch.stack([w[pe + f"experts.{e}.w1.weight"] for e in range(E)]))
            g.tensor(b + "ffn_down_exps.weight", torch.stack([w[pe + f"experts.{e}.w2.weight"] for e in range(E)]))
            g.tensor(b + "ffn_up_exps.weight", torch.stack([w[pe + f"experts.{e}.w3.weight"] for e in range(E)]))
        elif qwen3_sparse(c, l):
            pe = p + "mlp."
            g.tensor(b + "ffn_gate_inp.weight", w[pe + "gate.weight"])
            g.tensor(b + "ffn_gate_exps.weight", torch.stack([w[pe + f"experts.{e}.gate_proj.weight"] for e in range(E)]))
            g.tensor(b + "ffn_down_exps.weight", torch.stack([w[pe + f"experts.{e}.down_proj.weight"] for e in range(E)]))
            g.tensor(b + "ffn_up_exps.weight", torch.stack([w[pe + f"experts.{e}.up_proj.weight"] for e in range(E)]))
        else:
            g.tensor(b + "ffn_gate.weight", w[p + "mlp.gate_proj.weight"]); g.tensor(b + "ffn_up.weight", w[p + "mlp.up_proj.weight"])
            g.tensor(b + "ffn_down.weight", w[p + "mlp.down_proj.weight"])
    g.tensor("output_norm.weight", w["model.norm.weight"])
    g.tensor("output.weight", w["lm_head.weight"])
    g.write(path)


def make_moe(kind, folder, config, dtype, seed, gguf_name):
    os.makedirs(folder, exist_ok=True)
    src = os.path.join(HERE, "llama-tiny")
    for f in ["tokenizer.json", "tokenizer_config.json"]:
        open(os.path.join(folder, f), "wb").write(open(os.path.join(src, f), "rb").read())
    json.dump(config, open(os.path.join(folder, "config.json"), "w"), indent=2)
    gen = torch.Generator().manual_seed(seed)
    stored = write_safetensors(os.path.join(folder, "model.safetensors"), moe_weights(gen, config, kind), dtype)
    w = {k: torch.tensor(v) for k, v in stored.items()}
    tok_path = os.path.join(folder, "tokenizer.json")
    texts, enc, checks = inputs_of(tok_path, True)
    out = []
    for text, e in zip(texts, enc):
        layers, final, att, routes = moe_forward(w, config, kind, e["ids"])
        item = {"text": text, "ids": e["ids"], "tokens": e["tokens"], "layers": {k: rounded(v) for k, v in layers.items()},
                "final_norm": rounded(final), "experts": routes}
        if len(e["ids"]) > 1: item["attentions"] = {"1": [[[float(f"{v:.10g}") for v in r] for r in h] for h in att["1"].numpy()]}
        out.append(item)
    tok = json.load(open(tok_path, encoding="utf-8"))
    if gguf_name:
        moe_gguf(os.path.join(HERE, gguf_name), w, config, kind, tok, config["vocab_size"], permute_qk=kind == "mixtral")
    return {"description": f"Float64 reference hidden states of {os.path.basename(folder)} (see README.md).", "config": config, "storage_dtype": dtype,
            "tokenizer_checks": checks, "inputs": out, "gguf": gguf_name}


def dump(doc, name):
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)


if __name__ == "__main__":
    which = set(sys.argv[1:]) or {"neox", "roberta", "xlmr", "moe"}
    if "neox" in which:
        neox = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 3,
                "num_attention_heads": 4, "intermediate_size": 256, "hidden_act": "gelu", "rotary_pct": 0.25, "rotary_emb_base": 10000,
                "max_position_embeddings": 64, "layer_norm_eps": 1e-5, "use_parallel_residual": True, "attention_bias": True,
                "tie_word_embeddings": False, "vocab_size": 296, "bos_token_id": 285, "eos_token_id": 285, "torch_dtype": "float16"}
        dump(make_gpt_neox("gpt-neox-tiny", neox, "F16", 3, os.path.join(HERE, "gpt-neox-tiny"), "gpt-neox-tiny-F32.gguf"), "gpt-neox-tiny-expected.json")
        pythia = {"architectures": ["GPTNeoXForCausalLM"], "model_type": "gpt_neox", "hidden_size": 64, "num_hidden_layers": 2,
                  "num_attention_heads": 4, "intermediate_size": 256, "hidden_act": "gelu", "rotary_pct": 0.5, "rotary_emb_base": 10000,
                  "max_position_embeddings": 64, "layer_norm_eps": 1e-5, "use_parallel_residual": False,
                  "tie_word_embeddings": False, "vocab_size": 288, "bos_token_id": 285, "eos_token_id": 285, "torch_dtype": "float32"}
        inv = 1.0 / 10000 ** (np.arange(0, 8, 2) / 8)
        extra = [(f"gpt_neox.layers.{l}.attention.rotary_emb.inv_freq", inv) for l in range(2)]
        dump(make_gpt_neox("pythia-tiny step1000", pythia, "F32", 5, os.path.join(HERE, "pythia-tiny", "step1000"),
                           "pythia-tiny-step1000-F32.gguf", extra), "pythia-tiny-step1000-expected.json")
    if "roberta" in which:
        dump(make_roberta(os.path.join(HERE, "roberta-tiny")), "roberta-tiny-expected.json")
    if "xlmr" in which:
        dump(make_xlmr(os.path.join(HERE, "xlm-roberta-tiny")), "xlm-roberta-tiny-expected.json")
    if "moe" in which:
        mixtral = {"architectures": ["MixtralForCausalLM"], "model_type": "mixtral", "hidden_size": 64, "num_hidden_layers": 2,
                   "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 96, "num_local_experts": 4,
                   "num_experts_per_tok": 2, "hidden_act": "silu", "max_position_embeddings": 128, "rms_norm_eps": 1e-5,
                   "rope_theta": 1000000.0, "sliding_window": None, "router_jitter_noise": 0.0, "tie_word_embeddings": False,
                   "vocab_size": 287, "bos_token_id": 285, "eos_token_id": 286, "torch_dtype": "bfloat16"}
        dump(make_moe("mixtral", os.path.join(HERE, "mixtral-tiny"), mixtral, "BF16", 13, "mixtral-tiny-F32.gguf"), "mixtral-tiny-expected.json")
        qwen = {"architectures": ["Qwen3MoeForCausalLM"], "model_type": "qwen3_moe", "hidden_size": 64, "num_hidden_layers": 3,
                "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 24, "intermediate_size": 128, "moe_intermediate_size": 48,
                "num_experts": 6, "num_experts_per_tok": 2, "norm_topk_prob": True, "decoder_sparse_step": 1, "mlp_only_layers": [],
                "hidden_act": "silu", "max_position_embeddings": 128, "rms_norm_eps": 1e-6, "rope_theta": 1000000.0,
                "attention_bias": False, "sliding_window": None, "use_sliding_window": False, "tie_word_embeddings": False,
                "vocab_size": 287, "bos_token_id": 285, "eos_token_id": 286, "torch_dtype": "float32"}
        dump(make_moe("qwen3_moe", os.path.join(HERE, "qwen3-moe-tiny"), qwen, "F32", 17, "qwen3-moe-tiny-F32.gguf"), "qwen3-moe-tiny-expected.json")
        # HF only (llama.cpp's qwen3moe has experts in every layer and always renormalises): a dense layer and no renormalisation
        dense = dict(qwen, norm_topk_prob=False, mlp_only_layers=[1], num_experts=5, num_experts_per_tok=3)
        dump(make_moe("qwen3_moe", os.path.join(HERE, "qwen3-moe-dense-tiny"), dense, "BF16", 19, None), "qwen3-moe-dense-tiny-expected.json")
