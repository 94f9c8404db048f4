#!/usr/bin/env python3
"""Writes the kit's toy data set (toy_source.json, toy_dev.json, toy_dev_neg.json, toy_pairs.tsv,
toy_sts.tsv, toy_unsup.txt) from the small knowledge tables below. Deterministic: the same script
always writes the same bytes. Standard library only: `python3 toy_data/make_toy_data.py`.

All text here was written for this project (general textbook facts, phrased by us)."""
import json
import os
import random

SEED = 20261122
HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------- traditional Chinese medicine (zh)
# name: (taste, nature, meridians, effects, uses, dose, usage, contraindications, processing)
HERBS = {
    "黄芪": ("甘", "微温", "脾、肺", "补气升阳、固表止汗、利水消肿、托疮生肌", "气虚乏力、食少便溏、表虚自汗",
             "9～30克", "煎服，补气升阳宜用蜜炙黄芪", "表实邪盛、阴虚阳亢者忌用",
             "除去须根及根头，洗净润透，切厚片后干燥；蜜炙时取黄芪片加炼蜜拌匀，炒至不粘手"),
    "当归": ("甘、辛", "温", "肝、心、脾", "补血活血、调经止痛、润肠通便", "血虚萎黄、月经不调、经闭痛经",
             "6～12克", "煎服，酒炙后活血作用增强", "湿盛中满、大便泄泻者慎用",
             "除去杂质，洗净润透，切薄片，晒干或低温干燥；酒当归取当归片用黄酒拌匀后炒干"),
    "枸杞子": ("甘", "平", "肝、肾", "滋补肝肾、益精明目", "虚劳精亏、腰膝酸痛、眩晕耳鸣、目昏不明",
             "6～12克", "煎服，也可嚼服或泡茶", "外有表邪、内有实热及脾虚便溏者慎用",
             "除去杂质及残留果梗，晒干或低温干燥，一般生用"),
    "菊花": ("甘、苦", "微寒", "肺、肝", "散风清热、平肝明目、清热解毒", "风热感冒、头痛眩晕、目赤肿痛",
             "5～10克", "煎服或泡茶，疏散风热多用黄菊花，平肝明目多用白菊花", "脾胃虚寒、大便溏泄者慎用",
             "采收后阴干或焙干，也可熏、蒸后晒干，用前除去杂质及残留梗叶"),
    "金银花": ("甘", "寒", "肺、心、胃", "清热解毒、疏散风热", "痈肿疔疮、咽喉肿痛、风热感冒、温病发热",
             "6～15克", "煎服，疏散风热宜生用，炒炭多用于热毒血痢", "脾胃虚寒及气虚疮疡脓清者忌用",
             "夏初花开放前采收，干燥后除去杂质，生用或炒炭用"),
    "甘草": ("甘", "平", "心、肺、脾、胃", "补脾益气、清热解毒、祛痰止咳、缓急止痛、调和诸药",
             "脾胃虚弱、倦怠乏力、咳嗽痰多、脘腹挛急疼痛", "2～10克", "煎服，清热解毒宜生用，补中缓急宜蜜炙",
             "不宜与海藻、京大戟、红大戟、芫花、甘遂同用，湿盛胀满、水肿者不宜用",
             "除去杂质，洗净润透，切厚片后干燥；炙甘草以炼蜜拌匀后炒至黄色"),
    "人参": ("甘、微苦", "微温", "脾、肺、心、肾", "大补元气、复脉固脱、补脾益肺、生津养血、安神益智",
             "体虚欲脱、肢冷脉微、脾虚食少、肺虚喘咳", "3～9克", "另煎兑服，急救虚脱时可用到15～30克",
             "不宜与藜芦、五灵脂同用，实证、热证而正气不虚者忌服", "润透后切薄片干燥，或用时粉碎、捣碎"),
    "党参": ("甘", "平", "脾、肺", "健脾益肺、养血生津", "脾肺气虚、食少倦怠、咳嗽虚喘、气血不足",
             "9～30克", "煎服", "不宜与藜芦同用，实证、热证者不宜单独应用",
             "除去杂质，洗净润透，切厚片后干燥；米炒党参取党参片与米同炒至米呈焦褐色"),
    "茯苓": ("甘、淡", "平", "心、肺、脾、肾", "利水渗湿、健脾、宁心", "水肿尿少、痰饮眩悸、脾虚食少、便溏泄泻、心神不安",
             "10～15克", "煎服", "阴虚而无湿热、虚寒滑精者慎用",
             "浸泡后洗净，稍蒸后及时削去外皮，切成块或厚片，晒干"),
    "白术": ("苦、甘", "温", "脾、胃", "健脾益气、燥湿利水、止汗、安胎", "脾虚食少、腹胀泄泻、痰饮眩悸、水肿、自汗、胎动不安",
             "6～12克", "煎服，燥湿利水宜生用，补气健脾宜炒用", "阴虚燥渴、气滞胀闷者忌用",
             "除去杂质，洗净润透，切厚片后干燥；麸炒白术用麸皮炒至表面黄棕色"),
    "山药": ("甘", "平", "脾、肺、肾", "补脾养胃、生津益肺、补肾涩精", "脾虚食少、久泻不止、肺虚喘咳、肾虚遗精、尿频、虚热消渴",
             "15～30克", "煎服，麸炒后补脾止泻作用增强", "湿盛中满或有积滞者不宜单独使用",
             "除去杂质，分开大小个，泡润至透后切厚片，干燥"),
    "陈皮": ("苦、辛", "温", "肺、脾", "理气健脾、燥湿化痰", "脘腹胀满、食少吐泻、咳嗽痰多",
             "3～10克", "煎服", "舌赤少津、内有实热者慎用", "除去杂质，喷淋清水润透，切丝后干燥"),
}

