#!/usr/bin/env node
// Render TeX with KaTeX, as a Markdown viewer (Obsidian, a Jekyll site with KaTeX) would.
//
// Usage: node tests/katex_render.js KATEX_DIR < list.json
//   KATEX_DIR: a directory holding node_modules/katex (e.g. .ci-cache/katex).
//   stdin: a JSON list of TeX strings, each rendered in display mode.
// Exit 0 when every expression renders; 1 with the first failing expression and KaTeX's
// message on stderr; 2 on a usage error (no KaTeX, input not a JSON list of strings).
// strict: "error" turns KaTeX's LaTeX-compatibility warnings into failures, so what passes
// here is also valid LaTeX (not only something KaTeX tolerates).
"use strict";

const path = require("path");

function main() {
  const dir = process.argv[2];
  if (!dir) {
    process.stderr.write("usage: node katex_render.js KATEX_DIR < list.json\n");
    return 2;
  }
  let katex;
  try {
    katex = require(require.resolve("katex", { paths: [path.resolve(dir)] }));
  } catch (err) {
    process.stderr.write(`cannot load katex from ${dir}: ${err.message}\n`);
    return 2;
  }
  const input = require("fs").readFileSync(0, "utf8");
  let items;
  try {
    items = JSON.parse(input);
  } catch (err) {
    process.stderr.write(`stdin is not JSON: ${err.message}\n`);
    return 2;
  }
  if (!Array.isArray(items) || !items.every((t) => typeof t === "string")) {
    process.stderr.write("stdin must be a JSON list of strings\n");
    return 2;
  }
  for (let n = 0; n < items.length; n++) {
    try {
      katex.renderToString(items[n], { displayMode: true, throwOnError: true, strict: "error" });
    } catch (err) {
      process.stderr.write(`KaTeX ${katex.version} failed on expression ${n}: ${err.message}\n---\n${items[n]}\n---\n`);
      return 1;
    }
  }
  process.stdout.write(`KaTeX ${katex.version}: rendered ${items.length} expressions\n`);
  return 0;
}

process.exitCode = main();
