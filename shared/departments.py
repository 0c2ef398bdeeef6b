"""Departments (DESIGN §5): the codes used in tokens and events, with the bureau's name."""

from __future__ import annotations

DEPARTMENTS: dict[str, str] = {
    "bianban": "编办",
    "minzheng": "民政",
    "shichang": "市场监管",
    "weijian": "卫生健康",
    "jiaoyu": "教育",
    "gongan": "公安",
    "xiaofang": "消防救援",
    "caizheng": "财政",
    "renshe": "人力资源社会保障",
    "fagai": "发展改革",
    # the other members of the joint meeting (四(一)), who read the tracker
    "ziranziyuan": "自然资源",
    "zhujian": "住房城乡建设",
    "nongye": "农业农村",
    "shuiwu": "税务",
    "zonggonghui": "总工会",
    "tuanshiwei": "团市委",
    "fulian": "妇联",
    "jisheng": "计划生育协会",
    "evaluator": "第三方评估机构",
}

# The departments that register institutions (登记机关, 三(三)1), and 教育 for its 托班 ledger.
REGISTRARS = ("bianban", "minzheng", "shichang")
