/**
 * Passkeys as a second way to unlock a kit, through the WebAuthn PRF extension (WebAuthn Level 3,
 * "Pseudo-random function extension (prf)"; Chromium 116+, Firefox 139+, Safari 18+): an
 * authenticator evaluates an HMAC over a salt we choose with a secret bound to the credential, and
 * the 32-byte output is the secret the worker derives a key-encryption key from (HKDF-SHA-256,
 * src/kms/lock/key-lock.ts). There is no server: the assertion's signature is not checked by
 * anyone, only the PRF output matters, and it is only ever revealed to this origin.
 *
 * These run on the page: `navigator.credentials` is not available in workers.
 */
import { KitError, KitErrorCode } from '../errors.js';

/** What the page hands the worker after a PRF evaluation. */
export interface PrfResult {
  readonly credentialId: Uint8Array<ArrayBuffer>;
  readonly prfOutput: Uint8Array<ArrayBuffer>;
}

/** Options of `kit.addPasskey`. */
export interface AddPasskeyOptions {
  /** The kit's passphrase: the passkey is added as a second way to unlock, never instead of it. */
  readonly passphrase: string;
  /** The user name the authenticator shows. Default `envelope-kit`. */
  readonly userName?: string;
  /** The relying party name the authenticator shows. Default `envelope-kit`. */
  readonly rpName?: string;
}

const random = (n: number) => crypto.getRandomValues(new Uint8Array(n));

function unavailable(why: string, cause?: unknown): KitError {
  return new KitError(KitErrorCode.PASSKEY_UNAVAILABLE, `no passkey with the WebAuthn PRF extension is available: ${why}`, cause === undefined ? undefined : { cause });
}

function webauthn(): CredentialsContainer {
  if (typeof navigator === 'undefined' || !navigator.credentials || typeof PublicKeyCredential === 'undefined') throw unavailable('this context has no WebAuthn (navigator.credentials)');
  return navigator.credentials;
}

function prfFirst(credential: PublicKeyCredential): Uint8Array<ArrayBuffer> | undefined {
  const results = (credential.getClientExtensionResults() as { prf?: { results?: { first?: BufferSource } } }).prf?.results;
  const first = results?.first;
  if (!first) return undefined;
  const view = first instanceof ArrayBuffer ? new Uint8Array(first) : new Uint8Array((first as ArrayBufferView).buffer, (first as ArrayBufferView).byteOffset, (first as ArrayBufferView).byteLength);
  return new Uint8Array(view);
}

const base64url = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

/**
 * Creates a passkey for this origin and evaluates its PRF on `salt` (at creation where the
 * authenticator can, else with one assertion right after).
 *
 * @example
 * ```ts
 * const salt = crypto.getRandomValues(new Uint8Array(32));
 * const { credentialId, prfOutput } = await createPrfPasskey(salt, { passphrase });
 * ```
 */
export async function createPrfPasskey(salt: Uint8Array<ArrayBuffer>, options: AddPasskeyOptions): Promise<PrfResult> {
  const container = webauthn();
  const name = options.userName ?? 'envelope-kit';
  let created: PublicKeyCredential | null;
  try {
    created = (await container.create({
      publicKey: {
        rp: { name: options.rpName ?? 'envelope-kit' },
        user: { id: random(16), name, displayName: name },
        challenge: random(32),
        pubKeyCredParams: [
          { type: 'public-key', alg: -7 },
          { type: 'public-key', alg: -257 },
        ],
        authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' },
        extensions: { prf: { eval: { first: salt } } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch (cause) {
    throw unavailable('the authenticator did not create a passkey', cause);
  }
  if (!created) throw unavailable('no credential was created');
  const enabled = (created.getClientExtensionResults() as { prf?: { enabled?: boolean } }).prf?.enabled;
  if (enabled === false) throw unavailable('the authenticator does not support the PRF extension');
  const credentialId = new Uint8Array(created.rawId.slice(0));
  const atCreation = prfFirst(created);
  if (atCreation) return { credentialId, prfOutput: atCreation };
  return evaluatePrf([{ credentialId, prfSalt: salt }]);
}

/**
 * Asks the user for one of `passkeys` and returns its PRF output on that passkey's salt.
 *
 * @example
 * ```ts
 * const { credentialId, prfOutput } = await evaluatePrf(await remote.passkeys());
 * ```
 */
export async function evaluatePrf(passkeys: readonly { credentialId: Uint8Array; prfSalt: Uint8Array }[]): Promise<PrfResult> {
  if (passkeys.length === 0) throw unavailable('no passkey was added to this kit (kit.addPasskey)');
  const container = webauthn();
  let assertion: PublicKeyCredential | null;
  try {
    assertion = (await container.get({
      publicKey: {
        challenge: random(32),
        allowCredentials: passkeys.map((p) => ({ type: 'public-key' as const, id: new Uint8Array(p.credentialId) })),
        userVerification: 'preferred',
        extensions: { prf: { evalByCredential: Object.fromEntries(passkeys.map((p) => [base64url(p.credentialId), { first: new Uint8Array(p.prfSalt) }])) } } as AuthenticationExtensionsClientInputs,
      },
    })) as PublicKeyCredential | null;
  } catch (cause) {
    throw unavailable('the authenticator gave no assertion', cause);
  }
  if (!assertion) throw unavailable('no assertion');
  const prfOutput = prfFirst(assertion);
  if (!prfOutput) throw unavailable('the authenticator returned no PRF output');
  return { credentialId: new Uint8Array(assertion.rawId.slice(0)), prfOutput };
}
