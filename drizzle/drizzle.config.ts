// drizzle-kit configuration for the test suite, which pushes the generated
// schema into an empty scratch database to prove it builds. The server comes
// from the standard libpq variables (PGHOST, PGPORT, PGUSER, PGDATABASE,
// PGPASSWORD), so no password is ever on a command line.
import { defineConfig } from 'drizzle-kit';

const env = (name: string, fallback?: string): string => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

export default defineConfig({
  dialect: 'postgresql',
  schema: env('DRIZZLE_SCHEMA', './schema.ts'),
  // drizzle-kit leaves schemas other than public alone unless they are named.
  schemaFilter: env('DRIZZLE_SCHEMAS', 'public').split(','),
  dbCredentials: {
    host: env('PGHOST', '127.0.0.1'),
    port: Number(env('PGPORT', '5432')),
    user: env('PGUSER', 'postgres'),
    password: process.env.PGPASSWORD,
    database: env('PGDATABASE'),
    ssl: false,
  },
});
