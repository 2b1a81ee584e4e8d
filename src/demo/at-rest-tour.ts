/**
 * The demo's second walkthrough, "encryption at rest, mode by mode": S3's four server-side modes
 * and ECR's repository grants, each step done by what the visitor does in `<ek-bucket>` and
 * `<ek-repository>` (read back from the kit's S3, so a step counts the mode the object really got).
 * Kept apart from the main walkthrough (steps.ts) so each can be followed alone; its progress is
 * remembered in localStorage beside the main one, never a key or a body.
 */
import { html, render, nothing } from 'lit';
import type { EkKit } from '../components/index.js';

interface TourStep {
  readonly id: string;
  readonly title: string;
  readonly todo: string;
  readonly why: string;
}

export const AT_REST_STEPS: readonly TourStep[] = [
  {
    id: 'sse-s3',
    title: 'SSE-S3: the default',
    todo: 'In “Objects at rest”, press “Create bucket”, write some text and press “Upload” with the bucket’s default encryption.',
    why: 'Every bucket starts with SSE-S3: S3 encrypts with a key of its own. No KMS call, nothing in the audit log.',
  },
  {
    id: 'sse-kms',
    title: 'SSE-KMS under alias/aws/s3',
    todo: 'Upload another object with “SSE-KMS (aws:kms)” and no KMS key named.',
    why: 'S3 asks the KMS for a data key per object, as you, through s3.<region>.amazonaws.com, with the object ARN as context. The AWS managed key alias/aws/s3 is created on first use.',
  },
  {
    id: 'bucket-key',
    title: 'A Bucket Key',
    todo: 'Upload two more SSE-KMS objects with “Bucket Key” ticked, then look at the audit log’s GenerateDataKey calls.',
    why: 'With a Bucket Key, one GenerateDataKey (context: the bucket ARN) serves many objects for a while: far fewer KMS calls.',
  },
  {
    id: 'dsse',
    title: 'DSSE-KMS: two layers',
    todo: 'Upload an object with “DSSE-KMS (aws:kms:dsse)”.',
    why: 'Two independent layers, each under its own data key: two GenerateDataKey calls to write, two Decrypts to read.',
  },
  {
    id: 'repository',
    title: 'An ECR repository and its grants',
    todo: 'In “Images at rest”, choose “KMS” and press “Create repository”.',
    why: 'ECR checks the key, then makes two grants for the repository: pushes and pulls go through them, and its encryption can never change.',
  },
];

const STORAGE_KEY = 'envelope-kit-demo:at-rest:v1';

function loadDone(): Set<string> {
  try {
    const parsed = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return new Set(Array.isArray(parsed) ? parsed.filter((d): d is string => typeof d === 'string') : []);
  } catch {
    return new Set();
  }
}

/**
 * Wires the tour to `kitElement`'s events and renders it into `container`.
 *
 * @example
 * ```ts
 * startAtRestTour(document.querySelector('ek-kit')!, document.querySelector('#at-rest-tour')!);
 * ```
 */
export function startAtRestTour(kitElement: EkKit, container: HTMLElement): { reset(): void } {
  const done = loadDone();
  let bucketKeyObjects = 0;
  const mark = (id: string) => {
    if (done.has(id)) return;
    done.add(id);
    localStorage.setItem(STORAGE_KEY, JSON.stringify([...done]));
    draw();
  };
  const draw = () => {
    const current = AT_REST_STEPS.find((s) => !done.has(s.id));
    render(
      html`<h3 id="at-rest-tour-title">Encryption at rest, mode by mode <span class="count">${AT_REST_STEPS.filter((s) => done.has(s.id)).length} of ${AT_REST_STEPS.length}</span></h3>
        <ol class="steps">
          ${AT_REST_STEPS.map(
            (step) => html`<li class=${done.has(step.id) ? 'done' : step === current ? 'current' : 'todo'} data-step=${step.id} aria-current=${step === current ? 'step' : nothing}>
              <span class="title">${step.title}<span class="sr-only">${done.has(step.id) ? ' (done)' : ''}</span></span>
              ${step === current ? html`<p class="todo-text">${step.todo}</p><p class="why">${step.why}</p>` : nothing}
            </li>`,
          )}
        </ol>`,
      container,
    );
  };

  kitElement.addEventListener('ek-object-change', (event) => {
    const { region, bucket, key, action } = event.detail;
    const kit = kitElement.kit;
    if (action !== 'uploaded' || !kit) return;
    // The mode the object really got, as S3 reports it (the bucket default may have decided it).
    void kit
      .s3(region)
      .headObject({ Bucket: bucket, Key: key })
      .then((head) => {
        if (head.ServerSideEncryption === 'AES256') mark('sse-s3');
        if (head.ServerSideEncryption === 'aws:kms' && !head.BucketKeyEnabled) mark('sse-kms');
        if (head.ServerSideEncryption === 'aws:kms' && head.BucketKeyEnabled && ++bucketKeyObjects >= 2) mark('bucket-key');
        if (head.ServerSideEncryption === 'aws:kms:dsse') mark('dsse');
      })
      .catch(() => undefined);
  });
  kitElement.addEventListener('ek-repository-change', (event) => {
    if (event.detail.action === 'created') mark('repository');
  });
  draw();
  return {
    reset() {
      localStorage.removeItem(STORAGE_KEY);
    },
  };
}
