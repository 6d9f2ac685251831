// Joining the lines of one logical record (stack traces) per (file, stream). A rule looks at each
// line with the state of the open group and answers whether it continues the group; anything
// else closes the group and starts a new one. Presets follow what Java, Go and Python print.
import type { MultilineConfig } from '../../../contract/agent-config/types.ts';
import { compilePattern } from '../../../contract/patterns.ts';

export interface MultilineRule {
  /** New state: 0 = no group open. Returns true when `line` continues the open group. */
  continues(line: string, state: MlState): boolean;
}
export interface MlState {
  mode: number;
}

const JAVA_CONT = /^(?:\s|Caused by:|Suppressed:|\.\.\. \d+ (?:more|common frames omitted))/;
// The throwable header a logger prints under its message line (logback, log4j, JUL):
// `java.lang.IllegalStateException: card declined` — it belongs to the line above it.
const JAVA_THROWABLE = /^(?:[A-Za-z_$][\w$]*\.)+[\w$]*(?:Exception|Error|Throwable)(?::|$)/;
const java: MultilineRule = {
  // mode 1: the open group is a single message line, which a throwable header may follow.
  continues(line, st) {
    if (JAVA_CONT.test(line) || (st.mode === 1 && JAVA_THROWABLE.test(line))) {
      st.mode = 2;
      return true;
    }
    st.mode = 1;
    return false;
  },
};

const GO_START = /^(?:panic: |fatal error: |runtime: )/;
const GO_CONT =
  /^(?:$|goroutine \d+ \[|\t|\s|created by |\[signal |\[recovered\]|exit status |[\w./*()-]+\(.*\)$)/;
const go: MultilineRule = {
  continues(line, st) {
    if (st.mode === 1 && GO_CONT.test(line)) return true;
    st.mode = GO_START.test(line) ? 1 : 0;
    return false;
  },
};

const PY_START = 'Traceback (most recent call last):';
const PY_CHAIN = /^(?:$|During handling of the above exception|The above exception was the direct cause)/;
const py: MultilineRule = {
  // mode 1: inside the frames; 2: after the exception line (a chained traceback may follow).
  continues(line, st) {
    if (st.mode === 1) {
      if (line.length > 0 && (line.charCodeAt(0) === 32 || line.charCodeAt(0) === 9)) return true;
      st.mode = line.length === 0 ? 1 : 2;
      return true;
    }
    if (st.mode === 2) {
      if (PY_CHAIN.test(line)) return true;
      if (line === PY_START) {
        st.mode = 1;
        return true;
      }
    }
    st.mode = line === PY_START ? 1 : 0;
    return false;
  },
};

function custom(cfg: MultilineConfig): MultilineRule {
  // Tenant patterns, on the linear-time engine (contract/patterns.ts).
  const start = cfg.start !== undefined ? compilePattern(cfg.start) : undefined;
  const cont = cfg.continue !== undefined ? compilePattern(cfg.continue) : undefined;
  return {
    continues(line, st) {
      if (start?.test(line)) {
        st.mode = 1;
        return false;
      }
      if (st.mode === 1 && (cont === undefined || cont.test(line))) return true;
      // Only `start`: a line outside any group stands alone; with `continue`, any line may open one.
      st.mode = start === undefined ? 1 : 0;
      return false;
    },
  };
}

export function multilineRule(cfg: MultilineConfig): MultilineRule {
  switch (cfg.preset) {
    case 'java':
      return java;
    case 'go':
      return go;
    case 'python':
      return py;
    default:
      return custom(cfg);
  }
}

/** An open group of one (file, stream). */
export class MlGroup {
  ts = '';
  lines: string[] = [];
  bytes = 0;
  cut = 0;
  start = -1;
  touched = 0;
  readonly state: MlState = { mode: 0 };
}
