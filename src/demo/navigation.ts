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
 * Marks the contents entry of the section being read (`aria-current="location"`): the one crossing a
 * band a little below the sticky contents bar, or the one the URL names right after a jump.
 */
export function followReading(toc: HTMLElement): void {
  const mark = (id: string | undefined) => {
    for (const link of toc.querySelectorAll<HTMLAnchorElement>('a[data-section]')) {
      if (link.dataset.section !== id) {
        link.removeAttribute('aria-current');
        continue;
      }
      link.setAttribute('aria-current', 'location');
      // On a phone the bar scrolls sideways: bring the marked entry into it (only sideways, so the
      // page itself never moves).
      const bar = link.closest('ol');
      if (bar && (link.offsetLeft < bar.scrollLeft || link.offsetLeft + link.offsetWidth > bar.scrollLeft + bar.clientWidth)) {
        bar.scrollTo({ left: link.offsetLeft - 16 });
      }
    }
  };
  const visible = new Set<string>();
  const observer = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) visible.add(entry.target.id);
        else visible.delete(entry.target.id);
      }
      // The first section in page order within the band: with two in it, the upper one is read.
      const first = SECTIONS.find((s) => visible.has(s.id));
      if (first) mark(first.id);
    },
    { rootMargin: '-20% 0px -60% 0px' },
  );
  for (const section of SECTIONS) {
    const element = document.getElementById(section.id);
    if (element) observer.observe(element);
  }
  const fromUrl = () => sectionById(location.hash.slice(1))?.id;
  addEventListener('hashchange', () => mark(fromUrl()));
  mark(fromUrl() ?? SECTIONS[0].id);
}

/**
 * Keeps a `#section` of the URL in view while the page fills in. The browser scrolls to the
 * fragment once, as soon as the section exists; the kit then starts and the sections above it grow
 * (the key list, the regions), which pushes it down where the browser has no scroll anchoring
 * (Safari). Scrolls again once the kit is ready, unless the visitor has scrolled since.
 */
export function keepFragmentInView(kitElement: HTMLElement): void {
  const target = () => {
    const id = location.hash.slice(1);
    return sectionById(id) ? document.getElementById(id) : null;
  };
  if (!target()) return;
  // Parsing is over when a module script runs, so the browser has already had its try; make sure.
  target()?.scrollIntoView();
  let userScrolled = false;
  const onUserScroll = () => (userScrolled = true);
  // Wheel, touch and keys mean a person; a 'scroll' event could be the layout shift itself.
  for (const type of ['wheel', 'touchmove', 'keydown'] as const) addEventListener(type, onUserScroll, { once: true, passive: true });
  kitElement.addEventListener(
    'ek-kit-ready',
    () => {
      // Two frames: the elements render after the kit arrives, then lay out.
      requestAnimationFrame(() =>
        requestAnimationFrame(() => {
          if (!userScrolled) target()?.scrollIntoView();
        }),
      );
    },
    { once: true },
  );
}
