#!/usr/bin/python3
"""Float64 reference hidden states for the tiny Gemma 2, Gemma 3, Phi-3 and OLMo 2 folders of tests/reference/modern.

Simile's own script. A forward pass written with torch (Debian python3-torch 1.13) in float64 from the equations of
Hugging Face's modeling_gemma2.py, modeling_gemma3.py, modeling_phi3.py and modeling_olmo2.py (and
masking_utils.sliding_window_overlay), reading each folder's config.json and F32 model.safetensors directly (no
transformers). Writes <family>-tiny-expected.json: for each input, the ids, every representation
("token", "0", "1".."L", "final") and every layer's attention probabilities.

Usage: /usr/bin/python3 tests/reference/modern/tools/decoders_expected.py tests/reference/modern
"""
import json
import math
import struct
import sys
from pathlib import Path

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

SEQUENCES = [[1, 5, 9, 3, 22, 7, 30], [2, 17], [4, 4, 39, 0, 12, 250, 7, 7, 101]]


def load_safetensors(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        assert info["dtype"] == "F32", info
        a, b = info["data_offsets"]
        arr = np.frombuffer(data[8 + n + a:8 + n + b], dtype="<f4").reshape(info["shape"])
        out[name] = torch.tensor(arr.astype(np.float64))
    return out


def rms_norm(x, w, eps, plus_one):
    # Gemma*RMSNorm: x * rsqrt(mean(x^2) + eps) * (1 + w); Llama-style (Phi3, Olmo2): ... * w
    y = x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps)
    return y * (1.0 + w) if plus_one else y * w


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat((-x[..., h:], x[..., :h]), dim=-1)


def rope(x, pos, inv_freq, mscale=1.0):
    # apply_rotary_pos_emb on the first rotary_dim = 2 * len(inv_freq) values (Phi-3's partial rotary)
    rd = 2 * inv_freq.shape[0]
    freqs = pos[:, None] * inv_freq[None, :]            # [T, rd/2]
    emb = torch.cat((freqs, freqs), dim=-1)             # [T, rd]
    cos, sin = emb.cos()[None] * mscale, emb.sin()[None] * mscale   # [1, T, rd], x attention_scaling
    rot, rest = x[..., :rd], x[..., rd:]
    return torch.cat((rot * cos + rotate_half(rot) * sin, rest), dim=-1)


