// 清远市托育服务协同平台 — the web console. It speaks only to the gateway (/auth/…, /api/…).
// Every value from the server is put into the page as text, never as HTML.
"use strict";

const COUNTIES = { "441800": "清远市", "441802": "清城区", "441803": "清新区", "441821": "佛冈县", "441823": "阳山县",
  "441825": "连山壮族瑶族自治县", "441826": "连南瑶族自治县", "441881": "英德市", "441882": "连州市" };
const DEPARTMENTS = { bianban: "编办", minzheng: "民政", shichang: "市场监管", weijian: "卫生健康", jiaoyu: "教育",
  gongan: "公安", xiaofang: "消防救援", caizheng: "财政", renshe: "人力资源社会保障", fagai: "发展改革",
  ziranziyuan: "自然资源", zhujian: "住房城乡建设", nongye: "农业农村", shuiwu: "税务", zonggonghui: "总工会", tuanshiwei: "团市委",
  fulian: "妇联", jisheng: "计划生育协会", evaluator: "第三方评估" };
const NATURES = { public_institution: "事业单位", social_service: "社会服务机构", for_profit: "营利性" };
const REGISTRAR_OF = { public_institution: "bianban", social_service: "minzheng", for_profit: "shichang" };
const STATUS = { active: "正常", deregistered: "已注销", submitted: "待审核", accepted: "已备案", returned: "已退回", cancelled: "已失效",
  reviewed: "已初审", approved: "已批准", disbursed: "已拨付", rejected: "已驳回", reversed: "已冲销", open: "未整改", closed: "已整改",
  employed: "在职", left: "离职" };
// Codes the services answer with, in the words a clerk uses (the services' schemas and domain tables:
// inspection CreditRead.status, subsidy domain/programmes.py, training domain/workforce.py OCCUPATIONS).
const CREDIT = { trustworthy: "守信", normal: "一般", dishonest: "失信" };
const PROGRAMMES = { demonstration_award: "普惠性示范托育机构奖补", vocational_training: "职业培训补贴", skill_appraisal: "技能鉴定补贴",
  skill_upgrade: "技能提升补贴", fee_reduction: "烈士子女、困境儿童费用减免" };
const OCCUPATIONS = { yuyingyuan: "育婴员", baoyuyuan: "保育员", health_care: "卫生保健人员", security: "安保人员", cook: "炊事人员", manager: "管理人员" };
const ROLES = { clerk: "经办人员", admin: "管理员", subscriber: "事件订阅" };
const RESULTS = { pass: "合格", fail: "不合格", not_applicable: "不适用" };
const label = (map, code) => map[code] || code || "";
// The members of the joint meeting (四、组织实施); the tracker shows each the indicators of its duty.
const MEETING = Object.keys(DEPARTMENTS).filter((d) => d !== "evaluator");
const AGENCIES = { weijian: "卫生健康", shichang: "市场监管", gongan: "公安", xiaofang: "消防救援" };

// -- small helpers -------------------------------------------------------------------------
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) el.append(c instanceof Node ? c : String(c));
  return el;
}
const $ = (sel) => document.querySelector(sel);
const yuan = (fen) => (fen / 100).toLocaleString("zh-CN", { minimumFractionDigits: 2 }) + " 元";
const today = () => new Date(Date.now() + 8 * 3600e3).toISOString().slice(0, 10);
const county = (code) => COUNTIES[code] || code;

const session = {
  get token() { return sessionStorage.getItem("access"); },
  get who() { return JSON.parse(sessionStorage.getItem("who") || "null"); },
  save(t) {
    sessionStorage.setItem("access", t.access_token);
    if (t.refresh_token) sessionStorage.setItem("refresh", t.refresh_token);
    sessionStorage.setItem("who", JSON.stringify({ department: t.department, region: t.region, roles: t.roles, username: t.username || this.who?.username }));
  },
  clear() { sessionStorage.clear(); },
};

// Problems (shared/errors.py) in Chinese: by the problem's `type` slug, else by its status; a field's rule
// by name (pydantic's, and the project's own), the server's English message only where no translation is known.
const PROBLEM_TITLES = {
  "bad-request": "请求有误", unauthenticated: "请重新登录", forbidden: "无权办理", "not-found": "记录不存在", conflict: "记录已被他人修改，请刷新后重试",
  validation: "填写有误", "payload-too-large": "文件过大", "unsupported-media-type": "文件格式不支持", "too-many-requests": "操作过于频繁，请稍后再试",
  "sign-in-locked": "登录失败次数过多，请稍后再试", "invalid-grant": "账号或密码错误", "upstream-failed": "后台服务出错，请稍后再试",
  "upstream-timeout": "后台服务超时，请稍后再试", unavailable: "服务暂不可用", internal: "系统错误", "account-exists": "账号已存在",
  "duplicate-registration": "该机构已登记", "already-drawn": "该计划已抽取", "filing-decided": "该备案已答复", "filing-open": "已有待答复的备案申请",
  "not-registered": "机构未登记", "four-eyes": "初审与批准须由不同人员办理", "already-disbursed": "已拨付", "not-reviewed": "尚未初审",
  "not-approved": "尚未批准", "not-submitted": "不是待审核状态", "request-in-progress": "同一请求正在处理", "finding-closed": "该问题已整改",
  "wrong-password": "原密码不正确",
};
const STATUS_TITLES = { 400: "请求有误", 401: "请重新登录", 403: "无权办理", 404: "记录不存在", 409: "与现有记录冲突", 413: "文件过大",
  422: "填写有误", 429: "操作过于频繁，请稍后再试", 502: "后台服务出错", 503: "服务暂不可用", 504: "后台服务超时" };
const RULES = {
  missing: "必填", required: "必填", string_too_short: "至少 N 个字符", string_too_long: "至多 N 个字符", too_short: "至少 N 项", too_long: "至多 N 项",
  string_pattern_mismatch: "格式不正确", literal_error: "不是可选的值", enum: "不是可选的值", int_parsing: "须为整数", int_type: "须为整数",
  float_parsing: "须为数字", bool_parsing: "须为是或否", date_parsing: "须为日期", date_from_datetime_parsing: "须为日期", datetime_parsing: "须为日期时间",
  greater_than: "须大于 N", greater_than_equal: "不得小于 N", less_than: "须小于 N", less_than_equal: "不得大于 N", extra_forbidden: "多余的字段",
  json_invalid: "格式不正确", value_error: "不符合要求", not_in_future: "不能晚于今天", known_department: "不是已知的部门",
  region_of_qingyuan: "不是清远市的县（市、区）", known_region: "不是清远市的县（市、区）", known_role: "不是已知的角色",
  webhook_target: "接收地址不可用", after_since: "须晚于起始日期", registered_institution: "机构未登记", registered_employer: "单位未登记",
  two_without_conflict: "须有两名无利害关系的检查人员", within_budget: "超出预算", conditions_met: "不符合条件", drawn_by_plan: "须为抽取到的检查对象和人员",
  unique_ids: "编号重复", current_password: "原密码不正确", differs_from_old: "须与原密码不同", same_as_new: "两次输入的新密码不一致", covers_checklist: "检查单每一项都须有结果", failed_item_has_finding: "不合格项须记录发现的问题",
  at_least_two: "至少两名检查人员", drawn_inspectors: "须为抽取的检查人员（替换须说明理由）", agency_checklist: "不在本部门检查单内", xlsx: "须为 .xlsx 文件", template_columns: "与模板的列不一致", not_readable_by_department: "本部门不能接收该事件",
};
const FIELDS = { uscc: "统一社会信用代码", name: "名称", county: "所在县（市、区）", region: "区域", password: "密码", old_password: "原密码",
  new_password: "新密码", repeated: "再次输入的新密码", inspectors: "检查人员", inspected_on: "检查日期", registered_on: "登记日期", url: "接收地址", plan_id: "抽查计划" };

class ApiError extends Error {
  constructor(status, problem) { super(problem.detail || problem.title || `HTTP ${status}`); this.status = status; this.problem = problem; }
  describe() {
    const slug = (this.problem.type || "").split(":").pop();
    const title = PROBLEM_TITLES[slug] || STATUS_TITLES[this.status] || this.problem.title || `HTTP ${this.status}`;
    const errors = this.problem.errors || [];
    const lines = [title];
    // The detail only when it says more than the title and the fields below (the server's words, often English).
    if (this.problem.detail && !errors.length && !PROBLEM_TITLES[slug]) lines.push(this.problem.detail);
    for (const e of errors) lines.push(`· ${fieldText(e.field)}：${ruleText(e)}`);
    return lines.join("\n");
  }
}
const fieldText = (field) => (FIELDS[field] ? `${FIELDS[field]}（${field}）` : field);
function ruleText(e) {
  const limit = (e.message || "").match(/-?\d+(\.\d+)?/);  // pydantic names the limit only in its message
  return RULES[e.rule] ? RULES[e.rule].replace("N", limit ? limit[0] : "") : e.message;
}

