/**
 * Text with numbers in it, kept as data until a renderer writes it: a phrase is a list of literal
 * strings written by this project (where `backticks` mark code, the house style of messages), text
 * and code taken from data (written verbatim, never read as markup), and values with their unit. So
 * an analysis can say "holds 100 req/s under p95 < 50 ms" without formatting a number, and Markdown,
 * HTML and analysis.json each write it their way.
 *
 *   t`${run.label} holds ${value(100, 'rate')} under p95 < ${value(50, 'ms')}`
 *
 * In `t`, the template's own text is literal; every interpolated string is data (a run label, a file
 * name, a message from k6) and becomes a verbatim text span.
 */
import { formatValue, type Unit } from './format.ts';

export interface CodeSpan {
  readonly code: string;
}

/** Text from data, written as it is (no backtick markup). */
export interface TextSpan {
  readonly text: string;
}

export interface ValueSpan {
  readonly value: number | null;
  readonly unit: Unit;
}

export type Inline = string | TextSpan | CodeSpan | ValueSpan;
export type Phrase = readonly Inline[];

export const value = (v: number | null, unit: Unit): ValueSpan => ({ value: v, unit });
export const code = (text: string): CodeSpan => ({ code: text });
export const verbatim = (text: string): TextSpan => ({ text });

export function isCode(inline: Inline): inline is CodeSpan {
  return typeof inline === 'object' && 'code' in inline;
}

export function isText(inline: Inline): inline is TextSpan {
  return typeof inline === 'object' && 'text' in inline;
}

export function isValue(inline: Inline): inline is ValueSpan {
  return typeof inline === 'object' && 'unit' in inline;
}

/** A phrase from a template: literal parts are text, `${…}` parts are strings, spans or phrases. */
export function t(strings: TemplateStringsArray, ...parts: readonly (Inline | Phrase | number)[]): Phrase {
  const out: Inline[] = [];
  strings.forEach((literal, i) => {
    if (literal !== '') out.push(literal);
    if (i >= parts.length) return;
    const part = parts[i] as Inline | Phrase | number;
    if (typeof part === 'number') out.push(String(part));
    else if (typeof part === 'string') out.push({ text: part });
    else if (Array.isArray(part)) out.push(...(part as Phrase));
    else out.push(part as Inline);
  });
  return out;
}

/** Phrases joined by `separator`. */
export function join(phrases: readonly Phrase[], separator: string): Phrase {
  return phrases.flatMap((phrase, i) => (i === 0 ? [...phrase] : [separator, ...phrase]));
}

/** The phrase as plain text: values formatted with their units, code in backticks, no other markup. */
export function plain(phrase: Phrase | string): string {
  if (typeof phrase === 'string') return phrase;
  return phrase
    .map((inline) =>
      typeof inline === 'string'
        ? markup(inline).map((part) => (part.kind === 'code' ? `\`${part.value}\`` : part.value)).join('')
        : isText(inline)
          ? inline.text
          : isCode(inline)
            ? `\`${inline.code}\``
            : formatValue(inline.value, inline.unit),
    )
    .join('');
}

/** A literal string's markup: `code` and **strong**, the rest text. */
export function markup(literal: string): { readonly kind: 'text' | 'code' | 'strong'; readonly value: string }[] {
  return literal
    .split(/(`[^`]*`|\*\*[^*]+\*\*)/)
    .filter((part) => part !== '')
    .map((part) =>
      part.length >= 2 && part.startsWith('`') && part.endsWith('`')
        ? { kind: 'code' as const, value: part.slice(1, -1) }
        : part.length >= 4 && part.startsWith('**') && part.endsWith('**')
          ? { kind: 'strong' as const, value: part.slice(2, -2) }
          : { kind: 'text' as const, value: part },
    );
}
