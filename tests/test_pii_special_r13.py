"""Issue 11, special categories (GDPR Art. 9/10), after round 10's section A3 (/work/attacks/issue11-r10/FINDINGS.md):
ethnic origin, a party's support or membership, a vote without "за"/"for", a blood group by its number, letter or
ordinal, and single cases of orientation, religious practice, union membership and a criminal record were missed in
both languages. Each class is generated (seeded, inflected, in both languages) and must be found and routed local end to
end; each nearby harmless topic (the history of a people, a party's programme, election figures, votes in a code
review, blood groups in biology, prisons in a policy debate, a task list's "group 4") is generated too and must stay
under 1% flagged (lesson 3). All people are synthetic."""

from __future__ import annotations

import random

import pytest

from labs.router import detect_pii
from pii_attack_helpers import COMPLEX
from pii_attack_helpers import leaks as _leaks

UAF_M = ["Тарас", "Петро", "Богдан", "Андрій", "Олег"]
UAF_F = ["Олена", "Марія", "Ірина", "Оксана", "Наталія"]
UAL = ["Коваль", "Шевчук", "Мельник", "Бондаренко"]
ENF = ["Olena", "Taras", "Maria", "Petro", "John", "Emma"]


def _kinds(text: str) -> list[str]:
    return [f.kind for f in detect_pii(text)]


# --- round 10's A3 examples: found in both languages and never sent to the cloud -------------------------------------
A3 = {
    "Мій колега Петро — вірменин.": "special", "Тарас — єврей.": "special", "Олена — кримська татарка.": "special",
    "Петро за національністю вірменин.": "special", "Національність: росіянин.": "special",
    "My colleague Maria is Black.": "special", "She is a Crimean Tatar.": "special",
    "My grandfather is of Polish descent.": "special", "Ethnicity: Hispanic.": "special",
    "Тарас — прихильник «Слуги народу».": "special", "Олена — членкиня «Батьківщини».": "special",
    "Петро — член ВО «Свобода».": "special", "Maria supports the Democratic party.": "special",
    "Taras votes Conservative.": "special", "Olena is a member of the Servant of the People party.": "special",
    "Тарас віддав голос Зеленському.": "special", "Петро на виборах підтримав Порошенка.": "special",
    "Taras voted Zelensky.": "special", "Mom is a donor, she is group 4.": "health", "У тата друга група.": "health",
    "My dad is type O.": "health", "Олена — лесбі.": "special", "He's bi.": "special",
    "Олена відвідує костел щонеділі.": "special", "He joined the Teamsters.": "special", "Тарас — член ФНПУ.": "special",
    "He served 3 years in prison.": "special", "My uncle has a conviction for theft.": "special",
}


@pytest.mark.parametrize("prompt,kind", A3.items())
def test_a_round_10_special_category_example_is_found(prompt, kind):
    assert kind in _kinds(prompt), prompt


@pytest.mark.parametrize("prompt", list(A3))
def test_a_round_10_special_category_example_never_reaches_the_cloud(prompt):
    assert _leaks(COMPLEX + prompt) == ("refuse", False)


# --- parity: the same statement in both languages, the same finding -------------------------------------------------
PARITY = [
    ("My colleague Petro is Armenian.", "Мій колега Петро — вірменин."),
    ("She is Polish by origin.", "Вона полька за походженням."),
    ("Olena Koval is ethnically Hungarian.", "Олена Коваль — етнічна угорка."),
    ("My mother is Jewish.", "Моя мама — єврейка."),
    ("Ethnicity: Crimean Tatar", "Національність: кримський татарин"),
    ("Taras is a supporter of Servant of the People.", "Тарас — прихильник «Слуги народу»."),
    ("Olena is a member of the Batkivshchyna party.", "Олена — членкиня партії «Батьківщина»."),
    ("Petro supports Poroshenko.", "Петро підтримує Порошенка."),
    ("My dad voted Zelensky.", "Мій тато віддав голос Зеленському."),
    ("Taras is a member of the Teamsters.", "Тарас — член ФНПУ."),
    ("My aunt attends mass every Sunday.", "Моя тітка відвідує месу щонеділі."),
    ("He served two years in prison.", "Він провів два роки у в'язниці."),
    ("She's bi.", "Вона — лесбі."),
]


@pytest.mark.parametrize("en,uk", PARITY, ids=[p[0][:28] for p in PARITY])
def test_a_special_category_is_found_in_both_languages(en, uk):
    assert "special" in _kinds(en) and "special" in _kinds(uk), (_kinds(en), _kinds(uk))


