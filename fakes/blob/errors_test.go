package blob

import (
	"errors"
	"fmt"
	"testing"
)

func TestErrorText(t *testing.T) {
	tests := []struct {
		err  *Error
		want string
	}{
		{&Error{Status: 412, Code: CodeConditionNotMet, Op: OpUpload, Container: ctr, Blob: "x"},
			"blob: upload azure-webjobs-hosts/x: 412 ConditionNotMet"},
		{&Error{Status: 409, Code: CodeContainerAlreadyExists, Op: OpCreateContainer, Container: ctr},
			"blob: create-container azure-webjobs-hosts: 409 ContainerAlreadyExists"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
	}
}

func TestIsCodeAndStatusOfSeeThroughWrapping(t *testing.T) {
	base := &Error{Status: 404, Code: CodeBlobNotFound, Op: OpDownload, Container: ctr, Blob: key}
	wrapped := fmt.Errorf("read hash: %w", base)
	tests := []struct {
		name   string
		err    error
		code   string
		is     bool
		status int
	}{
		{"direct", base, CodeBlobNotFound, true, 404},
		{"wrapped", wrapped, CodeBlobNotFound, true, 404},
		{"other code", wrapped, CodeContainerNotFound, false, 404},
		{"foreign error", errors.New("boom"), CodeBlobNotFound, false, 0},
		{"nil", nil, CodeBlobNotFound, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := IsCode(tt.err, tt.code); got != tt.is {
				t.Errorf("IsCode = %v, want %v", got, tt.is)
			}
			if got := StatusOf(tt.err); got != tt.status {
				t.Errorf("StatusOf = %d, want %d", got, tt.status)
			}
		})
	}
}