// One refresh at a time: a page loading two lists gets two 401s when the access token expires, and a
// refresh token sent twice is "reused" — the gateway then ends the whole sign-in (DESIGN §6, rotation).
// Every caller waits for the same exchange instead.
let refreshing = null;
function refresh() {
  refreshing ??= (async () => {
    const token = sessionStorage.getItem("refresh");
    if (!token) return false;
    const r = await fetch("/auth/token", { method: "POST", body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: token }) });
    if (!r.ok) return false;
    session.save(await r.json());
    return true;
  })().finally(() => { refreshing = null; });
  return refreshing;
}

async function api(method, path, body, { raw = false, headers = {} } = {}) {
  let sent;
  const send = () => { sent = session.token; return fetch(path, {
    method,
    headers: { ...(sent ? { Authorization: `Bearer ${sent}` } : {}), ...(body && !(body instanceof FormData) ? { "Content-Type": "application/json" } : {}), ...headers },
    body: body instanceof FormData ? body : body ? JSON.stringify(body) : undefined,
  }); };
  let r = await send();
  // Refreshed meanwhile by another request: send again with the new token, no second refresh.
  if (r.status === 401 && (sent !== session.token || (await refresh()))) r = await send();
  if (r.status === 401) { session.clear(); location.hash = "#/login"; throw new ApiError(401, { title: "请重新登录" }); }
  if (raw) { if (!r.ok) throw new ApiError(r.status, await r.json()); return r; }
  const data = r.status === 204 ? null : await r.json();
  if (!r.ok) throw new ApiError(r.status, data || {});
  return data;
}

function errorBox() { return h("p", { class: "error", role: "alert" }); }
function showError(box, err) { box.textContent = err instanceof ApiError ? err.describe() : String(err); }

// A button that shows it is working while its action runs, and the error if it fails.
function action(label, run, { secondary = false } = {}) {
  const box = h("span", { class: "error" });
  const button = h("button", { type: "button", class: secondary ? "secondary" : null, onclick: async () => {
    button.disabled = true; const text = button.textContent; button.textContent = "处理中…"; box.textContent = "";
    try { await run(); } catch (err) { showError(box, err); } finally { button.disabled = false; button.textContent = text; }
  } }, label);
  return h("span", {}, button, " ", box);
}

// A form from field specs; `submit(values)` is called with the values, its error shown.
// Its inputs' ids are `f-<name>`, a list's filters `q-<name>`, so a page's form and its list's filters never share one.
function form(fields, submitLabel, submit, idPrefix = "f") {
  const err = errorBox();
  const inputs = {};
  const el = h("form", { class: "grid" }, fields.map((f) => {
    let input;
    const id = `${idPrefix}-${f.name}`;
    // options as [value, label] pairs keep their order; an object's numeric keys (years) would be sorted first
    if (f.options) input = h("select", { name: f.name, id }, (Array.isArray(f.options) ? f.options : Object.entries(f.options)).map(([v, t]) => h("option", { value: v, selected: v === String(f.value) }, t)));
    else input = h("input", { name: f.name, id, type: f.type || "text", value: f.value ?? "", placeholder: f.placeholder || "", required: f.required !== false, min: f.min, step: f.step });
    inputs[f.name] = input;
    return h("div", {}, h("label", { for: id }, f.label), input);
  }), h("div", {}, h("button", { type: "submit" }, submitLabel)), err);
  el.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const button = el.querySelector("button[type=submit]");
    button.disabled = true; err.textContent = "";
    const values = Object.fromEntries(Object.entries(inputs).map(([k, i]) => [k, i.type === "number" ? Number(i.value) : i.type === "checkbox" ? i.checked : i.value]));
    try { await submit(values); } catch (e) { showError(err, e); } finally { button.disabled = false; }
  });
  return el;
}

// A paginated, filterable table: `load(params, after)` returns {items, next}.
function table(columns, load, { filters = [], empty = "暂无记录", idPrefix = "q" } = {}) {
  const body = h("tbody");
  const info = h("span", { class: "muted" });
  const err = errorBox();
  // A filter's default value (e.g. 待审核) is in force from the first load, as the form shows it.
  const initial = () => Object.fromEntries(filters.filter((f) => f.value !== undefined && f.value !== "").map((f) => [f.name, f.value]));
  let cursors = [null], page = 0, params = initial();
  const prev = h("button", { type: "button", class: "secondary", onclick: () => { page--; fetchPage(); } }, "上一页");
  const next = h("button", { type: "button", class: "secondary", onclick: () => { page++; fetchPage(); } }, "下一页");
  async function fetchPage() {
    info.textContent = "加载中…"; err.textContent = "";
    try {
      const data = await load(params, cursors[page]);
      const items = data.items || data;
      cursors[page + 1] = data.next ?? null;
      body.replaceChildren(...(items.length ? items.map((row) => h("tr", {}, columns.map((c) => h("td", {}, c.render ? c.render(row) : row[c.key] ?? "")))) : [h("tr", {}, h("td", { colspan: columns.length }, empty))]));
      prev.disabled = page === 0; next.disabled = !data.next;
      info.textContent = `第 ${page + 1} 页，${items.length} 条`;
    } catch (e) { showError(err, e); info.textContent = ""; }
  }
  const filterForm = filters.length ? form(filters, "筛选", async (values) => { params = Object.fromEntries(Object.entries(values).filter(([, v]) => v !== "")); cursors = [null]; page = 0; await fetchPage(); }, idPrefix) : null;
  fetchPage();
  const el = h("div", {}, filterForm, h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c.title)))), body)), h("div", { class: "pager" }, prev, next, info), err);
  el.reload = () => { cursors = [null]; page = 0; return fetchPage(); };
  return el;
}
// The loader of a list the service pages ({items, next}, after=): the table's filters as the query.
const listed = (path, fixed = {}) => (params, after) => api("GET", `${path}?${query({ ...fixed, ...params, after, limit: 20 })}`);
const yearOptions = () => { const now = Number(today().slice(0, 4)); return Array.from({ length: now - 2019 }, (_, i) => [String(now - i), `${now - i} 年`]); };
const query = (params) => new URLSearchParams(Object.entries(params).filter(([, v]) => v !== null && v !== undefined && v !== "")).toString();
const countyOptions = (withAll = true) => ({ ...(withAll ? { "": "全部" } : {}), ...COUNTIES });

// -- pages ---------------------------------------------------------------------------------
const PAGES = {
  home: { title: "首页", for: null, render: renderHome },
  registrations: { title: "登记名册", for: null, render: renderRegistrations },
  register: { title: "新增登记", for: ["bianban", "minzheng", "shichang"], render: renderRegister },
  import: { title: "批量导入", for: ["bianban", "minzheng", "shichang"], render: renderImport },
  inbox: { title: "收件箱", for: ["weijian"], render: renderInbox },
  compliance: { title: "推送情况", for: ["weijian"], render: renderPushCompliance },
  filings: { title: "备案受理", for: ["weijian"], render: renderFilings },
  plans: { title: "双随机抽查", for: ["weijian", "shichang", "gongan", "xiaofang"], render: renderPlans },
  inspections: { title: "检查与整改", for: ["weijian", "shichang", "gongan", "xiaofang"], render: renderInspections },
  practitioners: { title: "从业人员", for: ["weijian", "renshe"], render: renderPractitioners },
  subsidies: { title: "奖补审批", for: ["caizheng", "renshe"], render: renderSubsidies },
  tracker: { title: "发展目标", for: MEETING, render: renderTracker },
  webhooks: { title: "事件推送", for: MEETING, render: renderWebhooks },
  records: { title: "指标明细", for: MEETING, render: renderTrackerRecords, hidden: true },
  profile: { title: "机构档案", for: null, render: renderProfile },
  accounts: { title: "账号管理", for: [], render: renderAccounts },  // administrators only
  password: { title: "修改密码", for: null, render: renderPassword },
};

function allowed(page) {
  const who = session.who;
  return who && (!page.for || page.for.includes(who.department) || (who.roles || []).includes("admin"));
}

