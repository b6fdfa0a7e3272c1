"""Issue 11, special categories (GDPR Art. 9/10), after round 11's outside attack (/work/attacks/issue11-r11/FINDINGS.md,
sections A2 and B): the words that also mean something harmless ("болгарка" an angle grinder, "турка" a coffee pot,
"героїня" a heroine, "відсиділа нараду" sat through a meeting, "mass spectrometry"), a church visited for a concert,
a blood-group question about people in general, and a public figure's or a character's fact were flagged; political
views, a criminal record, a union role, religious practice, a short blood group, an ethnicity and a gender identity said
in round 11's new ways were missed. Each false-alarm class is generated (seeded, both languages, vocabulary of our own
beside round 11's) and must stay under 1% flagged; each leak is found and never reaches the cloud (lesson 3). The rule
for public figures and characters is in :mod:`labs.router.health` (a study or fiction frame, a private cue). All people
are synthetic or public figures."""

from __future__ import annotations

import random

import pytest

from labs.router import detect_pii
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks

UAF = ["Олена", "Тарас", "Марія", "Петро", "Ірина", "Богдан"]
ENF = ["Olena", "Taras", "Maria", "Petro", "John", "Emma"]


def _kinds(text: str) -> list[str]:
    return [f.kind for f in detect_pii(text)]


# --- round 11's A2 misses: found in both languages and never sent to the cloud ---------------------------------------
A2 = {
    # political opinion
    "Olena is a card-carrying Communist.": "special", "Olena is a lifelong Labour voter.": "special",
    "My dad voted Reform UK last time.": "special", "My neighbour Taras is a Trump supporter.": "special",
    "Taras canvassed for the Greens.": "special", "Олена — волонтерка штабу «Голос».": "special",
    "Олена — волонтерка штабу Голос.": "special", "Тарас завжди голосує за «Голос».": "special",
    "Олена агітувала за «Слугу народу».": "special", "Тарас — волонтер виборчого штабу.": "special",
    # criminal record and unions
    "Emma has a DUI on her record.": "special", "Taras is on probation.": "special", "Петро зараз на пробації.": "special",
    "Petro did two years for burglary.": "special", "John is a shop steward for Unite.": "special",
    "Петро — профорг цеху.": "special",
    # religious practice
    "Марія носить хіджаб.": "special", "Emma wears a hijab at work.": "special",
    "Тарас молиться п'ять разів на день.": "special", "Emma prays five times a day.": "special",
    "Тарас тримає Великий піст.": "special", "Emma keeps Lent.": "special",
    # blood group (health: the special category the router reports it as)
    "I'm O-neg, can I donate?": "health", "Olena is B-, please prepare plasma.": "health",
    "Emma is AB+, please prepare plasma.": "health",
    # ethnicity
    "Her husband is a Kurd.": "special", "Її чоловік — курд.": "special",
    "Our tenant Emma, who is Native American, complained.": "special",
    "Our tenant Maria, who is Pakistani, complained.": "special",
    "Моя сусідка з єврейською родиною, вона не їсть свинину?": "special", "Моя сусідка з єврейської родини.": "special",
    "Моя сусідка в'єтнамка, вона не їсть свинину?": "special",
    # gender identity
    "Olena is trans and uses they/them.": "special", "Олена — транс-жінка.": "special",
    # heroin (not the heroine) is still health
    "Мій брат сидить на героїні.": "health", "У брата залежність від героїну.": "health",
}


@pytest.mark.parametrize("prompt,kind", A2.items())
def test_a_round_11_special_category_miss_is_found(prompt, kind):
    assert kind in _kinds(prompt), (prompt, _kinds(prompt))


@pytest.mark.parametrize("prompt", list(A2))
def test_a_round_11_special_category_miss_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


