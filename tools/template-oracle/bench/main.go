// Command bench times Go's text/template (with sprig and Oathkeeper's print) on the portal's
// id_token claims and X-User header templates, with the data bench/template.bench.ts uses, so
// that gatehouse's numbers can be read against Go's. Not part of CI; see ../README.md.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"text/template"
	"time"

	"github.com/Masterminds/sprig"
)

type MatchContext struct {
	RegexpCaptureGroups []string
	URL                 *url.URL
	Method              string
	Header              http.Header
}

type Session struct {
	Subject      string
	Extra        map[string]interface{}
	Header       http.Header
	MatchContext MatchContext
}

const whoami = `{
  "id": "2f1b6a0e-9d52-4b8e-a7a1-3c8f0b6e9d21", "active": true,
  "expires_at": "2026-12-31T12:00:00.000000Z", "authenticated_at": "2026-12-01T12:00:00.000000Z",
  "authenticator_assurance_level": "aal1", "issued_at": "2026-12-01T12:00:00.000000Z",
  "authentication_methods": [{"method": "password", "aal": "aal1", "completed_at": "2026-12-01T12:00:00.000000Z"}],
  "identity": {
    "id": "8c2b1f5e-6a7d-4c1e-9a43-2f6d0b9e7a11", "schema_id": "default",
    "schema_url": "https://account.example.com/.ory/kratos/public/schemas/ZGVmYXVsdA", "state": "active",
    "traits": {"email": "alice@example.com"},
    "verifiable_addresses": [{"id": "0c1d", "value": "alice@example.com", "verified": true, "via": "email", "status": "completed"}],
    "recovery_addresses": [{"id": "7e8f", "value": "alice@example.com", "via": "email"}],
    "metadata_public": null, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"
  },
  "devices": [{"id": "d1", "ip_address": "127.0.0.1", "user_agent": "Mozilla/5.0", "location": ""}]
}`

func main() {
	funcs := sprig.TxtFuncMap()
	funcs["print"] = func(i interface{}) string {
		if i == nil {
			return ""
		}
		return fmt.Sprintf("%v", i)
	}
	var extra map[string]interface{}
	if err := json.Unmarshal([]byte(whoami), &extra); err != nil {
		panic(err)
	}
	u, _ := url.Parse("http://oathkeeper:4455/api/user/uploads?page=2")
	session := &Session{Subject: "8c2b1f5e-6a7d-4c1e-9a43-2f6d0b9e7a11", Extra: extra, Header: http.Header{},
		MatchContext: MatchContext{URL: u, Method: "GET", Header: http.Header{"Accept": {"text/html"}}}}
	for name, text := range map[string]string{
		"id_token claims": "{\n  \"session\": {{ .Extra | toJson }}\n}",
		"X-User header":   "{{ print .Subject }}",
	} {
		t := template.Must(template.New(name).Funcs(funcs).Option("missingkey=zero").Parse(text))
		const n = 200000
		start := time.Now()
		for i := 0; i < n; i++ {
			if err := t.Execute(io.Discard, session); err != nil {
				panic(err)
			}
		}
		elapsed := time.Since(start)
		fmt.Printf("%-16s Go text/template: %10.0f ops/s\n", name, float64(n)/elapsed.Seconds())
	}
}
