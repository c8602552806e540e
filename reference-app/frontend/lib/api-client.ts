"use client";

import { authClient } from "./auth-client";

/** Runtime settings the server hands to the browser (not NEXT_PUBLIC_*: those are fixed at build time). */
export interface ApiSettings {
  /** Base URL of the FastAPI backend, e.g. http://127.0.0.1:8000 */
  apiUrl: string;
  /**
   * jwks: Better Auth's EdDSA JWT from /api/auth/token; shared-secret: HS256 JWT from /api/backend-token; session: no
   * token, the browser sends Better Auth's session cookie to the backend (same site), which asks get-session.
   */
  mode: "jwks" | "shared-secret" | "session";
  /** Seeded flaw token-in-storage: keep the JWT in localStorage (readable by any script on the page). */
  tokenInStorage: boolean;
}

export type Priority = "low" | "medium" | "high";

export interface Task {
  id: string;
  title: string;
  description?: string | null;
  priority: Priority;
  done: boolean;
  due_date?: string | null;
  created_at?: string;
}

const STORAGE_KEY = "backend_token";

/** Thrown when the user has no valid session any more; the client has already signed out and redirected. */
export class SessionEndedError extends Error {
  constructor() {
    super("Your session has ended. Please sign in again.");
  }
}

/**
 * Calls the FastAPI backend with `Authorization: Bearer <backend JWT>`.
 * The JWT is fetched from the Next.js server when first needed and kept in memory only (never in
 * localStorage, which any injected script could read). On a 401 it fetches a fresh JWT once and
 * retries; a second 401 signs the user out and goes to /sign-in.
 */
export function createApiClient(settings: ApiSettings) {
  let token: string | null = settings.tokenInStorage ? window.localStorage.getItem(STORAGE_KEY) : null;

  function remember(value: string | null): void {
    token = value;
    if (!settings.tokenInStorage) return;
    // FLAW token-in-storage: the JWT is readable by every script on this origin.
    if (value) window.localStorage.setItem(STORAGE_KEY, value);
    else window.localStorage.removeItem(STORAGE_KEY);
  }

  async function fetchToken(): Promise<string> {
    const path = settings.mode === "jwks" ? "/api/auth/token" : "/api/backend-token";
    const response = await fetch(path, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) await endSession();
    if (!response.ok) throw new Error(`Could not get a backend token (${response.status})`);
    const body = (await response.json()) as { token?: string };
    if (!body.token) throw new Error("The token endpoint answered without a token");
    remember(body.token);
    return body.token;
  }

  async function endSession(): Promise<never> {
    remember(null);
    await authClient.signOut().catch(() => undefined);
    window.location.assign("/sign-in");
    throw new SessionEndedError();
  }

  async function send(path: string, init: RequestInit = {}, retried = false): Promise<Response> {
    if (settings.mode === "session") {
      const headers = new Headers(init.headers);
      if (init.body !== undefined) headers.set("Content-Type", "application/json");
      const response = await fetch(new URL(path, settings.apiUrl), { ...init, headers, credentials: "include", cache: "no-store" });
      return response.status === 401 ? endSession() : response;
    }
    const bearer = token ?? (await fetchToken());
    const headers = new Headers(init.headers);
    headers.set("Authorization", `Bearer ${bearer}`);
    if (init.body !== undefined) headers.set("Content-Type", "application/json");
    const response = await fetch(new URL(path, settings.apiUrl), { ...init, headers, cache: "no-store" });
    if (response.status !== 401) return response;
    if (retried) return endSession();
    remember(null);
    return send(path, init, true);
  }

  async function json<T>(path: string, init?: RequestInit): Promise<T> {
    const response = await send(path, init);
    if (!response.ok) throw new Error(`${init?.method ?? "GET"} ${path} failed (${response.status})`);
    return (response.status === 204 ? undefined : await response.json()) as T;
  }

  return {
    listTasks: () => json<Task[]>("/api/tasks"),
    createTask: (input: { title: string; priority: Priority; description?: string }) =>
      json<Task>("/api/tasks", { method: "POST", body: JSON.stringify(input) }),
    updateTask: (id: string, changes: Partial<Pick<Task, "title" | "priority" | "done" | "description">>) =>
      json<Task>(`/api/tasks/${encodeURIComponent(id)}`, { method: "PATCH", body: JSON.stringify(changes) }),
    deleteTask: (id: string) => json<unknown>(`/api/tasks/${encodeURIComponent(id)}`, { method: "DELETE" }),
    /** Forgets the cached JWT (call on sign-out). */
    forgetToken: () => remember(null),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;
