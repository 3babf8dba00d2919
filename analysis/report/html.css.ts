/**
 * report.html's one style sheet, inline in the page (no fonts or images to fetch: system fonts only).
 * Readable tables that scroll sideways on a narrow screen instead of squeezing, findings marked by
 * severity with colour and the word itself (so they survive a black-and-white print), charts that
 * shrink to the width of the page.
 */
export const REPORT_CSS = `
:root {
  --fg: #1f2328; --muted: #59636e; --border: #d1d9e0; --shade: #f6f8fa; --link: #0550ae;
  --info: #0969da; --info-bg: #ddf4ff; --warn: #9a6700; --warn-bg: #fff8c5; --fail: #cf222e; --fail-bg: #ffebe9;
}
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 72rem; margin: 0 auto; padding: 1.5rem 1.25rem 3rem; }
h1 { font-size: 1.8rem; line-height: 1.25; margin: 0 0 1rem; }
h2 { font-size: 1.35rem; margin: 2.5rem 0 0.75rem; padding-bottom: 0.25rem; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.05rem; margin: 1.5rem 0 0.5rem; }
p, ul { margin: 0.6rem 0; }
a { color: var(--link); }
code { font: 0.85em/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; background: var(--shade); padding: 0.1em 0.3em; border-radius: 4px; }
p code, li code { overflow-wrap: anywhere; }
.table-wrap { overflow-x: auto; margin: 0.75rem 0; }
table { border-collapse: collapse; font-size: 0.875rem; font-variant-numeric: tabular-nums; }
th, td { border: 1px solid var(--border); padding: 0.3rem 0.6rem; vertical-align: top; text-align: left; }
th { background: var(--shade); font-weight: 600; }
tbody tr:nth-child(even) { background: #fbfcfd; }
th[align="right"], td[align="right"] { text-align: right; white-space: nowrap; }
ul.findings { list-style: none; padding: 0; }
li.finding { margin: 0.4rem 0; padding: 0.4rem 0.75rem; border-left: 4px solid var(--c); background: var(--c-bg); border-radius: 0 4px 4px 0; }
li.finding > strong.severity { color: var(--c); text-transform: uppercase; font-size: 0.75rem; letter-spacing: 0.05em; }
.finding-info { --c: var(--info); --c-bg: var(--info-bg); }
.finding-warn { --c: var(--warn); --c-bg: var(--warn-bg); }
.finding-fail { --c: var(--fail); --c-bg: var(--fail-bg); }
figure.chart { margin: 1.25rem 0; }
figure.chart svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 0.35rem; font-size: 0.875rem; color: var(--muted); }
@media (max-width: 40rem) {
  body { font-size: 15px; }
  main { padding: 1rem 0.75rem 2rem; }
  h1 { font-size: 1.5rem; }
}
@media print {
  body { font-size: 10.5pt; }
  main { max-width: none; padding: 0; }
  h2 { break-after: avoid; }
  figure.chart, li.finding, tr { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  li.finding { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  a { color: inherit; }
}
`;