function renderHome() {
  const who = session.who;
  return h("section", {}, h("h2", {}, `${county(who.region)}${DEPARTMENTS[who.department] || ""}`),
    h("p", { class: "muted" }, `角色：${(who.roles || []).map((r) => label(ROLES, r)).join("、")}`),
    h("div", { class: "tiles" }, Object.entries(PAGES).filter(([k, p]) => k !== "home" && !p.hidden && allowed(p)).map(([k, p]) => h("a", { href: `#/${k}` }, p.title))));
}

function renderRegistrations() {
  const who = session.who;
  return h("section", {}, h("h2", {}, "登记名册"), table([
    { title: "统一社会信用代码", render: (r) => h("a", { href: `#/profile/${r.uscc}` }, r.uscc) },
    { title: "名称", key: "name" }, { title: "性质", render: (r) => NATURES[r.nature] },
    { title: "登记机关", render: (r) => `${county(r.registrar_region)}${DEPARTMENTS[r.registrar]}` },
    { title: "所在地", render: (r) => county(r.county) }, { title: "登记日期", key: "registered_on" },
    { title: "状态", render: (r) => STATUS[r.status] || r.status },
  ], (p, after) => api("GET", `/api/registration/v1/registrations?${query({ ...p, after, limit: 20 })}`), {
    filters: [
      { name: "county", label: "所在县（市、区）", options: countyOptions(), value: who.region !== "441800" ? who.region : "", required: false },
      { name: "nature", label: "性质", options: { "": "全部", ...NATURES }, required: false },
      { name: "month", label: "登记月份", type: "month", required: false },
      { name: "status", label: "状态", options: { "": "全部", active: "正常", deregistered: "已注销" }, required: false },
    ] }));
}

function renderRegister() {
  const who = session.who;
  const natures = Object.fromEntries(Object.entries(NATURES).filter(([n]) => REGISTRAR_OF[n] === who.department));
  const result = h("div");
  return h("section", {}, h("h2", {}, "新增登记"), form([
    { name: "uscc", label: "统一社会信用代码", placeholder: "18位" },
    { name: "name", label: "机构名称" },
    { name: "nature", label: "机构性质", options: natures },
    { name: "county", label: "所在县（市、区）", options: countyOptions(false), value: who.region !== "441800" ? who.region : "441802" },
    { name: "area", label: "城乡", options: { urban: "城镇", rural: "农村" } },
    { name: "registered_on", label: "登记日期", type: "date", value: today() },
    { name: "address", label: "地址" },
    { name: "legal_representative", label: "法定代表人" },
    { name: "service_types", label: "服务类型", options: { full_day: "全日托", half_day: "半日托", hourly: "计时托", temporary: "临时托" } },
    { name: "infant", label: "乳儿班托位", type: "number", value: 0, min: 0 },
    { name: "toddler", label: "托小班托位", type: "number", value: 0, min: 0 },
    { name: "older_toddler", label: "托大班托位", type: "number", value: 0, min: 0 },
    { name: "inclusive", label: "普惠性", options: { false: "否", true: "是" } },
    { name: "operating_mode", label: "举办形式", options: { sole: "独资", joint: "合资", public_private: "公办民营", private_aided: "民办公助" } },
    { name: "sponsors", label: "单位办托的举办单位（可空，多个用顿号分隔）", required: false },
  ], "登记", async (v) => {
    const sponsors = v.sponsors ? v.sponsors.split(/[、,，]/).map((s) => s.trim()).filter(Boolean) : [];
    const created = await api("POST", "/api/registration/v1/registrations", {
      uscc: v.uscc, name: v.name, nature: v.nature, registrar: who.department, registrar_region: who.region, county: v.county, area: v.area,
      registered_on: v.registered_on, address: v.address, legal_representative: v.legal_representative, service_types: [v.service_types],
      places: { infant: v.infant, toddler: v.toddler, older_toddler: v.older_toddler }, inclusive: v.inclusive === "true",
      operating_mode: v.operating_mode, employer_run: sponsors.length > 0, sponsors,
    });
    result.replaceChildren(h("p", { class: "ok" }, `已登记：${created.name}（${created.uscc}），将于本月推送至卫生健康部门。`), h("a", { href: `#/profile/${created.uscc}` }, "查看档案"));
  }), result);
}

function renderImport() {
  const report = h("div");
  const bar = h("progress", { max: 100, value: 0, hidden: true });
  const err = errorBox();
  const file = h("input", { type: "file", accept: ".xlsx", id: "import-file" });
  const dry = h("input", { type: "checkbox", id: "import-dry", class: "inline" });
  const atomic = h("input", { type: "checkbox", id: "import-atomic", class: "inline" });
  async function template() {
    const r = await api("GET", "/api/registration/v1/registrations/import-template", null, { raw: true });
    const url = URL.createObjectURL(await r.blob());
    h("a", { href: url, download: "登记导入模板.xlsx" }).click();
  }
  const phase = h("span", { class: "muted", "aria-live": "polite" });
  function upload() {
    if (!file.files[0]) { err.textContent = "请选择文件"; return; }
    err.textContent = ""; report.replaceChildren(); bar.hidden = false;
    send(false);
  }
  // An XHR, not fetch, for the upload's progress; afterwards the server checks and writes every row, which
  // takes a while and reports nothing: the bar goes indeterminate (no value) until the answer comes.
  function send(retried) {
    const data = new FormData(); data.append("file", file.files[0]);
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/registration/v1/registrations/imports?${query({ dry_run: dry.checked, all_or_nothing: atomic.checked })}`);
    xhr.setRequestHeader("Authorization", `Bearer ${session.token}`);
    bar.value = 0; phase.textContent = "正在上传…";
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = (e.loaded / e.total) * 100; };
    xhr.upload.onload = () => { bar.removeAttribute("value"); phase.textContent = "服务器正在逐行校验、导入…"; };
    xhr.onload = async () => {
      if (xhr.status === 401 && !retried && (await refresh())) { send(true); return; }  // the sign-in refreshed, as api() does
      bar.hidden = true; phase.textContent = "";
      if (xhr.status === 401) { session.clear(); location.hash = "#/login"; return; }
      let body;
      try { body = JSON.parse(xhr.responseText); } catch { body = {}; }  // a 413 from a proxy, say, answers in HTML
      if (xhr.status !== 200) { showError(err, new ApiError(xhr.status, body)); return; }
      report.replaceChildren(h("p", {}, `共 ${body.rows} 行：接收 ${body.accepted}，拒绝 ${body.refused}${body.dry_run ? "（试导入，未写入）" : ""}`),
        h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["行", "统一社会信用代码", "结果", "原因"].map((t) => h("th", {}, t)))),
          h("tbody", {}, body.items.map((i) => h("tr", {}, h("td", {}, i.row), h("td", {}, i.uscc || ""),
            h("td", { class: i.status === "accepted" ? "ok" : "bad" }, { accepted: "接收", refused: "拒绝", not_imported: "未导入" }[i.status]),
            h("td", {}, i.errors.map((e) => `${fieldText(e.field)}：${ruleText(e)}`).join("；"))))))));
    };
    xhr.onerror = () => { bar.hidden = true; phase.textContent = ""; err.textContent = "上传失败：网络中断或服务不可用"; };
    xhr.send(data);
  }
  return h("section", {}, h("h2", {}, "批量导入登记名单"), h("p", {}, action("下载模板", template, { secondary: true })),
    h("div", { class: "grid" }, h("label", { for: "import-file" }, "名单文件（.xlsx）"), file,
      h("label", {}, dry, " 只检查不写入"), h("label", {}, atomic, " 有一行被拒绝则全部不导入")),
    h("p", {}, h("button", { type: "button", onclick: upload }, "上传并导入")), bar, phase, err, report);
}

function renderInbox() {
  const who = session.who;
  return h("section", {}, h("h2", {}, "登记信息收件箱"), table([
    { title: "统一社会信用代码", render: (r) => h("a", { href: `#/profile/${r.uscc}` }, r.uscc) }, { title: "名称", key: "name" },
    { title: "登记机关", render: (r) => `${county(r.registrar_region)}${DEPARTMENTS[r.registrar]}` }, { title: "所在地", render: (r) => county(r.county) },
    { title: "登记日期", key: "registered_on" }, { title: "收到时间", render: (r) => new Date(r.received_at).toLocaleString("zh-CN") },
    { title: "当月推送", render: (r) => h("span", { class: r.same_month ? "ok" : "warn" }, r.same_month ? "是" : "否（逾期）") },
    { title: "状态", render: (r) => STATUS[r.status] || r.status },
  ], (p, after) => api("GET", `/api/inspection/v1/inbox?${query({ ...p, after, limit: 20 })}`), {
    filters: [{ name: "region", label: "区域", options: countyOptions(), value: who.region !== "441800" ? who.region : "", required: false },
      { name: "month", label: "登记月份", type: "month", required: false }] }),
  // a reconciliation is one pass over the whole city's feed: the city bureau starts it (counties see its results)
  who.region === "441800" ? h("p", {}, action("立即对账（从登记信息源补齐）", async () => {
    const run = await api("POST", "/api/inspection/v1/reconciliations");
    alert(`读取 ${run.read} 条，补齐 ${run.repaired} 条`);
  }, { secondary: true })) : null);
}