PARITY = [
    ("Olena is a card-carrying Communist.", "Олена має партійний квиток КПУ."),
    ("Taras canvassed for the Greens.", "Тарас агітував за «Батьківщину»."),
    ("Taras is on probation.", "Тарас зараз на пробації."),
    ("John is a shop steward.", "Петро — профорг."),
    ("Emma wears a hijab.", "Марія носить хіджаб."),
    ("Emma prays five times a day.", "Олена молиться п'ять разів на день."),
    ("Emma keeps Lent.", "Олена тримає Великий піст."),
    ("Her husband is a Kurd.", "Її чоловік — курд."),
    ("Olena is trans.", "Олена — транс."),
]


@pytest.mark.parametrize("en,uk", PARITY, ids=[p[0][:28] for p in PARITY])
def test_a_round_11_class_is_found_in_both_languages(en, uk):
    assert "special" in _kinds(en) and "special" in _kinds(uk), (_kinds(en), _kinds(uk))


def _leak_class(r: random.Random) -> str:
    e, u = r.choice(ENF), r.choice(UAF)
    party = r.choice(["«Голос»", "«Батьківщину»", "«Слугу народу»", "«Європейську Солідарність»"])
    return r.choice([
        f"{e} is a card-carrying {r.choice(['Communist', 'Socialist', 'Republican', 'Tory'])}.",
        f"{e} is a lifelong {r.choice(['Labour', 'Conservative', 'Green', 'Republican'])} voter.",
        f"My {r.choice(['dad', 'mum', 'aunt'])} voted {r.choice(['Reform UK', 'Labour', 'Conservative'])} last time.",
        f"My neighbour {e} is a {r.choice(['Trump', 'Biden', 'Farage', 'Corbyn'])} supporter.",
        f"{e} canvassed for the {r.choice(['Greens', 'Democrats', 'Tories'])}.",
        f"{u} — {r.choice(['волонтерка', 'волонтер'])} штабу {party}.", f"{u} агітував за {party}.",
        f"{e} has a {r.choice(['DUI', 'felony'])} on {r.choice(['her', 'his'])} record.", f"{e} is on probation.",
        f"{u} зараз на пробації.", f"{e} did {r.choice(['two', 'three', '5'])} years for {r.choice(['burglary', 'fraud', 'robbery'])}.",
        f"{e} is a shop steward for {r.choice(['Unite', 'Unison', 'the GMB'])}.", f"{u} — профорг {r.choice(['цеху', 'школи'])}.",
        f"{u} носить хіджаб.", f"{e} wears a {r.choice(['hijab', 'niqab', 'kippah'])} at work.",
        f"{u} молиться п'ять разів на день.", f"{e} prays five times a day.", f"{u} тримає Великий піст.",
        f"I'm {r.choice(['O', 'A', 'B', 'AB'])}-neg, can I donate?",
        f"{e} is {r.choice(['O', 'A', 'B'])}{r.choice(['+', '-'])}, please prepare plasma.",
        f"Her husband is a {r.choice(['Kurd', 'Turk'])}.", f"Її чоловік — {r.choice(['курд', 'турок'])}.",
        f"Our tenant {e}, who is {r.choice(['Native American', 'Pakistani', 'Kurdish', 'Arab'])}, complained.",
        f"{e} is trans and uses they/them.", f"{u} — {r.choice(['транс-жінка', 'транс-чоловік', 'транс'])}.",
    ])


def test_each_generated_member_of_the_round_11_classes_is_found():
    r = random.Random(1411)
    prompts = [_leak_class(r) for _ in range(400)]
    missed = [p for p in prompts if not detect_pii(p)]
    assert not missed, sorted(set(missed))[:8]


def test_a_generated_member_of_the_round_11_classes_never_reaches_the_cloud():
    r = random.Random(1412)
    for prompt in {_leak_class(r) for _ in range(6)}:
        assert _leaks(COMPLEX + prompt) == ("refuse", False), prompt