HERB_QUERIES = {
    "effect": ["{n}有什么功效？", "{n}的作用是什么", "吃{n}对身体有哪些好处？"],
    "dose": ["{n}一次用多少克？", "{n}的常用剂量是多少", "{n}每天用量多少合适？"],
    "caution": ["哪些人不能用{n}？", "{n}有什么禁忌", "服用{n}需要注意什么？"],
    "process": ["{n}怎么炮制？", "{n}的炮制方法是什么", "{n}如何加工成饮片？"],
}


def herb_passage(name, attr):
    taste, nature, meridian, effects, uses, dose, usage, caution, process = HERBS[name]
    if attr == "effect":
        return f"{name}味{taste}，性{nature}，归{meridian}经。功效为{effects}，常用于{uses}。"
    if attr == "dose":
        return f"{name}的常用量为{dose}，{usage}。具体剂量应由医师根据病情和体质确定。"
    if attr == "caution":
        return f"{name}{caution}。孕妇、儿童及长期服药者使用前应咨询中医师。"
    return f"{name}的炮制：{process}。饮片应置通风干燥处保存，防霉防蛀。"


# ---------------------------------------------------------------- personal finance (zh)
FIN_ZH_QUERIES = {
    "what": ["什么是{n}？", "{n}是什么意思", "能通俗地解释一下{n}吗？"],
    "how": ["{n}应该怎么做？", "{n}具体如何操作", "新手做{n}该从哪一步开始？"],
    "risk": ["{n}有哪些风险？", "{n}需要注意什么", "{n}有什么坑要避开？"],
}
FIN_ZH = {
    "复利": {
        "what": "复利是把每期产生的利息计入本金继续生息的计息方式，时间越长，收益滚动增长越明显，常说的“利滚利”就是复利。",
        "how": "利用复利的关键是尽早开始、长期持有并把收益再投资，例如把基金分红方式设为红利再投资，每月固定追加本金。",
        "risk": "复利计算默认收益率稳定，而实际投资收益会波动甚至亏损；宣传中夸大的复利收益往往忽略了费用、通胀和回撤。",
    },
    "指数基金": {
        "what": "指数基金是按照某个指数（如沪深300）的成分股及权重进行投资的基金，目标是复制指数的表现，费率通常较低。",
        "how": "买指数基金可以在基金销售平台或证券账户中选择跟踪误差小、规模较大、管理费低的产品，适合定期定额长期投入。",
        "risk": "指数基金无法回避整体市场下跌的风险，行业指数波动更大；还要留意跟踪误差、流动性和场内基金的溢价。",
    },
    "应急基金": {
        "what": "应急基金是为失业、疾病等突发情况预留的一笔钱，一般相当于三到六个月的必要生活开支，要求随时能取用。",
        "how": "建立应急基金可以先算出每月必要开支，再把工资的一部分定期转入货币基金或活期存款，直到攒满目标金额。",
        "risk": "应急基金不宜投向股票等波动资产，也不要随意挪作消费；金额过多则会降低整体资金的收益。",
    },
    "信用卡分期": {
        "what": "信用卡分期是把一笔消费或账单金额分成若干期偿还，银行按期收取手续费，名义费率看起来不高。",
        "how": "办理信用卡分期可在银行App的账单页面选择分期期数，确认每期本金和手续费后提交，也可在消费时直接选择分期。",
        "risk": "分期手续费按初始本金计算，实际年化利率往往接近名义费率的两倍；提前还款通常不退已收手续费。",
    },
    "国债": {
        "what": "国债是国家以政府信用为担保发行的债券，按约定利率付息、到期还本，被视为风险最低的投资品种之一。",
        "how": "购买储蓄国债可在发行期内通过银行柜台或手机银行申购，记账式国债则可在证券账户中像股票一样交易。",
        "risk": "储蓄国债提前兑取会损失部分利息并收取手续费；记账式国债的价格随市场利率波动，中途卖出可能亏损。",
    },
    "提前还房贷": {
        "what": "提前还房贷是在贷款到期前一次性或部分偿还剩余本金，从而减少之后需要支付的利息。",
        "how": "提前还房贷一般要先向贷款银行预约，选择缩短年限或减少月供，按约定日期把还款金额存入还款账户。",
        "risk": "提前还房贷前要看合同是否有违约金，并对比贷款利率与其他投资的收益；把应急资金都用来还款会降低抗风险能力。",
    },
    "个税专项附加扣除": {
        "what": "个税专项附加扣除是在计算个人所得税时，对子女教育、继续教育、大病医疗、住房贷款利息、住房租金、赡养老人等支出给予的扣除。",
        "how": "填报专项附加扣除可以在个人所得税App中选择扣除项目、填写信息并选择由单位预扣或年度汇算时办理。",
        "risk": "填报专项附加扣除信息必须真实，同一项目不能重复享受；虚假填报会被要求补税并可能影响纳税信用。",
    },
    "货币基金": {
        "what": "货币基金是主要投资于短期国债、银行存款和同业存单等货币市场工具的基金，风险低、流动性好，收益随市场利率变化。",
        "how": "买货币基金可在银行、证券或第三方平台选择规模大、费率低的产品，常被用来存放零钱和应急资金。",
        "risk": "货币基金不保本，收益率会随利率下行而降低；大额快速赎回通常有额度限制。",
    },
}

