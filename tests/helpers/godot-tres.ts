// An independent reader for Godot 4 text resources (.tres): sections
// ([gd_resource …], [ext_resource …], [sub_resource …], [resource]) with
// `key = value` properties, values in Godot's Variant text syntax (numbers,
// strings, &"StringName", true/false/null, Constructor(args), [arrays],
// {dictionaries}). Throws on any syntax error, with the line.

export type TresValue =
  | number
  | string
  | boolean
  | null
  | { ctor: string; args: TresValue[] }
  | { stringName: string }
  | TresValue[]
  | { dict: [TresValue, TresValue][] };

export interface TresSection {
  tag: string;
  attrs: Record<string, TresValue>;
  props: Record<string, TresValue>;
}

export function parseTres(text: string): TresSection[] {
  let i = 0;
  const line = () => text.slice(0, i).split('\n').length;
  const fail = (msg: string): never => {
    throw new Error(`.tres syntax error at line ${line()}: ${msg}`);
  };
  const ws = (newlines = true) => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\r' || (newlines && text[i] === '\n'))) i++;
  };
  const ident = () => {
    const m = /^[A-Za-z_][A-Za-z0-9_/]*/.exec(text.slice(i));
    if (!m) fail(`expected a name, found ${JSON.stringify(text.slice(i, i + 10))}`);
    i += m![0].length;
    return m![0];
  };
  const str = (): string => {
    if (text[i] !== '"') fail('expected "');
    i++;
    let out = '';
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        i++;
        const c = text[i];
        out += c === 'n' ? '\n' : c === 't' ? '\t' : c!;
      } else out += text[i];
      i++;
    }
    if (text[i] !== '"') fail('unterminated string');
    i++;
    return out;
  };
  const value = (): TresValue => {
    ws();
    const c = text[i];
    if (c === '"') return str();
    if (c === '&') {
      i++;
      return { stringName: str() };
    }
    if (c === '[') {
      i++;
      const arr: TresValue[] = [];
      ws();
      if (text[i] === ']') return (i++, arr);
      for (;;) {
        arr.push(value());
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') return (i++, arr);
        else fail('expected , or ] in array');
      }
    }
    if (c === '{') {
      i++;
      const dict: [TresValue, TresValue][] = [];
      ws();
      if (text[i] === '}') return (i++, { dict });
      for (;;) {
        const k = value();
        ws();
        if (text[i] !== ':') fail('expected : in dictionary');
        i++;
        dict.push([k, value()]);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') return (i++, { dict });
        else fail('expected , or } in dictionary');
      }
    }
    const num = /^-?(\d+\.?\d*(e[-+]?\d+)?|\.\d+|inf|nan)/.exec(text.slice(i));
    if (num) return ((i += num[0].length), Number(num[0]));
    const name = ident();
    if (name === 'true') return true;
    if (name === 'false') return false;
    if (name === 'null') return null;
    ws();
    if (text[i] !== '(') fail(`bare word ${name} is not a value`);
    i++;
    const args: TresValue[] = [];
    ws();
    if (text[i] === ')') return (i++, { ctor: name, args });
    for (;;) {
      args.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] === ')') return (i++, { ctor: name, args });
      else fail(`expected , or ) in ${name}(…)`);
    }
  };
  const sections: TresSection[] = [];
  ws();
  while (i < text.length) {
    if (text[i] === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      ws();
      continue;
    }
    if (text[i] === '[') {
      i++;
      const tag = ident();
      const attrs: Record<string, TresValue> = {};
      ws(false);
      while (text[i] !== ']') {
        const k = ident();
        if (text[i] !== '=') fail(`expected = after ${k}`);
        if (k in attrs) fail(`${k} given twice in one section header`);
        i++;
        attrs[k] = value();
        ws(false);
        if (i >= text.length) fail('unterminated section header');
      }
      i++;
      sections.push({ tag, attrs, props: {} });
    } else {
      const current = sections.at(-1) ?? fail('property before any section');
      const k = ident();
      ws(false);
      if (text[i] !== '=') fail(`expected = after ${k}`);
      if (k in current!.props) fail(`${k} given twice in one section`);
      i++;
      current!.props[k] = value();
      ws(false);
      if (i < text.length && text[i] !== '\n') fail(`trailing text after ${k}`);
    }
    ws();
  }
  if (sections[0]?.tag !== 'gd_resource') fail('a .tres starts with [gd_resource …]');
  return sections;
}

/** Rect2(x, y, w, h) as numbers. */
export function rect2(v: TresValue | undefined): [number, number, number, number] {
  if (!v || typeof v !== 'object' || !('ctor' in v) || v.ctor !== 'Rect2' || v.args.length !== 4)
    throw new Error(`not a Rect2: ${JSON.stringify(v)}`);
  return v.args as [number, number, number, number];
}
