"""Lesson 3, issue 11, second round: the outside attacker's findings, each class kept as tests.

Every input below reached the stand-in cloud before (or raised, or took quadratic time); each
stands for a class that :mod:`labs.router.normalize` and :mod:`labs.router.pii` now close, and the
generators in :mod:`labs.router.synthetic` draw from the same classes for the property tests and
the bench. The "cloud" is :class:`StandInCloud`, or for malformed replies a tiny labelled fake
OpenAI endpoint below: STAND-IN, NOT A CLOUD — a paid API cannot run in tests.
"""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from pii_attack_helpers import best_cpu_seconds

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii, heuristic, redact
from labs.router.cloud import read_reply

CARD = "4539 1488 0343 6467"  # Luhn-valid, synthetic
RN = "3124167891"  # checksum-valid РНОКПП, synthetic

# (class, text, kind that must be found)
LEAKS = [
    # L1 a neighbouring number must not hide a card
    ("neighbour", f"Скинь на карту, будь ласка: #1 {CARD}", "card"),
    ("neighbour", f"2024 {CARD}", "card"),
    ("neighbour", f"{CARD} 12 27", "card"),
    ("neighbour", "Olena 25 4539148803436467", "card"),
    ("neighbour", '{"note": "\\u043a\\u0430\\u0440\\u0442\\u043a\\u0430 4539 1488 0343 6467"}', "card"),
    # L2 any separator
    ("separators", "Мій телефон 067/123/45/67.", "phone"),
    ("separators", "card 4539_1488_0343_6467", "card"),
    ("separators", "UA21/3223/1300/0002/6007/2335/6600/1 failed", "iban"),
    ("separators", "card 4539·1488·0343·6467", "card"),
    ("separators", "my cell: 415/555-0132", "phone"),
    ("separators", "My SSN is 219 - 09 - 9999", "ssn"),
    ("separators", "тел. 067 123 45/67", "phone"),
    ("separators", "UA21.3223.1300.0002.6007.2335.6600.1", "iban"),
    # L3 layouts
    ("layout", "Мій номер 067 12 34 567, передзвоніть", "phone"),
    ("layout", "Мій номер (067) 12-34-567", "phone"),
    ("layout", "Мій номер 00380671234567", "phone"),
    ("layout", "Мій номер 38(067)1234567", "phone"),
    ("layout", "Call me at 415 555 0132 tomorrow", "phone"),
    ("layout", "Best,\nJohn\nCell 415 555 0132 | Acme", "phone"),
    ("layout", "Мій номер 07700 900123", "phone"),
    ("layout", "Мій номер 8 (916) 123-45-67", "phone"),
    ("layout", "card 45391488 03436467", "card"),
    ("layout", "тел. 0 6 7 1 2 3 4 5 6 7", "phone"),
    ("layout", "IBAN UA 21 3223 1300 0002 6007 2335 6600 1", "iban"),
    # L4 passports the official way
    ("passport", "паспорт серії МК № 123456 — як його замінити на ID-картку?", "passport"),
    ("passport", "паспорт мк 123456", "passport"),
    ("passport", "passport MK-123456", "passport"),
    ("passport", "паспорт МК 12 34 56", "passport"),
    ("passport", "passport series MK no. 123456", "passport"),
    ("passport", "закордонний паспорт fe123456", "passport"),
    ("passport", "айді-картка 001234567", "passport"),
    # L5 tax labels
    ("tax label", f"Код отримувача: {RN}. Перевір, будь ласка, реквізити.", "tax_id"),
    ("tax label", f"RNOKPP {RN}", "tax_id"),
    ("tax label", f'{{"rnokpp": "{RN}"}}', "tax_id"),
    ("tax label", f"name,rnokpp\nOlena,{RN}", "tax_id"),
    ("tax label", f"номер облікової картки платника податків: {RN}", "tax_id"),
    ("tax label", f"ІПНом {RN}", "tax_id"),
    ("tax label", f"IПН {RN}", "tax_id"),  # Latin I
    ("tax label", f"р.н.о.к.п.п. {RN}", "tax_id"),
    ("tax label", f"ІПН {'дуже довгий текст ' * 5}{RN}", "tax_id"),
    # L6 look-alike digits
    ("lookalike digits", "Поясни детально, чому не приходять SMS на тел. O67 123 45 67", "phone"),
    ("lookalike digits", "тел. 067 l23 45 67", "phone"),
    ("lookalike digits", "card 4539 1488 O343 6467", "card"),
    # L7 look-alike letters in keywords
    ("lookalike words", "У мене дiабет. Що їсти?", "health"),
    ("lookalike words", "дaтa нapoджeння 12.03.1985", "dob"),
    ("lookalike words", "раѕѕроrt 123456789", "passport"),
    ("lookalike words", f"tах ІD {RN}", "tax_id"),
    # L8 more Unicode digits
    ("unicode digits", "мій номер 0️⃣6️⃣7️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣", "phone"),
    ("unicode digits", "тел. ⁰⁶⁷¹²³⁴⁵⁶⁷", "phone"),
    ("unicode digits", "тел. ⓪⑥⑦①②③④⑤⑥⑦", "phone"),
    ("unicode digits", "тел. ⓿➏➐➊➋➌➍➎➏➐", "phone"),
    # L9 invisible characters
    ("invisible", "тел. 067\ufe0f1234567", "phone"),
    ("invisible", "тел. 067\u20661234567", "phone"),
    ("invisible", "тел. 067\U000e00201234567", "phone"),
    ("invisible", "тел. 067\u31641234567", "phone"),
    ("invisible", "тел. 067\u28001234567", "phone"),
    ("invisible", "тел. 0\u03016\u03017\u03011234567", "phone"),
    ("invisible", "тел. 067\x001234567", "phone"),
    # L10 line breaks
    ("line break", "тел. 0671\n234567", "phone"),
    ("line break", "ІПН 31241\n67891", "tax_id"),
    ("line break", "+380 67\n> 123 45 67", "phone"),
    ("line break", "4539 1488\n- 0343 6467", "card"),
    ("line break", "тел. +380 67<br>123 45 67", "phone"),
    ("line break", "+380 67%0D%0A123 45 67", "phone"),
    ("line break", '{"log": "card: 4539 1488\\n0343 6467"}', "card"),
    ("line break", "olena.koval@\nexample.com", "email"),
    # L11 encodings
    ("encoded", 'Debug: {"phone": "\\u002b\\u0033\\u0038\\u0030\\u0036\\u0037\\u0031\\u0032\\u0033\\u0034\\u0035'
                '\\u0036\\u0037"}', "phone"),
    ("encoded", '{"email":"olena.koval\\u0040example.com"}', "email"),
    ("encoded", '{"note": "\\u0406\\u041f\\u041d 3124167891"}', "tax_id"),
    ("encoded", '{"note": "\\u043f\\u0430\\u0441\\u043f\\u043e\\u0440\\u0442 \\u041c\\u041a 123456"}', "passport"),
    ("encoded", "Decode and explain step by step: 0YLQtdC7LiArMzgwNjcxMjM0NTY3", "phone"),
    ("encoded", "Decode: " + base64.urlsafe_b64encode(CARD.encode()).decode().rstrip("="), "card"),
    ("encoded", "%252B380%252067%2520123%252045%252067", "phone"),
    ("encoded", "q=%2B380+67+123+45+67", "phone"),
    ("encoded", "q=%D0%BA%D0%B0%D1%80%D1%82%D0%BA%D0%B0+4539+1488+0343+6467", "card"),
    ("encoded", "&amp;#48;&amp;#54;&amp;#55;&amp;#49;&amp;#50;&amp;#51;&amp;#52;&amp;#53;&amp;#54;&amp;#55;", "phone"),
    ("encoded", "<span>0</span><span>6</span><span>7</span>1234567", "phone"),
    ("encoded", "067-12</b><b>3-45-67", "phone"),
    ("encoded", "=D0=86=D0=9F=D0=9D 3124167891", "tax_id"),
    ("encoded", "тел. 067\\-123\\-45\\-67", "phone"),
    ("encoded", "тел. 067-12**3-45-67", "phone"),
    ("encoded", "тел. " + "0671234567".encode().hex(), "phone"),
    # L12 e-mail
    ("email", "Пиши на олена@приклад.укр", "email"),
    ("email", "Explain step by step why mail to olena.koval @ example.com bounces", "email"),
    ("email", "olena.koval @ example . com", "email"),
    ("email", "olena.koval [at] gmail [dot] com", "email"),
    ("email", "olena.koval at example dot com", "email"),
    ("email", "olena.koval(at)example.com", "email"),
    ("email", "olena.koval(собака)ukr.net", "email"),
    ("email", "**olena.koval**@example.com", "email"),
    ("email", "olena.koval<b>@</b>example.com", "email"),
    ("email", '"olena koval"@example.com', "email"),
    ("email", "olena@[192.168.0.1]", "email"),
    ("email", '<a href="mailto:olena@example.com">пишіть</a>', "email"),
    # L13 health
    ("health", "Я хвора на депресію, порадь, як сказати начальнику.", "health"),
    ("health", "Я хворий на епілепсію.", "health"),
    ("health", "Я одужала після інсульту.", "health"),
    ("health", "Я живу з ВІЛ вже 5 років.", "health"),
    ("health", "У мене алкоголізм.", "health"),
    ("health", "Я діабетик.", "health"),
    ("health", "Я на інсуліні.", "health"),
    ("health", "Колю інсулін двічі на день.", "health"),
    ("health", "Донька має ДЦП.", "health"),
    ("health", "Маю гіпертонію.", "health"),
    ("health", "Здала аналіз на ВІЛ, результат позитивний.", "health"),
    ("health", "Лікар сказав що в мене панкреатит.", "health"),
    ("health", "I tested positive for HIV.", "health"),
    ("health", "I'm in recovery from alcohol addiction.", "health"),
    ("health", "I struggle with anorexia.", "health"),
    ("health", "I live with multiple sclerosis.", "health"),
    ("health", "Pt is a 45yo F with hx of HTN and DM2.", "health"),
    ("health", "У меня диабет.", "health"),
    ("health", "Я принимаю метформин.", "health"),
    # L14 date of birth
    ("dob", "народжена 12.03.1985 — скільки мені буде у 2030?", "dob"),
    ("dob", "дата нар. 12.03.1985", "dob"),
    ("dob", "д/н 12.03.1985", "dob"),
    ("dob", "ДН 12.03.1985", "dob"),
    ("dob", "1985 р.н.", "dob"),
    ("dob", "я з 1985 року народження", "dob"),
    ("dob", "b. 12.03.1985", "dob"),
    ("dob", "born 12-Mar-1985", "dob"),
    ("dob", "born 12th March 1985", "dob"),
    ("dob", "born on the 12th of March, 1985", "dob"),
    ("dob", '{"date_of_birth":"1985-03-12"}', "dob"),
    # L15 postal addresses
    ("address", "Адреса: м. Київ, вул. Хрещатик, 22, кв. 5 — як доїхати з вокзалу?", "address"),
    ("address", "Адреса доставки: 01001, м. Київ, вул. Хрещатик, буд. 22, кв. 5", "address"),
    ("address", "Ship to: 221B Baker Street, London NW1 6XE", "address"),
    ("address", "My address is 1600 Amphitheatre Pkwy, Mountain View, CA 94043", "address"),
    # L16 a labelled card with a typo, reversed text
    ("card typo", "картка 4149 4393 1234 5678", "card"),
    ("rtl", "тел. \u202e7654321760\u202c", "phone"),
]


