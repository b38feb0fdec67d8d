"""The words of knowledge retrieval: how questions and knowledge texts become BM25
terms (jieba words, Chinese character uni- and bigrams, lower-cased and lightly stemmed
English words, without stop-words and the particles that carry a question's form), and
the groups of words callers and product texts use for one thing (`_CONCEPTS`: general
customer-service vocabulary, not one product's), through which a question's terms are
expanded. Split out of knowledge.py, which ranks and answers with them."""

from __future__ import annotations

import logging
import re
import threading
import warnings
from functools import lru_cache

from voxdial.conversation import answer_types

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORD = re.compile(rf"[{_CJK}]|[a-z0-9]")
# fillers callers say and ASR writes down; dropped before embedding the question
_FILLERS = re.compile(
    r"嗯+|呃+|额+|啊+|哦+|噢+|唉+|哎+|那个|这个|就是说|就是|然后|对吧|是吧|"
    r"\b(?:um+|uh+|erm|hmm+|you know|i mean|like)\b,?",
    re.I,
)

_STOP_ZH = set(
    "的 了 吗 呢 吧 啊 呀 嘛 哦 嗯 呃 额 哎 唉 我 你 您 他 她 它 我们 你们 他们 咱 咱们 这 那 这个 "
    "那个 就是 然后 还是 还有 一下 一个 是 在 有 和 跟 与 及 或 或者 也 都 就 还 又 要 想 能 会 "
    "可以 请问 问 问一下 想问 知道 说 那么 怎么 怎么样 什么 多少 哪 哪里 哪儿 吗 么 对 不 没 "
    "个 些 把 被 给 让 对于 关于 如果 的话 时候 现在 请 麻烦 您好 你好 喂 好 行 啥".split()
)
_STOP_EN = set(
    "a an the and or but if of to in on at for from by with about as is are was were be "
    "been being do does did i you we they he she it me my your our their this that these "
    "those there here what which who whom how when where why can could would should will "
    "shall may might must have has had not no yes so just um uh hi hello please tell know "
    "want like get got any some much many there's it's i'm what's".split()
)
_STOP = _STOP_ZH | _STOP_EN
# single characters that carry the question's form, not its content: dropped as unigrams,
# and a bigram with one of the particles is dropped too ("能寄吗" meets every "…能寄吗？")
_STOP_CHARS = set(
    "可以能吗呢吧啊呀嘛哦嗯呃我你您他她它们这那是在有和跟与及或也都就还又要想会请问说么个些把被给让对不没好行啥的了"
)
_PARTICLES = set("吗呢吧啊呀嘛哦嗯呃的了我你您")