function barChart(rows) {
  const width = 640, bar = 26, gap = 10, left = 150, scale = Math.max(1, ...rows.map((r) => r.registered));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${rows.length * (bar + gap) + 10}`); svg.setAttribute("class", "chart"); svg.setAttribute("role", "img");
  const add = (tag, attrs, text) => { const el = document.createElementNS(svg.namespaceURI, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); if (text !== undefined) el.textContent = text; svg.append(el); };
  rows.forEach((r, i) => {
    const y = i * (bar + gap) + 5, unit = (width - left - 60) / scale;
    add("text", { x: 0, y: y + 17 }, `${county(r.region)}${DEPARTMENTS[r.registrar] || ""}`);
    let x = left;
    for (const [cls, n] of [["", r.received_same_month], ["late", r.received_late], ["missing", r.missing]]) {
      if (n) { add("rect", { x, y, width: n * unit, height: bar, class: cls }); x += n * unit; }
    }
    add("text", { x: x + 4, y: y + 17 }, `${r.received_same_month}/${r.registered}`);
  });
  return svg;
}

function renderPushCompliance() {
  const out = h("div");
  const who = session.who;
  const monthNow = today().slice(0, 7);
  async function show(v) {
    const params = query({ month: v.month, region: v.region });
    const report = await api("GET", `/api/inspection/v1/reports/push-compliance?${params}`);
    out.replaceChildren(
      h("p", {}, `${v.month}：登记 ${report.total.registered}，当月推送 ${report.total.received_same_month}，逾期 ${report.total.received_late}，未推送 ${report.total.missing}`),
      barChart(report.rows), h("p", { class: "muted" }, "蓝：当月推送　橙：逾期推送　红：未推送"),
      action("下载 Excel", async () => {
        const r = await api("GET", `/api/inspection/v1/reports/push-compliance.xlsx?${params}`, null, { raw: true });
        h("a", { href: URL.createObjectURL(await r.blob()), download: `登记推送情况-${v.month}.xlsx` }).click();
      }, { secondary: true }));
  }
  const el = h("section", {}, h("h2", {}, "登记信息当月推送情况"), form([
    { name: "month", label: "月份", type: "month", value: monthNow },
    { name: "region", label: "区域", options: countyOptions(who.region === "441800"), value: who.region !== "441800" ? who.region : "", required: false },
  ], "查看", show), out);
  show({ month: monthNow, region: who.region !== "441800" ? who.region : "" }).catch((e) => showError(out, e));
  return el;
}

function renderFilings() {
  const who = session.who;
  let list;
  const materials = ["filing_form", "commitment_letter", "licence", "premises_proof", "staff_certificates", "hygiene_evaluation", "fire_safety", "food_licence"];
  const labels = ["备案书", "备案承诺书", "营业执照或法人登记证书", "场地证明", "工作人员资格证书和健康合格证明", "托幼机构卫生评价报告", "消防安全检查合格证明", "食品经营许可证"];
  const boxes = materials.map((m, i) => h("label", {}, h("input", { type: "checkbox", value: m, class: "inline" }), " ", labels[i]));
  const submit = form([
    { name: "uscc", label: "统一社会信用代码" },
    { name: "serves_meals", label: "是否提供膳食", options: { true: "是", false: "否" } },
    { name: "hygiene_rating", label: "卫生评价结论", options: { "合格": "合格", "不合格": "不合格" } },
    { name: "received_on", label: "收件日期", type: "date", value: today() },
  ], "登记备案申请", async (v) => {
    const chosen = Object.fromEntries(boxes.map((b) => [b.firstChild.value, b.firstChild.checked]));
    const filing = await api("POST", "/api/inspection/v1/filings", { uscc: v.uscc, materials: chosen, serves_meals: v.serves_meals === "true", hygiene_rating: v.hygiene_rating, received_on: v.received_on });
    alert(`已受理，5个工作日内答复（${filing.answer_due_on}）`); list.reload();
  });
  const decide = (f) => h("span", {},
    action("同意备案", async () => { await api("POST", `/api/inspection/v1/filings/${f.filing_id}/decision`, { decision: "accepted" }); list.reload(); }),
    action("退回", async () => { const reason = prompt("退回理由（将向社会公开）", f.unmet_conditions.join("；")); if (!reason) return; await api("POST", `/api/inspection/v1/filings/${f.filing_id}/decision`, { decision: "returned", reasons: reason.split(/[；;]/).filter(Boolean) }); list.reload(); }, { secondary: true }));
  list = table([
    { title: "机构", render: (f) => h("a", { href: `#/profile/${f.uscc}` }, f.name) }, { title: "收件日期", key: "submitted_on" },
    { title: "答复期限", render: (f) => h("span", { class: f.overdue ? "bad" : "" }, `${f.answer_due_on}${f.overdue ? "（已逾期）" : ""}`) },
    { title: "退回期限", key: "return_due_on" }, { title: "状态", render: (f) => STATUS[f.status] || f.status },
    { title: "不符合项", render: (f) => f.unmet_conditions.join("；") || "无" },
    { title: "操作", render: (f) => (f.status === "submitted" ? decide(f) : f.reasons.join("；")) },
  ], (p, after) => api("GET", `/api/inspection/v1/filings?${query({ ...p, after, limit: 20 })}`), {
    filters: [{ name: "status", label: "状态", options: { "": "全部", submitted: "待答复", overdue: "逾期未答复", accepted: "已备案", returned: "已退回", cancelled: "已失效" }, required: false }] });
  const unfiled = table([
    { title: "机构", render: (e) => h("a", { href: `#/profile/${e.uscc}` }, e.name) }, { title: "所在地", render: (e) => county(e.county) },
    { title: "登记日期", key: "registered_on" }, { title: "已过工作日", key: "working_days_since" },
    { title: "逾期", render: (e) => h("span", { class: e.overdue ? "bad" : "" }, e.overdue ? "是" : "否") },
  ], listed("/api/inspection/v1/unfiled"), { filters: [
    { name: "county", label: "所在县（市、区）", options: countyOptions(who.region === "441800"), value: who.region !== "441800" ? who.region : "", required: false },
    { name: "overdue_only", label: "只看逾期", options: { "": "否", true: "是" }, required: false },
  ] });
  return h("div", {}, h("section", {}, h("h2", {}, "备案受理"), submit, h("h3", {}, "提交材料"), h("div", { class: "tiles" }, boxes)),
    h("section", {}, h("h2", {}, "备案申请"), list), h("section", {}, h("h2", {}, "已登记未备案"), unfiled));
}