@pytest.mark.parametrize("cls,text,kind", LEAKS, ids=[f"{c}-{i}" for i, (c, _, _) in enumerate(LEAKS)])
def test_each_leak_class_is_found_on_the_original_text(cls, text, kind):
    found = detect_pii(text)
    assert kind in {f.kind for f in found}, (cls, text, [(f.kind, f.text) for f in found])
    for f in found:
        assert text[f.start : f.end] == f.text  # offsets point at what the user wrote


def test_the_official_passport_form_is_masked_whole():
    """F6: "номер" no longer yields the passport "ер 123456"; the series is masked with the number."""
    assert redact("паспорт серії МК номер 123456") == "паспорт серії [PASSPORT]"
    assert redact("паспорт серії МК № 123456 — як") == "паспорт серії [PASSPORT] — як"


E2E = [
    "Проаналізуй крок за кроком, чому не проходить оплата. Мій телефон 067/123/45/67.",
    "Analyse step by step why my payment failed: card 4539_1488_0343_6467",
    "Explain step by step why the tax office rejects my RNOKPP 3124167891",
    "Поясни детально, як замінити паспорт серії МК № 123456, бо він пошкоджений.",
    "Explain step by step why mail to olena.koval @ example.com bounces",
    "Decode and explain step by step: " + base64.b64encode("тел. +380671234567".encode()).decode(),
    "Я хвора на депресію. Проаналізуй детально, як сказати начальнику.",
    "Поясни детально, як доїхати: м. Київ, вул. Хрещатик, 22, кв. 5",
    'Analyse this log step by step: "card: 4539 1488\\n0343 6467"',
]


