import type { EventType, PopinForm, PopinMessage } from '../../engine/protocol/index.js';

/** Records one event of this page: stamps it with id, time, URL and session, and queues it for the engine. */
export type RecordEvent = (type: EventType, props?: Record<string, unknown>) => void;

export type PopinEventType = 'popin_shown' | 'popin_clicked' | 'popin_dismissed';
export type ReportPopin = (type: PopinEventType, props: { trigger: string; scenario: string }) => void;
export type RenderPopin = (message: PopinMessage, report: ReportPopin) => void;
/**
 * tw-form.js: adds the pop-in's form to its dialog. Once the visitor has answered, `answered(true)`
 * keeps the pop-in open (it shows a thank-you) and `answered(false)` closes it; either reports popin_clicked.
 */
export type RenderForm = (dialog: HTMLElement, form: PopinForm, answered: (stay: boolean) => void) => void;

/**
 * The page's global `tw`. Before tw.js runs it is the snippet's stub, which queues each call's
 * arguments in `q`; tw.js replaces it, tw-ui.js hands the core its renderer as `ui`,
 * and tw-form.js its form renderer as `form`.
 */
export interface PageTw {
  (command: string, ...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  ui?: RenderPopin;
  form?: RenderForm;
  loaded?: boolean;
}

export const pageGlobals = window as unknown as { tw?: PageTw };