@pytest.mark.parametrize("en,uk", [("My dad is type A.", "У тата друга група."),
                                   ("Mom is a donor, she is group 3.", "Мама — донорка, у неї третя група.")])
def test_a_blood_group_by_its_letter_number_or_ordinal_is_found_in_both_languages(en, uk):
    assert "health" in _kinds(en) and "health" in _kinds(uk), (_kinds(en), _kinds(uk))


# --- generated members of each class (inflected, glued to punctuation, in quotes) -----------------------------------
# (masculine, feminine, masculine instrumental, feminine instrumental)
ETHNO_UK = [("вірменин", "вірменка", "вірменином", "вірменкою"), ("поляк", "полька", "поляком", "полькою"),
            ("єврей", "єврейка", "євреєм", "єврейкою"), ("угорець", "угорка", "угорцем", "угоркою"),
            ("румун", "румунка", "румуном", "румункою"), ("кримський татарин", "кримська татарка",
                                                         "кримським татарином", "кримською татаркою"),
            ("болгарин", "болгарка", "болгарином", "болгаркою"), ("грузин", "грузинка", "грузином", "грузинкою"),
            ("білорус", "білоруска", "білорусом", "білорускою"), ("молдованин", "молдованка", "молдованином",
                                                                "молдованкою"),
            ("росіянин", "росіянка", "росіянином", "росіянкою"), ("німець", "німкеня", "німцем", "німкенею"),
            ("грек", "гречанка", "греком", "гречанкою"), ("гагауз", "гагаузка", "гагаузом", "гагаузкою"),
            ("азербайджанець", "азербайджанка", "азербайджанцем", "азербайджанкою")]
ETHNO_EN = ["Armenian", "Polish", "Jewish", "Hungarian", "Romanian", "Crimean Tatar", "Bulgarian", "Georgian", "Black",
            "Hispanic", "Latina", "Asian-American", "Chinese", "Korean", "Mexican", "Romani", "Greek", "Turkish"]
END = [".", "!", "", ",", " і працює зі мною.", ")"]
END_EN = [".", "!", "", ",", " and works with me.", ")"]


def _ethnic_uk(r: random.Random) -> str:
    m, f, mi, fi = r.choice(ETHNO_UK)
    male = r.random() < 0.5
    who = r.choice(UAF_M if male else UAF_F)
    nom, ins = (m, mi) if male else (f, fi)
    subj = r.choice([who, f"{who} {r.choice(UAL)}", f"Мій колега {who}" if male else f"Моя колега {who}",
                     "Він" if male else "Вона", "Я", f"{'Мій тато' if male else 'Моя мама'}"])
    return r.choice([f"{subj} — {nom}{r.choice(END)}", f"{subj} за національністю {nom}{r.choice(END)}",
                     f"{subj} {'був' if male else 'була'} {ins}{r.choice(END)}", f"{subj} — {nom} за походженням.",
                     f"{subj}, за національністю {nom}, працює з нами.", f"Національність: {nom}",
                     f"{subj}-{nom}." if False else f"({subj} — {nom})", f"«{subj} — {nom}»"])


def _ethnic_en(r: random.Random) -> str:
    e = r.choice(ETHNO_EN)
    subj = r.choice([r.choice(ENF), f"My colleague {r.choice(ENF)}", "She", "He", "My mother", "My husband",
                     f"{r.choice(ENF)} Koval"])
    return r.choice([f"{subj} is {e}{r.choice(END_EN)}", f"{subj} is of {e} descent{r.choice(END_EN)}",
                     f"{subj} is {e} by ethnicity.", f"{subj} is ethnically {e}.", f"I'm {e}{r.choice(END_EN)}",
                     f"{subj}'s {e}.", f"Ethnicity: {e}", f'"{subj} is {e}."', f"{subj} is half {e}."])


PARTIES_UK_GEN = ["«Слуги народу»", "«Батьківщини»", "«Європейської Солідарності»", "ВО «Свобода»", "КПУ", "«Голосу»",
                  "партії «Слуга народу»", "«Самопомочі»", "\"Батьківщини\""]
PARTIES_UK_ACC = ["«Слугу народу»", "«Батьківщину»", "«Європейську Солідарність»", "Зеленського", "Порошенка",
                  "Тимошенко", "«Голос»"]


