#!/usr/bin/python3
"""Writes words.txt: the words Simile's tokenizers are checked on against Hugging Face's (one per line, UTF-8, NFC
or NFD exactly as listed). Simile's own list; deterministic (fixed seed). Run: /usr/bin/python3 make_words.py"""
import random
import unicodedata as ud

rng = random.Random(2026)
words = []


def add(*ws):
    for w in ws:
        if w and w not in words and "\n" not in w:
            words.append(w)


english = """galaxy asteroid comet cosmos planet star nebula orbit chair table sofa desk shelf bed lamp apple banana
cherry grape lemon mango orange peach pear plum dog cat horse cow sheep goat lion tiger bear wolf fox rabbit mouse
elephant giraffe zebra monkey whale dolphin shark eagle owl sparrow pigeon river mountain ocean forest desert island
valley city village street house garden window door kitchen bread butter cheese coffee tea water juice milk sugar salt
pepper music painting poetry novel theatre cinema dance song guitar piano violin drum teacher doctor nurse lawyer
engineer farmer baker painter writer singer happy sad angry calm brave clever gentle honest lazy proud quiet rich
strange tall young old running walking swimming thinking reading writing speaking understanding internationalization
antidisestablishmentarianism photosynthesis electroencephalography pneumonoultramicroscopicsilicovolcanoconiosis
tokenizer transformer embedding representation similarity dissimilarity correlation permutation bootstrap
the of and to in is was he for it with as his on be at by had are but from or have an they which one you were her
all she there would their we him been has when who will more no if out so said what up its about into than them can
only other new some could time these two may then do first any my now such like our over man me even most made after
also did many before must through back years where much your way well down should because each just those people how
too little state good very make world still own see men work long get here between both life being under never day
same another know while last might us great old year off come since against go came right used take three""".split()
for w in english:
    add(w, w.capitalize(), w.upper())

accented = """café naïve résumé crème brûlée façade fiancée déjà über Ångström Øresund smörgåsbord fjärran Łódź Kraków
Dvořák Škoda Žižek Ærø Björk São Paulo coração ação informação açúcar pão irmã mañana niño piña año España jalapeño
señor Müller Größe Straße Mädchen schön fünf Äpfel Öfen Zürich Genève Besançon Noël Hélène Zoë Chloé Renée Éire
garçon élève bibliothèque rivière près très à où ça hôtel forêt île même Ñandú İstanbul Ağrı şeker çiçek ğ ı
Tiếng Việt Hà Nội Thành phố Hồ Chí Minh phở người Nguyễn Trần Lê Phạm ễ ộ ử ấ Reykjavík Þingvellir Ísland
Ελληνικά αλφάβητο Αθήνα καλημέρα ευχαριστώ φιλοσοφία ψυχή ωκεανός Ὀδυσσεύς ἀρετή Москва Россия привет спасибо
здравствуйте книга ёлка Ёжик Київ Україна їжак ґанок Беларусь ў Србија ђак ћерка џеп Қазақстан ә ө ү һ""".split()
for w in accented:
    add(w, ud.normalize("NFD", w), w.lower(), w.upper())

cjk = """東京 日本 首都 漢字 ひらがな カタカナ 私 毎日 本を読みます ありがとう こんにちは さようなら 北京 中国 上海
我 喜欢 学习 语言 今天 天气 很好 你好 谢谢 再见 人工智能 机器学习 深度学习 自然语言处理 計算機 電腦 網路 資訊
서울 한국 안녕하세요 감사합니다 사랑해 대한민국 한글 컴퓨터 학교 선생님 𠮷野家 𠀋 𡈽 𩸽 𪚲 𠂉 龘 齉 々 〆 ヶ ー
ｶﾀｶﾅ ﾊﾝｶｸ""".split()
for w in cjk:
    add(w)
for _ in range(120):
    add("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 3))))
for _ in range(30):
    add(chr(rng.randint(0x20000, 0x2A6DF)) + chr(rng.randint(0x4E00, 0x9FA5)))
for _ in range(40):
    add("".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(rng.randint(1, 3))))
