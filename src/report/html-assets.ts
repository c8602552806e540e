// The HTML report's inline stylesheet and script. Kept apart from the markup so both stay readable;
// the script is static (its CSP hash is computed at render time) and never reads report data except from the DOM.

export const HTML_STYLE = `
:root {
  --bg: #f5f6f8; --card: #ffffff; --ink: #1d232b; --muted: #5b6572; --line: #dde1e7; --code-bg: #f1f3f6;
  --critical: #8b0f1f; --high: #c4291c; --medium: #b25400; --low: #1f5fae; --info: #5b6572;
  --pass: #1b7a3d; --fail: #c4291c; --skip: #6b7380; --error: #6d3fb0;
  --pass-bg: #e5f4ea; --fail-bg: #fbe7e5; --error-bg: #efe8fa; --skip-bg: #eef0f3;
  color-scheme: light dark;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #14181d; --card: #1c2128; --ink: #e6e9ed; --muted: #9aa4b1; --line: #313843; --code-bg: #232a33;
    --critical: #ff7b8a; --high: #ff8a7a; --medium: #f0a35a; --low: #7fb0f0; --info: #a3adba;
    --pass: #5fcf8a; --fail: #ff8a7a; --skip: #a3adba; --error: #c3a3f5;
    --pass-bg: #183524; --fail-bg: #3d1d1a; --error-bg: #2c2240; --skip-bg: #252b33;
  }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html { font-size: 15px; }
body { margin: 0; background: var(--bg); color: var(--ink); line-height: 1.5;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.86rem; }
code { background: var(--code-bg); padding: 0.05em 0.35em; border-radius: 4px; overflow-wrap: anywhere; }
pre { background: var(--code-bg); padding: 0.7rem 0.8rem; border-radius: 6px; margin: 0.3rem 0 0.6rem;
  white-space: pre-wrap; overflow-wrap: anywhere; max-height: 22rem; overflow: auto; }
pre code { background: none; padding: 0; }
a { color: var(--low); }
h1, h2, h3, h4, h5 { line-height: 1.25; margin: 0; }
h2 { font-size: 1.3rem; margin-bottom: 0.8rem; }
h3 { font-size: 1.05rem; }
h4 { font-size: 0.8rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); margin: 1rem 0 0.3rem; }
h5 { font-size: 0.78rem; color: var(--muted); margin: 0.2rem 0; font-weight: 600; }
main, .top, .toc, footer { max-width: 72rem; margin-left: auto; margin-right: auto; padding-left: 1.25rem; padding-right: 1.25rem; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 1.2rem 1.4rem; margin: 0 0 1.2rem; }
.muted, .lede { color: var(--muted); }
.lede { margin-top: 0; }
.k { display: inline-block; min-width: 5.5rem; font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
.sr { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }

/* Header and verdict */
.top { display: flex; gap: 1.4rem; align-items: flex-start; padding-top: 1.6rem; padding-bottom: 1rem; }
.verdict-badge { flex: none; font-size: 2.6rem; font-weight: 800; letter-spacing: 0.06em; color: #fff;
  padding: 0.55rem 1.3rem; border-radius: 10px; line-height: 1.1; }
.verdict-fail .verdict-badge { background: #c4291c; }
.verdict-pass .verdict-badge { background: #1b7a3d; }
.verdict-partial .verdict-badge, .verdict-incomplete .verdict-badge { background: #a15c00; }
.run-banner { max-width: 72rem; margin: 0 auto 0.8rem; padding: 0.7rem 1.25rem; border-left: 5px solid #a15c00;
  background: #fff4e0; color: #3d2600; font-weight: 600; }
.top h1 { font-size: 1.5rem; }
.verdict-line { margin: 0.25rem 0 0.7rem; font-size: 1.05rem; }
dl.meta { display: flex; flex-wrap: wrap; gap: 0.3rem 1.4rem; margin: 0; font-size: 0.9rem; }
dl.meta div { display: flex; gap: 0.4rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.toc { display: flex; flex-wrap: wrap; gap: 0.3rem 1.2rem; padding-bottom: 1rem; font-size: 0.92rem; }

/* At a glance */
.glance { display: grid; grid-template-columns: minmax(16rem, 1fr) minmax(18rem, 1.3fr); gap: 2rem; }
.glance h3 { font-size: 0.85rem; color: var(--muted); font-weight: 600; margin-bottom: 0.6rem; }
.tiles { display: grid; grid-template-columns: repeat(5, 1fr); gap: 0.5rem; }
.tile { border: 1px solid var(--line); border-top: 4px solid currentColor; border-radius: 8px; padding: 0.5rem 0.4rem; text-align: center; }
.tile-n { display: block; font-size: 1.7rem; font-weight: 700; }
.tile-l { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; }
.tile.zero { color: var(--muted); opacity: 0.75; }
.totals { margin: 0.9rem 0 0; font-size: 0.95rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.35rem 0.6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 0.78rem; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
table.grid td.n { text-align: right; font-variant-numeric: tabular-nums; width: 4rem; font-weight: 600; }
table.grid td.zero { color: var(--muted); font-weight: 400; opacity: 0.6; }
table.grid td.st-fail:not(.zero) { background: var(--fail-bg); }
table.grid td.st-error:not(.zero) { background: var(--error-bg); }
table.grid td.total { color: var(--muted); }
.scroll { overflow-x: auto; }

/* Colours */
.sev-critical { color: var(--critical); } .sev-high { color: var(--high); } .sev-medium { color: var(--medium); }
.sev-low { color: var(--low); } .sev-info { color: var(--info); }
.st-pass { color: var(--pass); } .st-fail { color: var(--fail); } .st-skip { color: var(--skip); } .st-error { color: var(--error); }
.pill { display: inline-block; font-size: 0.72rem; font-weight: 700; text-transform: uppercase; letter-spacing: 0.05em;
  padding: 0.1rem 0.5rem; border-radius: 999px; border: 1.5px solid currentColor; margin-right: 0.35rem; white-space: nowrap; }
.pill.quiet { font-weight: 600; border-width: 1px; }
.badge { display: inline-block; font-size: 0.72rem; font-weight: 700; padding: 0.1rem 0.5rem; border-radius: 4px; margin-right: 0.35rem; }
.badge-new { background: #c4291c; color: #fff; }
.badge-unchanged { background: var(--skip-bg); color: var(--ink); border: 1px solid var(--line); }
.badge-fixed { background: #1b7a3d; color: #fff; }
.badge-absent { background: var(--skip-bg); color: var(--muted); border: 1px dashed var(--line); }
.badge-updated { background: #a15c00; color: #fff; }
.skipped-line { margin: 0 0 0.7rem; }
.finding .route-count { font-weight: 700; margin-left: 0.4rem; }
.finding .small, td.small { font-size: 0.85rem; }
.finding .confirmed { font-weight: 600; color: var(--fail); }
.finding table.routes td { vertical-align: top; }
.finding .linked .reason { white-space: pre-line; }
.finding .linked { border-top: 1px dashed var(--line); padding-top: 0.4rem; margin-top: 0.4rem; }

/* Isolation matrix */
table.matrix { width: auto; min-width: 50%; }
table.matrix th .uid { display: block; font-weight: 400; text-transform: none; letter-spacing: 0; font-size: 0.72rem; }
table.matrix td.owner { color: var(--muted); }
td.mx-cell { text-align: center; font-weight: 700; font-variant-numeric: tabular-nums; min-width: 6rem; }
td.mx-enforced, .mx-legend.mx-enforced { background: var(--pass-bg); color: var(--pass); }
td.mx-bypassed, .mx-legend.mx-bypassed { background: var(--fail-bg); color: var(--fail); }
td.mx-error, .mx-legend.mx-error { background: var(--error-bg); color: var(--error); }
td.mx-none { color: var(--muted); }
.mx-exp { display: block; font-weight: 400; font-size: 0.72rem; color: var(--muted); }
.mx-legend { padding: 0.05rem 0.45rem; border-radius: 4px; font-weight: 600; font-size: 0.85rem; white-space: nowrap; }
.method { font-weight: 700; font-size: 0.8rem; letter-spacing: 0.03em; }

/* Filters */
.filters { display: flex; flex-wrap: wrap; gap: 0.6rem 1.2rem; align-items: flex-end; padding: 0.7rem 0.9rem; margin-bottom: 0.4rem;
  border: 1px solid var(--line); border-radius: 8px; background: var(--bg); position: sticky; top: 0; z-index: 2; }
.filters fieldset { border: 0; padding: 0; margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.7rem; align-items: center; }
.filters legend { font-size: 0.72rem; text-transform: uppercase; letter-spacing: 0.05em; color: var(--muted); padding: 0; margin-bottom: 0.15rem; float: left; width: 100%; }
.chk { font-size: 0.9rem; font-weight: 600; cursor: pointer; white-space: nowrap; }
select, button { font: inherit; font-size: 0.9rem; padding: 0.2rem 0.5rem; border-radius: 6px; border: 1px solid var(--line); background: var(--card); color: var(--ink); }
button { cursor: pointer; }
.shown { font-size: 0.85rem; color: var(--muted); margin: 0.2rem 0 0.8rem; }
.empty-note { color: var(--muted); font-style: italic; }

/* Findings */
.finding { border: 1px solid var(--line); border-left: 5px solid currentColor; border-radius: 8px; padding: 0.9rem 1.1rem 0.6rem; margin: 0 0 1rem; background: var(--card); }
.finding > * { color: var(--ink); }
.finding header { margin-bottom: 0.4rem; }
.finding .pills { display: flex; align-items: center; flex-wrap: wrap; gap: 0.2rem 0; margin-bottom: 0.35rem; }
.finding .pills .cat { font-size: 0.8rem; color: var(--muted); }
.finding h3 { font-size: 1.12rem; }
.finding .ids { margin: 0.25rem 0 0; }
.finding .reason { background: var(--fail-bg); padding: 0.5rem 0.75rem; border-radius: 6px; }
.finding.st-error .reason { background: var(--error-bg); }
.finding .cols { display: grid; grid-template-columns: 1fr 1fr; gap: 1.2rem; }
.finding .cols p { margin: 0; }
.finding .sends { font-size: 0.9rem; color: var(--muted); }
.finding .pills .pill.sev-critical { color: var(--critical); } .finding .pills .pill.sev-high { color: var(--high); }
.finding .pills .pill.sev-medium { color: var(--medium); } .finding .pills .pill.sev-low { color: var(--low); }
.finding .pills .pill.sev-info { color: var(--info); }
.finding .pills .pill.st-fail { color: var(--fail); } .finding .pills .pill.st-error { color: var(--error); }
details { margin: 0.3rem 0; }
details > summary { cursor: pointer; }
details.exchange { border: 1px solid var(--line); border-radius: 6px; padding: 0.35rem 0.7rem; }
details.exchange summary { display: flex; justify-content: space-between; gap: 1rem; font-size: 0.9rem; }
.x-label { font-weight: 600; overflow-wrap: anywhere; }
.x-line { white-space: nowrap; color: var(--muted); }
.x-status { font-weight: 700; color: var(--ink); }
.x-status.x-2xx { color: var(--fail); } .x-status.x-5xx { color: var(--error); }
.x-body { display: grid; grid-template-columns: 1fr 1fr; gap: 0.8rem; margin-top: 0.4rem; }
.x-body > div { min-width: 0; }
.variants ul, .notes { margin: 0.3rem 0; padding-left: 1.3rem; }
.variants summary { font-weight: 600; }
.variants-line { font-weight: 600; }
.repro { position: relative; }
.repro pre { padding-right: 5rem; }
.repro .copy { position: absolute; top: 0.45rem; right: 0.45rem; }
.acceptance { border-left: 4px solid #8a8a8a; padding-left: 0.6rem; }
.acceptance.expired { border-left-color: #c62828; }
.pill.st-accepted { background: #e0e0e0; color: #333; }
.refs a, .refs .ref { margin-right: 0.6rem; white-space: nowrap; }
.cx pre { max-height: 14rem; }
.url code { font-size: 0.82rem; }
code.small { font-size: 0.78rem; }
ul.fixed-list { padding-left: 1.2rem; }
ul.fixed-list li { margin: 0.25rem 0; }
table.compact td:first-child { white-space: nowrap; }
td.sev-text { color: var(--muted); font-size: 0.85rem; }
footer { color: var(--muted); font-size: 0.85rem; padding-bottom: 2rem; }

@media (max-width: 760px) {
  .glance, .finding .cols, .x-body { grid-template-columns: 1fr; }
  .top { flex-direction: column; }
  main, .top, .toc, footer { padding-left: 0.6rem; padding-right: 0.6rem; }
  section { padding: 0.9rem 0.8rem; }
  .tiles { gap: 0.3rem; }
  .tile { padding: 0.4rem 0.1rem; }
  .tile-n { font-size: 1.3rem; }
  .tile-l { font-size: 0.62rem; letter-spacing: 0; }
  .finding { padding: 0.8rem 0.7rem 0.5rem; }
  th, td { padding: 0.3rem 0.4rem; }
}
@media print {
  body { background: #fff; }
  .filters, .toc, .copy, .shown { display: none !important; }
  section, .finding { break-inside: avoid-page; border-color: #bbb; }
  .finding { break-inside: auto; }
  pre { max-height: none; overflow: visible; }
  a { color: inherit; }
  .refs a::after { content: " <" attr(href) ">"; font-size: 0.75rem; color: #555; white-space: normal; }
}
`;

