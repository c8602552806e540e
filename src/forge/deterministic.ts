import { constants, createHash, createHmac, privateDecrypt, type KeyObject } from "node:crypto";
import { ForgeError } from "./errors.ts";

/*
 * Deterministic signatures for the two randomised JWS families, so that the same input always yields the same
 * token (reproducible attacks and reports): ECDSA with RFC 6979 nonces, RSASSA-PSS with a salt derived from
 * the key and the message. Both verify with any standard verifier.
 */

interface Curve {
  p: bigint;
  n: bigint;
  a: bigint;
  gx: bigint;
  gy: bigint;
  bytes: number;
}

const CURVES: Record<string, Curve> = {
  "P-256": {
    p: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    n: 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
    a: -3n,
    gx: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
    gy: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
    bytes: 32,
  },
  "P-384": {
    p: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    n: 0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
    a: -3n,
    gx: 0xaa87ca22be8b05378eb1c71ef320ad746e1d3b628ba79b9859f741e082542a385502f25dbf55296c3a545e3872760ab7n,
    gy: 0x3617de4a96262c6f5d9e98bf9292dc29f8f41dbd289a147ce9da3113b5f0b8c00a60b1ce1d7e819d7a431d7c90ea0e5fn,
    bytes: 48,
  },
  "P-521": {
    p: (1n << 521n) - 1n,
    n: 0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
    a: -3n,
    gx: 0x00c6858e06b70404e9cd9e3ecb662395b4429c648139053fb521f828af606b4d3dbaa14b5e77efe75928fe1dc127a2ffa8de3348b3c1856a429bf97e7e31c2e5bd66n,
    gy: 0x011839296a789a3bc0045c8a5fb42c7d1bd998f54449579b446817afbd17273e662c97ee72995ef42640c550b9013fad0761353c7086a272c24088be94769fd16650n,
    bytes: 66,
  },
};

const mod = (a: bigint, m: bigint) => ((a % m) + m) % m;

function modPow(base: bigint, exponent: bigint, m: bigint): bigint {
  let result = 1n;
  let b = mod(base, m);
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return result;
}

const invert = (a: bigint, m: bigint) => modPow(a, m - 2n, m); // m is prime for every curve field and order here

type Jacobian = [bigint, bigint, bigint]; // z = 0 is the point at infinity

function double([x, y, z]: Jacobian, c: Curve): Jacobian {
  if (z === 0n || y === 0n) return [0n, 1n, 0n];
  const { p } = c;
  const yy = (y * y) % p;
  const s = (4n * x * yy) % p;
  const zz = (z * z) % p;
  const m = mod(3n * x * x + c.a * zz * zz, p);
  const x3 = mod(m * m - 2n * s, p);
  const y3 = mod(m * (s - x3) - 8n * yy * yy, p);
  return [x3, y3, (2n * y * z) % p];
}

function add(P: Jacobian, Q: Jacobian, c: Curve): Jacobian {
  if (P[2] === 0n) return Q;
  if (Q[2] === 0n) return P;
  const { p } = c;
  const [x1, y1, z1] = P;
  const [x2, y2, z2] = Q;
  const z1z1 = (z1 * z1) % p;
  const z2z2 = (z2 * z2) % p;
  const u1 = (x1 * z2z2) % p;
  const u2 = (x2 * z1z1) % p;
  const s1 = (y1 * z2 * z2z2) % p;
  const s2 = (y2 * z1 * z1z1) % p;
  if (u1 === u2) return s1 === s2 ? double(P, c) : [0n, 1n, 0n];
  const h = mod(u2 - u1, p);
  const r = mod(s2 - s1, p);
  const hh = (h * h) % p;
  const hhh = (h * hh) % p;
  const v = (u1 * hh) % p;
  const x3 = mod(r * r - hhh - 2n * v, p);
  const y3 = mod(r * (v - x3) - s1 * hhh, p);
  return [x3, y3, (z1 * z2 * h) % p];
}

function multiplyBaseX(k: bigint, c: Curve): bigint {
  let result: Jacobian = [0n, 1n, 0n];
  let addend: Jacobian = [c.gx, c.gy, 1n];
  for (let e = k; e > 0n; e >>= 1n) {
    if (e & 1n) result = add(result, addend, c);
    addend = double(addend, c);
  }
  const zInv = invert(result[2], c.p);
  return (result[0] * zInv * zInv) % c.p;
}

const toBigInt = (bytes: Uint8Array) => (bytes.length === 0 ? 0n : BigInt(`0x${Buffer.from(bytes).toString("hex")}`));

function toBytes(value: bigint, length: number): Buffer {
  return Buffer.from(value.toString(16).padStart(length * 2, "0"), "hex");
}

const bitLength = (n: bigint) => n.toString(2).length;

/** RFC 6979 bits2int: the leftmost qlen bits of the hash. */
function bits2int(bytes: Uint8Array, qlen: number): bigint {
  const value = toBigInt(bytes);
  const blen = bytes.length * 8;
  return blen > qlen ? value >> BigInt(blen - qlen) : value;
}

