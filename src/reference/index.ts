export { startReference, WEAK_SECRET, type ReferenceApp, type StartReferenceOptions } from "./launch.ts";
export { ensureReferenceSetup } from "./setup.ts";
export { loadFlaws, resolveFlaws, parseFlawList, type Flaw, type FlawSide, type ReferenceMode } from "./flaws.ts";
export { ReferenceAppError, type ReferenceErrorCode } from "./errors.ts";
export { signUpUser, backendTokenFor, type ReferenceUser } from "./accounts.ts";
