#!/usr/bin/env python3
"""Held-out synthetic world for tiekeeper's identity resolution.

Writes one owner's data as tiekeeper receives it -- a Google Takeout mbox, a
LinkedIn "Complete" export zip and a tiekeeper.toml -- plus truth.json, which
says which e-mail addresses and LinkedIn profile URLs belong to which human.

This generator was written independently of tiekeeper's own demo generator and
resolver, so acceptance is measured on data the system was not tuned to. It
models what makes real networks hard on purpose:

* namesakes at different organisations (one at gmail.com, one at a law firm;
  one at the owner's own employer), on top of Faker's natural name repeats;
* 1-3 addresses per person: work addresses in each organisation's convention
  (first.last@, flast@, first@ ...) with numbers when taken, personal addresses
  that may have nothing to do with the name (sunnyday77@gmail.com);
* display names that vary by mail client and message: "Last, First", CAPS,
  nicknames, diacritics kept or folded, RFC 2047 encoded-words (B and Q,
  UTF-8 and Latin-1, a comma inside a Q word), the address repeated as the
  name, and none at all (a `bare_personal` share of personal mail);
* job changes (old address stops, new one starts, LinkedIn shows the new
  company only), a few marriages with a new surname and a new address;
* shared role addresses (sales@, team@, info@) signed by different people,
  robots that carry humans' names ("Jane Doe via LinkedIn",
  "Jane Doe (Jira)"), mailing lists that rewrite From;
* LinkedIn names as people write them (nickname, both Spanish surnames,
  "DUPONT", credentials, maiden names) with real URL forms.

Optionally (--address-book F) also the owner's address book: Contacts/contacts.vcf
mixing Apple, Google, Outlook 2.1 and vCard 4.0 cards for a share F of the people
the owner mailed with or is connected to, and Contacts/google.csv (Google
Contacts' CSV export) for the Google-shaped cards. Cards add no identities:
truth.json does not change.

Usage:
    python benchmarks/heldout_world.py OUT --people 1000 --seed 1 [--address-book 0.5]
    generate(Path(OUT), people=300, seed=2)     # from Python

Determinism: everything random comes from one random.Random(seed); Faker
instances are seeded from it with seed_instance. Same arguments, same bytes.
The address book draws from its own random.Random(f"{seed}-address-book") after
everything else is written, so the mbox, zip and truth.json do not depend on it.
"""
from __future__ import annotations

import argparse
import base64
import csv
import email.utils
import io
import json
import math
import quopri
import random
import re
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from faker import Faker

UTC = timezone.utc

# ---------------------------------------------------------------- reference data

# (Faker locale, weight, country, language of mail bodies). Weighted like the
# network of a professional based in Berlin: German-speaking first, then the
# rest of Europe, then the usual international colleagues.
LOCALES = [
    ("de_DE", 22, "de", "de"), ("de_AT", 3, "at", "de"), ("de_CH", 3, "ch", "de"),
    ("en_GB", 9, "gb", "en"), ("en_US", 8, "us", "en"), ("en_IE", 1, "ie", "en"),
    ("fr_FR", 7, "fr", "fr"), ("nl_NL", 5, "nl", "nl"), ("es_ES", 5, "es", "es"),
    ("it_IT", 5, "it", "it"), ("pl_PL", 4, "pl", "en"), ("sv_SE", 3, "se", "en"),
    ("da_DK", 2, "dk", "en"), ("fi_FI", 1, "fi", "en"), ("cs_CZ", 2, "cz", "en"),
    ("tr_TR", 3, "tr", "en"), ("pt_BR", 2, "br", "en"), ("pt_PT", 1, "pt", "en"),
    ("en_IN", 4, "in", "en"), ("ja_JP", 1, "jp", "en"), ("zh_CN", 1.5, "cn", "en"),
    ("ro_RO", 1, "ro", "en"),
]
LOCALE_INFO = {loc: (country, lang) for loc, _, country, lang in LOCALES}

COUNTRY_TZ = {
    "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich", "gb": "Europe/London",
    "ie": "Europe/Dublin", "us": "America/New_York", "fr": "Europe/Paris", "nl": "Europe/Amsterdam",
    "es": "Europe/Madrid", "it": "Europe/Rome", "pl": "Europe/Warsaw", "se": "Europe/Stockholm",
    "dk": "Europe/Copenhagen", "fi": "Europe/Helsinki", "cz": "Europe/Prague", "tr": "Europe/Istanbul",
    "br": "America/Sao_Paulo", "pt": "Europe/Lisbon", "in": "Asia/Kolkata", "jp": "Asia/Tokyo",
    "cn": "Asia/Shanghai", "ro": "Europe/Bucharest",
}
COUNTRY_TLDS = {
    "de": ["de"] * 6 + ["com", "eu", "io"], "at": ["at", "at", "com"], "ch": ["ch", "ch", "com"],
    "gb": ["co.uk", "co.uk", "com"], "ie": ["ie", "com"], "us": ["com", "com", "io", "ai"],
    "fr": ["fr", "fr", "com"], "nl": ["nl", "nl", "com"], "es": ["es", "com"], "it": ["it", "it", "com"],
    "pl": ["pl", "com"], "se": ["se", "com"], "dk": ["dk"], "fi": ["fi"], "cz": ["cz"],
    "tr": ["com.tr", "com"], "br": ["com.br"], "pt": ["pt"], "in": ["in", "co.in", "com"],
    "jp": ["co.jp", "jp"], "cn": ["com.cn", "cn"], "ro": ["ro"],
}
LEGAL_SUFFIX = {
    "de": "GmbH", "at": "GmbH", "ch": "AG", "gb": "Ltd", "ie": "Ltd", "us": "Inc.", "fr": "SAS",
    "nl": "B.V.", "es": "S.L.", "it": "S.r.l.", "pl": "Sp. z o.o.", "se": "AB", "dk": "A/S",
    "fi": "Oy", "cz": "s.r.o.", "tr": "A.Ş.", "br": "Ltda.", "pt": "Lda.", "in": "Pvt. Ltd.",
    "jp": "K.K.", "cn": "Co., Ltd.", "ro": "SRL",
}
# Personal mail providers by country, with rough market shares.
FREEMAIL = {
    "de": {"gmail.com": 38, "gmx.de": 20, "web.de": 18, "t-online.de": 6, "outlook.de": 4,
           "posteo.de": 3, "icloud.com": 5, "proton.me": 3, "yahoo.de": 3},
    "at": {"gmail.com": 45, "gmx.at": 25, "aon.at": 10, "icloud.com": 10, "outlook.com": 10},
    "ch": {"gmail.com": 45, "bluewin.ch": 25, "gmx.ch": 15, "icloud.com": 10, "proton.me": 5},
    "gb": {"gmail.com": 50, "hotmail.co.uk": 14, "outlook.com": 10, "btinternet.com": 5,
           "yahoo.co.uk": 8, "icloud.com": 9, "proton.me": 4},
    "us": {"gmail.com": 60, "yahoo.com": 10, "outlook.com": 8, "hotmail.com": 7, "icloud.com": 11,
           "aol.com": 4},
    "fr": {"gmail.com": 45, "orange.fr": 14, "free.fr": 10, "hotmail.fr": 12, "laposte.net": 6,
           "yahoo.fr": 7, "icloud.com": 6},
    "it": {"gmail.com": 50, "libero.it": 20, "hotmail.it": 10, "yahoo.it": 10, "virgilio.it": 5},
    "es": {"gmail.com": 60, "hotmail.es": 20, "yahoo.es": 10, "outlook.es": 10},
    "nl": {"gmail.com": 55, "hotmail.nl": 15, "outlook.com": 10, "ziggo.nl": 10, "kpnmail.nl": 5},
    "pl": {"gmail.com": 45, "wp.pl": 20, "o2.pl": 15, "onet.pl": 15, "interia.pl": 5},
    "se": {"gmail.com": 60, "hotmail.se": 20, "outlook.com": 10, "telia.com": 5},
    "tr": {"gmail.com": 65, "hotmail.com": 25, "yandex.com": 10},
    "br": {"gmail.com": 65, "hotmail.com": 20, "yahoo.com.br": 10, "uol.com.br": 5},
}
FREEMAIL_DEFAULT = {"gmail.com": 62, "outlook.com": 13, "yahoo.com": 9, "icloud.com": 8,
                    "proton.me": 4, "hotmail.com": 4}

NICKNAMES = {
    # English
    "Andrew": ["Andy", "Drew"], "Robert": ["Bob", "Rob", "Bobby"], "Katherine": ["Kate", "Kathy", "Katie"],
    "Catherine": ["Cathy", "Kate"], "William": ["Will", "Bill", "Billy"], "Elizabeth": ["Liz", "Beth", "Lizzie"],
    "Michael": ["Mike", "Mick"], "Christopher": ["Chris", "Kit"], "Jennifer": ["Jen", "Jenny"],
    "Thomas": ["Tom", "Tommy"], "Richard": ["Rick", "Rich", "Dick"], "James": ["Jim", "Jamie", "Jimmy"],
    "Daniel": ["Dan", "Danny"], "Matthew": ["Matt"], "Joseph": ["Joe", "Joey"], "Anthony": ["Tony"],
    "Margaret": ["Maggie", "Peggy", "Meg"], "Alexander": ["Alex", "Sasha"], "Alexandra": ["Alex", "Sandra"],
    "Samuel": ["Sam"], "Samantha": ["Sam"], "Benjamin": ["Ben"], "Nicholas": ["Nick"], "Jonathan": ["Jon"],
    "Timothy": ["Tim"], "Steven": ["Steve"], "Stephen": ["Steve"], "Edward": ["Ed", "Ted", "Eddie"],
    "Patricia": ["Pat", "Trish"], "Rebecca": ["Becky", "Becca"], "Victoria": ["Vicky", "Tori"],
    "Susan": ["Sue"], "Deborah": ["Debbie", "Deb"], "Jessica": ["Jess"], "Zachary": ["Zach"],
    "Gregory": ["Greg"], "Frederick": ["Fred"], "Charles": ["Charlie", "Chuck"], "David": ["Dave"],
    "Peter": ["Pete"], "Kenneth": ["Ken"], "Ronald": ["Ron"], "Donald": ["Don"], "Lawrence": ["Larry"],
    "Gerald": ["Gerry"], "Harold": ["Harry"], "Henry": ["Hank", "Harry"], "Jacqueline": ["Jackie"],
    "Christina": ["Tina", "Chris"], "Christine": ["Chris"], "Kimberly": ["Kim"], "Pamela": ["Pam"],
    "Cynthia": ["Cindy"], "Theodore": ["Theo", "Ted"], "Nathaniel": ["Nate"], "Nathan": ["Nate"],
    "Abigail": ["Abby"], "Joshua": ["Josh"], "Jacob": ["Jake"], "Phillip": ["Phil"], "Philip": ["Phil"],
    "Raymond": ["Ray"], "Douglas": ["Doug"], "Leonard": ["Leo", "Len"], "Jeffrey": ["Jeff"],
    "Kathleen": ["Kathy", "Kate"], "Melissa": ["Mel"], "Gabriel": ["Gabe"], "Anne": ["Annie"],
    "Eleanor": ["Ellie", "Nora"], "Frances": ["Fran"], "Sarah": ["Sally"], "Mary": ["Molly"],
    # German
    "Johannes": ["Hannes", "Jo"], "Wolfgang": ["Wolf"], "Friedrich": ["Fritz"], "Christian": ["Chris"],
    "Maximilian": ["Max"], "Sebastian": ["Basti"], "Katharina": ["Kathi", "Kati"], "Elisabeth": ["Lisa", "Sissi"],
    "Stefanie": ["Steffi"], "Andreas": ["Andi"], "Matthias": ["Matze"], "Franziska": ["Franzi"],
    "Susanne": ["Susi"], "Gabriele": ["Gabi"], "Christoph": ["Chris"], "Tobias": ["Tobi"],
    "Florian": ["Flo"], "Daniela": ["Dani"], "Dominik": ["Domi"], "Jürgen": ["Jürgi"],
    "Bernhard": ["Bernd"], "Manfred": ["Manni"], "Ulrich": ["Uli"], "Joachim": ["Jochen"],
    # French
    "Nicolas": ["Nico"], "Alexandre": ["Alex"], "Christophe": ["Chris"], "Frédéric": ["Fred"],
    "Dominique": ["Dom"], "Isabelle": ["Isa"], "Maximilien": ["Max"], "Guillaume": ["Will"],
    # Spanish, Portuguese
    "Francisco": ["Paco", "Fran"], "José": ["Pepe"], "Ignacio": ["Nacho"], "Guillermo": ["Guille"],
    "Dolores": ["Lola"], "Manuel": ["Manolo"], "Enrique": ["Quique"], "Alejandro": ["Álex"],
    "Concepción": ["Concha"], "Roberto": ["Rober", "Beto"], "Eduardo": ["Edu"],
    # Italian
    "Giuseppe": ["Beppe", "Peppe"], "Francesco": ["Franco", "Checco"], "Alessandro": ["Sandro", "Alex"],
    "Giovanni": ["Gianni"], "Federico": ["Fede"], "Alessandra": ["Ale"], "Antonio": ["Toni"],
    # Dutch
    "Hendrik": ["Henk"], "Cornelis": ["Kees"], "Willem": ["Wim"], "Jacobus": ["Koos"], "Johanna": ["Hanneke"],
    # Polish
    "Katarzyna": ["Kasia"], "Małgorzata": ["Gosia"], "Aleksandra": ["Ola"], "Krzysztof": ["Krzyś"],
    "Tomasz": ["Tomek"], "Piotr": ["Piotrek"], "Wojciech": ["Wojtek"], "Agnieszka": ["Aga"],
    "Magdalena": ["Magda"], "Joanna": ["Asia"], "Jakub": ["Kuba"], "Bartłomiej": ["Bartek"],
    # Swedish, Danish, Finnish
    "Kristina": ["Stina"], "Margareta": ["Greta"], "Lars": ["Lasse"], "Nils": ["Nisse"],
}
WESTERN_NAMES = {
    "m": ["Kevin", "Jason", "Eric", "David", "Michael", "Tony", "Leo", "Jack", "Frank", "Henry", "Vincent", "Peter"],
    "f": ["Grace", "Lily", "Amy", "Cindy", "Helen", "Vivian", "Sophia", "Iris", "Joyce", "Emily", "Crystal", "Wendy"],
}
HANDLE_WORDS = ["sunny", "day", "blue", "sky", "tiger", "moon", "fox", "river", "rocket", "pixel", "coffee",
                "jazz", "surf", "alpine", "lucky", "happy", "storm", "wolf", "ninja", "mango", "polar", "bear",
                "night", "owl", "green", "tea", "maple", "star", "dust", "berlin", "kiwi", "salty", "dog",
                "velvet", "pine", "cactus", "nomad", "echo", "lemon", "cloud", "panda", "spark", "indigo"]
BRAND_PRE = ["North", "Blue", "Bright", "Silver", "Nova", "Clear", "Green", "Iron", "Swift", "Open", "Deep",
             "True", "Peak", "Red", "Cloud", "Lumen", "Vertex", "Arc", "Quantum", "Stone", "Sun", "Polar",
             "Orbit", "Cedar", "Maple", "Fern", "Atlas", "Helix", "Pixel", "Kite", "Tidal", "Echo"]
BRAND_SUF = ["wind", "line", "stone", "path", "gate", "field", "bridge", "works", "point", "wave", "forge",
             "leaf", "light", "scale", "sense", "mark", "bay", "core", "loop", "hub", "ridge", "spring"]
SECTORS = ["Analytics", "Systems", "Labs", "Partners", "Capital", "Health", "Logistics", "Energy", "Software",
           "Robotics", "Consulting", "Media", "Ventures", "Technologies", "Solutions", "Bio", "Mobility",
           "Security", "Insurance", "Foods", "Retail", "Pharma", "Materials", "Advisory"]
POSITIONS = [
    "Head of Partnerships", "Senior Software Engineer", "Product Manager", "Account Executive",
    "Managing Director", "Geschäftsführer", "Partner", "Associate", "Data Scientist", "CTO", "VP Sales",
    "Consultant", "Senior Consultant", "Project Manager", "Procurement Lead", "Research Fellow",
    "Professor", "PhD Candidate", "Founder", "Co-Founder & CEO", "Marketing Manager", "Head of Finance",
    "Legal Counsel", "Business Development Manager", "UX Designer", "Engineering Manager",
    "Operations Lead", "Principal", "Chief of Staff", "Senior Associate", "Key Account Manager",
    "Director, Strategy & Operations", "Teamleiterin Einkauf", "Referent Digitalisierung",
    "Chargée de projet", "Responsable commercial", "Directora de Operaciones", "Investment Manager",
    "Head of Data", "Solutions Architect", "Customer Success Manager", "Software Developer",
    "Senior Product Manager", "Head of Engineering", "Sales Director DACH", "Country Manager Germany",
    "Research Associate", "Postdoctoral Researcher", "Senior Data Engineer", "Finance Manager", "HR Business Partner",
    "Team Lead Backend", "Abteilungsleiter IT", "Projektleiterin", "Vertriebsleiter", "Senior Manager",
    "Director of Product", "Program Manager", "Analyst", "Investment Associate", "General Counsel",
    "Head of Procurement", "Office Manager", "Ingénieur logiciel", "Responsabile commerciale",
    "Product Owner", "Scrum Master", "Strategy Consultant", "Partner Manager", "Board Member", "Advisor",
]
RECRUITER_POSITIONS = ["Senior Recruiter", "Talent Acquisition Partner", "Executive Search Consultant",
                       "Principal Consultant", "Headhunter", "Tech Recruiter"]
LAW_POSITIONS = ["Partner", "Rechtsanwältin", "Rechtsanwalt", "Associate", "Counsel", "Senior Associate",
                 "Avocat", "Solicitor"]
ROLE_LOCALS = ["sales", "info", "team", "support", "office", "hello", "billing", "contact", "kontakt",
               "accounts", "events", "orders"]

IT_CITIES = ["Bologna", "Padova", "Pisa", "Torino", "Milano", "Trento", "Pavia", "Siena", "Genova", "Napoli",
             "Firenze", "Roma", "Verona", "Bari", "Udine"]

MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]

# ---------------------------------------------------------------- mail text banks

