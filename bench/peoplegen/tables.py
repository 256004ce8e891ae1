"""Tables the corruptors draw on: keyboard neighbours, phonetic and OCR confusions,
romanisation variants, nicknames. Written for this package from the record-linkage
literature (Christen's GeCo and FEBRL data generators; Christen, *Data Matching*, 2012)
and common knowledge of naming; none of it is shared with bench/synthetic_people.py or
with Beacon's own name tables (src/beacon/records/data).
"""

from __future__ import annotations

# QWERTY: for each key, the keys next to it in its row and the rows above and below.
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _keyboard() -> dict[str, str]:
    near: dict[str, str] = {}
    for r, row in enumerate(_ROWS):
        for c, key in enumerate(row):
            keys = []
            if c > 0:
                keys.append(row[c - 1])
            if c + 1 < len(row):
                keys.append(row[c + 1])
            for other, shifts in ((r - 1, (0, 1)), (r + 1, (-1, 0))):
                # each row sits about half a key to the right of the row above it
                if 0 <= other < len(_ROWS):
                    for dc in shifts:
                        if 0 <= c + dc < len(_ROWS[other]):
                            keys.append(_ROWS[other][c + dc])
            near[key] = "".join(dict.fromkeys(keys))
    return near


KEYBOARD_NEIGHBOURS = _keyboard()

# Phonetic variations (GeCo's phonetic rules, FEBRL's corruptor): a regular expression
# on the lower-case name and its replacement. Each keeps the name sounding the same.
_V = "[aeiouy]"
PHONETIC_RULES: tuple[tuple[str, str], ...] = (
    ("ph", "f"), ("(?<=.)f(?=.)", "ph"), ("ck", "k"), ("ck$", "c"), ("^c(?=[aou])", "k"),
    ("^k(?=[aou])", "c"), ("(?<=.)c(?=[aou])", "k"), ("(?<=.)k(?=[aou])", "c"), ("z", "s"),
    (f"(?<={_V})s(?={_V})", "z"), ("(?<=.)y(?=.)", "i"), ("(?<=[^aeiou])i(?=[^aeiou])", "y"),
    ("y$", "ie"), ("ie$", "y"), ("ey$", "y"), ("(?<=[^aeiou])y$", "ey"), ("(?<=[^aeiou])i$", "y"),
    ("(?<=[^aeiou])y$", "i"), ("ee", "ea"), ("ea", "ee"), ("ou", "ow"), ("ai", "ay"), ("ay", "ai"),
    ("ei", "ie"), ("ie(?=.)", "ei"), ("th", "t"), ("^t(?=[aeiou])", "th"), ("ll", "l"),
    (f"(?<={_V})l(?={_V})", "ll"), ("nn", "n"), (f"(?<={_V})n(?={_V})", "nn"), ("tt", "t"),
    (f"(?<={_V})t(?={_V})", "tt"), ("rr", "r"), (f"(?<={_V})r(?={_V})", "rr"), ("ss", "s"),
    ("mm", "m"), ("ff", "f"), ("dd", "d"), ("ae", "e"), ("x", "ks"), ("ks", "x"),
    ("(?<=.)gh(?=.)", ""), ("son$", "sen"), ("sen$", "son"), ("^mac", "mc"), ("^mc", "mac"),
    ("(?<=[^aeiou][^aeiou])e$", ""), ("(?<=[aeiou][nl])$", "e"), (f"(?<={_V})ll(?={_V})", "y"),
    ("v", "b"), ("b", "v"), ("z$", "s"), ("(?<=[aeiou])s$", "z"), ("^h(?=[aeiou])", ""),
    ("^j(?=[aeiou])", "h"), ("que$", "k"), ("qu(?=[ie])", "k"), (f"(?<={_V})c(?=[ei])", "s"),
    ("ch", "sh"), ("sh", "ch"), ("oo", "u"), ("(?<=[^aeiou])u(?=[^aeiou])", "oo"),
    ("er$", "ar"), ("ar$", "er"), ("or$", "er"), ("an$", "en"), ("en$", "an"), ("^wr", "r"),
    ("^kn", "n"), ("ue$", "u"), ("eigh", "ay"), ("ah$", "a"), ("(?<=[^aeiouh])a$", "ah"),
    ("ine$", "een"), ("een$", "ine"), ("dg", "g"), ("(?<=.)ph", "v"), ("ge$", "j"),
)  # fmt: skip