# How callers ask versus how product texts are written. When a question contains any
# word of a group, the group's other words join its BM25 terms at half weight (they
# raise a passage's score but not the question's ceiling). Generic customer-service
# vocabulary, not one product's.
_CONCEPTS: tuple[tuple[str, ...], ...] = (
    ("多少钱", "价格", "价钱", "收费", "费用", "月费", "月租", "资费", "贵", "便宜", "交多少"),
    ("包年", "一年", "年费", "每年"),
    ("营业时间", "几点", "开门", "关门", "上班", "下班", "节假日", "放假", "半夜", "凌晨", "通宵"),
    ("质保", "保修", "返修", "又坏", "再坏", "保质期", "包修"),
    ("人多", "排队", "等多久", "拥挤", "要等"),
    ("推荐", "介绍", "老带新", "奖励", "返现", "拉新", "邀请", "拉人"),
    ("覆盖", "哪些区", "范围", "能装吗", "能不能装"),
    ("逾期", "欠费", "忘了交", "没交钱", "没交费", "晚交", "过了缴费"),
    (
        "地址",
        "在哪",
        "哪儿",
        "哪里",
        "位置",
        "怎么走",
        "怎么去",
        "地铁",
        "什么地方",
        "位于",
        "地点",
    ),
    ("退订", "退掉", "不用了", "不想用", "取消", "注销", "拆机", "停用", "不要了"),
    ("退款", "退钱", "退还", "返还", "到账", "退回"),
    ("违约金", "赔钱", "违约", "赔偿", "罚款", "解约", "赔"),
    ("安装", "装", "上门", "开通", "办理", "申请", "新装"),
    ("客服", "电话", "热线", "号码", "联系"),
    ("优惠", "活动", "打折", "折扣", "送", "赠送", "免费", "好处"),
    ("报修", "维修", "故障", "坏了", "断网", "网慢", "很慢", "卡", "上不了网", "修"),
    ("移机", "搬家", "搬过去", "新地址", "搬"),
    ("缴费", "交钱", "交费", "付款", "支付", "充值", "付钱", "扣款"),
    ("暂停", "停网", "停机", "停一段"),
    ("合约", "合同", "签约", "协议", "期限"),
    ("发票", "报销", "开票"),
    ("身份证", "证件", "带什么", "材料", "证明"),
    ("投诉", "不满意", "举报"),
    ("停车", "开车", "车位"),
    ("升级", "降级", "换成", "改成", "换套餐", "更快", "快一点"),
    ("price", "cost", "fee", "charge", "how much", "expensive", "cheap"),
    (
        "hours",
        "open",
        "close",
        "closed",
        "what time",
        "weekend",
        "saturday",
        "sunday",
        "in the morning",
        "at night",
        "late at night",
        "any time",
        "day or night",
        "24 hours",
    ),
    ("warranty", "guarantee", "guaranteed", "breaks again", "broke again"),
    ("crowded", "busy", "queue", "wait long", "packed"),
    ("address", "where", "located", "location", "directions", "office"),
    ("cancel", "reschedule", "book", "appointment", "no show", "don't show", "dont show"),
    (
        "pay",
        "payment",
        "installments",
        "instalments",
        "finance",
        "credit card",
        "cash",
        "spread the cost",
        "split the cost",
        "pay over time",
        "monthly payments",
    ),
    ("accept", "take", "accepted"),
    ("refer", "referral", "bring a friend", "recommend a friend", "reward"),
    ("insurance", "insurer", "covered", "coverage", "plan"),
    ("emergency", "urgent", "pain", "hurts", "knocked", "today"),
    ("children", "child", "kid", "kids", "son", "daughter", "age"),
    ("parking", "park", "car", "drive", "garage"),
    ("new patient", "first time", "first visit", "records", "form"),
    # general service vocabulary: goods, damage and loss, payment trouble, supply
    ("电池", "充电宝", "锂电池", "移动电源", "battery", "batteries", "power bank"),
    ("损坏", "摔坏", "坏了", "坏掉", "破损", "碎了", "压坏", "damaged", "broken", "damage"),
    ("丢失", "丢了", "弄丢", "找不到", "lost", "missing"),
    ("赔偿", "理赔", "索赔", "补偿", "赔", "compensation", "compensate", "claim"),
    ("禁止", "违禁", "不能寄", "不让寄", "prohibited", "not allowed", "banned", "forbidden"),
    ("代取", "代收", "帮我取", "帮我拿", "别人取", "someone else", "on my behalf"),
    ("afford", "struggling", "hardship", "can't pay", "cannot pay", "交不起", "没钱交"),
    ("late", "overdue", "unpaid", "逾期", "迟交", "晚交"),
    ("switch", "leave", "exit", "another supplier", "another company", "换一家", "换别家"),
    (
        "power cut",
        "outage",
        "power out",
        "no power",
        "without power",
        "blackout",
        "lights go out",
        "停电",
        "断电",
        "没电",
    ),  # fmt: skip
    (
        "medical",
        "ventilator",
        "oxygen",
        "dialysis",
        "wheelchair",
        "disability",
        "医疗",
        "呼吸机",
        "制氧机",
        "残疾",
    ),  # fmt: skip
    ("unit", "kilowatt", "kwh", "度电", "每度"),
    ("refer", "referral", "neighbour", "neighbor"),
    ("总部", "哪个公司", "什么公司", "哪家公司", "headquarters", "head office", "company"),
    ("wifi", "wi-fi", "无线网", "wlan", "internet"),
    *(  # round 8: how callers name common service facts, in any domain (knowledge2)
        # holidays and festival closures
        ("过年", "春节", "除夕", "正月", "国庆", "元旦", "五一", "中秋", "节假日", "法定节假日",
         "holiday", "holidays", "christmas", "new year", "thanksgiving", "bank holiday"),
        # money paid before the service
        ("定金", "订金", "押金", "首付", "预付", "保证金", "先交", "先付",
         "deposit", "down payment", "money down", "upfront", "up front", "pay in advance"),
        # someone else acting for the customer
        ("代领", "代取", "代拿", "代办", "别人", "家人", "家属", "老公", "老婆", "爱人", "替我",
         "帮我去拿", "帮我去取", "someone else", "on my behalf", "my husband", "my wife",
         "my partner", "family member", "for someone"),
        # older customers
        ("老人", "老年人", "年纪大", "岁数大", "高龄", "退休", "elderly", "senior",
         "seniors", "pensioner", "retired"),
        # how old one must be
        ("岁", "周岁", "年龄", "年纪", "多大", "age", "aged", "years old", "year old",
         "older", "minimum age"),
        # having results explained
        ("解读", "看不懂", "讲讲", "讲解", "解释", "什么意思", "explain", "go through",
         "go over", "walk me through", "what does it mean"),
        # being told of something
        ("通知", "告诉我", "提醒", "notify", "notified", "let me know", "remind",
         "reminder", "alert"),
        # missing or moving a booking
        ("没去", "去不了", "来不了", "爽约", "改期", "改时间", "改天", "迟到", "no-show",
         "no show", "can't make it", "can not make it", "miss", "missed", "running late"),
        # food and drink
        ("吃的", "吃饭", "早餐", "早饭", "午饭", "午餐", "饿", "零食", "餐厅", "food", "eat",
         "breakfast", "lunch", "snack", "meal", "hungry", "coffee"),
        # kinds of a product and how they differ
        ("区别", "差别", "不同", "哪种", "几种", "种类", "类型", "对比", "difference",
         "different", "types", "kinds", "compare", "ranges", "options"),
        # coming without booking, or today
        ("不预约", "直接去", "直接过去", "临时", "现场", "当天", "今天就", "walk in",
         "walk-in", "without an appointment", "drop in", "drop by", "same day", "same-day"),
        # cover outside working hours
        ("值班", "夜间", "半夜", "应急", "紧急", "24小时", "after hours", "out of hours",
         "overnight", "middle of the night", "emergency"),
        # discounts and deals
        ("优惠", "减免", "特价", "会员价", "打折", "折扣", "便宜点", "划算", "discount",
         "discounts", "deal", "deals", "promotion", "promo", "coupon", "cheaper"),
        # something not working
        ("不显示", "没数据", "不能用", "用不了", "打不开", "没反应", "失灵", "not showing",
         "not working", "doesn't work", "does not work", "stopped working", "shows nothing",
         "no data"),
        # babies and children
        ("婴儿", "宝宝", "小孩", "孩子", "儿童", "小朋友", "未成年", "baby", "babies",
         "infant", "toddler", "crib", "cot", "child", "children", "kid", "kids"),
        # printing and copying
        ("打印", "复印", "扫描", "打印机", "print", "printer", "printing", "copies",
         "photocopy", "scan"),
        # getting rid of things
        ("扔", "丢掉", "回收", "销毁", "处理掉", "throw out", "throw away", "dispose",
         "disposal", "get rid of", "recycle", "drop box"),
        # where rubbish is taken, in everyday words ("the tip", "the dump")
        ("垃圾站", "回收站", "the tip", "the dump", "recycling centre", "recycling center",
         "household waste", "waste site"),
        # how many at most
        ("上限", "限制", "限量", "封顶", "limit", "limits", "maximum", "max"),
        # things, in the words callers use for them
        ("items", "item", "bits", "things", "stuff", "pieces"),
        # waiting on site after a service
        ("留观", "观察", "等一会", "hang around", "stay after", "wait after", "observation",
         "observe", "wait"),
        # getting around with a disability
        ("轮椅", "无障碍", "残疾", "腿脚不好", "腿脚不便", "行动不便", "拐杖", "wheelchair",
         "wheelchairs", "accessible", "accessibility", "disabled", "mobility", "step-free"),
        # whether staff are checked and trusted
        ("背景", "核查", "审查", "查过", "靠得住", "放心", "background", "vetted",
         "background check", "trustworthy", "trust"),
        # privacy of the customer's things and data
        ("隐私", "偷看", "泄露", "保密", "照片", "聊天记录", "privacy", "private",
         "confidential", "personal data", "photos"),
        # water getting in
        ("进水", "掉水里", "泡水", "受潮", "淋雨", "water damage", "got wet", "dropped it in water",
         "spilled"),
        # something to use in the meantime
        ("备用机", "备用", "借用", "代用", "给我用", "loaner", "loan", "courtesy",
         "spare", "borrow", "in the meantime"),
        # what to bring or prepare
        ("带啥", "带什么", "要带", "准备什么", "准备啥", "证件", "材料", "bring", "documents",
         "paperwork", "id", "identification"),
        # several people or a party
        ("团体", "团购", "批量", "集体", "单位", "group", "groups", "bulk", "party", "wedding",
         "team"),
        # what a product includes
        ("包括", "包含", "包不包", "含不含", "都有什么", "有哪些", "都查", "项目", "include",
         "includes", "included", "comes with", "what do i get"),
        # the smallest size or least one can book
        ("最小", "最少", "起订", "至少", "small", "smallest", "minimum", "at least"),
        # weekends
        ("weekend", "weekends", "saturday", "sunday", "friday and saturday"),
        # whom to contact
        ("找谁", "联系谁", "打给谁", "找哪个", "who do i call", "who to call", "who do i contact",
         "who should i call", "contact"),
    ),  # fmt: skip
    *(  # round 9: more of how callers name common service facts, in any domain (knowledge3)
        # parts of the day ("礼拜三早上" of a text saying "周三上午")
        ("早上", "上午", "早晨", "一早", "清早", "morning", "mornings", "in the morning"),
        ("下午", "午后", "afternoon", "afternoons", "in the afternoon"),
        ("晚上", "傍晚", "夜里", "evening", "evenings", "tonight", "in the evening"),
        # days the business is closed
        ("休息", "歇", "歇业", "闭店", "停业", "不营业", "打烊", "不开门", "关门", "closed",
         "shut", "not open"),
        # going out and walking
        ("溜达", "散步", "遛", "出去", "外出", "出门", "户外", "walk", "walks", "stroll",
         "go out", "outside", "outdoors"),
        # falling ill and the costs of care
        ("生病", "病了", "不舒服", "看病", "就医", "送医", "医院", "医疗费", "医药费", "sick",
         "ill", "illness", "unwell", "doctor", "hospital", "medical bills"),
        # who bears a cost
        ("谁出", "谁付", "谁承担", "谁负责", "承担", "自理", "由谁", "who pays", "who covers",
         "who is responsible", "at whose cost", "pay for it"),
        # stopping a service for a while
        ("暂停", "停一段", "冻结", "pause", "paused", "on hold", "suspend", "freeze",
         "put on hold", "hold"),
        # giving back what was lent or rented
        ("归还", "还回", "寄回", "送回", "还给", "return", "returned", "returning", "send back",
         "send it back", "give back", "bring back"),
        # the things a service lends or installs
        ("设备", "器材", "装备", "equipment", "gear", "device", "devices", "hardware", "kit"),
        # the person who comes to do the work
        ("师傅", "技师", "工程师", "技术员", "technician", "tech", "engineer", "installer",
         "fitter", "repairman"),
        # prices going up
        ("涨价", "涨", "上涨", "提价", "调价", "变贵", "go up", "goes up", "going up",
         "increase", "increased", "rise", "raise", "price change", "prices change"),
        # ending an agreement early
        ("解约", "提前解约", "违约金", "终止", "cancellation fee", "termination", "terminate",
         "early termination", "break the contract", "end the contract", "leave early"),
        # coming late or past the agreed time
        ("晚了", "晚到", "迟了", "超时", "超过", "没按时", "late", "past the time", "overdue"),
        # long-standing customers
        ("老客户", "老顾客", "老用户", "忠实", "loyal", "loyalty", "long-time", "been with you",
         "years of service", "existing customer"),
        # renewing an agreement
        ("续约", "续费", "续签", "renew", "renewal", "renewing", "contract ends"),
    ),  # fmt: skip
)

