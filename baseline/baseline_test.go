package baseline

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRead(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string // fingerprints; nil with an error
		err       string
	}{
		{name: "JSON report", src: `{"version": 1, "findings": [{"fingerprint": "a1"}, {"fingerprint": ""}, {"fingerprint": "b2"}]}`, want: []string{"a1", "b2"}},
		{name: "JSON report without findings", src: `{"version": 1, "findings": []}`, want: []string{}},
		{name: "SARIF log", src: `{"runs": [{"tool": {"driver": {"name": "other"}}, "results": [{"partialFingerprints": {"stowaway/v1": "x"}}]},
			{"tool": {"driver": {"name": "stowaway"}}, "results": [{"partialFingerprints": {"stowaway/v1": "c3", "other/v1": "d4"}}, {"partialFingerprints": {"stowaway/v1": 7}}]}]}`, want: []string{"c3"}},
		{name: "SARIF log of another tool", src: `{"runs": [{"tool": {"driver": {"name": "other"}}}]}`, err: "no run of stowaway"},
		{name: "future JSON report", src: `{"version": 99, "findings": []}`, err: "unknown version"},
		{name: "version a string", src: `{"version": "1", "findings": []}`, err: "unknown version"},
		{name: "other JSON", src: `{"items": []}`, err: "neither a JSON report"},
		{name: "not JSON", src: "FROM alpine\n", err: "not a JSON report or SARIF log"},
		{name: "empty", src: "", err: "not a JSON report or SARIF log"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Read([]byte(tc.src))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("error %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]bool{}
			for _, fp := range tc.want {
				want[fp] = true
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("fingerprints (-want +got):\n%s", diff)
			}
		})
	}
}
