package site

import (
	"errors"
	"fmt"
	"testing"

	"github.com/syncsim/syncsim/fakes/blob"
)

// asBlob claims to be a blob error through an As method.
type asBlob struct{ e *blob.Error }

func (a asBlob) Error() string { return "as" }
func (a asBlob) As(target any) bool {
	if t, ok := target.(**blob.Error); ok {
		*t = a.e
		return true
	}
	return false
}

// blobErrorOf finds what errors.As finds, in plain chains, joined errors and As methods alike.
func TestBlobErrorOfIsErrorsAs(t *testing.T) {
	inner := &blob.Error{Status: 409, Code: "LeaseAlreadyPresent"}
	other := &blob.Error{Status: 412, Code: "ConditionNotMet"}
	for _, err := range []error{
		inner, fmt.Errorf("wrapped: %w", inner), fmt.Errorf("twice: %w", fmt.Errorf("once: %w", inner)),
		errors.Join(errors.New("x"), inner), fmt.Errorf("%w and %w", errors.New("y"), inner),
		fmt.Errorf("as: %w", asBlob{other}), asBlob{other}, errors.New("plain"), fmt.Errorf("no blob: %w", errors.New("z")),
	} {
		var want *blob.Error
		errors.As(err, &want)
		if got := blobErrorOf(err); got != want {
			t.Errorf("%v: got %v, errors.As finds %v", err, got, want)
		}
		if want != nil && blob.StatusOf(err) != want.Status {
			t.Errorf("%v: blob.StatusOf %d, the error's status %d", err, blob.StatusOf(err), want.Status)
		}
	}
}
