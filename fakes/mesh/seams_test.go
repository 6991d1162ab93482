package mesh

import (
	"reflect"
	"testing"
)

// Every seam and every wrapper field has a reference: a field added without one would leave the
// zero value calling nil.
func TestSeamsAndWrapperHaveReferences(t *testing.T) {
	for _, v := range []any{Seams{}.withReference(), FrontEndSeams{}.withReference(), StoreSeams{}.withReference(), Wrapper{}.withReference()} {
		rv := reflect.ValueOf(v)
		for i := range rv.NumField() {
			if rv.Field(i).IsNil() {
				t.Errorf("%s.%s has no reference", rv.Type().Name(), rv.Type().Field(i).Name)
			}
		}
	}
}
