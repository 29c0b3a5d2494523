#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn bench/vm.sh's raw.tsv into <prefix>.csv, <prefix>.md and one SVG plot
per workload family (<prefix>-<family>.svg, gnuplot).

usage: bench/report.py RAW_TSV PREFIX [TITLE]

Every value is a throughput (higher is better); ratio = variant median ÷
kernel median of the same workload, so sysvipc/kernel > 1 means the module is
faster. Prints the Markdown table.
"""
import collections
import os
import statistics
import subprocess
import sys
import tempfile

# Targets from the issues (sysvipc ÷ kernel); "entry" is the floor, no target.
TARGETS = {
    "sem-uncontended": 0.9,
    "sem-pingpong": 1.0,
    "msg-pingpong-64": 1.0,
    "msg-pingpong-8k": 1.0,
    "msg-stream-64": 1.0,
    "msg-stream-8k": 1.0,
    "shm-attach": 0.9,
    "shm-fault": 0.95,
}
# io_uring receivers (bench/uring_msg.c), compared with the same workload's
# msgrcv loops: "uring" = one message per read, "uring-batch" = batch reads.
URING_TARGETS = {"msg-drain-64": 3.0}  # uring-batch ÷ kernel, issue 10
VARIANTS = ["kernel", "sysvipc", "posix", "uring", "uring-batch"]


def fmt(x):
    if x >= 100:
        return f"{x:,.0f}"
    return f"{x:.3g}"


def main():
    raw, prefix = sys.argv[1], sys.argv[2]
    title = sys.argv[3] if len(sys.argv) > 3 else os.path.basename(prefix)
    vals = collections.defaultdict(list)  # (workload, variant) -> [values]
    byrep = {}  # (workload, variant, rep) -> value
    unit, family, order = {}, {}, []
    with open(raw) as f:
        for line in f:
            fam, wl, var, _rep, val, u = line.rstrip("\n").split("\t")
            vals[(wl, var)].append(float(val))
            byrep[(wl, var, _rep)] = float(val)
            unit[wl], family[wl] = u, fam
            if wl not in order:
                order.append(wl)
    stats = {}
    for k, v in vals.items():
        stats[k] = (len(v), statistics.median(v), min(v), max(v))

    def ratio(wl, var):
        if (wl, var) in stats and (wl, "kernel") in stats:
            return stats[(wl, var)][1] / stats[(wl, "kernel")][1]
        return None

    def paired(wl, var):
        """min and max over rounds of variant ÷ kernel within the same round"""
        rs = [v / byrep[(w, "kernel", r)] for (w, vv, r), v in byrep.items()
              if w == wl and vv == var and (w, "kernel", r) in byrep]
        return (min(rs), max(rs)) if rs else None

    with open(prefix + ".csv", "w") as f:
        f.write("workload,variant,reps,median,min,max,unit,ratio_vs_kernel\n")
        for wl in order:
            for var in VARIANTS:
                if (wl, var) in stats:
                    n, med, lo, hi = stats[(wl, var)]
                    r = ratio(wl, var)
                    f.write(f"{wl},{var},{n},{med:.6g},{lo:.6g},{hi:.6g},{unit[wl]},"
                            f"{'' if r is None else f'{r:.3f}'}\n")

    md = [f"Run `{title}`: median of the repetitions [min – max]; ratio = median ÷ kernel "
          "median (higher = faster than the kernel's own IPC); in parentheses the lowest and "
          "highest ratio of a variant to the kernel run of the same round (the runs alternate "
          "order, round by round).", "",
          "| workload | unit | kernel | sysvipc | sysvipc ÷ kernel | target | posix | posix ÷ kernel |",
          "|---|---|---|---|---|---|---|---|"]
    for wl in order:
        cells = []
        for var in VARIANTS:
            if (wl, var) in stats:
                n, med, lo, hi = stats[(wl, var)]
                cells.append(f"{fmt(med)} [{fmt(lo)} – {fmt(hi)}]")
            else:
                cells.append("")
        r, rp = ratio(wl, "sysvipc"), ratio(wl, "posix")
        t = TARGETS.get(wl)
        tcell = "" if t is None else (f"≥ {t} " + ("✓" if r is not None and r >= t else "**below**"))
        below = t is not None and r is not None and r < t
        rtxt = "" if r is None else f"{r:.3f}×" if below and round(r, 2) >= t else f"{r:.2f}×"
        rcell = f"**{rtxt}**" if below else rtxt
        if r is not None and paired(wl, "sysvipc"):
            rcell += " ({:.2f}–{:.2f})".format(*paired(wl, "sysvipc"))
        md.append(f"| {wl} | {unit[wl]} | {cells[0]} | {cells[1]} | {rcell} | {tcell} | {cells[2]} | "
                  f"{'' if rp is None else f'{rp:.2f}×'}"
                  f"{' ({:.2f}–{:.2f})'.format(*paired(wl, 'posix')) if rp is not None and paired(wl, 'posix') else ''} |")
    uwl = [wl for wl in order if any((wl, v) in stats for v in ("uring", "uring-batch"))]
    if uwl:
        md += ["", "io_uring receive (bench/uring_msg.c): the queue is filled with 8192 messages "
               "untimed, then drained, timed, until N have been received; only receiving is "
               "measured. kernel / sysvipc = a `msgrcv` loop; io_uring = 64 reads in flight on a "
               "queue fd, one message each; io_uring batch = 4 reads of 64 KiB in flight on a "
               "`SYSVIPC_OBJFD_MSG_BATCH | SYSVIPC_OBJFD_MSG_EXCLUSIVE` fd, as many messages per "
               "read as fit. Ratios ÷ the kernel's `msgrcv` loop (same-round range in parentheses).",
               "",
               "| workload | unit | kernel msgrcv | sysvipc msgrcv | sysvipc io_uring | "
               "sysvipc io_uring batch | sysvipc ÷ kernel | io_uring ÷ kernel | batch ÷ kernel | target |",
               "|---|---|---|---|---|---|---|---|---|---|"]
        for wl in uwl:
            cells, rcells = [], []
            for var in ("kernel", "sysvipc", "uring", "uring-batch"):
                if (wl, var) in stats:
                    n, med, lo, hi = stats[(wl, var)]
                    cells.append(f"{fmt(med)} [{fmt(lo)} – {fmt(hi)}]")
                else:
                    cells.append("")
            for var in ("sysvipc", "uring", "uring-batch"):
                r = ratio(wl, var)
                c = "" if r is None else f"{r:.2f}×"
                if r is not None and paired(wl, var):
                    c += " ({:.2f}–{:.2f})".format(*paired(wl, var))
                rcells.append(c)
            t, rb = URING_TARGETS.get(wl), ratio(wl, "uring-batch")
            tcell = "" if t is None else (f"batch ≥ {t} " + ("✓" if rb is not None and rb >= t else "**below**"))
            md.append(f"| {wl} | {unit[wl]} | " + " | ".join(cells + rcells) + f" | {tcell} |")
    md.append("")
    md.append("`entry/noop`: kernel = a bare `getppid` syscall, sysvipc = the module's "
              "`SYSVIPC_IOC_VERSION` ioctl (the cheapest call into the module).")
    text = "\n".join(md) + "\n"
    with open(prefix + ".md", "w") as f:
        f.write(text)
    print(text)
    plots(prefix, title, order, family, unit, stats)


def plots(prefix, title, order, family, unit, stats):
    fams = []
    for wl in order:
        if family[wl] not in fams:
            fams.append(family[wl])
    with tempfile.TemporaryDirectory() as tmp:
        for fam in fams:
            wls = [w for w in order if family[w] == fam]
            dat = os.path.join(tmp, fam + ".dat")
            out = f"{prefix}-{fam}.svg"
            if fam.endswith("-scaling"):
                # x = pairs of processes, y = absolute throughput per variant
                base = wls[0].rsplit("-x", 1)[0]  # its 1-pair point is the base workload
                with open(dat, "w") as f:
                    for var in VARIANTS:
                        rows = [(1, stats[(base, var)])] if (base, var) in stats else []
                        rows += [(int(w.rsplit("-x", 1)[1]), stats[(w, var)]) for w in wls if (w, var) in stats]
                        if not rows:
                            continue
                        f.write(f'"{var}"\n')
                        for x, (_n, med, lo, hi) in rows:
                            f.write(f"{x} {med} {lo} {hi}\n")
                        f.write("\n\n")
                nvar = sum(1 for v in VARIANTS if any((w, v) in stats for w in wls))
                gp = f"""set terminal svg size 720,420 dynamic enhanced font 'sans,11'