# ---------------------------------------------------------------- personal finance (en)
FIN_EN_QUERIES = {
    "what": ["What is {n}?", "What does {n} mean?", "Can you explain {n} in simple terms?"],
    "how": ["How do I get started with {n}?", "What are the steps for {n}?", "How should a beginner approach {n}?"],
    "risk": ["What are the risks of {n}?", "What mistakes should I avoid with {n}?", "What should I watch out for with {n}?"],
}
FIN_EN = {
    "an emergency fund": {
        "what": "An emergency fund is cash set aside for unexpected costs such as job loss or medical bills, usually three to six months of essential expenses kept in an account you can reach quickly.",
        "how": "To build an emergency fund, total your essential monthly costs, pick a target of three to six months, and automate a transfer into a high-yield savings account every payday.",
        "risk": "Keep an emergency fund out of stocks and other volatile assets, do not raid it for planned purchases, and refill it after every withdrawal.",
    },
    "index funds": {
        "what": "An index fund is a mutual fund or ETF that holds the securities of a market index such as the S&P 500 in the same weights, aiming to match the index rather than beat it, usually at a low expense ratio.",
        "how": "To start with index funds, open a brokerage or retirement account, choose a broad fund with a low expense ratio, and invest a fixed amount on a regular schedule.",
        "risk": "Index funds still fall when the whole market falls; sector indexes swing more, and high expense ratios or tracking error quietly reduce returns.",
    },
    "a Roth IRA": {
        "what": "A Roth IRA is a US individual retirement account funded with after-tax money; qualified withdrawals in retirement, including growth, are tax-free.",
        "how": "To open a Roth IRA, check that your income is under the limit, open the account at a brokerage, contribute up to the annual limit, and invest the cash in funds.",
        "risk": "Contributing above the income limit triggers a penalty each year until fixed, and withdrawing earnings before 59 and a half without meeting the five-year rule can be taxed and penalized.",
    },
    "a credit score": {
        "what": "A credit score is a number, commonly 300 to 850, that summarizes how reliably you have repaid debt; lenders use it to set approval and interest rates.",
        "how": "To raise a credit score, pay every bill on time, keep card balances below about 30 percent of the limit, keep old accounts open, and check your reports for errors.",
        "risk": "Late payments, maxed-out cards and many hard inquiries lower a credit score, and closing your oldest card can shorten your credit history.",
    },
    "dollar-cost averaging": {
        "what": "Dollar-cost averaging means investing a fixed amount at regular intervals regardless of price, so you buy more shares when prices are low and fewer when they are high.",
        "how": "To use dollar-cost averaging, choose an amount and a schedule, such as 200 dollars every month, and set an automatic purchase of the same fund.",
        "risk": "Dollar-cost averaging does not prevent losses in a falling market, and when a lump sum is already available, investing it at once has historically done better more often than not.",
    },
    "refinancing a mortgage": {
        "what": "Refinancing a mortgage replaces your current home loan with a new one, usually to get a lower interest rate, change the term, or take cash out of home equity.",
        "how": "To refinance a mortgage, compare rate quotes from several lenders, gather income and property documents, lock a rate, and close on the new loan, which pays off the old one.",
        "risk": "Closing costs can erase the savings of refinancing a mortgage if you move soon, and resetting to a new 30-year term may raise the total interest paid.",
    },
    "a 401(k) employer match": {
        "what": "A 401(k) employer match is money your employer adds to your workplace retirement account when you contribute, for example 50 cents for each dollar up to 6 percent of salary.",
        "how": "To get the full 401(k) employer match, find the match formula in your plan documents and set your contribution rate at least to the percentage that earns the whole match.",
        "risk": "Matched money may vest over several years, so leaving the job early can forfeit part of the 401(k) employer match; contributing too little leaves free money unclaimed.",
    },
    "the 50/30/20 budget": {
        "what": "The 50/30/20 budget splits after-tax income into 50 percent for needs, 30 percent for wants and 20 percent for savings and extra debt payments.",
        "how": "To follow the 50/30/20 budget, total your take-home pay, list each expense as a need or a want, and move the 20 percent to savings first on payday.",
        "risk": "In high-cost cities the 50 percent for needs is often not enough, so the 50/30/20 budget needs adjusting; counting wants as needs quietly breaks it.",
    },
}

