import { createHash } from 'node:crypto';
import type { Knex } from 'knex';

/**
 * A simulator's tables live in a schema of their own with their own migration table, so
 * they never mix with the platform's tables or its `knex_migrations`: a simulator stands
 * in for another company's service, whose data the platform can only reach over HTTP.
 */
export interface SimulatorSchema {
  name: string;
  /** Its migration table, inside the schema. */
  migrationTable: string;
  /** In order; append new ones, never edit one that has run somewhere. */
  migrations: Record<string, Knex.Migration>;
}

/** The advisory lock of one schema's migrations: the first 8 bytes of sha256('<schema>:migrations'). */
const migrationLock = (schema: string): string =>
  createHash('sha256').update(`${schema}:migrations`).digest().readBigInt64BE(0).toString();

/**
 * Creates the schema and applies pending migrations. Knex's own lock refuses (rather
 * than waits for) a second migrator, and creating the schema and migration table can
 * race, so simulators starting together queue on one advisory lock instead; it is held
 * by a transaction, so a crashed start never leaves it taken.
 */
export async function migrateSchema(db: Knex, schema: SimulatorSchema): Promise<string[]> {
  const { migrations } = schema;
  const migrationSource: Knex.MigrationSource<string> = {
    getMigrations: async () => Object.keys(migrations),
    getMigrationName: (name) => name,
    getMigration: async (name) => migrations[name],
  };
  return db.transaction(async (lock) => {
    await lock.raw('select pg_advisory_xact_lock(?::bigint)', [migrationLock(schema.name)]);
    // On other pooled connections, so each step is visible to the next; the lock above
    // still keeps every other simulator out until all of them are done.
    await db.raw('create schema if not exists ??', [schema.name]);
    const [, applied] = (await db.migrate.latest({ schemaName: schema.name, tableName: schema.migrationTable, migrationSource })) as [
      number,
      string[],
    ];
    return applied;
  });
}
