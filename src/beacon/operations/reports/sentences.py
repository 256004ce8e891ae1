"""Sentence templates of the report's summary, per language, singular and plural.

``say(key, lang, n, **words)`` picks the form a count needs in that language (French
takes the singular below 2, "1,5 an"; English, Spanish and Portuguese only for 1) and
fills it. Every template is tested with none, one and many (tests/operations).
"""

from __future__ import annotations

from beacon.operations.reports.labels import num

Forms = tuple[str, str]  # singular, plural

SENTENCES: dict[str, dict[str, Forms]] = {
    "missing_minors": {
        "en": ("missing minor", "missing minors"),
        "fr": ("mineur disparu", "mineurs disparus"),
        "es": ("menor desaparecido", "menores desaparecidos"),
        "pt": ("menor desaparecido", "menores desaparecidos"),
    },
    "missing_persons": {
        "en": ("missing person", "missing persons"),
        "fr": ("personne disparue", "personnes disparues"),
        "es": ("persona desaparecida", "personas desaparecidas"),
        "pt": ("pessoa desaparecida", "pessoas desaparecidas"),
    },
    "target_list": {
        "en": ("Of {n} {who} on the target list{ages}", "Of {n} {who} on the target list{ages}"),
        "fr": ("Sur une liste de {n} {who}{ages}", "Sur une liste de {n} {who}{ages}"),
        "es": (
            "De {n} {who} de la lista de objetivos{ages}",
            "De {n} {who} de la lista de objetivos{ages}",
        ),
        "pt": ("Dos {n} {who} da lista de alvos{ages}", "Dos {n} {who} da lista de alvos{ages}"),
    },
    # Ages of the people on a target list (minors: masculine; persons: feminine).
    "target_ages": {
        "en": (" (aged {a})", " (aged {a} to {b})"),
        "fr": (" (âgés de {a} ans)", " (âgés de {a} à {b} ans)"),
        "es": (" (de {a} años)", " (de {a} a {b} años)"),
        "pt": (" (de {a} anos)", " (de {a} a {b} anos)"),
    },
    "person_ages": {
        "en": (" (aged {a})", " (aged {a} to {b})"),
        "fr": (" (âgées de {a} ans)", " (âgées de {a} à {b} ans)"),
        "es": (" (de {a} años)", " (de {a} a {b} años)"),
        "pt": (" (de {a} anos)", " (de {a} a {b} anos)"),
    },
    "person_youngest": {
        "en": (" (the youngest aged {a})", " (the youngest aged {a})"),
        "fr": (" (la plus jeune âgée de {a} ans)", " (la plus jeune âgée de {a} ans)"),
        "es": (" (la más joven de {a} años)", " (la más joven de {a} años)"),
        "pt": (" (a mais jovem com {a} anos)", " (a mais jovem com {a} anos)"),
    },
    "person_oldest": {
        "en": (" (the oldest aged {b})", " (the oldest aged {b})"),
        "fr": (" (la plus âgée ayant {b} ans)", " (la plus âgée ayant {b} ans)"),
        "es": (" (la de más edad de {b} años)", " (la de más edad de {b} años)"),
        "pt": (" (a mais velha com {b} anos)", " (a mais velha com {b} anos)"),
    },
    "target_youngest": {
        "en": (" (the youngest aged {a})", " (the youngest aged {a})"),
        "fr": (" (le plus jeune âgé de {a} ans)", " (le plus jeune âgé de {a} ans)"),
        "es": (" (el más joven de {a} años)", " (el más joven de {a} años)"),
        "pt": (" (o mais jovem com {a} anos)", " (o mais jovem com {a} anos)"),
    },
    "target_oldest": {
        "en": (" (the oldest aged {b})", " (the oldest aged {b})"),
        "fr": (" (le plus âgé ayant {b} ans)", " (le plus âgé ayant {b} ans)"),
        "es": (" (el de más edad de {b} años)", " (el de más edad de {b} años)"),
        "pt": (" (o mais velho com {b} anos)", " (o mais velho com {b} anos)"),
    },
    "recovered": {
        "en": ("{n} was recovered", "{n} were recovered"),
        "fr": ("{n} a été mis en sécurité", "{n} ont été mis en sécurité"),
        "es": ("{n} fue recuperado", "{n} fueron recuperados"),
        "pt": ("{n} foi recuperado", "{n} foram recuperados"),
    },
    "located": {
        "en": ("{n} was located", "{n} were located"),
        "fr": ("{n} a été localisé", "{n} ont été localisés"),
        "es": ("{n} fue localizado", "{n} fueron localizados"),
        "pt": ("{n} foi localizado", "{n} foram localizados"),
    },
    "outstanding": {
        "en": ("{n} remains outstanding", "{n} remain outstanding"),
        "fr": ("{n} est toujours recherché", "{n} sont toujours recherchés"),
        "es": ("{n} sigue siendo buscado", "{n} siguen siendo buscados"),
        "pt": ("{n} continua sendo procurado", "{n} continuam sendo procurados"),
    },
    "recovered_or_located": {
        "en": ("{n} recovered or located", "{n} recovered or located"),
        "fr": ("{n} mis en sécurité ou localisé", "{n} mis en sécurité ou localisés"),
        "es": ("{n} recuperado o localizado", "{n} recuperados o localizados"),
        "pt": ("{n} recuperado ou localizado", "{n} recuperados ou localizados"),
    },
    "located_abroad": {
        "en": ("{n} located abroad ({countries}).", "{n} located abroad ({countries})."),
        "fr": (
            "{n} localisé à l'étranger ({countries}).",
            "{n} localisés à l'étranger ({countries}).",
        ),
        "es": (
            "{n} localizado en el extranjero ({countries}).",
            "{n} localizados en el extranjero ({countries}).",
        ),
        "pt": (
            "{n} localizado no exterior ({countries}).",
            "{n} localizados no exterior ({countries}).",
        ),
    },
    "screenings": {
        "en": (
            "{n} of those recovered or located was offered a screening for potential exploitation.",
            "{n} of those recovered or located were offered a screening for potential "
            "exploitation.",
        ),
        "fr": (
            "{n} personne mise en sécurité ou localisée s'est vu proposer un dépistage de "
            "l'exploitation potentielle.",
            "{n} personnes mises en sécurité ou localisées se sont vu proposer un dépistage de "
            "l'exploitation potentielle.",
        ),
        "es": (
            "A {n} de los recuperados o localizados se le ofreció una evaluación de posible explotación.",
            "A {n} de los recuperados o localizados se les ofreció una evaluación de posible explotación.",
        ),
        "pt": (
            "{n} dos recuperados ou localizados recebeu a oferta de uma triagem de possível exploração.",
            "{n} dos recuperados ou localizados receberam a oferta de uma triagem de possível exploração.",
        ),
    },
    "adults": {
        "en": ("{n} adult", "{n} adults"),
        "fr": ("{n} adulte", "{n} adultes"),
        "es": ("{n} adulta", "{n} adultas"),
        "pt": ("{n} adulta", "{n} adultas"),
    },
    "minors": {
        "en": ("{n} minor", "{n} minors"),
        "fr": ("{n} mineur", "{n} mineurs"),
        "es": ("{n} menor", "{n} menores"),
        "pt": ("{n} menor", "{n} menores"),
    },
    # Ages of the victims (their number decides the agreement: "âgée" / "âgées").
    "victim_ages": {
        "en": (", aged {a} to {b}", ", aged {a} to {b}"),
        "fr": (", âgée de {a} à {b} ans", ", âgées de {a} à {b} ans"),
        "es": (", de {a} a {b} años", ", de {a} a {b} años"),
        "pt": (", de {a} a {b} anos", ", de {a} a {b} anos"),
    },
    "victim_age": {
        "en": (", aged {a}", ", aged {a}"),
        "fr": (", âgée de {a} ans", ", âgées de {a} ans"),
        "es": (", de {a} años", ", de {a} años"),
        "pt": (", de {a} anos", ", de {a} anos"),
    },
    "victim_youngest": {
        "en": (", the youngest aged {a}", ", the youngest aged {a}"),
        "fr": (", la plus jeune âgée de {a} ans", ", la plus jeune âgée de {a} ans"),
        "es": (", la más joven de {a} años", ", la más joven de {a} años"),
        "pt": (", a mais jovem com {a} anos", ", a mais jovem com {a} anos"),
    },
    "victim_oldest": {
        "en": (", the oldest aged {b}", ", the oldest aged {b}"),
        "fr": (", la plus âgée ayant {b} ans", ", la plus âgée ayant {b} ans"),
        "es": (", la de más edad de {b} años", ", la de más edad de {b} años"),
        "pt": (", a mais velha com {b} anos", ", a mais velha com {b} anos"),
    },
    "mean_age": {
        "en": (" (mean age {m})", " (mean age {m})"),
        "fr": (" (âge moyen {m} an)", " (âge moyen {m} ans)"),
        "es": (" (edad media {m} año)", " (edad media {m} años)"),
        "pt": (" (idade média {m} ano)", " (idade média {m} anos)"),
    },
    "medical": {
        "en": (
            "; {n} of them was given medical services",
            "; {n} of them were given medical services",
        ),
        "fr": (
            " ; {n} d'entre elles a reçu des services médicaux",
            " ; {n} d'entre elles ont reçu des services médicaux",
        ),
        "es": (
            "; {n} de ellas recibió atención médica",
            "; {n} de ellas recibieron atención médica",
        ),
        "pt": (
            "; {n} delas recebeu atendimento médico",
            "; {n} delas receberam atendimento médico",
        ),
    },
    "warrants_served": {
        "en": (
            "; {n} outstanding arrest warrant served",
            "; {n} outstanding arrest warrants served",
        ),
        "fr": (
            " ; {n} mandat d'arrêt en attente exécuté",
            " ; {n} mandats d'arrêt en attente exécutés",
        ),
        "es": (
            "; {n} orden de detención pendiente ejecutada",
            "; {n} órdenes de detención pendientes ejecutadas",
        ),
        "pt": (
            "; {n} mandado de prisão pendente cumprido",
            "; {n} mandados de prisão pendentes cumpridos",
        ),
    },
    "cash_seized": {
        "en": ("Cash seized: ", "Cash seized: "),
        "fr": ("Argent saisi : ", "Argent saisi : "),
        "es": ("Dinero incautado: ", "Dinero incautado: "),
        "pt": ("Dinheiro apreendido: ", "Dinheiro apreendido: "),
    },
    "by_agency": {
        "en": ("; by ", "; by "),
        "fr": (" ; par ", " ; par "),
        "es": ("; por ", "; por "),
        "pt": ("; por ", "; por "),
    },
    "referred_to": {
        "en": ("Victims referred to ", "Victims referred to "),
        "fr": ("Victimes orientées vers ", "Victimes orientées vers "),
        "es": ("Víctimas derivadas a ", "Víctimas derivadas a "),
        "pt": ("Vítimas encaminhadas a ", "Vítimas encaminhadas a "),
    },
    "hub": {
        "en": (
            "Hub coordinating {n} operation run at the same time.",
            "Hub coordinating {n} operations run at the same time.",
        ),
        "fr": (
            "Centre de coordination de {n} opération.",
            "Centre de coordination de {n} opérations menées simultanément.",
        ),
        "es": (
            "Centro de coordinación de {n} operación.",
            "Centro de coordinación de {n} operaciones simultáneas.",
        ),
        "pt": (
            "Centro de coordenação de {n} operação.",
            "Centro de coordenação de {n} operações simultâneas.",
        ),
    },
    "partners": {
        "en": (" with {n} partner agency", " with {n} partner agencies"),
        "fr": (" avec {n} agence partenaire", " avec {n} agences partenaires"),
        "es": (" con {n} organismo asociado", " con {n} organismos asociados"),
        "pt": (" com {n} órgão parceiro", " com {n} órgãos parceiros"),
    },
}


