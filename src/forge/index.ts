export { fromBase64url, toBase64url } from "./base64url.ts";
export { ecdsaSignDeterministic, pssSignDeterministic } from "./deterministic.ts";
export { ForgeError, type ForgeErrorCode } from "./errors.ts";
export { publicKeyEncodings, type KeyEncoding } from "./key-encodings.ts";
export * from "./mutators.ts";
export * from "./signers.ts";
export { rawSignerFromEd25519Seed, rawSignerFromJwk, rawSignerFromSecret, type RawSigner } from "./raw.ts";
export { assemble, decodeToken, encodeSegment, type DecodedToken } from "./token.ts";