# OCR confusions between letters (GeCo's OCR table, letters only: a name cannot hold a
# digit in the registry). Both directions are listed where both happen.
OCR_CONFUSIONS: tuple[tuple[str, str], ...] = (
    ("m", "rn"), ("rn", "m"), ("w", "vv"), ("vv", "w"), ("d", "cl"), ("cl", "d"),
    ("h", "li"), ("li", "h"), ("h", "b"), ("b", "h"), ("n", "ri"), ("ri", "n"),
    ("u", "v"), ("v", "u"), ("e", "c"), ("c", "e"), ("a", "o"), ("o", "a"), ("i", "l"),
    ("l", "i"), ("f", "t"), ("t", "f"), ("g", "q"), ("q", "g"), ("k", "lc"), ("ni", "m"),
    ("in", "m"), ("nn", "m"), ("y", "v"), ("r", "n"), ("n", "r"), ("I", "l"), ("l", "I"),
    ("O", "Q"), ("Q", "O"), ("E", "F"), ("F", "E"), ("P", "R"), ("R", "P"), ("B", "R"),
    ("C", "G"), ("G", "C"), ("D", "O"), ("M", "N"), ("N", "M"), ("U", "V"), ("V", "U"),
)  # fmt: skip

# DOB digits an OCR or a hurried hand confuses.
DIGIT_CONFUSIONS = {
    "0": "869", "1": "74", "2": "75", "3": "859", "4": "19", "5": "632", "6": "508",
    "7": "12", "8": "3069", "9": "8403",
}  # fmt: skip

