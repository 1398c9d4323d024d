import type { CaptureEvent } from './record.js';

/**
 * Records `exit_intent` when the pointer leaves the page through its top edge (towards the tabs,
 * the address bar or the close button), once per page load. Only with a mouse: on touch screens
 * there is no such gesture, and guessing from scrolls would fire on every visit.
 */
export function captureExitIntent(record: CaptureEvent): void {
  if (!matchMedia('(pointer:fine)').matches) return;
  const leaving = (event: MouseEvent): void => {
    if (event.relatedTarget || event.clientY > 0) return;
    document.removeEventListener('mouseout', leaving);
    record('exit_intent', {});
  };
  document.addEventListener('mouseout', leaving);
}