# ---------------------------------------------------------------- programming (en)
CODE_QUERIES = {
    "what": ["What is {n}?", "What does {n} do?", "Explain {n} briefly"],
    "how": ["How do I use {n}?", "Show me how to use {n}", "What is the syntax for {n}?"],
    "risk": ["What are common mistakes with {n}?", "Why does my {n} not work as expected?", "{n} pitfalls to avoid"],
}
CODE = {
    "git rebase": {
        "what": "git rebase moves or replays a series of commits on top of another base commit, producing a linear history instead of a merge commit.",
        "how": "Run git rebase main on your feature branch to replay its commits onto main; git rebase -i HEAD~3 opens an editor to squash, reorder or edit the last three commits.",
        "risk": "Never rebase commits that others have already pulled, because rebasing rewrites their hashes; after a rebase you need git push --force-with-lease, not a plain push.",
    },
    "a Python list comprehension": {
        "what": "A Python list comprehension builds a new list from an iterable in one expression, optionally filtering items, for example [x * x for x in range(10) if x % 2 == 0].",
        "how": "Write a list comprehension as [expression for item in iterable if condition]; nested loops read left to right, as in [(a, b) for a in xs for b in ys].",
        "risk": "Deeply nested list comprehensions are hard to read, a comprehension builds the whole list in memory where a generator would stream, and calling functions only for side effects inside one is an anti-pattern.",
    },
    "async/await in C#": {
        "what": "async/await in C# lets a method wait for a Task without blocking its thread: the compiler turns the method into a state machine that resumes when the awaited operation completes.",
        "how": "Mark the method async, return Task or Task<T>, and await calls such as await httpClient.GetStringAsync(url); propagate async up the call chain instead of blocking.",
        "risk": "Calling .Result or .Wait() on a Task can deadlock under a synchronization context, async void swallows exceptions except in event handlers, and forgetting await leaves the task running unobserved.",
    },
    "a SQL index": {
        "what": "A SQL index is a separate data structure, usually a B-tree, that lets the database find rows by the indexed columns without scanning the whole table.",
        "how": "Create an index with CREATE INDEX idx_orders_customer ON orders (customer_id); put the most selective column first in a composite index and confirm its use with EXPLAIN.",
        "risk": "Every index slows down inserts and updates and takes disk space; wrapping an indexed column in a function or a leading wildcard LIKE prevents the index from being used.",
    },
    "a Docker volume": {
        "what": "A Docker volume is storage managed by Docker that lives outside a container's writable layer, so data survives when the container is removed or replaced.",
        "how": "Create a volume with docker volume create pgdata and mount it with docker run -v pgdata:/var/lib/postgresql/data postgres; docker volume ls lists volumes.",
        "risk": "docker compose down -v and docker volume prune delete volume data for good, and bind mounts of host folders can hit permission problems from user id mismatches.",
    },
    "a regex lookahead": {
        "what": "A regex lookahead is a zero-width assertion that checks what follows the current position without consuming it: (?=...) is positive and (?!...) is negative.",
        "how": "Use a lookahead such as ^(?=.*\\d)(?=.*[a-z]).{8,}$ to require a digit and a lowercase letter in a password of at least eight characters.",
        "risk": "Lookaheads do not consume characters, so forgetting the rest of the pattern matches an empty string; some engines, such as older JavaScript for lookbehind, support only part of the syntax.",
    },
    "chmod file permissions": {
        "what": "chmod changes Unix file permissions: read, write and execute bits for the owner, the group and others, written as letters (rwx) or octal digits (755).",
        "how": "Run chmod 644 notes.txt for owner read-write and read-only for others, chmod +x script.sh to make a script executable, and chmod -R for a whole directory.",
        "risk": "chmod 777 gives everyone write access and is a security hole, a directory without the execute bit cannot be entered, and chmod -R can make every file executable by mistake.",
    },
    "mocking in unit tests": {
        "what": "Mocking replaces a real dependency of the code under test, such as a database or web service, with a stand-in that returns fixed answers and records how it was called.",
        "how": "Depend on an interface, create a mock of it with a library such as Moq or unittest.mock, set up its return values, run the code, then verify the expected calls.",
        "risk": "Over-mocking tests the implementation instead of the behaviour, mocks can drift from what the real dependency does, and mocking types you do not own hides integration bugs.",
    },
}

