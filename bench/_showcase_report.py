"""The showcase's judgement: every claim beside the figure measured for it,
with a verdict (confirmed / refuted / depends, or skipped: <why>), and the
Markdown summary of a showcase JSON. Used by bench/showcase.py and by
notebooks/03-benchmarks.ipynb."""

from __future__ import annotations

CONFIRMED, REFUTED, DEPENDS = "confirmed", "refuted", "depends"


def _span(values: list[float], unit: str = "x") -> str:
    lo, hi = min(values), max(values)
    return f"{lo:.2f}{unit}" if abs(hi - lo) < 0.005 else f"{lo:.2f}–{hi:.2f}{unit}"


def _short(msg: str) -> str:
    """An import refusal in one line: the interpreter's own reason when the
    library wraps it in advice (NumPy does)."""
    for line in msg.splitlines():
        if "does not support loading in subinterpreters" in line:
            reason = line.split("Original error was:")[-1].strip().removeprefix("refused: ")
            return "refused: " + reason.removeprefix("ImportError: ")
    return msg.splitlines()[0] if msg else msg


def _range_verdict(values: list[float], ok) -> str:
    hits = [ok(v) for v in values]
    return CONFIRMED if all(hits) else (REFUTED if not any(hits) else DEPENDS)


def claim(cid, exp, text, source, claimed, measured, verdict, why) -> dict:
    return {
        "id": cid,
        "experiment": exp,
        "claim": text,
        "source": source,
        "claimed": claimed,
        "measured": measured,
        "verdict": verdict,
        "why": why,
    }


def _exp1(e1: dict, ceiling: float) -> list[dict]:
    r = e1["ratios"]
    thr = [x["throughput"] for x in r]
    mem = [x["memory_rss"] for x in r]
    methods = dict.fromkeys(x["against"].split("(")[1][:-1] for x in r)
    per = ", ".join(f"{m} {_span([x['throughput'] for x in r if m in x['against']])}" for m in methods)
    out = [
        claim(
            "threads-throughput",
            1,
            "Threads are ~70% faster than multiprocessing when the library releases the GIL",
            "RAG-ingestion blog: 22 vs 13 docs/s",
            ">= 1.7x",
            f"{_span(thr)} ({per}; whole job, pool start-up included)",
            _range_verdict(thr, lambda v: v >= 1.7),
            "threads+gilfree docs/s over processes+gilfree docs/s, at every size and start method",
        ),
        claim(
            "threads-memory",
            1,
            "... with ~75% less memory",
            "same blog: ~1 GB vs 3.5–4.5 GB",
            "<= 0.35x",
            f"{_span(mem)} peak RSS of the process tree (PSS: {_span([x['memory_pss'] for x in r])})",
            _range_verdict(mem, lambda v: v <= 0.35),
            "threads' peak RSS over the processes' (sum over the tree, pages shared after fork counted in each)",
        ),
    ]
    sub = e1["subinterpreters"]
    if "skipped" in sub:
        verdict, measured = f"skipped: {sub['skipped']}", "—"
    else:
        sp = sub["speedup_vs_sequential"]
        refused = sub["numpy_in_subinterpreter"].startswith("refused") or sub[
            "cython_module_in_subinterpreter"
        ].startswith("refused")
        if sp < 1.5 and ceiling >= 1.5:
            verdict = REFUTED
        else:  # parallel, or the machine had no core to spare in this run
            verdict = DEPENDS if refused or sp < 1.5 else CONFIRMED
        best = max(x["docs_per_s"] for x in e1["rows"] if x["doc_len"] == e1["rows"][0]["doc_len"])
        measured = (
            f"{sp:.2f}x sequential on {sub['workers']} subinterpreters (threads, one GIL: "
            f"{sub['sequential_s'] / sub['threads_s']:.2f}x); pure Python {sub['docs_per_s']:.2f} docs/s at "
            f"{sub['doc_len']} values/doc vs threads+gilfree {best:.0f} docs/s at {e1['rows'][0]['doc_len']}; "
            f"NumPy: {_short(sub['numpy_in_subinterpreter'])}; a Cython module built like gilfree's: "
            f"{_short(sub['cython_module_in_subinterpreter'])}"
        )
    out.append(
        claim(
            "subinterpreters",
            1,
            "Subinterpreters (PEP 684/734) give multi-core parallelism without the multiprocessing tax",
            "PEP 684/734 discussions",
            ">= 1.5x on 2 cores, libraries usable",
            measured,
            verdict,
            "speed-up over one interpreter; 'depends' when parallel but NumPy/Cython modules refuse to load, "
            "or when the machine's ceiling in this run (experiment 2) is below 1.5x",
        )
    )
    return out