export const HTML_SCRIPT = `
(function () {
  "use strict";
  var form = document.getElementById("filters");
  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-filterable]"));
  var shown = document.getElementById("shown-count");
  var findingsEmpty = document.getElementById("findings-empty");
  var othersEmpty = document.getElementById("others-empty");
  function checked(name) {
    var out = {};
    Array.prototype.forEach.call(form.querySelectorAll('input[name="' + name + '"]'), function (box) {
      if (box.checked) out[box.value] = true;
    });
    return out;
  }
  function apply() {
    if (!form) return;
    var severities = checked("severity");
    var statuses = checked("status");
    var category = form.querySelector("#filter-category").value;
    var findingsTotal = 0, findingsShown = 0, othersShown = 0;
    rows.forEach(function (el) {
      var visible = !!severities[el.getAttribute("data-severity")] && !!statuses[el.getAttribute("data-status")] &&
        (category === "" || el.getAttribute("data-category") === category);
      el.hidden = !visible;
      var isFinding = el.classList.contains("finding");
      if (isFinding) { findingsTotal++; if (visible) findingsShown++; } else if (visible) { othersShown++; }
    });
    if (shown) shown.textContent = "Showing " + findingsShown + " of " + findingsTotal + " findings.";
    if (findingsEmpty) findingsEmpty.hidden = findingsTotal === 0 || findingsShown > 0;
    if (othersEmpty) othersEmpty.hidden = othersShown > 0;
  }
  if (form) {
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(apply, 0); });
    apply();
  }
  Array.prototype.forEach.call(document.querySelectorAll("button.copy"), function (button) {
    button.addEventListener("click", function () {
      var code = button.parentNode.querySelector("code");
      var text = code.textContent;
      var id = code.getAttribute("data-replay-id");
      if (id !== null) {
        // authproof replay <this report's report.json> <result id>: the page knows where it was opened from.
        var here = location.protocol === "file:" ? decodeURIComponent(location.pathname).replace(/[^/]*$/, "") : "";
        var quote = function (s) { return "'" + s.replace(/'/g, "'\\\\''") + "'"; };
        text = "authproof replay " + quote(here + "report.json") + " " + quote(id);
      }
      function done(label) { button.textContent = label; setTimeout(function () { button.textContent = "Copy"; }, 1500); }
      function fallback() {
        var range = document.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        try { done(document.execCommand("copy") ? "Copied" : "Selected"); } catch (e) { done("Selected"); }
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { done("Copied"); }, fallback);
      } else {
        fallback();
      }
    });
  });
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
`;