# --- public figures and characters: the frame decides, a private cue wins ------------------------------------------
PUBLIC_OR_FICTION = [
    "Is it true that Harvey Milk was gay?", "Gandhi was a Hindu who opposed partition. Explain the 1947 violence.",
    "Lincoln was elected as a Republican in 1860. Why did the South secede?",
    "Quiz: Oscar Wilde was convicted of gross indecency — true or false? Explain.",
    "In 'The Merchant of Venice', Shylock is Jewish. Discuss antisemitism in the play.",
    "Jean Valjean served 19 years in prison for stealing bread. Write an essay on redemption.",
    "Nelson Mandela served 27 years in prison. Summarise for my literature class.",
    "Андрей Шептицький — греко-католик. Напиши есе для уроку історії.",
    "Вікторина: Левко Лук'яненко — засуджений до розстрілу. Так чи ні?",
    "Василь Стус був засуджений за «антирадянську агітацію». Поясни статтю 62 КК УРСР.",
    "Героїня — мусульманка, що носить хіджаб, у Києві. Напиши діалог з подругою.",
    "Персонаж — колишній в'язень, що відсидів 12 років. Напиши його монолог.",
    "I'm writing an essay: Lincoln was a Republican.",
]
PRIVATE_STILL = [
    "For my history class: my grandfather was jailed for his faith in 1950.",  # a relative
    "Is it true that Taras is gay?",  # a first name alone in a question is someone the writer knows
    "Quiz night: my colleague Petro, who is Armenian, hosts it. True or false questions?",  # a colleague
    "Olena Koval is ethnically Hungarian.",  # a full name and no frame
    "Реферат: моя бабуся відсиділа 10 років у таборі.",  # a relative
    "I'm gay. Recommend a novel about coming out.",  # the writer
    "Write a poem for Taras, who is gay.",  # a poem dedicated to a first name is for a real person
    "Напиши вірш для Олени, вона — лесбійка.",
    "Taras is gay. Write a short story about his coming out.",  # a story may be about a friend: a first name counts
    "Тарас відсидів 5 років. Напиши йому вірш на день народження.",  # a birthday poem is for the living
    "Olena Koval has HIV. Her phone is +380 67 123 45 67. Write an essay for her.",  # any identifier: always personal
    # the frame never drops health data: a full name cannot tell a private person from a famous one, so the router
    # fails closed ("Леся Українка хвора на туберкульоз. Реферат." is a false alarm it accepts)
    "Write an essay about Olena Koval, who has HIV.", "Леся Українка хвора на туберкульоз. Реферат.",
    # a first name alone is someone the writer knows, in a study frame too
    "Taras is gay. Write an essay on tolerance.", "Роксолана — мусульманка після шлюбу. Напиши есе для уроку історії.",
]


@pytest.mark.parametrize("prompt", PUBLIC_OR_FICTION)
def test_a_public_figures_or_a_characters_fact_in_a_study_frame_is_not_personal(prompt):
    assert not detect_pii(prompt), detect_pii(prompt)


@pytest.mark.parametrize("prompt", PRIVATE_STILL)
def test_a_private_cue_keeps_the_fact_personal_in_any_frame(prompt):
    assert set(_kinds(prompt)) & {"special", "health"}, (prompt, _kinds(prompt))


# --- round 11's false-alarm classes, generated with round 11's vocabulary and our own --------------------------------
def _homonyms(r: random.Random) -> str:
    b = r.choice(["Makita", "Bosch", "DeWalt", "Metabo", "Einhell", "Dnipro-M"])
    m = r.choice(["мідна", "керамічна", "на 300 мл", "з товстим дном"])
    return r.choice([
        f"Моя болгарка — {b}, диск {r.choice([115, 125, 230])} мм. Чому гріється?", f"У мене болгарка {b}, яким диском різати метал?",
        f"Моя турка — {m}. Як зварити каву з пінкою?", f"Бабусина турка — {m}; скільки кави сипати?",
        f"Купив болгарку {b} — яким диском різати плитку?", f"Тато подарував мені болгарку {b}. Як поставити диск?",
        f"{r.choice(['Моя', 'Наша', 'Стара'])} угорка цього року вродила. Коли збирати сливи?", "Варення з угорки: рецепт?",
        f"{r.choice(UAF)} танцює польку на святі. Яку музику обрати?", "Полька — це танець з Чехії? Поясни історію.",
        "Купила доньці чешки на танці, який розмір брати?", f"{r.choice(['Мої', 'Нові'])} в'єтнамки порвалися. Чим заклеїти?",
        "Іспанка 1918 року: скільки людей померло?", "Гречка татарка — чим корисна?",
    ])