# ---------------------------------------------------------------- programming (zh)
CODE_ZH_QUERIES = {
    "what": ["{n}是什么？", "{n}有什么用", "简单介绍一下{n}"],
    "how": ["{n}怎么用？", "{n}的基本用法是什么", "如何使用{n}？"],
    "risk": ["{n}有哪些常见错误？", "使用{n}要注意什么", "{n}容易踩哪些坑？"],
}
CODE_ZH = {
    "Python虚拟环境": {
        "what": "Python虚拟环境是为单个项目隔离的一套解释器和第三方包目录，不同项目可以使用不同版本的依赖而互不影响。",
        "how": "用python -m venv .venv创建虚拟环境，在Linux上执行source .venv/bin/activate激活，再用pip install安装依赖并用pip freeze导出依赖清单。",
        "risk": "忘记激活虚拟环境会把包装进全局环境；不要把.venv目录提交到代码仓库，应提交requirements.txt等依赖清单。",
    },
    "Git分支": {
        "what": "Git分支是指向某个提交的可移动指针，用来在不影响主线的情况下并行开发新功能或修复问题。",
        "how": "用git switch -c feature/login创建并切换到新分支，开发完成后切回main并用git merge合并，或发起合并请求。",
        "risk": "长期不合并的分支容易产生大量冲突；删除未合并的分支前要确认提交已经保存，切换分支前先提交或暂存改动。",
    },
    "SQL事务": {
        "what": "SQL事务是一组要么全部成功、要么全部回滚的数据库操作，具有原子性、一致性、隔离性和持久性四个特性。",
        "how": "用BEGIN开启事务，执行多条更新语句，全部成功后COMMIT提交，出错时ROLLBACK回滚到事务开始前的状态。",
        "risk": "事务持续时间过长会长时间持有锁、阻塞其他会话；隔离级别设置不当会出现脏读、不可重复读或幻读。",
    },
}

DOMAINS = [
    ("tcm", "zh", {n: {a: herb_passage(n, a) for a in HERB_QUERIES} for n in HERBS}, HERB_QUERIES),
    ("finance", "zh", FIN_ZH, FIN_ZH_QUERIES),
    ("finance", "en", FIN_EN, FIN_EN_QUERIES),
    ("programming", "en", CODE, CODE_QUERIES),
    ("programming", "zh", CODE_ZH, CODE_ZH_QUERIES),
]