_jieba_lock = threading.Lock()
_jieba_ready = False


def _jieba():
    global _jieba_ready
    import jieba

    if not _jieba_ready:
        with _jieba_lock:
            if not _jieba_ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_ready = True
    return jieba


_VOWELS = set("aeiouy")


def _stem(word: str) -> str:
    """A light English stemmer applied alike to questions and texts: plural "-s" /
    "-ies", "-ing" / "-ed" (with a doubled final consonant undone: "referring" ->
    "refer"), "-ment" / "-ation" nouns (`_DERIVED`), a final "-ll" and a final "-e"
    ("charges", "charged", "charge" -> "charg")."""
    if not word.isascii() or len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies"):
        word = word[:-3] + "y"
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        stem = word[: -len(suffix)]
        if word.endswith(suffix) and len(stem) >= 3 and _VOWELS & set(stem):
            if len(stem) > 3 and stem[-1] == stem[-2] and (stem[-1] not in "lsz" or len(stem) > 5):
                stem = stem[:-1]
            word = stem
            break
    for suffix, shortest in _DERIVED:
        if word.endswith(suffix) and len(word) - len(suffix) >= shortest:
            word = word[: -len(suffix)]
            break
    if len(word) > 4 and word.endswith("ll"):
        word = word[:-1]  # "install" and "installation" alike, as "cancelled" is "cancel"
    if len(word) > 4 and word.endswith("e") and not word.endswith("ee"):
        word = word[:-1]
    return word


