#!/usr/bin/env python3
"""Independent reference numbers for tests/analysis.rs.

Reads the OTLP fixtures with nothing but the json module and recomputes each
analysis the straightforward way (recursion, sorting, plain loops), so the
Rust code is checked against a second implementation, not against itself.
Run from the repository root: python3 tests/analysis_reference.py
"""

import glob
import json
import math
from collections import Counter, defaultdict

FIX = "tests/fixtures/"


def value(v):
    (kind, x), = v.items()
    if kind == "intValue":
        return int(x)
    return x


def load(paths):
    spans = []
    for path in paths:
        if path.endswith(".jsonl"):
            docs = [json.loads(l) for l in open(path) if l.strip()]
        else:
            docs = [json.load(open(path))]
        for d in docs:
            for rs in d["resourceSpans"]:
                for ss in rs["scopeSpans"]:
                    for s in ss["spans"]:
                        spans.append({
                            "trace": s["traceId"].lower(),
                            "id": s["spanId"].lower(),
                            "parent": (s.get("parentSpanId") or "").lower(),
                            "name": s["name"],
                            "start": int(s["startTimeUnixNano"]),
                            "end": int(s["endTimeUnixNano"]),
                            "error": s.get("status", {}).get("code") in (2, "STATUS_CODE_ERROR"),
                            "status_message": s.get("status", {}).get("message", ""),
                            "attrs": {a["key"]: value(a["value"]) for a in s.get("attributes", [])},
                            "events": s.get("events", []),
                        })
    return spans


def by_trace(spans):
    out = defaultdict(list)
    for s in spans:
        out[s["trace"]].append(s)
    return out


def children(spans):
    kids = defaultdict(list)
    ids = {s["id"] for s in spans}
    for s in spans:
        if s["parent"] in ids:
            kids[s["parent"]].append(s)
    return kids


def self_time(s, kids):
    iv = sorted((max(c["start"], s["start"]), min(c["end"], s["end"])) for c in kids[s["id"]])
    covered, reach = 0, -1
    for a, b in iv:
        if b <= a:
            continue
        a = max(a, reach)
        if b > a:
            covered += b - a
        reach = max(reach, b)
    return max(s["end"] - s["start"] - covered, 0)


def nearest_rank(values, p):
    v = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(v)))
    return v[rank - 1]


def breakdown(trace_spans):
    kids = children(trace_spans)
    ids = {s["id"] for s in trace_spans}
    roots = sorted([s for s in trace_spans if s["parent"] not in ids], key=lambda s: s["start"])
    dur = max(s["end"] for s in trace_spans) - min(s["start"] for s in trace_spans)
    names = defaultdict(int)
    for s in trace_spans:
        names[s["name"]] += self_time(s, kids)
    rows = sorted(names.items(), key=lambda kv: (-kv[1], kv[0]))
    steps = [(c["name"], c["end"] - c["start"]) for c in sorted(kids[roots[0]["id"]], key=lambda c: c["start"])]
    return dur, rows, steps


def critical_path(trace_spans):
    """Jaeger UI's computeCriticalPath, recursive, as written in JavaScript."""
    kids = children(trace_spans)
    by_id = {s["id"]: s for s in trace_spans}
    root = min((s for s in trace_spans if s["parent"] not in by_id), key=lambda s: s["start"])
    path = []

    def last_finishing(span, returning):
        cands = sorted(kids[span["id"]], key=lambda c: -c["end"])
        for c in cands:
            if returning is None or c["end"] < returning:
                return c
        return None

    def walk(span_id, returning=None):
        span = by_id[span_id]
        lfc = last_finishing(span, returning)
        end = returning if returning is not None else span["end"]
        if lfc:
            if lfc["end"] != end:
                path.append((span["name"], lfc["end"], end))
            walk(lfc["id"])
        else:
            if span["start"] != end:
                path.append((span["name"], span["start"], end))
            if span["parent"] in by_id:
                walk(span["parent"], span["start"])

    walk(root["id"])
    path.reverse()
    return root["start"], path


def error_details(s):
    ev = [e for e in s["events"] if e.get("name") == "exception"]
    if ev:
        a = {x["key"]: value(x["value"]) for x in ev[-1].get("attributes", [])}
        return a.get("exception.type"), a.get("exception.message", ""), True
    cls, _, msg = s["status_message"].partition(": ")
    return cls, msg, False


def error_groups(spans):
    groups = defaultdict(lambda: [0, set()])
    for s in spans:
        if s["error"]:
            t, m, _ = error_details(s)
            groups[(t, m)][0] += 1
            groups[(t, m)][1].add(s["trace"])
    return sorted(((t, m[:60], n, len(tr)) for (t, m), (n, tr) in groups.items()),
                  key=lambda r: (-r[3], -r[2], r[0], r[1]))


