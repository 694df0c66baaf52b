import type { IndexDefinition, Schema } from 'mongoose';

/**
 * Per collection: the indexes its schema declares that a FerretDB connection does not build.
 * (Mongoose applies a connection's plugins once per schema object, and may compile a model
 * from a copy of it: by collection name, what was skipped is known whichever copy it was.)
 */
const skipped = new Map<string, Set<string>>();

/** The indexes uniqueIndexesOnly kept from being built on `collection`. */
export function skippedIndexes(collection: string): readonly string[] {
  return [...(skipped.get(collection) ?? [])];
}

/**
 * A connection plugin for FerretDB: its models build only their unique indexes (which decide
 * concurrent inserts). FerretDB 1.24 on SQLite answers no query from a secondary index — it
 * pushes down only `_id` equality (docs/database.md) — so each non-unique index was pure cost:
 * maintained on every insert (its expression parsed out of the document's JSON), never read.
 * MongoDB builds them all: its queries need them.
 */
export function uniqueIndexesOnly(schema: Schema): void {
  const collection = schema.get('collection') ?? '';
  const mine = skipped.get(collection) ?? new Set<string>();
  for (const [fields, opts] of schema.indexes()) {
    if (opts?.unique) continue;
    schema.removeIndex(fields);
    mine.add(opts?.name ?? defaultIndexName(fields));
  }
  skipped.set(collection, mine);
}

/** MongoDB's default index name: `a_1_b_-1`. */
function defaultIndexName(fields: IndexDefinition): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}_${String(v)}`)
    .join('_');
}

