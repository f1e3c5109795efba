// Command template-oracle renders a table of Go template cases with Go's own
// text/template and html/template (plus Masterminds sprig as packaged by
// Debian) and writes the table back with the expected result of every case.
//
// It is built in GOPATH mode against Debian's packaged Go libraries; see
// README.md for the exact command. The TypeScript test-suite only reads the
// generated JSON, so CI does not need Go.
//
// Input (stdin): a JSON array of cases
//
//	{"name", "template", "data", "dataKind": "json"|"session",
//	 "mode": "text"|"html", "funcs": "oathkeeper"|"sprig"|"sprig-hermetic"|"go",
//	 "missingkey": "default"|"zero"|"error", "templates"?: {name: text}}
//
// Output (stdout): the same array, each case with "expect": {"output": ...}
// or {"error": ...}.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	htmltemplate "html/template"
	"io"
	"net/http"
	"net/url"
	"os"
	"reflect"
	"sort"
	texttemplate "text/template"
	"time"

	// Embedded zone database, so dateInZone cases do not depend on the
	// machine's tzdata package.
	_ "time/tzdata"

	// Debian installs sprig v3 (module path github.com/Masterminds/sprig/v3)
	// under /usr/share/gocode/src/github.com/Masterminds/sprig; in GOPATH
	// mode it is imported without the /v3 suffix.
	sprig "github.com/Masterminds/sprig"
)

// Case is one row of the table. Field order here is the field order of the
// generated JSON.
type Case struct {
	Name       string            `json:"name"`
	Template   string            `json:"template"`
	Templates  map[string]string `json:"templates,omitempty"`
	Data       json.RawMessage   `json:"data"`
	DataKind   string            `json:"dataKind"`
	Mode       string            `json:"mode"`
	Funcs      string            `json:"funcs"`
	MissingKey string            `json:"missingkey"`
	Expect     *Expect           `json:"expect,omitempty"`
}

// Expect holds exactly one of Output or Error.
type Expect struct {
	Output *string `json:"output,omitempty"`
	Error  *string `json:"error,omitempty"`
}

// MatchContext mirrors Oathkeeper's authn.MatchContext.
type MatchContext struct {
	RegexpCaptureGroups []string
	URL                 *url.URL
	Method              string
	Header              http.Header
}

// Session mirrors Oathkeeper's authn.AuthenticationSession.
type Session struct {
	Subject      string
	Extra        map[string]interface{}
	Header       http.Header
	MatchContext MatchContext
}

type sessionJSON struct {
	Subject      string                 `json:"subject"`
	Extra        map[string]interface{} `json:"extra"`
	Header       map[string][]string    `json:"header"`
	MatchContext *struct {
		RegexpCaptureGroups []string            `json:"regexpCaptureGroups"`
		URL                 *string             `json:"url"`
		Method              string              `json:"method"`
		Header              map[string][]string `json:"header"`
	} `json:"matchContext"`
}

func toHeader(m map[string][]string) http.Header {
	if m == nil {
		return nil
	}
	h := http.Header{}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range m[k] {
			h.Add(k, v) // canonicalises the key
		}
		if len(m[k]) == 0 {
			h[http.CanonicalHeaderKey(k)] = []string{}
		}
	}
	return h
}

func buildSession(raw json.RawMessage) (*Session, error) {
	var in sessionJSON
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, fmt.Errorf("session data: %w", err)
	}
	s := &Session{
		Subject: in.Subject,
		Extra:   in.Extra,
		Header:  toHeader(in.Header),
	}
	if mc := in.MatchContext; mc != nil {
		s.MatchContext.RegexpCaptureGroups = mc.RegexpCaptureGroups
		s.MatchContext.Method = mc.Method
		s.MatchContext.Header = toHeader(mc.Header)
		if mc.URL != nil {
			u, err := url.Parse(*mc.URL)
			if err != nil {
				return nil, fmt.Errorf("session url: %w", err)
			}
			s.MatchContext.URL = u
		}
	}
	return s, nil
}

// hermeticRemoved is the list sprig 3.2.3 itself removes in
// HermeticTxtFuncMap/HermeticHtmlFuncMap (its nonhermeticFunctions). Kept
// here only so the README and a sanity check can name them.
var hermeticRemoved = []string{
	"date", "date_in_zone", "date_modify", "now", "htmlDate", "htmlDateInZone",
	"dateInZone", "dateModify",
	"randAlphaNum", "randAlpha", "randAscii", "randNumeric", "randBytes", "uuidv4",
	"env", "expandenv",
	"getHostByName",
}

// Oathkeeper's own functions (ory/oathkeeper x/template.go).
func okPrint(i interface{}) string {
	if i == nil {
		return ""
	}
	return fmt.Sprintf("%v", i)
}

func okPrintIndex(element interface{}, i int) string {
	if element == nil {
		return ""
	}
	list := reflect.ValueOf(element)
	if list.Kind() == reflect.Slice && i < list.Len() {
		return fmt.Sprintf("%v", list.Index(i))
	}
	return ""
}