function renderPlans() {
  const who = session.who;
  const agency = Object.keys(AGENCIES).includes(who.department) ? who.department : "weijian";
  const out = h("div");
  let list;
  const create = form([
    { name: "year", label: "年度", type: "number", value: new Date().getFullYear() },
    { name: "region", label: "区域", options: countyOptions(false), value: who.region },
    { name: "sampling_ratio", label: "抽查比例（如0.05）", type: "number", step: "0.01", value: 0.05 },
    { name: "inspectors", label: "检查人员库（编号:姓名，逗号分隔）", placeholder: "Z001:张检查,Z002:李检查,Z003:王检查" },
  ], "新建抽查计划", async (v) => {
    const inspectors = v.inspectors.split(/[,，]/).map((s) => s.trim()).filter(Boolean).map((s) => { const [id, name] = s.split(/[:：]/); return { id, name: name || id, conflicts: [] }; });
    await api("POST", "/api/inspection/v1/plans", { agency, region: v.region, year: v.year, sampling_ratio: v.sampling_ratio, inspectors });
    list.reload();
  });
  function showDraw(d) {
    out.replaceChildren(h("h3", {}, "抽取结果"), h("dl", { class: "facts" }, h("dt", {}, "随机种子"), h("dd", {}, d.seed), h("dt", {}, "检查对象库哈希"), h("dd", {}, d.target_hash),
      h("dt", {}, "检查人员库哈希"), h("dd", {}, d.inspector_hash), h("dt", {}, "抽取数量"), h("dd", {}, `${d.size} / ${d.targets.length}`)),
      h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, h("th", {}, "检查对象"), h("th", {}, "检查人员"), h("th", {}, "操作"))),
        h("tbody", {}, d.assignments.map((a) => h("tr", {}, h("td", {}, h("a", { href: `#/profile/${a.uscc}` }, a.uscc)), h("td", {}, a.inspectors.join("、")),
          // 双随机: the drawn institution inspected by the drawn inspectors, recorded against this plan (三(五))
          h("td", {}, h("a", { href: `#/inspections/${encodeURIComponent(d.plan_id)}/${a.uscc}/${a.inspectors.map(encodeURIComponent).join(",")}` }, "记录检查"))))))));
  }
  list = table([
    { title: "部门", render: (p) => AGENCIES[p.agency] }, { title: "区域", render: (p) => county(p.region) }, { title: "年度", key: "year" },
    { title: "比例/数量", render: (p) => p.sampling_ratio ?? p.sample_size }, { title: "检查人员", render: (p) => p.inspectors.length },
    { title: "操作", render: (p) => p.drawn ? action("查看抽取", async () => showDraw(await api("GET", `/api/inspection/v1/plans/${p.id}/draws`)), { secondary: true })
      : action("随机抽取", async () => { showDraw(await api("POST", `/api/inspection/v1/plans/${p.id}/draws`, {})); list.reload(); }) },
  ], listed("/api/inspection/v1/plans"), { filters: [
    { name: "agency", label: "部门", options: { "": "全部", ...AGENCIES }, value: agency, required: false },
    { name: "year", label: "年度", options: [["", "全部"], ...yearOptions()], required: false },
    { name: "region", label: "区域", options: countyOptions(), value: who.region !== "441800" ? who.region : "", required: false },
  ] });
  return h("div", {}, h("section", {}, h("h2", {}, `双随机、一公开（${AGENCIES[agency]}）`), create), h("section", {}, h("h2", {}, "抽查计划"), list, out));
}

// With a drawn assignment (from the draw's 记录检查): its plan, institution and inspectors filled in.
function renderInspections(planId, drawnUscc, drawnInspectors) {
  const who = session.who;
  const agency = Object.keys(AGENCIES).includes(who.department) ? who.department : "weijian";
  const plan = planId ? decodeURIComponent(planId) : null;
  let list, checklist = {};
  const record = h("div", {}, h("p", { class: "busy" }, "加载检查单…"));
  // The agency's checklist (一单, 三(三)3–4): a result for each item, a failed item with its finding.
  api("GET", `/api/inspection/v1/checklists/${agency}`).then((items) => { checklist = items; record.replaceChildren(form([
    { name: "uscc", label: "统一社会信用代码", value: drawnUscc },
    { name: "kind", label: "检查类型", options: { routine: "日常检查", spot_check: "双随机抽查", complaint: "投诉核查", special: "专项检查" }, value: plan ? "spot_check" : undefined },
    { name: "inspected_on", label: "检查日期", type: "date", value: today() },
    { name: "inspectors", label: "检查人员编号（至少2人，逗号分隔）", value: drawnInspectors ? drawnInspectors.split(",").map(decodeURIComponent).join(",") : undefined },
    ...Object.entries(items).map(([item, title]) => ({ name: `result-${item}`, label: title, options: RESULTS })),
    { name: "code", label: "发现问题的检查项（无问题选“无”）", options: { "": "无", ...items }, required: false },
    { name: "severity", label: "问题严重程度", options: { minor: "一般", major: "较重", critical: "严重" } },
    { name: "description", label: "问题描述", required: false },
    { name: "deadline", label: "整改期限", type: "date", value: today(), required: false },
  ], "记录检查", async (v) => {
    const findings = v.code ? [{ code: v.code, severity: v.severity, description: v.description || items[v.code], deadline: v.deadline }] : [];
    const results = Object.fromEntries(Object.keys(items).map((item) => [item, item === v.code ? "fail" : v[`result-${item}`]]));
    // A spot check belongs to the plan that drew it (it completes the assignment); other kinds have none.
    await api("POST", "/api/inspection/v1/inspections", { uscc: v.uscc, agency, kind: v.kind, inspected_on: v.inspected_on,
      inspectors: v.inspectors.split(/[,，]/).map((s) => s.trim()).filter(Boolean), results, findings,
      plan_id: v.kind === "spot_check" ? plan : null });
    list.reload();
  })); }).catch((e) => showError(record, e));
  list = table([
    { title: "机构", render: (f) => h("a", { href: `#/profile/${f.uscc}` }, f.uscc) }, { title: "部门", render: (f) => AGENCIES[f.agency] },
    { title: "检查项", render: (f) => checklist[f.code] || f.code }, { title: "风险等级", key: "risk_level" }, { title: "整改期限", render: (f) => h("span", { class: f.overdue ? "bad" : "" }, f.deadline) },
    { title: "状态", render: (f) => STATUS[f.status] }, { title: "核查日期", render: (f) => f.verified_on || "" },
    { title: "操作", render: (f) => f.status === "open" ? action("整改复查通过", async () => {
      const inspectors = prompt("复查人员编号（逗号分隔）", ""); if (!inspectors) return;
      await api("POST", `/api/inspection/v1/inspections/${f.inspection_id}/follow-ups`, { followed_on: today(), inspectors: inspectors.split(/[,，]/), closes: [f.id] });
      list.reload();
    }) : "" },
  ], (p, after) => api("GET", `/api/inspection/v1/findings?${query({ ...p, after, limit: 20 })}`), {
    filters: [{ name: "status", label: "状态", options: { "": "全部", open: "未整改", closed: "已整改" }, required: false },
      { name: "overdue", label: "只看逾期", options: { "": "否", true: "是" }, required: false }] });
  return h("div", {}, h("section", {}, h("h2", {}, `检查记录（${AGENCIES[agency]}）`),
    plan ? h("p", { class: "muted" }, `双随机抽查任务：计划 ${plan}，按抽取结果记录`) : null, record), h("section", {}, h("h2", {}, "发现问题与整改"), list));
}

function renderPractitioners() {
  const out = h("div");
  const compliance = form([{ name: "uscc", label: "机构统一社会信用代码" }], "查看人员配备", async (v) => {
    const c = await api("GET", `/api/training/v1/compliance?${query({ uscc: v.uscc })}`);
    out.replaceChildren(h("dl", { class: "facts" },
      h("dt", {}, "机构"), h("dd", {}, c.name), h("dt", {}, "托位（乳儿/托小/托大）"), h("dd", {}, `${c.places.infant}/${c.places.toddler}/${c.places.older_toddler}`),
      h("dt", {}, "需持证保育人员"), h("dd", {}, c.required_carers), h("dt", {}, "持证保育人员"), h("dd", {}, c.certified_carers),
      h("dt", {}, "健康检查有效"), h("dd", {}, `${c.health_checks_valid}/${c.staff}`), h("dt", {}, `${c.in_service_year}年在职培训达标`), h("dd", {}, `${c.in_service_done}/${c.staff}`),
      h("dt", {}, "结论"), h("dd", { class: c.compliant ? "ok" : "bad" }, c.compliant ? "达标" : c.gaps.join("；"))));
  });
  const list = table([
    { title: "姓名", key: "name" }, { title: "身份证号", key: "id_number_masked" }, { title: "工种", render: (p) => label(OCCUPATIONS, p.occupation) },
    { title: "单位", render: (p) => h("a", { href: `#/profile/${p.employer_uscc}` }, p.employer_uscc) }, { title: "入职", key: "hired_on" },
    { title: "状态", render: (p) => STATUS[p.status] }, { title: "返聘/志愿", render: (p) => [p.rehired_retiree ? "返聘" : "", p.volunteer ? "志愿者" : ""].filter(Boolean).join("、") },
  ], (p, after) => api("GET", `/api/training/v1/practitioners?${query({ ...p, after, limit: 20 })}`), {
    filters: [{ name: "employer_uscc", label: "单位统一社会信用代码", required: false }, { name: "status", label: "状态", options: { "": "全部", employed: "在职", left: "离职" }, required: false }] });
  return h("div", {}, h("section", {}, h("h2", {}, "人员配备达标情况"), compliance, out), h("section", {}, h("h2", {}, "从业人员"), list));
}

