/**
 * Frames of a session trace explained for the review (the `trace:explain` channel): each frame
 * or line goes through the explanation engine (HDLC → LLC → APDU → data, IEC 62056-21 lines),
 * and comes back as one summary line, a verdict and the indented text.
 */
import type { Lang } from '../../../shared/errors';
import type { TraceExplanation } from '../../../shared/types';
import { explain, renderText, type Layer } from '../../engine/explain/explain';

function firstProblem(layers: Layer[], lang: Lang): string | undefined {
  for (const l of layers) {
    if (!l.verdict.ok) return `${l.layer}: ${l.verdict.problem[lang]}`;
    const inner = l.inner ? firstProblem(l.inner, lang) : undefined;
    if (inner) return inner;
  }
  return undefined;
}

function summaryOf(layers: Layer[]): string {
  const parts: string[] = [];
  let level: Layer[] | undefined = layers;
  // Outermost first, one layer per level (the first one where several sit side by side).
  for (let depth = 0; level?.length && depth < 6; depth++) {
    const l: Layer = level[0]!;
    parts.push(`${l.layer}: ${l.summary}`);
    level = l.inner;
  }
  return parts.join(' · ');
}

/** Explain one frame given as hex; a redacted secret (`**`) is read as zero bytes. */
export function explainFrame(hexText: string, lang: Lang): TraceExplanation {
  const clean = hexText.replace(/\*/g, '0');
  const bytes = Uint8Array.from(Buffer.from(clean.length % 2 ? clean.slice(0, -1) : clean, 'hex'));
  let layers: Layer[];
  try {
    layers = explain(bytes, { lang });
  } catch (e) {
    // The engine reports damage as verdicts; anything else is still an answer, never a crash.
    return { summary: `${bytes.length} bytes`, ok: false, problem: String(e instanceof Error ? e.message : e), text: '' };
  }
  const problem = firstProblem(layers, lang);
  return { summary: summaryOf(layers), ok: problem === undefined, ...(problem ? { problem } : {}), text: renderText(layers, lang) };
}

export function explainFrames(frames: string[], lang: Lang): TraceExplanation[] {
  return frames.map((f) => explainFrame(f, lang));
}
