// Minimal typing for the one use of "pg" (a Pool handed to Better Auth); @types/pg is not installed.
declare module "pg" {
  export class Pool {
    constructor(config: { connectionString?: string });
    end(): Promise<void>;
  }
  const pg: { Pool: typeof Pool };
  export default pg;
}
