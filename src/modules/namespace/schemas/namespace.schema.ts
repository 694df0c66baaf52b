import { Schema } from 'mongoose';

export const NAMESPACE_MODEL = 'Namespace';
export const OP_RECORD_MODEL = 'OpRecord';

/** A tree of files: today each user has one, their root, whose id is the user's id. */
export interface NamespaceDoc {
  _id: string;
  ownerId: string;
  createdAt: Date;
  /** Journal entries up to here are applied to the projection (a hint: it may lag, never lead). */
  appliedSeq: number;
  /** Bytes of live file content as of `usageSeq`. */
  usage: number;
  usageSeq: number;
}

/** A device operation that was applied (`_id` = `<deviceId>:<opId>`), so a retry is answered, not re-applied. */
export interface OpRecordDoc {
  _id: string;
  ns: string;
  seq: number;
  opHash: string;
}

export const NamespaceSchema = new Schema<NamespaceDoc>(
  { _id: String, ownerId: String, createdAt: Date, appliedSeq: Number, usage: Number, usageSeq: Number },
  { collection: 'namespaces', versionKey: false },
);

export const OpRecordSchema = new Schema<OpRecordDoc>(
  { _id: String, ns: String, seq: Number, opHash: String },
  { collection: 'ops', versionKey: false },
);