def test_the_attackers_end_to_end_leaks_never_reach_the_stand_in_cloud():
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: it records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        for prompt in E2E:
            router.mark("local", True)
            done = router.complete(prompt)  # the local side is a dead port: refuse, never the cloud
            assert done.target == "refuse" and done.decision.personal, (prompt, done.decision.explain())
        assert cloud.requests == []


# --- false alarms: harmless text stays harmless ------------------------------------------------------
FALSE_ALARMS = [
    "Restore backup-20161213194604.tar.gz first.",  # a Luhn-valid 14-digit timestamp
    "штрихкод 4826702762034",  # EAN-13
    "assert fib(84) == 3488767935311145019",
    "id: 5870955588559352",
    "discord message id 5364592938903697431",
    "took 4989900814062 ns",
    "commit 52f2a178055d5fcc1a34050fc0068485721d9937",
    "638c4774-ffd9-2af9-e051-8725407a9368",
    'digits = "0123456789"',
    "PID 0671234567",
    "Release 067.123.45.67",
    "Server 219.87.136.82:14922 returned 503.",
    "86636 | 79588 | 48234 | 68151 | 22804",
    "Zoom meeting ID 866 1142 4074, passcode 118801",
    "From 1996 to 2010 revenue grew from 9 703 023 to 8 313 678 563.",
    "ISBN 978-0-963-15479-9",
    "5b 04 6f 41 d9 63 a5 f4 42 65 e5 5c 55 54 77 96 99 f3",
    "Hotline 0 800 300 545",
    "IBAN-shaped but wrong: DE89 3704 0044 0532 0130 01.",
    "The log line at 1772242438 shows latency 579 ms.",
    "Мені треба діагностувати проблему з мережею.",
    "The diabetes dataset from sklearn has 442 patients",
    "SELECT diagnosis FROM patients WHERE id = 5",
    "class Patient: diagnosis: str",
    "The patient object in our API has a diagnosis field.",
    "I'm allergic to meetings.",
    "У мене алергія на Java.",
    "I have a bug with asthma-app",
    "I'm writing about HIV stigma",
    "Діабет — тема моєї дипломної роботи, потрібен план.",
    "The patient process is pregnant with zombies",
    "Ідея народилася 12.03.2024 на хакатоні.",
    "The framework was born 12.03.2010 at Google",
    "Як народився Linux 25.08.1991?",
    "The company was born in 2010.",
    "SSN format is AAA-GG-SSSS, e.g. 123-45-6789",
    "Example: 078-05-1120 is the famous Woolworth SSN",
    "Оформлення паспорта: замовлення номер 123456",
    "Кв. 2, поверх 17, площа 50 м², ціна 8 531 662 грн",
    "ping @john. The build is green.",
]