function renderSubsidies() {
  const who = session.who;
  let list;
  const step = (a) => {
    if (a.status === "submitted") return h("span", {}, action("初审通过", async () => { await api("POST", `/api/subsidy/v1/applications/${a.id}/review`, { decision: "approve" }); list.reload(); }),
      action("驳回", async () => { const note = prompt("驳回理由"); if (!note) return; await api("POST", `/api/subsidy/v1/applications/${a.id}/review`, { decision: "reject", note }); list.reload(); }, { secondary: true }));
    if (a.status === "reviewed") return action("批准", async () => { await api("POST", `/api/subsidy/v1/applications/${a.id}/approval`); list.reload(); });
    if (a.status === "approved") return action("拨付", async () => { await api("POST", `/api/subsidy/v1/applications/${a.id}/disbursement`, null, { headers: { "Idempotency-Key": `console-${a.id}` } }); list.reload(); });
    return a.reason || "";
  };
  list = table([
    { title: "项目", render: (a) => label(PROGRAMMES, a.programme) }, { title: "对象", render: (a) => a.uscc ? h("a", { href: `#/profile/${a.uscc}` }, a.uscc) : a.practitioner_id },
    { title: "金额", render: (a) => yuan(a.amount_fen) }, { title: "区域", render: (a) => county(a.region) },
    { title: "符合条件", render: (a) => h("span", { class: a.eligible ? "ok" : "bad", title: a.eligibility.map((c) => `${c.met ? "✓" : "✗"} ${c.detail}`).join("\n") }, a.eligible ? "是" : "否：" + a.eligibility.filter((c) => !c.met).map((c) => c.detail).join("；")) },
    { title: "状态", render: (a) => STATUS[a.status] || a.status }, { title: "操作", render: step },
  ], (p, after) => api("GET", `/api/subsidy/v1/applications?${query({ ...p, after, limit: 20 })}`), {
    filters: [{ name: "status", label: "状态", options: { "": "全部", submitted: "待审核", reviewed: "已初审", approved: "已批准", disbursed: "已拨付", rejected: "已驳回", reversed: "已冲销" }, value: who.region === "441800" ? "reviewed" : "submitted", required: false }] });
  const budgets = table([
    { title: "项目", render: (b) => label(PROGRAMMES, b.programme) }, { title: "年度", key: "year" }, { title: "区域", render: (b) => county(b.region) }, { title: "级次", render: (b) => (b.level === "city" ? "市级" : "县级") },
    { title: "预算", render: (b) => yuan(b.amount_fen) }, { title: "已承诺", render: (b) => yuan(b.committed_fen) }, { title: "可用", render: (b) => yuan(b.available_fen) },
  ], listed("/api/subsidy/v1/budgets"), { filters: [
    { name: "programme", label: "项目", options: { "": "全部", ...PROGRAMMES }, required: false },
    { name: "year", label: "年度", options: [["", "全部"], ...yearOptions()], value: today().slice(0, 4), required: false },
    { name: "region", label: "区域", options: countyOptions(), value: who.region !== "441800" ? who.region : "", required: false },
  ] });
  return h("div", {}, h("section", {}, h("h2", {}, "奖补申请审批"), list), h("section", {}, h("h2", {}, "预算执行"), budgets));
}

// -- the joint meeting's tracker (联席会议) --------------------------------------------------------
const TARGET_STATUS = { upcoming: "未到期", met: "已达成", in_progress: "推进中", overdue: "逾期未达成" };
const TARGET_CLASS = { met: "ok", in_progress: "warn", overdue: "bad", upcoming: "muted" };
function figure(value, unit) {
  if (value === null || value === undefined) return "—";
  if (unit === "share") return `${(value * 100).toFixed(1)}%`;
  if (unit === "fen") return yuan(value);
  return value.toLocaleString("zh-CN");
}
let indicatorTitles = {};  // from the last tracker shown, for the records page's heading
const recordsHref = (indicator, year, region) => `#/records/${indicator}/${year}/${region || ""}`;

// Horizontal bars, one per labelled value; each bar links to the records behind it.
function valueBars(items, unit) {
  const width = 420, bar = 22, gap = 8, left = 124;  // narrow enough to stay legible at phone width
  const scale = Math.max(1e-9, ...items.map((i) => i.value || 0));
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${items.length * (bar + gap) + 6}`); svg.setAttribute("class", "chart bars"); svg.setAttribute("role", "img");
  const add = (parent, tag, attrs, text) => { const el = document.createElementNS(svg.namespaceURI, tag); for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v); if (text !== undefined) el.textContent = text; parent.append(el); return el; };
  items.forEach((item, i) => {
    const y = i * (bar + gap) + 3, length = ((item.value || 0) / scale) * (width - left - 96);
    const link = add(svg, "a", { href: item.href });
    add(link, "text", { x: 0, y: y + 15 }, item.label);
    add(link, "rect", { x: left, y, width: Math.max(length, 1), height: bar, class: item.met === false ? "missing" : "" });
    add(link, "text", { x: left + length + 4, y: y + 15 }, figure(item.value, unit));
  });
  return svg;
}

function renderTracker() {
  const who = session.who;
  const thisYear = Number(today().slice(0, 4));
  const years = yearOptions();
  const out = h("div");
  async function show(v) {
    out.replaceChildren(h("p", { class: "busy" }, "加载中…"));
    const year = Number(v.year);
    const report = await api("GET", `/api/inspection/v1/tracker?year=${year}`);
    const byKey = Object.fromEntries(report.indicators.map((i) => [i.key, i]));
    indicatorTitles = Object.fromEntries(report.indicators.map((i) => [i.key, i.title]));
    const counties = report.rows.filter((r) => r.region !== "441800");
    const cityRow = report.rows.find((r) => r.region === "441800");
    const chosen = h("select", { id: "f-indicator", class: "inline" }, report.indicators.map((i) => h("option", { value: i.key }, `${i.group_title} · ${i.title}`)));
    const bars = h("div"), trend = h("div");
    const trendRegion = h("select", { id: "f-trend-region", class: "inline" }, [cityRow ? h("option", { value: "" }, "全市") : null, ...counties.map((r) => h("option", { value: r.region }, r.name))]);
    const targetOf = (key) => report.targets.find((t) => t.indicator === key && t.scope === "each_county");
    function drawBars() {
      const key = chosen.value, indicator = byKey[key], target = targetOf(key);
      const met = (r) => (target ? target.regions.find((x) => x.region === r.region)?.met : undefined);
      bars.replaceChildren(
        valueBars(counties.map((r) => ({ label: r.name, value: r.figures[key], href: recordsHref(key, year, r.region), met: met(r) })), indicator.unit),
        h("p", { class: "muted" }, cityRow ? `全市：${figure(cityRow.figures[key], indicator.unit)}` : "", indicator.current ? "（当前数）" : `（截至 ${report.as_of}）`, target ? `　目标：${target.title}，红色为未达成` : ""));
      drawTrend().catch((e) => showError(trend, e));
    }
    async function drawTrend() {
      const key = chosen.value, indicator = byKey[key];
      const data = await api("GET", `/api/inspection/v1/tracker/trend?${query({ year, region: trendRegion.value })}`);
      trend.replaceChildren(valueBars(data.points.map((p) => ({ label: p.month, value: p.figures[key], href: recordsHref(key, year, trendRegion.value) })), indicator.unit));
    }
    chosen.addEventListener("change", drawBars);
    trendRegion.addEventListener("change", () => drawTrend().catch((e) => showError(trend, e)));
    const groups = [...new Set(report.indicators.map((i) => i.group))];
    out.replaceChildren(
      h("div", { class: "card" }, h("h3", {}, `规划目标（${year} 年）`), report.targets.length ? h("ul", { class: "targets" }, report.targets.map((t) => h("li", {},
        h("span", { class: TARGET_CLASS[t.status] }, `【${TARGET_STATUS[t.status] || ""}】`), `${t.title}（${t.from_year}—${t.due_year}）`,
        h("span", { class: "muted" }, ` ${t.clause}`),
        t.regions.some((r) => !r.met) ? h("div", { class: "muted" }, `未达成：${t.regions.filter((r) => !r.met).map((r) => county(r.region)).join("、")}`) : null))) : h("p", { class: "muted" }, "无")),
      h("div", { class: "card" }, h("h3", {}, "各县（市、区）"), h("label", { for: "f-indicator" }, "指标"), chosen, bars,
        h("h3", {}, "逐月趋势"), h("label", { for: "f-trend-region" }, "区域"), trendRegion, trend),
      h("div", { class: "card" }, h("h3", {}, "指标总表"), h("p", { class: "muted" }, "点击数字查看对应的机构和记录"),
        h("div", { class: "table-wrap" }, h("table", { class: "figures" },
          h("thead", {}, h("tr", {}, h("th", {}, "指标"), report.rows.map((r) => h("th", {}, r.name)))),
          h("tbody", {}, groups.flatMap((g) => [
            h("tr", { class: "group" }, h("th", { colspan: report.rows.length + 1 }, report.indicators.find((i) => i.group === g).group_title)),
            ...report.indicators.filter((i) => i.group === g).map((i) => h("tr", {}, h("td", {}, i.title),
              report.rows.map((r) => h("td", {}, h("a", { href: recordsHref(i.key, year, r.region === "441800" ? "" : r.region) }, figure(r.figures[i.key], i.unit)))))),
          ]))))),
      h("p", { class: "no-print" }, action("下载 Excel", async () => {
        const r = await api("GET", `/api/inspection/v1/tracker/export.xlsx?year=${year}`, null, { raw: true });
        h("a", { href: URL.createObjectURL(await r.blob()), download: `发展目标-${year}.xlsx` }).click();
      }, { secondary: true }), " ", h("button", { type: "button", class: "secondary", onclick: () => window.print() }, "打印")));
    drawBars();
  }
  const el = h("section", {}, h("h2", {}, `托育服务发展目标推进情况${who.region === "441800" ? "" : `（${county(who.region)}）`}`),
    h("div", { class: "no-print" }, form([{ name: "year", label: "年度", options: years, value: String(thisYear) }], "查看", show)), out);
  show({ year: thisYear }).catch((e) => showError(out, e));
  return el;
}

const RECORD_COLUMNS = { uscc: "统一社会信用代码", name: "名称", county: "所在地", area: "城乡", places: "托位", registered_on: "登记日期", status: "状态",
  received_at: "收到时间", same_month: "当月推送", year: "年度", decided_on: "决定日期", submitted_on: "提交日期", answer_due_on: "办结期限",
  plan_id: "抽查计划", inspected: "已检查", required_carers: "应配保育人员", certified_carers: "持证保育人员", programme: "项目", region: "区域",
  level: "资金层级", amount_fen: "金额", set_at: "设定时间", kind: "类别", booked_on: "记账日期" };
function recordCell(key, value) {
  if (key === "uscc") return h("a", { href: `#/profile/${value}` }, value);
  if (key === "county" || key === "region") return county(value);
  if (key === "area") return { urban: "城镇", rural: "农村" }[value] || "";
  if (key === "amount_fen") return yuan(value);
  if (typeof value === "boolean") return value ? "是" : "否";
  if (key === "status") return STATUS[value] || value;
  if (key === "programme") return label(PROGRAMMES, value);
  return value ?? "";
}

