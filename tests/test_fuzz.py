"""Quick seeded mode of the fuzz battery (tests/fuzz_battery.py, issue #9).

A fixed seed (override: GILFREE_FUZZ_SEED) and enough cases to touch every
public kernel with every mutation kind; each failure in the assertion
message carries its repro command. The long mode is a manual run:
``python tests/fuzz_battery.py --minutes 30``.
"""

import os

import fuzz_battery as fb
import fuzz_specs as fs
import gilfree
from gilfree._registry import KERNELS

SEED = int(os.environ.get("GILFREE_FUZZ_SEED", "20250611"))
ROUNDS = 2  # each kernel meets each mutation kind this many times


def test_every_kernel_has_a_spec():
    public = {n for n in gilfree.__all__ if n in KERNELS}
    assert public == set(KERNELS), "a registered kernel is missing from gilfree.__all__"
    missing = sorted(set(KERNELS) - set(fs.SPECS))
    assert not missing, f"kernels without a fuzz spec in tests/fuzz_specs.py: {missing}"


def test_cases_are_deterministic():
    names = fb.kernels()[0]
    for i in (0, 7, len(names) * 5 + 3):
        a, b = fb.build(SEED, i, names), fb.build(SEED, i, names)
        assert (a.name, a.kind, a.desc) == (b.name, b.kind, b.desc)


def test_fuzz_quick():
    names = fb.kernels()[0]
    indices = fb.quick_indices(SEED, ROUNDS, names=names)
    records = fb.run(SEED, indices, jobs=2, names=names)
    assert len(records) == len(indices)
    seen = {(r["name"], r["kind"]) for r in records}
    assert {r["name"] for r in records} == set(names)
    assert {k for _, k in seen} == set(fb.KINDS)
    fails = [r for r in records if not r["ok"]]
    assert not fails, fb.format_failures(SEED, records)
