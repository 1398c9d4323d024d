/** A new element with its class and, optionally, its text. */
export function element<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const made = document.createElement(tag);
  made.className = className;
  // Server strings only ever become text: a title such as <img onerror=...> stays inert.
  if (text) made.textContent = text;
  return made;
}