def forward(cfg, w, ids):
    mt = cfg["model_type"]
    gemma = mt in ("gemma2", "gemma3_text")
    D, L, H, KV = cfg["hidden_size"], cfg["num_hidden_layers"], cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg.get("head_dim") or D // H
    eps = cfg["rms_norm_eps"]
    T = len(ids)
    pos = torch.arange(T, dtype=torch.float64)
    x = w["model.embed_tokens.weight"][torch.tensor(ids)]
    states = {"token": x.clone()}
    if gemma:
        # embed_tokens(...) * embed_scale, embed_scale = hidden_size ** 0.5 (float32 in a float32 model)
        x = x * float(np.float32(D ** 0.5))
    states["0"] = x.clone()

    if mt == "gemma2":
        layer_types = cfg.get("layer_types") or ["sliding_attention" if (i + 1) % 2 else "full_attention" for i in range(L)]
    elif mt == "gemma3_text":
        pattern = cfg.get("sliding_window_pattern", 6)
        layer_types = cfg.get("layer_types") or ["sliding_attention" if (i + 1) % pattern else "full_attention" for i in range(L)]
    elif mt == "phi3" and cfg.get("sliding_window") is not None:
        layer_types = ["sliding_attention"] * L     # create_sliding_window_causal_mask for every layer
    else:
        layer_types = ["full_attention"] * L
    window = cfg.get("sliding_window")

    def inv_freq(theta, dim, linear=None, ext=None):
        f = 1.0 / (theta ** (torch.arange(0, dim, 2, dtype=torch.float64) / dim))
        if ext is not None:   # longrope: 1 / (ext_factors * base ** (arange / dim))
            f = f / torch.tensor(ext, dtype=torch.float64)
        return f / linear if linear else f

    rd = int(hd * cfg.get("partial_rotary_factor", 1.0))
    scaling = cfg.get("rope_scaling")
    kind = scaling.get("rope_type", scaling.get("type")) if scaling else None
    linear = scaling["factor"] if kind == "linear" else None
    mscale = 1.0
    short = None
    if kind in ("longrope", "su"):
        # _compute_longrope_parameters: factor = max_position_embeddings / original_max_position_embeddings,
        # attention_factor = sqrt(1 + ln(factor) / ln(original)); short_factor for texts within the original context
        original = cfg["original_max_position_embeddings"]
        factor = cfg["max_position_embeddings"] / original
        mscale = scaling.get("attention_factor") or (math.sqrt(1 + math.log(factor) / math.log(original)) if factor > 1 else 1.0)
        assert max(len(s) for s in SEQUENCES) <= original
        short = scaling["short_factor"]
    global_inv = inv_freq(cfg["rope_theta"], rd, linear, short)
    local_inv = inv_freq(cfg.get("rope_local_base_freq", cfg["rope_theta"]), rd) if mt == "gemma3_text" else global_inv
    scale = cfg["query_pre_attn_scalar"] ** -0.5 if gemma else hd ** -0.5
    softcap = cfg.get("attn_logit_softcapping") if mt == "gemma2" else None

    attentions = []
    for l in range(L):
        p = f"model.layers.{l}."
        sliding = layer_types[l] == "sliding_attention"
        residual = x
        h = x if mt == "olmo2" else rms_norm(x, w[p + "input_layernorm.weight"], eps, gemma)
        if mt == "phi3":
            qkv = h @ w[p + "self_attn.qkv_proj.weight"].T
            q, k, v = qkv[:, :H * hd], qkv[:, H * hd:(H + KV) * hd], qkv[:, (H + KV) * hd:]
        else:
            q = h @ w[p + "self_attn.q_proj.weight"].T
            k = h @ w[p + "self_attn.k_proj.weight"].T
            v = h @ w[p + "self_attn.v_proj.weight"].T
        if mt == "olmo2":   # q_norm(q_proj(x)) over the whole projection
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps, False)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps, False)
        q = q.view(T, H, hd).transpose(0, 1)            # [H, T, hd]
        k = k.view(T, KV, hd).transpose(0, 1)
        v = v.view(T, KV, hd).transpose(0, 1)
        if mt == "gemma3_text":
            q = rms_norm(q, w[p + "self_attn.q_norm.weight"], eps, True)
            k = rms_norm(k, w[p + "self_attn.k_norm.weight"], eps, True)
        f = local_inv if (mt == "gemma3_text" and sliding) else global_inv
        q, k = rope(q, pos, f, mscale), rope(k, pos, f, mscale)
        k = k.repeat_interleave(H // KV, dim=0)          # repeat_kv
        v = v.repeat_interleave(H // KV, dim=0)
        s = (q @ k.transpose(1, 2)) * scale              # [H, T, T]
        if softcap:
            s = torch.tanh(s / softcap) * softcap
        i = torch.arange(T)[:, None]
        j = torch.arange(T)[None, :]
        visible = j <= i
        if sliding:
            visible = visible & (j > i - window)         # sliding_window_overlay: kv_idx > q_idx - sliding_window
        s = s.masked_fill(~visible[None], float("-inf"))
        probs = torch.softmax(s, dim=-1)
        attentions.append(probs)
        o = (probs @ v).transpose(0, 1).reshape(T, H * hd) @ w[p + "self_attn.o_proj.weight"].T
        if gemma or mt == "olmo2":
            o = rms_norm(o, w[p + "post_attention_layernorm.weight"], eps, gemma)
        x = residual + o
        residual = x
        if mt == "olmo2":
            m = x
        elif gemma:
            m = rms_norm(x, w[p + "pre_feedforward_layernorm.weight"], eps, True)
        else:
            m = rms_norm(x, w[p + "post_attention_layernorm.weight"], eps, False)
        if mt == "phi3":
            gu = m @ w[p + "mlp.gate_up_proj.weight"].T
            gate, up = gu.chunk(2, dim=-1)
        else:
            gate = m @ w[p + "mlp.gate_proj.weight"].T
            up = m @ w[p + "mlp.up_proj.weight"].T
        if gemma:   # gelu_pytorch_tanh
            act = 0.5 * gate * (1 + torch.tanh(math.sqrt(2 / math.pi) * (gate + 0.044715 * gate ** 3)))
        else:       # silu
            act = gate * torch.sigmoid(gate)
        f_out = (act * up) @ w[p + "mlp.down_proj.weight"].T
        if gemma or mt == "olmo2":
            f_out = rms_norm(f_out, w[p + "post_feedforward_layernorm.weight"], eps, gemma)
        x = residual + f_out
        states[str(l + 1)] = x.clone()
    states["final"] = rms_norm(x, w["model.norm.weight"], eps, gemma)
    return states, attentions


def main(root):
    root = Path(root)
    for family in ["gemma2", "gemma3", "phi3", "olmo2", "phi3-longrope"]:
        folder = root / f"{family}-tiny"
        cfg = json.loads((folder / "config.json").read_text())
        w = load_safetensors(folder / "model.safetensors")
        inputs = []
        for ids in SEQUENCES:
            states, att = forward(cfg, w, ids)
            inputs.append({
                "ids": ids,
                "layers": {k: [[float(f"{v:.10g}") for v in row] for row in t.tolist()] for k, t in states.items()},
                "attentions": {str(l): [[[float(f"{v:.10g}") for v in r] for r in hm] for hm in a.tolist()] for l, a in enumerate(att)},
            })
        doc = {
            "description": f"float64 forward pass of {family}-tiny written from the Hugging Face modeling equations "
                           f"(tools/decoders_expected.py, torch {torch.__version__}); values rounded to 10 significant digits",
            "inputs": inputs,
        }
        out = root / f"{family}-tiny-expected.json"
        out.write_text(json.dumps(doc, separators=(",", ":")))
        print("wrote", out)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "tests/reference/modern")
