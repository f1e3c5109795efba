import { GoHeader, type GoUrl } from '../../template/go-net.js';
import { GoNilMap, GoStruct } from '../../template/values.js';

/** What templates see as `.MatchContext`: how the request matched its rule. */
export class MatchContext extends GoStruct {
  constructor(
    public RegexpCaptureGroups: string[],
    public URL: GoUrl,
    public Method: string,
    public Header: GoHeader,
  ) {
    super();
  }
  goType(): string {
    return 'authn.MatchContext';
  }
  override goPointer(): boolean {
    return false;
  }
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