set output '{out}'
set title "{base}: scaling over pairs of processes ({title})" noenhanced
set xlabel 'pairs of processes'
set ylabel '{unit[wls[0]]} (total)' noenhanced
set logscale x 2
set xtics (1, 2, 4, 8)
set xrange [0.8:10]
set yrange [0:*]
set key outside right top
set grid ytics
plot for [i=0:{nvar - 1}] '{dat}' index i using 1:2:3:4 with yerrorlines lw 2 title columnheader(1)
"""
            else:
                # bars: each variant's median ÷ kernel median, error bars min..max
                with open(dat, "w") as f:
                    for w in wls:
                        k = stats[(w, "kernel")][1] if (w, "kernel") in stats else None
                        row = [w]
                        for var in VARIANTS:
                            if k and (w, var) in stats:
                                _n, med, lo, hi = stats[(w, var)]
                                row += [f"{med / k:.4f}", f"{lo / k:.4f}", f"{hi / k:.4f}"]
                            else:
                                row += ["NaN", "NaN", "NaN"]
                        f.write(" ".join(row) + "\n")
                has_posix = any((w, "posix") in stats for w in wls)
                cols = "2:3:4 title 'kernel', '' using 5:6:7 title 'sysvipc'"
                if has_posix:
                    cols += ", '' using 8:9:10 title 'posix'"
                for i, var in enumerate(VARIANTS[3:]):
                    if any((w, var) in stats for w in wls):
                        c = 11 + 3 * i
                        cols += f", '' using {c}:{c + 1}:{c + 2} title 'sysvipc {var}'"
                gp = f"""set terminal svg size {max(560, 160 * len(wls) + 220)},420 dynamic enhanced font 'sans,11'
set output '{out}'
set title "{fam}: throughput relative to the kernel's IPC ({title}; median, min-max)" noenhanced
set ylabel 'relative to kernel (higher is better)'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.7 border -1
set yrange [0:*]
set grid ytics
set key outside right top
set xtics noenhanced rotate by -25
set bmargin 6
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2
plot '{dat}' using {cols.replace("2:3:4", "2:3:4:xtic(1)", 1)}
"""
            gpf = os.path.join(tmp, fam + ".gp")
            with open(gpf, "w") as f:
                f.write(gp)
            r = subprocess.run(["gnuplot", gpf], capture_output=True, text=True)
            if r.returncode != 0:
                print(f"report: gnuplot failed for {fam}: {r.stderr}", file=sys.stderr)
                sys.exit(1)
            print(f"plot: {out}")


if __name__ == "__main__":
    main()
