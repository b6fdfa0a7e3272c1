"""The router's promise in figures (lesson 3; issue 11's targets in brackets).

1. Recall on ``--n`` generated identifiers of every kind (addresses and health sentences too),
   English and Ukrainian, glued to random neighbours and disguised as real text has them
   (:mod:`labs.router.synthetic`: separators, neighbouring numbers, layouts, look-alike and
   Unicode digits, invisible characters, line breaks, JSON escapes, base64, double encodings,
   spelled-out e-mails ...): per kind
   [100% for the checksum-backed card, IBAN and РНОКПП; >= 99% overall].
2. Leaks end to end: every one of those prompts (complex, so without the detector it would go
   to the cloud) through :meth:`Router.complete` with the STAND-IN cloud, a real HTTP server on
   127.0.0.1 that records what it receives, and a dead local port [0 requests recorded].
3. False alarms on ``--n`` prompts with harmless numbers: counts, parameters, versions, prices,
   dates, order numbers, timestamps, and the outside attacker's false-alarm classes (Luhn-valid
   backup timestamps, EAN-13 barcodes, large ids, commit hashes, UUIDs, IP addresses, health words
   in technical text, "born" about a project) [< 1%].
4. Time to decide: median and p95 of detect_pii and route() on three 2 KB prompts (a support
   ticket with a few personal details among many harmless numbers, plain prose, a worst case
   packed with personal data) [ticket and prose median < 1 ms], and a ticket full of numbers (a log, a
   metrics table: the long-digit-run path), and a list of one-digit labels (the short-number path), each
   also relative to the ticket [about 1x: it was 300x].

    .venv/bin/python bench/router_bench.py [--n 2000] [--repeat 2000] [--seed 29]
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import time
from collections import Counter

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii
from labs.router.synthetic import CHECKSUM_KINDS, KINDS, LANGS, glued_prompt, harmless_prompt

TICKET = (
    "Hello support team,\n\nI am writing about order #58213377, placed on 2024-03-12, for an RTX 4090 "
    "($1,599.00) and a 2 TB NVMe drive ($149.99). The invoice INV-2024-00042 shows EUR 1,250.00, but my "
    "statement shows two charges of the same amount, one on 13.03 and one on 14.03. We run Ollama 0.5.7 with "
    "SmolLM2 (135M parameters) and Llama 3.1 8B at Q4_K_M, which reaches about 112 tokens/s on the new card, "
    "so the hardware itself is fine; the problem is only the billing. Please refund the duplicate charge to my "
    "account UA21 3223 1300 0002 6007 2335 6600 1, or call me on +380 67 123 45 67 between 10:00 and 18:00; my "
    "e-mail is olena.koval@example.com. While I am writing: version 2.4.1 of your desktop app crashed twice "
    "(build 20240312, Python 3.11.7, Windows 11 23H2), the log says error 0x80070005 at line 4521, and the "
    "tracking number 1Z999AA10123456784 says 'delivered' on 15.03.2024 although nothing arrived at the "
    "address on file. Your FAQ promises an answer within 48 hours and a refund within 5-7 business days; it "
    "has now been 9 days. I have attached the screenshots (3 files, 2.4 MB in total) and the bank statement "
    "for March 2024. If the refund is not possible, a store credit of the same value (1,599.00 USD) would also "
    "work for me, as I plan to order a second card for our 2-GPU server later this year.\n\n"
    "Українською, для вашого відділу в Києві: замовлення № 48213377 оплачене карткою, ТТН 20450012345678, "
    "ціна 1 599 доларів, версія застосунку 3.2.0, збірка 4521. Будь ласка, поверніть зайве списання якомога "
    "швидше або зателефонуйте мені. Дякую за розуміння і гарного дня!\n\nOlena Koval, Kyiv, 2024\n"
)
# A ticket full of numbers (a training log and a pasted metrics table, one phone): the long-digit-run path
NUMERIC = (
    "Hi, the fine-tune on our 2-GPU box slows down after step 300, logs below; call me on 067 123 45 67 if needed.\n"
    "2024-05-01 12:00:07 step 100 loss 2.3456 tok/s 1234 mem 40960 MB lr 0.0002 grad 1.25\n"
    "2024-05-01 12:04:11 step 200 loss 2.1187 tok/s 1229 mem 40960 MB lr 0.0002 grad 1.19\n"
    "run\tstep\ttokens\tparams\tms/step\n7\t300\t3124167891\t8030261248\t412.5\n"
    "id 12345 v1.2 4096 8080 2024-05-01 0.15 | 98213 77 3 4521 0.93 1 599 00 | 58213377 2 149 99\n"
)
PROSE = (
    "Explain how a transformer uses attention to process long sequences efficiently, compare it with "
    "recurrent networks, and describe the trade-offs of longer context windows for memory and speed. "
)
# A list of one-digit labels (the most common ML-course paste): no phone or card without a label or a plus
DIGITS = "labels: " + " ".join(random.Random(5).choice("01") for _ in range(1024))
DENSE = (
    "Olena Koval, olena.koval@example.com, +380 67 123 45 67, card 4111 1111 1111 1111, "
    "IBAN DE89 3704 0044 0532 0130 00, born 12.03.1985, РНОКПП 3124167891, паспорт МК 123456, "
    "SSN 219-09-9999, has asthma and takes salbutamol. "
)


def two_kb(text: str) -> str:
    return (text * (2048 // len(text) + 1))[:2048]


def timed_together(fns, args, repeat: int) -> list[tuple[float, float]]:
    """(median, p95) in ms of each ``fn(arg)`` pair, the calls taken in turn (one of each, ``repeat`` times): on a
    shared machine a burst of load then slows every prompt alike, so the ratios between them hold. The detectors' trigger
    pass (labs.router.triggers keeps the last few prompts' passes) is forgotten before each call: each call reads its
    prompt as new, as a router does."""
    from labs.router import triggers

    for fn, arg in zip(fns, args):
        for _ in range(50):
            fn(arg)
    samples: list[list[float]] = [[] for _ in fns]
    for _ in range(repeat):
        for k, (fn, arg) in enumerate(zip(fns, args)):
            triggers._recent = ()
            t0 = time.perf_counter_ns()
            fn(arg)
            samples[k].append((time.perf_counter_ns() - t0) / 1e6)
    out = []
    for s in samples:
        s.sort()
        out.append((statistics.median(s), s[int(0.95 * len(s)) - 1]))
    return out


def recall_and_leaks(n: int, seed: int) -> None:
    rng = random.Random(seed)
    cases = [glued_prompt(KINDS[i % len(KINDS)], rng, lang=LANGS[(i // len(KINDS)) % 2]) + (KINDS[i % len(KINDS)],)
             for i in range(n)]
    total, hit, missed = Counter(), Counter(), []
    for prompt, (start, end), how, kind in cases:
        total[kind] += 1
        if any(f.kind == kind and f.start < end and start < f.end for f in detect_pii(prompt)):
            hit[kind] += 1
        else:
            missed.append((kind, how, prompt[max(0, start - 20) : end + 10]))
    print(f"1. recall on {n} glued/encoded identifiers (seed {seed}, {n // 2} en + {n - n // 2} uk)")
    for kind in KINDS:
        goal = "goal 100%" if kind in CHECKSUM_KINDS else ""
        print(f"   {kind:<10}{hit[kind]:>6}/{total[kind]:<6}{100 * hit[kind] / total[kind]:>8.2f}%  {goal}")
    print(f"   {'all':<10}{sum(hit.values()):>6}/{n:<6}{100 * sum(hit.values()) / n:>8.2f}%  goal >= 99%")
    for kind, how, text in missed[:5]:
        print(f"   missed {kind} ({how}): {text!r}")
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: it records every request it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        targets = Counter(router.complete(prompt).target for prompt, *_ in cases)
        leaks = len(cloud.requests)
    print(f"2. end to end through Router.complete: {dict(targets)}; requests the stand-in cloud recorded: "
          f"{leaks} (goal 0)")


def false_alarms(n: int, seed: int) -> None:
    rng = random.Random(seed + 1)
    prompts = [harmless_prompt(rng, LANGS[i % 2]) for i in range(n)]
    flagged = [(p, [f.kind for f in detect_pii(p)]) for p in prompts]
    flagged = [(p, kinds) for p, kinds in flagged if kinds]
    print(f"3. false alarms on {n} harmless numbers: {len(flagged)} = {100 * len(flagged) / n:.2f}% (goal < 1%)")
    for p, kinds in flagged[:5]:
        print(f"   {kinds}: {p!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2000)
    parser.add_argument("--n", type=int, default=2000, help="identifiers and harmless numbers to generate")
    parser.add_argument("--seed", type=int, default=29)
    args = parser.parse_args()
    recall_and_leaks(args.n, args.seed)
    false_alarms(args.n, args.seed)
    print("4. time to decide")
    # a dead local port and a stand-in key: route() must not contact either
    router = Router(f"127.0.0.1:{free_port()}", CloudLLM(base_url="http://127.0.0.1:9/v1", _api_key="unused"))
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"Python {platform.python_version()} on {platform.machine()}, {os.cpu_count()} CPUs, load average {load} "
          f"(1/5/15 min), {args.repeat} calls each (ms per call)")
    print(f"{'prompt (2 KB)':<34}{'findings':>9}{'detect_pii median':>19}{'p95':>8}{'route median':>14}{'p95':>8}"
          f"{'x ticket':>10}")
    rows = [("support ticket, few PII", TICKET), ("ticket full of numbers", NUMERIC), ("prose, no digits", PROSE),
            ("worst case, PII-dense", DENSE), ("one-digit labels 1 0 1 ...", DIGITS)]
    prompts = [two_kb(text) for _, text in rows]
    detect = timed_together([detect_pii] * len(prompts), prompts, args.repeat)
    route = timed_together([router.route] * len(prompts), prompts, args.repeat)
    ticket, prose = route[0][0], route[2][0]  # each row's route median relative to the ticket's (a ratio: any machine)
    for (name, _), prompt, (d_med, d_p95), (r_med, r_p95) in zip(rows, prompts, detect, route):
        print(f"{name:<34}{len(detect_pii(prompt)):>9}{d_med:>19.3f}{d_p95:>8.3f}{r_med:>14.3f}{r_p95:>8.3f}"
              f"{r_med / ticket:>9.1f}x")
    print("route = detect_pii + complexity heuristic + policy; target: median < 1 ms (a shared machine reads high)")
    load = " ".join(f"{x:.1f}" for x in os.getloadavg()) if hasattr(os, "getloadavg") else "n/a"
    print(f"support ticket route median = {ticket / prose:.2f}x the plain-prose route's in the same run (a ratio that "
          f"holds on a loaded machine); load average now {load}")


if __name__ == "__main__":
    main()
