import {
  type Document,
  type ErrorCode,
  isAlias,
  isMap,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
  visit,
} from "yaml";

type Path = readonly (string | number)[];

/** The yaml library's own default: more alias expansions than this is an alias bomb, not a policy. */
export const MAX_ALIAS_COUNT = 100;

/** Where each part of the merged policy came from, so semantic errors point at the right file and line. */
export interface PolicyOrigins {
  /** rules[i] -> the file and index it was defined at. */
  rules: { file: PolicySourceFile; index: number }[];
  /** A top-level path (e.g. `routing.default`, `routes.ops`) -> the file that set it. */
  keys: Map<string, PolicySourceFile>;
  files: PolicySourceFile[];
}

/** A parsed YAML policy file that can tell the line and column of any path in it. */
export class PolicySourceFile {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    // logLevel "error": the library's warnings (a key that is a list) come back as problems, never on stderr.
    this.doc = parseDocument(text, {
      lineCounter: this.lineCounter,
      prettyErrors: false,
      uniqueKeys: true,
      logLevel: "error",
    });
  }

  /**
   * What the YAML library finds wrong, and what it would only warn about or throw on when the document is turned
   * into values: an alias of its own ancestor (a value that contains itself), a key that is a list or mapping
   * (JavaScript would make it text), an unknown tag. Offsets; the parse errors first.
   */
  yamlProblems(): { offset: number; message: string }[] {
    const found: { offset: number; message: string }[] = [];
    const seen = new Set<string>();
    // A parser that ran out of stack reports the rest of the file as errors of its own making: only that one.
    const exhausted = this.doc.errors.find((e) => e.code === "RESOURCE_EXHAUSTION");
    for (const e of exhausted ? [exhausted] : [...this.doc.errors, ...this.doc.warnings]) {
      const offset = e.pos[0];
      const message = this.libraryMessage(e.code, e.message.split("\n")[0] ?? e.code, offset);
      // Errors that repeat at one place say it once.
      if (seen.has(`${offset} ${message}`)) continue;
      seen.add(`${offset} ${message}`);
      found.push({ offset, message });
    }
    if (this.doc.errors.length > 0) return found;
    const doc = this.doc;
    visit(doc, {
      Alias: (_, node, path) => {
        const target = node.resolve(doc);
        if (target && path.includes(target))
          found.push({
            offset: node.range?.[0] ?? 0,
            message: `alias *${node.source} refers to a value that contains it: it would never end`,
          });
      },
      Pair: (_, pair) => {
        if (pair.key !== null && !isScalar(pair.key) && !isAlias(pair.key))
          found.push({
            offset: (pair.key as Node).range?.[0] ?? 0,
            message: "a key must be a plain word, not a list or a mapping",
          });
      },
    });
    return found;
  }

  /** The library's message, where it speaks of its own API, in the words of a policy file. */
  private libraryMessage(code: ErrorCode, message: string, offset: number): string {
    switch (code) {
      case "MULTIPLE_DOCS":
        return "the file holds more than one YAML document (a '---' line); a policy file is one document";
      case "DUPLICATE_KEY":
        return `key '${/^[^:\n]*/.exec(this.text.slice(offset))?.[0]?.trim() ?? "?"}' is given twice in the same mapping`;
      case "RESOURCE_EXHAUSTION":
        return `the file is nested too deeply for the YAML parser (${message})`;
      case "TAG_RESOLVE_FAILED":
        return `${message}; a policy file needs no YAML tags`;
      default:
        return message;
    }
  }

  /**
   * The document's values, or why the library would not make them: an alias that names no anchor, or aliases
   * that expand past `maxAliasCount` (an alias bomb), at that alias.
   */
  values(): { value: unknown } | { offset: number; message: string } {
    try {
      return { value: this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) };
    } catch (error) {
      const doc = this.doc;
      let first: number | undefined;
      let unresolved: number | undefined;
      visit(doc, {
        Alias: (_, node) => {
          first ??= node.range?.[0];
          if (!node.resolve(doc)) {
            unresolved = node.range?.[0];
            return visit.BREAK;
          }
        },
      });
      const expanded = unresolved === undefined && error instanceof ReferenceError;
      return {
        offset: unresolved ?? first ?? 0,
        message: `${(error as Error).message.split("\n")[0]}${expanded ? ` (its aliases expand to more than ${MAX_ALIAS_COUNT} values)` : ""}`,
      };
    }
  }

  /** 1-based line and column of an offset. */
  position(offset: number): { line: number; col: number } {
    const pos = this.lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  }

  private nodeAt(path: Path): Node | undefined {
    let node: unknown = this.doc.contents;
    for (const key of path) {
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key),
        );
        node = pair?.value ?? undefined;
      } else if (isSeq(node) && typeof key === "number") {
        node = node.items[key];
      } else {
        return undefined;
      }
      if (node === undefined || node === null) return undefined;
    }
    return node as Node;
  }

  private keyAt(path: Path): Node | undefined {
    if (path.length === 0) return undefined;
    const parent = path.length === 1 ? this.doc.contents : this.nodeAt(path.slice(0, -1));
    const last = path[path.length - 1];
    if (!isMap(parent)) return undefined;
    const pair = parent.items.find(
      (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(last),
    );
    return (pair?.key as Node | undefined) ?? undefined;
  }

  /**
   * Where a path is in the file: the value's position, or with `key` the key's own position. Falls back to the
   * nearest ancestor that exists, then to the start of the file.
   */
  locate(path: Path, options: { key?: boolean } = {}): { line: number; col: number } {
    for (let n = path.length; n >= 0; n--) {
      const sub = path.slice(0, n);
      const node = options.key && n === path.length ? this.keyAt(sub) : (this.nodeAt(sub) ?? this.keyAt(sub));
      const start = node?.range?.[0];
      if (typeof start === "number") return this.position(start);
    }
    return { line: 1, col: 1 };
  }
}
