import type { Collection, Document } from 'mongodb';
import type { Model } from 'mongoose';

/**
 * The model's native driver collection, typed with its document shape. Hot paths (journal,
 * tree projection) use it to skip Mongoose's casting; schemas still define the indexes.
 */
export function collectionOf<T extends Document>(model: Model<T>): Collection<T> {
  return model.collection as unknown as Collection<T>;
}
