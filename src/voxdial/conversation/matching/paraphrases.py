"""Other words for a preset answer ("不租了" for 搬走, "SMS" for Text message): a table of
what an answer says and what a callee says for it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from voxdial.conversation.matching.cues import negated_before
from voxdial.conversation.matching.match import Ambiguous, Heard, Match
from voxdial.conversation.matching.outright import NEITHER

if TYPE_CHECKING:
    from voxdial.conversation.matching.answers import AnswerSet

# (what the answer says, what a callee says for it)
_PARAPHRASES = [
    (
        r"^(搬走|搬家|搬出|move)",
        r"不租了|不想再?租|不续租|不再租|要搬|搬走|搬家|买房了?|换地方住|"
        r"\bmov(e|ing) out\b|\bmoving\b|bought a (house|place|flat)",
    ),
    (
        r"^(继续租|续租|stay|renew)",
        r"还住这|还在这住|继续住|接着住|接着租|还租|\bstay(ing)?\b|keep renting",
    ),
    (r"^(按季|季付|季度)|quarter", r"三个月|每季|季度|quarterly|every (three|3) months"),
    (r"^(按月|月付)|^month", r"每个月|一个月一交|一月一交|月月交|\bmonthly\b|every month"),
    (
        r"^(按年|年付)|^yearly|^annual",
        r"一年一交|一次交一年|每年交|\b(yearly|annually)\b|once a year",
    ),
    (r"短信|^(an? )?(text|sms)", r"\btext(s|ing)?\b|\bsms\b|message me|发短信|短信"),
    (
        r"电话|\bphone\b",
        r"\bcall me\b|\bring me\b|(?<!on my )(?<!on the )\bphone\b|打电话|打我电话|电话联系|"
        r"\blandline\b|"
        r"\bi (just |usually |always )?(call|ring|phone)( you| up| in)?\b|\bring you\b|"
        r"\b(i|we) (just )?(called|rang|phoned)( you| them| up| in)?\b|"
        r"\bgive (me|us) a (call|ring|bell)\b|\bring (the|my|our) (house|home|landline)\b|"
        r"座机|来电",
    ),
    (r"邮件|邮箱|email", r"\be-?mails?\b|\binbox\b|发邮件|邮箱"),
    (r"spin|单车", r"\bcycling\b|\bbikes?\b|\bcycle\b|动感单车|骑车"),
    (
        r"^switch|^换$|换一家|换别家",
        r"\bchange (it|plans?|to)\b|\bswitch(ing)?\b|go elsewhere|somewhere else|"
        r"another (provider|gym|plan)|换(一|个|掉|别|成)",
    ),
    (
        r"^不需要|^不用",
        r"先?自己(试试|试一下|来|弄|搞|处理|能行|会弄)|"
        r"i'?ll (try|do|manage|sort) (it )?myself|i can manage",
    ),
    (r"^keep", r"\bkeep (it|my|the|this|going)\b|stick with|stay (on|with)|\brenew\b"),
    # ways to pay: what each way is called and how people describe it
    (
        r"direct debit|auto-?pay|银行代扣|自动扣|代扣",
        r"\bauto-?pay(ment)?\b|\bautomatic(ally)? (payment|debit|withdrawal)s?\b|"
        r"(comes?|taken|goes) (straight |right |directly )?(out of|from) "
        r"my (bank |checking )?account|"
        r"straight (out of|from) my (bank )?account|\bstanding order\b|\bthe bank takes it\b|"
        r"自动扣|从卡里扣|从银行卡扣|银行卡自动|绑(了|定)?(银行)?卡|直接扣",
    ),
    (
        r"card online|pay online|online|网上|线上",
        r"\b(debit|credit) card\b|\bby card\b|\bonline\b|on (your|the) (website|site|app)|"
        r"\b(through|via|on|in|using) (the|your|their|an?) ([a-z']+ )?(app|website|portal)\b|"
        r"\bthrough the app\b|网上(交|付|缴)|在线(交|付|缴)|手机上(交|付|缴)|app上",
    ),
    (
        r"^(check|cheque)$|^by (check|cheque)|支票",
        r"\bcheques?\b|\bchecks? in the (mail|post)\b|支票",
    ),
    (r"公众号", r"关注了.{0,6}号|公众号|微信上(交|缴|付)|在?微信里"),
    (
        r"营业厅|柜台",
        r"营业厅|去柜台|柜台|窗口|跑一趟|去(你们|那边)?(店|网点)|\bin person\b|"
        r"\bat the (office|counter|branch)\b",
    ),
    # how a parcel leaves: picked up at the door, a locker, a drop-off point
    (
        r"上门|pick ?up|collection",
        r"上门|(到家|到家里|到门口)(来)?(取|拿|收)|(让|叫|派)(个)?(人|快递员|小哥|师傅).{0,6}(来|上门)|"
        r"\bcollect(ed)? from (my|the) (door|home|house)\b|"
        r"\bpick(ed)? up from (my|the) (door|home|house)\b|"
        r"\bcome (and|to) (get|collect|pick up)\b",
    ),
    (r"快递柜|储物柜|locker", r"柜子|快递柜|丰巢|智能柜|\blockers?\b"),
    # sending something in by post, or taking it in person
    (
        r"^寄|邮寄|mail-?in|by (post|mail)|send it in",
        r"寄(过去|过来|给你们|回去|的|了)|快递寄|邮寄|顺丰|\bmail(ed)? it\b|\bpost(ed)? it\b|"
        r"\bship(ped)? it\b|\bsent it (in|by)\b|\bby (post|courier)\b",
    ),
    (
        r"到店|送店|门店|in (store|person)|walk-?in|at the (counter|desk|store|shop|branch)",
        r"(去|到)(店里|店|门店|你们店)|直接过去|(自己)?跑了?一趟|送过去|拿过去|\bin person\b|"
        r"\b(i|we) (come|came|go|went|walk|walked) (in|down|over)\b|\bwalk(ed)? in\b|"
        r"\bat the (counter|desk|store|shop|branch)\b|\bdrop(ped)? (it|them) in\b",
    ),
    # goods in general, as a thing to spend points or money on
    (
        r"商品|礼品|\bgoods\b|\bproducts?\b|\bmerchandise\b",
        r"(换|买|兑)(点|个|些)?(东西|礼品|好物)|商城|\b(get|buy) (some )?(stuff|things|products)\b|"
        r"\bmerch\b",
    ),
    # cards by their kind or their network
    (
        r"credit card|信用卡",
        r"\bvisa\b|\bmastercard\b|\bamex\b|american express|\bdiscover card\b|信用卡",
    ),
    (r"debit card|借记卡|储蓄卡", r"\bdebit card\b|借记卡|储蓄卡"),
    (r"驿站|代收点|drop-?off", r"驿站|代收点|菜鸟|\bdrop (it )?off\b|\bdrop-?off point\b"),
    # how something has gone since: better, the same, worse
    (
        r"^(better|improved)|好转|好多了|变好",
        r"\bimprov(ed|ing)\b|\bgetting better\b|\b(much|a lot|way|loads) better\b|"
        r"\bback to (her|his|their|my|its) (old|normal|usual) self\b|\bback to normal\b|"
        r"\bon the mend\b|好多了|好些了|见好|好转|恢复了?|缓过来|比(以前|之前|原来)(好|强)",
    ),
    (
        r"^(same|no change|unchanged)|^(about|much) the same|没变化|差不多|老样子",
        r"\bno (real )?(change|difference)\b|\bunchanged\b|\b(about|much|pretty much) the same\b|"
        r"\bsame as (before|ever|usual)\b|\bno better,? no worse\b|\bhasn'?t changed\b|"
        r"没(啥|什么|有)?(变化|区别|两样)|老样子|跟(以前|原来)一样|还是那样",
    ),
    (
        r"^(worse|deteriorated)|更差|变差|恶化|加重",
        r"\bworse\b|\bgone downhill\b|\bdeteriorat(ed|ing)\b|\bgoing downhill\b|"
        r"更(差|严重|厉害)|加重|恶化|不如以前|还不如|比(以前|之前|原来)(差|糟|严重|厉害)",
    ),
    # what matters most in a plan: the price, the excess on a claim, what is covered
    (
        r"\b(price|cost|cheap(er)?)\b|价格|价钱|便宜|省钱|费用低|保费",
        r"\bcheap(er|est)?\b|\bpremiums?\b(?!.{0,12}(plan|tier|package))|"
        r"\bpay(ing)? less\b(?!.{0,24}(claim|deductible|excess))|\bsav(e|ing) (some )?money\b|"
        r"\baffordab(le|ility)\b|\bless (each|a|per|every) month\b|\blower (bill|cost|payment)s?\b|"
        r"\b(monthly|the) (bill|payment) down\b|便宜|省钱|少花钱|少交|价格低|保费低|划算|实惠",
    ),
    (
        r"deductible|\bexcess\b|免赔",
        r"\bdeductibles?\b|\bexcess\b|\bout of (my )?pocket\b|"
        r"\bpay(ing)? less (when|if) (i|we) (make a )?claim|免赔|"
        r"理赔(时|的时候)?(自己)?少(出|掏|付)",
    ),
    (
        r"contents|belongings|财产|物品",
        r"\bcontents\b|\bbelongings\b|\bmy (stuff|things|possessions|valuables)\b|"
        r"\beverything (in|inside) the (house|home|flat)\b|家里的东西|家当|财物|物品",
    ),
]
# Choices named by what they are for or by a narrower or a broader word (round 8). Each
# row holds one kind of option that turns up in any domain; a reply naming two rows'
# options, or one negated, is not read (see `paraphrase`).
_CHOICE_WORDS = [
    # a stance on a plan: for it or against it
    (r"^(支持|赞成|同意)|^(support|in favou?r|for it|agree)",
     r"赞成|同意|拥护|举双手|\bi'?m (all )?for it\b|\bin favou?r\b|\bi support (it|this|that)\b"),
    (r"^不(支持|赞成|同意)|^反对|^(against|oppose)",
     r"反对|不赞成|不同意|\bi'?m against (it|this|that)\b|\bi oppose\b|\bopposed to\b"),
    # how something reaches the callee: fetched in person, delivered, or read on a screen
    (r"自取|自提|自己取|到店取|前台取",
     r"自己(过去|去|来|到店|到前台|跑一趟)?(取|拿|提)|亲自(过去|去)?(取|拿)|"
     r"\bpick (it|them) up myself\b|\bcollect (it|them) myself\b|\bi'?ll (come|swing) by\b"),
    (r"快递到家|寄到家|送到家|送货上门|配送到家|home delivery|"
     r"deliver(y|ed)? to (my |your )?(home|door)",
     r"寄(给|到)我|寄过来|寄到家|邮(过来|给我|到家|寄)|送(到|上)(家|门|我家)|送到家门口|"
     r"快递(给我|过来|到家)|"
     r"\b(mail|post|send|ship) (it|them) (to me|over|to my (home|house|place))\b|"
     r"\bdeliver(ed)? (it |them )?to (me|my)\b|\bto my door\b"),
    (r"电子版|电子的|电子报告|^e-?(copy|version|report)|digital|pdf",
     r"电子(版|的|档)|手机上?(看|查)|网上(看|查)|不(用|要)纸(质)?的|发(到)?我?(手机|微信|邮箱)|"
     r"\bpdf\b|\bdigital\b|\bpaperless\b|\bno paper\b|\bemail (it|them) to me\b"),
    # the maker's own part, or a third-party one
    (r"原装|原厂|官方|正品|^genuine|^original|^oem",
     r"原装|原厂|官方的|正品|原配|\bgenuine\b|\boriginal\b|\boem\b|"
     r"\bfrom the (maker|manufacturer)\b"),
    # a routine job, or a thorough one
    (r"^日常|^常规|^普通|^routine|^regular",
     r"(平常|普通)(的|那种|那样)|(平常|普通|简单)地?(打扫|清洁|保洁|洗|收拾|保养|检查|弄)|"
     r"\b(routine|ordinary|normal|usual|regular) (one|clean|service|cleaning)\b|\bthe usual\b"),
    (r"^深度|^深层|^deep|^thorough",
     r"彻底|大扫除|里里外外|\bdeep clean(ing)?\b|\bthorough\b|\bspring clean(ing)?\b|"
     r"\btop to bottom\b"),
    # home appliances by name, and furniture and electronics by theirs
    (r"家电|电器|appliance|white goods",
     r"空调|冰箱|冰柜|洗衣机|烘干机|油烟机|热水器|微波炉|烤箱|洗碗机|"
     r"\b(air ?con(ditioner)?s?|fridges?|freezers?|fridge[- ]freezers?|washing machines?|"
     r"washers?|(tumble )?dryers?|ovens?|cookers?|stoves?|dishwashers?|microwaves?|"
     r"range hoods?)\b"),
    (r"furniture|家具",
     r"\b(sofas?|couch(es)?|settees?|armchairs?|chairs?|tables?|desks?|wardrobes?|dressers?|"
     r"chests? of drawers|drawers|cabinets?|cupboards?|bookcases?|book ?shel(f|ves)|"
     r"sideboards?|stools?|bed ?frames?|bedsteads?|bunk beds?|futons?|"
     r"beds?(?! ?(linen|sheets?|mattress(es)?|bugs?)))\b|"
     r"沙发|衣柜|衣橱|书柜|书架|桌子|餐桌|书桌|茶几|椅子|凳子|床架|床头柜|鞋柜|橱柜"),
    (r"electronics|电子产品|数码产品",
     r"\b(tvs?|telly|tellies|televisions?|laptops?|computers?|monitors?|printers?|"
     r"games consoles?|stereos?|speakers?)\b|电视|电脑|笔记本|显示器|打印机|音响"),
    # where notices are read: a group chat, or a board on the wall
    (r"群|group chat", r"群里|微信群|群消息|\bgroup chat\b|\bthe group\b|\bwhatsapp\b"),
    (r"公告栏|布告栏|宣传栏|告示|notice ?board|bulletin board",
     r"公告栏|布告栏|宣传栏|告示(栏|牌)|贴(的|出来|在)|张贴|\bnotice ?board\b|\bbulletin board\b|"
     r"\bposted (up )?(in|on|by) the\b"),
    # a vehicle by its kind
    (r"minivan|\bmpv\b|商务车|面包车|七座",
     r"(?<!mini )\bvan\b|\bpeople carrier\b|\bmpv\b|\b(seven|eight|7|8)[- ]seater\b|七座|商务车|"
     r"面包车|\b(space|room|seats?) for (six|seven|eight|6|7|8)\b"),
    (r"^economy|^compact|经济型", r"\bsmall(er|est)? car\b|\bcompact\b|经济型|小车"),
    # goods by their kind
    (r"cold (medicine|remed)|感冒药",
     r"\bcough\b|\bsyrup\b|\bdecongestants?\b|\bflu\b|\bsore throat\b|\bsinus\b|"
     r"感冒|咳嗽|止咳|退烧|嗓子"),
    (r"personal care|toiletries|个人护理|洗护|日化",
     r"\b(toothpaste|toothbrush|deodorant|shampoo|conditioner|soap|body wash|lotion|razors?|"
     r"sunscreen|toiletries|skin ?care)\b|牙膏|牙刷|洗发水|沐浴露|护肤|洗面奶|香皂"),
    (r"vitamin|supplement|维生素|保健品",
     r"\b(multi)?vitamins?\b|\bsupplements?\b|\bfish oil\b|\bprobiotics?\b|"
     r"维生素|钙片|鱼油|保健品"),
    (r"charger|charging|充电桩",
     r"\bcharg(e|er|ing)\b|\bplug (it |the car |the ev )?in\b|\bplug in\b|充电"),
    # paying from another bank's account, or in the bank's app
    (r"他行|跨行|其他银行|别的银行|another bank|other bank",
     r"别的银行|其他银行|外行|跨行|(工行|建行|农行|中行|招行|交行|邮储|工商银行|建设银行|农业银行|"
     r"中国银行|招商银行)的?卡|\b(another|other|a different) bank\b"),
    (r"^app|\bapp\b|手机银行|客户端",
     r"\b(the|your|an?) app\b|手机上.{0,3}(还|交|付|操作|点|办)|手机银行|客户端|"
     r"\bon (my|the) (phone|mobile|cell)\b(?! (number|bill))"),
    # keeping things as they are, beside an answer that changes them ("no change",
    # "keep them as they are", "不用换", "照旧")
    (r"^(stay|keep|remain|stick)|^(不换|不变|保持|维持|照旧|继续用)",
     r"\bno change\b|\b(don'?t|do not|won'?t) (want|need) to change\b|"
     r"\b(keep|leave) (it|them|things|everything) (as|how|the way) (it|they) (is|are)\b|"
     r"\b(keep|leave) (it|them|things|everything) the same\b|\bas (it|they) (is|are) now\b|"
     r"不(用|想|要)?换了?|不变|照旧|保持(原样|不变|现状)|还是(原来|老)(的|样)|维持现状"),
    # where the callee read or found something: a website
    (r"website|web ?site|网站|官网|网页",
     r"\bonline\b|\bweb ?site\b|\bon the (web|internet|net)\b|\binternet\b|"
     r"\bgoogl(e|ed|ing)\b|官网|网站|网页|网上|上网"),
    # eyewear by its kind, and who tests eyes
    (r"^(glasses|spectacles|eyeglasses)|框架眼镜",
     r"\b(specs|spectacles|eyeglasses)\b|(?<!time )\bframes?\b|镜框|镜架"),
    (r"^contact|隐形", r"\bcontacts\b|隐形"),
    (r"optometrist|optician|eye doctor|验光|眼科",
     r"\boptometrist\b|\boptician\b|\beye (doctor|test|exam|examination|check)\b|"
     r"\bophthalmologist\b|验光|眼科"),
    (r"vari-?focal|progressive|multi-?focal|渐进|多焦",
     r"\bvari-?focals?\b|\bprogressives?\b|\bmulti-?focals?\b|"
     r"\b(reading|close-up) (bit|part|section)\b|渐进|多焦"),
    (r"^single[- ]vision|单光", r"\bsingle[- ]vision\b|\b(just|only)? ?for distance\b|单光"),
    # an appliance by where it is mounted: on the wall, standing on the floor, in the ceiling
    (r"挂机|挂式|壁挂|挂壁|wall[- ]mounted|wall unit",
     r"挂(在)?墙上|挂式|壁挂|挂壁|挂着的|\bon the wall\b|\bwall[- ]mounted\b|\bwall unit\b"),
    (r"柜机|柜式|立式|落地|floor[- ]standing",
     r"立式|立柜|柜式|落地|立(起来|着)的|\bfloor[- ]standing\b|\bstands on the floor\b"),
    (r"中央空调|风管|吊顶|嵌入|ceiling|ducted|central (air|heat|unit)",
     r"中央空调|风管|吊顶|天花板?|嵌入式|\bducted\b|\bin the ceiling\b|\bcentral (air|unit)\b"),
    # taught or served alone, or in a group
    (r"一对一|私教|私人|单独|^one[- ](to|on)[- ]one|^private|^individual|^1[:对]1",
     r"单独(的)?.{0,4}(教|带|上课|辅导|指导|授课)|一个老师(只)?(教|带)(他|她|一个)|一对一|私教|"
     r"\bone[- ](to|on)[- ]one\b|\bprivate (lessons?|classes?|sessions?|tuition)\b|"
     r"\bjust (him|her|me|them|us) and the (teacher|instructor|coach|trainer|tutor)\b"),
    (r"小班|大班|集体|团体|^group",
     r"(跟|和)(别的|其他|其它)(孩子|小朋友|人|学员|同学).{0,4}一起|\bin a group\b|"
     r"\bwith (the )?other (kids|children|people|students)\b|"
     r"\bgroup (lessons?|classes?|sessions?)\b"),
    # what happens in the summer or the winter holidays, by its months
    (r"暑期|暑假|夏季|夏令营|^summer",
     r"暑假|暑期|七八月|夏天|\bsummer (holidays?|break|months)\b|\bin (july|august)\b"),
    (r"寒假|寒期|冬季|冬令营|^winter",
     r"寒假|一二月|冬天|\bwinter (holidays?|break|months)\b|\bchristmas (holidays?|break)\b"),
    # done from a distance, or in person where it is held
    (r"^(online|on-?line|remote(ly)?|virtual(ly)?|by video)\b|^(线上|网上|远程|在线)",
     r"\b(from|at) home\b|\b(send|email|text) me (the|a) link\b|\bremotely\b|"
     r"\bon (my|the) (computer|laptop)\b|\bover (zoom|teams|video)\b|\bvideo call\b|"
     r"在家(里)?(做|弄|考|上|参加|测)|线上|网上(做|考|弄|上|测)|远程"),
    (r"^(on campus|on site|in person|face to face|at the (college|school|office|centre|center|"
     r"clinic|branch))\b|^(线下|现场|到店|到校)",
     r"\b(i|we)('ll| will| can| could|'d| would)( rather| sooner)? "
     r"(come|pop|drop) (in|down|along)\b|"
     r"\bin person\b|"
     r"\bface to face\b|\bat the (college|campus|school|centre|center|office|clinic)\b|"
     r"(来|到|去)(学校|现场|店里|门店|你们那)|线下|现场"),
    # a home's state before the works: a bare shell, or an old home done up again
    (r"^(毛坯|毛胚)|^(bare|shell)\b|\bunfinished\b",
     r"(啥|什么)都没(弄|装|做|搞)|光墙光地|水泥地|毛胚|猫胚|\bbare (shell|walls|concrete)\b|"
     r"\bnothing (done|fitted)\b"),
    (r"翻新|旧房|老房|^(renovat|refurb|redo|old (house|home))",
     r"二手房|老房子|旧房子|重新(装|装修|弄|翻|搞|整)|翻新|住了.{1,6}年|\bsecond[- ]hand\b|"
     r"\b(do|doing) (it|the (house|place|flat)) up\b|\b(refurbish|renovate|redo)\b"),
    # the trades of a fit-out, by the work each does
    (r"^(油漆|涂料|刷漆)|^paint", r"刷墙|乳胶漆|刷漆|墙漆|涂料|\bpaint(ing|work|ed)?\b"),
    (r"^(泥瓦|瓦工|贴砖)|^til(e|es|ing)\b", r"贴砖|瓷砖|铺砖|地砖|墙砖|\btil(es|ing|ed)\b|\bgrout"),
    (r"^(木工|木作)|^(carpentry|joinery)", r"吊顶|木作|做柜子|\bcarpentry\b|\bjoinery\b"),
    (r"^水电|^(plumbing|electrics|wiring)", r"水管|电线|插座|开关|线路|\bplumbing\b|\bwiring\b"),
    # computing as a subject, by what is learnt in it
    (r"^(i t|ict|computing|computers?|computer skills)$|^(信息技术|计算机|电脑)",
     r"\bcomput(er|ers|ing)\b|\b(excel|spreadsheets?|coding|programming|web design)\b|"
     r"电脑|计算机|编程|办公软件"),
    # a class or an activity by what is done in it: art is drawing, music is singing,
    # dance is dancing ("画画那个" of 音乐 / 美术 / 感统)
    (r"美术|绘画|^art\b|^drawing|^painting",
     r"画画|画画儿|涂色|涂颜色|涂鸦|\b(drawing|painting|colou?ring( in)?|arts and crafts)\b"),
    (r"音乐|^music",
     r"唱歌|唱儿歌|乐器|弹琴|\b(singing|sing-?alongs?|nursery rhymes|instruments?)\b"),
    (r"舞蹈|^danc", r"跳舞|\bdancing\b"),
    # put off to another time, as an uncertain answer ("maybe later", 以后再说)
    (r"later|以后|下次",
     r"\bdown the (line|road)\b|\bsome ?day\b|\bask me (again )?(next time|later|another time)\b|"
     r"\bmaybe (next|another) time\b|\blater on\b|以后再说|下次再说|下回再说"),
]
_PARAPHRASES += _CHOICE_WORDS
# going on with something, or stopping it: read by `going_on`, a stage after the yes/no
# one, which reads them first from the question's own verb ("续吧", "不续了" to 续约吗)
_GOING_ON = [
    (r"^(继续|续)|^(continue|renew|carry on)",
     r"接着(来|用|租|办|包|上|做)|^续(?!费)|(?<![断陆继手持连存延])续(上|一|个|吧)|还(接着|继续)|"
     r"\bcarry on\b|\bkeep (going|it up|it on)\b|\bsign (me )?up again\b"),
    (r"^不(续|继续|再)|^不[\u4e00-\u9fff]{1,2}了$|^(stop|cancel|don'?t renew|not renew)",
     r"停(了|掉|一|吧)|先停|不(续|接着)(了|包|租|用|办)?|\bstop (it|there)\b|\bcall it a day\b"),
]
_PARAPHRASE_RES = [(re.compile(a), re.compile(r)) for a, r in _PARAPHRASES]
_GOING_ON_RES = [(re.compile(a), re.compile(r)) for a, r in _GOING_ON]


def paraphrases_of(
    keys: list[str], negative: list[bool], *, going_on: bool = False
) -> list[list[re.Pattern[str]]]:
    """For each answer, the patterns of what a callee says for it (a negative answer
    only by rows whose answer words carry its negation: "^不需要", "没变化", "no change");
    `going_on`: the rows of going on or stopping instead."""
    rows = _GOING_ON_RES if going_on else _PARAPHRASE_RES
    return [
        [said for means, said in rows if _names(means, k, neg)]
        for k, neg in zip(keys, negative, strict=True)
    ]


def _names(means: re.Pattern[str], key: str, negative: bool) -> bool:
    m = means.search(key)
    return m is not None and (not negative or bool(_NEGATOR.search(m.group(0))))


_NEGATOR = re.compile(r"不|没|无|\bno\b|\bnot\b|^un")


# neither of two options ("不反对也不赞成", "neither for it nor against it")


def paraphrase(a: AnswerSet, heard: Heard) -> Match | None:
    """Another word for one answer; none when it is negated or when words for two
    answers are said."""
    return _said_for(a.paraphrases, a, heard)


def going_on(a: AnswerSet, heard: Heard) -> Match | None:
    """Going on or stopping said in other words ("接着来", "这个月完了就停了吧")."""
    return _said_for(a.going_on, a, heard)


def _said_for(table: list[list[re.Pattern[str]]], a: AnswerSet, heard: Heard) -> Match | None:
    scope = " ".join(heard.parts) if heard.narrowed else heard.text
    if NEITHER.search(scope):
        raise Ambiguous  # "不反对也不赞成", "neither for nor against": no option
    found = set()
    for i, patterns in enumerate(table):
        for p in patterns:
            m = p.search(scope)
            if m and not negated_before(scope, m.start(), 16):
                found.add(i)
    if len(found) == 1:
        return a.pick(found.pop(), "paraphrase")
    if found:
        raise Ambiguous
    return None
