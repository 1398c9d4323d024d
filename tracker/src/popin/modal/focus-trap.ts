/** Keeps Tab and Shift+Tab cycling inside a modal dialog, as aria-modal promises screen-reader users. */
export function trapFocus(root: ShadowRoot, dialog: HTMLElement): void {
  dialog.addEventListener('keydown', (event) => {
    if (event.key !== 'Tab') return;
    const stops = dialog.querySelectorAll<HTMLElement>('a[href],button,input');
    const first = stops[0]!;
    const last = stops[stops.length - 1]!;
    const active = root.activeElement;
    if (event.shiftKey ? active === first || active === dialog : active === last) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
}