function renderTrackerRecords(indicator, year, region) {
  const holder = h("div", {}, h("p", { class: "busy" }, "加载中…"));
  const load = (p, after) => api("GET", `/api/inspection/v1/tracker/records?${query({ indicator, year, region, after, limit: 50 })}`);
  load({}, null).then((first) => {  // the columns are the fields these records have
    const keys = new Set(first.items.flatMap((item) => Object.keys(item)));
    const columns = Object.entries(RECORD_COLUMNS).filter(([key]) => keys.has(key) || !first.items.length && key === "uscc")
      .map(([key, title]) => ({ key, title, render: (row) => recordCell(key, row[key]) }));
    holder.replaceChildren(table(columns, load));
  }).catch((e) => showError(holder, e));
  return h("section", {}, h("h2", {}, `指标明细：${indicatorTitles[indicator] || indicator}（${year} 年，${region ? county(region) : "全市"}）`),
    h("p", {}, h("a", { href: "#/tracker" }, "← 返回发展目标")), holder);
}

// -- webhooks (事件推送): a bureau's endpoints ------------------------------------------------------
const HOOK_STATUS = { active: "推送中", paused: "已暂停" };
function renderWebhooks() {
  const who = session.who;
  const log = h("div"), created = h("div");
  const types = h("fieldset", { class: "checks" }, h("legend", {}, "订阅的事件（不选即本部门可接收的全部）"));
  const regions = h("fieldset", { class: "checks" }, h("legend", {}, "区域（不选即本级管辖的全部）"),
    (who.region === "441800" ? Object.keys(COUNTIES) : [who.region]).map((code) => h("label", {}, h("input", { type: "checkbox", name: "region", value: code }), county(code))));
  api("GET", "/api/webhooks/event-types").then((items) => types.append(...items.map((t) =>
    h("label", { title: t.type }, h("input", { type: "checkbox", name: "type", value: t.type }), `${t.summary}（${t.type.split(".").slice(1, 4).join(".")}）`))))
    .catch((e) => showError(types, e));
  const checked = (box, name) => [...box.querySelectorAll(`input[name=${name}]:checked`)].map((i) => i.value);

  async function showLog(hook) {
    log.replaceChildren(h("h3", {}, `投递记录：${hook.url}`), table([
      { title: "投递号", key: "seq" }, { title: "事件", key: "event_type" }, { title: "事件ID", key: "event_id" },
      { title: "轮次", render: (d) => (d.round ? `重放 ${d.round}` : "实时") },
      { title: "状态", render: (d) => h("span", { class: d.status === "delivered" ? "ok" : "warn" }, d.status === "delivered" ? "已送达" : "待投递") },
      { title: "尝试", key: "attempts" }, { title: "最近结果", render: (d) => d.last_error || (d.last_status_code ? `HTTP ${d.last_status_code}` : "") },
      { title: "下次尝试", render: (d) => (d.next_attempt_at ? new Date(d.next_attempt_at).toLocaleString("zh-CN") : "") },
    ], (p, after) => api("GET", `/api/webhooks/${hook.id}/deliveries?${query({ ...p, after, limit: 20 })}`), {
      filters: [{ name: "status", label: "状态", options: { "": "全部", pending: "待投递", delivered: "已送达" }, required: false }], idPrefix: "log" }));
  }

  // Paged by the gateway: an administrator lists every bureau's endpoints.
  const list = table([
    { title: "接收地址", render: (hook) => h("span", {}, hook.url, h("div", { class: "muted" }, hook.description)) },
    { title: "事件", render: (hook) => (hook.event_types.length ? `${hook.event_types.length} 类` : "全部可接收") },
    { title: "区域", render: (hook) => (hook.regions.length ? hook.regions.map(county).join("、") : "本级全部") },
    { title: "状态", render: (hook) => h("span", {}, h("span", { class: hook.status === "active" ? "ok" : "bad" }, HOOK_STATUS[hook.status]), hook.paused_reason ? h("div", { class: "bad wrap" }, hook.paused_reason) : null) },
    { title: "待投递", key: "pending" },
    { title: "操作", render: (hook) => {
      const since = h("input", { type: "date", class: "inline", value: today(), "aria-label": "重放起始日期" });
      return h("span", {},
        action(hook.status === "active" ? "暂停" : "恢复", async () => { await api("POST", `/api/webhooks/${hook.id}/${hook.status === "active" ? "pause" : "resume"}`); await list.reload(); }, { secondary: true }),
        action("投递记录", () => showLog(hook), { secondary: true }),
        h("span", {}, since, action("重放", async () => {
          const r = await api("POST", `/api/webhooks/${hook.id}/replays`, { since: since.value });
          alert(`将重新投递 ${r.deliveries} 条事件（事件ID不变）`); await list.reload();
        }, { secondary: true })),
        action("删除", async () => { if (confirm("删除该接收地址及其待投递记录？")) { await api("DELETE", `/api/webhooks/${hook.id}`); await list.reload(); } }, { secondary: true }));
    } },
  ], listed("/api/webhooks"), { filters: [{ name: "status", label: "状态", options: { "": "全部", ...HOOK_STATUS }, required: false }], empty: "尚未登记接收地址" });

  const createForm = form([
    { name: "url", label: "接收地址（http/https）", placeholder: "https://…" },
    { name: "description", label: "说明", required: false },
    { name: "secret", label: "签名密钥（可空，空则自动生成，至少24位）", required: false },
  ], "登记接收地址", async (v) => {
    const hook = await api("POST", "/api/webhooks", { url: v.url, description: v.description, secret: v.secret || null,
      event_types: checked(types, "type"), regions: checked(regions, "region") });
    created.replaceChildren(h("p", { class: "ok" }, "已登记。签名密钥只显示这一次，请妥善保存："), h("pre", { class: "secret" }, hook.secret),
      h("p", { class: "muted" }, "每次推送带 X-Tuoyu-Timestamp 与 X-Tuoyu-Signature（v1=HMAC-SHA256(密钥, 时间戳 + \".\" + 报文)），请校验签名并拒绝5分钟以前的时间戳。"));
    await list.reload();
  });
  createForm.prepend(types, regions);
  return h("section", {}, h("h2", {}, "事件推送（Webhook）"), list, h("h3", {}, "登记新的接收地址"), createForm, created, log);
}

