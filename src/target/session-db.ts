import Database from "better-sqlite3";

const POSTGRES_URL = /^postgres(ql)?:\/\//;

/**
 * Expires one session in Better Auth's database (an SQLite file or a postgres:// URL): its `expiresAt` is set an
 * hour in the past, in the form Better Auth stored it (epoch milliseconds or ISO text in SQLite, a timestamp in
 * PostgreSQL). Only ever called on a session the audit itself just signed in. Resolves to whether a row changed.
 */
export async function expireSession(database: string, token: string): Promise<boolean> {
  const past = new Date(Date.now() - 3600_000);
  return POSTGRES_URL.test(database) ? expireInPostgres(database, token, past) : expireInSqlite(database, token, past);
}

function expireInSqlite(file: string, token: string, past: Date): boolean {
  const db = new Database(file, { fileMustExist: true });
  try {
    const row = db.prepare('SELECT "expiresAt" AS e FROM "session" WHERE token = ?').get(token) as { e: unknown } | undefined;
    if (!row) return false;
    const value = typeof row.e === "number" ? past.getTime() : past.toISOString();
    return db.prepare('UPDATE "session" SET "expiresAt" = ? WHERE token = ?').run(value, token).changes > 0;
  } finally {
    db.close();
  }
}

async function expireInPostgres(url: string, token: string, past: Date): Promise<boolean> {
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 10_000, query_timeout: 10_000 });
  await client.connect();
  try {
    const result = await client.query('UPDATE "session" SET "expiresAt" = $1 WHERE token = $2', [past, token]);
    return (result.rowCount ?? 0) > 0;
  } finally {
    await client.end();
  }
}
