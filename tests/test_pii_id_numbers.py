"""Issue 11 r7 A8: identity numbers behind a label that says whose they are (lesson 3, ``labs.router.id_numbers``).

"my Polish ID number 44051401458" and "TIN (Germany) 65929970489" reached the stand-in cloud: PESEL and Steuer-ID were
found only after their own labels, and other countries' numbers (NIP, CNP, IDNP, NI number, Personalausweis) not at
all. A thing's number ("my order number …", "мій номер замовлення …") stays a number. All identifiers are synthetic.
The end-to-end check routes through ``Router`` with the stand-in cloud (a fake for a paid API, said loudly) and the
local model down: whatever is not found goes to the cloud.
"""

from __future__ import annotations

import pytest

from labs.host import free_port
from labs.router import CloudLLM, Router, StandInCloud, detect_pii
from labs.router.policy import describe_kinds

FOUND = {  # prompt: the identifier the detector must report
    "my Polish ID number 44051401458": "44051401458",
    "my ID number 44051401458": "44051401458",
    "мій німецький податковий номер 65929970489": "65929970489",
    "TIN (Germany) 65929970489": "65929970489",
    "My national ID is 44051401458": "44051401458",
    "мій ідентифікаційний номер 44051401458": "44051401458",
    "my student ID 20231234": "20231234",
    "номер мого посвідчення 12345678": "12345678",
    "NIP 1234563218": "1234563218",
    "CNP 1800101221144": "1800101221144",
    "IDNP 2001234567890": "2001234567890",
    "мій номер 44051401458": "44051401458",
    "Personalausweis Nr. L01X00T47": "L01X00T47",
    "Reisepass C01X00T47": "C01X00T47",
    "NI number QQ 12 34 56 C": "QQ 12 34 56 C",
    "dowód osobisty ABA300000": "ABA300000",
    "his tax code: 1234567890": "1234567890",
    "номер поліса 12345-678": "12345-678",
    "Her student number, 2023-01-1234, is on the list": "2023-01-1234",
    "my customer number 4405140": "4405140",
}

NOT_FOUND = [  # a thing's number, or a count: no personal data
    "model has 44051401458 parameters",
    "order number 44051401458",
    "my order number 44051401458",
    "The job ID 44051401458 finished",
    "my job ID is 44051401458",
    "мій номер замовлення 123456789",
    "my lucky number is 1234567",
    "my flight number 123456",
    "We ran 12 jobs; my number: 3 of 4 passed in 123456 ms",
    "My ID is the same as before",
    "my code: 404 error 123456",
    "his number 1 single sold 2000000 copies",
]


@pytest.mark.parametrize("prompt,identifier", FOUND.items())
def test_an_identity_number_behind_its_label_is_found(prompt, identifier):
    found = [f.text for f in detect_pii(prompt)]
    assert identifier in found, (prompt, found)


@pytest.mark.parametrize("prompt", NOT_FOUND)
def test_a_things_number_is_not_an_identity_number(prompt):
    assert not [f for f in detect_pii(prompt) if f.kind == "id_number"], prompt


def test_the_reason_names_the_kind_in_both_languages(monkeypatch):
    kinds = {f.kind: 1 for f in detect_pii("NIP 1234563218")}
    monkeypatch.setenv("LAB_LANG", "en")
    assert describe_kinds(kinds) == "1 ID number"
    monkeypatch.setenv("LAB_LANG", "uk")
    assert describe_kinds(kinds) == "ідентифікаційний номер (1)"


@pytest.mark.parametrize("prompt", ["my Polish ID number 44051401458", "TIN (Germany) 65929970489",
                                    "мій німецький податковий номер 65929970489"])
def test_end_to_end_the_cloud_never_sees_them(prompt):
    complex_prompt = ("Explain step by step, with examples and a comparison of approaches, how to plan the "
                      "architecture of a distributed message queue with delivery guarantees. " + prompt)
    with StandInCloud() as cloud:  # STAND-IN, NOT A CLOUD: a local HTTP server that records what it receives
        router = Router(f"127.0.0.1:{free_port()}", CloudLLM.stand_in(cloud, max_retries=0), local_retries=0)
        result = router.complete(complex_prompt)
        assert result.target != "cloud" and not cloud.requests, result.target
