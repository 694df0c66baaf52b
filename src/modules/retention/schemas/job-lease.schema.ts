import { Schema } from 'mongoose';

export const JOB_LEASE_MODEL = 'JobLease';

/** Who runs a job right now (`_id` = job name), until when. */
export interface JobLeaseDoc {
  _id: string;
  holder: string;
  until: Date;
}

export const JobLeaseSchema = new Schema<JobLeaseDoc>(
  { _id: String, holder: String, until: Date },
  { collection: 'job_leases', versionKey: false },
);
