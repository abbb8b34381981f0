"""Checking in Chromium that a page's text fits: nothing clipped, cut short or broken mid-word.

``FIT_CHECK`` runs in the page and returns every problem it finds in the main column and in an
open dialog (an empty list when everything fits):

* **clipped**: an element that hides or scrolls what does not fit (``overflow`` hidden, clip,
  auto or scroll, or ``text-overflow: ellipsis`` — how Streamlit cuts a metric's value, a
  button's label or a widget's label to "USD 20…") whose content is wider than its box:
  ``scrollWidth > clientWidth``, the comparison the browser itself makes before drawing "…";
* **past the edge**: an element reaching beyond the main column's right edge (off screen, or
  behind a sideways scroll);
* **inner scroll box**: an element that scrolls its content vertically inside the page
  (``scrollHeight > clientHeight`` with ``overflow-y`` auto or scroll), like a table showing
  ten of fifty rows: the page itself should scroll instead;
* **word broken**: a word whose letters sit on two lines ("Supplie / r"), found with a text
  range's client rectangles; a break after a hyphen or a slash is an ordinary line break.

It reads the DOM, so it sees every text of these pages: they draw no canvas grid (Streamlit's
``st.dataframe`` paints its cells on a canvas, where no element has a width to compare), which
``canvas_grids`` confirms page by page.
"""

from __future__ import annotations

from typing import Any

FIT_CHECK = """
() => {
  const scopes = [...document.querySelectorAll(
    '[data-testid="stMainBlockContainer"], [role="dialog"]')];
  const problems = [];
  const text = (el) => (el.innerText || el.textContent || '').trim().replace(/\\s+/g, ' ')
    .slice(0, 80);
  const shown = (el) => el.getClientRects().length > 0
    && getComputedStyle(el).visibility !== 'hidden';
  for (const scope of scopes) {
    const style = getComputedStyle(scope);
    const edge = scope.getBoundingClientRect().right - parseFloat(style.paddingRight) + 1;
    for (const el of scope.querySelectorAll('*')) {
      if (!shown(el)) continue;
      const css = getComputedStyle(el);
      const testid = el.closest('[data-testid]')?.dataset.testid;
      const clips = ['hidden', 'clip', 'auto', 'scroll'].includes(css.overflowX)
        || css.textOverflow === 'ellipsis';
      if (clips && el.scrollWidth > el.clientWidth + 1 && text(el)) {
        problems.push({what: 'clipped', testid, text: text(el),
                       scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
      }
      const box = el.getBoundingClientRect();
      if (scope.dataset.testid && box.width > 0 && box.right > edge && text(el)) {
        problems.push({what: 'past the edge', testid, text: text(el), right: box.right, edge});
      }
      if (['auto', 'scroll'].includes(css.overflowY) && el.tagName !== 'TEXTAREA'
          && el.scrollHeight > el.clientHeight + 1 && text(el)) {
        problems.push({what: 'inner scroll box', testid, text: text(el),
                       scrollHeight: el.scrollHeight, clientHeight: el.clientHeight});
      }
    }
    const walker = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.parentElement || !shown(node.parentElement)) continue;
      const words = /[^\\s\\-\\u2010\\u2011\\/]+/g;
      let word;
      while ((word = words.exec(node.data)) !== null) {
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0)
          .map((r) => Math.round(r.top)));
        if (lines.size > 1) {
          problems.push({what: 'word broken', text: word[0], in: text(node.parentElement)});
        }
      }
    }
  }
  return problems;
}
"""


def misfits(page: Any) -> list[dict[str, Any]]:
    """Every text on the page that does not fit (see the module docstring)."""
    found: list[dict[str, Any]] = page.evaluate(FIT_CHECK)
    return found


def canvas_grids(page: Any) -> int:
    """How many canvas-drawn tables (st.dataframe) the main column holds."""
    return int(page.get_by_test_id("stMainBlockContainer").get_by_test_id("stDataFrame").count())