def _party_uk(r: random.Random) -> str:
    male = r.random() < 0.5
    who = r.choice(UAF_M if male else UAF_F)
    noun = r.choice(["прихильник", "член", "активіст", "симпатик"] if male else
                    ["прихильниця", "членкиня", "активістка", "член"])
    verb = r.choice(["підтримує", "підтримав" if male else "підтримала"])
    gave = "віддав" if male else "віддала"
    return r.choice([f"{who} — {noun} {r.choice(PARTIES_UK_GEN)}{r.choice(END)}",
                     f"{who} {verb} {r.choice(PARTIES_UK_ACC)}{r.choice(END)}",
                     f"{who} на виборах {verb} {r.choice(PARTIES_UK_ACC)}.",
                     f"{who} {'обрав' if male else 'обрала'} на виборах {r.choice(['Тимошенко', 'Зеленського', 'Порошенка'])}.",
                     f"{who} {gave} голос {r.choice(['Зеленському', 'Порошенку', 'Тимошенко', '«Слузі народу»'])}.",
                     f"{who} {gave} свій голос за {r.choice(PARTIES_UK_ACC)}.",
                     f"Мій тато — {r.choice(['прихильник', 'член'])} {r.choice(PARTIES_UK_GEN)}."])


def _party_en(r: random.Random) -> str:
    who = r.choice(ENF + ["My dad", "My neighbour", "She", "He"])
    p = r.choice(["Democratic", "Republican", "Labour", "Conservative", "Green"])
    return r.choice([f"{who} supports the {p} party{r.choice(END_EN)}", f"{who} is a member of the {p} Party.",
                     f"{who} is a member of the Servant of the People party.", f"{who} votes {p}{r.choice(END_EN)}",
                     f"{who} voted {r.choice(['Zelensky', 'Trump', 'Biden', 'Poroshenko'])}{r.choice(END_EN)}",
                     f"{who} is a {p} Party activist.", f"{who} is a Tory voter.", f"{who} backs the Greens.",
                     f"{who} is a supporter of European Solidarity.", f"{who} donated to the Labour party."])


def _blood(r: random.Random) -> str:
    n = r.randint(1, 4)
    return r.choice([f"Mom is a donor, she is group {n}.", f"My dad is type {r.choice(['O', 'A', 'B', 'AB'])}.",
                     f"My mother is group {n}.",
                     f"У {r.choice(['тата', 'мами', 'бабусі', 'дружини', 'чоловіка'])} "
                     f"{r.choice(['перша', 'друга', 'третя', 'четверта'])} група.",
                     f"Моя мама — донорка, у неї {n} група.", f"Тато — донор, у нього {r.choice(['друга', 'третя'])} група."])


def _single(r: random.Random) -> str:
    uk, en = r.choice(UAF_M + UAF_F), r.choice(ENF)
    return r.choice([f"{uk} — лесбі.", f"Вона — лесбі{r.choice(END)}", "He's bi.", f"{en}'s bi.",
                     f"{uk} відвідує {r.choice(['костел', 'церкву', 'мечеть', 'синагогу'])} щонеділі.",
                     f"{en} attends {r.choice(['church', 'mass', 'synagogue', 'mosque'])} every week.",
                     f"{en} joined the {r.choice(['Teamsters', 'union', 'teachers union', 'nurses union'])}.",
                     f"{uk} — член {r.choice(['ФНПУ', 'КВПУ', 'НПГУ'])}.",
                     f"{en} served {r.randint(2, 9)} years in prison.", "My uncle has a conviction for theft.",
                     f"{uk} провів {r.randint(2, 9)} роки у в'язниці.", f"{en} spent {r.randint(2, 9)} years in jail.",
                     f"{en} keeps kosher.", f"{uk} дотримується посту."])


@pytest.mark.parametrize("name,generate,kind", [("ethnicity UA", _ethnic_uk, "special"),
                                                ("ethnicity EN", _ethnic_en, "special"),
                                                ("party and vote UA", _party_uk, "special"),
                                                ("party and vote EN", _party_en, "special"),
                                                ("blood group", _blood, "health"),
                                                ("orientation, religion, union, record", _single, "special")])
def test_each_generated_member_of_a_class_is_found(name, generate, kind):
    r = random.Random(1310)
    prompts = [generate(r) for _ in range(200)]
    missed = [p for p in prompts if kind not in _kinds(p)]
    assert not missed, (name, len(missed), missed[:5])


def test_a_generated_member_of_each_class_never_reaches_the_cloud():
    r = random.Random(1311)
    for generate in (_ethnic_uk, _ethnic_en, _party_uk, _party_en, _blood, _single):
        prompt = generate(r)
        assert _leaks(COMPLEX + prompt) == ("refuse", False), prompt


