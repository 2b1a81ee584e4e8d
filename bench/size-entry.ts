// The bundle-size probe (bench/run.mjs): what an app that only encrypts and decrypts with raw
// keyrings pulls in. Dynamically imported code (the AES-192 fallback, the streaming-signature
// path) lands in separate chunks and is reported apart from this entry.
export { encrypt, decrypt, RawAesKeyring, RawRsaKeyring } from '../src/core/index.js';
