"""Issue 11, attack round 8 (/work/attacks/issue11-r8), the normaliser's part: separators it did not know, an emoji for
"@", a stress mark inside a word, the Cyrillic "УА" of an IBAN, five layers of encoding (lesson 3,
``labs.router.normalize``).

A1: "карта 5168💳5124💳2071💳3761", "тел 067—123—45—67", "+380🔹67🔹123🔹45🔹67" and "IBAN UA75—3223—…" reached the
stand-in cloud, label and all: the view kept the em dash, the emoji, the ellipsis and the ideographic comma, and no
numeric pattern reads them between digit groups. A8: "olena.koval85🐶gmail.com", "У Олени ді́абет", "IBAN УА77…" and
five layers of URL or base64 encoding. Each class is tested as a class; the inputs that failed before are kept as
examples. All identifiers are synthetic (checksums from ``labs.router.validators``). The end-to-end check routes
through ``Router`` with the stand-in cloud (a fake for a paid API, said loudly) and the local model down: whatever the
detector misses goes to the cloud. Speed is a ratio measured in the same test (any machine).
"""

from __future__ import annotations

import base64
import random
import urllib.parse

import pytest
from pii_attack_helpers import best_cpu_seconds

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii, redact
from labs.router.normalize import normalize
from labs.router.validators import iban_ok, luhn_digit, make_iban

CARD = "5168 5124 2071 3761"
IBAN = "UA75 3223 1393 4450 8750 4950 4999 2"
PHONE = "067 123 45 67"
assert iban_ok(IBAN) and luhn_digit(CARD.replace(" ", "")[:-1]) == CARD[-1]

# Separators between digit groups, as autocorrect and messengers write them (each failed before, label and all).
SEPARATORS = {
    "em dash": "—", "spaced em dash": " — ", "horizontal bar": "\u2015", "small em dash": "\ufe58",
    "two-em dash": "\u2e3a", "heavy minus": "➖", "ellipsis": "…", "ideographic comma": "、", "degree sign": "°",
    "credit card emoji": "💳", "spaced card emoji": " 💳 ", "diamond": "🔹", "heart with VS16": "❤️",
    "spaced heart": " ❤️ ", "star": "⭐", "two hearts": "💙💛", "flag": "🇺🇦", "spaced flag": " 🇺🇦 ",
    "square with VS16": "▪️", "sparkles": "✨", "ZWJ sequence": "👩\u200d💻", "skin tone": "👍🏽",
    "arrow": "→", "typographic apostrophe": "’",
}


def _join(groups: list[str], sep: str) -> str:
    return sep.join(groups)


def _found(prompt: str, kind: str, secret: str) -> bool:
    """Is a finding of ``kind`` covering ``secret`` (its original characters) reported for ``prompt``?"""
    at = prompt.index(secret)
    return any(f.kind == kind and f.start <= at and at + len(secret) <= f.end for f in detect_pii(prompt))


@pytest.mark.parametrize("sep", SEPARATORS.values(), ids=SEPARATORS.keys())
def test_a_card_an_iban_and_a_phone_with_an_odd_separator_are_found(sep):
    card, iban, phone = _join(CARD.split(), sep), _join(IBAN.split(), sep), _join(PHONE.split(), sep)
    assert _found(f"карта {card}", "card", card), card
    assert _found(f"IBAN {iban}", "iban", iban), iban
    assert _found(f"тел {phone}", "phone", phone), phone


@pytest.mark.parametrize("prompt,kind,secret", [
    ("карта 5168💳5124💳2071💳3761", "card", "5168💳5124💳2071💳3761"),
    ("5168💳5124💳2071💳3761", "card", "5168💳5124💳2071💳3761"),
    ("тел 067—123—45—67", "phone", "067—123—45—67"),
    ("+380🔹67🔹123🔹45🔹67", "phone", "+380🔹67🔹123🔹45🔹67"),
    ("IBAN UA75—3223—1393—4450—8750—4950—4999—2", "iban", "UA75—3223—1393—4450—8750—4950—4999—2"),
    ("IBAN UA💙75💙3223💙1393💙4450💙8750💙4950💙4999💙2", "iban", "UA💙75💙3223💙1393💙4450💙8750💙4950💙4999💙2"),
    ("карта 5️⃣1️⃣6️⃣8️⃣💳5️⃣1️⃣2️⃣4️⃣💳2️⃣0️⃣7️⃣1️⃣💳3️⃣7️⃣6️⃣1️⃣", "card", "5️⃣1️⃣6️⃣8️⃣💳5️⃣1️⃣2️⃣4️⃣💳2️⃣0️⃣7️⃣1️⃣"),
    ("карта ５１６８—５１２４—２０７１—３７６１", "card", "５１６８—５１２４—２０７１—３７６１"),
    ("тел 067\u200b—123—45—67", "phone", "067\u200b—123—45—67"),
])
def test_the_attackers_examples_are_found_where_they_stand(prompt, kind, secret):
    assert _found(prompt, kind, secret), (prompt, detect_pii(prompt))


