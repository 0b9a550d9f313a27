#!/usr/bin/env python3
"""Writes tests/reference/hub-cache/hub: a Hugging Face hub cache laid out by huggingface_hub's own code, and
expected.json: what huggingface_hub's own offline readers make of it.

Usage: /usr/bin/python3 make_hub_cache.py HUGGINGFACE_HUB_SRC
  HUGGINGFACE_HUB_SRC is the src/ folder of a scratch copy of github.com/huggingface/huggingface_hub (not committed).
  Its network libraries (httpx, filelock, hf_xet…) are stubbed: nothing here touches the network.

The files are the project's own tests/reference/modern/llama-tiny checkpoint. Repository simile-tests/llama-tiny gets
two revisions, as two downloads at two commits would leave them:
  v1   = commit V1: config.json, generation_config.json, model.safetensors, tokenizer.json, tokenizer_config.json
  main = commit MAIN: the same small files (the same blobs) and the weights split into two shards + the index
Each file goes to blobs/<etag> (sha256 for the LFS-tracked *.safetensors, the git blob sha1 otherwise, as the Hub's
etags are) and is linked from snapshots/<commit>/<name> by huggingface_hub.file_download._create_symlink; refs are
written by _cache_commit_hash_for_specific_revision. expected.json records snapshot_download(local_files_only=True),
try_to_load_from_cache and scan_cache_dir results.
"""
import hashlib, json, os, shutil, struct, sys, types

here = os.path.dirname(os.path.abspath(__file__))
repo_root = os.path.abspath(os.path.join(here, "..", "..", ".."))
src_model = os.path.join(repo_root, "tests", "reference", "modern", "llama-tiny")


class _Any(type):
    def __getattr__(cls, name):
        return _Any(name, (Exception,), {})


class _Stub(types.ModuleType):
    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Any(name, (Exception,), {})


