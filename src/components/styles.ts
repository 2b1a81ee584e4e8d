/**
 * The look every `<ek-*>` element shares, written only in CSS custom properties so that an app
 * restyles all of them from one place (`ek-kit { --ek-accent: teal }`), and reaches inside through
 * `part`s for anything more.
 */
import { css } from 'lit';

export const baseStyles = css`
  :host {
    display: block;
    /* Contains .sr-only text (absolutely positioned) so it cannot widen the page from a scrolled table. */
    position: relative;
    color: var(--ek-ink, #1d2330);
    font: inherit;
    line-height: 1.45;
    --_line: var(--ek-line, #cfd5e1);
    --_muted: var(--ek-muted, #545d70);
    --_accent: var(--ek-accent, #2457c5);
    --_ok: var(--ek-ok, #1b6e3e);
    --_bad: var(--ek-bad, #a82219);
    --_paper: var(--ek-paper, #ffffff);
    --_soft: var(--ek-soft, #f4f6fa);
    --_radius: var(--ek-radius, 6px);
  }
  :host([hidden]) {
    display: none;
  }
  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }
  button {
    font: inherit;
    padding: 0.4rem 0.85rem;
    border-radius: var(--_radius);
    border: 1px solid var(--_accent);
    background: var(--_paper);
    color: var(--_accent);
    cursor: pointer;
    white-space: nowrap;
  }
  button.primary {
    background: var(--_accent);
    color: #fff;
  }
  button:disabled {
    opacity: 0.55;
    cursor: not-allowed;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  textarea:focus-visible,
  summary:focus-visible {
    outline: 3px solid var(--ek-focus, #7aa2ff);
    outline-offset: 2px;
  }
  input,
  select,
  textarea {
    font: inherit;
    color: inherit;
    background: var(--_paper);
    border: 1px solid var(--_line);
    border-radius: var(--_radius);
    padding: 0.35rem 0.5rem;
    max-width: 100%;
  }
  textarea {
    width: 100%;
    font-family: var(--ek-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.9em;
  }
  label {
    font-weight: 600;
    font-size: 0.92em;
  }
  code,
  .mono {
    font-family: var(--ek-mono, ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace);
    font-size: 0.88em;
    overflow-wrap: anywhere;
  }
  .row {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    align-items: center;
  }
  .stack > * + * {
    margin-top: 0.6rem;
  }
  .muted {
    color: var(--_muted);
  }
  .status {
    min-height: 1.45em;
    margin: 0.4rem 0 0;
  }
  .status.error {
    color: var(--_bad);
    font-weight: 600;
  }
  .status.ok {
    color: var(--_ok);
    font-weight: 600;
  }
  table {
    border-collapse: collapse;
    width: 100%;
    font-size: 0.9em;
  }
  th,
  td {
    text-align: left;
    padding: 0.3rem 0.45rem;
    border-bottom: 1px solid var(--_line);
    vertical-align: top;
    overflow-wrap: anywhere;
  }
  th {
    color: var(--_muted);
    font-weight: 600;
  }
  .sr-only {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
  progress {
    width: 100%;
  }
`;

/** What <ek-encrypt> and <ek-decrypt> share: the note/file switch and the download link. */
export const cryptoFormStyles = css`
  .modes {
    border: none;
    padding: 0;
    margin: 0;
    display: flex;
    gap: 1rem;
  }
  a.download {
    color: var(--_accent);
    font-weight: 600;
  }
`;

/**
 * A create form laid out as a grid of labelled fields (`<ek-key-manager>`, `<ek-secrets>`): as many
 * 12rem columns as fit, the button aligned with the inputs.
 */
export const fieldGridStyles = css`
  form {
    display: grid;
    grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr));
    gap: 0.5rem 1rem;
    align-items: end;
    padding: 0.75rem;
    background: var(--_soft);
    border-radius: var(--_radius);
  }
  /* A grid item's min-width is its content's, and a text input's is its size="20" default, wider
     than the 12rem column at 1280 px: without min-width 0 and width 100% each field ran under the
     next one (Chromium and Firefox; the demo e2e's layout check catches it). */
  form label {
    display: grid;
    gap: 0.2rem;
    min-width: 0;
  }
  form label input,
  form label select {
    width: 100%;
    min-width: 0;
  }
`;