def test_random_valid_identifiers_with_every_separator_are_found():
    rng = random.Random(8)
    seps = list(SEPARATORS.values())
    for _ in range(60):
        body = rng.choice(["4149", "5168", "5375", "4441"]) + "".join(rng.choice("0123456789") for _ in range(11))
        card = body + luhn_digit(body)
        iban = make_iban("UA", "322313" + "".join(rng.choice("0123456789") for _ in range(19))).split()
        sep = rng.choice(seps)
        glued_card, glued_iban = sep.join(card[i : i + 4] for i in range(0, 16, 4)), sep.join(iban)
        assert _found(f"картка {glued_card}", "card", glued_card), glued_card
        assert _found(f"IBAN {glued_iban}", "iban", glued_iban), glued_iban
        phone = sep.join([f"0{rng.choice(['67', '50', '63', '93', '97', '66'])}", str(rng.randrange(100, 1000)),
                          f"{rng.randrange(100):02d}", f"{rng.randrange(100):02d}"])
        assert _found(f"тел {phone}", "phone", phone), phone


def test_the_mask_covers_the_separators_and_the_view_maps_back():
    prompt = "карта 5168 ❤️ 5124 ❤️ 2071 ❤️ 3761, дякую"
    assert redact(prompt) == "карта [CARD], дякую"
    view = normalize(prompt)
    assert view.text == "карта 5168 5124 2071 3761, дякую"
    start = view.text.index("5168")
    assert prompt[slice(*view.span(start, start + 19))] == "5168 ❤️ 5124 ❤️ 2071 ❤️ 3761"


@pytest.mark.parametrize("prompt", [
    "Роки 2020—2024 були важкими для ринку.", "У 2019 — 2024 роках ми зросли вдвічі.", "Сторінки 12—45, том 3",
    "Рахунок матчу 3—1, глядачів 45000", "Працюємо з 9:00—18:00, обід 13:00", "Температура 36°6, тиск 120/80",
    "Ціна 1200…1500 грн, знижка 10%", "Переглядів 🔥 120 000 🔥 за 2024 рік", "Версії 3.11—3.13 підтримано",
    "Model sizes 7B—70B, context 8k—128k tokens", "Рейтинг ⭐ 4.8 (1 234 відгуки), 2023—2024",
    "Тарас — придатний, 2024 рік", "Кімната 12→14, поверх 3", "1’000’000 користувачів у 2024",
])
def test_ranges_scores_and_emoji_around_harmless_numbers_stay_harmless(prompt):
    assert not detect_pii(prompt), (prompt, detect_pii(prompt))


def test_an_em_dash_between_words_stays_punctuation():
    assert normalize("ВЛК: Тарас — придатний").text == "ВЛК: Тарас — придатний"
    assert normalize("1967— Then").text == "1967— Then"  # a date, a dash, a sentence: no IBAN capital
    assert normalize("0️⃣6️⃣7️⃣1️⃣2️⃣3️⃣4️⃣5️⃣6️⃣7️⃣").text == "0671234567"  # keycaps are digits, not separators


# --- A8: an emoji for "@", a stress mark, the Cyrillic "УА", five layers of encoding ------------------------------
@pytest.mark.parametrize("prompt,secret", [
    ("olena.koval85🐶gmail.com", "olena.koval85🐶gmail.com"),
    ("пишіть: olena.koval85 📧 gmail.com", "olena.koval85 📧 gmail.com"),
    ("olena.koval85 🐶 gmail.com", "olena.koval85 🐶 gmail.com"),
    ("olena_koval✉️ukr.net", "olena_koval✉️ukr.net"),
])
def test_an_emoji_for_the_at_sign_makes_an_email(prompt, secret):
    assert _found(prompt, "email", secret), (prompt, detect_pii(prompt))


