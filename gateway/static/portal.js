// 信息公示: the public portal. No login, no personal data; it reads only /api/*/v1/public/….
"use strict";

const COUNTIES = { "441802": "清城区", "441803": "清新区", "441821": "佛冈县", "441823": "阳山县", "441825": "连山壮族瑶族自治县",
  "441826": "连南瑶族自治县", "441881": "英德市", "441882": "连州市" };
const FILING = { submitted: "备案办理中", accepted: "已备案", returned: "备案被退回", cancelled: "备案已失效" };
const AGENCIES = { weijian: "卫生健康", shichang: "市场监管", gongan: "公安", xiaofang: "消防救援" };
const SERVICE = { full_day: "全日托", half_day: "半日托", hourly: "计时托", temporary: "临时托" };

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v); else if (k === "class") el.className = v; else el.setAttribute(k, v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}
async function get(path) {
  const r = await fetch(path);
  if (!r.ok) throw new Error((await r.json()).title || `HTTP ${r.status}`);
  return r.json();
}
const county = (c) => COUNTIES[c] || c;
const year = new Date().getFullYear();
const countySelect = (id, name = "county") => h("select", { id, name }, h("option", { value: "" }, "全部"), Object.entries(COUNTIES).map(([c, n]) => h("option", { value: c }, n)));

// A list the service pages ({items, next}, after=): each page appended, 更多 while there is a next.
// `filters` are selects whose values go into the query; changing one starts the list again.
function pagedList(path, filters, render, { empty = "暂无", limit = 20, fixed = {} } = {}) {
  const results = h("div");
  let after = null;
  async function run(more) {
    if (!more) { after = null; results.replaceChildren(h("p", { class: "muted" }, "加载中…")); }
    const params = new URLSearchParams({ ...fixed, limit });
    for (const f of filters) {
      const value = f.type === "checkbox" ? (f.checked ? "true" : "") : f.value;
      if (value) params.set(f.name, value);
    }
    if (after) params.set("after", after);
    const page = await get(`${path}?${params}`);
    if (!more) results.replaceChildren();
    results.querySelector(".more")?.remove();
    if (!page.items.length && !more) results.append(h("p", { class: "muted" }, empty));
    results.append(...render(page.items));
    after = page.next;
    if (after) results.append(h("button", { type: "button", class: "secondary more", onclick: () => run(true).catch(failed) }, "更多"));
  }
  const failed = (e) => results.replaceChildren(h("p", { class: "error" }, `加载失败：${e.message}`));
  const form = h("form", { class: "grid", onsubmit: (e) => { e.preventDefault(); run(false).catch(failed); } },
    filters.map((f) => (f.type === "checkbox" ? h("div", {}, h("label", {}, f, " ", f.title)) : h("div", {}, h("label", { for: f.id }, f.title), f))),
    h("div", {}, h("button", { type: "submit" }, "查询")));
  run(false).catch(failed);
  return h("div", {}, filters.length ? form : null, results);
}
const labelled = (el, title) => Object.assign(el, { title });
const yearSelect = (id) => h("select", { id, name: "year" }, h("option", { value: "" }, "全部"),
  Array.from({ length: year - 2019 }, (_, i) => h("option", { value: year - i }, `${year - i}年`)));

function search() {
  const filters = [labelled(h("input", { id: "q-name", name: "name", placeholder: "机构名称" }), "名称"), labelled(countySelect("q-county"), "县（市、区）"),
    labelled(h("input", { id: "q-inclusive", name: "inclusive", type: "checkbox", class: "inline" }), "只看普惠")];
  return h("section", {}, h("h2", {}, "托育机构查询"), pagedList("/api/inspection/v1/public/institutions", filters,
    (items) => items.map((i) => h("div", { class: "card" }, h("a", { href: `#/i/${i.uscc}` }, h("strong", {}, i.name)),
      h("p", { class: "muted" }, `${county(i.county)} · ${i.address}`),
      h("p", {}, [FILING[i.filing_status] || "未备案", i.inclusive ? `${year}年普惠` : "", i.demonstration ? "示范单位" : "", i.rating ? `质量评估：${i.rating}` : ""].filter(Boolean).join(" · ")))),
    { empty: "没有符合条件的机构" }));
}