GREET = {
    "en": ["Hi {n},", "Hello {n},", "Dear {n},", "{n},", "Hey {n},", "Hi {n} -"],
    "de": ["Hallo {n},", "Hi {n},", "Guten Morgen {n},", "Moin {n},", "Servus {n},"],
    "fr": ["Bonjour {n},", "Salut {n},", "Coucou {n},"],
    "es": ["Hola {n},", "Buenos días {n},"],
    "it": ["Ciao {n},", "Buongiorno {n},"],
    "nl": ["Hoi {n},", "Beste {n},", "Hallo {n},"],
}
LINES_WORK = {
    "en": ["Thanks for the quick turnaround on this.", "Attached is the updated version with your comments.",
           "Could we move our call to Thursday afternoon?", "I had a look at the numbers and they look plausible.",
           "Let me check with the team and come back to you by Friday.", "Just following up on my note from last week.",
           "Happy to jump on a call if that is easier.", "We are still waiting for sign-off from legal.",
           "Can you share the latest draft before the meeting?", "Sounds good, let's go with option B.",
           "I've looped in my colleague who owns this topic.", "The invoice should reach you by the end of the month.",
           "Great meeting you yesterday - as promised, here are the slides.", "Quick question on the scope:",
           "Could you send me the signed copy when you have a minute?", "Agreed. I'll update the plan accordingly.",
           "Sorry for the slow reply, it has been a busy week.", "Does 10:30 work for you?"],
    "de": ["Danke für die schnelle Rückmeldung.", "Anbei die überarbeitete Version.",
           "Können wir den Termin auf Donnerstag verschieben?", "Ich melde mich bis Freitag bei dir.",
           "Kurze Rückfrage zum Angebot:", "Passt gut, so machen wir es.", "Von meiner Seite alles klar.",
           "Ich habe die Zahlen geprüft, sieht gut aus.", "Wir warten noch auf die Freigabe aus der Rechtsabteilung.",
           "Sorry für die späte Antwort, die Woche war voll.", "Hast du nächste Woche kurz Zeit für einen Call?"],
    "fr": ["Merci pour ton retour rapide.", "Voici la version mise à jour.", "Peut-on décaler notre appel à jeudi ?",
           "Je reviens vers toi d'ici vendredi.", "Ça me va, on part sur l'option B.",
           "Désolé pour le délai de réponse."],
    "es": ["Gracias por la respuesta tan rápida.", "Te adjunto la versión actualizada.",
           "¿Podemos mover la llamada al jueves?", "Te confirmo antes del viernes.",
           "Perfecto, vamos con la opción B."],
    "it": ["Grazie per il riscontro veloce.", "In allegato la versione aggiornata.",
           "Possiamo spostare la call a giovedì?", "Ti faccio sapere entro venerdì.", "Perfetto, procediamo così."],
    "nl": ["Bedankt voor je snelle reactie.", "Hierbij de bijgewerkte versie.",
           "Kunnen we het gesprek naar donderdag verplaatsen?", "Ik kom er vrijdag op terug.",
           "Prima, zo doen we het."],
}
LINES_PERSONAL = {
    "en": ["Are you free on Saturday?", "Great to see you last week!", "Photos are in the shared album.",
           "Happy birthday! Hope you have a great day.", "We should really catch up soon.",
           "Let me know when you are back in town.", "Dinner at ours on Friday? Bring the kids.",
           "Did you get home alright?", "Thanks again for the recommendation, the book was great."],
    "de": ["Hast du am Samstag Zeit?", "Schön, dass wir uns letzte Woche gesehen haben!",
           "Die Fotos sind im geteilten Album.", "Alles Gute zum Geburtstag!", "Lass uns bald mal wieder telefonieren.",
           "Sag Bescheid, wenn du wieder in Berlin bist."],
    "fr": ["Tu es dispo samedi ?", "Super de te voir la semaine dernière !", "Joyeux anniversaire !"],
    "es": ["¿Estás libre el sábado?", "¡Feliz cumpleaños!", "Qué bien verte la semana pasada."],
    "it": ["Sei libero sabato?", "Buon compleanno!", "Che bello vederti la settimana scorsa."],
    "nl": ["Ben je zaterdag vrij?", "Gefeliciteerd met je verjaardag!", "Leuk je vorige week te zien."],
}
CLOSE = {
    "en": ["Best,", "Best regards,", "Thanks,", "Cheers,", "Kind regards,", "BR", "Thx,", "All the best,"],
    "de": ["Viele Grüße,", "Beste Grüße,", "VG", "LG,", "Mit freundlichen Grüßen,", "Gruß,"],
    "fr": ["Bien à toi,", "Cordialement,", "Bonne journée,", "À bientôt,"],
    "es": ["Un saludo,", "Saludos,", "Un abrazo,"],
    "it": ["Un saluto,", "Cordiali saluti,", "A presto,"],
    "nl": ["Groet,", "Met vriendelijke groet,", "Groetjes,"],
}
# Lines that start with "From " so the mbox writer must escape them.
FROM_LINES = ["From my side this is fine.", "From what I can see, we are on track.",
              "From next week on I am out until the 14th.", "From our call: three open points."]
SUBJ_WORK = {
    "en": ["Q{q} planning", "Proposal for {org}", "Contract renewal", "Invoice {num}", "Workshop on {day}",
           "Follow-up from our call", "Next steps", "Feedback on the draft", "Agenda for Thursday",
           "Project {code} kickoff", "Budget {year}", "Quick question", "Slides from today", "NDA",
           "Statement of work - {code}", "Meeting notes {day}", "Data request", "Reference call",
           "{code}: status update", "Pricing", "Intro call", "Onboarding {org}", "Offsite logistics"],
    "de": ["Angebot {org}", "Rückfrage zum Vertrag", "Termin nächste Woche", "Vertragsentwurf {code}",
           "Unterlagen für {day}", "Rechnung {num}", "Abstimmung {code}", "Kurze Frage", "Protokoll {day}"],
    "fr": ["Proposition {org}", "Point {code}", "Facture {num}", "Réunion de {day}", "Question rapide"],
    "es": ["Propuesta {org}", "Reunión del {day}", "Factura {num}", "Consulta rápida"],
    "it": ["Proposta {org}", "Riunione di {day}", "Fattura {num}", "Domanda veloce"],
    "nl": ["Offerte {org}", "Overleg {day}", "Factuur {num}", "Korte vraag"],
}
SUBJ_PERSONAL = {
    "en": ["Dinner on Friday?", "Photos", "Happy birthday!", "Ski trip", "Coffee?", "Long time no see",
           "Wedding", "BBQ on Sunday", "Book recommendation", "Moving day", "Kids' party"],
    "de": ["Essen am Freitag?", "Fotos", "Alles Gute!", "Skiurlaub", "Kaffee?", "Grillen am Sonntag", "Umzug"],
    "fr": ["Dîner vendredi ?", "Photos", "Joyeux anniversaire !", "Un café ?"],
    "es": ["¿Cena el viernes?", "Fotos", "¡Feliz cumpleaños!"],
    "it": ["Cena venerdì?", "Foto", "Buon compleanno!"],
    "nl": ["Etentje vrijdag?", "Foto's", "Gefeliciteerd!"],
}
CODE_NAMES = ["Falcon", "Orion", "Atlas", "Nimbus", "Helios", "Phoenix", "Aurora", "Titan", "Kestrel",
              "Meridian", "Polaris", "Quartz", "Sequoia", "Tundra", "Vega", "Zephyr", "Lighthouse", "Bifrost"]
REPLY_PREFIX = {"en": ["Re: ", "RE: ", "Re: "], "de": ["AW: ", "Re: ", "Aw: "], "fr": ["RE: ", "Re: "],
                "es": ["RE: ", "Re: "], "it": ["R: ", "Re: "], "nl": ["Re: ", "RE: ", "Antw: "],
                "se": ["SV: "], "pl": ["Odp: ", "Re: "], "br": ["RES: ", "Re: "], "tr": ["Ynt: ", "Re: "]}
FWD_PREFIX = {"en": ["Fwd: ", "FW: "], "de": ["WG: ", "Fwd: "], "fr": ["TR: ", "Fwd: "], "es": ["RV: "],
              "it": ["I: ", "Fwd: "], "nl": ["Doorst: ", "FW: "]}


# ---------------------------------------------------------------- model

@dataclass(eq=False)
class Org:
    oid: str
    name: str
    kind: str                 # owner, corp, small, law, uni, ngo, recruit, self
    country: str
    locale: str
    domain: str
    pattern: str              # local-part convention for new addresses
    alt_pattern: str | None   # a second convention (acquired company, older hires)
    german_fold: bool         # ä -> ae in local parts (German IT departments do this)
    client: str               # outlook, workspace, apple, thunderbird, exchange
    gal: str                  # how the directory renders names: full, last_first, upper_last
    bare: float               # share of this org's mail sent without a display name
    li_names: list
    alias_domain: str | None = None
    members: list = field(default_factory=list)
    roles: list = field(default_factory=list)    # shared role Addrs


@dataclass(eq=False)
class Addr:
    addr: str
    kind: str                 # work, personal, owner, robot, shared, list, dlist
    person: Person | None = None
    org: Org | None = None
    client: str = "gmail"
    style: str = "full"       # default display-name style
    bare: float = 0.0         # chance a message from here carries no display name
    name: str = ""            # fixed display name (robots, shared addresses)
    robot_kind: str = ""
    start: datetime | None = None
    end: datetime | None = None
    case_form: str = ""       # mixed-case spelling some clients write ("Jane.Doe@Acme.com")

    def valid(self, t):
        return (self.start is None or self.start <= t) and (self.end is None or t < self.end)


@dataclass(eq=False)
class Stint:
    org: Org | None           # None = self-employed without a domain
    start: datetime
    end: datetime
    addr: Addr | None = None
    alias: Addr | None = None
    li_company: str = ""
    position: str = ""
    surname_epoch: str = ""   # set when a marriage split the stint: "maiden" or "married"


@dataclass(eq=False)
class Person:
    pid: str
    locale: str
    country: str
    lang: str
    gender: str
    first: str
    last: str
    last_key: str = ""        # surname used in addresses (the first of two Spanish surnames)
    middle: str = ""
    nick: str = ""
    native: str = ""          # name in Japanese script
    western: str = ""         # English given name some Chinese professionals use
    title: str = ""
    maiden: str = ""          # surname before marrying inside the window
    married_at: datetime | None = None
    relation: str = ""
    employer: Org | None = None
    tz: str = "Europe/Berlin"
    intensity: float = 1.0
    stints: list = field(default_factory=list)
    personal: list = field(default_factory=list)
    rel_start: datetime | None = None
    rel_end: datetime | None = None
    li: dict | None = None
    connected: date | None = None
    tok_join: str = ""
    german_fold: bool = False
    namesake_group: int = 0

    def last_at(self, t):
        return self.maiden if (self.married_at and t < self.married_at) else self.last

    def key_at(self, t):
        return self.maiden if (self.married_at and t < self.married_at) else self.last_key

    def current_stint(self):
        return self.stints[-1] if self.stints else None


@dataclass(eq=False)
class Thread:
    gid: int = 0
    msgs: list = field(default_factory=list)
    subject: str = ""


@dataclass(eq=False)
class Msg:
    t: datetime
    gid: int
    thread: Thread
    headers: list             # [(name, value)] in order, values already encoded
    body: str
    labels: list
    qp: bool = False
    parties: list = field(default_factory=list)   # the Addrs in From, To and Cc


class World:
    """Everything generated so far, plus the random source."""

    def __init__(self, people, seed, namesakes, bare_personal, job_changes, end):
        self.n = people
        self.seed = seed
        self.namesakes = namesakes
        self.bare_personal = bare_personal
        self.job_changes = job_changes
        self.end = date.fromisoformat(end)
        self.now = datetime(self.end.year, self.end.month, self.end.day, 9, 0, tzinfo=UTC)
        self.start = self.now - timedelta(days=730)
        self.rng = random.Random(seed)
        self.fakers = {}
        self.taken = {}           # lower-case address -> Addr (one owner per address)
        self.domains = set()
        self.orgs = []
        self.people = []
        self.owner = None
        self.owner_org = None
        self.msgs = []
        self.gids = set()
        self.seen = {}            # lower-case address -> pid, for every person address written
        self.robots = {}          # lower-case address -> kind
        self.shared_seen = set()
        self.li_urls = {}         # URL -> pid
        self.slugs = set()
        self.households = []      # (shared family Addr, partner a, partner b), for the address book
        self.book = []            # the address book's Cards, when one is written
        self.stats = {"bare_from_msgs": 0, "bare_addrs": set(), "bounces": 0, "announcements": 0}
        self.tzcache = {}
        # Seed-level variety: how connected the owner is on LinkedIn, how noisy robots are.
        self.li_share = self.rng.uniform(0.4, 0.68)
        self.robot_scale = self.rng.uniform(0.7, 1.3) * math.sqrt(max(people, 50) / 1000)

    def faker(self, locale):
        if locale not in self.fakers:
            f = Faker(locale)
            f.seed_instance(self.rng.randrange(2 ** 32))
            self.fakers[locale] = f
        return self.fakers[locale]

    def tz(self, name):
        if name not in self.tzcache:
            self.tzcache[name] = ZoneInfo(name)
        return self.tzcache[name]


# ---------------------------------------------------------------- small helpers

def wpick(rng, options):
    """Pick from {value: weight} or [(value, weight)]."""
    items = list(options.items()) if isinstance(options, dict) else list(options)
    x = rng.random() * sum(wt for _, wt in items)
    for v, wt in items:
        x -= wt
        if x < 0:
            return v
    return items[-1][0]


def poisson(rng, lam):
    if lam <= 0:
        return 0
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    k, p, lim = 0, 1.0, math.exp(-lam)
    while True:
        p *= rng.random()
        if p <= lim:
            return k
        k += 1


def rand_time(rng, lo, hi):
    return lo + timedelta(seconds=rng.random() * max(0.0, (hi - lo).total_seconds()))


_GERMAN = {"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"}
_SPECIAL = {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "Ae", "đ": "d", "Đ": "D", "ı": "i",
            "İ": "I", "œ": "oe", "Œ": "Oe", "þ": "th", "ð": "d", "ß": "ss"}


def fold(s, german=False):
    """ASCII-fold a name: 'Schäfer' -> 'Schafer' (or 'Schaefer' with german=True)."""
    if german:
        s = "".join(_GERMAN.get(c, c) for c in s)
    s = "".join(_SPECIAL.get(c, c) for c in s)
    s = unicodedata.normalize("NFKD", s)
    return "".join(c for c in s if not unicodedata.combining(c))


def token(s, german=False, join=""):
    """A name as it appears in a local part: lower-case ASCII, words joined by `join`."""
    words = [w for w in re.split(r"[\s\-']+", fold(s, german).lower()) if w]
    words = [re.sub(r"[^a-z0-9]", "", w) for w in words]
    words = [w for w in words if w]
    if not words:
        return "x"
    if join == "last":
        return words[-1]
    if join == "first":
        return words[0]
    return join.join(words)


def slugify(s):
    return token(s, german=True, join="-")


def is_ascii(s):
    return all(ord(c) < 128 for c in s)


# ---------------------------------------------------------------- header encoding

def _qchunks(text, limit):
    """Split text into RFC 2047 Q-encoded UTF-8 pieces without cutting a character."""
    out, cur = [], ""
    for ch in text:
        enc = ""
        for b in ch.encode("utf-8"):
            c = chr(b)
            if c.isascii() and (c.isalnum() or c in "!*+-/"):
                enc += c
            elif c == " ":
                enc += "_"
            else:
                enc += f"={b:02X}"
        if len(cur) + len(enc) > limit and cur:
            out.append(cur)
            cur = ""
        cur += enc
    if cur:
        out.append(cur)
    return out


def encode_word(text, how):
    """RFC 2047 encode a display name or subject. how: B, b, Q, q, latin1."""
    if how == "latin1":
        try:
            raw = text.encode("latin-1")
        except UnicodeEncodeError:
            how = "Q"
        else:
            pieces, cur = [], ""
            for b in raw:
                c = chr(b)
                enc = c if (c.isascii() and (c.isalnum() or c in "!*+-/")) else ("_" if c == " " else f"={b:02X}")
                if len(cur) + len(enc) > 55 and cur:
                    pieces.append(cur)
                    cur = ""
                cur += enc
            pieces.append(cur)
            return " ".join(f"=?iso-8859-1?Q?{p}?=" for p in pieces)
    if how in ("B", "b"):
        cs = "UTF-8" if how == "B" else "utf-8"
        pieces, cur = [], ""
        for ch in text:
            if len((cur + ch).encode("utf-8")) > 42 and cur:
                pieces.append(cur)
                cur = ""
            cur += ch
        pieces.append(cur)
        return " ".join(f"=?{cs}?B?{base64.b64encode(p.encode('utf-8')).decode()}?=" for p in pieces)
    cs, q = ("UTF-8", "Q") if how == "Q" else ("utf-8", "q")
    return " ".join(f"=?{cs}?{q}?{p}?=" for p in _qchunks(text, 55))


_SPECIALS = set('()<>[]:;@\\,."')