PHRASES: dict[str, dict[str, str]] = {
    "op_led": {
        "en": "{op}, led by {leads}",
        "fr": "L'opération {name}, menée par {leads}",
        "es": "La operación {name}, dirigida por {leads}",
        "pt": "A operação {name}, liderada {leads}",  # "pelo"/"pela": in the leads
    },
    "op_bare": {
        "en": "{op}",
        "fr": "L'opération {name}",
        "es": "La operación {name}",
        "pt": "A operação {name}",
    },
    "ended": {
        "en": ", ended {period}{where}.",
        "fr": ", a pris fin {period}{where}.",
        "es": ", terminó {period}{where}.",
        "pt": ", terminou {period}{where}.",
    },
    "began_partial": {
        "en": ", began {period}{where} and is ongoing.",
        "fr": ", a débuté {period}{where}.",
        "es": ", comenzó {period}{where} y sigue en curso.",
        "pt": ", começou {period}{where} e continua em andamento.",
    },
    "took_place": {
        "en": ", took place {period}{where}.",
        "fr": ", a eu lieu {period}{where}.",
        "es": ", tuvo lugar {period}{where}.",
        "pt": ", ocorreu {period}{where}.",
    },
    "ran": {
        "en": ", ran {period}{where}.",
        "fr": ", s'est déroulée {period}{where}.",
        "es": ", se desarrolló {period}{where}.",
        "pt": ", foi realizada {period}{where}.",
    },
    "began_ongoing": {
        "en": ", began on {first}{where} and is ongoing.",
        "fr": ", a débuté le {first}{where} et se poursuit.",
        "es": ", comenzó el {first}{where} y sigue en curso.",
        "pt": ", começou em {first}{where} e continua em andamento.",
    },
    "began": {
        "en": ", began on {first}{where}.",
        "fr": ", a débuté le {first}{where}.",
        "es": ", comenzó el {first}{where}.",
        "pt": ", começou em {first}{where}.",
    },
    "on_day": {
        "en": ", took place on {first}{where}.",
        "fr": ", a eu lieu le {first}{where}.",
        "es": ", tuvo lugar el {first}{where}.",
        "pt": ", ocorreu em {first}{where}.",
    },
    "from_to": {
        "en": ", ran from {first} to {last}{where}.",
        "fr": ", s'est déroulée du {first} au {last}{where}.",
        "es": ", se desarrolló del {first} al {last}{where}.",
        "pt": ", foi realizada de {first} a {last}{where}.",
    },
    "series_began": {
        "en": ", which began in {year}",
        "fr": ", commencée en {year}",
        "es": ", iniciada en {year}",
        "pt": ", iniciada em {year}",
    },
    "series_is": {
        "en": "{op} is {this} of the {name} series{began}.",
        "fr": "{op} est {this} de la série {name}{began}.",
        "es": "{op} es {this} de la serie {name}{began}.",
        "pt": "{op} é {this} da série {name}{began}.",
    },
    "series_part": {
        "en": "{op} is part of the {name} series{began}.",
        "fr": "{op} fait partie de la série {name}{began}.",
        "es": "{op} forma parte de la serie {name}{began}.",
        "pt": "{op} faz parte da série {name}{began}.",
    },
    "edition_published": {
        "en": "{name} (published figures): ",
        "fr": "{name} (chiffres publiés) : ",
        "es": "{name} (cifras publicadas): ",
        "pt": "{name} (números publicados): ",
    },
    "across_series": {
        "en": "Across the series: ",
        "fr": "Sur l'ensemble de la série : ",
        "es": "En el conjunto de la serie: ",
        "pt": "No conjunto da série: ",
    },
    "of_which": {"en": "of which ", "fr": "dont ", "es": "de los cuales ", "pt": "dos quais "},
    "quoted": {
        "en": "\u201c{text}\u201d",
        "fr": "« {text} »",
        "es": "«{text}»",
        "pt": "\u201c{text}\u201d",
    },
    "context": {"en": "Context: ", "fr": "Contexte : ", "es": "Contexto: ", "pt": "Contexto: "},
    "published": {
        "en": "Published ({source}): ",
        "fr": "Publié ({source}) : ",
        "es": "Publicado ({source}): ",
        "pt": "Publicado ({source}): ",
    },
    "superseded": {
        "en": "Interim figures since superseded: ",
        "fr": "Chiffres provisoires remplacés depuis : ",
        "es": "Cifras provisionales reemplazadas después: ",
        "pt": "Números provisórios substituídos depois: ",
    },
    "differ": {
        "en": "Publishers differ: ",
        "fr": "Les sources publiées diffèrent : ",
        "es": "Las fuentes publicadas difieren: ",
        "pt": "As fontes publicadas divergem: ",
    },
    "disagree": {
        "en": "Sources disagree: {source} published {said}; the records give {n}.",
        "fr": "Les sources divergent : {source} a publié {said}, les dossiers en donnent {n}.",
        "es": "Las fuentes no coinciden: {source} publicó {said}; los registros dan {n}.",
        "pt": "As fontes não coincidem: {source} publicou {said}; os registros indicam {n}.",
    },
    "counted": {
        "en": "Counted by the operation: ",
        "fr": "Comptés par l'opération : ",
        "es": "Contado por la operación: ",
        "pt": "Contado pela operação: ",
    },
    "colon": {"en": ": ", "fr": " : ", "es": ": ", "pt": ": "},
}


def phrase(key: str, lang: str, **words: str) -> str:
    template = PHRASES[key].get(lang) or PHRASES[key]["en"]
    return template.format(**words) if words else template


def singular(n: float | int, lang: str) -> bool:
    """Whether a count takes the singular: French below 2 (0, 1, 1,5), others only 1."""
    return 0 <= n < 2 if lang == "fr" else n == 1


def say(key: str, lang: str, n: float | int = 0, **words: str) -> str:
    forms = SENTENCES[key].get(lang) or SENTENCES[key]["en"]
    template = forms[0] if singular(n, lang) else forms[1]
    return template.format(n=num(n, lang), **words)
