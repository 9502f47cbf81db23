#!/usr/bin/env python3
"""Reference values for the dispersion-loss variants and the condensation measure (DESIGN.md section 6), in NumPy
float64 straight from the formulas. Writes tools/reference/fixtures/dispersion_condensation.json; the TypeScript
engine must reproduce it to 1e-5 (dispersion_reference.test.ts). Run: python3 tools/reference/dispersion_reference.py
"""
import json
import math
import os

import numpy as np

EPS_NORM = 1e-4
EPS_CLAMP = 1e-4
BINS = 128


def unit_guarded(h):
    """z / (||z|| + 1e-4) per token, as the loss normalises."""
    return h / (np.linalg.norm(h, axis=-1, keepdims=True) + EPS_NORM)


def logsumexp(v):
    m = np.max(v)
    return m + math.log(np.sum(np.exp(v - m)))


def off_diagonal(m):
    t = m.shape[0]
    return m[~np.eye(t, dtype=bool)]


def dispersion_of_sequence(h, tau, variant):
    """Loss of one sequence h [T, d]."""
    t = h.shape[0]
    z = unit_guarded(h)
    dots = z @ z.T
    pairs = t * (t - 1)
    angle = np.arccos(np.clip(dots, -(1 - EPS_CLAMP), 1 - EPS_CLAMP)) / math.pi
    if variant == "angular_spread":
        return logsumexp(off_diagonal(-angle / tau)) - math.log(pairs)
    if variant == "l2_repel":
        diff = z[:, None, :] - z[None, :, :]
        sq = np.sum(diff * diff, axis=-1)
        return logsumexp(off_diagonal(-sq / tau)) - math.log(pairs)
    if variant == "decorrelation":
        return float(np.sum(off_diagonal(dots) ** 2) / pairs)
    if variant == "orthogonalization":
        return float(np.sum(np.maximum(0.0, 0.5 - off_diagonal(angle)) ** 2) / pairs)
    raise ValueError(variant)


def dispersion_loss(layers, tau, variant):
    """Mean over block outputs of the mean over the batch."""
    return float(np.mean([np.mean([dispersion_of_sequence(seq, tau, variant) for seq in layer]) for layer in layers]))


def condensation(states):
    """Mean cosine over pairs i < j of exact unit rows, and the 128-bin histogram over [-1, 1]."""
    norms = np.linalg.norm(states, axis=-1, keepdims=True)
    u = np.where(norms > 0, states / np.where(norms > 0, norms, 1), 0)
    c = np.clip(u @ u.T, -1, 1)
    iu = np.triu_indices(states.shape[0], k=1)
    vals = c[iu]
    bins = np.minimum(BINS - 1, np.floor((vals + 1) / 2 * BINS).astype(int))
    hist = np.bincount(bins, minlength=BINS)
    return float(np.mean(vals)), [int(x) for x in hist]


def main():
    rng = np.random.default_rng(20260202)
    b, t, d = 2, 7, 8
    # Two block outputs: one spread out, one condensed (a shared direction plus noise), with an exact duplicate token
    # so the arccos clamp is exercised.
    spread = rng.normal(size=(b, t, d))
    shared = rng.normal(size=(d,))
    condensed = 3.0 * shared + 0.4 * rng.normal(size=(b, t, d))
    condensed[0, 3] = condensed[0, 1]
    # The engine computes in float32: start both from the same float32 values.
    layers = [spread.astype(np.float32).astype(np.float64), condensed.astype(np.float32).astype(np.float64)]
    spread, condensed = layers
    cases = []
    for variant in ["angular_spread", "l2_repel", "decorrelation", "orthogonalization"]:
        for tau in [0.5, 0.1]:
            if variant in ("decorrelation", "orthogonalization") and tau != 0.5:
                continue
            cases.append({"variant": variant, "tau": tau, "loss": dispersion_loss(layers, tau, variant)})
    mean0, hist0 = condensation(spread[0])
    mean1, hist1 = condensation(condensed[0])
    out = {
        "shape": [b, t, d],
        "layers": [layer.reshape(-1).tolist() for layer in layers],
        "dispersion": cases,
        "condensation": [
            {"states": spread[0].reshape(-1).tolist(), "mean": mean0, "histogram": hist0},
            {"states": condensed[0].reshape(-1).tolist(), "mean": mean1, "histogram": hist1},
        ],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "dispersion_condensation.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print(f"wrote {path}")
    for c in cases:
        print(f"  {c['variant']:<18} tau={c['tau']:<4} {c['loss']:.8f}")
    print(f"  condensation mean spread {mean0:.6f}, condensed {mean1:.6f}")


if __name__ == "__main__":
    main()
