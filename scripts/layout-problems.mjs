// What a glance at a screenshot can miss, measured in the page: horizontal overflow, and form fields
// (through shadow roots) whose boxes intersect, as the key form's Description and Alias inputs did at
// 1280 px. Used by scripts/e2e-demo.mjs and scripts/demo-screenshots.mjs through page.evaluate, so
// the function is self-contained (it is sent to the page as source text).

/** In the page: a list of problems, empty when there are none. */
export function layoutProblems() {
  const problems = [];
  const overflow = document.documentElement.scrollWidth - document.documentElement.clientWidth;
  if (overflow > 0) problems.push(`page ${overflow}px wider than the viewport`);
  const fields = [];
  const walk = (node) => {
    for (const el of node.querySelectorAll('*')) {
      if (el.matches('input:not([type=checkbox]):not([type=radio]), select, textarea, button')) fields.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  walk(document);
  const boxes = fields
    .map((el) => ({ el, r: el.getBoundingClientRect() }))
    // Laid out but not shown (inside a closed <details>, visibility: hidden) cannot overlap anything.
    .filter(({ el, r }) => r.width > 0 && r.height > 0 && (el.checkVisibility?.({ visibilityProperty: true }) ?? true));
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].r;
      const b = boxes[j].r;
      if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
        const name = (el) => el.getAttribute('name') || el.getAttribute('aria-label') || el.textContent?.trim().slice(0, 20) || el.localName;
        problems.push(`"${name(boxes[i].el)}" overlaps "${name(boxes[j].el)}"`);
      }
    }
  }
  return problems;
}

