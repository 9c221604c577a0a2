/**
 * The DLMS client's queue of GET jobs: each job is the caller's list of attributes, cut into
 * chunks (one GET each, a list where the meter allows it), with one result per attribute. The
 * client (client.ts) decides when a chunk goes out; this keeps what was asked, what came back,
 * and the invoke-ids.
 */
import { errorInfo, type OmrError } from '../../../shared/errors';
import type { Action } from '../machine';
import { dataAccessError, type AttributeRequest, type GetDataResult } from './apdu';
import type { DlmsClientEvent, ResultItem } from './client-options';
import type { GetInFlight } from './get-answer';
import { formatObis, parseObis } from './obis-code';

export interface Job {
  id: number;
  requests: AttributeRequest[];
  results: (ResultItem | undefined)[];
  /** Chunks of request indexes still to ask for, one GET each. */
  chunks: number[][];
}

/** The GET under way: its job, its chunk and the blocks of its answer so far. */
export interface InFlight extends GetInFlight {
  job: Job;
  chunk: number[];
}

type A = Action<DlmsClientEvent>;

export class GetJobs {
  private jobs: Job[] = [];
  private nextId = 1;
  private invokeId = 0;

  /** A new job (validated: a bad OBIS text is INVALID_REQUEST), not queued yet. */
  create(requests: AttributeRequest[]): Job {
    for (const r of requests) if (typeof r.obis === 'string') parseObis(r.obis);
    return { id: this.nextId++, requests, results: requests.map(() => undefined), chunks: [] };
  }

  push(job: Job): void {
    this.jobs.push(job);
  }

  /** The job whose chunks go out next. */
  get first(): Job | undefined {
    return this.jobs[0];
  }

  /** The first job is answered in full: its result event. */
  shift(): A[] {
    const job = this.jobs.shift();
    return job ? resultEvent(job) : [];
  }

  /** Every queued job ends with `error` for what it has not got yet; their result events. */
  failAll(error: OmrError): A[] {
    const out = this.jobs.flatMap((job) => {
      failJob(job, error);
      return resultEvent(job);
    });
    this.jobs = [];
    return out;
  }

  /** Cut every queued job but `except` again (the conformance or PDU size changed). */
  replan(plan: (requests: AttributeRequest[]) => number[][], except?: Job): void {
    for (const job of this.jobs) if (job !== except) job.chunks = plan(job.requests);
  }

  /** Invoke-ids run 1..15 and round again. */
  nextInvokeId(): number {
    this.invokeId = (this.invokeId % 15) + 1;
    return this.invokeId;
  }
}

/** The result event of a job: one result per request, in order. */
export function resultEvent(job: Job): A[] {
  return [
    { type: 'event', event: { type: 'result', id: job.id, results: job.results.map((r) => r ?? { ok: false, error: errorInfo('INTERNAL', 'no result') }) } },
  ];
}

/** `e` as the result of every request of the job (or of `indexes`) that has none yet. */
export function failJob(job: Job, e: OmrError, indexes?: number[]): void {
  for (const i of indexes ?? job.requests.map((_, k) => k)) if (!job.results[i]) job.results[i] = { ok: false, error: e.info() };
}

/** The results of the GET in flight, stored against the requests of its chunk. */
export function storeResults(f: InFlight, results: GetDataResult[]): void {
  results.forEach((res, k) => {
    const i = f.chunk[k];
    if (i === undefined) return;
    const req = f.job.requests[i]!;
    const what = `${typeof req.obis === 'string' ? req.obis : formatObis(req.obis)} attribute ${req.attribute}`;
    f.job.results[i] = res.ok ? { ok: true, value: res.value } : { ok: false, error: dataAccessError(res.dar, what).info() };
  });
}

/** The attributes of a chunk as text for the trace (`1-0:1.8.0*255/2, …`). */
export function describeChunk(job: Job, chunk: number[]): string {
  return chunk
    .map((i) => {
      const r = job.requests[i]!;
      return `${formatObis(typeof r.obis === 'string' ? parseObis(r.obis) : r.obis)}/${r.attribute}`;
    })
    .join(', ');
}