# Romanisation variants: groups of spellings of one name (each spelling stands for the
# others). Arabic (Maghreb French, English and scholarly romanisations), Chinese (pinyin,
# Wade-Giles, Cantonese and Hokkien spellings), Vietnamese (with and without diacritics,
# anglicised), Spanish and Portuguese (accents, ñ).
_GROUPS = """
[arabic]
Mohamed Mohammed Muhammad Mohammad Muhammed Mohamad Mouhamed
Ahmed Ahmad Ahmet Ehmed
Mahmoud Mahmud Mahmood
Mustafa Moustafa Mostafa Mustapha
Youssef Yousef Yusuf Youcef Yousif Yousuf
Abdelkader Abdulkader Abdelqader Abdul-Qadir
Abderrahmane Abdurrahman Abdelrahman Abderahmane Abdul-Rahman
Abdallah Abdullah Abdellah
Khaled Khalid Khaleed
Omar Umar Omer
Othmane Othman Uthman Osman
Hussein Husain Hussain Hossein Houssine
Hassan Hasan Hacene
Houssem Hossam Husam
Karim Kareem Karime
Rachid Rashid Rasheed Rachide
Said Saeed Saïd Saiid
Walid Waleed Oualid
Samir Sameer Samire
Mounir Munir Moneer
Jamal Djamel Gamal Jamel
Djamila Jamila Gamila Jameela
Ibrahim Brahim Ebrahim Ibraheem
Ismail Ismael Smail Ismaïl
Ayoub Ayyub Ayub
Amine Amin Ameen
Bilal Belal
Yacine Yassine Yasin Yaseen
Adel Adil Aadil
Nabil Nabeel
Salim Saleem Selim
Tarek Tariq Tarik Tareq
Fares Faris
Hamza Hamzah
Idir Idris Idriss
Lotfi Lutfi
Mehdi Mahdi
Nassim Nasim Naseem
Redouane Ridwan Radwan Redwane
Sofiane Sufyan Soufiane
Zakaria Zakariya Zakariyya
Fatima Fatma Fatimah Fatema Fatiha
Aicha Aisha Aïcha Ayesha Aishah
Amina Aminah Ameena
Nour Noor Nur
Yasmine Yasmin Yasmina
Khadija Khadidja Khadeeja
Meriem Mariam Maryam Meryem
Zineb Zainab Zaynab
Soumia Sumaya Somaya Soumaya
Imane Iman Eman
Leila Layla Leyla Laila
Houda Huda Hoda
Sara Sarah Sarra
Malika Malikah
Nadia Nadiya
Samira Sameera
Salma Selma
Asma Asmaa
Rania Raniya
Abdelaziz Abdulaziz Abdel-Aziz
Benali Ben-Ali Ben Ali
Belkacem Belkasem Belqasim
Cherif Sharif Chérif Shareef
Chaoui Shawi
Boumediene Boumedienne Boumedien
Haddad Hadad
Mansouri Mansoori Mansuri
[chinese]
Zhang Chang Cheung Cheong
Wang Wong Ong
Li Lee Lei Ly
Liu Lau Lew Liew
Chen Chan Chin Tan
Yang Yeung Young Yong
Huang Hwang Wong Ng
Zhao Chao Chiu Chew
Wu Woo Ng Goh
Zhou Chow Chou Chau
Xu Hsu Tsui Hui
Sun Suen Soon
Ma Mah Mar
Zhu Chu Chue Gee
Hu Woo Hoo Foo
Guo Kuo Kwok Kwock
He Ho Hor
Lin Lam Lim Lum
Gao Kao Ko Kou
Luo Lo Law Loh
Zheng Cheng Chang Tay
Liang Leung Leong
Xie Hsieh Tse Chia
Song Sung Soong
Tang Tong Teng
Feng Fung Fong
Deng Teng Tang
Cao Tsao Cho Chou
Peng Pang Phang
Cai Tsai Choi Chua
Jiang Chiang Keung Kong
Xiao Hsiao Siu
Dong Tung Tong
Pan Poon Phua
Yuan Yuen Won
Wei Wai Way
Jing Ching Cheng
Jun Chun Chuen
Qiang Chiang Keung
Xin Hsin Sun
Xiulan Hsiu-Lan Siulan
Xiuying Hsiu-Ying Siuying
Guiying Kuei-Ying Kwaiying
Zhiwei Chih-Wei Chiwei
[vietnamese]
Nguyễn Nguyen Ngyuen Nguyên Nguen Win
Trần Tran Chan
Lê Le Lee
Phạm Pham Fam
Hoàng Hoang Huynh Huỳnh Wong
Phan Phann Fan
Vũ Vu Voo Vo Võ
Đặng Dang Đang Dhang
Bùi Bui Booi
Đỗ Do Doh Đo
Hồ Ho Hoh
Ngô Ngo Ng
Dương Duong Zuong Yuong
Lý Ly Lee
Trương Truong Chuong
Đinh Dinh Ding
Ngọc Ngoc Nhoc
Hương Huong Huang
Thảo Thao Tao
Phương Phuong Fuong
Dũng Dung Zung
Quang Kwang
Thị Thi Ti
Văn Van Vaan
Hưng Hung
Tú Tu
Tùng Tung
Trung Chung
Xuân Xuan Suan
Nhật Nhat Nyat
[hispanic brazilian]
José Jose Josè
María Maria Mariah
Jesús Jesus
Núñez Nunez Nuñez Nunes
Peña Pena Penia Pegna
Muñoz Munoz Munos
Ibáñez Ibanez Ybanez
Ordóñez Ordonez Ordonnez
Castañeda Castaneda Castanieda
Treviño Trevino Trevinio
Yáñez Yanez Ianez
Begoña Begona
João Joao Joaon
Conceição Conceicao Conceisao
Gonçalves Goncalves Gonsalves
Magalhães Magalhaes Magallanes
Guimarães Guimaraes
"""


