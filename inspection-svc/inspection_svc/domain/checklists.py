"""Each agency's checklist (一单), from its duty in policy 三(三)3–4: health (卫生评价、业务指导和监督检查,
传染病、常见病的防控), market supervision (饮食用药安全), police (安全防范要求, 信息化监控手段, 周边社会治安秩序)
and fire (消防安全检查)."""

from __future__ import annotations

AGENCIES = ("weijian", "shichang", "gongan", "xiaofang")

CHECKLISTS: dict[str, dict[str, str]] = {
    "weijian": {
        "hygiene_evaluation": "托幼机构卫生评价报告及整改落实",
        "disease_prevention": "传染病、常见病防控制度及落实",
        "morning_checks": "晨午检及全日健康观察",
        "staff_health_checks": "工作人员年度健康检查",
        "disinfection": "环境与物品消毒",
        "health_care_staff": "卫生保健人员配备",
    },
    "shichang": {
        "food_licence": "食品经营许可",
        "food_storage": "食品采购、贮存和加工",
        "food_samples": "食品留样",
        "tableware_disinfection": "餐饮具清洗消毒",
        "drug_safety": "药品管理和用药安全",
    },
    "gongan": {
        "security_staff": "安保人员配备",
        "security_equipment": "安全防范设施和器材",
        "video_monitoring": "视频监控覆盖与存储",
        "emergency_plan": "安全应急预案与演练",
        "surroundings": "周边治安秩序",
    },
    "xiaofang": {
        "exits": "安全出口和疏散通道",
        "extinguishers": "消防器材配置",
        "alarm_system": "火灾自动报警和应急照明",
        "electrical_safety": "电气线路和用火用电安全",
        "fire_drills": "消防安全培训和演练",
    },
}

SEVERITY_RISK = {"minor": "低", "major": "中", "critical": "高"}  # the risk level published with a finding
