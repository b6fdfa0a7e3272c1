"""Public checks for lesson 3's exercises (the hybrid router that never leaks personal data).

Both checks also use prompts built here, with fresh synthetic numbers, so an answer must work on
data it has not seen, not only on the shipped labelled set.
"""

from __future__ import annotations

import datetime as dt
import random

from labs.checks.calls import short
from labs.exercises import answer, exercise
from labs.i18n import t
from labs.router import Finding
from labs.router.evaluate import CostModel, load_prompts, router_policy, score_policy
from labs.router.validators import luhn_digit, make_iban, make_rnokpp

MIN_COMPLEX_TO_CLOUD = 0.8  # share of non-personal complex prompts a policy must send to the cloud


def fresh_rows(seed: int = 3) -> list[dict]:
    """Labelled prompts the learner has not seen: new synthetic numbers in familiar and new wording."""
    r = random.Random(seed)
    digits = lambda n: "".join(r.choice("0123456789") for _ in range(n))  # noqa: E731
    card = "5" + str(r.randint(1, 5)) + digits(13)
    card += luhn_digit(card)
    iban = make_iban("UA", digits(25))
    tax = make_rnokpp(dt.date(1970, 1, 1) + dt.timedelta(days=r.randrange(12000)), r.randrange(10000))
    phone = f"+380 {r.choice(['50', '67', '93'])} {digits(3)} {digits(2)} {digits(2)}"
    personal_complex = [
        f"Analyse step by step why the transfer to {iban} bounced and draft a detailed complaint.",
        f"Compare the two payment plans for the holder of card {' '.join(card[i:i + 4] for i in range(0, 16, 4))} "
        "and recommend one, explaining the trade-offs.",
        f"Поясни детально, як ФОП з РНОКПП {tax} має розрахувати єдиний податок за рік, крок за кроком.",
        f"Design a step-by-step callback plan for the customer at {phone} who reported a fraud attempt.",
        "My sister was diagnosed with epilepsy; compare the treatment options in detail and plan her week.",
    ]
    plain_complex = [
        "Design a rate limiter for a public API and compare token bucket with sliding window, step by step.",
        "Порівняй PostgreSQL і MongoDB для аналітики подій і обґрунтуй вибір.",
        "Write a Python function that merges overlapping intervals and analyse its complexity.",
    ]
    plain_simple = ["What is 2 + 2?", "Переклади слово «router» українською."]
    rows = [{"text": t, "sensitive": True, "complexity": "complex", "expected_route": "local"} for t in personal_complex]
    rows += [{"text": t, "sensitive": False, "complexity": "complex", "expected_route": "cloud"} for t in plain_complex]
    rows += [{"text": t, "sensitive": False, "complexity": "simple", "expected_route": "local"} for t in plain_simple]
    for i, row in enumerate(rows):
        row.update(id=f"fresh-{i + 1}", lang="uk" if any("а" <= ch <= "я" for ch in row["text"]) else "en",
                   category="fresh", pii=[])
    return rows


ROUTES = ("local", "cloud", "refuse")


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cost_per_1000(policy, rows, model: CostModel) -> float:
    score = score_policy(policy, rows)
    return 1000 * sum(model.cost(row, r["routed"]) for row, r in zip(rows, score.per_row)) / len(rows)


@exercise("lesson3.policy", points=2,
          hint=lambda: t("checks.lesson3.policy.hint"))
def check_policy(ns: dict) -> str:
    policy = answer(ns, "my_policy")
    assert callable(policy), t("checks.lesson3.policy.not_callable")
    rows = load_prompts() + fresh_rows()
    routed: dict[str, str] = {}
    for row in rows:  # each prompt once, so a raise or an unknown route is named as a wrong answer, with its prompt
        try:
            target = policy(row["text"])
        except Exception as exc:  # the learner's function raised: which prompt, and what it raised
            raise AssertionError(t("checks.lesson3.policy.raised", id=row["id"], text=_short(row["text"]),
                                   error=f"{type(exc).__name__}: {exc}")) from exc
        assert target in ROUTES, t("checks.lesson3.policy.bad_route", got=_short(repr(target)), id=row["id"],
                                   text=_short(row["text"]))
        routed[row["text"]] = target
    score = score_policy(routed.__getitem__, rows)
    leaked = [r["id"] for r in score.per_row if r["leak"]]
    assert not leaked, t("checks.lesson3.policy.leaks", count=len(leaked), ids=leaked[:6],
                         more=" …" if len(leaked) > 6 else "")
    complex_plain = [r for r in score.per_row if not r["sensitive"] and r["complexity"] == "complex"]
    to_cloud = sum(r["routed"] == "cloud" for r in complex_plain) / len(complex_plain)
    assert to_cloud >= MIN_COMPLEX_TO_CLOUD, t("checks.lesson3.policy.timid", share=to_cloud, needed=MIN_COMPLEX_TO_CLOUD)
    model = CostModel.from_price()
    mine, ours = _cost_per_1000(policy, rows, model), _cost_per_1000(router_policy, rows, model)
    verdict = (t("checks.lesson3.policy.cheaper") if mine < ours - 1e-12 else
               t("checks.lesson3.policy.as_cheap") if abs(mine - ours) <= 1e-12 else t("checks.lesson3.policy.dearer"))
    return t("checks.lesson3.policy.passed", rows=len(rows), share=to_cloud, accuracy=score.accuracy, mine=mine,
             verdict=verdict, ours=ours, price=model.price_label)