def _read_groups(text: str) -> dict[str, tuple[tuple[str, ...], ...]]:
    groups: dict[str, list[tuple[str, ...]]] = {}
    origins: list[str] = []
    for line in text.strip().splitlines():
        if line.startswith("["):
            origins = line.strip("[]").split()
            continue
        for origin in origins:
            groups.setdefault(origin, []).append(tuple(line.split()))
    return {origin: tuple(lines) for origin, lines in groups.items()}


# origin -> its groups of spellings
ROMANISATION_GROUPS = _read_groups(_GROUPS)
# origins whose names are written with diacritics (or without them)
DIACRITIC_ORIGINS = frozenset({"hispanic", "vietnamese", "french", "brazilian"})

# Substring rules that give another romanisation of an Arabic name (French / English /
# scholarly habits): pattern, replacement.
ARABIC_RULES: tuple[tuple[str, str], ...] = (
    ("ou", "u"), ("(?<![ou])u(?!u)", "ou"), ("dj", "j"), ("(?<!d)j", "dj"), ("ch", "sh"),
    ("sh", "ch"), ("ee", "i"), ("(?<=[^aeiou])i(?=[^aeiou])", "ee"), ("q", "k"), ("(?<!c)k", "q"),
    ("kh", "k"), ("gh", "g"), ("(?<=.)e", "a"), ("(?<=.)a(?!a)", "e"), ("^el", "al"),
    ("^al", "el"), ("ah$", "a"), ("ss", "s"), ("(?<=[aeiou])s(?=[aeiou])", "ss"), ("dd", "d"),
    ("mm", "m"), ("ll", "l"), ("aa", "a"), ("ï", "i"), ("y", "i"), ("(?<=[aeiou])i(?=[aeiou])", "y"),
    ("oua", "wa"), ("wa", "oua"), ("^ben", "ben "), ("^bel", "bel "),
)  # fmt: skip
# Pinyin to Wade-Giles-like initials and finals, for Chinese names not in the groups.
PINYIN_RULES: tuple[tuple[str, str], ...] = (
    ("zh", "ch"), ("^x", "hs"), ("x", "s"), ("^q", "ch"), ("z(?!h)", "ts"), ("ong", "ung"),
    ("ian", "ien"), ("ui", "uei"), ("ie$", "ieh"), ("uo", "o"), ("^b", "p"), ("^d", "t"),
    ("^g", "k"), ("^j", "ch"), ("^r", "j"), ("^c(?!h)", "ts"), ("i$", "ee"),
)  # fmt: skip

