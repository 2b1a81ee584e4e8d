/**
 * Puts {@link SECTIONS} on the page: a card per section in `<main>`, and the table of contents that
 * links to them by fragment (`#keys`, `#files`…) and marks the section being read. Plain lit-html
 * into the page's containers, like the guide: the layout is the demo's own, not a library component.
 */
import { html, render } from 'lit';
import { SECTIONS, sectionById } from './sections.js';

/** Renders every section into `main` and the table of contents into `toc`. */
export function renderSections(main: HTMLElement, toc: HTMLElement): void {
  render(
    SECTIONS.map(
      (section, index) => html`<section class="card" id=${section.id} aria-labelledby="${section.id}-title">
        <h2 id="${section.id}-title"><span class="step" aria-hidden="true">${index + 1}</span> ${section.title}</h2>
        <p class="hint">${section.hint}</p>
        ${section.content()}
      </section>`,
    ),
    main,
  );
  render(
    html`<ol>
      ${SECTIONS.map((section) => html`<li><a href="#${section.id}" data-section=${section.id}>${section.title}</a></li>`)}
    </ol>`,
    toc,
  );
}

/**
 * Marks the contents entry of the section being read (`aria-current="location"`): the last one whose
 * top has reached the contents bar. At the very bottom of the page the last sections cannot reach
 * the bar; there the one the URL names wins if it is on screen (it was just jumped to), else the last.
 */
export function followReading(toc: HTMLElement): void {
  const mark = (id: string) => {
    for (const link of toc.querySelectorAll<HTMLAnchorElement>('a[data-section]')) {
      if (link.dataset.section !== id) {
        link.removeAttribute('aria-current');
        continue;
      }
      if (link.getAttribute('aria-current') === 'location') continue;
      link.setAttribute('aria-current', 'location');
      // On a phone the bar scrolls sideways: bring the marked entry into it (only sideways, so the
      // page itself never moves).
      const bar = link.closest('ol');
      if (bar && (link.offsetLeft < bar.scrollLeft || link.offsetLeft + link.offsetWidth > bar.scrollLeft + bar.clientWidth)) {
        bar.scrollTo({ left: link.offsetLeft - 16 });
      }
    }
  };
  const reading = (): string => {
    const line = toc.getBoundingClientRect().bottom + 24;
    const atBottom = innerHeight + scrollY >= document.documentElement.scrollHeight - 2;
    const named = sectionById(location.hash.slice(1));
    if (atBottom) {
      const top = named && document.getElementById(named.id)?.getBoundingClientRect().top;
      return typeof top === 'number' && top >= 0 && top < innerHeight ? named!.id : SECTIONS[SECTIONS.length - 1]!.id;
    }
    let id: string = SECTIONS[0].id;
    for (const section of SECTIONS) {
      const top = document.getElementById(section.id)?.getBoundingClientRect().top;
      if (top !== undefined && top <= line) id = section.id;
    }
    return id;
  };
  let queued = false;
  const update = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      mark(reading());
    });
  };
  addEventListener('scroll', update, { passive: true });
  addEventListener('resize', update, { passive: true });
  addEventListener('hashchange', update);
  // Sections change height as the kit fills them in, without any scroll.
  new ResizeObserver(update).observe(document.body);
  update();
}

/**
 * Keeps a `#section` of the URL in view while the page fills in. The browser scrolls to the
 * fragment once, as soon as the section exists; then the kit starts and the sections above it grow
 * (the key list, the message, the regions), which pushes it down, and scroll anchoring does not
 * follow content inside the elements' shadow roots. So, while the page is settling (until a few
 * seconds after the kit is ready), every change of the page's height scrolls the section back to
 * the top, until the visitor scrolls, clicks or types.
 */
export function keepFragmentInView(kitElement: HTMLElement): void {
  const id = location.hash.slice(1);
  const target = sectionById(id) ? document.getElementById(id) : null;
  if (!target) return;
  let queued = false;
  const follow = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => {
      queued = false;
      target.scrollIntoView();
    });
  };
  const resizes = new ResizeObserver(follow);
  resizes.observe(document.body);
  const stop = () => {
    resizes.disconnect();
    for (const type of PERSON) removeEventListener(type, stop);
  };
  // Wheel, touch, keys and clicks mean a person; a 'scroll' event could be the layout shift itself.
  for (const type of PERSON) addEventListener(type, stop, { passive: true });
  kitElement.addEventListener('ek-kit-ready', () => setTimeout(stop, SETTLING_MS), { once: true });
  follow();
}

/** Input events that show a person has taken over the scrolling. */
const PERSON = ['wheel', 'touchstart', 'keydown', 'pointerdown'] as const;

/** How long after the kit is ready its elements are still filling in (lists, headers) on a slow machine. */
const SETTLING_MS = 3000;