function renderProfile(uscc) {
  const out = h("div");
  async function show(code) {
    out.replaceChildren(h("p", { class: "busy" }, "正在从各服务汇总…"));
    const p = await api("GET", `/api/institutions/${encodeURIComponent(code)}`);
    const s = p.sections;
    const status = (sec) => ({ ok: "", forbidden: "（无权查看）", not_found: "（无记录）", unavailable: "（服务暂不可用）" }[sec.status]);
    const reg = s.registration.data || {};
    out.replaceChildren(
      p.partial ? h("p", { class: "warn" }, `部分服务暂不可用：${p.unavailable.join("、")}`) : null,
      h("h3", {}, reg.name || code),
      h("dl", { class: "facts" }, h("dt", {}, "统一社会信用代码"), h("dd", {}, code), h("dt", {}, "性质"), h("dd", {}, NATURES[reg.nature] || ""),
        h("dt", {}, "所在地"), h("dd", {}, county(reg.county)), h("dt", {}, "地址"), h("dd", {}, reg.address || ""), h("dt", {}, "登记状态"), h("dd", {}, STATUS[reg.status] || ""),
        h("dt", {}, "信用"), h("dd", {}, s.credit.data ? `${label(CREDIT, s.credit.data.status)} ${s.credit.data.reasons.join("；")}` : status(s.credit)),
        h("dt", {}, "备案"), h("dd", {}, s.filings.data ? (s.filings.data.items.map((f) => STATUS[f.status]).join("、") || "未备案") : status(s.filings)),
        h("dt", {}, "人员配备"), h("dd", {}, s.staffing.data ? (s.staffing.data.compliant ? "达标" : s.staffing.data.gaps.join("；")) : status(s.staffing)),
        h("dt", {}, "检查"), h("dd", {}, s.inspections.data ? `${s.inspections.data.items.length} 次` : status(s.inspections)),
        h("dt", {}, "奖补"), h("dd", {}, s.applications.data ? s.applications.data.items.map((a) => `${label(PROGRAMMES, a.programme)} ${yuan(a.amount_fen)} ${STATUS[a.status]}`).join("；") || "无" : status(s.applications))));
  }
  const el = h("section", {}, h("h2", {}, "机构档案"), form([{ name: "uscc", label: "统一社会信用代码", value: uscc || "" }], "查询", (v) => show(v.uscc)), out);
  if (uscc) show(uscc).catch((e) => showError(out, e));
  return el;
}

// Accounts (DESIGN §6): created, disabled and enabled again, a password reset, by an administrator; each audited.
function renderAccounts() {
  let list;
  const create = form([
    { name: "username", label: "账号（小写字母、数字）" }, { name: "display_name", label: "名称" },
    { name: "kind", label: "类型", options: { person: "人员（密码登录）", system: "系统（客户端凭据）" } },
    { name: "department", label: "部门", options: DEPARTMENTS }, { name: "region", label: "区域", options: countyOptions(false) },
    { name: "role", label: "角色", options: ROLES }, { name: "secret", label: "初始密码或客户端密钥（至少12位）", type: "password" },
  ], "新建账号", async (v) => {
    await api("POST", "/auth/accounts", { username: v.username, display_name: v.display_name, kind: v.kind, department: v.department, region: v.region, roles: [v.role], secret: v.secret });
    await list.reload();
  });
  list = table([
    { title: "账号", key: "username" }, { title: "名称", key: "display_name" }, { title: "类型", render: (a) => (a.kind === "system" ? "系统" : "人员") },
    { title: "部门", render: (a) => `${county(a.region)}${label(DEPARTMENTS, a.department)}` }, { title: "角色", render: (a) => a.roles.map((r) => label(ROLES, r)).join("、") },
    { title: "状态", render: (a) => h("span", { class: a.disabled ? "bad" : "ok" }, a.disabled ? "已停用" : "正常") },
    { title: "操作", render: (a) => h("span", {},
      action(a.disabled ? "启用" : "停用", async () => { await api("POST", `/auth/accounts/${encodeURIComponent(a.username)}/${a.disabled ? "enable" : "disable"}`); await list.reload(); }, { secondary: true }),
      action("重置密码", async () => {
        const password = prompt(`${a.username} 的新密码（至少12位，该账号的登录将全部失效）`); if (!password) return;
        await api("POST", `/auth/accounts/${encodeURIComponent(a.username)}/password`, { new_password: password });
        alert("已重置");
      }, { secondary: true })) },
  ], listed("/auth/accounts"), { filters: [
    { name: "department", label: "部门", options: { "": "全部", ...DEPARTMENTS }, required: false },
    { name: "region", label: "区域", options: countyOptions(), required: false },
  ] });
  return h("div", {}, h("section", {}, h("h2", {}, "新建账号"), create), h("section", {}, h("h2", {}, "账号"), list));
}

// A changed password ends every sign-in of the account (DESIGN §6), this one too: sign in again with the new one.
function renderPassword() {
  const done = h("div");
  return h("section", {}, h("h2", {}, "修改密码"), form([
    { name: "old_password", label: "原密码", type: "password" },
    { name: "new_password", label: "新密码（至少12位）", type: "password" },
    { name: "repeated", label: "再次输入新密码", type: "password" },
  ], "修改", async (v) => {
    if (v.new_password !== v.repeated) throw new ApiError(422, { type: "urn:tuoyu:problem:validation", errors: [{ field: "repeated", rule: "same_as_new", message: "" }] });
    await api("POST", "/auth/password", { old_password: v.old_password, new_password: v.new_password });
    const r = await fetch("/auth/token", { method: "POST", body: new URLSearchParams({ grant_type: "password", username: session.who.username, password: v.new_password }) });
    if (!r.ok) { session.clear(); location.hash = "#/login"; return; }
    session.save(await r.json());
    done.replaceChildren(h("p", { class: "ok" }, "密码已修改，其他设备上的登录已失效。"));
  }), done);
}

function renderLogin() {
  return h("section", { id: "signin" }, h("h2", {}, "登录"), form([
    { name: "username", label: "账号" }, { name: "password", label: "密码", type: "password" },
  ], "登录", async (v) => {
    const r = await fetch("/auth/token", { method: "POST", body: new URLSearchParams({ grant_type: "password", username: v.username, password: v.password }) });
    const data = await r.json();
    if (!r.ok) throw new ApiError(r.status, data);
    session.save({ ...data, username: v.username });
    location.hash = "#/home";
  }));
}

// -- the frame -----------------------------------------------------------------------------
function route() {
  const [name, ...args] = location.hash.replace(/^#\//, "").split("/");
  const who = session.who;
  const main = $("main");
  const nav = $("nav");
  $("#who").textContent = who ? `${who.username || ""} · ${county(who.region)}${DEPARTMENTS[who.department] || ""}` : "";
  $("#logout").hidden = !who;
  if (!who || !session.token || name === "login") { nav.replaceChildren(); main.replaceChildren(renderLogin()); return; }
  nav.replaceChildren(...Object.entries(PAGES).filter(([, p]) => !p.hidden && allowed(p)).map(([k, p]) => h("a", { href: `#/${k}`, class: k === name ? "active" : null }, p.title)));
  const page = PAGES[name] || PAGES.home;
  main.replaceChildren(allowed(page) ? page.render(...args) : h("section", {}, h("p", { class: "bad" }, "无权访问该页面")));
}

window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", () => {
  $("#logout").addEventListener("click", async () => {
    const refreshToken = sessionStorage.getItem("refresh");
    if (refreshToken) await fetch("/auth/revoke", { method: "POST", body: new URLSearchParams({ token: refreshToken }) });
    session.clear(); location.hash = "#/login"; route();
  });
  route();
});
