"""How each example operation was entered: one Beacon bundle per operation.

Each operation below says which catalogue metric (or local metric), breakdown,
place or agency every published figure is entered as; the value, qualifier,
parent, period and source come from the operation's ``published.json`` as
published. ``python examples/operations/entry.py`` writes every ``bundle.json``;
the bundles are the committed artefact (the test imports them, not this file).
Format: docs/bundle.md (version 2) and docs/metrics.md.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent

# Local metrics the catalogue does not have (docs/metrics.md, "Local metrics").
LOCAL: dict[str, dict[str, Any]] = {
    "local.cases_referred_for_investigation": {
        "unit": "count",
        "family": "justice",
        "definition": "Cases referred to other law enforcement agencies for further investigation.",
        "en": (
            "Cases referred for investigation",
            "case referred for investigation",
            "cases referred for investigation",
        ),
        "fr": (
            "Dossiers transmis pour enquête",
            "dossier transmis pour enquête",
            "dossiers transmis pour enquête",
            "m",
        ),
    },
    "local.cases_with_trafficking_allegations": {
        "unit": "count",
        "family": "missing_children",
        "definition": "Missing-child cases in which law enforcement reported allegations of trafficking.",
        "en": (
            "Cases with trafficking allegations",
            "case with trafficking allegations",
            "cases with trafficking allegations",
        ),
        "fr": (
            "Dossiers avec allégations de traite",
            "dossier avec allégations de traite",
            "dossiers avec allégations de traite",
            "m",
        ),
    },
    "local.youngest_child_found_age": {
        "unit": "age",
        "family": "missing_children",
        "definition": "Age of the youngest missing child recovered or located.",
        "en": ("Youngest child found (age)", "youngest child found", "youngest child found"),
        "fr": (
            "Plus jeune enfant retrouvé (âge)",
            "plus jeune enfant retrouvé",
            "plus jeune enfant retrouvé",
            "m",
        ),
    },
    "local.children_found_outside_city": {
        "unit": "count",
        "family": "missing_children",
        "parent": "children_found",
        "definition": "Missing children found outside the city where they went missing.",
        "en": (
            "Found outside their city",
            "child found outside the city where they went missing",
            "children found outside the city where they went missing",
        ),
        "fr": (
            "Retrouvés hors de leur ville",
            "enfant retrouvé hors de la ville où il a disparu",
            "enfants retrouvés hors de la ville où ils ont disparu",
            "m",
        ),
    },
    "local.recovered_within_7_days": {
        "unit": "percent",
        "family": "missing_children",
        "definition": "Share of the recovered children recovered within seven days of the U.S. Marshals Service assisting with the case.",
        "en": (
            "Recovered within 7 days",
            "recovered children, recovered within seven days of the USMS assisting",
            "recovered children, recovered within seven days of the USMS assisting",
        ),
        "fr": (
            "Récupérés en 7 jours",
            "enfants récupérés, récupérés dans les sept jours suivant l'aide de l'USMS",
            "enfants récupérés, récupérés dans les sept jours suivant l'aide de l'USMS",
            "m",
        ),
    },
    "local.judicial_districts": {
        "unit": "count",
        "family": "effort",
        "definition": "U.S. federal judicial districts taking part.",
        "en": ("Judicial districts", "federal judicial district", "federal judicial districts"),
        "fr": (
            "Districts judiciaires",
            "district judiciaire fédéral",
            "districts judiciaires fédéraux",
            "m",
        ),
    },
    "local.geographical_locations": {
        "unit": "count",
        "family": "effort",
        "definition": "Geographical locations where the operation worked.",
        "en": ("Geographical locations", "geographical location", "geographical locations"),
        "fr": ("Lieux géographiques", "lieu géographique", "lieux géographiques", "m"),
    },
    "local.adult_victims_offered_services": {
        "unit": "count",
        "family": "victims",
        "definition": "Adult victims contacted and offered services.",
        "en": (
            "Adult victims offered services",
            "adult victim contacted and offered services",
            "adult victims contacted and offered services",
        ),
        "fr": (
            "Victimes adultes à qui des services ont été offerts",
            "victime adulte contactée à qui des services ont été offerts",
            "victimes adultes contactées à qui des services ont été offerts",
            "f",
        ),
    },
    "local.hands_on_offenders_identified": {
        "unit": "count",
        "family": "justice",
        "definition": "Offenders identified who produced child sexual abuse material or committed child sexual abuse.",
        "en": (
            "Producing or abusing offenders identified",
            "offender identified who produced CSAM or abused a child",
            "offenders identified who produced CSAM or abused children",
        ),
        "fr": (
            "Auteurs producteurs ou agresseurs identifiés",
            "auteur identifié ayant produit du matériel pédopornographique ou agressé un enfant",
            "auteurs identifiés ayant produit du matériel pédopornographique ou agressé des enfants",
            "m",
        ),
    },
    "local.task_forces": {
        "unit": "count",
        "family": "effort",
        "definition": "Task forces taking part.",
        "en": ("Task forces", "task force", "task forces"),
        "fr": ("Groupes de travail", "groupe de travail", "groupes de travail", "m"),
    },
    "local.communities": {
        "unit": "count",
        "family": "effort",
        "definition": "Communities where the operation made arrests.",
        "en": ("Communities", "community", "communities"),
        "fr": ("Localités", "localité", "localités", "f"),
    },
    "local.border_crossings": {
        "unit": "count",
        "family": "effort",
        "definition": "Border crossings where officers were present.",
        "en": ("Border crossings covered", "border crossing covered", "border crossings covered"),
        "fr": (
            "Points de passage frontaliers couverts",
            "point de passage frontalier couvert",
            "points de passage frontaliers couverts",
            "m",
        ),
    },
    "local.database_checks": {
        "unit": "count",
        "family": "effort",
        "definition": "Checks carried out against INTERPOL's databases.",
        "en": (
            "Database checks",
            "check against INTERPOL's databases",
            "checks against INTERPOL's databases",
        ),
        "fr": (
            "Vérifications dans les bases de données",
            "vérification dans les bases de données d'INTERPOL",
            "vérifications dans les bases de données d'INTERPOL",
            "f",
        ),
    },
    "local.checks_performed": {
        "unit": "count",
        "family": "effort",
        "definition": "Checks at checkpoints, airports and hotspots.",
        "en": ("Checks performed", "check performed", "checks performed"),
        "fr": (
            "Vérifications effectuées",
            "vérification effectuée",
            "vérifications effectuées",
            "f",
        ),
    },
    "local.arrests_trafficking_or_smuggling": {
        "unit": "count",
        "family": "justice",
        "parent": "arrests",
        "definition": "Arrests on human trafficking or migrant smuggling charges.",
        "en": (
            "Arrests for trafficking or smuggling",
            "arrest on human trafficking or migrant smuggling charges",
            "arrests on human trafficking or migrant smuggling charges",
        ),
        "fr": (
            "Arrestations pour traite ou trafic de migrants",
            "arrestation pour traite d'êtres humains ou trafic de migrants",
            "arrestations pour traite d'êtres humains ou trafic de migrants",
            "f",
        ),
    },
    "local.specialized_units": {
        "unit": "count",
        "family": "effort",
        "definition": "Specialized units supporting the operation.",
        "en": ("Specialized units", "specialized unit", "specialized units"),
        "fr": ("Unités spécialisées", "unité spécialisée", "unités spécialisées", "f"),
    },
    "local.migrant_origin_countries": {
        "unit": "count",
        "family": "migration",
        "definition": "Countries of origin of the irregular migrants intercepted.",
        "en": (
            "Migrants' countries of origin",
            "country of origin of the migrants",
            "countries of origin of the migrants",
        ),
        "fr": (
            "Pays d'origine des migrants",
            "pays d'origine des migrants",
            "pays d'origine des migrants",
            "m",
        ),
    },
    "local.migrants_rescued_at_sea": {
        "unit": "count",
        "family": "migration",
        "definition": "Migrants rescued at sea.",
        "en": ("Migrants rescued at sea", "migrant rescued at sea", "migrants rescued at sea"),
        "fr": (
            "Migrants secourus en mer",
            "migrant secouru en mer",
            "migrants secourus en mer",
            "m",
        ),
    },
    "local.criminal_goods_seized": {
        "unit": "count",
        "family": "seizures",
        "definition": "Criminal goods seized (firearms, stolen vehicles and others).",
        "en": ("Criminal goods seized", "criminal good seized", "criminal goods seized"),
        "fr": (
            "Marchandises criminelles saisies",
            "marchandise criminelle saisie",
            "marchandises criminelles saisies",
            "f",
        ),
    },
    "local.criminal_assets_seized": {
        "unit": "count",
        "family": "seizures",
        "definition": "Criminal assets seized, counted as items (cash and equipment).",
        "en": ("Criminal assets seized", "criminal asset seized", "criminal assets seized"),
        "fr": ("Avoirs criminels saisis", "avoir criminel saisi", "avoirs criminels saisis", "m"),
    },
    "local.database_matches": {
        "unit": "count",
        "family": "effort",
        "definition": "Matches (hits) from checks against INTERPOL's databases.",
        "en": (
            "Database matches",
            "match in INTERPOL's databases",
            "matches in INTERPOL's databases",
        ),
        "fr": (
            "Correspondances dans les bases de données",
            "correspondance dans les bases de données d'INTERPOL",
            "correspondances dans les bases de données d'INTERPOL",
            "f",
        ),
    },
    "local.red_notice_subjects_found": {
        "unit": "count",
        "family": "justice",
        "parent": "local.database_matches",
        "definition": "Subjects wanted under an INTERPOL red notice found.",
        "en": (
            "Red notice subjects found",
            "subject wanted under a red notice found",
            "subjects wanted under red notices found",
        ),
        "fr": (
            "Personnes visées par une notice rouge retrouvées",
            "personne visée par une notice rouge retrouvée",
            "personnes visées par une notice rouge retrouvées",
            "f",
        ),
    },
    "local.warrants_cleared_administratively": {
        "unit": "count",
        "family": "justice",
        "parent": "warrants_cleared",
        "definition": "Warrants cleared administratively (without an arrest).",
        "en": (
            "Warrants cleared administratively",
            "warrant cleared administratively",
            "warrants cleared administratively",
        ),
        "fr": (
            "Mandats levés administrativement",
            "mandat levé administrativement",
            "mandats levés administrativement",
            "m",
        ),
    },
    "local.sex_offenders_arrested": {
        "unit": "count",
        "family": "justice",
        "parent": "arrests",
        "definition": "Sex offenders (wanted for sexual offences) arrested.",
        "en": ("Sex offenders arrested", "sex offender arrested", "sex offenders arrested"),
        "fr": (
            "Délinquants sexuels arrêtés",
            "délinquant sexuel arrêté",
            "délinquants sexuels arrêtés",
            "m",
        ),
    },
    "local.unregistered_sex_offenders_arrested": {
        "unit": "count",
        "family": "justice",
        "parent": "local.sex_offenders_arrested",
        "definition": "Sex offenders arrested who had failed to register as required by law.",
        "en": (
            "Unregistered sex offenders arrested",
            "unregistered sex offender arrested",
            "unregistered sex offenders arrested",
        ),
        "fr": (
            "Délinquants sexuels non enregistrés arrêtés",
            "délinquant sexuel non enregistré arrêté",
            "délinquants sexuels non enregistrés arrêtés",
            "m",
        ),
    },
    "local.gang_members_arrested": {
        "unit": "count",
        "family": "justice",
        "parent": "arrests",
        "definition": "Documented gang members arrested.",
        "en": (
            "Gang members arrested",
            "documented gang member arrested",
            "documented gang members arrested",
        ),
        "fr": (
            "Membres de gangs arrêtés",
            "membre de gang reconnu arrêté",
            "membres de gangs reconnus arrêtés",
            "m",
        ),
    },
    "local.narcotics_warrants_cleared": {
        "unit": "count",
        "family": "justice",
        "parent": "warrants_cleared",
        "definition": "Narcotics and OCDETF warrants cleared.",
        "en": (
            "Narcotics warrants cleared",
            "narcotics / OCDETF warrant cleared",
            "narcotics / OCDETF warrants cleared",
        ),
        "fr": (
            "Mandats stupéfiants levés",
            "mandat stupéfiants / OCDETF levé",
            "mandats stupéfiants / OCDETF levés",
            "m",
        ),
    },
    "local.usms_districts": {
        "unit": "count",
        "family": "effort",
        "definition": "U.S. Marshals Service districts taking part.",
        "en": (
            "USMS districts",
            "U.S. Marshals Service district",
            "U.S. Marshals Service districts",
        ),
        "fr": (
            "Districts de l'USMS",
            "district de l'U.S. Marshals Service",
            "districts de l'U.S. Marshals Service",
            "m",
        ),
    },
    "local.entities_checked": {
        "unit": "count",
        "family": "effort",
        "definition": "Entities checked: persons, locations, vehicles and documents together.",
        "en": ("Entities checked", "entity checked", "entities checked"),
        "fr": ("Entités contrôlées", "entité contrôlée", "entités contrôlées", "f"),
    },
    "local.suspects_identified_labour": {
        "unit": "count",
        "family": "justice",
        "parent": "suspects_identified",
        "definition": "Persons suspected of trafficking for labour exploitation identified.",
        "en": (
            "Suspects identified (labour exploitation)",
            "suspect identified for labour exploitation",
            "suspects identified for labour exploitation",
        ),
        "fr": (
            "Suspects identifiés (exploitation par le travail)",
            "suspect identifié pour exploitation par le travail",
            "suspects identifiés pour exploitation par le travail",
            "m",
        ),
    },
    "local.arrests_labour": {
        "unit": "count",
        "family": "justice",
        "parent": "arrests",
        "definition": "Persons arrested for labour exploitation.",
        "en": (
            "Arrests for labour exploitation",
            "arrest for labour exploitation",
            "arrests for labour exploitation",
        ),
        "fr": (
            "Arrestations pour exploitation par le travail",
            "arrestation pour exploitation par le travail",
            "arrestations pour exploitation par le travail",
            "f",
        ),
    },
    "local.investigations_labour": {
        "unit": "count",
        "family": "justice",
        "parent": "investigations_opened",
        "definition": "New investigations in labour exploitation launched.",
        "en": (
            "Investigations in labour exploitation",
            "investigation in labour exploitation opened",
            "investigations in labour exploitation opened",
        ),
        "fr": (
            "Enquêtes pour exploitation par le travail",
            "enquête pour exploitation par le travail ouverte",
            "enquêtes pour exploitation par le travail ouvertes",
            "f",
        ),
    },
    "local.detained_other_offences": {
        "unit": "count",
        "family": "justice",
        "definition": "Persons detained or arrested for other offences (illegal immigration, forgery of documents).",
        "en": (
            "Detained or arrested for other offences",
            "person detained or arrested for other offences",
            "persons detained or arrested for other offences",
        ),
        "fr": (
            "Détenus ou arrêtés pour d'autres infractions",
            "personne détenue ou arrêtée pour d'autres infractions",
            "personnes détenues ou arrêtées pour d'autres infractions",
            "f",
        ),
    },
    "local.persons_interviewed_at_risk": {
        "unit": "count",
        "family": "victims",
        "definition": "Persons judged at risk of trafficking who were interviewed.",
        "en": (
            "Persons at risk interviewed",
            "person at risk interviewed",
            "persons at risk interviewed",
        ),
        "fr": (
            "Personnes à risque interviewées",
            "personne à risque interviewée",
            "personnes à risque interviewées",
            "f",
        ),
    },
    "local.arrests_modern_slavery": {
        "unit": "count",
        "family": "justice",
        "parent": "arrests",
        "definition": "Arrests for modern slavery offences.",
        "en": (
            "Arrests for modern slavery offences",
            "arrest for modern slavery offences",
            "arrests for modern slavery offences",
        ),
        "fr": (
            "Arrestations pour esclavage moderne",
            "arrestation pour infractions d'esclavage moderne",
            "arrestations pour infractions d'esclavage moderne",
            "f",
        ),
    },
    "local.forces_identifying_victims_online": {
        "unit": "count",
        "family": "effort",
        "definition": "Police forces that identified potential victims on adult services websites.",
        "en": (
            "Forces identifying victims online",
            "force identifying potential victims on adult services websites",
            "forces identifying potential victims on adult services websites",
        ),
        "fr": (
            "Services ayant identifié des victimes en ligne",
            "service ayant identifié des victimes potentielles sur des sites d'annonces pour adultes",
            "services ayant identifié des victimes potentielles sur des sites d'annonces pour adultes",
            "m",
        ),
    },
    "local.arrestee_age_min": {
        "unit": "age",
        "family": "justice",
        "definition": "Age of the youngest person arrested.",
        "en": (
            "Youngest person arrested (age)",
            "youngest person arrested",
            "youngest person arrested",
        ),
        "fr": (
            "Plus jeune personne arrêtée (âge)",
            "plus jeune personne arrêtée",
            "plus jeune personne arrêtée",
            "f",
        ),
    },
    "local.arrestee_age_max": {
        "unit": "age",
        "family": "justice",
        "definition": "Age of the oldest person arrested.",
        "en": ("Oldest person arrested (age)", "oldest person arrested", "oldest person arrested"),
        "fr": (
            "Personne arrêtée la plus âgée (âge)",
            "personne arrêtée la plus âgée",
            "personne arrêtée la plus âgée",
            "f",
        ),
    },
}

# Agencies without an ORI: identified by country + name (docs/bundle.md).
AGENCIES: dict[str, dict[str, str]] = {
    "usms": {"country": "US", "name": "U.S. Marshals Service", "kind": "federal"},
    "ncmec": {
        "country": "US",
        "name": "National Center for Missing & Exploited Children",
        "kind": "ngo",
    },
    "usao-nce": {
        "country": "US",
        "name": "U.S. Attorney's Office, Eastern District of North Carolina",
        "kind": "prosecutor",
        "jurisdiction": "district:NC-E",
    },
    "fbi": {"country": "US", "name": "Federal Bureau of Investigation", "kind": "federal"},
    "ojjdp": {
        "country": "US",
        "name": "Office of Juvenile Justice and Delinquency Prevention",
        "kind": "federal",
    },
    "ohio-ag": {
        "country": "US",
        "name": "Ohio Attorney General",
        "kind": "prosecutor",
        "jurisdiction": "state:OH",
    },
    "interpol": {"country": "ZZ", "name": "INTERPOL", "kind": "international"},
    "europol": {"country": "ZZ", "name": "Europol", "kind": "international"},
    "frontex": {"country": "ZZ", "name": "Frontex", "kind": "international"},
    "afripol": {"country": "ZZ", "name": "AFRIPOL", "kind": "international"},
    "grc": {"country": "CA", "name": "Gendarmerie royale du Canada", "kind": "federal"},
    "opp": {
        "country": "CA",
        "name": "Police provinciale de l'Ontario",
        "kind": "state",
        "jurisdiction": "subdivision:CA-ON",
    },
    "nca": {"country": "GB", "name": "National Crime Agency", "kind": "federal"},
    "sq": {
        "country": "CA",
        "name": "Sûreté du Québec",
        "kind": "state",
        "jurisdiction": "subdivision:CA-QC",
    },
}

SERIES: dict[str, dict[str, Any]] = {
    "OWWFY": {
        "name": "Operation We Will Find You",
        "first_year": 2023,
        "origin": "country:US",
        "edition_naming": "number",
    },
    "CROSS-COUNTRY": {
        "name": "Operation Cross Country",
        "origin": "country:US",
        "edition_naming": "number",
    },
    "BROKEN-HEART": {
        "name": "Operation Broken Heart",
        "origin": "country:US",
        "edition_naming": "year",
    },
    "FALCON": {
        "name": "Operation FALCON",
        "first_year": 2005,
        "origin": "country:US",
        "edition_naming": "number",
    },
    "GLOBAL-CHAIN": {"name": "Operation Global Chain", "edition_naming": "year"},
    "LIBERTERRA": {"name": "Operation Liberterra", "first_year": 2021, "edition_naming": "number"},
    "NORTHERN-SPOTLIGHT": {
        "name": "Operation Northern Spotlight",
        "origin": "country:CA",
        "edition_naming": "number",
    },
}

# Per operation: the operation row (without sources) and, per figure id, how it is
# entered: metric, breakdown, place (jurisdiction), agency, unit, base (a figure id).
OPERATIONS: dict[str, dict[str, Any]] = {
    "owwfy-2023": {
        "op": {
            "code": "OWWFY-2023",
            "name": "Operation We Will Find You",
            "start": "2023-03-01",
            "end": "2023-05-15",
            "announced": "2023-05",
            "focus": ["missing_children"],
            "jurisdictions": ["country:US"],
            "series": "OWWFY",
            "edition": 1,
            "participants": [
                {"agency": "usms", "role": "lead"},
                {"agency": "ncmec", "role": "ngo"},
            ],
        },
        "places": [
            {
                "ref": "area:SOCAL-LA-SB-RIV",
                "name": {
                    "en": "Los Angeles, San Bernardino and Riverside County areas",
                    "fr": "Comtés de Los Angeles, San Bernardino et Riverside",
                },
                "within": "state:CA",
                "members": ["county:06037", "county:06071", "county:06065"],
            }
        ],
        "figures": {
            "F01": {"metric": "children_found"},
            "F02": {"metric": "recovered"},
            "F03": {"metric": "located"},
            "F04": {"metric": "local.cases_referred_for_investigation"},
            "F05": {"metric": "local.cases_with_trafficking_allegations"},
            "F06": {
                "metric": "children_found",
                "breakdown": {"case_type": "endangered_runaway"},
                "base": "F01",
            },
            "F07": {
                "metric": "children_found",
                "breakdown": {"case_type": "family_abduction"},
                "base": "F01",
            },
            "F08": {
                "metric": "children_found",
                "breakdown": {"case_type": "lost_injured_otherwise_missing"},
                "base": "F01",
            },
            "F09": {"metric": "local.youngest_child_found_age"},
            "F10": {"metric": "local.children_found_outside_city"},
            "F11": {
                "metric": "children_found",
                "breakdown": {"found": "other_country"},
                "jurisdiction": "country:MX",
            },
            "F12": {"metric": "local.recovered_within_7_days", "base": "F02"},
            "F13": {
                "metric": "children_found",
                "jurisdiction": "district:TX-W",
                "note": "San Antonio Division",
            },
            "F14": {"metric": "children_found", "jurisdiction": "area:SOCAL-LA-SB-RIV"},
            "F15": {"metric": "local.judicial_districts"},
            "F16": {"metric": "local.geographical_locations"},
        },
    },
    "owwfy2-2024": {
        "op": {
            "code": "OWWFY-2024",
            "name": "Operation We Will Find You 2",
            "start": "2024-05-20",
            "end": "2024-06-24",
            "announced": "2024-07-01",
            "focus": ["missing_children"],
            "jurisdictions": [
                "district:AZ",
                "district:CA-E",
                "district:FL-S",
                "district:MI-W",
                "district:NC-E",
                "district:NY-S",
                "district:NY-E",
                "district:OR",
            ],
            "series": "OWWFY",
            "edition": 2,
            "participants": [
                {"agency": "usms", "role": "lead"},
                {"agency": "ncmec", "role": "ngo"},
            ],
        },
        "figures": {
            "F01": {"metric": "children_found"},
            "F02": {"metric": "recovered"},
            "F03": {"metric": "located"},
            "F04": {"metric": "children_found", "breakdown": {"case_type": "endangered_runaway"}},
            "F05": {
                "metric": "children_found",
                "breakdown": {"case_type": "lost_injured_otherwise_missing"},
            },
            "F06": {"metric": "children_found", "breakdown": {"case_type": "family_abduction"}},
            "F07": {"metric": "children_found", "breakdown": {"case_type": "nonfamily_abduction"}},
            "F08": {"metric": "local.youngest_child_found_age"},
            "F09": {"metric": "local.children_found_outside_city"},
            "F10": {"metric": "local.recovered_within_7_days", "base": "F02"},
            "F11": {"metric": "local.judicial_districts"},
        },
    },
    "cross-country-2022": {
        "op": {
            "code": "CROSS-COUNTRY-2022",
            "name": "Operation Cross Country",
            "start": "2022-08",
            "end": "2022-08",
            "announced": "2022-08-15",
            "focus": ["sex_trafficking", "missing_children"],
            "jurisdictions": ["country:US"],
            "series": "CROSS-COUNTRY",
            "edition": 12,
            "participants": [{"agency": "fbi", "role": "lead"}, {"agency": "ncmec", "role": "ngo"}],
        },
        "figures": {
            "F01": {"metric": "victims_identified", "breakdown": {"age_group": "minor"}},
            "F02": {"metric": "children_found"},
            "F03": {"metric": "victims_identified", "breakdown": {"age_group": "adult"}},
            "F04": {"metric": "suspects_identified", "note": "identified or arrested"},
            "F05": {"metric": "victim_age_mean"},
            "F06": {"metric": "victim_age_min"},
            "F07": {
                "metric": "victims_identified",
                "breakdown": {"age_group": "minor"},
                "jurisdiction": "field_office:KANSAS-CITY",
            },
            "F08": {
                "metric": "local.adult_victims_offered_services",
                "jurisdiction": "field_office:KANSAS-CITY",
            },
            "F09": {"metric": "operations_conducted"},
            "F10": {"metric": "participating_agencies"},
        },
    },
    "broken-heart-2019": {
        "op": {
            "code": "BROKEN-HEART-2019",
            "name": "Operation Broken Heart",
            "start": "2019-04",
            "end": "2019-05",
            "announced": "2019-06-11",
            "focus": ["csam"],
            "jurisdictions": ["country:US"],
            "series": "BROKEN-HEART",
            "edition": 2019,
            "participants": [{"agency": "ojjdp", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "local.hands_on_offenders_identified"},
            "F03": {"metric": "victims_identified", "breakdown": {"age_group": "minor"}},
            "F04": {"metric": "complaints_handled"},
            "F05": {"metric": "presentations_given"},
            "F06": {"metric": "presentation_attendees"},
            "F07": {"metric": "local.task_forces"},
            "F08": {"metric": "participating_agencies"},
        },
    },
    "ohio-knows-2021": {
        "op": {
            "code": "OHIO-KNOWS-2021",
            "name": "Operation Ohio Knows",
            "start": "2021-09-24",
            "end": "2021-10-01",
            "announced": "2021-10-04",
            "focus": ["sex_trafficking"],
            "jurisdictions": ["state:OH"],
            "participants": [
                {"agency": "ohio-ag", "role": "lead"},
                {"agency": "usms", "role": "partner"},
            ],
        },
        "figures": {
            "F01": {"metric": "arrests", "breakdown": {"role": "buyer"}},
            "F02": {"metric": "arrests", "breakdown": {"role": "buyer_seeking_minor"}},
            "F03": {"metric": "arrests", "breakdown": {"role": "seller"}},
            "F04": {"metric": "victims_potential"},
            "F05": {"metric": "participating_agencies"},
            "F06": {"metric": "recovered", "agency": "usms"},
            "F07": {"metric": "local.communities"},
            "F08": {"metric": "arrests", "breakdown": {"role": "buyer"}},
        },
    },
    "global-chain-2023": {
        "op": {
            "code": "GLOBAL-CHAIN-2023",
            "name": "Operation Global Chain",
            "start": "2023-05-08",
            "end": "2023-05-15",
            "announced": "2023-06-01",
            "focus": ["sex_trafficking", "other"],
            "series": "GLOBAL-CHAIN",
            "edition": 2023,
            "participants": [
                {"agency": "interpol", "role": "lead"},
                {"agency": "europol", "role": "partner"},
                {"agency": "frontex", "role": "partner"},
            ],
        },
        "places": [
            {
                "ref": "group:NON-EU",
                "name": {
                    "en": "countries outside the European Union",
                    "fr": "pays hors de l'Union européenne",
                },
            }
        ],
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "victims_potential"},
            "F03": {"metric": "countries"},
            "F04": {"metric": "investigations_opened"},
            "F05": {"metric": "local.border_crossings"},
            "F06": {"metric": "countries", "jurisdiction": "group:EU"},
            "F07": {"metric": "countries", "jurisdiction": "group:NON-EU"},
            "F08": {"metric": "local.border_crossings"},
            "F09": {"metric": "officers_deployed"},
            "F10": {"metric": "persons_checked"},
            "F11": {"metric": "vehicles_checked"},
            "F12": {"metric": "documents_checked"},
            "F13": {"metric": "locations_checked"},
            "F14": {"metric": "flights_checked"},
            "F15": {"metric": "suspects_identified"},
            "F16": {"metric": "investigations_opened"},
        },
    },
    "global-chain-2024": {
        "op": {
            "code": "GLOBAL-CHAIN-2024",
            "name": "Operation Global Chain",
            "start": "2024-06-03",
            "end": "2024-06-09",
            "announced": "2024-06",
            "focus": ["sex_trafficking", "other"],
            "series": "GLOBAL-CHAIN",
            "edition": 2024,
            "participants": [
                {"agency": "frontex", "role": "lead"},
                {"agency": "europol", "role": "partner"},
                {"agency": "interpol", "role": "partner"},
            ],
        },
        "figures": {
            "F01": {"metric": "countries"},
            "F02": {"metric": "arrests"},
            "F03": {"metric": "victims_rescued"},
            "F04": {"metric": "suspects_identified", "note": "traffickers detected"},
            "F05": {"metric": "countries"},
            "F06": {"metric": "arrests"},
            "F07": {"metric": "victims_identified"},
            "F08": {"metric": "victims_identified", "breakdown": {"age_group": "minor"}},
            "F09": {"metric": "arrests"},
            "F10": {"metric": "victims_potential"},
            "F11": {"metric": "countries"},
            "F12": {"metric": "investigations_opened"},
            "F13": {"metric": "suspects_identified"},
            "F14": {"metric": "local.criminal_assets_seized"},
            "F15": {"metric": "fraudulent_documents"},
            "F16": {"metric": "local.database_matches"},
            "F17": {"metric": "local.red_notice_subjects_found"},
        },
    },
    "liberterra-ii-2024": {
        "op": {
            "code": "LIBERTERRA-II-2024",
            "name": "Operation Liberterra II",
            "start": "2024-09-29",
            "end": "2024-10-04",
            "announced": "2024-11-06",
            "focus": ["sex_trafficking", "labour_trafficking", "migrant_smuggling"],
            "series": "LIBERTERRA",
            "edition": 2,
            "participants": [{"agency": "interpol", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "victims_potential"},
            "F02": {"metric": "irregular_migrants"},
            "F03": {"metric": "flights_checked"},
            "F04": {"metric": "local.database_checks"},
            "F05": {"metric": "arrests"},
            "F06": {"metric": "local.arrests_trafficking_or_smuggling"},
            "F07": {"metric": "countries", "note": "countries and territories"},
            "F08": {"metric": "local.specialized_units"},
            "F09": {"metric": "victims_potential"},
        },
    },
    "liberterra-2021": {
        "op": {
            "code": "LIBERTERRA-2021",
            "name": "Opération Liberterra",
            "start": "2021-07-05",
            "end": "2021-07-09",
            "announced": "2021-07-26",
            "focus": ["sex_trafficking", "labour_trafficking", "migrant_smuggling"],
            "series": "LIBERTERRA",
            "edition": 1,
            "participants": [{"agency": "interpol", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "victims_rescued"},
            "F03": {"metric": "irregular_migrants"},
            "F04": {"metric": "local.migrant_origin_countries"},
            "F05": {"metric": "irregular_migrants", "jurisdiction": "country:HR"},
            "F06": {"metric": "countries"},
            "F07": {"metric": "local.checks_performed"},
            "F08": {"metric": "victims_rescued", "jurisdiction": "country:SD"},
            "F09": {"metric": "arrests", "jurisdiction": "country:SD"},
            "F10": {"metric": "local.migrants_rescued_at_sea", "jurisdiction": "country:TN"},
        },
    },
    "falcon-iii-2006": {
        "op": {
            "code": "FALCON-III-2006",
            "name": "Operation FALCON III",
            "start": "2006-10-22",
            "end": "2006-10-28",
            "announced": "2006-11-02",
            "focus": ["other"],
            "jurisdictions": ["country:US"],
            "series": "FALCON",
            "edition": 3,
            "participants": [
                {"agency": "usms", "role": "lead"},
                {"agency": "usao-nce", "role": "prosecutor"},
            ],
        },
        "figures": {
            "F01": {
                "metric": "arrests",
                "breakdown": {"role": "fugitive"},
                "jurisdiction": "district:NC-E",
            },
            "F02": {"metric": "arrests", "jurisdiction": "district:NC-E"},
            "F03": {"metric": "warrants_cleared", "jurisdiction": "district:NC-E"},
            "F04": {
                "metric": "local.warrants_cleared_administratively",
                "jurisdiction": "district:NC-E",
            },
            "F05": {"metric": "local.sex_offenders_arrested", "jurisdiction": "district:NC-E"},
            "F06": {
                "metric": "local.unregistered_sex_offenders_arrested",
                "jurisdiction": "district:NC-E",
            },
            "F18": {"metric": "arrests", "breakdown": {"role": "fugitive"}},
            "F19": {"metric": "warrants_cleared", "note": "felony warrants"},
            "F20": {"metric": "local.gang_members_arrested"},
            "F21": {"metric": "local.sex_offenders_arrested"},
            "F22": {"metric": "local.unregistered_sex_offenders_arrested"},
            "F23": {"metric": "arrests", "breakdown": {"role": "fugitive"}},
            "F24": {"metric": "arrests", "breakdown": {"role": "fugitive"}},
            "F25": {"metric": "warrants_cleared"},
            "F26": {"metric": "local.sex_offenders_arrested"},
            "F27": {"metric": "local.unregistered_sex_offenders_arrested"},
            "F28": {"metric": "local.gang_members_arrested"},
            "F29": {"metric": "local.narcotics_warrants_cleared"},
            "F30": {"metric": "firearms_seized"},
            "F31": {"metric": "participating_agencies"},
            "F37": {"metric": "local.usms_districts"},
            "F38": {"metric": "officers_deployed"},
        },
    },
    "flash-weka-2023": {
        "op": {
            "code": "FLASH-WEKA-2023",
            "name": "Opération FLASH-WEKA",
            "start": "2023-05",
            "end": "2023-06",
            "announced": "2023-07-25",
            "focus": ["sex_trafficking", "labour_trafficking", "migrant_smuggling"],
            "participants": [
                {"agency": "interpol", "role": "lead"},
                {"agency": "afripol", "role": "partner"},
            ],
        },
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "irregular_migrants"},
            "F03": {"metric": "victims_identified"},
            "F04": {"metric": "local.criminal_goods_seized"},
            "F05": {"metric": "investigations_opened"},
            "F06": {"metric": "countries"},
            "F07": {"metric": "arrests"},
        },
    },
    "europol-labour-jad-2024": {
        "op": {
            "code": "EMPACT-LABOUR-JAD-2024",
            "name": "EMPACT Joint Action Days against labour exploitation",
            "start": "2024-04-20",
            "end": "2024-04-27",
            "focus": ["labour_trafficking"],
            "participants": [{"agency": "europol", "role": "partner"}],
        },
        "figures": {
            "F01": {"metric": "countries"},
            "F02": {"metric": "officers_deployed"},
            "F03": {"metric": "local.entities_checked"},
            "F04": {"metric": "persons_checked"},
            "F05": {"metric": "locations_checked"},
            "F06": {"metric": "vehicles_checked"},
            "F07": {"metric": "documents_checked"},
            "F08": {"metric": "suspects_identified"},
            "F09": {"metric": "local.suspects_identified_labour"},
            "F10": {"metric": "arrests"},
            "F11": {"metric": "local.arrests_labour"},
            "F12": {"metric": "victims_potential"},
            "F13": {"metric": "victims_potential", "breakdown": {"form": "forced_labour"}},
            "F14": {"metric": "investigations_opened"},
            "F15": {"metric": "local.investigations_labour"},
            "F16": {"metric": "officers_deployed"},
            "F17": {"metric": "arrests"},
            "F18": {"metric": "victims_potential"},
            "F19": {"metric": "suspects_identified"},
            "F20": {"metric": "investigations_opened"},
        },
    },
    "europol-labour-week-2019": {
        "op": {
            "code": "EMPACT-LABOUR-WEEK-2019",
            "name": "EMPACT action week against trafficking for labour exploitation",
            "start": "2019-04-08",
            "end": "2019-04-14",
            "announced": "2019-05-27",
            "focus": ["labour_trafficking"],
            "participants": [{"agency": "europol", "role": "partner"}],
        },
        "figures": {
            "F01": {"metric": "countries", "jurisdiction": "group:EU"},
            "F02": {"metric": "persons_checked"},
            "F03": {"metric": "vehicles_checked"},
            "F04": {"metric": "locations_checked"},
            "F05": {"metric": "arrests", "breakdown": {"role": "trafficker"}},
            "F06": {"metric": "suspects_identified"},
            "F07": {"metric": "local.detained_other_offences"},
            "F08": {"metric": "victims_potential"},
            "F09": {"metric": "investigations_opened"},
        },
    },
    "northern-spotlight-vi-2017": {
        "op": {
            "code": "NORTHERN-SPOTLIGHT-VI",
            "name": "Opération Northern Spotlight VI",
            "start": "2017-10-11",
            "end": "2017-10-15",
            "announced": "2017-10-18",
            "focus": ["sex_trafficking"],
            "jurisdictions": ["country:CA"],
            "series": "NORTHERN-SPOTLIGHT",
            "edition": 6,
            "participants": [{"agency": "grc", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "participating_agencies"},
            "F03": {"metric": "local.persons_interviewed_at_risk"},
            "F04": {"metric": "victims_rescued"},
            "F05": {"metric": "victims_minor"},
            "F06": {"metric": "charges_laid"},
            "F07": {"metric": "persons_charged"},
        },
    },
    "northern-spotlight-4-2015": {
        "op": {
            "code": "NORTHERN-SPOTLIGHT-4",
            "name": "Opération Northern Spotlight, phase 4",
            "start": "2015-10",
            "end": "2015-10",
            "announced": "2015-10-22",
            "focus": ["sex_trafficking"],
            "jurisdictions": ["country:CA"],
            "series": "NORTHERN-SPOTLIGHT",
            "edition": 4,
            "participants": [
                {"agency": "opp", "role": "lead"},
                {"agency": "grc", "role": "partner"},
            ],
        },
        "figures": {
            "F01": {"metric": "participating_agencies"},
            "F02": {"metric": "persons_charged"},
            "F03": {"metric": "charges_laid"},
            "F04": {"metric": "victims_rescued"},
            "F05": {"metric": "victim_age_min"},
            "F06": {"metric": "arrests"},
            "F07": {"metric": "charges_laid"},
        },
    },
    "nca-aidant-sexual-exploitation-2018": {
        "op": {
            "code": "AIDANT-SEXUAL-EXPLOITATION-2018",
            "name": "Project Aidant: sexual exploitation fortnight",
            "start": "2018-09",
            "end": "2018-09",
            "announced": "2018-10-19",
            "focus": ["sex_trafficking"],
            "jurisdictions": ["country:GB"],
            "participants": [{"agency": "nca", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "victims_potential"},
            "F02": {"metric": "arrests"},
            "F03": {"metric": "local.arrests_modern_slavery"},
            "F04": {"metric": "arrests", "breakdown": {"role": "pimp_panderer"}},
            "F05": {"metric": "participating_agencies"},
            "F06": {"metric": "local.forces_identifying_victims_online"},
            "F07": {"metric": "victims_potential"},
        },
    },
    "sq-pornographie-juvenile-2023": {
        "op": {
            "code": "SQ-EILPJ-2023-11",
            "name": "Opération d'envergure de l'EILPJ contre la pornographie juvénile",
            "start": "2023-11-27",
            "end": "2023-11-30",
            "announced": "2023-12-01",
            "focus": ["csam"],
            "jurisdictions": ["subdivision:CA-QC"],
            "participants": [{"agency": "sq", "role": "lead"}],
        },
        "figures": {
            "F01": {"metric": "arrests"},
            "F02": {"metric": "local.arrestee_age_min"},
            "F03": {"metric": "local.arrestee_age_max"},
            "F04": {"metric": "officers_deployed"},
            "F05": {"metric": "arrests", "breakdown": {"sex": "M"}},
        },
    },
}


def _local_metric(mid: str) -> dict[str, Any]:
    spec = LOCAL[mid]
    en_label, en_one, en_other = spec["en"]
    fr_label, fr_one, fr_other, gender = spec["fr"]
    row: dict[str, Any] = {
        "id": mid,
        "unit": spec["unit"],
        "family": spec["family"],
        "definition": spec["definition"],
        "en": {"label": en_label, "one": en_one, "other": en_other},
        "fr": {"label": fr_label, "one": fr_one, "other": fr_other, "gender": gender},
    }
    if spec.get("parent"):
        row["parent"] = spec["parent"]
    return row


def _agency(ref: str) -> dict[str, Any]:
    return {"ref": ref, **AGENCIES[ref]}


def _period(period: dict[str, Any] | None) -> dict[str, str]:
    if not period:
        return {}
    if "ranges" in period:
        ranges = period["ranges"]
        return {"period_start": ranges[0][0], "period_end": ranges[-1][1]}
    return {"period_start": period["start"], "period_end": period["end"]}


def build(slug: str) -> dict[str, Any]:
    published = json.loads((HERE / slug / "published.json").read_text(encoding="utf-8"))
    spec = OPERATIONS[slug]
    op = dict(spec["op"])
    code = op["code"]
    sources = {s["id"]: s for s in published["sources"]}
    op["description"] = "Entered from its public releases. Sources: " + "; ".join(
        f"{s['id']} {s['publisher']}"
        + (f" (via {s['via']})" if s.get("via") else "")
        + f", \u201c{s['title']}\u201d, {s['date']}, {s['url']}"
        for s in published["sources"]
    )
    op["status"] = "closed"
    figures: list[dict[str, Any]] = []
    metrics: set[str] = set()
    agencies: set[str] = {p["agency"] for p in op.get("participants", [])}
    for fig in published["figures"]:
        if fig.get("unrepresentable"):
            continue
        entry = spec["figures"][fig["id"]]
        source = sources[fig["source"]]
        row: dict[str, Any] = {
            "ref": f"{code}-{fig['id']}",
            "operation": code,
            "metric": entry["metric"],
            "value": fig["value"],
        }
        if fig["qualifier"] != "exact":
            row["qualifier"] = fig["qualifier"]
        if entry.get("breakdown"):
            row["breakdown"] = entry["breakdown"]
        if fig["unit"] == "percent":
            row["unit"] = "percent"
            row["base"] = f"{code}-{entry['base']}"
        elif fig["unit"] == "age_months":
            row["unit"] = "months"
        if entry.get("jurisdiction"):
            row["scope"] = "jurisdiction"
            row["jurisdiction"] = entry["jurisdiction"]
        elif entry.get("agency"):
            row["scope"] = "agency"
            row["agency"] = entry["agency"]
            agencies.add(entry["agency"])
        row.update(_period(fig.get("period")))
        if source["release"] != "final":
            row["status"] = source["release"]
        parent = entry.get("parent") or fig.get("parent")
        if parent:
            row["parent"] = f"{code}-{parent}"
        row["source_name"] = source["publisher"]
        row["source_date"] = source["date"]
        row["source_document"] = source["url"]
        note = "; ".join(n for n in (fig.get("wording"), entry.get("note")) if n)
        if fig.get("period", {}).get("ranges"):
            note = (
                (note + "; " if note else "")
                + "periods "
                + ", ".join(f"{a} to {b}" for a, b in fig["period"]["ranges"])
            )
        if note:
            row["note"] = note
        if entry["metric"].startswith("local."):
            metrics.add(entry["metric"])
        figures.append(row)
    series_code = op.get("series")
    bundle: dict[str, Any] = {"format": "beacon.operation-bundle", "version": 2}
    if metrics:
        bundle["metrics"] = [_local_metric(m) for m in sorted(metrics)]
    if spec.get("places"):
        bundle["places"] = spec["places"]
    bundle["agencies"] = [_agency(a) for a in sorted(agencies)]
    if series_code:
        bundle["series"] = [{"code": series_code, **SERIES[series_code]}]
    bundle["operations"] = [op]
    bundle["reported_figures"] = figures
    return bundle


def main() -> None:
    for slug in sorted(OPERATIONS):
        bundle = build(slug)
        text = json.dumps(bundle, ensure_ascii=False, indent=1) + "\n"
        (HERE / slug / "bundle.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
