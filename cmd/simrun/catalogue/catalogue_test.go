package catalogue

import (
	"strings"
	"testing"
)

// Every kind lists something; names are aligned and references bracketed.
func TestListEveryKind(t *testing.T) {
	for _, kind := range Kinds {
		args := []string{kind}
		if kind == "scenarios" {
			args = append(args, "../../../scenarios")
		}
		items, err := List(args)
		if err != nil || len(items) == 0 {
			t.Fatalf("%s: %d items, %v", kind, len(items), err)
		}
	}
}

func TestWriteAligns(t *testing.T) {
	var b strings.Builder
	Write(&b, []Item{{"a", "first", "PROTOCOL.md 6"}, {"longer", "second", ""}})
	want := "a       first  [PROTOCOL.md 6]\nlonger  second\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

// The arguments' errors name the kinds, or say which DIR is wrong.
func TestListUsageErrors(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "name what to list (kinds: modes, faults"},
		{[]string{"widgets"}, `unknown kind "widgets"`},
		{[]string{"rules", "x"}, "list rules: takes no DIR"},
		{[]string{"scenarios", "a", "b"}, "at most one DIR (got 2)"},
	} {
		if _, err := List(tc.args); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
