package plant

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/syncsim/syncsim/host"
)

// planted reports whether a Set holds any interceptor: a seam function or a middleware.
func planted(s Set) bool {
	if s.HTTP != nil {
		return true
	}
	for _, part := range []any{s.Host, s.HostWrapper, s.Mesh, s.MeshWrapper, s.FrontEnd, s.Store, s.Blob} {
		v := reflect.ValueOf(part)
		for i := range v.NumField() {
			if !v.Field(i).IsNil() {
				return true
			}
		}
	}
	return false
}

// Every served defect names a rule and plants an interceptor; the zero Set plants none.
func TestServedDefectsPlantSomething(t *testing.T) {
	if planted(Set{}) {
		t.Fatal("the zero Set plants an interceptor")
	}
	for server, table := range map[string]map[string]Defect{"host": HostServer, "mesh": MeshServer, "frontend": FrontEndServer} {
		for _, name := range Names(table) {
			d := table[name]
			if d.Rule == "" || d.Description == "" {
				t.Errorf("%s %s: no rule or description", server, name)
			}
			if !planted(Of(d.Plant)) {
				t.Errorf("%s %s: plants nothing", server, name)
			}
		}
	}
}

// An unknown name is ErrUnknownDefect and lists the known ones; known names plant into a Set for
// the site given.
func TestResolve(t *testing.T) {
	site := host.Site{Name: "myapp"}
	_, err := Resolve(MeshServer, site, []string{"no-retry", "bogus"})
	if !errors.Is(err, ErrUnknownDefect) || !strings.Contains(err.Error(), `"bogus"`) || !strings.Contains(err.Error(), "accept-malformed, fetch-per-notification") {
		t.Fatalf("err %v, want ErrUnknownDefect naming bogus and listing the known defects", err)
	}
	s, err := Resolve(HostServer, site, []string{"sync-ignores-failure", "triggers-stale-payload"})
	if err != nil || s.Site != site || s.Host.FailureSurfaced == nil || s.HTTP == nil {
		t.Fatalf("resolved %+v, %v: want the host seam, the middleware and the site", s, err)
	}
}
