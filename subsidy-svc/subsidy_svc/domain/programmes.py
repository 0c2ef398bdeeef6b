"""The subsidy programmes (policy 三(二)4, 三(四)2), as data: the rules and amounts each programme
starts with. Fee reductions are the public institutions' own obligation (三(二)4 应…减免费用): no
clause pays them back, so they are recorded (counts and amounts, reported), never paid. Finance (财政) and human resources (人社) change the amounts through the API; what is
here only seeds a new database. The amounts are the bureaus' settings, not the policy's: the
policy names the programmes and the 30% rule, not the sums."""

from __future__ import annotations

from typing import Any

DEMONSTRATION_AWARD = "demonstration_award"
VOCATIONAL_TRAINING = "vocational_training"
SKILL_APPRAISAL = "skill_appraisal"
SKILL_UPGRADE = "skill_upgrade"
FEE_REDUCTION = "fee_reduction"

INSTITUTION_PROGRAMMES = (DEMONSTRATION_AWARD, FEE_REDUCTION)
CERTIFICATE_PROGRAMMES = (VOCATIONAL_TRAINING, SKILL_APPRAISAL, SKILL_UPGRADE)

# Levels: 1 = 一级/高级技师 … 3 = 三级/高级工 … 5 = 五级/初级工 (amounts in fen).
_BY_LEVEL = {"1": 400000, "2": 300000, "3": 200000, "4": 150000, "5": 100000}

DEFAULT_PROGRAMMES: list[dict[str, Any]] = [
    {
        "code": DEMONSTRATION_AWARD,
        "name": "普惠性示范托育机构一次性奖补",
        "clause": "三(二)4 对创建为示范单位的普惠性婴幼儿照护服务机构，市、县两级财政给予一次性奖补",
        "reviewer_department": "caizheng",
        "approver_department": "caizheng",
        "rules": {"amount_fen": 10000000, "city_percent": 50, "once_per": "institution"},
    },
    {
        "code": VOCATIONAL_TRAINING,
        "name": "职业培训补贴",
        "clause": "三(四)2 对获得相关证书人员，按规定给予职业培训补贴",
        "reviewer_department": "renshe",
        "approver_department": "renshe",
        "rules": {"amount_fen": 80000, "claim_months": 12, "uplift_percent": 30, "once_per": "certificate"},
    },
    {
        "code": SKILL_APPRAISAL,
        "name": "技能鉴定补贴",
        "clause": "三(四)2 对获得相关证书人员，按规定给予技能鉴定补贴",
        "reviewer_department": "renshe",
        "approver_department": "renshe",
        "rules": {"amount_fen_by_level": _BY_LEVEL, "claim_months": 12, "uplift_percent": 30, "once_per": "certificate"},
    },
    {
        "code": SKILL_UPGRADE,
        "name": "技能提升补贴",
        "clause": "三(四)2 对获得相关证书人员，按规定给予技能提升补贴",
        "reviewer_department": "renshe",
        "approver_department": "renshe",
        "rules": {"amount_fen_by_level": _BY_LEVEL, "claim_months": 12, "uplift_percent": 30, "once_per": "certificate"},
    },
    {
        "code": FEE_REDUCTION,
        "name": "公办托育机构烈士子女、困境儿童费用减免（登记，不拨付）",
        "clause": "三(二)4 公办婴幼儿照护服务机构应对烈士子女、困境儿童等群体给予优惠照顾，减免费用",
        "reviewer_department": "caizheng",
        "approver_department": "caizheng",
        "rules": {"once_per": "institution_month"},
    },
]