/** The RFC 6979 §3.2 nonce generator (HMAC-DRBG keyed with the private key and the message hash). */
function* rfc6979Nonces(d: bigint, hash: Uint8Array, c: Curve, hashName: string): Generator<bigint> {
  const qlen = bitLength(c.n);
  const rlen = Math.ceil(qlen / 8);
  const x = toBytes(d, rlen);
  const h1 = toBytes(mod(bits2int(hash, qlen), c.n), rlen);
  const hmac = (key: Buffer, ...parts: Buffer[]) => createHmac(hashName, key).update(Buffer.concat(parts)).digest();
  const hlen = createHash(hashName).digest().length;
  let v = Buffer.alloc(hlen, 1);
  let k = Buffer.alloc(hlen, 0);
  k = hmac(k, v, Buffer.from([0]), x, h1);
  v = hmac(k, v);
  k = hmac(k, v, Buffer.from([1]), x, h1);
  v = hmac(k, v);
  for (;;) {
    let t = Buffer.alloc(0);
    while (t.length < rlen) {
      v = hmac(k, v);
      t = Buffer.concat([t, v]);
    }
    const candidate = bits2int(t.subarray(0, rlen), qlen);
    if (candidate >= 1n && candidate < c.n) yield candidate;
    k = hmac(k, v, Buffer.from([0]));
    v = hmac(k, v);
  }
}

const HASH_OF: Record<string, string> = { "256": "sha256", "384": "sha384", "512": "sha512" };

/**
 * Deterministic ECDSA (RFC 6979) over `data`: the JWS signature (r ‖ s, fixed length) for ES256/ES384/ES512.
 * @example ecdsaSignDeterministic("P-256", "sha256", dBytes, signingInputBytes)
 */
export function ecdsaSignDeterministic(crv: string, hashName: string, privateScalar: Uint8Array, data: Uint8Array): Uint8Array {
  const c = CURVES[crv];
  if (!c) throw new ForgeError("FORGE_UNSUPPORTED_KEY", `no deterministic ECDSA for curve ${crv}`);
  const d = toBigInt(privateScalar);
  const hash = createHash(hashName).update(data).digest();
  const z = mod(bits2int(hash, bitLength(c.n)), c.n);
  for (const k of rfc6979Nonces(d, hash, c, hashName)) {
    const r = mod(multiplyBaseX(k, c), c.n);
    if (r === 0n) continue;
    const s = mod(invert(k, c.n) * (z + r * d), c.n);
    if (s === 0n) continue;
    return new Uint8Array(Buffer.concat([toBytes(r, c.bytes), toBytes(s, c.bytes)]));
  }
  throw new ForgeError("FORGE_UNSUPPORTED_KEY", "unreachable");
}

function mgf1(seed: Buffer, length: number, hashName: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (let counter = 0; total < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const chunk = createHash(hashName).update(seed).update(c).digest();
    chunks.push(chunk);
    total += chunk.length;
  }
  return Buffer.concat(chunks).subarray(0, length);
}

/**
 * RSASSA-PSS (MGF1, salt length = hash length, as JWS PS256/384/512 require) with the salt derived from the
 * key and the message instead of drawn at random.
 * @example pssSignDeterministic(privateKeyObject, "sha256", signingInputBytes)
 */
export function pssSignDeterministic(key: KeyObject, hashName: string, data: Uint8Array): Uint8Array {
  const jwk = key.export({ format: "jwk" });
  if (jwk.kty !== "RSA" || typeof jwk.n !== "string" || typeof jwk.d !== "string") {
    throw new ForgeError("FORGE_UNSUPPORTED_KEY", "PSS needs an RSA private key");
  }
  const modulusBytes = Buffer.from(jwk.n, "base64url");
  const modBits = bitLength(toBigInt(modulusBytes));
  const emBits = modBits - 1;
  const emLen = Math.ceil(emBits / 8);
  const mHash = createHash(hashName).update(data).digest();
  const hLen = mHash.length;
  const salt = createHmac(hashName, Buffer.from(jwk.d, "base64url")).update(mHash).digest();
  const h = createHash(hashName).update(Buffer.concat([Buffer.alloc(8), mHash, salt])).digest();
  const db = Buffer.concat([Buffer.alloc(emLen - hLen - hLen - 2), Buffer.from([1]), salt]);
  const mask = mgf1(h, emLen - hLen - 1, hashName);
  const maskedDb = Buffer.from(db.map((byte, i) => byte ^ (mask[i] as number)));
  maskedDb[0] = (maskedDb[0] as number) & (0xff >> (8 * emLen - emBits));
  const em = Buffer.concat([maskedDb, h, Buffer.from([0xbc])]);
  const k = Math.ceil(modBits / 8);
  const padded = Buffer.concat([Buffer.alloc(k - em.length), em]);
  return new Uint8Array(privateDecrypt({ key, padding: constants.RSA_NO_PADDING }, padded));
}

/** The hash of a JWS algorithm's suffix (ES256 → sha256). */
export function hashForAlg(alg: string): string {
  const hash = HASH_OF[alg.slice(-3)];
  if (!hash) throw new ForgeError("FORGE_UNSUPPORTED_ALG", `no hash for ${alg}`);
  return hash;
}