# --- false alarms: the nearby harmless topics, under 1% flagged each -------------------------------------------------
PEOPLES_UK = ["кримських татар", "вірмен", "поляків", "євреїв", "угорців", "румунів", "болгар", "гагаузів", "греків"]
PEOPLES_EN = ["Crimean Tatars", "Armenians", "Poles", "Jews", "Hungarians", "Roma", "Greeks", "Black Americans"]
LANGS_EN = ["Polish", "Chinese", "German", "Armenian", "Hungarian", "Korean", "Turkish", "Greek"]


def _ethnic_topics(r: random.Random) -> str:
    uk, en = r.choice(UAF_M + UAF_F), r.choice(ENF)
    pu, pe, lang = r.choice(PEOPLES_UK), r.choice(PEOPLES_EN), r.choice(LANGS_EN)
    return r.choice([
        f"Розкажи про історію {pu} в Україні.", f"Мій викладач попросив реферат про депортацію {pu}.",
        f"{uk} пише курсову про культуру {pu}.", "Кримські татари — корінний народ Криму. Поясни їхню історію.",
        "Найбільша меншина в Україні — росіяни. Які дані перепису 2001 року?",
        f"Кожен {r.choice(['поляк', 'грек', 'угорець'])} знає цей вірш. Переклади його.",
        "Автор роману — поляк, але писав французькою. Хто це?", f"{uk} вивчає {r.choice(['польську', 'вірменську'])} мову.",
        f"Моя мама готує {r.choice(['вірменську', 'грузинську', 'польську'])} кухню. Дай рецепт.",
        f"Слово «цукор» {r.choice(['грецького', 'арабського', 'перського'])} походження? Поясни етимологію.",
        f"Моє прізвище польського походження? {uk} каже, що так.",
        f"Write an essay on the history of the {pe} for my class.", f"My {lang} language model keeps mixing cases.",
        f"Is this {lang} model better than Llama for {en}'s project?", f"{en} is learning {lang}.",
        f"{en} is fluent in {lang} and English.", f"My favourite food is {lang}.", f"The default language is {lang}.",
        "My screen is black after the update.", f"{en}'s cat is black and white.", "Her dress is white.",
        f"{en} is a {lang} teacher at our school.", f"{en} is {lang}-speaking, so translate this for her.",
        "My dad is Black Friday shopping all day.", f"{en} is white-listed on the server.",
        f"Explain the {lang} grammar my colleague {en} asked about.", f"Census data on {pe} in Ukraine.",
        f"Українська команда перемогла {r.choice(['польську', 'угорську'])}. Опиши матч."])


def _party_topics(r: random.Random) -> str:
    uk, en = r.choice(UAF_M + UAF_F), r.choice(ENF)
    return r.choice([
        "Поясни програму партії «Слуга народу» щодо податків.",
        f"Скільки голосів отримала «Європейська Солідарність» у {r.choice([2014, 2019])}?",
        "«Батьківщина» підтримує законопроєкт №5490. Поясни його.",
        "Фракція «Слуга народу» підтримала Зеленського в голосуванні.",
        f"Зеленський отримав {r.randint(50, 80)}% голосів у 2019 році. Побудуй графік.",
        "Виборці Зеленського переважно молоді? Проаналізуй дані.", f"{uk} — член команди «Свобода» з футболу.",
        f"{uk} — член журі «Голосу країни».", "Петро — прихильник Python, а не Java.",
        f"{uk} підтримує ідею перейти на React.", f"{uk} обрав {r.choice(['React', 'Postgres', 'Kotlin'])}.",
        "Порівняй програми «Батьківщини» і «Голосу».", "The Democratic party platform on healthcare, summarised.",
        "Explain the Labour manifesto of 2024.", f"Republicans voted for the bill {r.randint(200, 250)} to 180.",
        f"{en} asked me to compare the Conservative and Labour manifestos.",
        "My code supports Harris corner detection.", "The app supports Green theme and Dark mode.",
        f"{en} supports the proposal to switch to Rust.", f"{en} backed the migration plan.",
        f"{en} is a member of the design team.", f"{en}'s team supports liberal licensing.",
        "Who supports the Green party in Germany? Give statistics.", f"{en} voted Green Day the best band.",
        f"Election statistics: turnout was {r.randint(40, 70)}% in 2019.",
        f"{en} is a member of the party planning committee."])