for _ in range(30):
    add("".join(chr(rng.randint(0x3041, 0x3096)) for _ in range(rng.randint(2, 4))))
    add("".join(chr(rng.randint(0x30A1, 0x30FA)) for _ in range(rng.randint(2, 4))))

other_scripts = """القاهرة مرحبا كتاب الطاولة العربية محمد السلام عليكم شكرا مدرسة بيت قلم سيارة الْعَرَبِيَّة كِتَابٌ
فارسی سلام اردو پاکستان नमस्ते दिल्ली भारत राजधानी हिंदी पसंद किताब पानी क्षत्रिय ज्ञान श्री प्रेम संस्कृत
বাংলা ঢাকা ভালোবাসা தமிழ் சென்னை வணக்கம் తెలుగు ಕನ್ನಡ മലയാളം ગુજરાતી ਪੰਜਾਬੀ ଓଡ଼ିଆ සිංහල
שלום ירושלים עברית סֵפֶר สวัสดี กรุงเทพ ภาษาไทย ລາວ ខ្មែរ မြန်မာ ქართული Հայերեն አማርኛ ᐃᓄᒃᑎᑐᑦ ᚠᚢᚦ
ꦗꦮ 𐌰𐌱𐌲 𓀀𓁐 𒀀𒁀""".split()
for w in other_scripts:
    add(w)

emoji = ["😀", "🎉", "👍", "👍🏽", "❤️", "❤", "🇫🇷", "🇯🇵", "👨‍👩‍👧", "👩‍💻", "🏳️‍🌈", "🤖", "🔥", "✨", "🚀", "🍕", "🐍",
         "🦀", "1️⃣", "#️⃣", "☃", "⚙️", "🙏🏿", "🧑🏻‍🚀", "😂😂", "💯", "🌍", "🥲", "🫠", "🪐", "🫶🏼", "🧬", "👀", "🤦‍♀️",
         "⭐", "☕", "✅", "❌", "⚠️", "♻️", "©", "®", "™", "🅰️", "🆗", "🈯", "〰️", "〽️"]
for e in emoji:
    add(e, "word" + e, e + "ly")
for _ in range(60):
    add(chr(rng.randint(0x1F300, 0x1F64F)) + chr(rng.choice([0x1F3FB, 0x1F3FF, 0x200D, 0xFE0F, 0x61])))

# mathematical alphanumerics: bold, italic, bold italic, script, fraktur, double-struck, sans, monospace
styles = [0x1D400, 0x1D434, 0x1D468, 0x1D49C, 0x1D504, 0x1D538, 0x1D5A0, 0x1D670]
holes = {0x1D455: 0x210E, 0x1D49D: 0x212C, 0x1D4A0: 0x2130, 0x1D4A1: 0x2131, 0x1D4A3: 0x210B, 0x1D4A4: 0x2110,
         0x1D4A7: 0x2112, 0x1D4A8: 0x2133, 0x1D4AD: 0x211B, 0x1D506: 0x212D, 0x1D50B: 0x210C, 0x1D50C: 0x2111,
         0x1D515: 0x211C, 0x1D51D: 0x2128, 0x1D53A: 0x2102, 0x1D53F: 0x210D, 0x1D545: 0x2115, 0x1D547: 0x2119,
         0x1D548: 0x211A, 0x1D549: 0x211D, 0x1D551: 0x2124, 0x1D4BA: 0x212F, 0x1D4BC: 0x210A, 0x1D4C4: 0x2134}


def styled(w, base):
    out = ""
    for c in w:
        if "A" <= c <= "Z":
            cp = base + ord(c) - 65
        elif "a" <= c <= "z":
            cp = base + 26 + ord(c) - 97
        else:
            out += c
            continue
        out += chr(holes.get(cp, cp))
    return out


for w in english[:60]:
    base = rng.choice(styles)
    add(styled(w, base), styled(w.capitalize(), base), styled(w[0].upper(), base) + w[1:])