# nouns made of a verb, read as the verb ("deployment" is "deploy", "cancellation"
# "cancel"), with the shortest stem left ("payment" and "location" stay whole)
_DERIVED = (("ation", 4), ("ment", 5))


# One spelling for a unit or a weekday however it is said or written, applied alike to
# questions and texts before numerals become digits ("两千瓦" is 2 kw, not 2000 瓦).
_SAME_WORDS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), spelling)
    for pattern, spelling in (
        (r"(?:礼拜|星期|周)(?:天|日)", "周日"),
        (r"(?:礼拜|星期)(?=[一二三四五六1-6])", "周"),
        (r"钟头", "小时"),
        (r"千瓦时|kilowatt[- ]hours?\b|(?<![a-z])kw ?h\b", "kwh"),
        (r"千瓦|kilowatts?\b|(?<![a-z])kw\b", "kw"),
        (r"公斤|千克|\bkilo(?:gram)?s?\b|(?<![a-z])kgs?\b", "kg"),
        (r"公里|千米|\bkilomet(?:er|re)s?\b|(?<![a-z])kms?\b", "km"),
        (r"平方米|平米|㎡|m²", "平方米"),
        (r"\bsquare met(?:er|re)s?\b|(?<![a-z])sq ?m\b|(?<![a-z])sqm\b", "m2"),
        (r"\bsquare f(?:oo|ee)t\b|(?<![a-z])sq ?ft\b", "sqft"),
        # regional speech, one spelling: Cantonese pronouns and question words (你哋 =
        # 你们, 几多 = 多少, 开唔开 = 开不开, 有冇 = 有没有), "有没有得" (is it possible),
        # and the plural "yous" / "youse" of Scots and Irish English
        (r"([你我佢])哋", r"\1们"),
        (r"佢", "他"),
        (r"几多", "多少"),
        (r"有(?:冇|没有?)得", "有得"),  # "is it possible", not "do you offer"
        (r"有冇", "有没有"),
        (r"冇", "没有"),
        (r"唔", "不"),
        (r"嘅", "的"),
        (r"边度|边处", "哪里"),
        (r"边(?=[个间家位])", "哪"),
        (r"(?<![a-z'])you(?:s|se)\b", "you"),
    )
)
# English numbers said as words before a unit or a counted thing: "two kilowatts" = "2 kw"
_NUMBER_WORDS = {
    w: str(i)
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen "
        "fourteen fifteen sixteen seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": "30", "forty": "40", "fifty": "50", "sixty": "60", "seventy": "70",
     "eighty": "80", "ninety": "90", "hundred": "100"}  # fmt: skip
