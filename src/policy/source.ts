import { isMap, isPair, isScalar, isSeq, LineCounter, type Node, parseDocument } from "yaml";

type Path = readonly (string | number)[];

/** A parsed YAML policy file that can tell the line and column of any path in it. */
export class PolicySourceFile {
  readonly lineCounter = new LineCounter();
  readonly doc;

  constructor(
    readonly path: string,
    readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false, uniqueKeys: true });
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
