/**
 * Where a JSON text first breaks the grammar, and how, for the messages of the CLI: V8's JSON.parse says
 * "at position 12" for some errors and nothing for others, and quotes the text it could not read. Only called
 * once JSON.parse has failed. Iterative, so no nesting depth overflows it.
 */
export function jsonSyntaxError(text: string): { offset: number; message: string } | undefined {
  let i = 0;
  const stack: string[] = [];
  const fail = (message: string) => ({ offset: i, message });
  const skipSpace = () => {
    while (i < text.length && " \t\n\r".includes(text[i] as string)) i++;
  };
  const shown = (c: string | undefined) => (c === undefined ? "the end of the file" : `'${c}'`);
  let state: "value" | "key" | "after" = "value";
  let afterComma = false;
  for (;;) {
    skipSpace();
    const c = text[i];
    if (state === "value") {
      if (c === "{" || c === "[") {
        stack.push(c === "{" ? "}" : "]");
        i++;
        skipSpace();
        if (text[i] === stack[stack.length - 1]) {
          stack.pop();
          i++;
          state = "after";
        } else state = c === "{" ? "key" : "value";
      } else if (c === '"') {
        const error = string();
        if (error) return error;
        state = "after";
      } else if (c !== undefined && /[-0-9]/.test(c)) {
        const number = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
        number.lastIndex = i;
        if (!number.exec(text)) return fail(`not a number: ${shown(c)}`);
        i = number.lastIndex;
        state = "after";
      } else if (c !== undefined && /[tfn]/.test(c)) {
        const word = ["true", "false", "null"].find((w) => text.startsWith(w, i));
        if (!word)
          return fail(`unexpected ${shown(c)}: expected a value (true, false and null are lower case)`);
        i += word.length;
        state = "after";
      } else if (afterComma && (c === "]" || c === "}")) {
        return fail(`a comma before ${shown(c)}: JSON allows no trailing comma`);
      } else {
        return fail(`unexpected ${shown(c)}: expected a value`);
      }
      afterComma = false;
    } else if (state === "key") {
      if (c !== '"')
        return fail(
          afterComma && c === "}"
            ? "a comma before '}': JSON allows no trailing comma"
            : `unexpected ${shown(c)}: expected a property name in double quotes`,
        );
      const error = string();
      if (error) return error;
      skipSpace();
      if (text[i] !== ":") return fail(`unexpected ${shown(text[i])}: expected ':' after the property name`);
      i++;
      afterComma = false;
      state = "value";
    } else {
      const close = stack[stack.length - 1];
      if (close === undefined)
        return c === undefined ? undefined : fail(`unexpected ${shown(c)} after the JSON value`);
      if (c === ",") {
        i++;
        afterComma = true;
        state = close === "}" ? "key" : "value";
      } else if (c === close) {
        stack.pop();
        i++;
      } else return fail(`unexpected ${shown(c)}: expected ',' or '${close}'`);
    }
  }

  function string(): { offset: number; message: string } | undefined {
    const start = i;
    i++;
    while (i < text.length) {
      const c = text[i] as string;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c === "\\") {
        const next = text[i + 1];
        if (
          next === "u"
            ? !/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))
            : !next || !'"\\/bfnrt'.includes(next)
        )
          return fail(`a bad escape in a string: '\\${next ?? ""}'`);
        i += next === "u" ? 6 : 2;
        continue;
      }
      if (c < " ")
        return fail(
          `a control character (U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}) in a string: escape it`,
        );
      i++;
    }
    i = start;
    return fail("a string that never ends (no closing '\"')");
  }
}

/** 1-based line and column of an offset in a text. */
export function lineAndColumn(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: offset - start + 1 };
}
