/**
 * The worker boundary's error codec (src/client/wire-errors.ts), both directions in one thread:
 * each class the kit can throw comes back as the same class with the same code, and what is not a
 * deliberate error (a bug, a storage DOMException) is told apart from what is.
 */
import { expect } from 'chai';
import { BranchKeyStoreError } from '../../src/core/branch-key-store-errors.js';
import { EnvelopeError } from '../../src/core/errors.js';
import { rangeError, typeError } from '../../src/core/arguments.js';
import { KmsError, SimulatorError } from '../../src/kms/errors.js';
import { KitError, abortError } from '../../src/client/errors.js';
import { fromWireError, isWireError, toWireError, WIRE_ERROR_TAG } from '../../src/client/wire-errors.js';

/** What the page sees for `error` thrown in the worker, through structured clone as comlink sends it. */
function across(error: unknown): Error & { code?: string; $fault?: string } {
  const wire = structuredClone(toWireError(error));
  expect(isWireError(wire)).to.equal(true);
  return fromWireError(wire) as Error & { code?: string };
}

describe('wire errors: every class keeps its class and code', () => {
  it('EnvelopeError, BranchKeyStoreError, KmsError and KitError', () => {
    const envelope = across(new EnvelopeError('INTEGRITY_FAILURE', 'tag did not verify'));
    expect(envelope).to.be.instanceOf(EnvelopeError);
    expect(envelope.code).to.equal('INTEGRITY_FAILURE');
    const store = across(new BranchKeyStoreError('VERSION_CONFLICT', 'another tab'));
    expect(store).to.be.instanceOf(BranchKeyStoreError);
    expect(store.code).to.equal('VERSION_CONFLICT');
    const kms = across(new KmsError('DisabledException', 'arn is disabled.'));
    expect(kms).to.be.instanceOf(KmsError);
    expect([kms.name, kms.code, kms.$fault]).to.deep.equal(['DisabledException', 'DisabledException', 'client']);
    const outage = across(new KmsError('KMSInternalException', 'down'));
    expect([outage.name, outage.$fault]).to.deep.equal(['KMSInternalException', 'server']);
    const kit = across(new KitError('WORKER_FAILED', 'crashed'));
    expect(kit).to.be.instanceOf(KitError);
    expect(kit.code).to.equal('WORKER_FAILED');
  });

  it("another service's AWS exception keeps its name, code and $fault (not a KmsError)", () => {
    const thrown = Object.assign(new Error("Secrets Manager can't find the specified secret."), { name: 'ResourceNotFoundException', $fault: 'client' as const });
    const page = across(thrown);
    expect(page).not.to.be.instanceOf(KmsError);
    expect([page.name, page.code, page.$fault]).to.deep.equal(['ResourceNotFoundException', 'ResourceNotFoundException', 'client']);
  });

  it('bad arguments stay TypeError/RangeError with code INVALID_ARGUMENT', () => {
    const type = across(typeError('options.keyId', 'a string'));
    expect(type).to.be.instanceOf(TypeError);
    expect(type.code).to.equal('INVALID_ARGUMENT');
    expect(type.message).to.equal('options.keyId must be a string');
    const range = across(rangeError('options.frameLength', 'must be at least 1'));
    expect(range).to.be.instanceOf(RangeError);
    expect(range.code).to.equal('INVALID_ARGUMENT');
  });

  it('aborts are EnvelopeError ABORTED named AbortError, from the kit or a DOMException', () => {
    for (const thrown of [abortError('stopped'), new DOMException('stopped', 'AbortError')]) {
      const page = across(thrown);
      expect(page).to.be.instanceOf(EnvelopeError);
      expect([page.name, page.code]).to.deep.equal(['AbortError', 'ABORTED']);
    }
  });

  it('a closed KMS and failed storage become KitError CLOSED and STORAGE_FAILED', () => {
    const closed = across(new SimulatorError('CLOSED', 'closed'));
    expect(closed).to.be.instanceOf(KitError);
    expect(closed.code).to.equal('CLOSED');
    const storage = across(new SimulatorError('STORAGE_FAILED', 'storage failed (commit): QuotaExceededError', { cause: new DOMException('quota', 'QuotaExceededError') }));
    expect(storage).to.be.instanceOf(KitError);
    expect(storage.code).to.equal('STORAGE_FAILED');
    const quota = across(new DOMException('The quota has been exceeded.', 'QuotaExceededError'));
    expect(quota).to.be.instanceOf(KitError);
    expect(quota.code).to.equal('STORAGE_FAILED');
  });

  it('a bug, even one that throws a TypeError, is a KitError INTERNAL rather than a bad argument or an outage', () => {
    for (const bug of [new TypeError("Cannot read properties of undefined (reading 'x')"), new Error('boom'), new DOMException('bad', 'OperationError'), 'a string', 42]) {
      const page = across(bug);
      expect(page).to.be.instanceOf(KitError);
      expect(page.code).to.equal('INTERNAL');
      expect(page.name).to.equal('KitError');
    }
  });

  it('keeps the cause chain with each link its class, and carries nothing but the allowlisted members', () => {
    const kms = new KmsError('NotFoundException', 'no key');
    const thrown = Object.assign(new EnvelopeError('KEYRING_FAILURE', 'wrap failed', { cause: kms }), { secret: new Uint8Array(32) });
    const wire = toWireError(thrown);
    expect(Object.keys(wire).sort()).to.deep.equal(['cause', 'code', 'kind', 'message', 'name', 'tag']);
    expect(wire.tag).to.equal(WIRE_ERROR_TAG);
    const page = fromWireError(structuredClone(wire));
    expect(page.cause).to.be.instanceOf(KmsError);
    expect((page.cause as KmsError).code).to.equal('NotFoundException');
  });
});