async function institution(uscc) {
  const el = h("section", {}, h("p", { class: "muted" }, "加载中…"));
  const i = await get(`/api/inspection/v1/public/institutions/${encodeURIComponent(uscc)}`);
  const [inspections, fees] = await Promise.all([  // the latest 100 inspections; the fee standards of its county
    get(`/api/inspection/v1/public/inspections?uscc=${encodeURIComponent(uscc)}&limit=100`),
    get(`/api/subsidy/v1/public/fee-standards?year=${year}&county=${i.county}`),
  ]);
  const standards = fees.items;
  el.replaceChildren(h("h2", {}, i.name),
    h("dl", { class: "facts" }, h("dt", {}, "统一社会信用代码"), h("dd", {}, i.uscc), h("dt", {}, "地址"), h("dd", {}, `${county(i.county)} ${i.address}`),
      h("dt", {}, "备案"), h("dd", {}, FILING[i.filing_status] || "未备案"), h("dt", {}, "普惠"), h("dd", {}, i.inclusive ? `${year}年认定为普惠性机构` : "否"),
      h("dt", {}, "示范单位"), h("dd", {}, i.demonstration ? "是" : "否"), h("dt", {}, "质量评估"), h("dd", {}, i.rating || "暂无公布结果"),
      h("dt", {}, "普惠收费标准"), h("dd", {}, standards.map((f) => `${SERVICE[f.service_type]} ${unitOf(f)}（${f.reference}）`).join("；") || "暂无")),
    h("h3", {}, "检查结果"),
    inspections.items.length ? h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["日期", "部门", "检查项", "问题", "风险", "整改期限", "整改核查"].map((t) => h("th", {}, t)))),
      h("tbody", {}, inspections.items.flatMap((x) => (x.findings.length ? x.findings : [null]).map((f) => h("tr", {},
        h("td", {}, x.inspected_on), h("td", {}, AGENCIES[x.agency]), h("td", {}, x.items_checked), h("td", {}, f ? f.item : "未发现问题"),
        h("td", {}, f ? f.risk_level : ""), h("td", {}, f ? f.deadline : ""), h("td", {}, f ? (f.verified_on || "未完成") : ""))))))) : h("p", { class: "muted" }, "暂无检查记录"));
  return el;
}

const unitOf = (f) => `${(f.cap_fen / 100).toFixed(2)} 元/${{ month: "月", hour: "小时", day: "天" }[f.unit]}`;
const tableOf = (heads, rows) => (rows.length ? [h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, heads.map((t) => h("th", {}, t)))), h("tbody", {}, rows)))] : []);

function draws() {
  return h("section", {}, h("h2", {}, "双随机、一公开：抽查结果"), h("p", { class: "muted" }, "每次抽取公布随机种子和两库哈希，任何人可按公开的算法复核。"),
    pagedList("/api/inspection/v1/public/draws", [labelled(countySelect("d-region", "region"), "县（市、区）"), labelled(yearSelect("d-year"), "年度")],
      (items) => items.map((d) => h("div", { class: "card" }, h("strong", {}, `${AGENCIES[d.agency]} · ${COUNTIES[d.region] || "清远市"} · ${d.year}年`),
        h("p", {}, `随机种子：${d.seed}`), h("p", { class: "muted" }, `检查对象库：${d.target_hash.slice(0, 16)}…  检查人员库：${d.inspector_hash.slice(0, 16)}…`),
        h("p", {}, `抽取 ${d.size} 家：`, d.assignments.map((a) => a.uscc).join("、")),
        h("a", { href: `/api/inspection/v1/public/draws/${d.plan_id}/verification`, target: "_blank" }, "复核")))));
}

function returned() {
  return h("section", {}, h("h2", {}, "备案退回公示"), pagedList("/api/inspection/v1/public/returned-filings", [labelled(countySelect("r-county"), "县（市、区）")],
    (items) => tableOf(["机构", "县（市、区）", "收件日期", "退回日期", "理由"],
      items.map((r) => h("tr", {}, h("td", {}, r.name), h("td", {}, county(r.county)), h("td", {}, r.submitted_on), h("td", {}, r.decided_on || ""), h("td", {}, r.reasons.join("；")))))));
}

function fees() {
  return h("section", {}, h("h2", {}, `${year}年普惠性托育收费标准`), pagedList("/api/subsidy/v1/public/fee-standards", [labelled(countySelect("f-county"), "县（市、区）")],
    (items) => tableOf(["县（市、区）", "服务类型", "上限", "文号"],
      items.map((f) => h("tr", {}, h("td", {}, county(f.county)), h("td", {}, SERVICE[f.service_type]), h("td", {}, unitOf(f)), h("td", {}, f.reference)))), { fixed: { year } }));
}

// 三(二)4: institutions charged residential water, electricity and gas prices, published by the county.
function utilityRates() {
  return h("section", {}, h("h2", {}, "执行居民生活类水电气价格的托育机构"), pagedList("/api/subsidy/v1/public/utility-rate-eligibility", [labelled(countySelect("u-county"), "县（市、区）")],
    (items) => tableOf(["机构", "统一社会信用代码", "县（市、区）"],
      items.map((u) => h("tr", {}, h("td", {}, h("a", { href: `#/i/${u.uscc}` }, u.name)), h("td", {}, u.uscc), h("td", {}, county(u.county)))))));
}

async function route() {
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  const main = document.querySelector("main");
  try {
    main.replaceChildren(name === "i" ? await institution(arg) : name === "draws" ? draws() : name === "returned" ? returned() : name === "fees" ? fees() : name === "utilities" ? utilityRates() : search());
  } catch (e) {
    main.replaceChildren(h("section", {}, h("p", { class: "error" }, `加载失败：${e.message}`)));
  }
}
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);
