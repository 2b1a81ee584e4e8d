/**
 * The WebCrypto floor's own worker (floor.ts): nothing else loaded, so that it runs in a worker as
 * lean as the kit's, not beside the ESDK and its Buffer polyfill (which made it measurably slower).
 */
import { expose } from 'comlink';
import { floorDecrypt, floorEncrypt } from './floor.js';

const api = { floorEncrypt, floorDecrypt };
export type FloorApi = { [K in keyof typeof api]: (...args: Parameters<(typeof api)[K]>) => Promise<Awaited<ReturnType<(typeof api)[K]>>> };
expose(api);