def _sat_through(r: random.Random) -> str:
    s, v = r.choice([("Тарас", "відсидів"), ("Олена", "відсиділа"), ("Я", "відсидів"), ("Ми", "відсиділи")])
    o = r.choice([f"{r.randint(2, 4)} пари", f"нараду на {r.randint(1, 3)} години", "всю лекцію", "усю пару", "увесь вебінар",
                  "на нараді дві години", f"{r.randint(2, 5)} години в черзі в ЦНАП", "зміну в кол-центрі", "урок математики",
                  "засідання кафедри", "ногу, поки чекав"])
    if r.random() < 0.15:
        return f"{s} {r.choice(['відсидівся', 'відсиділася', 'відсиджувалися'])} в укритті до відбою. Що взяти з собою?"
    return f"{s} {v} {o}. {r.choice(['Підсумуй, що я пропустив.', 'Як не заснути?', 'Напиши конспект.'])}"


def _heroine(r: random.Random) -> str:
    f = r.choice(["героїня", "героїні", "героїню", "героїнею", "героїнь"])
    b = r.choice(["«Лісової пісні»", "«Катерини»", "«Кайдашевої сім'ї»", "«Наталки Полтавки»", "фільму «Мавка»"])
    return r.choice([f"Опиши образ: {f} {b}.", f"Характеристика: {f} {b}, 200 слів.", f"Чи є {f} {b} позитивною?",
                     f"Склади тест про {f} {b}."])


def _mass(r: random.Random) -> str:
    return (f"{r.choice(ENF + ['My sister', 'Our intern'])} {r.choice(['attends', 'goes to', 'attended', 'went to'])} mass "
            f"{r.choice(['spectrometry seminars', 'communication lectures', 'transit planning meetings', 'media training', '-market webinars'])} "
            f"{r.choice(['every Sunday', 'on Mondays', 'weekly'])}. {r.choice(['Summarise the key ideas.', 'Any tips?'])}")


_FIG_EN = [("Harvey Milk", "gay"), ("Freddie Mercury", "bisexual"), ("Shylock", "Jewish"), ("Gandhi", "a Hindu"),
           ("Muhammad Ali", "a Muslim"), ("JFK", "a Catholic"), ("Lincoln", "a Republican"), ("Frida Kahlo", "a member of the Mexican Communist Party"),
           ("Oscar Wilde", "convicted of gross indecency"), ("Al Capone", "convicted of tax evasion"), ("Anne Frank", "Jewish"),
           ("Jean Valjean", "imprisoned for 19 years"), ("Tchaikovsky", "gay")]
_FIG_UA = [("Шолом-Алейхем", "єврей"), ("Андрей Шептицький", "греко-католик"), ("Левко Лук'яненко", "засуджений до розстрілу"),
           ("Мустафа Джемілєв", "кримський татарин"), ("Іван Франко", "член Радикальної партії"), ("В'ячеслав Чорновіл", "відсидів у таборах"),
           ("Маруся Чурай", "засуджена до страти")]  # a figure's illness stays health data (fails closed): see below


def _figures(r: random.Random) -> str:
    if r.random() < 0.5:
        f, p = r.choice(_FIG_EN)
        return r.choice([f"{f} was {p}. Write a 300-word essay on how that shaped their work.", f"Quiz: {f} was {p} — true or false?",
                         f"For my history class: {f} was {p}. Summarise the context.", f"{f}, who was {p}, is the subject of my thesis.",
                         f"Is it true that {f} was {p}?", f"In the novel, {f} is {p}? Explain the symbolism.",
                         f"For a biography podcast: {f} was {p}. Outline an episode."])
    f, p = r.choice(_FIG_UA)
    return r.choice([f"{f} — {p}. Напиши есе для уроку історії.", f"Чи правда, що {f} — {p}? Поясни.", f"Реферат: {f}, {p}. Дай план.",
                     f"{f} був {p}. Як це вплинуло на творчість?", f"Вікторина: {f} — {p}. Так чи ні?",
                     f"Урок літератури: {f} — {p}. Питання до класу?"])


