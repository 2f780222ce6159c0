"""A rule-based baseline for all three tasks, built from general knowledge only.

What it knows: date, money and percentage patterns; a list of countries, demonyms, capitals and
US states; common job titles; keywords that mark government bodies, organisations and
facilities; a list of traded goods; trigger words for each event type; and cue words for the
stance topics, taken from the topics' own questions in ``labels.schema.json``. Nothing is copied
from the gold annotations or tuned to their answers. It is meant as an honest floor, not a
competitive system: expect high precision on dates and countries and little else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from toolkit.model.labels import inventory

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
NUMBER_WORDS = "one|two|three|four|five|six|seven|eight|nine|ten|several|few"
PATTERNS = [
    ("DATE", rf"\b(?:{MONTHS})\.? \d{{1,2}}(?:\s?[–-]\s?\d{{1,2}})?(?:, \d{{4}})?\b"),
    ("DATE", r"\b\d{4}/\d{2}/\d{2}(?: \d{2}:\d{2})?"),
    ("DATE", rf"\b(?:{WEEKDAYS})\b"),
    ("DATE", r"\b(?:(?:earlier|later) )?(?:last|next|this) (?:week|month|year)\b"),
    ("DATE", rf"\b(?:\d+|{NUMBER_WORDS})[- ](?:day|week|month|year)s?\b"),
    ("MONEY", r"(?:US\$|\$|₩)\s?\d[\d,.]*(?:\s(?:million|billion|trillion))?"),
    ("MONEY", r"\b\d[\d,.]*\s(?:million |billion |trillion )?(?:won|dollars|yen|euros)\b"),
    ("PERCENT", r"\b\d+(?:\.\d+)?\s?(?:percent|per cent|%)"),
]

COUNTRIES = {
    "South Korea": ["South Korea", "S. Korea", "Korea", "Republic of Korea", "South Korean", "Korean"],
    "United States": ["United States", "U.S.", "US", "USA", "America", "American"],
    "Japan": ["Japan", "Japanese"], "China": ["China", "Chinese"], "Vietnam": ["Vietnam", "Vietnamese"],
    "United Kingdom": ["United Kingdom", "Britain", "UK", "British"], "Australia": ["Australia", "Australian"],
    "India": ["India", "Indian"], "Canada": ["Canada", "Canadian"], "Mexico": ["Mexico", "Mexican"],
    "Germany": ["Germany", "German"], "France": ["France", "French"], "Taiwan": ["Taiwan", "Taiwanese"],
    "North Korea": ["North Korea", "North Korean"], "European Union": ["European Union", "EU"],
    "Russia": ["Russia", "Russian"], "Brazil": ["Brazil", "Brazilian"], "Indonesia": ["Indonesia"],
    "Thailand": ["Thailand", "Thai"], "Philippines": ["Philippines", "Filipino"], "Singapore": ["Singapore"],
}
CITIES = ["Seoul", "Washington", "Washington D.C.", "Washington DC", "Tokyo", "Beijing", "London", "Paris",
          "Brussels", "New York", "Busan", "Hanoi", "Ottawa"]
STATES = ("Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia Hawaii Idaho "
          "Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts Michigan Minnesota "
          "Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon Pennsylvania Tennessee Texas Utah "
          "Vermont Virginia Washington Wisconsin Wyoming").split()
REGIONS = {"Asia": ["Asia", "Asian"], "Europe": ["Europe"], "Middle East": ["Middle East"]}
TITLES = {"President", "Prime", "Minister", "Secretary", "Representative", "Governor", "Director", "Chairman",
          "Chief", "Deputy", "Vice", "Acting", "Finance", "Trade", "Commerce", "Treasury", "Industry", "Energy",
          "Economic", "Foreign", "Defense", "Senator", "Ambassador", "Commissioner", "Professor", "Dr", "Mr", "Ms",
          "Mrs", "General", "Staff", "Policy", "Strategy", "Economy"}
GOV_WORDS = {"Ministry", "Department", "Office", "Administration", "Government", "Treasury", "Assembly", "Cabinet",
             "Parliament", "Congress", "Senate", "Commission", "Council", "Agency", "Bureau", "Representative"}
ORG_WORDS = {"University", "Institute", "Bank", "News", "Press", "Daily", "Journal", "Times", "Post", "Corporation",
             "Company", "Inc", "Group", "Association", "Fund", "Organization", "School", "Agency",
             "IMF", "WTO", "OECD", "G20", "G7", "Bloomberg", "Reuters", "AFP", "AP"}
LEADING_WORDS = {"And", "But", "So", "The", "During", "While", "After", "Before", "As", "In", "On", "At", "If",
                 "Despite", "Following", "According", "Earlier", "Still", "Usually", "This", "These", "Apart", "Adding"}
LAW_WORDS = {"Act", "Law", "Treaty", "Accord", "Order", "Bill", "Code"}
FAC_WORDS = {"White House", "Blue House", "Airport", "Port", "Building", "Palace", "Tower"}
NOMINALS = {
    "PER": ["officials", "official", "minister", "ministers", "president", "delegation", "experts", "analysts",
            "lawmakers", "counterparts", "negotiators", "correspondent", "source", "spokesperson", "team", "staff"],
    "GOV": ["ministry", "government", "administration", "parliament", "cabinet", "agency"],
    "GPE": ["country", "countries", "nation", "nations", "allies", "partners", "trading partners"],
}
COMMODITIES = ["steel", "aluminum", "aluminium", "autos", "automobiles", "auto", "cars", "vehicles", "semiconductors",
               "semiconductor", "chips", "LNG", "liquefied natural gas", "shipbuilding", "ships", "energy", "rice",
               "beef", "oil", "gas", "components", "pharmaceuticals", "biotechnology", "lumber", "copper", "goods",
               "exports", "imports"]
PRONOUNS = {"he": "PER", "his": "PER", "him": "PER", "she": "PER", "her": "PER"}
TRIGGERS = {
    "Contact.Meet": ["meeting", "meetings", "meet", "met", "summit", "conference"],
    "Contact.Phone-Write": ["phone call", "called", "call", "letter"],
    "Movement.Transport": ["travel", "travelled", "traveled", "visit", "visited", "trip", "arrive", "arrived"],
    "Personnel.Elect": ["election", "elected", "vote"],
    "Personnel.Start-Position": ["takes office", "took office", "appointed", "sworn in"],
    "Policy.Enact": ["signs", "signed", "enacted"],
    "Trade.Negotiate": ["talks", "negotiations", "negotiate", "negotiating", "discussions", "consultations"],
    "Trade.Impose-Tariff": ["tariffs", "tariff", "duties", "levies"],
    "Trade.Pause-Tariff": ["pause", "paused", "suspension", "suspended", "delay", "delayed"],
    "Trade.Exempt-Tariff": ["exemption", "exemptions", "exempt", "exempted", "reductions", "removing"],
    "Trade.Request": ["requested", "request", "asked", "demanded", "urged"],
    "Trade.Offer": ["offered", "offer", "proposed", "propose", "proposals", "suggested"],
    "Trade.Agree": ["agreed", "agreement", "deal", "deals"],
    "Transaction.Invest": ["investments", "investment", "investing", "invest", "fund"],
    "Transaction.Budget": ["budget", "budgets"],
}
FUTURE = re.compile(r"\b(will|would|may|might|could|plans?|planned|expected|aims?|seeks?|seeking|set to|to|"
                    r"potential|possible|likely|if|not|no|proposed|upcoming|forthcoming|next)\b", re.I)
TOPIC_CUES = {
    "korea-tariff-relief": r"exemptions?|exempt|reduc\w+ (?:of |from )?(?:the )?tariffs|remov\w+ .{0,20}tariffs|ease .{0,20}tariffs",
    "quick-deal": r"\bquick\w*|\bfast\b|\brush\w*|\bearly\b|first mover",
    "package-deal": r"package deal|\blinking\b|one-stop",
    "defense-costs-in-talks": r"defen[cs]e (?:cost|spending)|cost-sharing",
    "alaska-lng-investment": r"Alaska\w*",
    "shipbuilding-cooperation": r"cooperation (?:on|in) (?:the )?shipbuilding",
    "trade-imbalance-reduction": r"trade (?:deficits?|imbalances?|surplus|balance)",
    "non-tariff-barrier-removal": r"non-tariff",
    "supplementary-budget": r"supplementary budget",
}
SPEECH = re.compile(r"\b(said|says|say|stated|told|warned|warn|urged|urging|emphasized|stressed|noted|added|rejected|"
                    r"requested|offered|favors|favours|suggested|maintained)\b")
NEGATIVE = re.compile(r"\b(not|no|reject\w*|warn\w*|against|caution|concern|unsustainable|rushing)\b", re.I)


@dataclass
class _Mention:
    start: int
    end: int
    type: str
    kind: str
    key: str  # coreference key


def _sentences(text: str) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in re.finditer(r"(?<=[.!?])\s+(?=[A-Z“\"])|\n+", text):
        out.append((start, m.start()))
        start = m.end()
    out.append((start, len(text)))
    return [(s, e) for s, e in out if e > s]


def _free(taken: list[tuple[int, int]], s: int, e: int) -> bool:
    return all(e <= a or s >= b for a, b in taken)


def _find_entities(text: str) -> list[_Mention]:
    mentions: list[_Mention] = []
    taken: list[tuple[int, int]] = []

    def add(s: int, e: int, type_: str, kind: str, key: str) -> None:
        if s < e and _free(taken, s, e):
            mentions.append(_Mention(s, e, type_, kind, key))
            taken.append((s, e))

    for type_, pattern in PATTERNS:
        for m in re.finditer(pattern, text):
            add(m.start(), m.end(), type_, "name", f"{type_}:{m.group().lower()}")
    # Capitalised sequences (names), classified by keywords, lists and titles.
    tok = r"(?:(?:[A-Z]\.){2,}|[A-Z][\w’'&-]*)"
    cap = rf"{tok}(?: (?:of|for) {tok}| {tok})*"
    for m in re.finditer(cap, text):
        s, e, phrase = m.start(), m.end(), m.group()
        phrase = re.sub(r"[’']s$", "", phrase)
        while phrase.endswith((".", "’", "'")) and not phrase.endswith(("U.S.", "D.C.")):
            phrase = phrase[:-1]
        words = phrase.split()
        while words and words[0] in LEADING_WORDS:
            s += len(words[0]) + 1
            words = words[1:]
        # "White House Deputy Chief of Staff for Policy Stephen Miller": the name after the last title
        # word is a person; what stands before the title is classified on its own.
        last = max((k for k, w in enumerate(words) if w in TITLES or w in ("of", "for")), default=-1)
        tail = words[last + 1:]
        if last >= 0 and len(tail) >= 2 and not set(tail) & (TITLES | GOV_WORDS | ORG_WORDS) and words[-1] not in GOV_WORDS | ORG_WORDS:
            first = 0
            while first < last and words[first] not in TITLES:
                first += 1
            before = " ".join(words[:first])
            if before and (kind := _classify(before, False)) not in (None, "?", "PER"):
                add(s, s + len(before), kind, "name", f"{kind}:{_country_key(before) or before}")
            name = " ".join(tail)
            start = s + len(" ".join(words[:last + 1])) + 1
            add(start, start + len(name), "PER", "name", f"PER:{name}")
            continue
        # strip leading titles: "Finance Minister Choi Sang-mok" -> "Choi Sang-mok" (a person)
        i = 0
        while i < len(words) - 1 and words[i] in TITLES and words[-1] not in GOV_WORDS | ORG_WORDS:
            i += 1
        titled = i > 0
        s += len(" ".join(words[:i])) + (1 if i else 0)
        words = words[i:]
        # a leading country word is its own GPE mention: "South Korean | Industry Ministry", "US | Jones Act"
        for n in (2, 1):
            head = " ".join(words[:n])
            if len(words) > n and _country_key(head) and not set(words[n:]) & ORG_WORDS:
                add(s, s + len(head), "GPE", "name", f"GPE:{_country_key(head)}")
                s += len(head) + 1
                words = words[n:]
                while len(words) > 1 and words[0] in TITLES and words[-1] not in GOV_WORDS | ORG_WORDS:
                    s += len(words[0]) + 1
                    words = words[1:]
                    titled = True
                break
        phrase = " ".join(words)
        if not phrase or phrase in TITLES:
            continue
        type_ = _classify(phrase, titled)
        if type_ is None:
            continue
        key = _country_key(phrase) or phrase
        add(s, s + len(phrase), type_, "name", f"{type_}:{key}")
    # Common nouns, goods and pronouns.
    for type_, words in NOMINALS.items():
        for w in words:
            for m in re.finditer(rf"\b{re.escape(w)}\b", text):
                add(m.start(), m.end(), type_, "nominal", f"{type_}:nominal:{m.start()}")
    for w in COMMODITIES:
        for m in re.finditer(rf"\b{re.escape(w)}\b", text, re.I):
            add(m.start(), m.end(), "COMMODITY", "nominal", f"COMMODITY:{w.lower()}")
    for m in re.finditer(r"\b(he|his|him|she|her)\b", text, re.I):
        add(m.start(), m.end(), "PER", "pronoun", f"PRO:{m.start()}")
    mentions.sort(key=lambda x: (x.start, x.end))
    _resolve(mentions, text)
    return [m for m in mentions if m.type != "?"]


def _country_key(phrase: str) -> str | None:
    for canonical, forms in {**COUNTRIES, **REGIONS}.items():
        if phrase in forms:
            return canonical
    return None


def _classify(phrase: str, titled: bool) -> str | None:
    words = set(phrase.split())
    if phrase in FAC_WORDS or any(f in phrase for f in FAC_WORDS):
        return "FAC"
    if words & LAW_WORDS:
        return "LAW"
    if words & GOV_WORDS:
        return "GOV"
    if words & ORG_WORDS:
        return "ORG"
    if phrase in CITIES or phrase in STATES:
        return "GPE"
    key = _country_key(phrase)
    if key is not None:
        return "LOC" if key in REGIONS else "GPE"
    if titled:
        return "PER"
    if len(phrase.split()) in (2, 3) and all(w[0].isupper() for w in phrase.split()) and "-" in phrase:
        return "PER"  # e.g. Korean names "Ahn Duk-geun"
    if len(phrase.split()) in (2, 3) and not re.search(rf"\b(?:{MONTHS}|{WEEKDAYS})\b", phrase):
        return "PER"
    if len(phrase.split()) == 1 and len(phrase) > 2:
        return "?"  # a lone capitalised word: a person only if it continues a full name (see _resolve)
    return None


def _resolve(mentions: list[_Mention], text: str) -> None:
    """Coreference by string: a surname continues the full name; he/his/him the last person named."""
    last_person = None
    full_names: dict[str, str] = {}
    for m in mentions:
        if m.type == "PER" and m.kind == "name":
            phrase = text[m.start:m.end]
            parts = phrase.split()
            if len(parts) >= 2:
                for p in (parts[0], parts[-1]):
                    full_names.setdefault(p, m.key)
            last_person = m.key
        elif m.type == "?" and text[m.start:m.end] in full_names:
            m.type, m.key = "PER", full_names[text[m.start:m.end]]
            last_person = m.key
        elif m.kind == "pronoun" and text[m.start:m.end].lower() in ("he", "his", "him", "she", "her") and last_person:
            m.key = last_person


def _events(text: str, mentions: list[_Mention]) -> list[dict]:
    roles = inventory().roles
    events = []
    taken = [(m.start, m.end) for m in mentions if m.type != "COMMODITY"]
    for sent_start, sent_end in _sentences(text):
        sentence = text[sent_start:sent_end]
        in_sentence = [m for m in mentions if sent_start <= m.start and m.end <= sent_end]
        for type_, words in TRIGGERS.items():
            for w in words:
                for hit in re.finditer(rf"\b{re.escape(w)}\b", sentence):
                    s, e = sent_start + hit.start(), sent_start + hit.end()
                    if not _free(taken, s, e):
                        continue
                    taken.append((s, e))
                    before = text[max(sent_start, s - 40):s]
                    realis = "other" if FUTURE.search(before) else "actual"
                    args = []
                    for role, admitted in roles[type_].items():
                        cands = [m for m in in_sentence if m.type in admitted]
                        if not cands:
                            continue
                        best = min(cands, key=lambda m: abs(m.start - s))
                        if abs(best.start - s) <= 60 and all(a["mention"] != id(best) for a in args):
                            args.append({"role": role, "mention": id(best)})
                    events.append({"type": type_, "realis": realis, "trigger": {"start": s, "end": e},
                                   "arguments": args})
    return events


def _stances(text: str, mentions: list[_Mention]) -> list[dict]:
    stances: dict[tuple, dict] = {}
    for sent_start, sent_end in _sentences(text):
        sentence = text[sent_start:sent_end]
        speech = SPEECH.search(sentence)
        if not speech:
            continue
        holders = [m for m in mentions if sent_start <= m.start < sent_start + speech.start()
                   and m.type in ("PER", "GOV", "GPE") and m.kind != "pronoun"]
        if not holders:
            continue
        holder = holders[0]
        for topic, cue in TOPIC_CUES.items():
            if re.search(cue, sentence, re.I):
                label = "against" if NEGATIVE.search(sentence) else "favour"
                key = (holder.key, topic)
                if key not in stances:
                    stances[key] = {"holder_mention": holder, "target": {"kind": "topic", "id": topic}, "label": label,
                                    "evidence": [{"start": sent_start, "end": sent_end}]}
    return list(stances.values())


def extract(text: str, doc_id: str = "") -> dict:
    """Predict entities, events and stances for one document (a dict in the prediction schema)."""
    mentions = _find_entities(text)
    clusters: dict[str, list[_Mention]] = {}
    for m in mentions:
        clusters.setdefault(m.key, []).append(m)
    ids: dict[int, str] = {}
    entities = []
    for n, (key, ms) in enumerate(clusters.items(), 1):
        ent = {"id": f"E{n}", "type": ms[0].type, "name": text[ms[0].start:ms[0].end], "mentions": []}
        for k, m in enumerate(ms, 1):
            mid = f"E{n}-M{k}"
            ids[id(m)] = mid
            ent["mentions"].append({"id": mid, "start": m.start, "end": m.end, "text": text[m.start:m.end], "kind": m.kind})
        entities.append(ent)
    entity_of = {mid: e["id"] for e in entities for mid in (x["id"] for x in e["mentions"])}
    events = []
    for n, ev in enumerate(_events(text, mentions), 1):
        trig = ev["trigger"]
        events.append({"id": f"V{n}", "type": ev["type"], "realis": ev["realis"],
                       "trigger": {**trig, "text": text[trig["start"]:trig["end"]]},
                       "arguments": [{"role": a["role"], "mention": ids[a["mention"]]} for a in ev["arguments"]]})
    stances = []
    for n, st in enumerate(_stances(text, mentions), 1):
        ev_spans = [{**x, "text": text[x["start"]:x["end"]].strip()} for x in st["evidence"]]
        ev_spans = [{"start": x["start"] + (len(text[x["start"]:x["end"]]) - len(text[x["start"]:x["end"]].lstrip())),
                     "end": x["start"] + len(text[x["start"]:x["end"]].rstrip()), "text": x["text"]} for x in ev_spans]
        stances.append({"id": f"S{n}", "holder": entity_of[ids[id(st["holder_mention"])]], "target": st["target"],
                        "label": st["label"], "evidence": ev_spans})
    return {"doc_id": doc_id, "system": "baseline", "entities": entities, "events": events, "stances": stances}