func funcMap(kind, mode string) (map[string]interface{}, error) {
	m := map[string]interface{}{}
	switch kind {
	case "go":
	case "sprig":
		if mode == "html" {
			for k, v := range sprig.HtmlFuncMap() {
				m[k] = v
			}
		} else {
			for k, v := range sprig.TxtFuncMap() {
				m[k] = v
			}
		}
	case "sprig-hermetic":
		if mode == "html" {
			for k, v := range sprig.HermeticHtmlFuncMap() {
				m[k] = v
			}
		} else {
			for k, v := range sprig.HermeticTxtFuncMap() {
				m[k] = v
			}
		}
		for _, n := range hermeticRemoved {
			if _, ok := m[n]; ok {
				return nil, fmt.Errorf("hermetic map still has %q", n)
			}
		}
	case "oathkeeper":
		// Same order as Oathkeeper: own functions first, then sprig (sprig
		// has neither name, so nothing is overridden).
		m["print"] = okPrint
		m["printIndex"] = okPrintIndex
		for k, v := range sprig.TxtFuncMap() {
			m[k] = v
		}
	default:
		return nil, fmt.Errorf("unknown funcs %q", kind)
	}
	return m, nil
}

func option(missingkey string) ([]string, error) {
	switch missingkey {
	case "default", "":
		return nil, nil
	case "zero", "error":
		return []string{"missingkey=" + missingkey}, nil
	}
	return nil, fmt.Errorf("unknown missingkey %q", missingkey)
}

func extraNames(c *Case) []string {
	names := make([]string, 0, len(c.Templates))
	for k := range c.Templates {
		names = append(names, k)
	}
	sort.Strings(names)
	return names
}

// render returns (output, templateError, harnessError).
func render(c *Case) (string, error, error) {
	var dot interface{}
	switch c.DataKind {
	case "json":
		if len(c.Data) > 0 {
			if err := json.Unmarshal(c.Data, &dot); err != nil {
				return "", nil, fmt.Errorf("data: %w", err)
			}
		}
	case "session":
		s, err := buildSession(c.Data)
		if err != nil {
			return "", nil, err
		}
		dot = s
	default:
		return "", nil, fmt.Errorf("unknown dataKind %q", c.DataKind)
	}
	fm, err := funcMap(c.Funcs, c.Mode)
	if err != nil {
		return "", nil, err
	}
	opts, err := option(c.MissingKey)
	if err != nil {
		return "", nil, err
	}

	var buf bytes.Buffer
	switch c.Mode {
	case "text":
		t := texttemplate.New("main").Option(opts...).Funcs(fm)
		if _, err := t.Parse(c.Template); err != nil {
			return "", err, nil
		}
		for _, n := range extraNames(c) {
			if _, err := t.New(n).Parse(c.Templates[n]); err != nil {
				return "", err, nil
			}
		}
		if err := t.ExecuteTemplate(&buf, "main", dot); err != nil {
			return "", err, nil
		}
	case "html":
		t := htmltemplate.New("main").Option(opts...).Funcs(htmltemplate.FuncMap(fm))
		if _, err := t.Parse(c.Template); err != nil {
			return "", err, nil
		}
		for _, n := range extraNames(c) {
			if _, err := t.New(n).Parse(c.Templates[n]); err != nil {
				return "", err, nil
			}
		}
		if err := t.ExecuteTemplate(&buf, "main", dot); err != nil {
			return "", err, nil
		}
	default:
		return "", nil, fmt.Errorf("unknown mode %q", c.Mode)
	}
	return buf.String(), nil, nil
}

func safeRender(c *Case) (out string, terr error, herr error) {
	defer func() {
		if r := recover(); r != nil {
			herr = fmt.Errorf("panic: %v", r)
		}
	}()
	return render(c)
}

func main() {
	// Dates are rendered in UTC whatever the machine's zone (sprig's date
	// functions use time.Local); the README also runs with TZ=UTC.
	time.Local = time.UTC

	in, err := io.ReadAll(os.Stdin)
	if err != nil {
		fatal("read stdin: %v", err)
	}
	var cases []*Case
	dec := json.NewDecoder(bytes.NewReader(in))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cases); err != nil {
		fatal("parse input: %v", err)
	}
	seen := map[string]bool{}
	failed := false
	nOut, nErr := 0, 0
	for _, c := range cases {
		if c.Name == "" || seen[c.Name] {
			fmt.Fprintf(os.Stderr, "case name empty or duplicated: %q\n", c.Name)
			failed = true
		}
		seen[c.Name] = true
		if len(c.Data) == 0 {
			c.Data = json.RawMessage("null")
		}
		out, terr, herr := safeRender(c)
		if herr != nil {
			fmt.Fprintf(os.Stderr, "case %q: %v\n", c.Name, herr)
			failed = true
			continue
		}
		if terr != nil {
			msg := terr.Error()
			c.Expect = &Expect{Error: &msg}
			nErr++
		} else {
			c.Expect = &Expect{Output: &out}
			nOut++
		}
	}
	if failed {
		os.Exit(1)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(cases); err != nil {
		fatal("encode: %v", err)
	}
	os.Stdout.Write(buf.Bytes())
	fmt.Fprintf(os.Stderr, "template-oracle: %d cases, %d outputs, %d errors\n", len(cases), nOut, nErr)
}

func fatal(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "template-oracle: "+format+"\n", a...)
	os.Exit(1)
}
