"use client";

import { createAuthClient } from "better-auth/react";
import { jwtClient } from "better-auth/client/plugins";

// No baseURL: the browser talks to the Better Auth routes of the origin it was served from (/api/auth).
export const authClient = createAuthClient({ plugins: [jwtClient()] });

export const { signIn, signUp, signOut } = authClient;
