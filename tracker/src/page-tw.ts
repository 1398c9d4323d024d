import type { EventType, PopinForm, PopinMessage, ServerMessage } from '../../engine/protocol/index.js';

/** Records one event of this page: stamps it with id, time, URL and session, and queues it for the engine. */
export type RecordEvent = (type: EventType, props?: Record<string, unknown>) => void;

export type PopinEventType = 'popin_shown' | 'popin_clicked' | 'popin_dismissed';
export type ReportPopin = (type: PopinEventType, props: { trigger: string; scenario: string }) => void;
export type RenderPopin = (message: PopinMessage, report: ReportPopin) => void;
/**
 * tw-form.js: adds the pop-in's form to its dialog. Once the visitor has answered, `answered(true)`
 * keeps the pop-in open (it shows a thank-you) and `answered(false)` closes it; either reports popin_clicked.
 */
/** tw-modal.js: keeps Tab and Shift+Tab cycling inside a modal pop-in's dialog. */
export type TrapFocus = (root: ShadowRoot, dialog: HTMLElement) => void;
export type RenderForm = (dialog: HTMLElement, form: PopinForm, answered: (stay: boolean) => void) => void;
/**
 * tw-post.js: POSTs a frame's JSON `body` to `url` (the engine's /e) and resolves to what the
 * engine answered, as messages for the socket's receiver; rejects when the engine is unreachable.
 */
export type PostFrame = (url: string, body: string) => Promise<ServerMessage[]>;

/**
 * The page's global `tw`. Before tw.js runs it is the snippet's stub, which queues each call's
 * arguments in `q`; tw.js replaces it, tw-ui.js hands the core its renderer as `ui`,
 * tw-modal.js its focus trap as `trap`, tw-form.js its form renderer as `form`, and tw-post.js its POST /e sender as `post`.
 */
export interface PageTw {
  (command: string, ...args: unknown[]): void;
  q?: ArrayLike<unknown>[];
  ui?: RenderPopin;
  trap?: TrapFocus;
  form?: RenderForm;
  post?: PostFrame;
  loaded?: boolean;
}

export const pageGlobals = window as unknown as { tw?: PageTw };
