import Database from "better-sqlite3";

/** Whether expireSession can work on this database (SQLite files only, for now: no PostgreSQL client is a dependency). */
export function canExpireSessions(database: string): boolean {
  return !/^postgres(ql)?:\/\//.test(database);
}

/**
 * Expires one session in Better Auth's SQLite database: its `expiresAt` is set an hour in the past, in the form
 * Better Auth stored it (epoch milliseconds or ISO text). Only ever called on a session the audit itself just signed
 * in. Resolves to whether a row changed.
 */
export function expireSession(database: string, token: string): boolean {
  const past = new Date(Date.now() - 3600_000);
  const db = new Database(database, { fileMustExist: true });
  try {
    const row = db.prepare('SELECT "expiresAt" AS e FROM "session" WHERE token = ?').get(token) as { e: unknown } | undefined;
    if (!row) return false;
    const value = typeof row.e === "number" ? past.getTime() : past.toISOString();
    return db.prepare('UPDATE "session" SET "expiresAt" = ? WHERE token = ?').run(value, token).changes > 0;
  } finally {
    db.close();
  }
}
