"use client";

import Link from "next/link";
import { useState, type FormEvent } from "react";
import { signIn, signUp } from "@/lib/auth-client";

/** The sign-up and sign-in forms (email + password through Better Auth's client). */
export function AuthForm({ kind }: { kind: "sign-up" | "sign-in" }) {
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  async function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setError(null);
    setPending(true);
    const form = new FormData(event.currentTarget);
    const email = String(form.get("email") ?? "");
    const password = String(form.get("password") ?? "");
    const result =
      kind === "sign-up"
        ? await signUp.email({ name: String(form.get("name") ?? ""), email, password })
        : await signIn.email({ email, password });
    setPending(false);
    if (result.error) {
      setError(result.error.message ?? "Something went wrong");
      return;
    }
    window.location.assign("/tasks");
  }

  return (
    <div className="card">
      <h1>{kind === "sign-up" ? "Create an account" : "Sign in"}</h1>
      <form className="stack" onSubmit={onSubmit}>
        {kind === "sign-up" && (
          <label>
            Name
            <input name="name" autoComplete="name" required />
          </label>
        )}
        <label>
          Email
          <input name="email" type="email" autoComplete="email" required />
        </label>
        <label>
          Password
          <input
            name="password"
            type="password"
            autoComplete={kind === "sign-up" ? "new-password" : "current-password"}
            minLength={8}
            required
          />
        </label>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" data-testid={`${kind}-submit`} disabled={pending}>
          {kind === "sign-up" ? "Sign up" : "Sign in"}
        </button>
      </form>
      <p className="muted">
        {kind === "sign-up" ? (
          <>
            Already have an account? <Link href="/sign-in">Sign in</Link>
          </>
        ) : (
          <>
            No account yet? <Link href="/sign-up">Sign up</Link>
          </>
        )}
      </p>
    </div>
  );
}