IP_POSITIVES = [
    ("Failed logins from 203.0.113.45 overnight", ["203.0.113.45"]),
    ("Client 10.0.0.7 and gateway 192.168.1.254 lost the lease", ["10.0.0.7", "192.168.1.254"]),
    ("Адреса 172.16.254.1 заблокована фаєрволом.", ["172.16.254.1"]),
]
IP_NEGATIVES = [
    "Upgrade Python from 3.11.7 to 3.12.1",
    "Windows build 10.0.19045.3803 is installed",
    "999.10.10.10 is not an address",
    "pi is roughly 3.14159",
    "The price rose 1.2.3 percent, says the typo",
    "Версія 2.4.1, збірка 4521",
]


@exercise("lesson3.detector", points=2,
          hint=lambda: t("checks.lesson3.detector.hint"))
def check_detector(ns: dict) -> str:
    find_ip = answer(ns, "find_ip")
    assert callable(find_ip), t("checks.lesson3.detector.not_callable")

    def findings(text: str) -> list:
        try:
            found = find_ip(text)
        except Exception as exc:  # the learner's function raised: on which text, and what
            raise AssertionError(t("checks.lesson3.detector.raised", text=text,
                                   error=f"{type(exc).__name__}: {exc}")) from exc
        assert found is not None, t("checks.lesson3.detector.returned_none")
        # one Finding, a string, a dict, a number: the container itself is wrong, say what was returned
        assert not isinstance(found, Finding), t("checks.lesson3.detector.one_finding", text=text, value=short(found))
        iterable = hasattr(found, "__iter__") and not isinstance(found, (str, bytes, dict))
        assert iterable, t("checks.lesson3.detector.not_a_list", text=text, type=type(found).__name__,
                           value=short(found))
        found = list(found)
        for f in found:  # a tuple ("ip", start, end, text) is the first slip: say what to build instead
            assert isinstance(f, Finding), t("checks.lesson3.detector.not_finding", type=type(f).__name__,
                                             value=short(f))
        other = sorted({f.kind for f in found if f.kind != "ip"})
        assert not other, t("checks.lesson3.detector.wrong_kind", text=text, kinds=", ".join(map(repr, other)),
                            found=short([f.text for f in found]))
        return found

    for text, expected in IP_POSITIVES:
        found = findings(text)
        got = [f.text for f in found if f.kind == "ip"]
        assert got == expected, t("checks.lesson3.detector.missed", text=text, got=got, expected=expected)
        for f in found:
            assert text[f.start : f.end] == f.text, t("checks.lesson3.detector.span", finding=f)
    for text in IP_NEGATIVES:
        got = [f.text for f in findings(text)]
        assert not got, t("checks.lesson3.detector.false_positive", text=text, got=got)

    from labs.host import free_port
    from labs.router import CloudLLM, Router

    cloud = CloudLLM(base_url="http://127.0.0.1:9/v1", label="check", _api_key="never-called")
    prompt = "Analyse step by step why 203.0.113.45 keeps hitting our firewall and design a blocking rule."
    plain = Router(f"127.0.0.1:{free_port()}", cloud).route(prompt)
    guarded = Router(f"127.0.0.1:{free_port()}", cloud, detectors=[find_ip]).route(prompt)
    assert plain.target == "cloud", t("checks.lesson3.detector.unexpected_route")
    assert guarded.target == "local" and guarded.pii_kinds.get("ip") == 1, \
        t("checks.lesson3.detector.not_local", target=guarded.target)
    return t("checks.lesson3.detector.passed")