_COUNTED = (
    r"kwh|kw|kg|km|m2|sqft|miles?|hours?|days?|nights?|weeks?|months?|years?|minutes?|"
    r"people|persons?|rooms?|bedrooms?|pounds?|dollars?|percent|feet|foot|inches|"
    r"gb|mb|panels?|bags?|boxes|items?|pets?|dogs?|cats?|kids?|children|adults?|guests?"
)
_SAID_NUMBER = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})(?=[ -](?:{_COUNTED})\b)")


_UNIT_AFTER_DIGIT = re.compile(r"(\d)(kwh|kw|kg|km|m2|sqft)(?![a-z])")


_ZH_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"两": 2}
_ZH_BEFORE_UNIT = re.compile(r"([零一二两三四五六七八九]?十?[一二三四五六七八九]?)(?=kwh|kw|kg|km)")


def _zh_small_number(said: str) -> str:
    """"两" = 2, "十五" = 15, "二十" = 20 (up to 99: sizes said before a unit)."""
    if "十" not in said:
        return str(_ZH_DIGITS[said]) if said in _ZH_DIGITS else said
    tens, _, ones = said.partition("十")
    return str(_ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(ones, 0))


def _same_words(text: str) -> str:
    for pattern, spelling in _SAME_WORDS:
        text = pattern.sub(spelling, text)
    text = _ZH_BEFORE_UNIT.sub(lambda m: _zh_small_number(m.group(1)) if m.group(1) else "", text)
    return _SAID_NUMBER.sub(lambda m: _NUMBER_WORDS[m.group(1)], text)


