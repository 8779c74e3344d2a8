// The header of a VCD dump, read line by line: its scopes and variables (by dotted path, spelled as the design spells
// them whichever simulator wrote the dump), its $version and $timescale. The one header reader of rowsim: the streaming
// sampler (vcdStream.ts) and the whole-file reader of `simrun explain` (vcd.ts) both use it.

/** A signal's declaration in the dump. */
export interface VcdVar {
  readonly id: string;
  readonly width: number;
  /** Dotted path through the dump's scopes. */
  readonly path: string;
}

/** The dump's header facts. */
export interface VcdHeader {
  /** Every declared signal by path; a path declared twice keeps its first declaration. */
  readonly vars: ReadonlyMap<string, VcdVar>;
  /** The `$version` text: which simulator wrote the dump. */
  readonly version: string;
  readonly timescale: string;
}

/**
 * A name (of a signal or a scope) as the design spells it. Icarus writes an array word or a generate block's instance
 * as an escaped identifier ('\\p_reg[13]'); Verilator writes the word of an array it split into registers (its
 * split_var pragma) as 'p_reg(13)'.
 */
export function designSignalName(name: string): string {
  const plain = name.startsWith('\\') ? name.slice(1) : name;
  const split = /^([A-Za-z_][A-Za-z0-9_$]*)\((\d+)\)$/.exec(plain);
  return split ? `${split[1]}[${split[2]}]` : plain;
}

/** Reads header lines until `$enddefinitions`; `line` says when that came, and `header` then holds what was declared. */
export class VcdHeaderReader {
  private readonly scopes: string[] = [];
  private readonly vars = new Map<string, VcdVar>();
  private readonly facts = { vars: this.vars as ReadonlyMap<string, VcdVar>, version: '', timescale: '' };
  private pendingKeyword: { key: string; text: string[] } | null = null;

  /** The header read so far (complete once `line` has returned true): one object, updated in place as lines come. */
  get header(): VcdHeader {
    return this.facts;
  }

  /** Takes one trimmed, non-empty header line; true when it was `$enddefinitions` (the value changes follow). */
  line(line: string): boolean {
    if (this.pendingKeyword) {
      if (line.endsWith('$end')) {
        this.keyword(this.pendingKeyword.key, [...this.pendingKeyword.text, line.slice(0, -4)].join(' ').trim());
        this.pendingKeyword = null;
      } else this.pendingKeyword.text.push(line);
      return false;
    }
    // Writers pad the width column ('$var wire  1 ...'), so fields split on any run of blanks.
    const words = line.split(/\s+/);
    switch (words[0]) {
      case '$scope': this.scopes.push(designSignalName(words[2] ?? '')); return false;
      case '$upscope': this.scopes.pop(); return false;
      case '$var': {
        // $var <type> <size> <id> <name> [<range>] $end
        const path = [...this.scopes, designSignalName(words[4] ?? '')].join('.');
        if (!this.vars.has(path)) this.vars.set(path, { id: words[3] ?? '', width: Number(words[2]), path });
        return false;
      }
      case '$version':
      case '$timescale':
      case '$date':
      case '$comment': {
        const inline = line.slice(words[0].length).trim();
        if (inline.endsWith('$end')) this.keyword(words[0], inline.slice(0, -4).trim());
        else this.pendingKeyword = { key: words[0], text: inline ? [inline] : [] };
        return false;
      }
      case '$enddefinitions': return true;
      default: return false;
    }
  }

  private keyword(key: string, text: string): void {
    if (key === '$version') this.facts.version = text;
    if (key === '$timescale') this.facts.timescale = text;
  }
}