def _vote_review(r: random.Random) -> str:
    uk, en, n = r.choice(UAF_M + UAF_F), r.choice(ENF), r.randint(2, 9)
    return r.choice([
        f"{uk} віддав голос за варіант {n}.", f"{uk} віддала свій голос за новий логотип.",
        f"{uk} підтримав PR #{r.randint(10, 999)}.", f"{uk} на ретро підтримала ідею з дедлайном.",
        f"{en} voted the PR up.", f"I voted option {n} in the poll.", f"{en} voted {r.choice(['yes', 'no'])}.",
        f"{en} votes Friday for the demo.", f"{en} supports option {n}.", f"{en} backs the React migration.",
        f"Опитування: {uk} обрала варіант {n}.", f"Code review: {en} voted to merge.",
        f"{uk} — член команди бекенду.", f"{en} is a member of the on-call rotation.",
        f"{en} is an activist for bike lanes.", f"{uk} — активістка руху за велодоріжки."])


def _blood_topics(r: random.Random) -> str:
    uk, en, n = r.choice(UAF_M + UAF_F), r.choice(ENF), r.randint(1, 4)
    return r.choice([
        "Blood type O is the universal donor. Explain why.", f"The variable is type {r.choice(['A', 'B'])}.",
        f"In my code, x is type {r.choice(['A', 'B', 'O'])}.", f"{en} is group {n} in the task list.",
        f"Task list: {en} is group {n}, {r.choice(ENF)} is group {r.randint(1, 4)}.",
        "My dad is type A personality, always in a hurry.", f"Group {n} of the tasks is done.",
        f"{uk} — у {n} групі.", f"Це {r.choice(['перша', 'друга', 'третя'])} група завдань.",
        f"Наша команда — {r.choice(['перша', 'друга'])} група.", f"У сина в садочку {r.choice(['друга', 'третя'])} група.",
        f"У мене {r.choice(['друга', 'третя'])} група, пара о 10:00.", f"Олена — староста, у неї {n} група.",
        "Яка група крові найрідша? Поясни генетику.", f"Студенти {n} групи, здайте лабораторну.",
        f"{en} is in group {n} for the project."])


def _prison_topics(r: random.Random) -> str:
    uk, en = r.choice(UAF_M + UAF_F), r.choice(ENF)
    return r.choice([
        "Prisons in Ukraine are overcrowded. Summarise the policy debate.",
        f"How many people served sentences in {r.choice(['2019', '2020'])}?",
        f"{en} served {r.randint(2, 5)} years in the army.", "A conviction rate for theft of 60% — is it high?",
        "Should prison sentences for drug use be shorter? Write pros and cons.",
        f"{en} wrote a policy brief on prisons for my class.", "Скільки в'язниць в Україні? Дай статистику.",
        "Чи потрібна реформа пенітенціарної системи? Аргументи.", f"{uk} пише есе про тюремну реформу.",
        f"{uk} служив два роки в армії.", f"{uk} провів два роки в Польщі на навчанні.",
        f"{en} spent {r.randint(2, 5)} years in Berlin.", "Кримінальне право: що таке судимість? Поясни студентам.",
        "Explain how a criminal record check works in the UK."])


def _faith_union_topics(r: random.Random) -> str:
    uk, en = r.choice(UAF_M + UAF_F), r.choice(ENF)
    return r.choice([
        "Church attendance in Poland fell; explain why.", f"{en} visited the Lviv Latin Cathedral.",
        f"{uk} відвідала костел святого Антонія на екскурсії.", f"{uk} відвідує службу зайнятості.",
        f"{uk} відвідує собор Святої Софії як музей.", f"{en} attends Temple University.",
        "The Teamsters union negotiated with UPS. Summarise.", "Ukraine joined the European Union? Explain the process.",
        f"{en} joined the European Union project team.", "ФНПУ — найбільше профспілкове об'єднання. Історія.",
        f"{en}'s graph is bi-directional.", "Тема: лесбі-культура в літературі.", f"{en} is bilingual.",
        f"{uk} тримає пост в інстаграмі.", "Які свята в Рамадан? Поясни традиції."])


FALSE_ALARM_CLASSES = [("ethnic topics", _ethnic_topics), ("party programmes and elections", _party_topics),
                       ("votes in reviews and polls", _vote_review), ("blood groups, task groups, types", _blood_topics),
                       ("prisons and criminal law", _prison_topics), ("faith, unions, orientation topics", _faith_union_topics)]


@pytest.mark.parametrize("name,generate", FALSE_ALARM_CLASSES)
def test_a_harmless_class_near_a_special_category_is_flagged_under_one_percent(name, generate):
    r = random.Random(1312)
    prompts = [generate(r) for _ in range(600)]
    flagged = [p for p in prompts if detect_pii(p)]
    assert len(flagged) < len(prompts) / 100, (name, len(flagged), sorted(set(flagged))[:5])
