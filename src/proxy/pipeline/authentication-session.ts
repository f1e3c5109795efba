import { GoHeader, type GoUrl } from '../../template/go-net.js';
import { GoNilMap, GoStruct } from '../../template/values.js';

/**
 * What templates see as `.MatchContext`: how the request matched its rule. `URL` and `Header` are
 * built on first read: most requests never render a template that reads them.
 */
export class MatchContext extends GoStruct {
  private url?: GoUrl;
  private header?: GoHeader;

  constructor(
    public RegexpCaptureGroups: string[],
    private readonly makeUrl: () => GoUrl,
    public Method: string,
    private readonly makeHeader: () => GoHeader,
  ) {
    super();
  }

  get URL(): GoUrl {
    this.url ??= this.makeUrl();
    return this.url;
  }

  get Header(): GoHeader {
    this.header ??= this.makeHeader();
    return this.header;
  }

  goType(): string {
    return 'authn.MatchContext';
  }

  override goPointer(): boolean {
    return false;
  }

  override goFields(): [string, unknown][] {
    return [
      ['RegexpCaptureGroups', this.RegexpCaptureGroups],
      ['URL', this.URL],
      ['Method', this.Method],
      ['Header', this.Header],
    ];
  }

  override hasGoField(name: string): boolean {
    return name === 'RegexpCaptureGroups' || name === 'URL' || name === 'Method' || name === 'Header';
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