def items():
    out = []
    for domain, lang, table, queries in DOMAINS:
        for name, passages in table.items():
            for attr, passage in passages.items():
                qs = [q.format(n=name) for q in queries[attr]]
                out.append({"domain": domain, "lang": lang, "entity": name, "attr": attr, "passage": passage, "queries": qs})
    return out


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in records:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    rng = random.Random(SEED)
    all_items = items()
    order = list(range(len(all_items)))
    rng.shuffle(order)
    dev_ids = set(order[: len(all_items) // 5])  # one item in five is held out whole for evaluation
    train = [it for i, it in enumerate(all_items) if i not in dev_ids]
    dev = [it for i, it in enumerate(all_items) if i in dev_ids]

    def hard_negatives(it):
        # drawn from training items only, so no evaluation passage appears anywhere in training
        same_attr = [o["passage"] for o in train if o["domain"] == it["domain"] and o["lang"] == it["lang"]
                     and o["attr"] == it["attr"] and o["entity"] != it["entity"]]
        same_entity = [o["passage"] for o in train if o["entity"] == it["entity"] and o["attr"] != it["attr"]]
        other = [o["passage"] for o in train if o["domain"] != it["domain"]]
        same_domain = [o["passage"] for o in train if o["domain"] == it["domain"] and o["entity"] != it["entity"]]
        negs = []
        for pool in (same_attr, same_entity, other):
            pool = [p for p in (pool or same_domain) if p not in negs]  # a held-out sibling leaves a pool empty
            negs.append(rng.choice(pool))
        return negs

    source = []
    for it in train:
        for q in it["queries"]:  # three paraphrases per item: the near-duplicates cleaning should find
            source.append({"query": q, "pos": [it["passage"]], "neg": hard_negatives(it)})
    for r in rng.sample(source, 6):  # a few exact repeats, as real logs have
        source.append(dict(r))
    rng.shuffle(source)
    write_jsonl(os.path.join(HERE, "toy_source.json"), source)

    write_jsonl(os.path.join(HERE, "toy_dev.json"),
                [{"query": it["queries"][2], "pos_passage": [it["passage"]]} for it in dev])
    dev_passages = {it["passage"] for it in dev}
    negs = [it["passage"] for it in train if it["passage"] not in dev_passages]
    rng.shuffle(negs)
    write_jsonl(os.path.join(HERE, "toy_dev_neg.json"), [{"neg_passage": negs[i:i + 3]} for i in range(0, 60, 3)])

    pairs = []
    for it in train:
        a, b, c = it["queries"]
        same_attr = [o for o in train if o["domain"] == it["domain"] and o["lang"] == it["lang"]
                     and o["attr"] == it["attr"] and o["entity"] != it["entity"]]
        same_entity = [o for o in train if o["entity"] == it["entity"] and o["attr"] != it["attr"]]
        other = [o for o in train if o["domain"] != it["domain"]]
        pairs.append((a, b, 1, 5.0))
        pairs.append((a, c, 1, 4.6))
        if same_entity:
            pairs.append((b, rng.choice(same_entity)["queries"][1], 0, 2.0))
        if same_attr:
            pairs.append((c, rng.choice(same_attr)["queries"][2], 0, 1.2))
        pairs.append((a, rng.choice(other)["queries"][0], 0, 0.0))
    rng.shuffle(pairs)
    with open(os.path.join(HERE, "toy_pairs.tsv"), "w", encoding="utf-8", newline="\n") as f:
        for s1, s2, label, _ in pairs:
            f.write(f"{s1}\t{s2}\t{label}\n")
    with open(os.path.join(HERE, "toy_sts.tsv"), "w", encoding="utf-8", newline="\n") as f:
        f.write("sentence1\tsentence2\tscore\n")
        for s1, s2, _, score in pairs:
            f.write(f"{s1}\t{s2}\t{score}\n")

    sentences = []
    seen = set()
    for it in train:
        for text in it["queries"][:2] + [it["passage"]]:
            if text not in seen:
                seen.add(text)
                sentences.append(text)
    rng.shuffle(sentences)
    with open(os.path.join(HERE, "toy_unsup.txt"), "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(sentences) + "\n")

    print(f"items {len(all_items)} (train {len(train)}, dev {len(dev)}); toy_source.json {len(source)} records; "
          f"toy_dev.json {len(dev)} queries; toy_pairs.tsv {len(pairs)} pairs; toy_unsup.txt {len(sentences)} sentences")


if __name__ == "__main__":
    main()
