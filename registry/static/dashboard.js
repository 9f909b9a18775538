/* The indicators dashboard: draws /api/v1/indicators/* with Apache ECharts (vendored, SVG renderer).
 * Thai / English switch without reload; click a sector for the agencies missing; downloads. */
(function () {
  "use strict";
  const config = JSON.parse(document.getElementById("dashboard-config").textContent);
  const FONT = '"Noto Sans Thai", "Sarabun", "Loma", "Garuda", "DejaVu Sans", sans-serif';
  const INK = "#1b1f24", OBSERVED = "#0b5cad", DECLARED = "#b9cde6", TARGET = "#a32020", REVISION = "#7fa7d6";
  const TEXT = {
    th: {
      title: "ตัวชี้วัดที่ 15 และ 16", subtitle: "มาตรฐานที่ประกาศใช้ และหน่วยงานที่แลกเปลี่ยนข้อมูลด้วยมาตรฐานกลาง",
      year: "ปี", calendar: "ปฏิทิน", calendar_year: "ปีปฏิทิน", fiscal_year: "ปีงบประมาณ (ต.ค.–ก.ย.)",
      h15: "ตัวชี้วัดที่ 15 มาตรฐานที่ประกาศใช้ต่อปี", h16: "ตัวชี้วัดที่ 16 หน่วยงานที่แลกเปลี่ยนข้อมูลด้วยมาตรฐานกลาง",
      h16trend: "ตัวชี้วัดที่ 16 แนวโน้มอัตราที่เกิดขึ้นจริง", download: "ดาวน์โหลด", csv_all_years: "CSV ทุกปี",
      click_hint: "คลิกสาขาในกราฟหรือในตาราง เพื่อดูหน่วยงานที่ยังไม่แลกเปลี่ยนข้อมูล", sector: "สาขา", agencies: "หน่วยงาน",
      declared: "ตามที่แจ้ง", observed: "เกิดขึ้นจริง (ตัวเลขหลัก)", target: "เป้าหมาย", met: "ผล", code: "รหัส", agency: "หน่วยงาน",
      state: "สถานะ", new_standards: "มาตรฐานใหม่", revisions: "ฉบับปรับปรุง", versions: "จำนวนประกาศ", yes: "บรรลุ", no: "ไม่บรรลุ",
      as_of: "ณ เวลา", checkpoint: "จุดตรวจสอบบันทึก", entries: "รายการ", demo: "ข้อมูลสาธิต",
      missing_title: (s, p) => `${s}: หน่วยงานที่ยังไม่แลกเปลี่ยนข้อมูล ${p}`,
      missing_summary: (n, o, a) => `${n} หน่วยงานยังไม่มีการแลกเปลี่ยนที่เกิดขึ้นจริง (เกิดขึ้นจริง ${o} จาก ${a})`,
      declared_only: "แจ้งการเชื่อมโยงแล้ว แต่ไม่มีการบันทึกเหตุการณ์", no_link: "ยังไม่มีการเชื่อมโยงที่มีผล", none_missing: "ทุกหน่วยงานแลกเปลี่ยนข้อมูลแล้ว",
      yearLabel: (p) => `${p.be} (ค.ศ. ${p.ce})`,
      published_mark: "เผยแพร่แล้ว", g2b: "รัฐ–เอกชน (G2B)", no_standard: "ไม่มีมาตรฐานในแค็ตตาล็อก", revised: "ตัวเลขปรับปรุง (ยังไม่เผยแพร่)", national: "รวมทุกสาขาสำคัญ (ระดับประเทศ)",
      published_on: (when, seq) => `ตัวเลขที่เผยแพร่แล้ว เมื่อ ${when} (บันทึกลำดับที่ ${seq}): ตัวเลขของปีนี้คือตัวเลขที่เผยแพร่`,
      revised_note: "ข้อมูลในทะเบียนเปลี่ยนไปหลังการเผยแพร่: ตัวเลขที่คำนวณใหม่แสดงไว้ข้างตัวเลขที่เผยแพร่ ไม่ได้แทนที่",
      not_published: "ยังไม่เผยแพร่: ตัวเลขคำนวณจากทะเบียน ณ ขณะนี้",
    },
    en: {
      title: "Indicators 15 and 16", subtitle: "Standards announced, and agencies exchanging data under common standards",
      year: "Year", calendar: "Calendar", calendar_year: "calendar year", fiscal_year: "fiscal year (Oct–Sep)",
      h15: "Indicator 15: standards announced per year", h16: "Indicator 16: agencies exchanging under common standards",
      h16trend: "Indicator 16: observed rate over the years", download: "Download", csv_all_years: "CSV, all years",
      click_hint: "Click a sector in the chart or the table to see the agencies not yet exchanging.", sector: "Sector", agencies: "Agencies",
      declared: "Declared", observed: "Observed (headline)", target: "Target", met: "Met", code: "Code", agency: "Agency",
      state: "State", new_standards: "new standards", revisions: "revisions", versions: "announcements", yes: "met", no: "not met",
      as_of: "as of", checkpoint: "log checkpoint", entries: "entries", demo: "DEMO DATA",
      missing_title: (s, p) => `${s}: agencies not yet exchanging, ${p}`,
      missing_summary: (n, o, a) => `${n} agencies with no observed exchange (observed ${o} of ${a})`,
      declared_only: "link declared, nothing logged", no_link: "no link in force", none_missing: "Every agency exchanges data.",
      yearLabel: (p) => `${p.ce} (BE ${p.be})`,
      published_mark: "published", g2b: "Gov–business (G2B)", no_standard: "No catalog standard", revised: "Revised (not published)", national: "All key sectors (national)",
      published_on: (when, seq) => `Published figures, published ${when} (log entry ${seq}): these are the year's figures`,
      revised_note: "The registry changed after publication: the recomputed figures are shown beside the published ones, not in their place",
      not_published: "Not published: figures computed from the registry as it is now",
    },
  };
  const state = { lang: config.lang === "en" ? "en" : "th", trend: null, year: config.year || null, fiscal: !!config.fiscal, sector: null, drill: null };
  const charts = {};
  const $ = (id) => document.getElementById(id);
  const t = (key) => TEXT[state.lang][key];
  // A rate as every output shows it (registry/reporting/percent.py): one decimal of a percent, half away from zero.
  // The API's rates are already so (0.824 for 14/17): this only formats them. A rate computed here from published
  // counts is snapped to 12 digits first, so that an exact half (1/16 = 6.25%) is not lost to the float's error.
  const pct = (r) => {
    if (r === null || r === undefined) return "–";
    const tenths = Math.round(Number((Math.abs(r) * 1000).toPrecision(12)));
    return `${(Math.sign(r) * tenths / 10).toFixed(1)}%`;
  };
  const periodLabel = (p) => (state.lang === "th" ? p.label_th : p.label_en);
  const sectorName = (s) => (state.lang === "th" ? s.name_th : s.name_en);

  function chart(id) {
    if (!charts[id]) {
      charts[id] = echarts.init($(id), null, { renderer: "svg" });
      window.addEventListener("resize", () => charts[id].resize());
    }
    return charts[id];
  }

  async function fetchJson(url) {
    const got = await fetch(url);
    const body = await got.json();
    if (!got.ok) throw new Error(body.message || got.statusText);
    return body;
  }

  function query(extra) {
    const params = new URLSearchParams(extra || {});
    params.set("fiscal", state.fiscal ? "true" : "false");  // the API's default is fiscal: say calendar too
    return params.toString();
  }

  async function load() {
    try {
      $("error").hidden = true;
      state.trend = await fetchJson(`/api/v1/indicators/trend?${query({ to: String(config.currentYear) })}`);
      const years = state.trend.years.map((y) => y.period.ce);
      if (!state.year || !years.includes(Number(state.year))) state.year = latestWithData(state.trend);
      render();
    } catch (err) {
      $("error").textContent = String(err.message || err);
      $("error").hidden = false;
    }
  }

  function latestWithData(trend) {
    // the latest year in which anything was observed: a new year with no events yet is not a useful first view
    for (let i = trend.years.length - 1; i >= 0; i--) {
      if (trend.years[i].indicator16.sectors.some((s) => s.observed > 0)) return trend.years[i].period.ce;
    }
    return trend.years[trend.years.length - 1].period.ce;
  }

  function current() {
    return state.trend.years.find((y) => y.period.ce === Number(state.year));
  }

  function render() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
    document.querySelectorAll(".lang-switch button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === state.lang)));
    const select = $("year");
    select.innerHTML = "";
    for (const y of state.trend.years) {
      const label = t("yearLabel")(y.period) + (y.published ? ` ✓ ${t("published_mark")}` : "");
      const option = new Option(label, String(y.period.ce), false, y.period.ce === Number(state.year));
      select.add(option);
    }
    const prov = state.trend.provenance;
    const root = (prov.checkpoint.root || "–").slice(0, 16);
    $("provenance").textContent = `${state.trend.demo ? t("demo") + " · " : ""}${t("as_of")} ${prov.as_of} · ${t("checkpoint")} ${prov.checkpoint.size} ${t("entries")} (root ${root}…)`;
    const defs = state.trend.definitions;
    $("def15").textContent = defs.indicator15[state.lang];
    $("def16").textContent = defs.indicator16[state.lang];
    $("defnostd").textContent = defs.no_standard[state.lang];
    $("defperiod").textContent = defs.period[state.lang];
    $("defprov").textContent = defs.provenance[state.lang];
    const year = current();
    const fiscal = state.fiscal ? "&fiscal=true" : "&fiscal=false";
    $("csv-year").href = `/api/v1/indicators?year=${year.period.ce}&format=csv${fiscal}`;
    $("json-year").href = `/api/v1/indicators?year=${year.period.ce}${fiscal}`;
    $("json-year").setAttribute("download", `indicators-${year.period.be}.json`);
    const years = state.trend.years;
    $("csv-trend").href = `/api/v1/indicators/trend?from=${years[0].period.ce}&to=${years[years.length - 1].period.ce}&format=csv${fiscal}`;
    publicationNote(year);
    draw15();
    draw16(year);
    drawTrend();
    sectorTable(year);
    if (state.sector) drill(state.sector);
  }

  const base = () => ({
    animation: false,
    textStyle: { fontFamily: FONT, color: INK },
    tooltip: { trigger: "axis" },
    grid: { left: 56, right: 24, top: 48, bottom: 64, containLabel: true },
    aria: { enabled: true, decal: { show: true } }, // patterns as well as colours: readable in greyscale print
  });

  function option15() {
    const years = state.trend.years;
    return Object.assign(base(), {
      legend: { top: 8, textStyle: { fontFamily: FONT } },
      xAxis: { type: "category", data: years.map((y) => (state.lang === "th" ? `${y.period.be}\n${y.period.ce}` : `${y.period.ce}\n${y.period.be}`)) },
      yAxis: { type: "value", name: t("versions"), minInterval: 1 },
      series: [
        { name: t("new_standards"), type: "bar", stack: "n", itemStyle: { color: OBSERVED, borderColor: INK }, data: years.map((y) => y.indicator15.new) },
        { name: t("revisions"), type: "bar", stack: "n", itemStyle: { color: REVISION, borderColor: INK },
          label: { show: true, position: "top", formatter: (p) => years[p.dataIndex].indicator15.headline }, data: years.map((y) => y.indicator15.revisions) },
        { name: t("target"), type: "line", step: "middle", symbol: "none", connectNulls: false, lineStyle: { color: TARGET, type: "dashed", width: 2 },
          itemStyle: { color: TARGET }, data: years.map((y) => y.indicator15.target) },
      ],
    });
  }

  function option16(year) {
    const sectors = year.indicator16.sectors.map((s) => headline(year, s));
    return Object.assign(base(), {
      title: { text: periodLabel(year.period), left: "right", textStyle: { fontSize: 13, fontFamily: FONT } },
      legend: { top: 8, left: 8, textStyle: { fontFamily: FONT } },
      xAxis: { type: "category", data: sectors.map(sectorName), axisLabel: { interval: 0, rotate: 25, fontFamily: FONT } },
      yAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      tooltip: { trigger: "axis", valueFormatter: (v) => pct(v) },
      series: [
        { name: t("declared"), type: "bar", itemStyle: { color: DECLARED, borderColor: INK }, data: sectors.map((s) => s.declared_rate) },
        { name: t("observed"), type: "bar", itemStyle: { color: OBSERVED, borderColor: INK },
          label: { show: true, position: "top", formatter: (p) => pct(p.value) }, data: sectors.map((s) => s.observed_rate) },
        { name: t("target"), type: "line", symbol: "none", lineStyle: { color: TARGET, type: "dashed", width: 2 }, itemStyle: { color: TARGET },
          data: sectors.map((s) => s.target) },
      ],
    });
  }

  function optionTrend() {
    // up to the latest year with anything observed: a year just begun would read as a collapse
    const last = latestWithData(state.trend);
    const years = state.trend.years.filter((y) => y.period.ce <= last);
    const target = state.trend.config.indicator16_target;
    const series = state.trend.key_sectors.map((s) => ({
      name: sectorName(s), type: "line", symbolSize: 6, connectNulls: false,
      data: years.map((y) => {
        const found = y.indicator16.sectors.find((x) => x.sector === s.sector);
        return found ? headline(y, found).observed_rate ?? null : null;  // a published year draws its published rate
      }),
    }));
    series.push({ name: `${t("target")} ${Math.round(target * 100)}%`, type: "line", symbol: "none", lineStyle: { color: TARGET, type: "dashed", width: 2 },
      itemStyle: { color: TARGET }, data: years.map(() => target) });
    return Object.assign(base(), {
      legend: { top: 8, type: "scroll", textStyle: { fontFamily: FONT } },
      xAxis: { type: "category", data: years.map((y) => (state.lang === "th" ? `${y.period.be}` : `${y.period.ce}`)) },
      yAxis: { type: "value", max: 1, axisLabel: { formatter: (v) => `${Math.round(v * 100)}%` } },
      tooltip: { trigger: "axis", valueFormatter: (v) => pct(v) },
      series,
    });
  }

  function draw15() { chart("chart15").setOption(option15(), true); }

  function draw16(year) {
    const c = chart("chart16");
    c.setOption(option16(year), true);
    c.off("click");
    c.on("click", (params) => drill(year.indicator16.sectors[params.dataIndex].sector));
  }

  function drawTrend() { chart("trend16").setOption(optionTrend(), true); }

  /* A sector's figures as the year stands: the published counts where the year was published, else the computed ones. */
  function headline(year, s) {
    const pub = year.published && year.published.sectors[s.sector];
    if (!pub) return s;
    const rate = (n) => (pub.agencies ? n / pub.agencies : null);
    const observed = rate(pub.observed);
    return Object.assign({}, s, { agencies: pub.agencies, declared: pub.declared, observed: pub.observed,
      declared_rate: rate(pub.declared), observed_rate: observed, met: observed === null ? null : observed >= s.target - 1e-12,
      revisedFrom: s });
  }

  // a day as people write it: "15 มิ.ย. 2564" (Thai locale, Buddhist Era) or "15 Jun 2021"
  const day = (iso) => new Date(iso).toLocaleDateString(state.lang === "th" ? "th-TH" : "en-GB",
    { day: "numeric", month: "short", year: "numeric", timeZone: "Asia/Bangkok" });

  function publicationNote(year) {
    const note = $("publication");
    note.className = year.published ? (year.revised ? "publication revised" : "publication published") : "publication";
    note.textContent = year.published
      ? t("published_on")(day(year.published.published_at), year.published.log_entry) + (year.revised ? ` — ${t("revised_note")}` : "")
      : t("not_published");
    $("revised-head").hidden = !year.revised;
  }

  function sectorRow(year, computed, isNational) {
    const s = headline(year, computed);
    const tr = document.createElement("tr");
    tr.dataset.sector = s.sector;
    if (s.sector === state.sector) tr.className = "chosen";
    let name;
    if (isNational) {
      name = document.createElement("strong");
      name.textContent = t("national");
      tr.classList.add("national");
    } else {
      name = document.createElement("button");
      name.type = "button";
      name.textContent = sectorName(s);
      name.dataset.sector = s.sector;
      name.addEventListener("click", () => drill(s.sector));
    }
    const c = s.revisedFrom;
    const differs = c && (c.agencies !== s.agencies || c.declared !== s.declared || c.observed !== s.observed);
    const cells = [name, String(s.agencies), `${s.declared} (${pct(s.declared_rate)})`, `${s.observed} (${pct(s.observed_rate)})`,
      isNational ? "–" : `${Math.round(s.target * 100)}%`, isNational || s.met === null ? "–" : t(s.met ? "yes" : "no"),
      `${computed.g2b_observed} / ${computed.g2b_declared}`,
      // beside the indicator, never in it: units exchanging only over links declared without a catalog standard
      `${computed.no_standard_observed} / ${computed.no_standard_declared}`];
    if (year.revised) cells.push(differs ? `${c.observed}/${c.agencies} (${pct(c.observed_rate)})` : "=");
    cells.forEach((value, i) => {
      const td = document.createElement("td");
      if (i > 0 && i !== 5) td.className = "num";
      if (i === 5 && s.met !== null && !isNational) td.className = s.met ? "met-yes" : "met-no";
      if (i === 7) td.classList.add("no-standard-cell");
      if (i === 8) td.classList.add("revised-cell");
      if (value instanceof Node) td.appendChild(value); else td.textContent = value;
      tr.appendChild(td);
    });
    return tr;
  }

  function sectorTable(year) {
    const rows = $("sector-rows");
    rows.innerHTML = "";
    for (const s of year.indicator16.sectors) rows.appendChild(sectorRow(year, s, false));
    rows.appendChild(sectorRow(year, year.indicator16.national, true));
  }

  async function drill(sector) {
    state.sector = sector;
    const year = current();
    const fiscal = state.fiscal ? "&fiscal=true" : "&fiscal=false";
    document.querySelectorAll("#sector-rows tr").forEach((tr) => tr.classList.toggle("chosen", tr.dataset.sector === sector));
    try {
      const found = await fetchJson(`/api/v1/indicators/sectors/${encodeURIComponent(sector)}?year=${year.period.ce}${fiscal}`);
      const s = found.sector;
      $("drill-title").textContent = t("missing_title")(sectorName(s), periodLabel(found.period));
      $("drill-summary").textContent = found.missing.length ? t("missing_summary")(found.missing.length, s.observed, s.agencies) : t("none_missing");
      $("csv-drill").href = `/api/v1/indicators/sectors/${encodeURIComponent(sector)}?year=${year.period.ce}&format=csv${fiscal}`;
      const rows = $("drill-rows");
      rows.innerHTML = "";
      for (const m of found.missing) {
        const tr = document.createElement("tr");
        for (const value of [m.code, state.lang === "th" ? `${m.name_th} · ${m.name_en}` : `${m.name_en} · ${m.name_th}`, t(m.declared ? "declared_only" : "no_link")]) {
          const td = document.createElement("td");
          td.textContent = value;
          tr.appendChild(td);
        }
        rows.appendChild(tr);
      }
      $("drill").hidden = false;
    } catch (err) {
      $("error").textContent = String(err.message || err);
      $("error").hidden = false;
    }
  }

  function save(name, blob) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.appendChild(a);
    a.click();
    setTimeout(() => { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  }

  function exportChart(id, type) {
    const year = current();
    const name = `${id}-${year.period.be}.${type}`;
    const c = chart(id);
    if (type === "svg") {
      save(name, new Blob([c.renderToSVGString()], { type: "image/svg+xml" }));
      return;
    }
    // PNG: the same option drawn once more on an off-screen canvas, at twice the resolution
    const box = document.createElement("div");
    box.style.cssText = `position:absolute;left:-10000px;width:${$(id).clientWidth}px;height:${$(id).clientHeight}px`;
    document.body.appendChild(box);
    const off = echarts.init(box, null, { renderer: "canvas" });
    off.setOption(c.getOption());
    const url = off.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
    off.dispose();
    box.remove();
    fetch(url).then((r) => r.blob()).then((blob) => save(name, blob));
  }

  document.querySelectorAll(".lang-switch button").forEach((b) => b.addEventListener("click", () => {
    state.lang = b.dataset.lang;
    const url = new URL(window.location.href);
    url.searchParams.set("lang", state.lang);
    window.history.replaceState(null, "", url);
    if (state.trend) render();
  }));
  // the address keeps the view: a link to it opens the same year, calendar and language
  function remember() {
    const url = new URL(window.location.href);
    url.searchParams.set("year", String(state.year));
    url.searchParams.set("fiscal", state.fiscal ? "true" : "false");
    window.history.replaceState(null, "", url);
  }
  $("year").addEventListener("change", (e) => { state.year = Number(e.target.value); remember(); render(); });
  $("calendar").addEventListener("change", (e) => { state.fiscal = e.target.value === "fiscal"; remember(); load(); });
  document.querySelectorAll("[data-export]").forEach((b) => b.addEventListener("click", () => exportChart(b.dataset.export, b.dataset.type)));
  window.matchMedia("print").addEventListener("change", () => Object.values(charts).forEach((c) => c.resize()));
  load();
})();