def _exp2(e2: dict) -> list[dict]:
    nt, ceil = e2["threads"], e2["machine_ceiling"]
    sc = e2["scaling"]
    at = min(2, nt)
    nog = sc["nogil"][at - 1]["speedup"]
    gil = sc["gil"][-1]["speedup"]
    target = min(1.8, 0.9 * ceil)
    if nt < 2:
        v_nogil = "skipped: one CPU"
    elif nog >= 1.8:
        v_nogil = CONFIRMED
    else:
        v_nogil = DEPENDS if ceil < 2 and nog >= target else REFUTED
    a = e2["asyncio_gather"]["gil_over_nogil"]
    f64, f32 = e2["fused_vs_numpy"]["float64"], e2["fused_vs_numpy"]["float32"]
    ratio = e2["nogil_over_python"]
    return [
        claim(
            "nogil-scaling",
            2,
            "A nogil loop scales with threads (gilfree's target: >= 1.8x at 2 threads)",
            "issue #12",
            ">= 1.8x",
            f"{nog:.2f}x at {at} threads (machine ceiling {ceil:.2f}x: a matrix product per thread)",
            v_nogil,
            "'depends' when the machine's own ceiling is below 1.8x and the loop reaches 90% of it",
        ),
        claim(
            "gil-flat",
            2,
            "The same loop holding the GIL does not scale",
            "issue #12",
            "~1.0x",
            f"{gil:.2f}x at {nt} threads",
            CONFIRMED if gil <= 1.2 else REFUTED,
            "confirmed at <= 1.2x",
        ),
        claim(
            "nogil-vs-python",
            2,
            "A Cython nogil loop is ~3x the pure-Python one (gilfree's target: >= 100x)",
            "blog claim",
            "~3x",
            f"{ratio:.0f}x on one thread",
            CONFIRMED if 1.5 <= ratio <= 6 else REFUTED,
            "confirmed within 1.5–6x; far more than ~3x refutes the figure (the claim undersells typed loops)",
        ),
        claim(
            "asyncio-nogil",
            2,
            "AsyncIO with Cython nogil is about 2x GIL-bound threading",
            "blog claim",
            "~2x",
            f"{a:.2f}x with {e2['asyncio_gather']['tasks']} tasks on {nt} cores",
            CONFIRMED if 1.5 <= a <= 2.5 else (DEPENDS if a > 2.5 or ceil < 1.5 else REFUTED),
            "the gain is the free cores' count at best: ~2x is a 2-core figure ('depends' above 2.5x, or when "
            "the machine's ceiling in this run is below 1.5x)",
        ),
        claim(
            "fused-vs-numpy",
            2,
            "Fused types give 2.3x over vectorised NumPy",
            "blog claim",
            "~2.3x",
            f"float64 {f64:.1f}x, float32 {f32:.1f}x (polynomial of degree 7, n={e2['fused_vs_numpy']['n']:.0e})",
            _range_verdict([f64, f32], lambda v: 1.5 <= v <= 3.5) if min(f64, f32) >= 1 else REFUTED,
            "confirmed within 1.5–3.5x; the gain grows with the temporaries NumPy makes ('depends' when mixed)",
        ),
    ]