@lru_cache(maxsize=4096)
def _normalise(text: str) -> str:
    """Lower-case, one spelling per unit and weekday (`_SAME_WORDS`), numbers said as
    words as digits, bandwidth units alike ("一百兆" = "100M")."""
    text = _same_words(text.lower())
    if re.search("[零一二两三四五六七八九十百千万]", text):
        import cn2an

        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # it warns on forms it leaves alone ("千")
                text = cn2an.transform(text, "cn2an")
        except Exception:  # cn2an rejects some mixed forms; the words still count as words
            pass
    text = text.replace("千兆", "1000m 千兆")
    text = _UNIT_AFTER_DIGIT.sub(r"\1 \2", text)  # "4kw" = "4 kw"
    return re.sub(r"(\d+)\s*(?:兆|mbps|mb|m)(?![a-z])", r"\1m", text)


_UNIGRAMS = True


def _cjk_bigrams(text: str) -> list[str]:
    out: list[str] = []
    for run in re.findall(rf"[{_CJK}]{{2,}}", text):
        out += [run[i : i + 2] for i in range(len(run) - 1)]
    return out


_HYPHENATED = re.compile(r"\b([a-z]{2,})-([a-z]{2,})\b")
_CONTRACTIONS = re.compile(r"\b(won't|can't)|n't\b|'(s|re|ve|ll|d|m)\b")
_EXPANDED = {"won't": "will not", "can't": "can not", "n't": " not"}


def tokenize(text: str, *, bigrams: bool = True) -> list[str]:
    """BM25 terms: jieba search-mode words (Chinese words and their sub-words, English
    words) lower-cased, without punctuation and stop-words, plus Chinese character
    bigrams so a misheard or colloquial word still meets half of the written one."""
    text = _CONTRACTIONS.sub(lambda m: _EXPANDED.get(m.group(0), " "), _normalise(text))
    words = _jieba().lcut_for_search(text)
    # stop-words before stemming ("this" is not "thi"), contractions spelled out ("what's"
    # left a term "s")
    terms = [_stem(w) for w in (w.strip() for w in words) if w and _WORD.search(w)
             and w not in _STOP]  # fmt: skip
    # a hyphenated word is also one word: "check-up" meets "checkup", "drop-off" "dropoff"
    terms += [_stem(a + b) for a, b in _HYPHENATED.findall(text)]
    if bigrams:
        terms += ["~" + b for b in _cjk_bigrams(text) if not _PARTICLES & set(b)]
        if _UNIGRAMS:
            terms += ["^" + c for c in re.findall(rf"[{_CJK}]", text) if c not in _STOP_CHARS]
    return [t for t in terms if t not in _STOP and t.lstrip("~") not in _STOP]


def expansions(question: str, *, weight: float = 0.5) -> dict[str, float]:
    """Terms of the `_CONCEPTS` groups `question` touches, with their weight."""
    text = _normalise(question)
    out: dict[str, float] = {}
    for i, group in enumerate(_CONCEPTS):
        if any(_contains(text, word) for word in group):
            for term in _group_terms(i):
                out.setdefault(term, weight)
    return out


@lru_cache(maxsize=len(_CONCEPTS))
def _group_terms(index: int) -> tuple[str, ...]:
    return tuple(t for word in _CONCEPTS[index] for t in tokenize(word, bigrams=False))


@lru_cache(maxsize=512)
def _word_pattern(word: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(word)}\b")


def _contains(text: str, word: str) -> bool:
    if word.isascii():
        return _word_pattern(word).search(text) is not None
    return word in text