@pytest.mark.parametrize("text", FALSE_ALARMS)
def test_harmless_text_of_the_attackers_false_alarm_classes_is_not_personal(text):
    assert detect_pii(text) == [], [(f.kind, f.text) for f in detect_pii(text)]


# --- time: every scan linear -------------------------------------------------------------------------
ADVERSARIAL = {
    "blank lines": lambda n: "\n" * n,
    "blank lines with spaces": lambda n: "\n \n" * (n // 3),
    "dots before @": lambda n: "a." * (n // 2) + "@",
    "dots after @": lambda n: "a@" + "b." * (n // 2),
    "java package": lambda n: "com.example.pkg." * (n // 16) + "@Override",
    "phones": lambda n: "+380 67 123 45 67 " * (n // 18),
    "health": lambda n: "У мене діабет. " * (n // 15),
    "one-digit groups": lambda n: "1 " * (n // 2),
    "spaces": lambda n: " " * n + "x",
    "escapes": lambda n: "\\\\" * (n // 2) + "u0030",
    "percent": lambda n: "%25" * (n // 3),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_routing_time_grows_linearly(name):
    """Four times the text takes about four times as long (quadratic would be 16x); the ratio is
    measured in this test, so a slow or busy machine does not matter."""
    make = ADVERSARIAL[name]

    def route(text: str) -> None:
        detect_pii(text)
        heuristic(text)

    # large enough that timer noise and cache effects do not count (a slow case is slow per character)
    n = 60_000
    small, large = make(n), make(4 * n)
    # a floor of 1 ms: below it one scheduler pause on a loaded machine is the whole measurement (a flake at load 10)
    t_large, t_small = best_cpu_seconds(route, [large, small])
    ratio = t_large / max(t_small, 1e-3)
    assert ratio < 10, f"{name}: 4x the text took {ratio:.1f}x the time"


# --- cost and replies after a paid call ---------------------------------------------------------------
def test_cached_tokens_without_a_cached_price_bill_at_the_input_price():
    """R1: gpt-4o has no cached-input price in the data: the cached tokens cost the full input price."""
    gpt4o = CloudLLM(model="gpt-4o", _api_key="unused")
    assert gpt4o.cost(2006, 300, cached_tokens=1920) == pytest.approx(gpt4o.cost(2006, 300))
    assert CloudLLM(_api_key="unused").cost(2006, 300, cached_tokens=1920) < CloudLLM(_api_key="unused").cost(2006, 300)


@pytest.mark.parametrize("usage", [
    {"prompt_tokens": 100, "completion_tokens": 10, "prompt_tokens_details": {"cached_tokens": 500}},
    {"prompt_tokens": -100, "completion_tokens": -10},
    {"prompt_tokens": "100", "completion_tokens": "10"},
    {"prompt_tokens": 100.7, "completion_tokens": 10.2},
    {"prompt_tokens": 10**30, "completion_tokens": 10**30},
    {"prompt_tokens": float("nan"), "completion_tokens": 1},
    {"prompt_tokens": True, "completion_tokens": True},
    None, [1, 2],
])
def test_an_unreadable_usage_keeps_the_answer(usage):
    reply = read_reply({"choices": [{"message": {"content": "ok"}}], "usage": usage}, "gpt-4o-mini")
    assert reply.text == "ok" and reply.prompt_tokens == reply.completion_tokens == 0 and reply.warning


@pytest.mark.parametrize("body", [{"usage": {}}, {"choices": []}, [1, 2, 3], "hello"])
def test_a_reply_without_an_answer_is_a_clear_error(body):
    from labs.router import CloudUnavailable

    with pytest.raises(CloudUnavailable, match="no answer|no chat"):
        read_reply(body, "gpt-4o-mini")


class _FakeOpenAI(BaseHTTPRequestHandler):
    """STAND-IN, NOT A CLOUD: answers /chat/completions with ``body`` (a paid API cannot run in tests)."""

    body: bytes = b"{}"

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)


def _serve(handler: type[BaseHTTPRequestHandler]) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def test_a_paid_answer_with_cached_tokens_is_returned_not_raised():
    """R1 end to end: gpt-4o reports cached tokens; complete() returns the answer and its cost."""
    handler = type("Cached", (_FakeOpenAI,), {"body": json.dumps({
        "model": "gpt-4o", "choices": [{"index": 0, "message": {"role": "assistant", "content": "answer"}}],
        "usage": {"prompt_tokens": 2006, "completion_tokens": 300, "prompt_tokens_details": {"cached_tokens": 1920}},
    }).encode()})
    server = _serve(handler)
    try:
        cloud = CloudLLM(base_url=f"http://127.0.0.1:{server.server_port}/v1", model="gpt-4o", _api_key="stand-in",
                         max_retries=0)
        router = Router(f"127.0.0.1:{free_port()}", cloud, local_retries=0)
        done = router.complete("Design a caching layer for a REST API and compare write-through with write-back "
                               "step by step.")
        assert (done.target, done.text, done.prompt_tokens) == ("cloud", "answer", 2006)
        assert done.cost_usd == pytest.approx(cloud.cost(2006, 300))
    finally:
        server.shutdown()


class _BrokenLocal(BaseHTTPRequestHandler):
    """A local server that answers /api/chat with a body that is no JSON."""

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:
        body = json.dumps({"models": [{"name": "smollm2:135m", "model": "smollm2:135m"}]}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "15")
        self.end_headers()
        self.wfile.write(b"not json at all")


def test_a_malformed_local_reply_refuses_personal_data_with_a_clear_error():
    """R2 local side: a 200 with a non-JSON body is MalformedReply, and personal data still stays put."""
    server = _serve(_BrokenLocal)
    try:
        with StandInCloud() as cloud:
            router = Router(f"127.0.0.1:{server.server_port}", CloudLLM.stand_in(cloud, max_retries=0),
                            local_retries=0, local_timeout=5)
            done = router.complete(f"Analyse step by step why the refund to card {CARD} failed.")
            assert done.target == "refuse" and done.error == "MalformedReply" and cloud.requests == []
    finally:
        server.shutdown()
