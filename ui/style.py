"""How the UI looks and behaves in the browser: the theme, the CSS and a small script.

Colours meet WCAG AA (4.5:1 for text) in the light and the dark theme, which Gradio picks from the
system setting; the browser tests measure them. The script makes `[n]` markers in answers open their
passage, gives chat messages plain-text accessible names, shows the start of a new answer rather than
its end, and scrolls an opened passage to its quote.
"""

from __future__ import annotations

import gradio as gr

THEME = gr.themes.Default(primary_hue="blue", secondary_hue="blue", neutral_hue="zinc").set(
    button_primary_background_fill="*primary_700",
    button_primary_background_fill_dark="*primary_700",
    button_primary_background_fill_hover="*primary_800",
    button_primary_background_fill_hover_dark="*primary_800",
    button_primary_text_color="white",
    button_primary_text_color_dark="white",
    link_text_color="*primary_700",
    link_text_color_dark="*primary_300",
    link_text_color_visited="*primary_800",
    link_text_color_visited_dark="*primary_200",
    link_text_color_hover="*primary_800",
    link_text_color_hover_dark="*primary_200",
    body_text_color_subdued="*neutral_600",
    body_text_color_subdued_dark="*neutral_300",
    input_placeholder_color="*neutral_500",
    input_placeholder_color_dark="*neutral_400",
)

CSS = """
:root { --pk-meta: #52525b; --pk-mark-bg: #ffe58a; --pk-mark-fg: #1b1b1b; --pk-focus: #1d4ed8;
        --pk-accent: #1d4ed8; --pk-bar: #1d4ed8; --pk-panel: rgba(29, 78, 216, 0.06); }
.dark { --pk-meta: #c4c4cc; --pk-mark-bg: #ffe58a; --pk-mark-fg: #1b1b1b; --pk-focus: #93b4ff;
        --pk-accent: #93b4ff; --pk-bar: #6f95ff; --pk-panel: rgba(147, 180, 255, 0.08); }
h1#page-title { font-size: 1.6rem; line-height: 1.25; margin: 0; }
#page-intro p { margin: 0; color: var(--pk-meta); }
@media (max-width: 600px) { h1#page-title { font-size: 1.15rem; } }
:focus-visible { outline: 3px solid var(--pk-focus) !important; outline-offset: 2px !important; }
.meta { color: var(--pk-meta); font-size: 0.9em; }
mark, .passage-box mark, .result mark { background: var(--pk-mark-bg); color: var(--pk-mark-fg); padding: 0 2px; }
.chips .wrap { gap: 6px; }
.chips label { border-radius: 999px !important; padding: 2px 12px !important; }
.passage-box { border-left: 4px solid var(--pk-accent); padding: 8px 12px; background: var(--pk-panel);
               scroll-margin-top: 1rem; }
.passage-box h2 { font-size: 1.1rem; margin: 0 0 4px; }
.passage-box ul { margin: 0.25rem 0 0.5rem 1.25rem; }
.passage-box h3 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.passage-table { border-collapse: collapse; display: block; overflow-x: auto; margin: 0.5rem 0; }
.passage-table td { border: 1px solid var(--pk-meta); padding: 2px 8px; vertical-align: top; }
.passage-box .path { font-weight: 600; }
button.cite { font: inherit; color: var(--pk-accent); background: none; border: none; padding: 0 1px;
              text-decoration: underline; cursor: pointer; }
.result { border-bottom: 1px solid #ddd; padding: 8px 0; }
#library-table, #library-table * { font-family: var(--font) !important; font-size: var(--text-md); }
.bars { display: grid; grid-template-columns: minmax(6rem, max-content) 1fr; gap: 4px 8px; align-items: center; }
.bars .bar { background: var(--pk-bar); height: 1.1rem; min-width: 2px; }
.bars .axis { grid-column: 2; position: relative; height: 1.2rem; border-top: 1px solid var(--pk-meta); }
.bars .tick { position: absolute; transform: translateX(-50%); font-size: 0.8em; color: var(--pk-meta); }
.bars .row { display: flex; align-items: center; gap: 6px; }
.counts table { border-collapse: collapse; } .counts td, .counts th { padding: 2px 10px; text-align: left; }
.report ul { margin: 0.25rem 0 0.5rem 1.25rem; }
#upload-progress progress { width: 100%; height: 1rem; }
"""

SCRIPT = """
<script>
(() => {
  const CITE = /\\[(\\d{1,3})\\]/g;

  function linkCitations(message) {
    const walker = document.createTreeWalker(message, NodeFilter.SHOW_TEXT);
    const found = [];
    while (walker.nextNode()) {
      const node = walker.currentNode;
      CITE.lastIndex = 0;
      if (CITE.test(node.data) && !node.parentElement.closest("button")) found.push(node);
    }
    for (const node of found) {
      const parts = document.createDocumentFragment();
      let last = 0;
      node.data.replace(CITE, (match, n, at) => {
        parts.append(node.data.slice(last, at));
        const button = document.createElement("button");
        button.type = "button";
        button.className = "cite";
        button.dataset.cite = n;
        button.textContent = match;
        button.title = "Open passage " + n;
        parts.append(button);
        last = at + match.length;
      });
      parts.append(node.data.slice(last));
      node.replaceWith(parts);
    }
  }

  function plainNames(chat) {
    for (const message of chat.querySelectorAll("[aria-label*=\\"'s message: \\"]")) {
      const label = message.getAttribute("aria-label");
      const name = label.slice(0, label.indexOf(": ") + 2) + message.innerText.replace(/\\s+/g, " ").trim();
      if (label !== name) message.setAttribute("aria-label", name);
    }
  }

  function scrollable(element) {
    for (let e = element.parentElement; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (/(auto|scroll)/.test(style.overflowY) && e.scrollHeight > e.clientHeight) return e;
    }
    return null;
  }

  let questions = 0;
  function showNewAnswer(chat) {
    const asked = chat.querySelectorAll("[data-testid='user']");
    if (asked.length <= questions) { questions = asked.length; return; }
    questions = asked.length;
    const question = asked[asked.length - 1];
    const box = scrollable(question);
    if (box) box.scrollTop += question.getBoundingClientRect().top - box.getBoundingClientRect().top - 8;
    const top = chat.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight / 2) chat.scrollIntoView({ block: "start" });
  }

  let lastMark = null;
  function showQuote() {
    const mark = document.querySelector("#passage-view mark");
    if (mark && mark !== lastMark) mark.scrollIntoView({ block: "center" });
    lastMark = mark;
  }

  function update() {
    const chat = document.getElementById("chat");
    if (chat) {
      chat.querySelectorAll("[data-testid='bot']").forEach(linkCitations);
      plainNames(chat);
      showNewAnswer(chat);
    }
    showQuote();
  }

  document.addEventListener("click", (event) => {
    const cite = event.target.closest && event.target.closest("button.cite");
    if (!cite) return;
    event.preventDefault();
    const chips = document.querySelectorAll("#citation-chips label");
    const chip = [...chips].find((label) => label.innerText.trim().startsWith("[" + cite.dataset.cite + "]"));
    if (chip) chip.click();
  });

  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => { pending = false; update(); });
  }).observe(document.documentElement, { subtree: true, childList: true, characterData: true });
})();
</script>
"""
