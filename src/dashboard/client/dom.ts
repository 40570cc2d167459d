/**
 * A tiny DOM builder for the dashboard page (browser code, bundled into the page at build time).
 *
 * @module
 */

type Child = Node | string | number | null | undefined | false;

/** Attributes: strings (set as attributes); `undefined`/`false` leave them out. */
type Attributes = Readonly<Record<string, string | number | boolean | undefined>>;

/**
 * Creates an HTML element.
 * @param tag the tag name
 * @param attributes its attributes (`class`, `data-testid`, …)
 * @param children text or nodes
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/**
 * Creates an SVG element.
 * @param tag the tag name
 * @param attributes its attributes
 * @param children nodes
 */
export function s<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): SVGElementTagNameMap[K] {
  const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
  setAttributes(element, attributes);
  append(element, children);
  return element;
}

/** Replaces the children of the element with id `id` (a no-op when it is missing). */
export function fill(id: string, ...children: Child[]): void {
  const target = document.getElementById(id);
  if (target === null) return;
  target.replaceChildren();
  append(target, children);
}

/** Sets the text of the element with id `id`. */
export function text(id: string, value: string): void {
  const target = document.getElementById(id);
  if (target !== null && target.textContent !== value) target.textContent = value;
}

function setAttributes(element: Element, attributes: Attributes): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }
}

function append(element: Element, children: readonly Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'number' ? String(child) : child);
  }
}