for d0 in (0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6):
    add("".join(chr(d0 + int(c)) for c in str(rng.randint(1, 99999))), "".join(chr(d0 + i) for i in range(4)))
add("𝟙𝟚𝟛𝟜", "𝐁old", "𝐁𝐨𝐥𝐝", "𝑖𝑡𝑎𝑙𝑖𝑐", "ℝ", "ℕ", "ℤ", "𝔸𝔹ℂ", "x²", "H₂O", "E=mc²", "∑", "∫f", "√2", "π", "∞")

for _ in range(150):
    add(str(rng.randint(0, 10 ** rng.randint(1, 8))))
add("2024", "42", "007", "0", "00", "000", "1,000,000", "3.14159", "1e10", "-5", "+7", "1/2", "50%", "$100", "€20",
    "1990s", "21st", "2nd", "3rd", "COVID-19", "MP3", "B2B", "4x4", "10:30", "2024-12-06", "v1.2.3", "0x1F", "#1", "No.5")
for _ in range(30):
    n = str(rng.randint(0, 99999))
    add("".join(chr(0xFF10 + int(c)) for c in n), "".join(chr(0x0660 + int(c)) for c in n),
        "".join(chr(0x0966 + int(c)) for c in n))

add("don't", "it's", "I'm", "we're", "they've", "you'll", "he'd", "DON'T", "IT'S", "O'Neill", "rock'n'roll", "U.S.A.",
    "e-mail", "well-known", "—", "–", "...", "…", "(hello)", "[x]", "{y}", "<tag>", "#hashtag", "@user", "C++", "C#",
    "F#", "«bonjour»", "“quoted”", "‘single’", "„Anführung“", "¿qué?", "¡sí!", "a/b", "a\\b", "a_b", "snake_case",
    "kebab-case", "path/to/file", "https://example.com", "user@example.com", "!!!", "???", "?!", ";)", ":-)", "<3",
    "&amp;", "§", "¶", "†", "‡", "•", "·", "°C", "±", "×", "÷", "≠", "≤", "≥", "→", "←", "⇒", "∀x", "∃y", "¬p", "∧",
    "'s", "'S", "'ll", "'LL", "'d", "x's", "X'S", "'twas", "ſ", "'ſ", "K", "Å", "ﬀ", "ﬁ", "ﬂ", "ﬁne", "ﬂow", "Ⅻ",
    "①", "②", "⑳", "½", "¼", "¾", "²", "³", "ℌ", "ℓ", "№", "™", "ＡＢＣ", "ａｂｃ", "ｗｏｒｄ", "１２３", "Ｈｅｌｌｏ",
    "ｶﾞ", "ﾊﾟ", "㍿", "㌔", "㎏", "㏄", "ǅ", "ǈ", "ǋ", "ǲ", "Ǆ", "İ", "ı", "ß", "ẞ", "ŉ", "ǰ", "ΐ", "Σ", "ς", "ϐ", "ϑ")

mixed = """iPhone iPad eBay McDonald MacBook NASA FBI camelCase PascalCase HTTPServer XMLHttpRequest JavaScript TypeScript
GitHub YouTube LinkedIn PhD DNA mRNA pH kWh MHz GHz OpenAI ChatGPT PyTorch TensorFlow NumPy SciPy LaTeX WiFi
O'Reilly MySQL PostgreSQL IPv6 USB-C x86_64 ARM64 AbCdEf aBcDeF HeLLo WoRlD ÉCOLE École éCOLE ÜBER Über uBER""".split()
for w in mixed:
    add(w)

# accents in decomposed form with several marks, and marks in non-canonical order
for base in "aeiouyncszAEIOUYNCSZ":
    for marks in ("\u0301", "\u0300", "\u0308", "\u0302", "\u0303", "\u030C", "\u0327", "\u0323\u0302", "\u0302\u0323",
                  "\u0301\u0327", "\u0328\u0301", "\u031B\u0301"):
        w = base + marks + "x"
        add(w)

rng.shuffle(words)
with open("words.txt", "w", encoding="utf-8") as f:
    for w in words:
        f.write(w + "\n")
print(len(words))
