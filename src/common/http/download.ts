import { pipeline } from 'node:stream/promises';
import type { Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

/**
 * A download as a service describes it, free of HTTP plumbing: the status, the headers, and
 * the body as a stream factory (null: no body — a 304, a HEAD, an empty file). Controllers send
 * it with `sendDownload`; WebDAV and the web app use the same descriptors.
 */
export interface Download {
  status: 200 | 206 | 304;
  headers: Record<string, string>;
  body: (() => AsyncIterable<Buffer>) | null;
}

/** The conditional and range request headers a download honours. */
export interface DownloadConditions {
  range?: string;
  ifRange?: string;
  ifNoneMatch?: string;
  /** HEAD: the headers of the answer, without the bytes. */
  headOnly?: boolean;
}

export function downloadConditions(req: Request): DownloadConditions {
  return {
    range: req.headers.range,
    ifRange: header(req.headers['if-range']),
    ifNoneMatch: header(req.headers['if-none-match']),
    headOnly: req.method === 'HEAD',
  };
}

/** Streams a download to the response; memory stays flat whatever the size. */
export async function sendDownload(res: Response, d: Download, logger: Logger): Promise<void> {
  res.status(d.status);
  for (const [name, value] of Object.entries(d.headers)) res.setHeader(name, value);
  if (!d.body) {
    res.end();
    return;
  }
  try {
    await pipeline(d.body, res);
  } catch (err) {
    // A client that hangs up mid-download is no server error; anything else is logged.
    if (!res.destroyed || res.writableFinished) logger.warn({ err }, 'download interrupted');
    res.destroy();
  }
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}