def load_hub(src):
    for mod in ["httpx", "httpcore", "filelock", "fsspec", "hf_xet", "typer", "shellingham"]:
        try:
            __import__(mod)
        except ImportError:
            sys.modules[mod] = _Stub(mod)
    sys.path.insert(0, src)
    import huggingface_hub
    import huggingface_hub.file_download as fd
    import huggingface_hub._snapshot_download as sd
    import huggingface_hub.utils._cache_manager as cm
    return huggingface_hub, fd, sd, cm


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def shard(safetensors_bytes):
    """Splits one safetensors file into two (tensors in header order, first half / second half) + the index JSON."""
    (n,) = struct.unpack("<Q", safetensors_bytes[:8])
    header = json.loads(safetensors_bytes[8:8 + n])
    data = safetensors_bytes[8 + n:]
    meta = header.pop("__metadata__", None)
    names = sorted(header, key=lambda k: header[k]["data_offsets"][0])
    half = len(names) // 2
    parts, weight_map, total = [], {}, 0
    for i, group in enumerate([names[:half], names[half:]]):
        fname = f"model-{i + 1:05d}-of-00002.safetensors"
        h, chunks, off = {}, [], 0
        if meta is not None:
            h["__metadata__"] = meta
        for k in group:
            b, e = header[k]["data_offsets"]
            chunk = data[b:e]
            h[k] = {"dtype": header[k]["dtype"], "shape": header[k]["shape"], "data_offsets": [off, off + len(chunk)]}
            chunks.append(chunk)
            off += len(chunk)
            weight_map[k] = fname
            total += len(chunk)
        hj = json.dumps(h, separators=(",", ":")).encode()
        hj += b" " * ((8 - len(hj) % 8) % 8)
        parts.append((fname, struct.pack("<Q", len(hj)) + hj + b"".join(chunks)))
    index = json.dumps({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, indent=2).encode() + b"\n"
    return parts, index


# Environments for constants.HF_HUB_CACHE (HOME is /home/u in each); the value huggingface_hub computes is recorded.
ENVIRONMENTS = [
    {},
    {"XDG_CACHE_HOME": "/x"},
    {"HF_HOME": "/h", "XDG_CACHE_HOME": "/x"},
    {"HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/h", "XDG_CACHE_HOME": "/x"},
    {"HF_HUB_CACHE": "/c", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/h", "XDG_CACHE_HOME": "/x"},
    {"HF_HOME": "~/hf"},
    {"XDG_CACHE_HOME": "~/xdg"},
    {"HF_HUB_CACHE": "~"},
    {"HF_HUB_CACHE": "$DATA/hub", "DATA": "/data"},
    {"HF_HUB_CACHE": "${DATA}/c/$UNSET_VAR", "DATA": "/data"},
    {"HF_HOME": "$DATA/home", "DATA": "/data"},
]


def cache_locations(src):
    """constants.HF_HUB_CACHE as huggingface_hub computes it, each environment in a fresh interpreter."""
    import subprocess
    out = []
    code = ("import sys, types\n"
            "class S(types.ModuleType):\n"
            "    def __getattr__(self, n):\n"
            "        if n.startswith('__'): raise AttributeError(n)\n"
            "        return type(n, (Exception,), {})\n"
            "for m in ['httpx','httpcore','filelock','fsspec','hf_xet','typer','shellingham']:\n"
            "    sys.modules.setdefault(m, S(m))\n"
            "import huggingface_hub.constants as c; print(c.HF_HUB_CACHE)")
    for env in ENVIRONMENTS:
        full = {"HOME": "/home/u", "PATH": os.environ.get("PATH", "/usr/bin"), "PYTHONPATH": src, **env}
        r = subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True, check=True)
        out.append({"environment": env, "HF_HUB_CACHE": r.stdout.strip()})
    return out


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    hub, fd, sd, cm = load_hub(sys.argv[1])
    cache = os.path.join(here, "hub")
    shutil.rmtree(cache, ignore_errors=True)
    os.makedirs(cache)
    repo_id = "simile-tests/llama-tiny"
    storage = os.path.join(cache, fd.repo_folder_name(repo_id=repo_id, repo_type="model"))
    small = {}
    for name in ["config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json"]:
        with open(os.path.join(src_model, name), "rb") as f:
            small[name] = f.read()
    with open(os.path.join(src_model, "model.safetensors"), "rb") as f:
        single = f.read()
    parts, index = shard(single)
    v1 = hashlib.sha1(b"simile-tests/llama-tiny v1").hexdigest()
    main_commit = hashlib.sha1(b"simile-tests/llama-tiny main").hexdigest()
    revisions = [
        ("v1", v1, dict(small, **{"model.safetensors": single})),
        ("main", main_commit, dict(small, **dict(parts), **{"model.safetensors.index.json": index})),
    ]
    for revision, commit, files in revisions:
        for name, data in sorted(files.items()):
            etag = hashlib.sha256(data).hexdigest() if name.endswith(".safetensors") else git_blob_sha1(data)
            blob = os.path.join(storage, "blobs", etag)
            os.makedirs(os.path.dirname(blob), exist_ok=True)
            new_blob = not os.path.exists(blob)
            if new_blob:
                with open(blob, "wb") as f:
                    f.write(data)
            pointer = os.path.join(storage, "snapshots", commit, name)
            os.makedirs(os.path.dirname(pointer), exist_ok=True)
            fd._create_symlink(blob, pointer, new_blob=new_blob)
        fd._cache_commit_hash_for_specific_revision(storage, revision, commit)

    rel = lambda p: os.path.relpath(p, cache).replace(os.sep, "/") if isinstance(p, str) else None
    routes = []
    for revision in [None, "main", "v1", v1, main_commit, "v2"]:
        try:
            folder = sd.snapshot_download(repo_id, revision=revision, cache_dir=cache, local_files_only=True)
            routes.append({"revision": revision, "snapshot": rel(folder)})
        except Exception as e:
            routes.append({"revision": revision, "error": type(e).__name__})
    files = []
    for revision in [None, "v1"]:
        for name in ["config.json", "model.safetensors", "model.safetensors.index.json", "model-00001-of-00002.safetensors"]:
            r = fd.try_to_load_from_cache(repo_id, name, cache_dir=cache, revision=revision)
            files.append({"revision": revision, "file": name, "path": rel(r),
                          "size": os.path.getsize(r) if isinstance(r, str) else None,
                          "link": os.readlink(r) if isinstance(r, str) and os.path.islink(r) else None})
    info = cm.scan_cache_dir(cache)
    scan = [{"repo_id": r.repo_id, "repo_type": r.repo_type, "size_on_disk": r.size_on_disk, "nb_files": r.nb_files,
             "revisions": [{"commit_hash": v.commit_hash, "refs": sorted(v.refs), "size_on_disk": v.size_on_disk,
                            "nb_files": v.nb_files, "files": sorted(f.file_name for f in v.files)}
                           for v in sorted(r.revisions, key=lambda v: v.commit_hash)]}
            for r in sorted(info.repos, key=lambda r: r.repo_id)]
    expected_env = cache_locations(sys.argv[1])
    expected = {"huggingface_hub": hub.__version__, "cache_locations": expected_env, "repo_id": repo_id, "repo_folder": rel(storage),
                "commits": {"v1": v1, "main": main_commit}, "snapshot_download": routes, "try_to_load_from_cache": files,
                "scan_cache_dir": {"size_on_disk": info.size_on_disk, "repos": scan, "warnings": [str(w) for w in info.warnings]}}
    with open(os.path.join(here, "expected.json"), "w") as f:
        json.dump(expected, f, indent=2)
        f.write("\n")
    print(json.dumps(expected["scan_cache_dir"], indent=1)[:600])


if __name__ == "__main__":
    main()
