/**
 * Renders the walkthrough: every step with its state, the current one expanded with what to do
 * and why. Plain lit-html into a container: the guide is the demo's own, not a library component.
 */
import { html, render, nothing } from 'lit';
import { STEPS } from './steps.js';
import { sectionById } from './sections.js';

export interface GuideModel {
  readonly done: ReadonlySet<string>;
  /** Set when the kit exposes no audit log: the last step cannot be done yet, and the guide says so. */
  readonly auditUnavailable: boolean;
  readonly onConfirm: (id: string) => void;
  readonly onStartOver: () => void;
}

export function renderGuide(container: HTMLElement, model: GuideModel): void {
  const current = STEPS.find((s) => !model.done.has(s.id));
  const count = STEPS.filter((s) => model.done.has(s.id)).length;
  render(
    html`<h2 id="guide-title">Walkthrough <span class="count">${count} of ${STEPS.length}</span></h2>
      <progress max=${STEPS.length} value=${count} aria-label="Walkthrough progress"></progress>
      <ol class="steps">
        ${STEPS.map((step) => {
          const done = model.done.has(step.id);
          const isCurrent = step === current;
          const blocked = isCurrent && step.id === 'audit' && model.auditUnavailable;
          return html`<li class=${done ? 'done' : isCurrent ? 'current' : 'todo'} aria-current=${isCurrent ? 'step' : nothing} data-step=${step.id}>
            <span class="title">${step.title}<span class="sr-only">${done ? ' (done)' : isCurrent ? ' (current step)' : ''}</span></span>
            ${isCurrent
              ? html`<p class="todo-text">${blocked ? 'The audit log is not available in this build yet: the kit does not expose it. See the “Audit log” panel.' : step.todo}</p>
                  <p class="why">${step.why}</p>
                  <a class="jump" href="#${step.section}">Go to ${sectionById(step.section)?.title}</a>
                  ${step.confirm ? html`<button type="button" class="confirm" @click=${() => model.onConfirm(step.id)}>${step.confirm}</button>` : nothing}`
              : nothing}
          </li>`;
        })}
      </ol>
      <p class="finished" role="status" aria-live="polite">
        ${current === undefined ? 'Done: every step of the walkthrough worked in this tab, with nothing sent anywhere.' : ''}
      </p>
      <button type="button" class="start-over" @click=${model.onStartOver}>Start over (delete the demo’s keys)</button>`,
    container,
  );
}
