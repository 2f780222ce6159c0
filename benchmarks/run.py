"""The toolkit's benchmark: one command, several corpus sizes, ratios against seqeval and nervaluate.

    python -m benchmarks.run --sizes 10000,50000,200000 --seed 0      # the full run (benchmarks/README.md)
    python -m benchmarks.run --quick                                  # a smoke run on 2000 documents

Each size runs in its own subprocess (so the peak memory of one size does not pollute the next),
on a synthetic corpus generated once from the seed (:mod:`benchmarks.synth`, cached under
``--data``, default ``benchmarks/data/``). In that subprocess, with ``time.perf_counter``:

- references: ``json.loads`` of the gold file, jsonschema's compiled validator on every gold
  document, seqeval's ``classification_report`` and ``f1_score`` and nervaluate's ``Evaluator``
  (all four modes) on the IOB2 tag lists already in memory, and a plain set-based strict F1;
- the toolkit: validation of the whole corpus (``validate_paths``, what ``toolkit validate`` does),
  loading the gold and the predictions (read, validate, anchor), the scoring core on documents
  already in memory (entities alone, and entities + events + stances), the JSON report, and
  1000 bootstrap resamples of every headline score (:mod:`toolkit.evaluation.resampling`);
- the real command end to end, as a user runs it (a subprocess, its wall time and peak RSS, its
  workers' summed; ``toolkit eval`` chooses its own workers from 32 MiB of input, so each eval
  command runs again with ``--workers 1``, whose report must be byte-identical):
  ``toolkit eval --gold annotations --pred pred.jsonl --tasks entities --format json``, the same
  with the gold read from the published dataset folder (``--gold published``, written once by
  :func:`published`, up to 50k documents; its report must be byte-identical), the same with gold
  and predictions as folders of pretty-printed ``<doc_id>.json`` files (:func:`json_folders`, up
  to 50k; byte-identical report), the same with ``--tasks entities,events,stances`` (and with ``--workers 2``, two local
  processes, whose report must be byte-identical), ``toolkit validate annotations``, and ``toolkit eval --system
  baseline`` on this repository's five gold documents;
- cross-checks: the toolkit's strict micro F1 equals seqeval's to 1e-9, and its counts of the four
  schemes equal nervaluate's (each span overlaps at most one span of the other side, by
  construction, where nervaluate's greedy matching is exact).

The parent prints a table per size, the ratios and the targets of the columnar-engine issue, and writes
every number to ``--out`` (JSON). No timing is ever asserted in the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

TARGETS_AT = 50_000


def _timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    value = fn(*args, **kwargs)
    return time.perf_counter() - t0, value


def _toolkit_command() -> list[str]:
    """The ``toolkit`` console script pip installed for this interpreter (beside it, in its
    ``bin``), else the first on PATH, else the entry point run by this interpreter. The one beside
    the interpreter is the toolkit being measured; a ``toolkit`` found first on PATH may be another
    installation's, or a version manager's shim (pyenv's is a bash script that runs ``pyenv
    exec``: 0.12 s of every command here, not the toolkit's)."""
    beside = Path(sys.executable).with_name("toolkit")
    if beside.is_file() and os.access(beside, os.X_OK):
        return [str(beside)]
    exe = shutil.which("toolkit")
    return [exe] if exe else [sys.executable, "-c", "from toolkit.cli import main; main()"]


def _bytecode() -> dict:
    """Compile the toolkit's modules to bytecode in their ``__pycache__`` folders, as pip does when it
    installs the toolkit from a wheel, so that the commands measured start as an installed toolkit
    starts. Python writes that bytecode itself on a module's first import, unless
    ``PYTHONDONTWRITEBYTECODE`` is set, as it is on the machine of benchmarks/README.md: there,
    before this step, every command compiled all of the toolkit's modules from source again, about
    0.1 s of each command (the third-party packages' bytecode was installed with them)."""
    import compileall

    import toolkit

    package = Path(toolkit.__file__).resolve().parent
    ok = compileall.compile_dir(str(package), quiet=1)
    return {"package": str(package), "compiled": bool(ok), "PYTHONDONTWRITEBYTECODE": os.environ.get("PYTHONDONTWRITEBYTECODE")}


def _tree_rss(root: int) -> int:
    """The summed resident set (bytes) of process ``root`` and its descendants now, from ``/proc``
    (0 where it cannot be read). Pages that forked workers share with their parent are counted in
    each: an upper bound of what the tree holds."""
    page = os.sysconf("SC_PAGE_SIZE")
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * page
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    todo += [int(c) for c in f.read().split()]
        except (OSError, ValueError):
            pass
    return total


def _run_cli(args: list[str], cwd: Path, stdout_path: Path) -> dict:
    """Run ``toolkit ARGS`` with stdout to a file; wall time, exit code, CPU time (user, system: of
    the process and the workers it waited for) and peak memory: ``peak_rss_mb``, the largest summed
    resident set of the process and its workers (sampled every 10 ms by a thread of this process,
    at least the kernel's figure of the largest single process), and ``peak_rss_mb_one_process``,
    the kernel's peak of the largest single process (``ru_maxrss``, which a command with workers
    would understate)."""
    import threading

    with open(stdout_path, "wb") as out, open(stdout_path.with_suffix(".err"), "wb") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(_toolkit_command() + args, cwd=cwd, stdout=out, stderr=err,
                                env={**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"})
        peak, done = [0], threading.Event()

        def sample():
            while not done.wait(0.01):
                peak[0] = max(peak[0], _tree_rss(proc.pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
    one = usage.ru_maxrss / 1024
    return {"seconds": wall, "exit": proc.returncode, "peak_rss_mb": max(one, peak[0] / 2**20), "peak_rss_mb_one_process": one,
            "user_s": usage.ru_utime, "system_s": usage.ru_stime,
            "stdout_mb": stdout_path.stat().st_size / 1e6, "stderr_lines": len(stdout_path.with_suffix(".err").read_bytes().splitlines())}


def published(folder: Path) -> Path:
    """The synthetic gold as a published dataset folder (``folder/published``), written once with
    :func:`toolkit.dataset.publish.publish` (the card body is a placeholder: the card's baseline scores and
    statistics are not what is measured) and reused after."""
    out = folder / "published"
    if not out.is_dir():
        from toolkit.checks.validate import load_corpus
        from toolkit.dataset.publish import publish

        publish(list(load_corpus(folder / "annotations").values()), out, "A synthetic corpus of benchmarks/synth.py.\n")
    return out


def json_folders(folder: Path) -> tuple[Path, Path]:
    """The synthetic gold and predictions as folders of ``<doc_id>.json`` files, pretty-printed as
    ``json.dump(..., indent=2)`` writes them (``folder/annotations_json``, ``folder/pred_json``;
    the gold's seeds are ``folder/seeds``), written once and reused after."""
    out = []
    for source, name in ((folder / "annotations" / "gold.jsonl", "annotations_json"), (folder / "pred.jsonl", "pred_json")):
        target = folder / name
        if not target.is_dir():
            partial = folder / (name + ".partial")
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir()
            with source.open(encoding="utf-8") as lines:
                for line in lines:
                    d = json.loads(line)
                    (partial / f"{d['doc_id']}.json").write_text(json.dumps(d, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            partial.rename(target)
        out.append(target)
    return out[0], out[1]


def child(n_docs: int, seed: int, data_root: Path, references: bool) -> dict:
    """Everything measured for one size (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from toolkit.io.perf import choose_allocator

    choose_allocator()  # the in-process stages with the command's memory pool
    from benchmarks.synth import read_iob2_tags

    with_published = n_docs <= TARGETS_AT  # publishing takes about 5 ms a document (the ner config's tokenisation), once
    # The corpus and its other layouts are made (or found) in a process of their own: a command's
    # peak RSS, as the kernel reports it, includes the RSS of the process it was forked from, so this
    # one must stay small until the commands have run.
    t0 = time.perf_counter()
    made = subprocess.run([sys.executable, "-c", "import json, sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
                           "from benchmarks.synth import dataset; from benchmarks.run import published, json_folders; "
                           "f = dataset(Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])); "
                           "sys.argv[5] == '1' and (published(f), json_folders(f)); print(f)",
                           str(ROOT), str(data_root), str(n_docs), str(seed), "1" if with_published else "0"],
                          capture_output=True, text=True, check=True)
    folder = Path(made.stdout.strip().splitlines()[-1])
    t_gen = time.perf_counter() - t0
    meta = json.loads((folder / "meta.json").read_text())
    gold_dir, pred_file = folder / "annotations", folder / "pred.jsonl"
    res: dict = {"documents": n_docs, "seed": seed, "meta": meta, "generate_or_reuse_s": t_gen, "folder": str(folder)}
    t: dict[str, float] = {}

    # The real command, end to end (run first, on a cold process of its own).
    res["cli"] = {
        "eval_entities": _run_cli(["eval", "--gold", "annotations", "--pred", "pred.jsonl", "--tasks", "entities",
                                   "--format", "json"], folder, folder / "out.entities.json"),
        "eval_all": _run_cli(["eval", "--gold", "annotations", "--pred", "pred.jsonl", "--tasks",
                              "entities,events,stances", "--format", "json"], folder, folder / "out.all.json"),
        "validate": _run_cli(["validate", "annotations"], folder, folder / "out.validate.txt"),
    }
    if with_published:
        res["cli"]["eval_entities_published"] = _run_cli(["eval", "--gold", "published", "--pred", "pred.jsonl", "--tasks", "entities",
                                                          "--format", "json"], folder, folder / "out.entities.published.json")
        res["cli"]["eval_entities_published"]["same_report"] = ((folder / "out.entities.json").read_bytes()
                                                                == (folder / "out.entities.published.json").read_bytes())
    if with_published:
        res["cli"]["eval_entities_json_folders"] = _run_cli(["eval", "--gold", "annotations_json", "--pred", "pred_json", "--tasks",
                                                             "entities", "--format", "json"], folder, folder / "out.entities.json_folders.json")
        res["cli"]["eval_entities_json_folders"]["same_report"] = ((folder / "out.entities.json").read_bytes()
                                                                   == (folder / "out.entities.json_folders.json").read_bytes())
    # one process (--workers 1), where the commands above chose their workers (toolkit eval partitions
    # on its own from 32 MiB of input: toolkit.evaluation.partitions.AUTO_FROM)
    one = {"eval_entities_one_process": (["--gold", "annotations", "--tasks", "entities"], "out.entities.json"),
           "eval_all_one_process": (["--gold", "annotations", "--tasks", "entities,events,stances"], "out.all.json")}
    if with_published:
        one["eval_entities_published_one_process"] = (["--gold", "published", "--tasks", "entities"], "out.entities.json")
    for name, (args, same_as) in one.items():
        target = folder / f"out.{name}.json"
        res["cli"][name] = _run_cli(["eval", *args, "--pred", "pred.jsonl", "--format", "json", "--workers", "1"], folder, target)
        res["cli"][name]["same_report"] = (folder / same_as).read_bytes() == target.read_bytes()
    res["cli"]["eval_all_workers2"] = _run_cli(["eval", "--gold", "annotations", "--pred", "pred.jsonl", "--tasks",
                                                "entities,events,stances", "--format", "json", "--workers", "2"],
                                               folder, folder / "out.all.workers2.json")
    res["cli"]["eval_all_workers2"]["same_report"] = (folder / "out.all.json").read_bytes() == (folder / "out.all.workers2.json").read_bytes()
    # the five gold documents of this repository, scored against the baseline system
    res["cli"]["baseline_5_documents"] = _run_cli(["eval", "--system", "baseline", "--format", "json"], ROOT, folder / "out.baseline.json")

    lines = (gold_dir / "gold.jsonl").read_bytes().splitlines()
    t["json_loads_gold"], gold_dicts = _timed(lambda: [json.loads(x) for x in lines])
    if references and n_docs <= TARGETS_AT:  # about 2.3 ms a document here: minutes at 200k, so only up to 50k
        from toolkit.checks.validate import validator

        v = validator("annotation")
        t["jsonschema_validate_gold"], n_errors = _timed(lambda: sum(1 for d in gold_dicts for _ in v.iter_errors(d)))
        assert n_errors == 0
    del gold_dicts, lines

    from toolkit.evaluation.evaluate import evaluate
    from toolkit.predictions.load import load_predictions
    from toolkit.checks.validate import load_corpus, validate_paths

    t["toolkit_validate_corpus"], vreport = _timed(validate_paths, [gold_dir], documents=False)  # as `toolkit validate`
    assert vreport.ok, vreport.issues[:3]
    del vreport
    t["toolkit_load_gold"], gold = _timed(load_corpus, gold_dir)
    t["toolkit_load_predictions"], preds = _timed(load_predictions, pred_file, gold)
    assert preds.ok and not preds.issues, preds.issues[:3]

    from toolkit.reporting import report as report_mod

    def core(tasks):
        rep = evaluate(gold, preds.documents, tasks)
        return rep, rep.scores()

    t["core_entities"], (rep_ent, scores_ent) = _timed(core, ("entities",))
    t["core_entities_events_stances"], (rep_all, _) = _timed(core, ("entities", "events", "stances"))
    t["report_json_entities"], _ = _timed(report_mod.eval_output, rep_ent, "json")

    from toolkit.evaluation.resampling import bootstrap_intervals
    from toolkit.evaluation.significance import count_matrix, headline_metrics

    # What `toolkit eval --bootstrap 1000` does: the count matrix, then every headline score's interval.
    t["bootstrap_flatten_counts"], (keys, C) = _timed(count_matrix, rep_all)
    metrics = headline_metrics(rep_all.tasks)
    t["bootstrap_1000"], intervals = _timed(bootstrap_intervals, C, metrics, keys, 1000, 0)
    res["bootstrap_metrics"] = len(metrics)
    res["bootstrap_example"] = intervals["entities.micro.strict.f1"].to_dict()

    # IOB2 references on the same spans (tag lists in memory; reading them is not timed).
    y_true, y_pred = read_iob2_tags(folder / "gold.iob2"), read_iob2_tags(folder / "pred.iob2")
    strict = scores_ent["entities"]["micro"]
    checks: dict = {}
    from seqeval.metrics import classification_report, f1_score

    t["seqeval_f1_score"], seq_f1 = _timed(f1_score, y_true, y_pred)
    checks["strict_f1_toolkit"] = strict["strict"]["f1"]
    checks["strict_f1_seqeval"] = float(seq_f1)
    checks["strict_f1_agrees_1e-9"] = bool(abs(strict["strict"]["f1"] - seq_f1) <= 1e-9)
    if references:
        t["seqeval_classification_report"], _ = _timed(classification_report, y_true, y_pred, digits=4)
    from nervaluate import Evaluator

    types = sorted({tag[2:] for seq in y_true + y_pred for tag in seq if tag != "O"})
    t["nervaluate_evaluator"], ner = _timed(lambda: Evaluator(y_true, y_pred, tags=types, loader="list").evaluate())
    overall = ner["overall"] if isinstance(ner, dict) else ner[0]
    agree = {}
    for scheme, name in (("strict", "strict"), ("exact", "exact"), ("partial", "partial"), ("type", "ent_type")):
        ours, theirs = strict[scheme], overall[name]
        agree[scheme] = bool(all(ours[k] == getattr(theirs, k) for k in ("correct", "incorrect", "partial", "missed", "spurious")))
    checks["nervaluate_counts_agree"] = agree
    checks["strict_f1_nervaluate_agrees_1e-9"] = bool(abs(strict["strict"]["f1"] - overall["strict"].f1) <= 1e-9)

    def plain_set_f1():
        def spans(seqs):
            out = set()
            for d, seq in enumerate(seqs):
                start = None
                for i, tag in enumerate(seq + ["O"]):
                    if start is not None and not (tag.startswith("I-") and tag[2:] == label):
                        out.add((d, start, i, label))
                        start = None
                    if tag.startswith("B-"):
                        start, label = i, tag[2:]
            return out
        g, p = spans(y_true), spans(y_pred)
        return 2 * len(g & p) / (len(g) + len(p))
    t["plain_set_strict_f1"], plain = _timed(plain_set_f1)
    checks["strict_f1_plain_set_agrees_1e-9"] = bool(abs(plain - strict["strict"]["f1"]) <= 1e-9)
    res["checks"] = checks
    res["seconds"] = t
    res["peak_rss_mb_benchmark_process"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return res


# ---------------------------------------------------------------- parent: run the sizes, print


def _machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split(":", 1)[1].strip() for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "?")
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for name in ("toolkit", "jsonschema", "orjson", "numpy", "scipy", "seqeval", "nervaluate"):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "python": platform.python_version(),
            "platform": platform.platform(), "packages": versions, "fresh_memory": _fresh_memory()}


_TOUCH = """
import resource, sys
import numpy as np
def system():
    return resource.getrusage(resource.RUSAGE_SELF).ru_stime
mb = int(sys.argv[1])
t0 = system(); a = np.ones(mb << 17); first = system() - t0
del a
t0 = system(); a = np.ones(mb << 17); again = system() - t0
print(1000 * first / mb, 1000 * again / mb)
"""


def _fresh_memory(mb: int = 256) -> dict:
    """The system time of filling memory a new process has never touched, in ms per MiB, and of
    filling it again once freed. In a virtual machine whose host backs the guest's memory lazily (and
    takes freed memory back), the first figure can be many times the second: every command pays it
    for each MiB its peak grows by, as system time (the ``system_s`` of each command)."""
    done = subprocess.run([sys.executable, "-c", _TOUCH, str(mb)], capture_output=True, text=True, check=True)
    first, again = (float(x) for x in done.stdout.split())
    return {"first_touch_ms_per_mib": first, "reused_ms_per_mib": again, "mib": mb}


def _ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.1f}x" if a and b else "-"


def summarise(results: list[dict]) -> str:
    lines = []
    head = ("| documents | gold / pred mentions | `toolkit eval` entities (CLI) | entities+events+stances (CLI) | "
            "scoring core (entities) | validate corpus | bootstrap x1000 | seqeval report | seqeval f1 | nervaluate | "
            "json.loads | jsonschema | peak RSS eval CLI (all tasks) |")
    lines += [head, "|" + "|".join(["---:"] * (head.count("|") - 1)) + "|"]
    for r in results:
        s, c, m = r["seconds"], r["cli"], r["meta"]
        fmt = lambda x: f"{x:.2f} s" if x is not None else "-"  # noqa: E731
        lines.append(f"| {r['documents']:,} | {m['gold_mentions']:,} / {m['pred_mentions']:,} | {fmt(c['eval_entities']['seconds'])} | "
                     f"{fmt(c['eval_all']['seconds'])} | {fmt(s['core_entities'])} | {fmt(s['toolkit_validate_corpus'])} | "
                     f"{fmt(s['bootstrap_1000'])} | {fmt(s.get('seqeval_classification_report'))} | {fmt(s['seqeval_f1_score'])} | "
                     f"{fmt(s['nervaluate_evaluator'])} | {fmt(s['json_loads_gold'])} | {fmt(s.get('jsonschema_validate_gold'))} | "
                     f"{max(_peak_all(c), c['eval_entities']['peak_rss_mb']):.0f} MB |")
    lines.append("")
    lines.append("| documents | seqeval report / eval CLI | nervaluate / eval CLI | nervaluate / scoring core | "
                 "µs per gold mention (eval CLI) | strict F1 = seqeval (1e-9) | counts = nervaluate (4 schemes) |")
    lines.append("|---:|---:|---:|---:|---:|---|---|")
    for r in results:
        s, c, k = r["seconds"], r["cli"], r["checks"]
        e2e = c["eval_entities"]["seconds"]
        lines.append(f"| {r['documents']:,} | {_ratio(s.get('seqeval_classification_report'), e2e)} | {_ratio(s['nervaluate_evaluator'], e2e)} | "
                     f"{_ratio(s['nervaluate_evaluator'], s['core_entities'])} | {1e6 * e2e / r['meta']['gold_mentions']:.2f} | "
                     f"{'yes' if k['strict_f1_agrees_1e-9'] else 'NO'} | {'yes' if all(k['nervaluate_counts_agree'].values()) else 'NO ' + str(k['nervaluate_counts_agree'])} |")
    return "\n".join(lines)


def _peak_all(c: dict) -> float:
    """The larger peak of the all-task command as run and in one process (both must meet the target)."""
    return max(c[k]["peak_rss_mb"] for k in ("eval_all", "eval_all_one_process") if k in c)


def _peaks_shown(c: dict) -> str:
    shown = [f"{c['eval_all']['peak_rss_mb']:.0f} MB as run"]
    if "eval_all_one_process" in c:
        shown.append(f"{c['eval_all_one_process']['peak_rss_mb']:.0f} MB in one process")
    return ", ".join(shown)


def targets(results: list[dict]) -> str:
    """The targets of the columnar-engine issue, each met or missed, with the measured figure."""
    by_size = {r["documents"]: r for r in results}
    out = []
    r = by_size.get(TARGETS_AT)
    if r is not None:
        s, c = r["seconds"], r["cli"]
        e2e, every = c["eval_entities"]["seconds"], c["eval_all"]["seconds"]
        rows = [
            ("`toolkit eval` entities end to end, JSONL + seed files, <= 3 s", e2e <= 3.0, f"{e2e:.2f} s"),
            ("`toolkit eval` entities end to end, gold from the published dataset folder, <= 2 s",
             c["eval_entities_published"]["seconds"] <= 2.0,
             f"{c['eval_entities_published']['seconds']:.2f} s (same report: {c['eval_entities_published'].get('same_report')})"),
            ("`toolkit eval` entities, gold and predictions as folders of JSON files (no target)", None,
             f"{c['eval_entities_json_folders']['seconds']:.2f} s, {c['eval_entities_json_folders']['peak_rss_mb']:.0f} MB "
             f"(same report: {c['eval_entities_json_folders'].get('same_report')})") if "eval_entities_json_folders" in c else None,
            ("... >= 3.5x faster than nervaluate's Evaluator (spans in memory)", s["nervaluate_evaluator"] / e2e >= 3.5,
             _ratio(s["nervaluate_evaluator"], e2e)),
            ("entities + events + stances <= 4 s", every <= 4.0, f"{every:.2f} s"),
            ("`toolkit validate` <= 1.5 s", c["validate"]["seconds"] <= 1.5, f"{c['validate']['seconds']:.2f} s"),
            ("bootstrap x1000 of every headline score <= 0.3 s", s["bootstrap_1000"] <= 0.3, f"{s['bootstrap_1000']:.2f} s"),
            ("peak memory, all tasks <= 1 GB (the command as run, its workers summed; and in one process)",
             _peak_all(c) <= 1024, _peaks_shown(c)),
            ("--workers 2 against one process, all tasks (the target is at 200k)", None,
             f"{c['eval_all_one_process']['seconds'] / c['eval_all_workers2']['seconds']:.2f}x "
             f"(same report: {c['eval_all_workers2'].get('same_report')})")
            if "eval_all_workers2" in c and "eval_all_one_process" in c else None,
            ("in one process (--workers 1): entities, JSONL; entities, published; all tasks (no target)", None,
             ", ".join(f"{c[k]['seconds']:.2f} s (same report: {c[k].get('same_report')})"
                       for k in ("eval_entities_one_process", "eval_entities_published_one_process", "eval_all_one_process") if k in c)),
        ]
        out.append(f"Targets at {TARGETS_AT:,} documents:")
        out += [f"  [{'measured' if ok is None else 'met' if ok else 'MISSED'}] {name}: {shown}" for name, ok, shown in filter(None, rows)]
    big = by_size.get(200_000)
    if big is not None:
        peak = _peak_all(big["cli"])
        out.append(f"Targets at 200,000 documents:")
        out.append(f"  [{'met' if peak <= 2048 else 'MISSED'}] peak memory, all tasks <= 2 GB: {_peaks_shown(big['cli'])}")
        if r is not None:
            per = lambda x: x["cli"]["eval_entities"]["seconds"] / x["meta"]["gold_mentions"]  # noqa: E731
            growth = per(big) / per(r)
            out.append(f"  [{'met' if growth <= 1.2 else 'MISSED'}] time per gold mention within 1.2x of 50k: {growth:.2f}x")
        w2 = big["cli"].get("eval_all_workers2")
        if w2 is not None and "eval_all_one_process" in big["cli"]:
            speed = big["cli"]["eval_all_one_process"]["seconds"] / w2["seconds"]
            out.append(f"  [{'met' if speed >= 1.6 else 'MISSED'}] --workers 2 >= 1.6x one process: {speed:.2f}x"
                       f" (same report: {w2.get('same_report')})")
    for res in results:
        b = res["cli"].get("baseline_5_documents")
        if b is not None:
            out.append(f"  [{'met' if b['seconds'] <= 1.0 else 'MISSED'}] the five gold documents, `eval --system baseline` <= 1 s: "
                       f"{b['seconds']:.2f} s")
            break
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10000,50000,200000", help="Comma-separated corpus sizes (documents).")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--quick", action="store_true", help="A smoke run: one size of 2000 documents.")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="Where the synthetic corpora are cached.")
    parser.add_argument("--out", type=Path, default=None, help="Write every number here (JSON); default DATA/results.json.")
    parser.add_argument("--no-references", action="store_true",
                        help="Skip the slowest references (seqeval's report, jsonschema on every document).")
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child is not None:
        print(json.dumps(child(args.child, args.seed, args.data, not args.no_references)))
        return 0
    sizes = [2000] if args.quick else [int(x) for x in args.sizes.split(",") if x.strip()]
    bytecode = _bytecode()  # before anything is timed
    machine = {**_machine(), "bytecode": bytecode}
    print(f"machine: {machine['nproc']} cores, {machine['cpu']}, {machine['memory']}, Python {machine['python']}; "
          f"new memory {machine['fresh_memory']['first_touch_ms_per_mib']:.2f} ms/MiB of system time "
          f"(reused: {machine['fresh_memory']['reused_ms_per_mib']:.2f})", flush=True)
    results = []
    for n in sizes:
        print(f"-- {n:,} documents ...", flush=True)
        cmd = [sys.executable, "-m", "benchmarks.run", "--child", str(n), "--seed", str(args.seed), "--data", str(args.data)]
        if args.no_references:
            cmd.append("--no-references")
        proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        res = json.loads(proc.stdout.strip().splitlines()[-1])
        results.append(res)
        s = res["seconds"]
        print("   " + ", ".join(f"{k} {v:.2f}s" for k, v in s.items()), flush=True)
        print("   cli: " + ", ".join(f"{k} {v['seconds']:.2f}s (exit {v['exit']}, {v['peak_rss_mb']:.0f} MB, "
                                     f"cpu {v['user_s']:.2f} user + {v['system_s']:.2f} system)" for k, v in res["cli"].items()), flush=True)
        print(f"   checks: {res['checks']}", flush=True)
    print()
    print(summarise(results))
    print()
    print(targets(results))
    out = args.out or args.data / "results.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"machine": machine, "results": results}, indent=2) + "\n")
    print(f"\nwrote {out}")
    bad = [r["documents"] for r in results if not r["checks"]["strict_f1_agrees_1e-9"]]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
