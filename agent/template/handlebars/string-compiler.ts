/**
 * Handlebars with `noEscape` appends values to the output with a bare `+`,
 * so two adjacent numbers or booleans are added instead of concatenated:
 * `{{a}}{{b}}` with a=1, b=2 renders "3". Vault data is full of numbers, so
 * this engine's JavaScript compiler turns every appended value into a string
 * first (`"" + value`), which is what printing means.
 */

interface CompilerInstance {
  isInline(): boolean;
  replaceStack(fn: (current: unknown) => unknown[]): void;
  pushSource(source: unknown): void;
  appendToBuffer(source: unknown): unknown;
  popStack(): unknown;
}

type CompilerConstructor = {
  new (): CompilerInstance;
  prototype: CompilerInstance & { compiler: unknown; append(): void };
};

export function useStringAppendingCompiler(env: object): void {
  const hb = env as { JavaScriptCompiler: unknown };
  const Base = hb.JavaScriptCompiler as CompilerConstructor;
  const baseAppend = Base.prototype.append;
  function StringAppendingCompiler(this: CompilerInstance): void {
    (Base as unknown as (this: CompilerInstance) => void).call(this);
  }
  const proto = Object.create(Base.prototype) as CompilerConstructor["prototype"];
  // nested programs (block bodies) are compiled by `new this.compiler()`
  proto.compiler = StringAppendingCompiler;
  proto.append = function append(this: CompilerInstance) {
    if (!this.isInline()) {
      baseAppend.call(this);
      return;
    }
    this.replaceStack((current) => [' != null ? "" + ', current, ' : ""']);
    this.pushSource(this.appendToBuffer(this.popStack()));
  };
  StringAppendingCompiler.prototype = proto;
  hb.JavaScriptCompiler = StringAppendingCompiler;
}
