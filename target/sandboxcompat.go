package target

import (
	"context"
	"reflect"

	"github.com/irdrill/irdrill/sandbox"
	"github.com/irdrill/irdrill/sandbox/clock"
)

// This file is the one place that reaches into the embedded sandbox beyond
// sandbox.Start and its Options, so that the sandbox's coming refactors
// (key import moving onto *sandbox.Sandbox, the virtual clock's
// (*sandbox.Sandbox).Clock()) touch nothing else.

// embeddedKeyImporter imports keys into an embedded sandbox: through
// (*sandbox.Sandbox).ImportAccessKey once the sandbox has it, through its
// IAM service today.
type embeddedKeyImporter struct{ sb *sandbox.Sandbox }

// sandboxKeyImport is the method the refactor gives *sandbox.Sandbox.
type sandboxKeyImport interface {
	ImportAccessKey(userName, accessKeyID, secretAccessKey string) error
}

func (k embeddedKeyImporter) ImportAccessKey(_ context.Context, userName, accessKeyID, secretAccessKey string) error {
	if imp, ok := any(k.sb).(sandboxKeyImport); ok {
		return imp.ImportAccessKey(userName, accessKeyID, secretAccessKey)
	}
	return k.sb.Handler().IAM().ImportAccessKey(userName, accessKeyID, secretAccessKey)
}

// embeddedClock finds a controllable clock on v: a method Clock() whose
// result has Now() time.Time and Advance(ctx, d) (time.Time, error), as
// the virtual-clock issue gives *sandbox.Sandbox. It returns nil when v
// has none, which is the case today.
func embeddedClock(v any) clockDriver {
	m := reflect.ValueOf(v).MethodByName("Clock")
	if !m.IsValid() || m.Type().NumIn() != 0 || m.Type().NumOut() != 1 {
		return nil
	}
	out := m.Call(nil)[0]
	if (out.Kind() == reflect.Pointer || out.Kind() == reflect.Interface) && out.IsNil() {
		return nil
	}
	c, ok := out.Interface().(clockDriver)
	if !ok {
		return nil
	}
	return c
}

// The sandbox's clock package has the driver's method set.
var _ clockDriver = (*clock.Clock)(nil)