def phrase(name, enc, always_quote=False):
    """A display name ready for a header: quoted, encoded, or raw UTF-8 (enc == 'raw')."""
    if not is_ascii(name):
        if enc == "raw":   # some clients send 8-bit headers; real mailboxes contain them
            return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return encode_word(name, enc)
    if always_quote or any(c in _SPECIALS for c in name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return name


def fold_addresses(name, items, tab):
    """One address header, folded at commas like mail clients do."""
    line, lines = f"{name}: ", []
    for i, item in enumerate(items):
        piece = item + ("," if i < len(items) - 1 else "")
        if len(line) + len(piece) + 1 > 76 and line.strip() != f"{name}:":
            lines.append(line.rstrip())
            line = tab + piece + " "
        else:
            line += piece + " "
    lines.append(line.rstrip())
    return "\n".join(lines)[len(name) + 2:]


# ---------------------------------------------------------------- organisations

def company_name(w, locale, country):
    rng = w.rng
    if rng.random() < 0.45:
        name = w.faker(locale).company()
        name = re.sub(r"\s+", " ", name).strip()
    else:
        brand = rng.choice(BRAND_PRE) + rng.choice(BRAND_SUF)
        name = f"{brand} {rng.choice(SECTORS)}" if rng.random() < 0.75 else brand
        if rng.random() < 0.6:
            name += " " + LEGAL_SUFFIX.get(country, "Ltd")
    return name


def strip_legal(name):
    words = re.split(r"[\s,]+", name)
    legal = {"gmbh", "ag", "kg", "co.", "&", "und", "and", "se", "inc.", "inc", "ltd", "ltd.", "llc", "plc",
             "s.a.", "sa", "sas", "sarl", "s.l.", "s.r.l.", "s.p.a.", "b.v.", "bv", "ab", "hb", "oy", "ry", "a/s",
             "aps", "sp.", "z", "o.o.", "sp.j.", "s.r.o.", "a.ş.", "ltda.", "lda.", "pvt.", "k.k.", "srl", "kgaa",
             "mbh", "e.v.", "gbr", "ohg", "e.k.", "group", "s.c.", "s.coop.", "s.l.l.", "s.a.s.", "sàrl",
             "san.", "tic.", "ltd.şti.", "s.n.c.", "sas.", "spa", "nv", "n.v.", "as", "a.s.", "asa", "oyj",
             "sl", "s.", "y", "e", "et", "ve", "i", "och", "og", "en"}
    kept = [x for x in words if x and x.lower() not in legal]
    return " ".join(kept) if kept else name


def make_domain(w, base, country, tld=None):
    rng = w.rng
    words = [x for x in re.split(r"[\s\-]+", token(base, german=True, join=" ")) if x][:3]
    if not words:
        words = ["firm"]
    tld = tld or rng.choice(COUNTRY_TLDS.get(country, ["com"]))
    options = ["".join(words[:2]), "-".join(words[:2]), words[0], "".join(words)]
    for i in range(50):
        label = options[i % len(options)] if i < len(options) else f"{options[0]}{rng.randint(2, 99)}"
        label = label[:30].strip("-") or "firm"
        dom = f"{label}.{tld}"
        if dom not in w.domains and not any(dom == d for dom2 in FREEMAIL.values() for d in dom2):
            w.domains.add(dom)
            return dom
    raise RuntimeError("no free domain")


def new_org(w, kind, locale=None):
    """Create an organisation with its own mail conventions."""
    rng = w.rng
    if locale is None:
        locale = wpick(rng, {loc: wt for loc, wt, _, _ in LOCALES})
    country = LOCALE_INFO[locale][0]
    fk = w.faker(locale)
    alias = None
    if kind == "law":
        l1, l2 = fk.last_name(), fk.last_name()
        forms = {"de": [f"{l1} {l2} Rechtsanwälte PartG mbB", f"{l1} & Partner Rechtsanwälte"],
                 "at": [f"{l1} & Partner Rechtsanwälte"], "fr": [f"{l1} Avocats", f"Cabinet {l1}"],
                 "es": [f"{l1} Abogados"], "it": [f"Studio Legale {l1}"], "nl": [f"{l1} Advocaten"]}
        name = rng.choice(forms.get(country, [f"{l1} {l2} LLP", f"{l1} & {l2} Solicitors"]))
        domain = make_domain(w, f"{l1} {l2}" if rng.random() < 0.5 else f"{l1} law", country)
        pattern = wpick(rng, {"first.last": 50, "flast": 25, "last": 15, "f.last": 10})
    elif kind == "uni":
        # Faker's it_IT city() depends on PYTHONHASHSEED (it draws from a set), so Italy uses a list.
        city = (rng.choice(IT_CITIES) if locale == "it_IT" else fk.city()).split(" ")[0]
        forms = {"de": (f"Universität {city}", f"uni-{token(city, True)}"),
                 "at": (f"Universität {city}", f"uni{token(city, True)}"),
                 "gb": (f"University of {city}", f"{token(city)}"),
                 "fr": (f"Université de {city}", f"univ-{token(city)}"),
                 "it": (f"Università di {city}", f"uni{token(city)}"),
                 "es": (f"Universidad de {city}", f"u{token(city)}"),
                 "nl": (f"Universiteit {city}", f"uni{token(city)}")}
        name, label = forms.get(country, (f"University of {city}", f"{token(city)}-university"))
        tld = {"gb": "ac.uk", "us": "edu"}.get(country, rng.choice(COUNTRY_TLDS.get(country, ["com"])))
        domain = make_domain(w, label, country, tld)
        pattern = wpick(rng, {"first.last": 80, "flast": 10, "firstlast": 10})
        alias = "cs." + domain if rng.random() < 0.4 else None
    elif kind == "recruit":
        l1 = fk.last_name()
        name = rng.choice([f"{l1} Executive Search", f"Talent{rng.choice(BRAND_SUF)} Recruitment",
                           f"{rng.choice(BRAND_PRE)} People", f"{l1} & Partners Search"])
        domain = make_domain(w, strip_legal(name), country)
        pattern = wpick(rng, {"first.last": 70, "flast": 15, "first": 15})
    elif kind == "ngo":
        word = rng.choice(BRAND_PRE) + rng.choice(BRAND_SUF)
        name = rng.choice([f"{word} Foundation", f"{word} e.V.", f"Open {word} Initiative"])
        domain = make_domain(w, word + (" foundation" if rng.random() < 0.5 else ""), country,
                             rng.choice(["org", "org", COUNTRY_TLDS.get(country, ["org"])[0]]))
        pattern = wpick(rng, {"first.last": 60, "first": 40})
    elif kind == "small":
        l1 = fk.last_name()
        name = rng.choice([f"Studio {l1}", f"{l1} Consulting", f"{rng.choice(BRAND_PRE)}works",
                           f"{l1} & {fk.last_name()}", f"{rng.choice(BRAND_PRE)} {rng.choice(SECTORS)}",
                           company_name(w, locale, country)])
        domain = make_domain(w, strip_legal(name), country)
        pattern = wpick(rng, {"first": 55, "first.last": 25, "flast": 12, "firstl": 8})
    else:  # corp (and the owner's employer)
        name = company_name(w, locale, country)
        domain = make_domain(w, strip_legal(name), country)
        pattern = wpick(rng, {"first.last": 52, "flast": 15, "f.last": 9, "firstl": 5, "first_last": 5,
                              "firstlast": 6, "last": 3, "first-last": 5})
        if rng.random() < 0.12:   # the same company under a second ccTLD (acme.de / acme.com)
            base, _, tld = domain.partition(".")
            other = "com" if tld != "com" else COUNTRY_TLDS.get(country, ["de"])[0]
            if other != tld and f"{base}.{other}" not in w.domains:
                alias = f"{base}.{other}"
                w.domains.add(alias)
    client = wpick(rng, {"outlook": 55, "workspace": 30, "apple": 5, "thunderbird": 5, "exchange": 5})
    if kind == "small":
        client = wpick(rng, {"workspace": 55, "apple": 25, "outlook": 20})
    gal = "full"
    if client in ("outlook", "exchange"):
        gal = wpick(rng, {"full": 70, "last_first": 20 if country in ("us", "gb", "nl", "se") else 8,
                          "upper_last": 25 if country == "fr" else 2})
    bare = 0.75 if client == "exchange" else 0.03
    short = strip_legal(name)
    li_names = [short, short, name] + ([short.upper()] if len(short) < 14 else [])
    org = Org(oid=f"o{len(w.orgs) + 1:04d}", name=name, kind=kind, country=country, locale=locale,
              domain=domain, pattern=pattern,
              alt_pattern=(wpick(rng, {"flast": 1, "first.last": 1, "firstl": 1}) if rng.random() < 0.1 else None),
              german_fold=(country in ("de", "at", "ch") and rng.random() < 0.75),
              client=client, gal=gal, bare=bare, li_names=li_names, alias_domain=alias)
    w.orgs.append(org)
    return org


def self_org(w, p):
    """A freelancer's own one-person domain (jane@janedoe.de, info@doe-consulting.com)."""
    rng = w.rng
    base = rng.choice([f"{p.first} {p.last_key}", f"{p.last_key} consulting", f"{p.last_key} design",
                       f"{p.first}{p.last_key}"])
    name = rng.choice([f"{p.first} {p.last_key} Consulting", f"{p.last_key} Design", "Self-employed",
                       f"{p.first} {p.last} - Freelance"])
    domain = make_domain(w, base, p.country)
    org = Org(oid=f"o{len(w.orgs) + 1:04d}", name=name, kind="self", country=p.country, locale=p.locale,
              domain=domain, pattern=rng.choice(["first", "first", "info", "mail", "hello", "kontakt"]),
              alt_pattern=None, german_fold=True, client=rng.choice(["apple", "workspace"]), gal="full",
              bare=0.05, li_names=[name, rng.choice(["Self-employed", "Freelance", "Selbstständig",
                                                     "Independent Consultant"])])
    w.orgs.append(org)
    return org


# ---------------------------------------------------------------- people

def make_name(w, p):
    """Fill in the name fields of p from its locale."""
    rng, fk = w.rng, w.faker(p.locale)
    if p.locale == "ja_JP":
        fp = fk.first_name_male_pair() if p.gender == "m" else fk.first_name_female_pair()
        lp = fk.last_name_pair()
        p.first, p.last = fp[2], lp[2]
        p.native = f"{lp[0]} {fp[0]}"            # family name first, as written in Japanese
    elif p.locale == "zh_CN":
        p.first, p.last = fk.first_romanized_name(), fk.last_romanized_name()
        if rng.random() < 0.45:
            p.western = rng.choice(WESTERN_NAMES[p.gender])
    else:
        p.first = fk.first_name_male() if p.gender == "m" else fk.first_name_female()
        p.last = fk.last_name()
    p.last_key = p.last
    if p.locale == "es_ES" and rng.random() < 0.6:   # two surnames; mail usually uses the first
        p.last = f"{p.last} {fk.last_name()}"
    if p.locale.startswith("de_") and rng.random() < 0.08:    # Hans-Peter, Anna Lena
        other = fk.first_name_male() if p.gender == "m" else fk.first_name_female()
        if other != p.first and "-" not in p.first + other and " " not in p.first + other:
            p.first = f"{p.first}-{other}" if rng.random() < 0.6 else f"{p.first} {other}"
    if p.locale in ("en_US", "en_GB", "en_IE") and rng.random() < 0.4 or rng.random() < 0.08:
        p.middle = fk.first_name_male() if p.gender == "m" else fk.first_name_female()
    base_first = p.first.split("-")[0].split(" ")[0]
    if base_first in NICKNAMES and rng.random() < 0.75:
        p.nick = rng.choice(NICKNAMES[base_first])
    if p.country in ("de", "at", "ch") and rng.random() < 0.08:
        p.title = "Prof. Dr." if rng.random() < 0.12 else "Dr."
    elif rng.random() < 0.02:
        p.title = "Dr."
    p.tok_join = wpick(rng, {"": 60, "-": 15, "last": 15, "first": 10})
    p.german_fold = rng.random() < 0.7


RELATIONS = {"work": 40, "personal": 12, "network": 15, "recruiter": 3, "list": 5, "cc": 7, "linkedin_only": 10}


def pick_org_for(w, p, kinds):
    """Preferential attachment: people cluster in a few big organisations and many small ones."""
    rng = w.rng
    pool = [o for o in w.orgs if o.kind in kinds]
    if pool and rng.random() > 0.32:
        return wpick(rng, [(o, (len(o.members) + 1) ** 1.15) for o in pool])
    kind = wpick(rng, {"corp": 55, "small": 24, "law": 7, "uni": 7, "ngo": 7})
    kind = kind if kind in kinds else kinds[0]
    loc = p.locale if rng.random() < 0.55 else ("de_DE" if rng.random() < 0.5 else None)
    return new_org(w, kind, loc)


def make_owner(w):
    rng = w.rng
    loc = wpick(rng, {"de_DE": 70, "en_GB": 8, "fr_FR": 6, "nl_NL": 6, "it_IT": 5, "pl_PL": 5})
    country, lang = LOCALE_INFO[loc]
    o = Person(pid="owner", locale=loc, country=country, lang=lang, gender=rng.choice("mf"), first="", last="")
    make_name(w, o)
    o.middle, o.title = "", ""
    o.first = o.first.split(" ")[0]
    w.owner = o
    w.owner_org = org = new_org(w, "corp", "de_DE")
    org.kind = "owner"
    org.client = rng.choice(["outlook", "workspace"])
    org.gal, org.bare = "full", 0.0
    o.employer = org
    o.tz = "Europe/Berlin"
    f, ln = token(o.first, True, "first"), token(o.last_key, True, "")
    o.stints = [Stint(org, w.start - timedelta(days=2000), w.now + timedelta(days=3650))]
    work = alloc_work(w, o, org, w.start, None, None)
    work.kind = "owner"
    handle = rng.choice([f"{f}.{ln}", f"{f}{ln}", f"{f}.{ln}{rng.randint(70, 99)}", f"{f[0]}{ln}{rng.randint(1, 99)}"])
    personal = Addr(f"{handle}@gmail.com", "owner", o, None, client="gmail")
    claim(w, personal)
    o.stints[0].addr = work
    o.personal = [personal]
    o.li = {"first": o.first, "last": o.last, "url": linkedin_url(w, o, o.first, o.last)}
    org.members.append(o)


def make_people(w):
    rng = w.rng
    n_colleagues = max(3, round(w.n * rng.uniform(0.07, 0.11)))
    relations = ["colleague"] * n_colleagues + [wpick(rng, RELATIONS) for _ in range(w.n - n_colleagues)]
    rng.shuffle(relations)
    for i in range(w.n):
        loc = wpick(rng, {loc: wt for loc, wt, _, _ in LOCALES})
        country, lang = LOCALE_INFO[loc]
        p = Person(pid=f"h{i + 1:04d}", locale=loc, country=country, lang=lang, gender=rng.choice("mf"),
                   first="", last="")
        make_name(w, p)
        p.relation = relations[i]
        p.intensity = math.exp(rng.gauss(0, 0.9))
        w.people.append(p)
    work_kinds = ["corp", "small", "law", "uni", "ngo"]
    # Work contacts first, so cc-only people can join organisations that already appear in mail.
    order = sorted(w.people, key=lambda p: {"colleague": 0, "work": 1}.get(p.relation, 2))
    for p in order:
        r = p.relation
        if r == "colleague":
            org = w.owner_org
        elif r == "recruiter":
            org = pick_org_for(w, p, ["recruit"])
        elif r == "cc":
            pool = [o for o in w.orgs if o.kind in work_kinds and any(m.relation == "work" for m in o.members)]
            org = wpick(rng, [(o, len(o.members) + 1) for o in pool]) if pool else pick_org_for(w, p, work_kinds)
        else:
            employed = {"work": 0.94, "network": 0.82, "personal": 0.5, "list": 0.6, "linkedin_only": 0.85}[r]
            org = pick_org_for(w, p, work_kinds) if rng.random() < employed else None
            if org is None and r in ("work", "network") and rng.random() < 0.5:
                org = self_org(w, p)
        p.employer = org
        if org:
            org.members.append(p)
    for p in w.people:
        p.tz = COUNTRY_TZ.get(p.employer.country if p.employer else p.country, "Europe/Berlin")
        if p.employer is w.owner_org and rng.random() < 0.8:
            p.tz = "Europe/Berlin"


def name_key(p):
    return f"{token(p.first, False, ' ')}|{token(p.last, False, ' ')}"


def apply_namesakes(w):
    """Give a `namesakes` share of people the full name of someone at another organisation."""
    rng = w.rng
    target = round(w.namesakes * w.n)
    groups = {}
    for p in w.people:
        groups.setdefault(name_key(p), []).append(p)
    in_groups = sum(len(g) for g in groups.values() if len(g) > 1)
    used = {id(p) for g in groups.values() if len(g) > 1 for p in g}
    colleagues = [p for p in w.people if p.relation == "colleague"]
    loners = [p for p in w.people if p.employer is None or p.employer.kind == "self"]
    law = [p for p in w.people if p.employer and p.employer.kind == "law"]
    tries = 0
    while in_groups < target and tries < 20 * w.n:
        tries += 1
        scen = wpick(rng, {"owner_org": 15, "gmail_law": 15, "any": 70})
        if scen == "owner_org" and colleagues:
            a = rng.choice(colleagues)
            b = rng.choice(w.people)
        elif scen == "gmail_law" and loners:
            a = rng.choice(loners)
            if law and rng.random() < 0.5:
                b = rng.choice(law)
            else:   # move someone into a law firm so the case exists
                b = rng.choice([p for p in w.people if p.relation in ("work", "network", "linkedin_only")])
                if id(b) in used or b.employer is None:
                    continue
                lawfirm = next((o for o in w.orgs if o.kind == "law"), None) or new_org(w, "law", b.locale)
                b.employer.members.remove(b)
                b.employer = lawfirm
                lawfirm.members.append(b)
                law.append(b)
        else:
            a, b = rng.choice(w.people), rng.choice(w.people)
        if a is b or id(b) in used or (a.employer is not None and a.employer is b.employer):
            continue
        if b.employer is not None and b.employer.kind == "self":
            continue
        # b becomes a's namesake: same full name, same cultural background, own everything else.
        for f in ("locale", "country", "lang", "gender", "first", "last", "last_key", "native", "nick"):
            setattr(b, f, getattr(a, f))
        b.western = a.western if rng.random() < 0.5 else ""
        in_groups += 1 if id(a) in used else 2
        used.add(id(a))
        used.add(id(b))
    groups = {}
    for p in w.people:
        groups.setdefault(name_key(p), []).append(p)
    for gi, g in enumerate((g for g in groups.values() if len(g) > 1), start=1):
        for p in g:
            p.namesake_group = gi


def plan_careers(w):
    """Stints at employers: job changes, self-employment and a few surname changes."""
    rng = w.rng
    far_past, far_future = w.start - timedelta(days=3000), w.now + timedelta(days=3650)
    namesake_orgs = {}
    for p in w.people:
        if p.namesake_group:
            namesake_orgs.setdefault(p.namesake_group, set()).add(p.employer.oid if p.employer else "")
    for p in w.people:
        p.stints = [Stint(p.employer, far_past, far_future)] if p.employer else []
        eligible = p.relation not in ("recruiter", "list")
        if not eligible or rng.random() >= w.job_changes:
            continue
        t_c = rand_time(rng, w.start + timedelta(days=45), w.now - timedelta(days=25))
        choice = wpick(rng, {"existing": 40, "new": 42, "self": 18})
        if p.employer is None:
            choice = "existing" if rng.random() < 0.5 else "new"
        avoid = namesake_orgs.get(p.namesake_group, set()) if p.namesake_group else set()
        if choice == "existing":
            pool = [o for o in w.orgs if o.kind in ("corp", "small", "law", "uni", "ngo", "owner")
                    and o is not p.employer and o.oid not in avoid]
            new = wpick(rng, [(o, len(o.members) + 1) for o in pool]) if pool else None
        elif choice == "new":
            new = new_org(w, wpick(rng, {"corp": 60, "small": 30, "ngo": 10}), p.locale if rng.random() < 0.6 else None)
        else:
            new = self_org(w, p) if rng.random() < 0.5 else None
        overlap = timedelta(days=rng.choice([0, 0, 0, 3, 7, 14, 21]))
        if p.stints:
            p.stints[0].end = t_c + overlap
        p.stints.append(Stint(new, t_c, far_future))
        if new:
            new.members.append(p)
    # Marriages: a new surname, a new work address, the old one kept as an alias for a while.
    for p in w.people:
        if (p.gender == "f" and p.stints and p.stints[-1].org and not p.namesake_group
                and p.relation in ("work", "colleague", "network") and rng.random() < 0.015):
            t_m = rand_time(rng, w.start + timedelta(days=60), w.now - timedelta(days=60))
            p.maiden = p.last
            p.last = w.faker(p.locale).last_name()
            p.last_key = p.last
            p.married_at = t_m
            s = next((s for s in p.stints if s.start <= t_m < s.end and s.org), None)
            if s:
                tail = Stint(s.org, t_m + timedelta(days=rng.randint(3, 30)), s.end, surname_epoch="married")
                s.end = min(s.end, tail.start + timedelta(days=rng.choice([0, 30, 90])))
                s.surname_epoch = "maiden"
                p.stints.insert(p.stints.index(s) + 1, tail)


# ---------------------------------------------------------------- addresses

def claim(w, a):
    key = a.addr.lower()
    if key in w.taken:
        return False
    w.taken[key] = a
    return True


def work_local(p, org, pattern, t):
    g = org.german_fold and p.german_fold
    first = p.western if (p.western and org.country not in ("cn",)) else p.first
    if org.kind == "small" and p.nick and pattern == "first" and is_ascii(p.nick):
        first = p.nick   # "andy@studio-x.de"
    f = token(first, g, {"last": "first"}.get(p.tok_join, p.tok_join))
    ln = token(p.key_at(t), g, p.tok_join)
    fmt = {"first.last": f"{f}.{ln}", "flast": f"{f[0]}{ln}", "firstl": f"{f}{ln[0]}", "first": f,
           "last": ln, "first_last": f"{f}_{ln}", "firstlast": f"{f}{ln}", "f.last": f"{f[0]}.{ln}",
           "first-last": f"{f}-{ln}", "info": "info", "mail": "mail", "hello": "hello", "kontakt": "kontakt"}
    return fmt[pattern], f, ln


def alloc_work(w, p, org, t, start, end):
    rng = w.rng
    pattern = org.alt_pattern if (org.alt_pattern and rng.random() < 0.2) else org.pattern
    base, f, ln = work_local(p, org, pattern, t)
    cands = [base]
    if pattern in ("first", "last"):
        cands += [f"{f}.{ln}", f"{f}{ln[0]}"]
    if p.middle and rng.random() < 0.4:
        m = token(p.middle)[0]
        cands.append(base.replace(".", f".{m}.", 1) if "." in base else f"{f}{m}{ln}")
    cands += [f"{base}{i}" for i in range(2, 40)]
    for local in cands:
        a = Addr(f"{local}@{org.domain}", "work", p, org, client=org.client, start=start, end=end)
        if claim(w, a):
            return a
    raise RuntimeError("address space exhausted")


def alloc_personal(w, p, domain=None):
    rng = w.rng
    if domain is None:
        domain = wpick(rng, FREEMAIL.get(p.country, FREEMAIL_DEFAULT))
    g = p.german_fold
    f = token(p.first, g, "first" if rng.random() < 0.5 else "")
    ln = token(p.last_key, g, p.tok_join)
    nick = token(p.nick or p.western or p.first, g, "first")
    yy = rng.choice([rng.randint(60, 99), rng.randint(0, 9), rng.randint(1970, 2001), rng.randint(1, 999)])
    form = wpick(rng, {"first.last": 25, "firstlast": 14, "flast": 8, "first.last+n": 11, "nick+n": 8,
                       "first_last": 5, "lastfirst": 3, "f.last": 5, "handle": 12, "initials+n": 4,
                       "last.first": 3, "first.middle.last": 2})
    handle = rng.choice(HANDLE_WORDS) + rng.choice(HANDLE_WORDS) + str(rng.randint(1, 99))
    local = {
        "first.last": f"{f}.{ln}", "firstlast": f"{f}{ln}", "flast": f"{f[0]}{ln}", "first.last+n": f"{f}.{ln}{yy}",
        "nick+n": f"{nick}{yy}", "first_last": f"{f}_{ln}", "lastfirst": f"{ln}{f}", "f.last": f"{f[0]}.{ln}",
        "handle": handle, "initials+n": f"{f[0]}{ln[0]}{yy}", "last.first": f"{ln}.{f}",
        "first.middle.last": f"{f}.{token(p.middle or 'x')[0]}.{ln}",
    }[form]
    for local_try in [local] + [f"{local}{i}" for i in (rng.randint(1, 99), rng.randint(100, 999))] + \
            [f"{local}.{rng.randint(1000, 99999)}" for _ in range(20)]:
        a = Addr(f"{local_try}@{domain}", "personal", p, None, client=personal_client(domain, rng))
        if claim(w, a):
            return a
    raise RuntimeError("personal address space exhausted")


def personal_client(domain, rng):
    if domain == "gmail.com":
        return "gmail"
    if domain == "icloud.com":
        return "apple"
    if domain.startswith(("outlook", "hotmail")):
        return "outlookcom"
    return rng.choice(["webmail", "thunderbird", "apple"])


def assign_addresses(w):
    rng = w.rng
    for p in w.people:
        for s in p.stints:
            if s.org is None:
                continue
            s.addr = alloc_work(w, p, s.org, s.start if s.surname_epoch != "married" else s.start + timedelta(1),
                                s.start, s.end)
            if s.org.alias_domain and rng.random() < 0.5:    # cs.uni-x.de, acme.com next to acme.de
                al = Addr(s.addr.addr.split("@")[0] + "@" + s.org.alias_domain, "work", p, s.org,
                          client=s.org.client, start=s.start, end=s.end)
                if claim(w, al):
                    s.alias = al
            elif rng.random() < 0.03:    # a second local part at the same domain (jane.doe@ and jdoe@)
                f, ln = token(p.first, s.org.german_fold, "first"), token(p.key_at(s.start), s.org.german_fold)
                al = Addr(f"{f[0]}{ln}@{s.org.domain}", "work", p, s.org, client=s.org.client,
                          start=s.start, end=s.end)
                if al.addr != s.addr.addr and claim(w, al):
                    s.alias = al
            s.li_company = rng.choice(s.org.li_names)
            s.position = (rng.choice(RECRUITER_POSITIONS) if s.org.kind == "recruit" else
                          rng.choice(LAW_POSITIONS) if s.org.kind == "law" else
                          rng.choice(["Founder", "Freelance Consultant", "Owner", "Designer"]) if s.org.kind == "self"
                          else rng.choice(POSITIONS) if rng.random() < 0.85 else w.faker("en_US").job())
        for s in p.stints:
            if s.org is None:
                s.li_company = rng.choice(["Self-employed", "Freelance", "Selbstständig", ""])
                s.position = rng.choice(["Freelance Consultant", "Independent Advisor", "Coach", ""])
        share = {"personal": 1.0, "network": 0.6, "list": 0.65, "work": 0.4, "colleague": 0.5,
                 "recruiter": 0.05, "cc": 0.1, "linkedin_only": 0.3}[p.relation]
        needs = p.employer is None or any(s.org is None for s in p.stints)
        if needs or rng.random() < share:
            a = alloc_personal(w, p)
            p.personal.append(a)
            if rng.random() < 0.12:       # an old address retired for a new one
                b = alloc_personal(w, p)
                switch = rand_time(rng, w.start, w.now)
                a.end, b.start = switch + timedelta(days=rng.randint(0, 60)), switch
                p.personal.append(b)
        for a in work_addrs(p) + p.personal:
            assign_style(w, p, a)
    # Exactly a bare_personal share of personal addresses send without a display name.
    personal = [a for p in w.people for a in p.personal]
    for a in rng.sample(personal, round(w.bare_personal * len(personal))):
        a.bare, a.style = 0.93, "full"


def work_addrs(p):
    out = []
    for s in p.stints:
        out += [a for a in (s.addr, s.alias) if a]
    return out


def assign_style(w, p, a):
    """How this address's mail client shows the sender's name."""
    rng = w.rng
    if a.kind == "personal":
        a.bare = 0.03
        options = {"full": 58, "nick": 9 if p.nick else 0, "first": 7, "lower": 5, "ascii": 5, "addr": 3,
                   "full_mid": 3 if p.middle else 0, "initial_last": 2, "native": 12 if p.native else 0,
                   "western": 25 if p.western else 0, "surname_first": 6 if p.locale in ("ja_JP", "zh_CN") else 0,
                   "username": 2}
    else:
        org = a.org
        a.bare = org.bare
        gal = org.gal if rng.random() < 0.9 else "full"
        options = {"full": 60 if gal == "full" else 8, "last_first": 75 if gal == "last_first" else 0,
                   "upper_last": 75 if gal == "upper_last" else 0, "full_mid": 6 if p.middle else 0,
                   "title": 12 if p.title else 0, "company": 4, "upper": 2, "ascii": 4,
                   "western": 30 if p.western else 0, "nick": 5 if p.nick else 0, "native": 3 if p.native else 0,
                   "full1": 20 if " " in p.last and p.locale == "es_ES" else 0}
        if rng.random() < 0.04 and org.client == "outlook":
            local, _, dom = a.addr.partition("@")
            a.case_form = ".".join(x.capitalize() for x in local.split(".")) + "@" + dom.capitalize()
    a.style = wpick(rng, options)


def work_addr_at(w, p, t):
    live = [s for s in p.stints if s.addr and s.start <= t < s.end]
    if not live:
        return None
    s = live[0] if (len(live) > 1 and w.rng.random() < 0.3) else live[-1]
    if s.alias and w.rng.random() < 0.25:
        return s.alias
    return s.addr


def personal_addr_at(w, p, t):
    live = [a for a in p.personal if a.valid(t)]
    if not live:
        return None
    return live[-1] if len(live) == 1 or w.rng.random() < 0.7 else live[0]


def addr_at(w, p, t, ctx):
    """The address p uses at time t in a work or personal conversation."""
    if p is w.owner:
        return p.personal[0] if (ctx == "personal") != (w.rng.random() < 0.04) else p.stints[0].addr
    work, pers = work_addr_at(w, p, t), personal_addr_at(w, p, t)
    if ctx == "personal":
        return pers or work
    return work or pers


# ---------------------------------------------------------------- display names

def display(w, a, t, style=None):
    """The name a's own mail client puts in From, or None for a bare address."""
    p = a.person
    if a.kind in ("robot", "shared", "list", "dlist"):
        return a.name or None
    style = style or a.style
    first, last = p.first, p.last_at(t)
    if p is w.owner:
        return f"{first} {last}"
    if style == "full":
        return f"{first} {last}"
    if style == "full1":
        return f"{first} {last.split(' ')[0]}"
    if style == "full_mid":
        return f"{first} {p.middle[0]}. {last}" if p.middle else f"{first} {last}"
    if style == "last_first":
        return f"{last}, {first}"
    if style == "upper_last":
        return f"{last.upper()} {first}"
    if style == "upper":
        return f"{first} {last}".upper()
    if style == "nick":
        return f"{p.nick or first} {last}"
    if style == "first":
        return p.nick or first if w.rng.random() < 0.3 else first
    if style == "lower":
        return f"{first} {last}".lower()
    if style == "ascii":
        return fold(f"{first} {last}", german=p.german_fold)
    if style == "title":
        return f"{p.title or 'Dr.'} {first} {last}"
    if style == "company":
        org = a.org.name if a.org else ""
        return f"{first} {last} | {strip_legal(org)}" if org else f"{first} {last}"
    if style == "addr":
        return a.addr
    if style == "native":
        return p.native or f"{first} {last}"
    if style == "western":
        return f"{p.western} {last}" if p.western else f"{first} {last}"
    if style == "surname_first":
        return f"{last} {first}"
    if style == "username":       # the account name some clients fall back to
        return a.addr.split("@")[0]
    if style == "initial_last":
        return f"{first[0]}. {last}"
    return f"{first} {last}"


def sender_name(w, a, t):
    """From display for one message: usually the client's default, sometimes another device."""
    rng = w.rng
    if a.kind in ("robot", "shared", "list", "dlist"):
        return a.name or None
    if rng.random() < a.bare:
        return None
    if rng.random() < 0.1:   # phone, webmail, a colleague's laptop
        return display(w, a, t, rng.choice(["full", "full", "first", "ascii", "upper", "nick", "lower"]))
    return display(w, a, t)


def recipient_name(w, a, t):
    """How the writer's address book shows a recipient."""
    rng = w.rng
    if a.kind in ("robot", "list"):
        return a.name or None
    if a.kind in ("shared", "dlist"):
        return a.name if rng.random() < 0.6 else None
    p = a.person
    r = rng.random()
    if r < 0.5:
        return display(w, a, t) if rng.random() >= a.bare else None
    if r < 0.68:
        return f"{p.first} {p.last_at(t)}"
    if r < 0.78:
        return None
    if r < 0.83:
        return p.nick or p.first
    if r < 0.86:
        return f"'{p.first} {p.last_at(t)}'"     # Outlook's single-quoted names
    if r < 0.88:
        return a.addr
    if r < 0.92:
        return f"{p.nick or p.first} {p.last_at(t)}"
    if r < 0.95 and not is_ascii(p.last):
        return fold(f"{p.first} {p.last_at(t)}")
    return display(w, a, t, "full")


CLIENT_ENC = {"gmail": "B", "workspace": "B", "outlook": "latin1", "outlookcom": "b", "exchange": "latin1",
              "apple": "Q", "thunderbird": "Q", "webmail": "q", "robot": "B"}


def render(w, a, name, writer):
    """One address in a header, as the writer's client would write it; records who it is."""
    rng = w.rng
    enc = CLIENT_ENC.get(writer.client, "B")
    if rng.random() < 0.01:
        enc = "raw"
    if enc == "latin1" and rng.random() < 0.4:
        enc = "B"
    addr = a.case_form if (a.case_form and rng.random() < 0.5) else a.addr
    if a.person is not None and a.kind in ("work", "personal"):
        w.seen[a.addr.lower()] = a.person.pid
    elif a.kind in ("robot", "list"):
        w.robots[a.addr.lower()] = a.robot_kind
    elif a.kind in ("shared", "dlist"):
        w.shared_seen.add(a.addr.lower())
    if not name:
        return f"<{addr}>" if rng.random() < 0.05 else addr
    quote_all = writer.client in ("outlook", "exchange", "gmail") and rng.random() < 0.5
    if "," in name and not is_ascii(name) and enc in ("Q", "q") and rng.random() < 0.5:
        # the trap of docs/formats.md, 4.3 Header parsing: a comma hidden inside a Q-encoded word
        return f"{encode_word(name, enc)} <{addr}>"
    return f"{phrase(name, enc, quote_all)} <{addr}>"


# ---------------------------------------------------------------- messages

def gmail_id(w, t):
    """Decimal Gmail message id: milliseconds since the epoch shifted left 20 bits, plus noise."""
    ms = int(t.timestamp() * 1000)
    while True:
        gid = (ms << 20) | w.rng.getrandbits(20)
        if gid not in w.gids:
            w.gids.add(gid)
            return gid


def message_id(w, writer, t):
    rng = w.rng
    c = writer.client
    dom = writer.addr.split("@")[1]
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    if c in ("gmail", "workspace"):
        body = "".join(rng.choice(alnum + "+_-") for _ in range(rng.randint(40, 60)))
        return f"<CA{body}@mail.gmail.com>"
    if c in ("outlook", "outlookcom"):
        srv = rng.choice(["AM0PR04MB", "DB9PR08MB", "VI1PR07MB", "PAXPR06MB", "FR3P281MB", "LO2P265MB"])
        num = rng.randint(1000, 9999)
        tail = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
        region = "eurprd04" if "PR" in srv else "GBRP265"
        return f"<{srv}{num}{tail}@{srv}{num}.{region}.prod.outlook.com>"
    if c == "apple":
        u = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
        return f"<{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}@{dom}>"
    if c == "exchange":    # the Enron-era JavaMail form
        user = writer.addr.split("@")[0]
        return f"<{rng.randint(10 ** 7, 10 ** 8)}.{int(t.timestamp() * 1000)}.JavaMail.{user}@{dom}>"
    u = "".join(rng.choice("0123456789abcdef") for _ in range(32))
    return f"<{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}@{dom}>"


def in_hours(w, t, tzname, ctx):
    """Move t into plausible sending hours for the sender's timezone."""
    rng = w.rng
    loc = t.astimezone(w.tz(tzname))
    if ctx == "work":
        if loc.weekday() >= 5 and rng.random() < 0.85:
            loc = loc + timedelta(days=7 - loc.weekday())
        if not 7 <= loc.hour < 20 or loc.weekday() >= 5 and loc.hour < 9:
            loc = loc.replace(hour=rng.choice([8, 9, 9, 10, 10, 11, 13, 14, 14, 15, 16, 17, 18]),
                              minute=rng.randint(0, 59))
    elif ctx == "personal" and 1 <= loc.hour < 7:
        loc = loc.replace(hour=rng.choice([8, 12, 18, 19, 20, 21, 22]), minute=rng.randint(0, 59))
    return loc.astimezone(UTC).replace(microsecond=0)


def date_header(w, t, tzname):
    loc = t.astimezone(w.tz(tzname))
    s = email.utils.format_datetime(loc)
    if w.rng.random() < 0.04:
        s += f" ({loc.tzname()})"
    return s


def labels_for(w, t, outgoing, category="Personal"):
    """Takeout's X-Gmail-Labels: Sent for the owner's mail; Inbox or Archived, read state, category."""
    rng = w.rng
    if outgoing:
        return ["Sent", "Opened"] + (["Important"] if rng.random() < 0.3 else [])
    recent = (w.now - t).days < 21
    labs = []
    labs.append("Inbox" if recent or rng.random() < 0.12 else "Archived")
    if rng.random() < (0.45 if category == "Personal" else 0.1):
        labs.append("Important")
    labs.append("Unread" if rng.random() < (0.05 if category == "Personal" else 0.5) else "Opened")
    labs.append(f"Category {category}")
    if rng.random() < 0.04:
        labs.append(rng.choice(["Starred", "Clients", "Projects/2026", "Kunden/Müller", "Reisen", "Follow up"]))
    rng.shuffle(labs)
    return labs


def fmt_labels(labels):
    out = []
    for lab in labels:
        out.append(lab if is_ascii(lab) else encode_word(lab, "Q"))
    return ",".join(out)


def emit(w, th, t, frm, to, cc, subject, body, *, from_name=..., sender=None, reply_to=None,
         extra=(), labels=None, tz="Europe/Berlin", category="Personal", delivered=None, qp=False):
    """Create one message. frm/to/cc are Addr objects; names are rendered per the writer's client."""
    rng = w.rng
    outgoing = frm.kind == "owner"
    pids = [a.person.pid for a in [frm] + to + cc if a.person is not None]
    assert len(pids) == len(set(pids)), "a person appears twice on one message"
    gid = gmail_id(w, t)
    if not th.msgs:
        th.gid = gid
    name = sender_name(w, frm, t) if from_name is ... else from_name
    if name is None and frm.person is not None and frm.kind in ("work", "personal"):
        w.stats["bare_from_msgs"] += 1
        w.stats["bare_addrs"].add(frm.addr.lower())
    tab = "\t" if frm.client in ("outlook", "exchange") else " "
    hdr = []
    if not outgoing:
        dest = delivered or next((a.addr for a in to + cc if a.kind == "owner"), None) or \
            (w.owner.stints[0].addr.addr if category != "Personal" or rng.random() < 0.6 else w.owner.personal[0].addr)
        hdr.append(("Delivered-To", dest))
    mid = message_id(w, frm, t)
    hdr.append(("MIME-Version", "1.0"))
    hdr.append(("Date", date_header(w, t, tz)))
    hdr.append(("Message-ID", mid))
    if th.msgs:
        prev = th.msgs[-1]
        prev_id = dict(prev.headers)["Message-ID"]
        refs = [v for k, v in prev.headers if k == "References"]
        chain = (refs[0].split() if refs else []) + [prev_id]
        hdr.append(("In-Reply-To", prev_id))
        hdr.append(("References", " ".join(chain[-8:])))
    subj_enc = CLIENT_ENC.get(frm.client, "B").replace("latin1", "Q")
    subj = subject if is_ascii(subject) else encode_word(subject, subj_enc)
    hdr.append(("Subject", subj))
    hdr.append(("From", render(w, frm, name, frm)))
    if sender is not None:
        hdr.append(("Sender", render(w, sender, display(w, sender, t) if sender.person else sender.name, frm)))
    if reply_to is not None:
        rn = display(w, reply_to, t) if reply_to.person else reply_to.name
        hdr.append(("Reply-To", render(w, reply_to, rn, frm)))
    if to:
        hdr.append(("To", fold_addresses("To", [render(w, a, recipient_name(w, a, t), frm) for a in to], tab)))
    elif not any(k == "To" for k, _ in extra):
        hdr.append(("To", "undisclosed-recipients:;"))
    if cc:
        hdr.append(("Cc", fold_addresses("Cc", [render(w, a, recipient_name(w, a, t), frm) for a in cc], tab)))
    hdr.extend(extra)
    hdr.append(("Content-Type", 'text/plain; charset="UTF-8"' if rng.random() < 0.7 else "text/plain; charset=utf-8"))
    hdr.append(("Content-Transfer-Encoding", "quoted-printable" if qp else "8bit"))
    if labels is None:
        labels = labels_for(w, t, outgoing, category)
    m = Msg(t=t, gid=gid, thread=th, headers=hdr, body=body, labels=labels, qp=qp, parties=[frm] + to + cc)
    th.msgs.append(m)
    w.msgs.append(m)
    return m


# ---------------------------------------------------------------- mail text

def lang_between(w, a, b, ctx):
    """Language of a conversation: shared mother tongue when personal or same-language colleagues."""
    la = a.lang if a is not w.owner else w.owner.lang
    lb = b.lang if b is not w.owner else w.owner.lang
    if la == lb and la in GREET and (ctx == "personal" or w.rng.random() < 0.7):
        return la
    return "en"


def make_subject(w, lang, ctx, org=None):
    rng = w.rng
    bank = SUBJ_PERSONAL if ctx == "personal" else SUBJ_WORK
    tpl = rng.choice(bank.get(lang, bank["en"]))
    return tpl.format(q=rng.randint(1, 4), org=strip_legal(org.name) if org else rng.choice(CODE_NAMES),
                      num=f"{rng.randint(2024, 2026)}-{rng.randint(10, 999):03d}",
                      day=rng.choice(["Monday", "Tuesday", "Thursday", "the 12th", "next week"]),
                      code=rng.choice(CODE_NAMES), year=rng.choice([2025, 2026, 2027]))


def make_body(w, lang, ctx, to_first, sign, signature="", quote=None):
    rng = w.rng
    lines = [rng.choice(GREET.get(lang, GREET["en"])).format(n=to_first), ""] if to_first else []
    bank = LINES_PERSONAL if ctx == "personal" else LINES_WORK
    pool = bank.get(lang, bank["en"])
    for _ in range(rng.choice([1, 1, 2, 2, 3])):
        lines.append(rng.choice(pool))
    if rng.random() < 0.035:
        lines.insert(min(len(lines), 3), rng.choice(FROM_LINES))
    lines += ["", rng.choice(CLOSE.get(lang, CLOSE["en"])), sign]
    if signature:
        lines += ["", "-- ", signature]
    if quote:
        lines += [""] + quote
    return "\n".join(lines) + "\n"


def quote_block(w, prev, who_name, who_addr, lang):
    """The attribution line and one or two quoted lines of the previous message."""
    t = prev.t
    head = (f"Am {t.day:02d}.{t.month:02d}.{t.year} um {t.hour:02d}:{t.minute:02d} schrieb {who_name} <{who_addr}>:"
            if lang == "de" else f"On {WEEKDAYS[t.weekday()]}, {t.day} {MONTHS[t.month - 1]} {t.year} at "
                                 f"{t.hour:02d}:{t.minute:02d}, {who_name} <{who_addr}> wrote:")
    body_lines = [x for x in prev.body.split("\n") if x and not x.startswith(">")][:2]
    return [head] + ["> " + x for x in body_lines]


def first_name_for(w, person, t):
    if person is None:
        return ""
    return person.nick if (person.nick and w.rng.random() < 0.4) else (person.western or person.first)


def signature_for(w, a, t):
    p = a.person
    if a.kind != "work" or w.rng.random() > 0.45:
        return ""
    s = next((s for s in p.stints if s.addr is a or s.alias is a), None)
    pos = s.position if s else ""
    phone = f"+{w.rng.randint(30, 49)} {w.rng.randint(30, 899)} {w.rng.randint(100000, 9999999)}"
    name = f"{(p.title + ' ') if p.title else ''}{p.first} {p.last_at(t)}"
    return "\n".join(x for x in [name, pos, a.org.name if a.org else "", phone] if x)


# ---------------------------------------------------------------- conversations

def reply_gap(w, ctx):
    hours = math.exp(w.rng.gauss(math.log(4 if ctx == "work" else 9), 1.3))
    return timedelta(hours=min(hours, 24 * 20))


def tz_of(w, who):
    return "Europe/Berlin" if who is w.owner else who.tz


def conversation(w, members, t0, ctx, *, n_msgs=None, subject=None, first_sender=None, first_to=None,
                 org=None, first_body=None, extra_first=(), sender_hdr=None):
    """A thread among members (Person objects, the owner included): first message, then reply-all."""
    rng = w.rng
    owner = w.owner
    if owner not in members:
        members = [owner] + members
    th = Thread()
    if n_msgs is None:
        n_msgs = 1
        while n_msgs < 12 and rng.random() < (0.55 if len(members) > 2 else 0.5):
            n_msgs += 1
    sender = first_sender or rng.choice(members)
    lang = lang_between(w, members[0], members[1], ctx) if len(members) == 2 else \
        (owner.lang if all(m.lang == owner.lang for m in members) else "en")
    if subject is None:
        subject = make_subject(w, lang, ctx, org)
    th.subject = subject
    chosen = {}     # pid -> Addr used in this thread (one address per person per message)

    def sticky_addr(person, t):  # a person's address: sticky within the thread unless no longer valid
        a = chosen.get(person.pid)
        return a if a is not None and a.valid(t) else addr_at(w, person, t, ctx)

    t = in_hours(w, t0, tz_of(w, sender), ctx)
    prev_sender = None
    for i in range(n_msgs):
        if t >= w.now:
            break
        a = sticky_addr(sender, t)
        if a is None:
            break
        if (sender is not owner and ctx == "work" and i > 0 and sender.personal and rng.random() < 0.025):
            pa = personal_addr_at(w, sender, t)    # answering from the phone's personal account
            a = pa or a
        chosen[sender.pid] = a
        recips = []
        for m in members:
            if m is sender:
                continue
            ra = sticky_addr(m, t)
            if ra is None:
                continue
            chosen[m.pid] = ra
            recips.append((m, ra))
        if not recips:
            break
        if i == 0:
            k = first_to or (1 if len(recips) < 3 else rng.choice([1, 1, 2, 3]))
            to, cc = recips[:k], recips[k:]
        else:
            to = [r for r in recips if r[0] is prev_sender] or recips[:1]
            rest = [r for r in recips if r not in to]
            if rest and rng.random() < 0.3:
                to, rest = to + rest[:1], rest[1:]
            cc = rest
        if sender is not owner and i == 0 and len(members) > 2 and rng.random() < 0.03:
            # the owner is only Bcc: the message reaches the mailbox without naming them
            to, cc = [r for r in to if r[0] is not owner], [r for r in cc if r[0] is not owner]
            if not to:
                to, cc = cc[:1], cc[1:]
            if not to:
                break
        subj = subject if i == 0 else rng.choice(REPLY_PREFIX.get(
            sender.country if sender.country in REPLY_PREFIX else sender.lang, REPLY_PREFIX["en"])) + subject
        prev = th.msgs[-1] if th.msgs else None
        quote = None
        if prev is not None and rng.random() < 0.55:
            pa = chosen.get(prev_sender.pid)
            quote = quote_block(w, prev, f"{prev_sender.first} {prev_sender.last_at(t)}", pa.addr, lang)
        to_first = first_name_for(w, to[0][0], t)
        sign = sender.nick if (sender.nick and rng.random() < 0.3) else (sender.western or sender.first)
        body = first_body if (i == 0 and first_body) else make_body(
            w, lang, ctx, to_first, sign, signature_for(w, a, t) if sender is not owner else "", quote)
        emit(w, th, t, a, [r[1] for r in to], [r[1] for r in cc], subj, body, tz=tz_of(w, sender),
             category="Personal", qp=(a.client in ("outlook", "outlookcom") and rng.random() < 0.5),
             extra=extra_first if i == 0 else (), sender=sender_hdr if i == 0 else None)
        # occasional out-of-office answer to the owner's message
        if sender is owner and rng.random() < 0.015:
            m, ra = to[0]
            if m is not owner and ra.kind == "work":
                out_of_office(w, th, t + timedelta(minutes=rng.randint(1, 3)), m, ra, subject)
        prev_sender = sender
        t = in_hours(w, t + reply_gap(w, ctx), "Europe/Berlin", ctx)
        others = [m for m in members if m is not sender]
        sender = owner if sender is not owner and rng.random() < 0.65 else rng.choice(others)
        if sender is not owner:
            t = in_hours(w, t, sender.tz, ctx)
    return th


def forward(w, th):
    """The owner forwards the last message of a thread to a colleague, quoting its header in the body."""
    rng = w.rng
    last = th.msgs[-1]
    t = in_hours(w, last.t + reply_gap(w, "work"), "Europe/Berlin", "work")
    cols = [q for q in active_people(w, t, w.owner_org)
            if q.pid not in {a.person.pid for a in th_people(th) if a.person}]
    ca = work_addr_at(w, rng.choice(cols), t) if cols and t < w.now else None
    if ca is None:
        return
    h = dict(last.headers)
    subj = rng.choice(FWD_PREFIX.get(w.owner.lang, FWD_PREFIX["en"])) + th.subject
    body = (f"FYI, see below.\n\n{w.owner.first}\n\n---------- Forwarded message ---------\n"
            f"From: {h['From']}\nDate: {h['Date']}\nSubject: {th.subject}\n\n{last.body}")
    emit(w, Thread(), t, w.owner.stints[0].addr, [ca], [], subj, body)


def th_people(th):
    """Every address named in a thread's From, To and Cc (kept on the messages for this purpose)."""
    return [a for m in th.msgs for a in m.parties]


def out_of_office(w, th, t, p, a, subject):
    lang = p.lang if p.lang in ("de", "en", "fr") else "en"
    subj = {"de": "Abwesenheitsnotiz: ", "fr": "Réponse automatique : ", "en": "Automatic reply: "}[lang] + subject
    body = {"de": "Vielen Dank für Ihre Nachricht. Ich bin bis einschließlich Freitag nicht im Büro.\n",
            "fr": "Je suis absent(e) du bureau jusqu'à lundi.\n",
            "en": "Thank you for your email. I am out of the office until Monday with limited access to email.\n"}[lang]
    emit(w, th, t, a, [w.owner.stints[0].addr], [], subj, body, tz=p.tz,
         extra=[("Auto-Submitted", "auto-replied"), ("X-Auto-Response-Suppress", "All")])


def active_people(w, t, org=None, relations=None):
    out = []
    pool = org.members if org else w.people
    for p in pool:
        if p is w.owner or (relations and p.relation not in relations):
            continue
        if any(s.org is org and s.addr and s.start <= t < s.end for s in p.stints) if org else True:
            out.append(p)
    return out


def plan_relationships(w):
    """When each person is in touch with the owner, and how much."""
    rng = w.rng
    span = (w.now - w.start).days
    for p in w.people:
        r = p.relation
        if r in ("colleague", "personal"):
            p.rel_start, p.rel_end = w.start, w.now
            continue
        start = rand_time(rng, w.start - timedelta(days=300), w.now - timedelta(days=10))
        dur = timedelta(days=min(span * 2, math.exp(rng.gauss(math.log(240), 0.9))))
        p.rel_start, p.rel_end = max(start, w.start), min(w.now, start + dur)
        # job changers usually stay in touch across the change: that is the hard case
        if len(p.stints) > 1 and rng.random() < 0.7:
            p.rel_start = min(p.rel_start, p.stints[1].start - timedelta(days=60))
            p.rel_end = max(p.rel_end, min(w.now, p.stints[1].start + timedelta(days=120)))
            p.rel_start = max(p.rel_start, w.start)


RATE = {"colleague": 9.0, "work": 4.5, "personal": 4.5, "network": 1.3, "recruiter": 1.0}


def direct_threads(w):
    rng = w.rng
    for p in w.people:
        rate = RATE.get(p.relation, 0)
        if not rate:
            continue
        frac = max(0.1, (p.rel_end - p.rel_start).days / 730)
        n = poisson(rng, rate * p.intensity * (frac ** 0.5))
        if p.relation in ("work", "personal", "recruiter") or (p.relation == "network" and rng.random() < 0.9):
            n = max(n, 1)
        # threads come in bursts around a few episodes (a project, a trip)
        episodes = [rand_time(rng, p.rel_start, p.rel_end) for _ in range(max(1, n // 4))]
        for _ in range(n):
            t = rng.choice(episodes) + timedelta(days=rng.gauss(0, 12))
            t = min(max(t, w.start + timedelta(hours=1)), w.now - timedelta(hours=2))
            if p.relation == "recruiter":
                conversation(w, [w.owner, p], t, "work", n_msgs=rng.choice([1, 1, 1, 2, 3]), first_sender=p)
                continue
            # work contacts now and then write from their personal account (phone, evenings, side topics)
            side = {"colleague": 0.12, "network": 0.25, "work": 0.06}.get(p.relation, 0)
            ctx = "personal" if p.relation == "personal" or rng.random() < side else "work"
            members = [w.owner, p]
            if ctx == "work" and rng.random() < 0.18:   # a colleague of theirs or of the owner in Cc
                pool = [q for q in active_people(w, t, p.employer) if q is not p] if p.employer else []
                if not pool or rng.random() < 0.4:
                    pool = [q for q in active_people(w, t, w.owner_org) if q is not p]
                if pool:
                    members.append(rng.choice(pool))
            th = conversation(w, members, t, ctx, org=p.employer)
            if ctx == "work" and th.msgs and rng.random() < 0.05:
                forward(w, th)


def group_threads(w):
    """Project threads with several people on To/Cc, internal threads and friends' threads."""
    rng = w.rng
    for _ in range(round(w.n * 0.45)):
        t = rand_time(rng, w.start, w.now - timedelta(hours=3))
        kind = wpick(rng, {"external": 60, "internal": 28, "friends": 12})
        if kind == "external":
            orgs = [o for o in w.orgs if o.kind not in ("owner", "recruit") and len(o.members) > 0]
            org = wpick(rng, [(o, len(o.members)) for o in orgs])
            margin = timedelta(days=30)
            ext = [p for p in active_people(w, t, org) if p.relation in ("work", "cc", "network", "colleague")
                   and (p.relation == "cc" or p.rel_start - margin <= t <= p.rel_end + margin)]
            if not ext:
                continue
            rng.shuffle(ext)
            members = ext[:rng.choice([1, 2, 2, 3, 4])]
            cols = active_people(w, t, w.owner_org)
            rng.shuffle(cols)
            members += cols[:rng.choice([0, 1, 1, 2, 3])]
            if rng.random() < 0.12:
                other = [p for p in w.people if p.relation == "work" and p.employer not in (org, None)]
                if other:
                    members.append(rng.choice(other))
            conversation(w, [w.owner] + members, t, "work", org=org)
        elif kind == "internal":
            cols = active_people(w, t, w.owner_org)
            rng.shuffle(cols)
            if len(cols) < 2:
                continue
            conversation(w, [w.owner] + cols[:rng.randint(2, 6)], t, "work")
        else:
            friends = [p for p in w.people if p.relation == "personal"]
            rng.shuffle(friends)
            if len(friends) < 3:
                continue
            conversation(w, [w.owner] + friends[:rng.randint(2, 5)], t, "personal")


def intro_threads(w):
    """Someone introduces the owner to a new contact, then the two talk on."""
    rng = w.rng
    introducers = [p for p in w.people if p.relation in ("network", "work")]
    newcomers = [p for p in w.people
                 if p.relation in ("work", "network") and p.rel_start > w.start + timedelta(days=30)]
    for _ in range(round(w.n * 0.03)):
        if not introducers or not newcomers:
            return
        b = rng.choice(newcomers)
        a = rng.choice(introducers)
        if a is b or (a.employer is not None and a.employer is b.employer):
            continue
        t = b.rel_start
        a_addr, b_addr = addr_at(w, a, t, "work"), addr_at(w, b, t, "work")
        if not a_addr or not b_addr:
            continue
        th = Thread()
        o = w.owner
        subj = f"Intro: {o.first} <> {b.first}"
        body = make_body(w, "en", "work", f"{o.first}, {b.first}", a.first)
        t1 = in_hours(w, t, a.tz, "work")
        emit(w, th, t1, a_addr, [o.stints[0].addr, b_addr], [], subj, body, tz=a.tz)
        t2 = in_hours(w, t1 + reply_gap(w, "work"), b.tz, "work")
        body2 = "Thanks " + a.first + " (moving you to bcc)!\n\n" + make_body(w, "en", "work", o.first, b.first)
        if t2 < w.now:
            emit(w, th, t2, b_addr, [o.stints[0].addr], [], "Re: " + subj, body2, tz=b.tz)


def role_threads(w):
    """Shared role addresses (sales@, team@) answered by different people of the organisation."""
    rng = w.rng
    cands = [o for o in w.orgs if o.kind in ("corp", "small", "ngo") and len(o.members) >= 2]
    rng.shuffle(cands)
    for org in cands[:max(2, len(cands) // 6)]:
        local = rng.choice(ROLE_LOCALS)
        a = Addr(f"{local}@{org.domain}", "shared", None, org, client=org.client)
        if not claim(w, a):
            continue
        a.name = rng.choice([f"{strip_legal(org.name)} {local.capitalize()}", strip_legal(org.name),
                             f"{local.capitalize()} Team", ""])
        org.roles.append(a)
        for _ in range(rng.randint(2, 6)):
            t = rand_time(rng, w.start, w.now - timedelta(days=2))
            staff = [p for p in active_people(w, t, org)]
            if not staff:
                continue
            th = Thread()
            subj = make_subject(w, "en", "work", org)
            o = w.owner.stints[0].addr
            t = in_hours(w, t, "Europe/Berlin", "work")
            emit(w, th, t, o, [a], [], subj, make_body(w, "en", "work", "", w.owner.first))
            for _ in range(rng.randint(1, 3)):
                t = in_hours(w, t + reply_gap(w, "work"), COUNTRY_TZ.get(org.country, "Europe/Berlin"), "work")
                if t >= w.now:
                    break
                signer = rng.choice(staff)
                body = make_body(w, "en", "work", w.owner.first, f"{signer.first}\n{strip_legal(org.name)}")
                if rng.random() < 0.25:      # the agent answers from their own address, role in Cc
                    own = work_addr_at(w, signer, t)
                    if own:
                        emit(w, th, t, own, [o], [a], "Re: " + subj, body, tz=signer.tz)
                        continue
                name = rng.choice([a.name or None, f"{signer.first} {signer.last} | {strip_legal(org.name)}",
                                   f"{signer.first} {signer.last}"]) if rng.random() < 0.3 else (a.name or None)
                emit(w, th, t, a, [o], [], "Re: " + subj, body, from_name=name, tz=signer.tz)
                t = in_hours(w, t + reply_gap(w, "work"), "Europe/Berlin", "work")
                if t < w.now and rng.random() < 0.5:
                    emit(w, th, t, o, [a], [], "Re: " + subj, make_body(w, "en", "work", signer.first, w.owner.first))
    # the owner's own company: a team address signed by different colleagues, distribution lists
    org = w.owner_org
    team = Addr(f"{rng.choice(['team', 'people', 'office'])}@{org.domain}", "shared", None, org, client=org.client,
                name=f"{strip_legal(org.name)} Team")
    claim(w, team)
    dl = Addr(f"{rng.choice(['all', 'everyone', 'staff'])}@{org.domain}", "dlist", None, org, client=org.client,
              name=rng.choice(["All Staff", "", f"{strip_legal(org.name)} - all"]))
    claim(w, dl)
    for _ in range(max(4, w.n // 40)):
        t = in_hours(w, rand_time(w.rng, w.start, w.now - timedelta(days=1)), "Europe/Berlin", "work")
        cols = active_people(w, t, org)
        if not cols:
            continue
        c = rng.choice(cols)
        th = Thread()
        subj = rng.choice(["Office closed on Friday", "Summer party", "New joiners this month", "IT maintenance",
                           "Reminder: timesheets", "Quarterly all-hands"])
        body = make_body(w, "en", "work", "all", c.first)
        if rng.random() < 0.5:
            emit(w, th, t, team, [dl], [], subj, body, tz="Europe/Berlin", category="Updates",
                 delivered=w.owner.stints[0].addr.addr)
        else:
            ca = work_addr_at(w, c, t)
            if ca:
                emit(w, th, t, ca, [dl], [], subj, body, tz="Europe/Berlin", category="Updates",
                     delivered=w.owner.stints[0].addr.addr)


def job_change_mail(w):
    """Announcements from a new address, and bounces when the owner writes to a dead one."""
    rng = w.rng
    for p in w.people:
        if len(p.stints) < 2 and not (len(p.stints) == 1 and p.stints[0].end < w.now):
            continue
        if p.relation not in ("work", "colleague", "network", "personal"):
            continue
        new = p.stints[-1]
        old = p.stints[-2] if len(p.stints) > 1 else p.stints[0]
        if new.surname_epoch == "married":
            continue
        t = new.start + timedelta(days=rng.randint(1, 20))
        if t >= w.now or not old.addr:
            continue
        new_addr = new.addr or personal_addr_at(w, p, t)
        if new_addr and rng.random() < 0.4:
            th = Thread()
            orgname = strip_legal(new.org.name) if new.org else "my own"
            subj = rng.choice([f"New role at {orgname}", "My new email address", "Moving on", "Neue Adresse"])
            body = (f"Hi all,\n\nAfter some great years at {strip_legal(old.org.name) if old.org else 'my old place'} "
                    f"I have started a new chapter at {orgname}.\nPlease use this address from now on.\n\n"
                    f"Best,\n{p.first}\n")
            emit(w, th, in_hours(w, t, p.tz, "work"), new_addr, [], [], subj, body, tz=p.tz,
                 delivered=w.owner.stints[0].addr.addr)
            w.stats["announcements"] += 1
        if rng.random() < 0.25 and old.addr and old.end + timedelta(days=5) < w.now:
            tb = in_hours(w, rand_time(rng, old.end + timedelta(days=3), min(w.now, old.end + timedelta(days=200))),
                          "Europe/Berlin", "work")
            if tb >= w.now:
                continue
            th = Thread()
            o = w.owner.stints[0].addr
            subj = make_subject(w, "en", "work", old.org)
            emit(w, th, tb, o, [old.addr], [], subj, make_body(w, "en", "work", p.first, w.owner.first))
            bounce = robot(w, "mailer-daemon@googlemail.com", "Mail Delivery Subsystem", "bounce")
            body = (f"** Address not found **\n\nYour message wasn't delivered to {old.addr.addr} because the address "
                    f"couldn't be found, or is unable to receive mail.\n\nThe response was:\n\n550 5.1.1 "
                    f"<{old.addr.addr}>: Recipient address rejected: User unknown\n")
            emit(w, th, tb + timedelta(seconds=rng.randint(2, 90)), bounce, [o], [],
                 "Delivery Status Notification (Failure)", body, tz="UTC", category="Updates",
                 extra=[("Auto-Submitted", "auto-replied")])
            w.stats["bounces"] += 1


def delegation_threads(w):
    """An assistant sends on behalf of an executive: From the executive, Sender the assistant."""
    rng = w.rng
    orgs = [o for o in w.orgs if o.kind in ("corp", "law") and len(o.members) >= 3]
    rng.shuffle(orgs)
    for org in orgs[:max(1, w.n // 250)]:
        t = rand_time(rng, w.start, w.now - timedelta(days=3))
        staff = active_people(w, t, org)
        if len(staff) < 2:
            continue
        boss, assistant = staff[0], staff[1]
        ba, aa = work_addr_at(w, boss, t), work_addr_at(w, assistant, t)
        if not ba or not aa:
            continue
        subj = f"Meeting request: {boss.first} {boss.last} / {w.owner.first} {w.owner.last}"
        body = make_body(w, "en", "work", w.owner.first, f"{assistant.first}\non behalf of {boss.first} {boss.last}")
        conversation(w, [w.owner, boss], t, "work", n_msgs=1, first_sender=boss, subject=subj, first_body=body,
                     sender_hdr=aa)


def mailing_lists(w):
    """A Google Group that rewrites From, and a Mailman list that does not."""
    rng = w.rng
    posters = [p for p in w.people if p.relation == "list" or (p.relation == "network" and rng.random() < 0.2)]
    if not posters:
        return
    city = rng.choice(["berlin", "munich", "hamburg", "europe"])
    topic = rng.choice(["data", "python", "product", "founders", "ml"])
    gg = Addr(f"{city}-{topic}@googlegroups.com", "list", name=f"{city.capitalize()} {topic.capitalize()}",
              robot_kind="mailing_list", client="gmail")
    found = rng.choice(BRAND_PRE).lower() + rng.choice(BRAND_SUF)
    mm = Addr(f"community@lists.{found}.org", "list", name="", robot_kind="mailing_list", client="robot")
    mm_bounce = Addr(f"community-bounces@lists.{found}.org", "list", name="", robot_kind="mailing_list",
                     client="robot")
    for a in (gg, mm, mm_bounce):
        claim(w, a)
    for _ in range(round(w.n * 0.22 * rng.uniform(0.6, 1.4))):
        lst = gg if rng.random() < 0.5 else mm
        t = rand_time(rng, w.start, w.now - timedelta(hours=6))
        th = Thread()
        subject = rng.choice(["Meetup next month: call for speakers", "Job: senior data engineer (Berlin)",
                              "Anyone using DuckDB in production?", "Slides from last night", "Venue for March?",
                              "[ANN] release 2.1", "Question about the CfP", "Hiring: product designer",
                              "Recommendations for a tax advisor?"])
        for k in range(rng.choice([1, 1, 2, 3, 4, 6])):
            if t >= w.now:
                break
            poster = w.owner if rng.random() < 0.04 else rng.choice(posters)
            pa = addr_at(w, poster, t, "personal" if rng.random() < 0.6 else "work")
            if pa is None:
                continue
            subj = subject if k == 0 else "Re: " + subject
            body = make_body(w, "en", "work", "", poster.first)
            lid = f"<{lst.addr.replace('@', '.')}>"
            if lst is gg:
                nm = display(w, pa, t, "full") if pa.kind != "owner" else f"{poster.first} {poster.last}"
                extra = [("List-Id", f"{gg.name} <{gg.addr.replace('@', '.')}>"), ("Precedence", "list"),
                         ("Mailing-list", f"list {gg.addr}; contact {gg.addr.split('@')[0]}+owners@googlegroups.com"),
                         ("X-Original-From", render(w, pa, nm, gg))]
                emit(w, th, t, gg, [gg], [], subj, body, from_name=f"{nm} via {gg.name}",
                     reply_to=pa if rng.random() < 0.5 else gg, extra=extra, tz=tz_of(w, poster), category="Forums",
                     labels=None if pa.kind != "owner" else ["Sent", "Category Forums"])
            else:
                extra = [("List-Id", f"Community discussion {lid}"), ("Precedence", "list"),
                         ("List-Post", f"<mailto:{mm.addr}>"),
                         ("List-Unsubscribe", f"<https://lists.{found}.org/mailman/options/community>")]
                emit(w, th, t, pa, [mm], [], "[community] " + subj, body, sender=mm_bounce, extra=extra,
                     tz=tz_of(w, poster), category="Forums")
            t = t + reply_gap(w, "personal")


def robot(w, addr, name, kind, client="robot"):
    """A robot address; never one a human already owns (spam handles are random)."""
    a = w.taken.get(addr.lower())
    while a is not None and a.kind != "robot":
        local, _, dom = addr.partition("@")
        addr = f"{local}{w.rng.randint(0, 9)}@{dom}"
        a = w.taken.get(addr.lower())
    if a is None:
        a = Addr(addr, "robot", name=name, robot_kind=kind, client=client)
        w.taken[addr.lower()] = a
    return a


def robot_mail(w):
    """Notifications and newsletters, several of which carry a human's name."""
    rng = w.rng
    o_work, o_pers = w.owner.stints[0].addr, w.owner.personal[0]
    org = w.owner_org
    slug = token(strip_legal(org.name), True, "-")
    cols = [p for p in w.people if p.relation == "colleague"] or w.people[:5]
    connected = [p for p in w.people if p.connected] or w.people[:5]
    weeks = 104
    gh = robot(w, "notifications@github.com", "", "notification")
    repo = rng.choice(["platform", "data-pipeline", "website", "infra", "api"])
    gh_repo = robot(w, f"{repo}@noreply.github.com", f"{slug}/{repo}", "notification")
    gh_author = robot(w, "author@noreply.github.com", "Author", "notification")
    jira = robot(w, f"jira@{slug}.atlassian.net", "", "notification")
    li_msg = robot(w, "messages-noreply@linkedin.com", "", "notification")
    li_inv = robot(w, "invitations@linkedin.com", "", "notification")
    li_jobs = robot(w, "jobs-listings@linkedin.com", "LinkedIn Job Alerts", "notification")
    drive = robot(w, "drive-shares-dm-noreply@google.com", "", "notification")
    cal = robot(w, "calendar-notification@google.com", "Google Calendar", "notification")
    docusign = robot(w, "dse_NA4@docusign.net", "", "notification")
    slack = robot(w, "notification@slack.com", "Slack", "notification")
    zoom = robot(w, "no-reply@zoom.us", "Zoom", "notification")
    google = robot(w, "no-reply@accounts.google.com", "Google", "notification")
    news = [robot(w, a, n, "newsletter") for a, n in [
        ("newsletter@thedatabrief.com", "The Data Brief"), ("digest@berlinstartupdigest.de", "Berlin Startup Digest"),
        ("news@handelsblatt-morning.de", "Morning Briefing"), ("hello@productweekly.io", "Product Weekly"),
        ("noreply@medium.com", "Medium Daily Digest")]]
    sub_pub = rng.choice(["datanotes", "thegrowthmemo", "europeanventures"])
    substack = robot(w, f"{sub_pub}@substack.com", "", "newsletter")
    sub_author = w.faker("en_GB").name()
    marketing = robot(w, f"{token(w.faker('de_DE').first_name(), True, 'first')}@mail.cloudvendor.io", "", "marketing")
    mk_name = marketing.addr.split("@")[0].capitalize() + " from CloudVendor"
    trans = [robot(w, a, n, "transactional") for a, n in [
        ("buchungsbestaetigung@bahn.de", "DB Fernverkehr"), ("noreply@booking.com", "Booking.com"),
        ("auto-confirm@amazon.de", "Amazon.de"), ("billing@hetzner.com", "Hetzner Online"),
        ("invoice+statements@stripe.com", "Stripe")]]

    def stream(rate):
        for wk in range(weeks):
            for _ in range(poisson(rng, rate * w.robot_scale)):
                t0 = w.start + timedelta(weeks=wk, seconds=rng.random() * 7 * 86400)
                if t0 < w.now:
                    yield t0.replace(microsecond=0)

    for t in stream(3.0):      # GitHub: the actor's name on a robot address
        actor = rng.choice(cols)
        login = token(actor.first)[0] + token(actor.last_key)
        title = rng.choice(["Fix flaky test", "Bump dependencies", "Add retry to sync", "Refactor loader"])
        emit(w, Thread(), t, gh, [gh_repo], [o_work, gh_author] if rng.random() < 0.3 else [o_work],
             f"Re: [{slug}/{repo}] {title} (PR #{rng.randint(100, 2400)})",
             f"@{login} approved this pull request.\n\n--\nReply to this email directly or view it on GitHub.\n",
             from_name=f"{actor.first} {actor.last}" if rng.random() < 0.8 else login,
             extra=[("List-Id", f"{slug}/{repo} <{repo}.{slug}.github.com>"), ("X-GitHub-Sender", login)],
             tz="UTC", category="Updates", delivered=o_work.addr)
    for t in stream(2.0):      # Jira: "Jane Doe (Jira)"
        actor = rng.choice(cols)
        emit(w, Thread(), t, jira, [o_work], [], f"[JIRA] ({slug.upper()[:4]}-{rng.randint(100, 999)}) "
             f"{rng.choice(['Update onboarding flow', 'Data export broken', 'Q3 roadmap'])}",
             f"{actor.first} {actor.last} updated an issue.\n", from_name=f"{actor.first} {actor.last} (Jira)",
             tz="UTC", category="Updates")
    for t in stream(1.5):      # LinkedIn: "Jane Doe via LinkedIn"
        p = rng.choice(connected)
        nm = f"{p.li['first'].strip()} {p.li['last'].strip()}" if p.li else f"{p.first} {p.last}"
        if rng.random() < 0.6:
            emit(w, Thread(), t, li_msg, [o_pers], [], f"{nm} sent you a message",
                 f"{nm} sent you a new message.\n\nView message\n", from_name=f"{nm} via LinkedIn",
                 tz="UTC", category="Social", delivered=o_pers.addr)
        else:
            emit(w, Thread(), t, li_inv, [o_pers], [], f"{nm} wants to connect",
                 f"{nm} would like to join your network.\n", from_name=nm, tz="UTC", category="Social")
    for t in stream(0.7):
        emit(w, Thread(), t, li_jobs, [o_pers], [], "New jobs similar to Head of Data", "15 new jobs for you.\n",
             tz="UTC", category="Updates")
    for t in stream(0.5):      # Drive shares: robot From, the human in Reply-To
        p = rng.choice([q for q in w.people if q.relation in ("colleague", "work")] or cols)
        ra = addr_at(w, p, t, "work")
        if not ra:
            continue
        emit(w, Thread(), t, drive, [o_work], [], f'Document shared with you: "{rng.choice(CODE_NAMES)} plan"',
             f"{p.first} {p.last} shared a document.\n", from_name=f"{p.first} {p.last} (via Google Drive)",
             reply_to=ra, tz="UTC", category="Updates")
    for t in stream(0.15):     # DocuSign, same trick
        p = rng.choice([q for q in w.people if q.relation == "work"] or cols)
        ra = work_addr_at(w, p, t)
        if not ra:
            continue
        emit(w, Thread(), t, docusign, [o_work], [], f"Please DocuSign: {rng.choice(CODE_NAMES)} SOW.pdf",
             "Please review and sign.\n", from_name=f"{p.first} {p.last} via Docusign", reply_to=ra,
             tz="UTC", category="Updates")
    for t in stream(0.6):      # calendar invitations from humans, sent via Google
        p = rng.choice([q for q in w.people if q.relation in ("work", "colleague")] or cols)
        pa = work_addr_at(w, p, t)
        if not pa:
            continue
        loc = t.astimezone(w.tz("Europe/Berlin"))
        subj = (f"Invitation: {rng.choice(['Sync', 'Weekly', 'Kick-off', 'Catch-up', 'Review'])} @ "
                f"{WEEKDAYS[loc.weekday()]} {loc.day} {MONTHS[loc.month - 1]} {loc.year} {loc.hour:02d}:00 - "
                f"{loc.hour:02d}:30 ({loc.tzname()}) ({o_work.addr})")
        emit(w, Thread(), in_hours(w, t, p.tz, "work"), pa, [o_work], [], subj,
             "You have been invited to the following event.\n", sender=cal, tz=p.tz, category="Personal")
    for t in stream(1.0):
        channel = rng.choice(["general", "data", "sales"])
        emit(w, Thread(), t, slack, [o_work], [], f"[Slack] New messages in #{channel}", "You have unread messages.\n",
             tz="UTC", category="Updates")
    for t in stream(0.6):
        emit(w, Thread(), t, zoom, [o_work], [], "Cloud Recording - Weekly is now available",
             "Your recording is ready.\n", tz="UTC", category="Updates")
    for t in stream(0.1):
        emit(w, Thread(), t, google, [o_pers], [], "Security alert", "A new sign-in on Mac.\n", tz="UTC",
             category="Updates", delivered=o_pers.addr)
    for nl in news:
        for t in stream(rng.choice([0.5, 1.0, 1.0, 2.0])):
            emit(w, Thread(), t, nl, [o_work if rng.random() < 0.5 else o_pers], [],
                 f"{nl.name}: {rng.choice(['This week', 'Top stories', 'Issue #' + str(rng.randint(10, 400))])}",
                 "Read online.\n\nUnsubscribe\n", tz=rng.choice(["UTC", "Europe/Berlin", "America/New_York"]),
                 category="Promotions", extra=[("List-Unsubscribe", f"<mailto:unsubscribe@{nl.addr.split('@')[1]}>"),
                                               ("Precedence", "bulk")])
    for t in stream(1.0):      # a newsletter signed by its author's name
        title = f"{rng.choice(['On', 'Why', 'Notes on'])} {rng.choice(CODE_NAMES)}"
        emit(w, Thread(), t, substack, [o_pers], [], title,
             "Read in app.\n", from_name=f"{sub_author} from {sub_pub}", tz="America/New_York", category="Updates",
             extra=[("List-Unsubscribe", f"<https://{sub_pub}.substack.com/action/disable_email>")])
    for t in stream(0.5):      # a marketing persona on a human-looking address
        emit(w, Thread(), t, marketing, [o_work], [], rng.choice(["Quick question, " + w.owner.first, "Following up",
                                                                 "Your free trial"]),
             "Hi " + w.owner.first + ",\n\nDo you have 15 minutes this week?\n", from_name=mk_name,
             tz="Europe/Berlin", category="Promotions")
    for tr in trans:
        for t in stream(0.25):
            emit(w, Thread(), t, tr, [o_pers if rng.random() < 0.6 else o_work], [], rng.choice(
                ["Ihre Buchungsbestätigung", "Your booking is confirmed", "Your order has shipped", "Invoice available",
                 "Your receipt"]), "Thank you.\n", tz="Europe/Berlin", category="Updates")
    for t in stream(0.8):      # spam
        fk = w.faker(rng.choice(["en_US", "en_GB", "fr_FR"]))
        dom = rng.choice(["mail.ru", "outlook.com", "qq.com", "gmail.com", "bizmail-offers.top", "promo-deals.xyz"])
        local = f"{rng.choice(HANDLE_WORDS)}{rng.randint(100, 9999)}"
        sp = robot(w, f"{local}@{dom}", rng.choice([fk.name(), "Customer Service", "Dr. " + fk.name(), ""]), "spam")
        subj = rng.choice(["You have won!", "Invoice overdue", "Urgent business proposal", "Re: your account",
                           "Crypto opportunity"])
        m = emit(w, Thread(), t, sp, [o_pers], [], subj,
                 "Dear friend,\n\nPlease reply to claim.\n", tz="UTC", category="Promotions",
                 labels=["Spam", "Unread"])
        if rng.random() < 0.1:   # a zone some spam carries: -0000 reads as "no timezone"
            m.headers = [(k, re.sub(r" [+-]\d{4}.*$", " -0000", v) if k == "Date" else v) for k, v in m.headers]


def support_desk(w):
    """A vendor's ticketing robot that shows its human agents' names."""
    rng = w.rng
    vendors = [o for o in w.orgs if o.kind == "corp" and len(o.members) >= 2]
    if not vendors:
        return
    org = rng.choice(vendors)
    label = token(strip_legal(org.name), True, "")[:20]
    desk = robot(w, f"support@{label}.zendesk.com", "", "notification")
    for _ in range(rng.randint(3, 8)):
        t = rand_time(rng, w.start, w.now - timedelta(days=1))
        agents = active_people(w, t, org)
        if not agents:
            continue
        ag = rng.choice(agents)
        th = Thread()
        subj = f"[{strip_legal(org.name)}] Re: Ticket #{rng.randint(10000, 99999)}"
        emit(w, th, in_hours(w, t, ag.tz, "work"), desk, [w.owner.stints[0].addr], [], subj,
             f"{ag.first} ({strip_legal(org.name)} Support)\n\nThanks for reaching out, we are looking into it.\n",
             from_name=f"{ag.first} ({strip_legal(org.name)} Support)", tz=ag.tz, category="Updates")


def family_threads(w):
    """A couple's shared family account: one address, two humans, so nobody's identity."""
    rng = w.rng
    friends = [p for p in w.people if p.relation == "personal"]
    rng.shuffle(friends)
    for i in range(0, min(len(friends) - 1, max(2, w.n // 200) * 2), 2):
        a, b = friends[i], friends[i + 1]
        fam = token(a.last_key, True, "")
        acct = Addr(f"{rng.choice([fam + 'family', 'familie.' + fam, token(a.first) + 'and' + token(b.first)])}"
                    f"{rng.choice(['', str(rng.randint(1, 99))])}@{rng.choice(['gmail.com', 'gmx.de', 'web.de'])}",
                    "shared", None, None, client="gmail")
        if not claim(w, acct):
            continue
        acct.name = rng.choice([f"{a.first} & {b.first} {a.last}", f"Familie {a.last}", f"The {a.last}s", ""])
        w.households.append((acct, a, b))
        for _ in range(rng.randint(1, 4)):
            t = in_hours(w, rand_time(rng, w.start, w.now - timedelta(days=1)), a.tz, "personal")
            signer = rng.choice([a, b])
            th = Thread()
            subj = make_subject(w, signer.lang if signer.lang in SUBJ_PERSONAL else "en", "personal")
            emit(w, th, t, acct, [w.owner.personal[0]], [], subj,
                 make_body(w, "en", "personal", w.owner.first, f"{signer.first}"), tz=a.tz)
            t2 = in_hours(w, t + reply_gap(w, "personal"), "Europe/Berlin", "personal")
            if t2 < w.now and rng.random() < 0.6:
                emit(w, th, t2, w.owner.personal[0], [acct], [], "Re: " + subj,
                     make_body(w, "en", "personal", signer.first, w.owner.first))


def late_appearances(w):
    """People who would appear nowhere get one small thread: Cc'd by a colleague, or a one-off."""
    rng = w.rng
    seen = set(w.seen.values())
    for p in w.people:
        if p.pid in seen or p.connected or p.relation == "linkedin_only":
            continue
        t = rand_time(rng, max(w.start, p.rel_start or w.start), w.now - timedelta(hours=6))
        mates = [q for q in active_people(w, t, p.employer) if q is not p and q.pid in seen] if p.employer else []
        if mates and rng.random() < 0.8:
            conversation(w, [w.owner, rng.choice(mates), p], t, "work", first_to=1, org=p.employer)
        elif addr_at(w, p, t, "work"):
            conversation(w, [w.owner, p], t, "work" if p.employer else "personal", n_msgs=rng.choice([1, 2]))


# ---------------------------------------------------------------- LinkedIn

def linkedin_url(w, p, li_first, li_last):
    """A profile URL in one of the real forms, unique across the world."""
    rng = w.rng
    f, ln = li_first.strip(), li_last.strip()
    ascii_slug = slugify(f"{f} {ln}") or "member"
    form = wpick(rng, {"id": 58, "vanity_join": 14, "vanity_dash": 10, "flast": 5, "pct": 0 if is_ascii(f + ln) else 25,
                       "title": 3, "mid": 3 if p.middle else 0})
    alnum = "abcdefghijklmnopqrstuvwxyz0123456789"
    suffix = "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([6, 8, 8, 9])))
    if rng.random() < 0.3:
        suffix = "".join(rng.choice(alnum) for _ in range(9))
    if form == "pct":   # LinkedIn keeps non-ASCII letters, percent-encoded in the export
        raw = re.sub(r"[\s]+", "-", f"{f} {ln}".lower()).strip("-")
        slug = quote(raw, safe="-") + "-" + suffix
    elif form == "vanity_join":
        slug = ascii_slug.replace("-", "")
    elif form == "vanity_dash":
        slug = ascii_slug
    elif form == "flast":
        slug = ascii_slug[0] + ascii_slug.split("-")[-1]
    elif form == "title":
        slug = (rng.choice(["dr-", "prof-"]) + ascii_slug if rng.random() < 0.5
                else ascii_slug + rng.choice(["-phd", "-mba", "-cfa"]))
    elif form == "mid":
        slug = f"{slugify(f)}-{slugify(p.middle)[:1]}-{slugify(ln)}"
    else:
        slug = f"{ascii_slug}-{suffix}"
    while slug in w.slugs:
        slug = f"{slug}-{''.join(rng.choice(alnum) for _ in range(rng.choice([3, 8])))}"
    w.slugs.add(slug)
    return f"https://www.linkedin.com/in/{slug}"


def linkedin_profiles(w):
    """Each person's LinkedIn name, URL, company; who is a connection and since when."""
    rng = w.rng
    base = {"colleague": 0.85, "work": 0.6, "personal": 0.45, "network": 0.78, "recruiter": 0.75, "list": 0.3,
            "cc": 0.35}
    # scale the per-relation odds so that about li_share of all people end up connected
    others = [p for p in w.people if p.relation != "linkedin_only"]
    want = max(0.0, w.li_share * len(w.people) - (len(w.people) - len(others)))
    scale = want / max(1e-9, sum(base.get(p.relation, 0.5) for p in others))
    for p in w.people:
        f, ln = p.first, p.last
        style = wpick(rng, {"plain": 66, "nick": 8 if p.nick else 0, "middle": 5 if p.middle else 0,
                            "cred": 4, "maiden": 30 if p.maiden else 0, "upper_last": 25 if p.country == "fr" else 2,
                            "spaces": 2, "western": 60 if p.western else 0, "native": 12 if p.native else 0,
                            "title": 25 if p.title else 0, "emoji": 1,
                            "one_surname": 40 if " " in p.last and p.locale == "es_ES" else 0})
        if style == "nick":
            f = p.nick
        elif style == "middle":
            f = f"{p.first} {p.middle}"
        elif style == "cred":
            ln = f"{ln}, {rng.choice(['MBA', 'PhD', 'CFA', 'PMP', 'LL.M.'])}"
        elif style == "maiden":
            ln = rng.choice([f"{p.last} ({p.maiden})", f"{p.last}-{p.maiden}", p.maiden])
        elif style == "upper_last":
            ln = ln.upper()
        elif style == "spaces":
            f, ln = f" {f}", f"{ln} "
        elif style == "western":
            f = rng.choice([p.western, f"{p.western} ({p.first})", f"{p.first} ({p.western})"])
        elif style == "native":
            f, ln = p.native.split(" ")[1], p.native.split(" ")[0]
        elif style == "title":
            f = f"{p.title} {f}"
        elif style == "emoji":
            ln = f"{ln} {rng.choice(['🚀', '🌍', '✨'])}"
        elif style == "one_surname":
            ln = p.last.split(" ")[0]
        s = p.current_stint()
        p.li = {"first": f, "last": ln, "company": s.li_company if s else "", "position": s.position if s else "",
                "url": None}
        p.li["url"] = linkedin_url(w, p, f if style != "native" else p.first, ln if style != "native" else p.last)
        prob = 1.0 if p.relation == "linkedin_only" else min(1.0, base.get(p.relation, 0.5) * scale)
        if rng.random() < prob:
            if p.rel_start and p.rel_start > w.start and rng.random() < 0.7:
                # connected around the time they met, not after the export
                d = p.rel_start + timedelta(days=rng.uniform(-20, 90))
                if d >= w.now:
                    d = rand_time(rng, p.rel_start - timedelta(days=20), w.now)
            else:
                d = rand_time(rng, datetime(2010, 1, 1, tzinfo=UTC), w.now) if rng.random() < 0.6 else \
                    rand_time(rng, datetime(2019, 1, 1, tzinfo=UTC), w.now)
            d = min(d, w.now - timedelta(days=1))
            p.connected = d.date()
    # two namesakes both connected, some of the time
    groups = {}
    for p in w.people:
        if p.namesake_group:
            groups.setdefault(p.namesake_group, []).append(p)
    for g in groups.values():
        if rng.random() < 0.3:
            for p in g:
                p.connected = p.connected or (w.now - timedelta(days=rng.randint(10, 3000))).date()


LI_OPENERS = ["Hi! Great to connect.", "Thanks for accepting - great meeting you at the conference.",
              "Congrats on the new role!", "Hi, are you still working on the data platform topic?",
              "Hey, long time! Are you coming to the meetup next week?", ""]
LI_OPENERS_RECRUITER = ["Hi, I came across your profile and would love to tell you about a role.",
                        "Would you be open to a quick call about a Head of Data position in Munich?",
                        "Hi,\nI'm working on an exciting leadership role.\nWould you be open to a chat?"]
LI_REPLIES = ["Thanks!", "Sure, Thursday works.", "Sounds good, talk soon", "Let's do it - send me an invite.",
              "Hi,\nthanks for reaching out.\nI'm happy where I am right now.", "Great, see you there!",
              "Yes, still on it. Happy to compare notes.", ""]


def fmt_li_date(d):
    return f"{d.day:02d} {MONTHS[d.month - 1]} {d.year}"


LI_PREAMBLE = ('Notes:\n"When exporting your connection data, you may notice that some of the email addresses are '
               'missing. You will only see email addresses for connections who have allowed their connections to see '
               'or download their email address using this setting https://www.linkedin.com/psettings/privacy/email. '
               'You can learn more here https://www.linkedin.com/help/linkedin/answer/261"\n\n')


def connections_csv(w):
    rng = w.rng
    rows = []
    for p in w.people:
        if not p.connected:
            continue
        email_addr = ""
        if rng.random() < 0.04:
            used = [a for a in p.personal + work_addrs(p) if a.addr.lower() in w.seen]
            if used:
                email_addr = rng.choice(used).addr
        rows.append((p.connected, [p.li["first"], p.li["last"], p.li["url"], email_addr, p.li["company"],
                                   p.li["position"], fmt_li_date(p.connected)]))
        w.li_urls[p.li["url"]] = p.pid
    for _ in range(max(1, len(rows) // 150)):    # hidden or deleted members: an empty row with a date
        d = (w.now - timedelta(days=rng.randint(30, 4000))).date()
        rows.append((d, ["", "", "", "", "", "", fmt_li_date(d)]))
    rows.sort(key=lambda r: r[0], reverse=True)
    buf = io.StringIO()
    buf.write(LI_PREAMBLE)
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["First Name", "Last Name", "URL", "Email Address", "Company", "Position", "Connected On"])
    for _, r in rows:
        wr.writerow(r)
    return buf.getvalue()


def conv_id(rng):
    raw = bytes(rng.getrandbits(8) for _ in range(rng.choice([24, 36])))
    return "2-" + base64.b64encode(raw).decode()


def messages_csv(w):
    """LinkedIn messages with a minority of people, owner included; newest first in each conversation."""
    rng = w.rng
    o = w.owner
    o_name = f"{o.li['first']} {o.li['last']}"
    share = {"recruiter": 0.7, "network": 0.18, "work": 0.07, "personal": 0.1, "colleague": 0.05,
             "linkedin_only": 0.12, "list": 0.05, "cc": 0.02}
    convs = []
    for p in w.people:
        if rng.random() >= share.get(p.relation, 0):
            continue
        url = p.li["url"]
        if not p.connected and p.relation == "recruiter" and rng.random() < 0.5:   # InMail from outside
            url = "https://www.linkedin.com/in/ACoAA" + "".join(rng.choice(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") for _ in range(34))
        w.li_urls[url] = p.pid
        name = f"{p.li['first'].strip()} {p.li['last'].strip()}"
        cid = conv_id(rng)
        title = rng.choice(["Opportunity: Head of Data", "Quick chat?", "Exciting role in Munich"]) \
            if p.relation == "recruiter" else ""
        t = rand_time(rng, w.start, w.now - timedelta(days=1))
        rows = []
        who = p if p.relation == "recruiter" or rng.random() < 0.5 else o
        for k in range(rng.choice([1, 2, 2, 3, 4, 6])):
            if t >= w.now - timedelta(hours=1):
                break
            if k == 0:
                content = rng.choice(LI_OPENERS_RECRUITER if p.relation == "recruiter" and who is p else LI_OPENERS)
            else:
                content = rng.choice(LI_REPLIES)
            if who is o:
                rows.append([cid, title, o_name, o.li["url"], name, url, t, "", content, "INBOX", ""])
            else:
                rows.append([cid, title, name, url, o_name, o.li["url"], t, "", content, "INBOX", ""])
            who = o if who is p else p
            t += timedelta(hours=math.exp(rng.gauss(math.log(10), 1.2)))
        if rng.random() < 0.04:   # a small group conversation
            others = [q for q in w.people if q.connected and q is not p]
            if others:
                q = rng.choice(others)
                w.li_urls[q.li["url"]] = q.pid
                rows.append([cid, "", f"{q.li['first'].strip()} {q.li['last'].strip()}", q.li["url"],
                             f"{o_name}, {name}", f"{o.li['url']},{url}", min(t, w.now - timedelta(hours=1)), "",
                             "Adding you both here.", "INBOX", ""])
        convs.append(rows)
    for _ in range(max(1, len(convs) // 20)):   # deleted accounts: "LinkedIn Member", no URL
        t = rand_time(rng, w.start, w.now - timedelta(days=1))
        convs.append([[conv_id(rng), "", "LinkedIn Member", "", o_name, o.li["url"], t, "", "", "INBOX", ""]])
    convs.append([[conv_id(rng), "Sponsored Conversation", "LinkedIn Learning", "", o_name, o.li["url"],
                   rand_time(rng, w.start, w.now - timedelta(days=1)), "",
                   '<p class="spinmail-quill-editor__spin-break">Hi %FIRSTNAME%,</p>', "INBOX", ""]])
    buf = io.StringIO()
    wr = csv.writer(buf, quoting=csv.QUOTE_ALL, lineterminator="\n")
    wr.writerow(["CONVERSATION ID", "CONVERSATION TITLE", "FROM", "SENDER PROFILE URL", "TO",
                 "RECIPIENT PROFILE URLS", "DATE", "SUBJECT", "CONTENT", "FOLDER", "ATTACHMENTS"])
    for rows in convs:
        for r in sorted(rows, key=lambda r: r[6], reverse=True):
            r = list(r)
            r[6] = r[6].astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            wr.writerow(r)
    return buf.getvalue()


def invitations_csv(w):
    """Recent invitations, both directions; URLs only of people who are connections."""
    rng = w.rng
    o = w.owner
    o_name = f"{o.li['first']} {o.li['last']}"
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["From", "To", "Sent At", "Message", "Direction", "inviterProfileUrl", "inviteeProfileUrl"])
    recent = [p for p in w.people if p.connected and (w.end - p.connected).days < 365]
    recent.sort(key=lambda p: p.connected, reverse=True)
    for p in recent:
        name = f"{p.li['first']} {p.li['last']}"
        t = datetime(p.connected.year, p.connected.month, p.connected.day, rng.randint(6, 22), rng.randint(0, 59))
        hour12, ampm = (t.hour - 1) % 12 + 1, "AM" if t.hour < 12 else "PM"
        sent = f"{t.month}/{t.day}/{t.year % 100:02d}, {hour12}:{t.minute:02d} {ampm}"
        msg = rng.choice(["", "", "", "Great meeting you today!", "Hi, let's stay in touch, best"])
        if rng.random() < 0.55:
            wr.writerow([name, o_name, sent, msg, "INCOMING", p.li["url"], o.li["url"]])
        else:
            wr.writerow([o_name, name, sent, msg, "OUTGOING", o.li["url"], p.li["url"]])
        w.li_urls[p.li["url"]] = p.pid
    return buf.getvalue()


def profile_csvs(w):
    o = w.owner
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\n")
    wr.writerow(["First Name", "Last Name", "Maiden Name", "Address", "Birth Date", "Headline", "Summary", "Industry",
                 "Zip Code", "Geo Location", "Twitter Handles", "Websites", "Instant Messengers"])
    wr.writerow([o.first, o.last, "", "", "", f"{w.rng.choice(POSITIONS)} at {strip_legal(w.owner_org.name)}", "",
                 "Software Development", "", "Berlin, Germany", "", "", ""])
    buf2 = io.StringIO()
    wr2 = csv.writer(buf2, lineterminator="\n")
    wr2.writerow(["Email Address", "Confirmed", "Primary", "Updated On"])
    wr2.writerow([o.personal[0].addr, "Yes", "Yes", "5/13/20, 12:45 PM"])
    wr2.writerow([o.stints[0].addr.addr, "Yes", "No", "Not Available"])
    return buf.getvalue(), buf2.getvalue()


# ---------------------------------------------------------------- address book

CALLING = {"de": "49", "at": "43", "ch": "41", "gb": "44", "ie": "353", "us": "1", "fr": "33", "nl": "31",
           "es": "34", "it": "39", "pl": "48", "se": "46", "dk": "45", "fi": "358", "cz": "420", "tr": "90",
           "br": "55", "pt": "351", "in": "91", "jp": "81", "cn": "86", "ro": "40"}
BOOK_SHAPES = {"apple": 40, "google": 30, "outlook": 18, "v4": 12}
GOOGLE_CSV_HEADER = ["First Name", "Middle Name", "Last Name", "Phonetic First Name", "Phonetic Middle Name",
                     "Phonetic Last Name", "Name Prefix", "Name Suffix", "Nickname", "File As", "Organization Name",
                     "Organization Title", "Organization Department", "Birthday", "Notes", "Photo", "Labels"]


@dataclass(eq=False)
class Card:
    kind: str                 # person, org, household
    fn: str
    n: tuple = ("", "", "", "", "")   # family, given, middle, prefix, suffix
    nick: str = ""
    org: str = ""
    title: str = ""
    emails: list = field(default_factory=list)   # [(address as written, label)] label: work, home, other
    tels: list = field(default_factory=list)     # [(number, label)] label: cell, work, home
    url: str = ""
    photo: bool = False
    shape: str = "apple"
    pid: str = ""


def phone_number(rng, country):
    """A mobile or landline number in one of the ways people type them."""
    cc = CALLING.get(country, "49")
    area = str(rng.randint(150, 179)) if rng.random() < 0.7 else str(rng.randint(20, 899))
    sub = str(rng.randint(10 ** 6, 10 ** 8 - 1))
    form = wpick(rng, {"intl": 55, "intl_dash": 10, "national": 20, "compact": 15})
    if form == "intl":
        return f"+{cc} {area} {sub}"
    if form == "intl_dash":
        return f"+{cc}-{area}-{sub}"
    if form == "national" and cc not in ("1", "39"):
        return f"0{area} {sub}"
    return f"+{cc}{area}{sub}"


def invented_address(w, rng, p, used):
    """An address of p's that the owner typed in but never mailed; taken by nobody."""
    g = p.german_fold
    f, ln = token(p.first, g, "first"), token(p.last_key, g, "")
    dom = wpick(rng, FREEMAIL.get(p.country, FREEMAIL_DEFAULT))
    for local in (f"{f}.{ln}", f"{f}{ln}", f"{f[0]}{ln}{rng.randint(1, 99)}", f"{ln}.{f}{rng.randint(60, 99)}"):
        addr = f"{local}@{dom}"
        if addr.lower() not in w.taken and addr.lower() not in used:
            return addr
    return None


def person_card(w, rng, p, used):
    """One card for p: addresses as seen in mail, the name as the owner typed it."""
    own = work_addrs(p) + p.personal
    seen = [a for a in own if w.seen.get(a.addr.lower()) == p.pid]
    unseen = [a for a in own if a.addr.lower() not in w.seen]
    # a card typed before a job change and never updated: old employer, old address
    stale = len(p.stints) > 1 and p.stints[0].org is not None and rng.random() < 0.35
    stint = p.stints[0] if stale else p.current_stint()
    if stale:
        pool = [a for a in seen if a.kind == "personal" or a in (p.stints[0].addr, p.stints[0].alias)] or seen
    else:
        cur = [a for a in seen if a.kind == "personal" or (stint and a in (stint.addr, stint.alias))]
        pool = cur + [a for a in seen if a not in cur]
    k = wpick(rng, {1: 55, 2: 33, 3: 12})
    picked = pool[:1] + rng.sample(pool[1:], min(k - 1, len(pool) - 1)) if pool else []
    emails = []
    for a in picked:
        label = "home" if a.kind == "personal" else "work"
        text = a.case_form if (a.case_form and rng.random() < 0.5) else a.addr
        emails.append((text, label if rng.random() < 0.9 else "other"))
    if len(emails) < 3 and rng.random() < 0.1:    # an address the owner has but never used
        extra = next((a.addr for a in unseen if a.addr.lower() not in used), None) or invented_address(w, rng, p, used)
        if extra:
            emails.append((extra, "other"))
    url = ""
    if p.connected and rng.random() < (0.7 if not seen else 0.3 if p.relation in ("network", "recruiter") else 0.15):
        url = p.li["url"]     # exactly as in Connections.csv
    if not emails and not url:
        if p.connected and rng.random() < 0.7:
            url = p.li["url"]
        else:
            extra = invented_address(w, rng, p, used)
            if not extra:
                return None
            emails.append((extra, "home"))
    for e, _ in emails:
        used.add(e.lower())
    last = p.maiden if (p.maiden and rng.random() < 0.5) else p.last
    first = p.first
    style = wpick(rng, {"full": 62, "nick": 14 if p.nick else 0, "first": 5, "title": 12 if p.title else 0,
                        "ascii": 4 if not is_ascii(first + last) else 0, "native": 12 if p.native else 0,
                        "western": 30 if p.western else 0, "middle": 5 if p.middle else 0})
    prefix = p.title if style == "title" or (p.title and rng.random() < 0.3) else ""
    n = (last, first, p.middle if style == "middle" else "", prefix, "")
    fn, nick = f"{first} {last}", ""
    if style == "nick":
        fn, nick = f"{p.nick} {last}", p.nick if rng.random() < 0.5 else ""
    elif style == "first":
        fn, n = first, ("", first, "", "", "")
    elif style == "title":
        fn = f"{p.title} {first} {last}"
    elif style == "ascii":
        fn = fold(f"{first} {last}", german=p.german_fold)
        n = (fold(last, p.german_fold), fold(first, p.german_fold), "", "", "")
    elif style == "native":
        fn = p.native
        n = (p.native.split(" ")[0], p.native.split(" ")[-1], "", "", "")
    elif style == "western":
        fn, n = f"{p.western} {last}", (last, p.western, "", "", "")
    elif style == "middle":
        fn = f"{first} {p.middle} {last}"
    org = ""
    if stint and stint.org and rng.random() < 0.75:
        org = rng.choice([stint.org.name, strip_legal(stint.org.name)])
    title = stint.position if (stint and stint.position and rng.random() < 0.3) else ""
    tels = []
    for label in ("cell", "work"):
        if rng.random() < (0.65 if label == "cell" else 0.2):
            tels.append((phone_number(rng, p.country), label))
    return Card("person", fn, n, nick, org, title, emails, tels, url, rng.random() < 0.1, pid=p.pid)


def org_cards(w, rng, count):
    """Company-only cards: a vendor's billing address, an organisation's role address."""
    cands = []
    for addr, kind in sorted(w.robots.items()):
        a = w.taken.get(addr)
        if kind == "transactional" and a is not None and a.name:
            local = addr.split("@")[0]
            fn = f"{a.name.split(' ')[0]} {local.capitalize()}" if local in ("billing", "invoice") else a.name
            cands.append(Card("org", fn, org=a.name, emails=[(a.addr, "work")]))
    for o in w.orgs:
        for a in o.roles:
            if a.addr.lower() in w.shared_seen:
                local = a.addr.split("@")[0]
                cands.append(Card("org", f"{strip_legal(o.name)} {local.capitalize()}", org=o.name,
                                  emails=[(a.addr, "work")],
                                  tels=[(phone_number(rng, o.country), "work")] if rng.random() < 0.5 else []))
    return rng.sample(cands, min(count, len(cands)))


def household_cards(w, rng):
    """A couple's shared family address: one card, only that address, no one's identity."""
    out = []
    for acct, a, b in w.households:
        if acct.addr.lower() in w.shared_seen and rng.random() < 0.7:
            fn = acct.name or f"{a.first} & {b.first} {a.last}"
            out.append(Card("household", fn, (a.last, f"{a.first} & {b.first}", "", "", ""),
                            emails=[(acct.addr, "home")], tels=[(phone_number(rng, a.country), "home")]))
    return out


def build_book(w, rng, share):
    mailed = set(w.seen.values())
    eligible = [p for p in w.people if p.pid in mailed or p.connected]
    chosen = rng.sample(eligible, round(share * len(eligible)))
    cards, used = [], set()
    for p in chosen:
        c = person_card(w, rng, p, used)
        if c:
            cards.append(c)
        if rng.random() < 0.04:   # a second card for the same person (the work one, the phone one)
            c2 = person_card(w, rng, p, used)
            if c2:
                cards.append(c2)
    cards += org_cards(w, rng, max(2, len(cards) // 40))
    cards += household_cards(w, rng)
    for c in cards:
        c.shape = wpick(rng, BOOK_SHAPES)
    rng.shuffle(cards)
    return cards


def vesc(s, comma=True):
    s = s.replace("\\", "\\\\").replace(";", "\\;").replace("\n", "\\n")
    return s.replace(",", "\\,") if comma else s


def fake_photo(rng):
    """A few bytes behind a JPEG header: parsers skip PHOTO, so it only has to look real."""
    raw = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01" + bytes(rng.getrandbits(8) for _ in range(rng.randint(40, 90)))
    return base64.b64encode(raw + b"\xff\xd9").decode()


def fold_line(line):
    """Fold one content line at 75 octets (RFC 6350 3.2), never inside a UTF-8 sequence."""
    out, cur, size = [], "", 0
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > 75:
            out.append(cur)
            cur, size = " ", 1
        cur += ch
        size += n
    out.append(cur)
    return "\r\n".join(out) + "\r\n"


def rev_stamp(rng, w, compact):
    t = rand_time(rng, w.start - timedelta(days=1500), w.now - timedelta(days=2)).replace(microsecond=0)
    return t.strftime("%Y%m%dT%H%M%SZ" if compact else "%Y-%m-%dT%H:%M:%SZ")


def card_uid(rng):
    h = f"{rng.getrandbits(128):032X}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def card_role_lines(c, org_end=""):
    """A card's NICKNAME, ORG and TITLE lines, as the 3.0 and 4.0 exporters write them."""
    return ([f"NICKNAME:{vesc(c.nick)}"] if c.nick else []) + ([f"ORG:{vesc(c.org)}{org_end}"] if c.org else []) \
        + ([f"TITLE:{vesc(c.title)}"] if c.title else [])


def vcard_apple(c, rng, w):
    """macOS / iOS Contacts, vCard 3.0: lower-case type params, item groups with X-ABLabel."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"PRODID:-//Apple Inc.//{rng.choice(['macOS 14.6', 'iPhone OS 17.5'])}//EN",
             "N:" + ";".join(vesc(x) for x in c.n), f"FN:{vesc(c.fn)}"]
    lines += card_role_lines(c, org_end=";")  # Apple ends ORG with its empty unit
    item = 0
    for i, (e, label) in enumerate(c.emails):
        pref = ";type=pref" if i == 0 else ""
        if label == "other" or rng.random() < 0.25:
            item += 1
            lines.append(f"item{item}.EMAIL;type=INTERNET{pref}:{e}")
            lines.append(f"item{item}.X-ABLabel:" + ("_$!<Other>!$_" if label == "other" else
                                                      rng.choice(["_$!<Other>!$_", "privat", "alt", "Büro"])))
        else:
            lines.append(f"EMAIL;type=INTERNET;type={label.upper()}{pref}:{e}")
    for i, (t, label) in enumerate(c.tels):
        kind = {"cell": "CELL;type=VOICE", "work": "WORK;type=VOICE", "home": "HOME;type=VOICE"}[label]
        lines.append(f"TEL;type={kind}{';type=pref' if i == 0 else ''}:{t}")
    if c.url:
        item += 1
        lines.append(f"item{item}.URL;type=pref:{c.url}")
        lines.append(f"item{item}.X-ABLabel:{rng.choice(['_$!<HomePage>!$_', 'LinkedIn'])}")
    if c.kind == "org":
        lines.append("X-ABShowAs:COMPANY")
    if c.photo:
        lines.append(f"PHOTO;ENCODING=b;TYPE=JPEG:{fake_photo(rng)}")
    lines.append(f"REV:{rev_stamp(rng, w, False)}")
    lines.append("END:VCARD")
    return "".join(fold_line(ln) for ln in lines)


def vcard_google(c, rng, w):
    """contacts.google.com export, vCard 3.0: upper-case TYPE, URL colons escaped, CATEGORIES."""
    lines = ["BEGIN:VCARD", "VERSION:3.0", f"FN:{vesc(c.fn)}", "N:" + ";".join(vesc(x) for x in c.n)]
    if c.nick:
        lines.append(f"NICKNAME:{vesc(c.nick)}")
    for e, label in c.emails:
        lines.append(f"EMAIL;TYPE=INTERNET{';TYPE=' + label.upper() if label != 'other' else ''}:{e}")
    for t, label in c.tels:
        lines.append(f"TEL;TYPE={label.upper()}:{t}")
    if c.org:
        lines.append(f"ORG:{vesc(c.org)}")
    if c.title:
        lines.append(f"TITLE:{vesc(c.title)}")
    if c.url:   # Google's exporter escapes the colons of URLs
        lines.append("item1.URL:" + c.url.replace(":", "\\:"))
        lines.append("item1.X-ABLabel:" + rng.choice(["LinkedIn", "Profile", ""]))
    if c.photo:
        lines.append(f"PHOTO:https://lh3.googleusercontent.com/contacts/{fake_photo(rng)[20:60].replace('/', '_')}")
    lines.append("CATEGORIES:myContacts" + (",Work" if c.org and rng.random() < 0.2 else ""))
    lines.append("END:VCARD")
    return "".join(fold_line(ln) for ln in lines)


def qp_prop(name, value):
    """An Outlook 2.1 property: plain if ASCII, else CHARSET + QUOTED-PRINTABLE with soft breaks."""
    if is_ascii(value):
        return fold_line(f"{name}:{value}")
    try:
        raw, cs = value.encode("cp1252"), "Windows-1252"
    except UnicodeEncodeError:
        raw, cs = value.encode("utf-8"), "utf-8"
    enc = "".join(chr(b) if 32 < b < 127 and b != 61 else f"={b:02X}" for b in raw)
    line = f"{name};CHARSET={cs};ENCODING=QUOTED-PRINTABLE:{enc}"
    out = []
    while len(line) > 75:
        cut = 75
        while line[cut - 1] == "=" or line[cut - 2] == "=":   # never split an =XX escape
            cut -= 1
        out.append(line[:cut] + "=")
        line = line[cut:]
    out.append(line)
    return "\r\n".join(out) + "\r\n"


def vcard_outlook(c, rng, w):
    """Outlook's vCard 2.1: bare type params, CHARSET and QUOTED-PRINTABLE for non-ASCII text."""
    out = fold_line("BEGIN:VCARD") + fold_line("VERSION:2.1")
    out += qp_prop("N;LANGUAGE=" + rng.choice(["de", "en-us", "de-de"]), ";".join(x.replace(";", "\\;") for x in c.n))
    out += qp_prop("FN", c.fn)
    if c.nick:
        out += qp_prop("NICKNAME", c.nick)
    if c.org:
        out += qp_prop("ORG", c.org)
    if c.title:
        out += qp_prop("TITLE", c.title)
    for t, label in c.tels:
        out += fold_line(f"TEL;{label.upper()};VOICE:{t}")
    if c.url:
        out += fold_line(f"URL;WORK:{c.url}")
    for i, (e, _) in enumerate(c.emails):
        out += fold_line(f"EMAIL;{'PREF;' if i == 0 else ''}INTERNET:{e}")
    if c.photo:   # 2.1 base64: continuation lines indented, a blank line after the value
        data = fake_photo(rng)
        out += "PHOTO;TYPE=JPEG;ENCODING=BASE64:\r\n" + "".join(
            f" {data[i:i + 72]}\r\n" for i in range(0, len(data), 72)) + "\r\n"
    out += fold_line("X-MS-OL-DEFAULT-POSTAL-ADDRESS:0")
    out += fold_line(f"REV:{rev_stamp(rng, w, True)}")
    return out + fold_line("END:VCARD")


def vcard_v4(c, rng, w):
    """vCard 4.0 as CardDAV servers and Thunderbird write it: UID, PREF=1, tel: URIs, KIND."""
    lines = ["BEGIN:VCARD", "VERSION:4.0", "PRODID:-//Sabre//Sabre VObject 4.5.4//EN", f"UID:{card_uid(rng).lower()}"]
    if c.kind == "org":
        lines.append("KIND:org")
    lines += [f"FN:{vesc(c.fn)}", "N:" + ";".join(vesc(x) for x in c.n)]
    lines += card_role_lines(c)
    for i, (e, label) in enumerate(c.emails):
        lines.append(f"EMAIL;TYPE={label}{';PREF=1' if i == 0 else ''}:{e}")
    for t, label in c.tels:
        uri = "tel:" + re.sub(r"[ ]+", "-", t)
        lines.append(f"TEL;TYPE={'cell' if label == 'cell' else label + ',voice'};VALUE=uri:{uri}")
    if c.url:
        lines.append(f"URL;TYPE=work:{c.url}")
    if c.photo:
        lines.append(f"PHOTO:data:image/jpeg;base64,{fake_photo(rng)}")
    lines.append(f"REV:{rev_stamp(rng, w, True)}")
    lines.append("END:VCARD")
    return "".join(fold_line(ln) for ln in lines)


VCARD_WRITERS = {"apple": vcard_apple, "google": vcard_google, "outlook": vcard_outlook, "v4": vcard_v4}


def google_csv(cards):
    """Google Contacts' CSV export (2024+ header) of the cards that live in the Google account."""
    n_mail = max([len(c.emails) for c in cards] + [1])
    n_tel = max([len(c.tels) for c in cards] + [1])
    head = list(GOOGLE_CSV_HEADER)
    for i in range(1, n_mail + 1):
        head += [f"E-mail {i} - Label", f"E-mail {i} - Value"]
    for i in range(1, n_tel + 1):
        head += [f"Phone {i} - Label", f"Phone {i} - Value"]
    head += ["Website 1 - Label", "Website 1 - Value"]
    buf = io.StringIO()
    wr = csv.writer(buf, lineterminator="\r\n")
    wr.writerow(head)
    for c in cards:
        family, given, middle, prefix, suffix = c.n
        row = [given, middle, family, "", "", "", prefix, suffix, c.nick, "", c.org, c.title, "", "", "", "",
               "* myContacts"]
        for i in range(n_mail):
            if i < len(c.emails):
                e, label = c.emails[i]
                row += [("* " if i == 0 else "") + label.capitalize(), e]
            else:
                row += ["", ""]
        for i in range(n_tel):
            t, label = c.tels[i] if i < len(c.tels) else ("", "")
            row += [{"cell": "Mobile", "work": "Work", "home": "Home"}.get(label, ""), t]
        row += ["Profile" if c.url else "", c.url]
        wr.writerow(row)
    return buf.getvalue()


def book_stats(cards):
    per = [len(c.emails) for c in cards]
    return {"cards": len(cards), "by_shape": {k: sum(1 for c in cards if c.shape == k) for k in VCARD_WRITERS},
            "by_kind": {k: sum(1 for c in cards if c.kind == k) for k in ("person", "org", "household")},
            "emails_per_card": {str(k): per.count(k) for k in sorted(set(per))},
            "with_url": sum(1 for c in cards if c.url), "url_only": sum(1 for c in cards if c.url and not c.emails),
            "google_csv_rows": sum(1 for c in cards if c.shape == "google")}


def read_vcards(path):
    """Unfolded cards of a .vcf as lists of (name with params, value); enough for the self-check."""
    text = path.read_bytes().decode("utf-8").replace("\r\n ", "").replace("\r\n\t", "")
    text = re.sub(r"=\r\n", "", text)     # QUOTED-PRINTABLE soft breaks (only the 2.1 cards have them)
    cards, cur = [], None
    for ln in text.split("\r\n"):
        name, _, value = ln.partition(":")
        if ln == "BEGIN:VCARD":
            cur = []
        elif ln == "END:VCARD":
            cards.append(cur)
            cur = None
        elif cur is not None and ln:
            cur.append((name.upper(), value))
    return cards


def write_address_book(w, folder, share):
    """Contacts/contacts.vcf and Contacts/google.csv, from a random stream of their own."""
    rng = random.Random(f"{w.seed}-address-book")
    cards = build_book(w, rng, share)
    book = folder / "Contacts"
    book.mkdir(parents=True, exist_ok=True)
    (book / "contacts.vcf").write_bytes("".join(VCARD_WRITERS[c.shape](c, rng, w) for c in cards).encode("utf-8"))
    (book / "google.csv").write_bytes(google_csv([c for c in cards if c.shape == "google"]).encode("utf-8"))
    return cards


# ---------------------------------------------------------------- writers

def from_line_date(t):
    t = t.astimezone(UTC)
    return f"{WEEKDAYS[t.weekday()]} {MONTHS[t.month - 1]} {t.day:02d} {t:%H:%M:%S} +0000 {t.year}"


def serialize(m):
    lines = [f"From {m.gid}@xxx {from_line_date(m.t)}", f"X-GM-THRID: {m.thread.gid}",
             f"X-Gmail-Labels: {fmt_labels(m.labels)}"]
    for k, v in m.headers:
        lines.append(f"{k}: {v}")
    head = "\n".join(lines) + "\n\n"
    body = m.body
    if m.qp:
        body = quopri.encodestring(body.encode("utf-8")).decode("ascii")
    out = []
    for ln in body.split("\n"):
        out.append(">" + ln if ln.startswith("From ") else ln)   # Gmail's mboxo escaping
    text = "\n".join(out)
    if not text.endswith("\n"):
        text += "\n"
    return (head + text + "\n").encode("utf-8")


def write_mbox(w, path):
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = w.rng
    msgs = sorted(w.msgs, key=lambda m: m.gid)
    # Takeout is roughly but not strictly chronological: nudge a few neighbours.
    for i in range(len(msgs) - 1):
        if rng.random() < 0.03:
            msgs[i], msgs[i + 1] = msgs[i + 1], msgs[i]
    with open(path, "wb") as fh:
        for m in msgs:
            fh.write(serialize(m))


def write_zip(path, files):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files:
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


# ---------------------------------------------------------------- entry points

def build_world(people=1000, seed=1, namesakes=0.15, bare_personal=0.3, job_changes=0.15, end="2026-11-23"):
    w = World(people, seed, namesakes, bare_personal, job_changes, end)
    make_owner(w)
    make_people(w)
    apply_namesakes(w)
    plan_careers(w)
    assign_addresses(w)
    plan_relationships(w)
    linkedin_profiles(w)
    direct_threads(w)
    group_threads(w)
    intro_threads(w)
    role_threads(w)
    job_change_mail(w)
    delegation_threads(w)
    mailing_lists(w)
    support_desk(w)
    robot_mail(w)
    family_threads(w)
    late_appearances(w)
    return w


def _generate(folder, address_book=0.0, **kw):
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    w = build_world(**kw)
    mbox_rel = "Takeout/Mail/All mail Including Spam and Trash.mbox"
    write_mbox(w, folder / mbox_rel)
    zip_name = f"Complete_LinkedInDataExport_{w.end.month:02d}-{w.end.day:02d}-{w.end.year}.zip"
    conns = connections_csv(w)
    msgs = messages_csv(w)
    invs = invitations_csv(w)
    prof, emails = profile_csvs(w)
    write_zip(folder / zip_name, [("Connections.csv", conns), ("messages.csv", msgs), ("Invitations.csv", invs),
                                  ("Profile.csv", prof), ("Email Addresses.csv", emails)])
    o = w.owner
    o_emails = [o.stints[0].addr.addr, o.personal[0].addr]
    (folder / "tiekeeper.toml").write_text(
        "[owner]\n"
        f"name = {toml_str(o.first + ' ' + o.last)}\n"
        f"emails = [{', '.join(toml_str(e) for e in o_emails)}]\n"
        'timezone = "Europe/Berlin"\n\n'
        "[sources]\n"
        f"linkedin = {toml_str(zip_name)}\n"
        f"mbox = [{toml_str(mbox_rel)}]\n"
        + ('contacts = ["Contacts/contacts.vcf", "Contacts/google.csv"]\n' if address_book > 0 else ""),
        encoding="utf-8")
    identities = [{"kind": "email", "key": k, "person_id": v} for k, v in w.seen.items()]
    identities += [{"kind": "linkedin_url", "key": k, "person_id": v} for k, v in w.li_urls.items()]
    identities.sort(key=lambda d: (d["person_id"], d["kind"], d["key"]))
    truth = {
        "seed": w.seed, "end": w.end.isoformat(), "now": w.now.isoformat(),
        "owner": {"name": f"{o.first} {o.last}", "emails": o_emails, "linkedin_url": o.li["url"],
                  "timezone": "Europe/Berlin", "owner_type": "typical"},
        "people": [],
        "identities": identities,
        "automated_senders": [{"address": a, "kind": k} for a, k in sorted(w.robots.items())],
        "shared_inboxes": [], "resources": [], "awaiting_reply": [], "counts": {},
    }
    (folder / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1), encoding="utf-8")
    if address_book > 0:   # last, from its own random stream: nothing above may depend on it
        w.book = write_address_book(w, folder, address_book)
    return w


def generate(folder: Path, *, people: int = 1000, seed: int = 1, namesakes: float = 0.15,
             bare_personal: float = 0.3, job_changes: float = 0.15, end: str = "2026-11-23",
             address_book: float = 0.0) -> None:
    """Write one held-out world into folder (see the module docstring)."""
    _generate(folder, people=people, seed=seed, namesakes=namesakes, bare_personal=bare_personal,
              job_changes=job_changes, end=end, address_book=address_book)


def world_stats(w):
    """Figures known only to the generator (truth.json keeps the scorer's shape)."""
    in_mail = {pid for pid in w.seen.values()}
    groups = {}
    for p in w.people:
        groups.setdefault(name_key(p), []).append(p)
    pairs = sum(len(g) * (len(g) - 1) // 2 for g in groups.values())
    in_groups = sum(len(g) for g in groups.values() if len(g) > 1)
    return {
        "people": len(w.people), "people_in_mail": len(in_mail),
        "connections": sum(1 for p in w.people if p.connected),
        "email_identities": len(w.seen), "linkedin_identities": len(w.li_urls),
        "messages": len(w.msgs), "threads": len({m.thread.gid for m in w.msgs}),
        "namesake_pairs": pairs, "people_with_namesake": in_groups,
        "bare_from_messages": w.stats["bare_from_msgs"], "bare_addresses": len(w.stats["bare_addrs"]),
        "job_changers": sum(1 for p in w.people if len(p.stints) > 1 and not p.married_at),
        "surname_changes": sum(1 for p in w.people if p.married_at),
        "automated_senders": len(w.robots), "shared_addresses": len(w.shared_seen),
        "announcements": w.stats["announcements"], "bounces": w.stats["bounces"],
        "organisations": len(w.orgs),
    }


def check_world(folder):
    """Re-read what was written, as a consumer would, and check it against truth.json."""
    import mailbox
    from email.utils import getaddresses, parsedate_to_datetime
    folder = Path(folder)
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    problems = []
    mb = mailbox.mbox(str(folder / "Takeout/Mail/All mail Including Spam and Trash.mbox"), create=False)
    addrs, n, threads = set(), 0, set()
    for key in mb.iterkeys():
        msg = mb.get_message(key)
        n += 1
        for h in ("From", "Date", "Message-ID", "X-GM-THRID"):
            if msg[h] is None:
                problems.append(f"message {key} has no {h}")
        try:
            parsedate_to_datetime(str(msg["Date"]))
        except (TypeError, ValueError):
            problems.append(f"message {key}: bad Date {msg['Date']!r}")
        threads.add(str(msg["X-GM-THRID"]))
        vals = []
        for h in ("From", "To", "Cc", "Reply-To", "Sender", "X-Original-From"):
            vals += [str(v) for v in msg.get_all(h, [])]
        for _, a in getaddresses(vals):
            if a:
                addrs.add(a.lower())
    mb.close()
    ids = truth["identities"]
    emails = {d["key"] for d in ids if d["kind"] == "email"}
    urls = {d["key"] for d in ids if d["kind"] == "linkedin_url"}
    missing = emails - addrs
    if missing:
        problems.append(f"{len(missing)} email identities never appear in the mbox, e.g. {sorted(missing)[:3]}")
    robots = {d["address"] for d in truth["automated_senders"]}
    known = emails | robots | {e.lower() for e in truth["owner"]["emails"]}
    unlisted = sorted(addrs - known)
    zips = list(folder.glob("Complete_LinkedInDataExport_*.zip"))
    with zipfile.ZipFile(zips[0]) as z:
        text = z.read("Connections.csv").decode("utf-8-sig")
        lines = text.split("\n")
        start = next(i for i, ln in enumerate(lines[:20]) if ln.startswith("First Name,"))
        rows = list(csv.DictReader(io.StringIO("\n".join(lines[start:]), newline="")))
        for r in rows:
            if r["URL"] and r["URL"] not in urls:
                problems.append(f"Connections URL not in truth: {r['URL']}")
            if r["Email Address"] and r["Email Address"].lower() not in emails:
                problems.append(f"Connections email not in truth: {r['Email Address']}")
        mrows = list(csv.DictReader(io.StringIO(z.read("messages.csv").decode("utf-8-sig"), newline="")))
        owner_url = truth["owner"]["linkedin_url"]
        for r in mrows:
            for u in [r["SENDER PROFILE URL"]] + r["RECIPIENT PROFILE URLS"].split(","):
                if u and u != owner_url and u not in urls:
                    problems.append(f"messages.csv URL not in truth: {u}")
    per = {}
    for d in ids:
        per.setdefault((d["kind"], d["key"]), set()).add(d["person_id"])
    if any(len(v) > 1 for v in per.values()):
        problems.append("an identity is listed for two people")
    vcf = folder / "Contacts" / "contacts.vcf"
    if vcf.exists():
        who = {k: next(iter(v)) for (kind, k), v in per.items() if kind == "email"}
        for card in read_vcards(vcf):
            mails = [v.lower() for k, v in card if k.split(";")[0].split(".")[-1] == "EMAIL"]
            if not mails and not any(k.split(";")[0].split(".")[-1] == "URL" for k, _ in card):
                problems.append(f"a card has neither EMAIL nor URL: {card[:4]}")
            if len({who[m] for m in mails if m in who}) > 1:
                problems.append(f"a card lists addresses of two people: {mails}")
    return {"mbox_messages": n, "mbox_threads": len(threads), "mbox_addresses": len(addrs),
            "connections_rows": len(rows), "linkedin_message_rows": len(mrows),
            "unlisted_addresses": len(unlisted), "unlisted_examples": unlisted[:6], "problems": problems}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--people", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--namesakes", type=float, default=0.15)
    ap.add_argument("--bare-personal", type=float, default=0.3)
    ap.add_argument("--job-changes", type=float, default=0.15)
    ap.add_argument("--end", default="2026-11-23")
    ap.add_argument("--address-book", type=float, default=0.0, metavar="F",
                    help="write Contacts/ with cards for this share of the people in mail or LinkedIn")
    ap.add_argument("--no-check", action="store_true", help="skip re-reading the outputs")
    args = ap.parse_args(argv)
    t0 = time.time()
    w = _generate(args.out, people=args.people, seed=args.seed, namesakes=args.namesakes,
                  bare_personal=args.bare_personal, job_changes=args.job_changes, end=args.end,
                  address_book=args.address_book)
    stats = world_stats(w)
    if args.address_book > 0:
        stats["address_book"] = book_stats(w.book)
    stats["seconds"] = round(time.time() - t0, 1)
    print(json.dumps(stats, indent=1))
    if not args.no_check:
        chk = check_world(args.out)
        print(json.dumps(chk, indent=1, ensure_ascii=False))
        if chk["problems"]:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