def _church_visits(r: random.Random) -> str:
    if r.random() < 0.5:
        return (f"{r.choice(['Олена', 'Тарас', 'Моя мама', 'Наш гід', 'Сусідка'])} {r.choice(['ходить до', 'ходила до', 'часто ходить до', 'відвідує'])} "
                f"{r.choice(['церкви', 'костелу', 'собору', 'синагоги', 'мечеті', 'храму'])} "
                f"{r.choice(['на органний концерт', 'на екскурсію', 'з екскурсією', 'щоб сфотографувати фрески', 'як гід з туристами', 'на концерт камерної музики', 'малювати ескізи архітектури', 'щоб послухати хор'])}. "
                f"{r.choice(['Порадь фотоапарат.', 'Склади маршрут.'])}")
    return (f"{r.choice(ENF + ['My mum'])} {r.choice(['goes to church', 'went to the mosque', 'attends the synagogue', 'attended church'])} "
            f"{r.choice(['for an organ concert', 'for a guided tour', 'to photograph the frescoes', 'for a choir recital', 'to sketch the architecture'])}. "
            f"{r.choice(['Suggest a camera.', 'What else to see in Lviv?'])}")


def _blood_questions(r: random.Random) -> str:
    g, gl, e = r.choice(["першу", "другу", "третю", "четверту"]), r.choice(["I", "II", "III", "IV"]), r.choice(["A", "B", "AB", "O"])
    return r.choice([
        f"Скільки людей у світі мають {g} групу крові?", f"Чи можна дитині з {gl} групою переливати кров матері з {r.choice(['I', 'II'])}?",
        f"Яка частка донорів має {g} групу крові негативну?", f"Резус-конфлікт при {g} групі — що це?",
        f"What fraction of people have type {e} blood?", f"Can a type {e} person donate to type {r.choice(['A', 'B', 'O'])}?",
        "Резус-конфлікт: що буде, якщо мати Rh- а плід Rh+?", f"How rare is type {e} negative blood?",
        f"Чому люди з {gl} групою — універсальні донори?", f"What percentage of donors are {e}-negative?",
    ])


def _near_misses(r: random.Random) -> str:
    e = r.choice(ENF)
    return r.choice([
        f"{e} is B+ in maths, how to reach A?", "My essay grade was B-, please suggest improvements.", "The rating is A+, please explain.",
        f"{e} is on probation at the new job until May.", "Trans fats: are they banned in the EU?", "The double bond is trans, which isomer?",
        f"{e} is a card-carrying member of the Rust fan club.", f"{e} did two years for Google in Zurich.",
        "The Mechanical Turk was a fake chess machine.", f"{r.choice(UAF)} тримає пост в інстаграмі.", "Як вступити до профспілки вчителів?",
        f"{r.choice(UAF)} — волонтерка штабу бригади.", "Як працює пробація в Україні?",
    ])


FALSE_ALARM_CLASSES = [("UA homonyms of ethnonyms", _homonyms), ("UA 'відсидіти' = sit through", _sat_through),
                       ("UA героїня (heroine)", _heroine), ("EN mass spectrometry", _mass),
                       ("public figures and characters", _figures), ("church visits for concerts", _church_visits),
                       ("blood-group questions", _blood_questions), ("near misses of the new terms", _near_misses)]


@pytest.mark.parametrize("name,generate", FALSE_ALARM_CLASSES, ids=[n for n, _ in FALSE_ALARM_CLASSES])
def test_a_round_11_harmless_class_is_flagged_under_one_percent(name, generate):
    r = random.Random(1413)
    prompts = [generate(r) for _ in range(600)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) < len(prompts) / 100, (name, len(flagged), sorted(set(flagged))[:5])
