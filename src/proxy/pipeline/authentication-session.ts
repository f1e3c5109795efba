import { GoHeader, type GoUrl } from '../../template/go-net.js';
import { GoNilMap, GoStruct } from '../../template/values.js';

/**
 * What templates see as `.MatchContext`: how the request matched its rule. `URL` and `Header` are
 * built on first read: most requests never render a template that reads them.
 */
export class MatchContext extends GoStruct {
  declare URL: GoUrl;
  declare Header: GoHeader;

  constructor(
    public RegexpCaptureGroups: string[],
    url: () => GoUrl,
    public Method: string,
    header: () => GoHeader,
  ) {
    super();
    lazyField(this, 'URL', url);
    lazyField(this, 'Header', header);
  }
  goType(): string {
    return 'authn.MatchContext';
  }
  override goPointer(): boolean {
    return false;
  }
}

/** An own, enumerable property computed on first read (templates only see own properties). */
function lazyField<T>(target: object, name: string, compute: () => T): void {
  let value: T | undefined;
  let done = false;
  Object.defineProperty(target, name, {
    enumerable: true,
    configurable: true,
    get() {
      if (!done) {
        value = compute();
        done = true;
      }
      return value;
    },
  });
}

/**
 * Oathkeeper's AuthenticationSession: who the caller is (`Subject`, `Extra`), the headers the
 * mutators set for the upstream (`Header`), and the match. Field names are Go's, since the
 * templates in configs read them.
 */
export class AuthenticationSession extends GoStruct {
  Subject = '';
  /** A nil map until an authenticator sets it: reads like an empty map, JSON `null`. */
  Extra: Record<string, unknown> | GoNilMap = new GoNilMap();
  Header = new GoHeader();

  constructor(public MatchContext: MatchContext) {
    super();
  }

  goType(): string {
    return '*authn.AuthenticationSession';
  }

  /** Sets a header for the upstream, replacing earlier values (Go's Header.Set). */
  setHeader(name: string, value: string): void {
    this.Header.set(name, value);
  }
}