# "Do you sell / have / offer X?", "你们卖不卖X", "有没有X": a question whether the
# business offers a thing. Only a passage that names the thing (or a word of its group)
# answers it; one that merely shares the question's form or topic does not ("do you
# sell car insurance" is not answered by "we accept most dental insurance plans").
_OFFER_EN = re.compile(
    r"\b(?:do|does|can) (?:you|you guys|they|i|we) (?:also )?"
    r"(?:have|do|sell|offer|provide|carry|stock|fix|repair|rent|hire|book|buy)\s+"
    r"(?:any |a |an |the |some |my |your |me |us )*(?P<thing>[^,.?!]+)"
)
_OFFER_ZH = re.compile(
    r"(?:有没有|卖不卖|有卖|卖(?!给)|出售|修不修|能修|能不能修|可以修|帮我办|能办|招不招|招)"
    rf"(?:什么|啥|哪些|点|些|个)?(?P<thing>[{_CJK}a-z0-9]+)"
)
# "有猫砂卖吗", "有充电器卖不": the thing between 有 and the verb of selling
_OFFER_ZH_BEFORE = re.compile(rf"有(?P<thing>[{_CJK}a-z0-9]{{1,8}}?)(?:卖|出售|可以买|能买)")
_THING_END = re.compile(
    r"\b(?:from|for|to|through|with|at|in|on|if|when|because|too|as well|there|here|"
    r"please|now|today)\b.*|(?:吗|呢|啊|吧|么|没有|的话|不|可以|行不行).*"
)
_VAGUE_THINGS = {"anything", "something", "everything", "thing", "one", "kind", "sort", "type",
                 "option", "东西", "什么", "服务"}  # fmt: skip
# a passage "names" a discount by its rate ("九五折", "10% off")
_DISCOUNT = re.compile(r"\d+(?:\.\d+)?\s*折|[一二三四五六七八九]+折|\d+\s*% off|discount", re.I)
_DISCOUNT_WORDS = {"折扣", "打折", "discount", "优惠"}
# questions about jobs: answered only by a text that speaks of jobs
_JOBS = re.compile(r"招不招|招聘|招人|招工|\bhir(?:e|ing)\b|recruit|\bjobs?\b|vacanc")


@lru_cache(maxsize=4096)
def _words(text: str) -> tuple[str, ...]:
    return tuple(tokenize(text, bigrams=False))


def offered_thing(question: str) -> list[str]:
    """The content words of the thing a "do you offer X" question asks about."""
    text = _normalise(question)
    for pattern in (_OFFER_EN, _OFFER_ZH, _OFFER_ZH_BEFORE):
        match = pattern.search(text)
        if match is None:
            continue
        thing = _THING_END.sub("", match.group("thing")).strip()
        words = [w for w in dict.fromkeys(tokenize(thing, bigrams=False))
                 if w not in _VAGUE_THINGS]  # fmt: skip
        if words:  # "有猫砂卖吗": "卖吗" names nothing, "有猫砂卖" does
            return words
    return []


def evidenced(question: str, passage: str) -> bool:
    """False when `question` asks whether the business offers a thing `passage` does
    not name, or asks about jobs a passage does not mention."""
    text = _normalise(passage)
    if _JOBS.search(_normalise(question)) and not _JOBS.search(text):
        return False
    words = offered_thing(question)
    if not words:
        return True
    terms = set(_words(passage))
    # the words that make the thing specific must be named ("cell phone plans": "cell");
    # the head noun of a longer name may be paraphrased ("公网地址" stated as "公网IP")
    specific = words[:-1] if len(words) > 1 else words
    return all(_named(word, text, terms) for word in specific)


def _named(word: str, text: str, terms: set[str]) -> bool:
    if word in terms or (not word.isascii() and word in text):
        return True
    if word in _DISCOUNT_WORDS and _DISCOUNT.search(text):
        return True
    return any(
        word in _group_terms(i)
        and any(t in terms or (not t.isascii() and t in text) for t in _group_terms(i))  # fmt: skip
        for i in range(len(_CONCEPTS))
    )


# adverbs and judgements a question is asked with ("where exactly", "停车方便吗"): they are
# not what it is about, so a text not using them says nothing
_FORM_WORDS = set(
    "方便 容易 麻烦 难 远 近 快 慢 多 少 大 小 贵 顺利 靠谱 exactly really actually just also "
    "still even ever quite right now again too much very way easy hard far near long soon "
    "possible okay ok".split()
) | set(  # round 8: the form of a spoken question (asking, wanting, hedging), not its topic
    "不行 行不行 可不可以 有没有 没有 咋 咋整 咋办 咋弄 怎么办 怎么弄 我家 我想 问下 具体 大概 "
    "一下 那种 那天 得 才行 才 还要 要是 来着 to do guy guys happen happens happened need needs "
    "going gonna wanna anything something everything use help think come keep get put able "
    "really maybe probably sure more less".split()
) | set(  # round 15: how often or how generally ("平时几点关门"): the form, not the topic
    "平时 平常 一般 通常 usually normally generally".split()
)