# Nicknames and short forms (English and Spanish, the commonest in US records), name ->
# its short forms. Written for this package.
_NICKNAMES = """
William: Will Bill Billy Willy
Robert: Rob Bob Bobby Robbie Bert
Richard: Rick Rich Ricky Dick Richie
James: Jim Jimmy Jamie
John: Johnny Jack Jon
Joseph: Joe Joey Jo
Michael: Mike Mikey Mick Mickey
Christopher: Chris Topher
Daniel: Dan Danny
Matthew: Matt Matty
Anthony: Tony Ant
Andrew: Andy Drew
Joshua: Josh
Jonathan: Jon Jonny
Nicholas: Nick Nicky
Alexander: Alex Xander Al Sasha
Benjamin: Ben Benny Benji
Samuel: Sam Sammy
Zachary: Zach Zack
Jacob: Jake
Nathaniel: Nate Nathan Nat
Nathan: Nate
Timothy: Tim Timmy
Thomas: Tom Tommy
Edward: Ed Eddie Ted Ned
Charles: Charlie Chuck Chas
Gregory: Greg
Patrick: Pat Paddy
Steven: Steve Stevie
Stephen: Steve Stevie
Kenneth: Ken Kenny
Ronald: Ron Ronnie
Donald: Don Donnie
Gabriel: Gabe
Jeffrey: Jeff
Lawrence: Larry
Leonard: Leo Len Lenny
Maxwell: Max
Peter: Pete
Raymond: Ray
Theodore: Ted Teddy Theo
Vincent: Vince Vinny
Elijah: Eli
Frederick: Fred Freddie
Henry: Hank Harry
Douglas: Doug
Gerald: Jerry Gerry
Jerome: Jerry
Harold: Harry Hal
Walter: Walt Wally
Albert: Al Bert
Alfred: Alf Fred
Bradley: Brad
Cameron: Cam
Dominic: Dom
Jeremiah: Jerry
Jeremy: Jerry
Joel: Joe
Kristopher: Kris
Mitchell: Mitch
Phillip: Phil
Philip: Phil
Randall: Randy
Russell: Russ
Stanley: Stan
Terrence: Terry
Tyler: Ty
Victor: Vic
Elizabeth: Liz Beth Betsy Lizzie Betty
Katherine: Kate Katie Kathy Kat
Catherine: Cathy Cat Kate
Kathryn: Kate Katie Kathy
Margaret: Maggie Meg Peggy Marge
Jennifer: Jen Jenny
Jessica: Jess Jessie
Rebecca: Becky Becca
Samantha: Sam Sammie
Alexandra: Alex Lexi
Alexis: Lexi Alex
Abigail: Abby
Victoria: Vicky Tori
Christina: Chris Tina Christy
Christine: Chris Tina
Deborah: Deb Debbie
Susan: Sue Susie
Patricia: Pat Patty Trish Tricia
Barbara: Barb Babs
Madison: Maddie
Madeline: Maddie Maddy
Natalie: Nat
Olivia: Liv Livvy
Isabella: Bella Izzy Isa
Isabel: Bella Izzy
Gabriella: Gabby
Gabrielle: Gabby
Amanda: Mandy
Kimberly: Kim
Stephanie: Steph
Nicole: Nikki Nic
Pamela: Pam
Cynthia: Cindy
Dorothy: Dot Dottie
Theresa: Tess Terry
Allison: Ally Allie
Emily: Em Emmy
Anastasia: Stacy
Jacqueline: Jackie
Valerie: Val
Veronica: Ronnie
Josephine: Jo Josie
Caroline: Carrie Caro
Destiny: Desi
Angela: Angie
Kaitlyn: Kait Katie
Kelsey: Kels
Melissa: Mel Missy
Michelle: Shelly
Priscilla: Cilla
Rosemary: Rosie
Sophia: Sophie
Virginia: Ginny
José: Pepe Chepe
Jose: Pepe Chepe Joe
Francisco: Paco Pancho Frank Kiko
Jesús: Chuy Chucho
Jesus: Chuy
Guadalupe: Lupe Lupita
Alejandro: Alex Ale
Ignacio: Nacho
Enrique: Kike Quique
Eduardo: Lalo
Guillermo: Memo Willy
Roberto: Beto Rober
Alberto: Beto
Humberto: Beto
Manuel: Manolo Manny
Rosario: Chayo
Dolores: Lola Lolita
Concepción: Conchita Concha
Gerardo: Jerry
Rafael: Rafa
Fernando: Nando Fer
Antonio: Toño Tony
Javier: Javi
Santiago: Santi
Sebastián: Sebas
Luis: Lucho
Ricardo: Ricky
Alfredo: Fredo Freddy
Jorge: Coque
Juan: Juanito
María: Mari Maru
Maria: Mari
Mercedes: Meche
Consuelo: Chelo
Graciela: Chela Gracie
Margarita: Rita Margie
Isabela: Chabela
Ana: Anita
Juana: Juanita
Teresa: Tere
Valentina: Vale
Daniela: Dani
Gabriela: Gaby
Fernanda: Fer
Alejandra: Ale Alex
Patricio: Pato
Rodrigo: Rigo
Salvador: Chava
Gregorio: Goyo
Gilberto: Gil
Isidro: Chilo
Mauricio: Mau
Adriana: Adri
Beatriz: Bea
Cristina: Cris Tina
Elena: Nena
Leticia: Lety
Lucía: Lucy
Luz: Lucha
Mónica: Moni
Rocío: Chio
Sofía: Sofi
Ximena: Xime
"""
NICKNAMES: dict[str, tuple[str, ...]] = {
    name.strip(): tuple(forms.split())
    for name, forms in (line.split(":") for line in _NICKNAMES.strip().splitlines())
}