def _exp345(e3: dict, e4: dict, e5: dict, ceiling: float) -> list[dict]:
    g = [r["speedup"] for r in e3["gather"]]
    s = e3["heartbeat"]["series"]
    blk, off = (s[k] for k in s)
    v_loop = CONFIRMED if off["p99"] <= 3 else (DEPENDS if off["p99"] < blk["p99"] / 3 else REFUTED)
    sp = [r["speedup"] for r in e4["rows"]]
    wins = sum(v >= 1 for v in sp)
    comp = next(iter(e5["curves"].values()))[-1]["speedup"]
    nt = e5["cpus"]
    if nt < 2:
        v_scale = "skipped: one CPU"
    else:
        v_scale = (
            CONFIRMED if comp >= 0.8 * ceiling and ceiling >= 1.5 else (DEPENDS if ceiling < 1.5 else REFUTED)
        )
    return [
        claim(
            "gather",
            3,
            "Gathering k awaited kernels costs nothing against k sync calls",
            "gilfree design",
            ">= 0.9x for every k",
            f"{_span(g)} for k = {e3['gather'][0]['k']}..{e3['gather'][-1]['k']}",
            _range_verdict(g, lambda v: v >= 0.9),
            "sequential time over gathered time",
        ),
        claim(
            "loop-lag",
            3,
            "Offloaded kernels leave the event loop responsive; blocking calls stall it",
            "gilfree design",
            "heartbeat p99 <= 3 ms offloaded",
            f"p99 {off['p99']:.1f} ms offloaded vs {blk['p99']:.1f} ms blocking (max {off['max']:.1f} / "
            f"{blk['max']:.1f} ms)",
            v_loop,
            "'depends' when offloaded p99 misses 3 ms but is under a third of the blocking one",
        ),
        claim(
            "peers",
            4,
            "gilfree's kernels beat NumPy/SciPy/torch on the headline rows",
            "README tables",
            ">= 1x on every row",
            f"{wins} of {len(sp)} rows faster; median {sorted(sp)[len(sp) // 2]:.2f}x, {_span(sp)}",
            _range_verdict(sp, lambda v: v >= 1.0),
            "peer time over gilfree time",
        ),
        claim(
            "scaling",
            5,
            "gilfree kernels scale to every core the machine gives",
            "gilfree design",
            ">= 80% of the machine's ceiling (or 90% of the cores)",
            f"{comp:.2f}x at {nt} threads ({next(iter(e5['curves']))}); ceiling {ceiling:.2f}x",
            v_scale,
            "'depends' when the machine's own ceiling (a shared VM's load) is below 1.5x",
        ),
    ]


def judge(data: dict) -> list[dict]:
    ex = data["experiments"]
    ceiling = ex["2"]["machine_ceiling"]
    return (
        _exp1(ex["1"], ceiling)
        + _exp2(ex["2"])
        + _exp345(ex["3"], ex["4"], ex["5"], ex["2"]["machine_ceiling"])
    )


def markdown(data: dict, plots: dict[str, str]) -> str:
    env = data["env"]
    lines = [
        f"Showcase run on {env['host']} ({env['cpu']}, {env['cpus']} CPUs, {env['isa'].split(',')[0]}), "
        f"Python {env['python']}, NumPy {env['numpy']}, torch {env.get('torch', '—')}, gilfree {env['gilfree']}; "
        f"load average before / after: {env['load_before']} / {env['load_after']} (a shared machine: other "
        f"work competes for the cores). Mode: {data['mode']}, {data['wall_s']:.0f} s. "
        f"Reproduce: `{data['command']}`.",
        "",
        "| # | claim | claimed | measured here | verdict |",
        "|---|---|---|---|---|",
    ]
    for c in data["claims"]:
        lines.append(
            f"| {c['experiment']} | {c['claim']} ({c['source']}) | {c['claimed']} | {c['measured']} | "
            f"**{c['verdict']}** |"
        )
    e1 = data["experiments"]["1"]
    lines += [
        "",
        f"Experiment 1 (ingestion pipeline, {e1['rows'][0]['workers']} workers; docs/s of the whole job, "
        "pool start-up included; warm = the same pool again):",
        "",
        "| docs x values | variant | docs/s | warm docs/s | peak RSS MiB | peak PSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for r in e1["rows"]:
        lines.append(
            f"| {r['docs']} x {r['doc_len']} | {r['variant']} | {r['docs_per_s']:.1f} | "
            f"{r['docs_per_s_warm']:.1f} | {r['peak_rss_mib']:.0f} | {r['peak_pss_mib']:.0f} |"
        )
    sub = e1["subinterpreters"]
    if "skipped" not in sub:
        lines.append(
            f"| {sub['docs']} x {sub['doc_len']} | subinterpreters, pure Python (Python {sub['python']}) | "
            f"{sub['docs_per_s']:.2f} | — | {sub['peak_rss_mib']:.0f} | {sub['peak_pss_mib']:.0f} |"
        )
    lines += [
        "",
        f"Experiment 4 reads {', '.join(f'{k}: {v}' for k, v in data['experiments']['4']['sources'].items())}.",
    ]
    lines += ["", *(f"![{label}]({path})" for label, path in plots.items())]
    return "\n".join(lines) + "\n"