def main():
    rag = load([FIX + "otlp-json/dspy-rag.openinference.otlp-http-json.json"])
    t = by_trace(rag)["3a2e61939a2af9a02c5d47a80a5cf837"]
    dur, rows, steps = breakdown(t)
    print("A. rag breakdown: duration", dur)
    for r in rows:
        print("   ", r)
    print("   steps", steps)

    react = load([FIX + "otlp-json/dspy-react.openinference.otlp-http-json.json"])
    start, path = critical_path(by_trace(react)["2c44d7ba88833482b7e9ee31431bc79c"])
    print("B. react critical path, offsets from the root's start")
    for name, a, b in path:
        print("    (%r, %d, %d)," % (name, a - start, b - start))
    on_path = defaultdict(int)
    for name, a, b in path:
        on_path[name] += b - a
    print("   total on path", sum(on_path.values()), "segments", len(path))
    print("   on path per name", sorted(on_path.items(), key=lambda kv: (-kv[1], kv[0])))

    multihop = load([FIX + "otlp-json/dspy-multihop.openinference.otlp-http-json.json"])
    lm = [s["end"] - s["start"] for s in multihop if s["name"] == "LM.__call__"]
    print("C. multihop LM.__call__: n", len(lm), "p50", nearest_rank(lm, 50), "p90",
          nearest_rank(lm, 90), "p99", nearest_rank(lm, 99), "max", max(lm), "total", sum(lm),
          "errors", sum(s["error"] for s in multihop if s["name"] == "LM.__call__"))
    slow = Counter()
    for tid, ts in by_trace(multihop).items():
        ids = {s["id"] for s in ts}
        root = min((s for s in ts if s["parent"] not in ids), key=lambda s: s["start"])
        steps = sorted(children(ts)[root["id"]], key=lambda c: c["start"])
        if steps:
            best = max(steps, key=lambda c: (c["end"] - c["start"], -c["start"]))
            slow[best["name"]] += 1
    print("   slowest steps", sorted(slow.items(), key=lambda kv: (-kv[1], kv[0])))
    durs = [max(s["end"] for s in ts) - min(s["start"] for s in ts) for ts in by_trace(multihop).values()]
    print("   trace durations sorted", sorted(durs))

    per_model = defaultdict(lambda: [0, 0, 0, 0, 0, 0.0])
    for s in react:
        a = s["attrs"]
        if s["name"] == "completion":
            m = per_model[a["llm.model_name"]]
            m[0] += 1
            m[1] += a.get("llm.token_count.prompt", 0)
            m[2] += a.get("llm.token_count.completion", 0)
            m[3] += a.get("llm.token_count.prompt_details.cache_read", 0)
            m[4] += a.get("llm.token_count.completion_details.reasoning", 0)
            m[5] += a.get("llm.cost.total", 0.0)
    print("D. react tokens per model [calls, in, out, cached, reasoning, cost]", dict(per_model))
    for tid, ts in by_trace(react).items():
        cs = [s for s in ts if s["name"] == "completion"]
        print("   trace", tid, sum(s["attrs"]["llm.token_count.prompt"] for s in cs),
              sum(s["attrs"]["llm.cost.total"] for s in cs))

    print("E. rag error groups (type, message[:60], spans, traces)", error_groups(rag))
    all_sc = load([FIX + "otlp-jsonl/dspy-all-scenarios.filexporter.jsonl"])
    print("   all-scenarios error groups")
    for g in error_groups(all_sc):
        print("    ", g)
    for s in rag:
        if s["error"] and s["name"] == "LM.__call__":
            _, _, from_event = error_details(s)
            print("   rag LM.__call__ error from event:", from_event)

    lf = load(sorted(glob.glob(FIX + "langfuse-otlp/*.json")))
    groups = defaultdict(list)
    for tid, ts in by_trace(lf).items():
        first = min((s for s in ts if "langfuse.trace.metadata.scenario" in s["attrs"]),
                    key=lambda s: s["start"], default=None)
        v = json.loads(first["attrs"]["langfuse.trace.metadata.scenario"]) if first else None
        dur = max(s["end"] for s in ts) - min(s["start"] for s in ts)
        groups[v].append((dur, any(s["error"] for s in ts)))
    print("F. langfuse scenario groups (value, traces, error traces, p50, p90)")
    for v, rows in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0] or "~")):
        ds = [d for d, _ in rows]
        print("    ", v, len(rows), sum(e for _, e in rows), nearest_rank(ds, 50), nearest_rank(ds, 90))

    print("G. all-scenarios grouped by the model of the first LM call")
    gm = defaultdict(list)
    for tid, ts in by_trace(all_sc).items():
        kids = children(ts)

        def is_llm(x):
            return x["attrs"].get("openinference.span.kind") == "LLM"

        def has_llm_below(x):
            stack = list(kids[x["id"]])
            while stack:
                y = stack.pop()
                if is_llm(y):
                    return True
                stack.extend(kids[y["id"]])
            return False
        calls = sorted((x for x in ts if is_llm(x) and not has_llm_below(x)), key=lambda x: x["start"])
        model = calls[0]["attrs"].get("llm.model_name") if calls else None
        cost = sum(x["attrs"].get("llm.cost.total", 0.0) for x in calls)
        gm[model].append((len(calls), cost))
    for m, rows in sorted(gm.items(), key=lambda kv: (-len(kv[1]), kv[0] or "~")):
        print("    ", m, "traces", len(rows), "calls", sum(r[0] for r in rows), "file cost", sum(r[1] for r in rows))
    durs = [max(x["end"] for x in ts) - min(x["start"] for x in ts) for ts in by_trace(all_sc).values()]
    bounds = [0] + [m * 10 ** d for d in range(19) for m in (1, 2, 5)]
    hist = Counter(max(i for i, b in enumerate(bounds) if b <= d) for d in durs)
    lo, hi = min(hist), max(hist)
    print("H. all-scenarios duration histogram", [(bounds[i], bounds[i + 1], hist.get(i, 0)) for i in range(lo, hi + 1)])


main()