@pytest.mark.parametrize("prompt", ["Write 📧 gmail.com for help", "Мій улюблений 🐶 — corgi.dog", "🐶 gmail.com"])
def test_an_emoji_before_a_domain_after_a_word_is_no_email(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "email"], prompt


@pytest.mark.parametrize("prompt,word", [
    ("У Олени ді́абет", "ді́абет"), ("У Олени діа́бет", "діа́бет"), ("У нього діабѐт", "діабѐт"),
    ("She has diabe\u0301tes", "diabe\u0301tes"),
])
def test_a_stress_mark_inside_a_health_word_is_read_through(prompt, word):
    assert _found(prompt, "health", word), (prompt, detect_pii(prompt))


def test_a_stress_mark_goes_but_the_breve_and_diaeresis_stay():
    assert normalize("ді́абет").text == "діабет"
    assert normalize("и\u0306 і\u0308").text == "и\u0306 і\u0308"  # "й", "ї" written decomposed keep their marks


@pytest.mark.parametrize("code", ["УА", "ЮА", "УA"])
def test_the_cyrillic_country_code_of_an_iban_is_read_as_ua(code):
    iban = code + IBAN[2:]
    assert _found(f"IBAN {iban}", "iban", iban)
    assert _found(f"мій рахунок {iban.replace(' ', '')}", "iban", iban.replace(" ", ""))


def test_ua_in_a_word_or_before_a_count_is_no_iban_code():
    assert normalize("СУА 12 звітів, ЄУА 34").text == "СУА 12 звітів, ЄУА 34"


@pytest.mark.parametrize("layers", [5, 6])
def test_five_layers_of_url_or_base64_encoding_are_decoded(layers):
    secret = "тел 0671234567, olena.koval85@gmail.com"
    url, b64 = secret, secret
    for _ in range(layers):
        url, b64 = urllib.parse.quote(url), base64.b64encode(b64.encode()).decode()
    assert {"phone", "email"} <= {f.kind for f in detect_pii(f"url: {url}")}
    assert any(f.kind in ("email", "phone") for f in detect_pii(f"decode: {b64}"))


# --- time: the new pieces stay linear -------------------------------------------------------------------------------
ADVERSARIAL = {
    "emoji between digits": lambda n: "1💳" * (n // 3),
    "em dashes between digits": lambda n: "1—" * (n // 2),
    "em dashes in prose": lambda n: "так — ні " * (n // 9),
    "emoji runs": lambda n: "💙💛" * (n // 4) + "1",
    "@ emoji": lambda n: "a🐶b." * (n // 5),
    "stress marks": lambda n: "а\u0301" * (n // 2),
    "УА before digits": lambda n: "УА12 " * (n // 5),
    "apostrophes between digits": lambda n: "1’" * (n // 2),
}


@pytest.mark.parametrize("name", list(ADVERSARIAL))
def test_normalising_time_grows_linearly(name):
    """Four times the text takes about four times as long (quadratic would be 16x)."""
    make = ADVERSARIAL[name]
    n = 40_000
    t_large, t_small = best_cpu_seconds(detect_pii, [make(4 * n), make(n)])
    ratio = t_large / max(t_small, 1e-3)
    assert ratio < 10, f"{name}: 4x the text took {ratio:.1f}x the time"


# --- end to end -----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("prompt", [
    "карта 5168💳5124💳2071💳3761", "тел 067—123—45—67", "+380🔹67🔹123🔹45🔹67",
    "IBAN UA75—3223—1393—4450—8750—4950—4999—2", "olena.koval85🐶gmail.com", "У Олени ді́абет",
    "IBAN УА75 3223 1393 4450 8750 4950 4999 2",
])
def test_end_to_end_the_cloud_never_sees_them(prompt):
    complex_prompt = ("Поясни детально, крок за кроком, з прикладами і порівнянням архітектур трансформерів та RNN, "
                      "як спланувати розподілену чергу повідомлень з гарантіями доставки. " + prompt)
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        result = router.complete(complex_prompt)
        assert result.target != "cloud" and not cloud.requests, result.target