def unknown_share(question: str, vocabulary: set[str], text: str) -> float:
    """The share of `question`'s content words that the knowledge text never uses (nor
    a word of their group): "燃气费" asked of a water utility's text."""
    for kind, (asks, _) in answer_types.KINDS.items():  # "located", "几点": the form of
        if kind != "price":  # the question; but "电费" names what is priced
            question = asks.sub(" ", question)
    words = [w for w in dict.fromkeys(_words(question))
             if w not in _VAGUE_THINGS and w not in _FORM_WORDS and not w.isdigit()]  # fmt: skip
    if not words:
        return 0.0
    unknown = [w for w in words if not _named(w, text, vocabulary) and not _part_named(w, text)]
    return len(unknown) / len(words)


# the business itself, as a question names it ("where's your office", "你们店在哪"): not
# a thing the question is about
_SELF_WORDS = set(
    "guy guys folk folks office offic company business place center centre cent shop store "
    "branch 你们 公司 门店 店 地方 那边 这边".split()
)
_SELF_WORDS |= {_stem(w) for w in _SELF_WORDS}  # as the question's words are: "plac", "centr"


def asked_about(question: str) -> list[str]:
    """The content words of `question` apart from the form of the kind of fact it asks
    for ("where", "多少钱", "number") and the business itself ("your office")."""
    for _kind, (asks, _) in answer_types.KINDS.items():
        question = asks.sub(" ", question)
    return [w for w in dict.fromkeys(_words(question))
            if w not in _VAGUE_THINGS and w not in _FORM_WORDS and w not in _SELF_WORDS
            and not w.isdigit() and len(w) >= (3 if w.isascii() else 2)]  # fmt: skip


def names_all(words: list[str], passage: str) -> bool:
    """Whether `passage` names every one of `words`, itself or by a word of its group
    that is not the form of a kind of fact ("客服" is not named by any "电话")."""
    text = _normalise(passage)
    terms = set(_words(passage))
    return all(_names(w, text, terms) for w in words)


def _names(word: str, text: str, terms: set[str]) -> bool:
    if word in terms or (not word.isascii() and word in text) or _part_named(word, text):
        return True
    return any(
        word in _group_terms(i)
        and any((t in terms or (not t.isascii() and t in text)) and not _kind_form(t)
                for t in _group_terms(i))
        for i in range(len(_CONCEPTS))
    )  # fmt: skip


@lru_cache(maxsize=1024)
def _kind_form(term: str) -> bool:
    return any(asks.search(term) for asks, _ in answer_types.KINDS.values())


def _part_named(word: str, text: str) -> bool:
    """A Chinese word of three or more characters whose two-character part the text
    uses ("过生日" of a text saying "生日")."""
    if word.isascii() or len(word) < 3:
        return False
    return any(word[i : i + 2] in text for i in range(len(word) - 1))



def unknown_offer(question: str, vocabulary: set[str], text: str) -> bool:
    """Whether `question` asks if the business offers a thing (two or three English
    words) whose head noun (its last word) the whole text never uses, itself or by a
    word of its group: "do you do ear piercing" of a text on ear wax removal, where
    "ear" alone is named."""
    match = _OFFER_EN.search(_normalise(question))
    if match is None or not 2 <= len(match.group("thing").split()) <= 3:
        return False  # one word is `evidenced`'s; a longer tail is a clause ("a printer i can use")
    words = offered_thing(question)
    if len(words) < 2:
        return False
    head = words[-1]
    return not (_names(head, text, vocabulary) or (not head.isascii() and head in text))


# a thing referred to, not named: "it", "that", "这个"
_REFERRING = re.compile(r"\b(?:it|that|this|them|those|these)\b|这个|那个|这些|那些|它")


def refers_only(question: str) -> bool:
    """Whether `question` asks for a kind of fact (a price, a time, a place ...) and names
    nothing it asks about but refers to a thing ("how much do you charge for it", "那个要
    多久"): the thing is what the call is asking about. ("what's that" asks no kind: it
    may ask what the question means.)"""
    if not answer_types.wanted(question) or asked_about(question):
        return False
    return bool(_REFERRING.search(_normalise(question)))
