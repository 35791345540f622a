package scan

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/stowaway-dev/stowaway/checks"
)

// fill sets every field that v reaches to a value of its own: a new field
// of Finding or BuildContext that pack forgets then fails the round trip.
func fill(v reflect.Value, n *int) {
	switch v.Kind() {
	case reflect.String:
		*n++
		v.SetString("text " + string(rune('a'+*n%26)) + string(rune('0'+*n/26)))
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		*n++
		v.SetInt(int64(*n))
	case reflect.Struct:
		for i := range v.NumField() {
			fill(v.Field(i), n)
		}
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*checks.Rule]() {
			return // rules come from the engine's table
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), n)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), n)
		}
	default:
		panic("fill: add a case for " + v.Kind().String())
	}
}

func TestPackRoundTrip(t *testing.T) {
	p := newPacker(checks.All())
	var full Finding
	n := 0
	fill(reflect.ValueOf(&full).Elem(), &n)
	full.Rule = checks.SecretEnv
	full.Span.Line = -3 // ints are signed

	shared := Finding{Finding: checks.Finding{RuleID: "secret-arg", Message: full.Message, Fix: full.Fix}, Rule: checks.InvalidPragma}
	unknown := Finding{Finding: checks.Finding{RuleID: "made-up"}, Rule: &checks.Rule{ID: "made-up"}}
	want := []Finding{full, shared, {}}
	var ctx BuildContext
	fill(reflect.ValueOf(&ctx).Elem(), &n)
	wantCtx := []BuildContext{ctx, {Dockerfile: "Dockerfile", Dir: "."}}

	packed := p.pack(append(want, unknown), wantCtx)
	got, gotCtx, err := p.unpack(packed, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	unknown.Rule = nil // not the engine's: packed as none
	samePointer := cmp.Comparer(func(a, b *checks.Rule) bool { return a == b })
	if diff := cmp.Diff(append(want, unknown), got, samePointer); diff != "" {
		t.Errorf("findings round trip (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantCtx, gotCtx); diff != "" {
		t.Errorf("contexts round trip (-want +got):\n%s", diff)
	}
	if p.pack(nil, nil) != nil {
		t.Error("nothing packed into bytes")
	}

	// A cut buffer is an error, never a panic or a made-up result.
	for i := range packed {
		if got, gotCtx, err := p.unpack(packed[:i], nil, nil); err == nil && i > 0 {
			t.Errorf("unpack of %d of %d bytes: no error, %d findings, %d contexts", i, len(packed), len(got), len(gotCtx))
		}
	}
}
