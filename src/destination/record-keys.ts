/**
 * Field names that are JavaScript object internals. JSON.parse keeps them as plain own keys, but any
 * later `obj[key] = value` turns `__proto__` into a prototype change (the field silently vanishes)
 * and a `key in allowList` check lets `constructor` through. Such records are refused with a
 * dead letter instead: at the top level all three names, at any depth `__proto__`.
 */
const RESERVED_TOP_LEVEL = ['__proto__', 'constructor', 'prototype'] as const;
const PROTO = '__proto__';

/** The path of the first reserved key in `record` (`record.__proto__`, `record.metadata.__proto__`), or undefined. */
export function reservedKeyPath(record: object): string | undefined {
  for (const name of RESERVED_TOP_LEVEL) if (Object.hasOwn(record, name)) return `record.${name}`;
  // Iterative, so a deeply nested record cannot overflow the stack.
  const pending: { value: object; path: string }[] = [{ value: record, path: 'record' }];
  for (let next = pending.pop(); next; next = pending.pop()) {
    if (!Array.isArray(next.value) && Object.hasOwn(next.value, PROTO)) return `${next.path}.${PROTO}`;
    for (const [key, child] of Object.entries(next.value)) {
      if (child !== null && typeof child === 'object')
        pending.push({
          value: child as object,
          path: Array.isArray(next.value) ? `${next.path}[${key}]` : `${next.path}.${key}`,
        });
    }
  }
  return undefined;
}
