// Injected (esbuild `inject`) into the benchmark bundle ONLY: @aws-crypto/client-browser pulls in
// asn1.js / bn.js, which expect a global `Buffer`. The library itself never needs this.
import { Buffer } from 'buffer';

export { Buffer };
