package actionlog

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

func TestCommandEscapes(t *testing.T) {
	for _, tc := range []struct {
		name, in, property, data string
	}{
		{"plain", "Dockerfile", "Dockerfile", "Dockerfile"},
		{"percent first", "100%0A", "100%250A", "100%250A"},
		{"line breaks", "a\r\nb", "a%0D%0Ab", "a%0D%0Ab"},
		{"property separators", "a:b,c=d", "a%3Ab%2Cc=d", "a:b,c=d"},
		{"forged command", "x\n::error::forged", "x%0A%3A%3Aerror%3A%3Aforged", "x%0A::error::forged"},
		{"other controls", "a\x1b[31mb\tc", `a\x1b[31mb\x09c`, `a\x1b[31mb\x09c`},
		{"non-ASCII kept", "café 🚀", "café 🚀", "café 🚀"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Property(tc.in); got != tc.property {
				t.Errorf("Property(%q) = %q, want %q", tc.in, got, tc.property)
			}
			if got := Data(tc.in); got != tc.data {
				t.Errorf("Data(%q) = %q, want %q", tc.in, got, tc.data)
			}
		})
	}
}

// commands returns the lines of log that the runner would read as workflow
// commands, split as it splits them.
func commands(log string) []string {
	var out []string
	for _, l := range strings.FieldsFunc(log, func(r rune) bool { return r == '\n' || r == '\r' }) {
		if strings.HasPrefix(strings.TrimSpace(l), "::") || strings.Contains(l, "##[") {
			out = append(out, l)
		}
	}
	return out
}

func TestLine(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Dockerfile", "Dockerfile"},
		{"a::b", "a::b"},
		{"x\n::error::forged", `x\x0a::error::forged`},
		{"x\r::add-mask::forged", `x\x0d::add-mask::forged`},
		{"::stop-commands::tok", `\x3a:stop-commands::tok`},
		{"  \u00a0::error::x", "  \u00a0\\x3a:error::x"},
		{"\t::error::x", `\x09::error::x`},
		{"a ##[error]forged", `a ##\x5berror]forged`},
		{"###[warning]x", `###\x5bwarning]x`},
		{"\x1b[31mred", `\x1b[31mred`},
		{"café 🚀", "café 🚀"},
	} {
		got := Line(tc.in)
		if got != tc.want {
			t.Errorf("Line(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if c := commands("stowaway: " + got + "\n" + got + "\n"); len(c) != 0 {
			t.Errorf("Line(%q) prints commands %q", tc.in, c)
		}
	}
}

func TestJSON(t *testing.T) {
	v := map[string]string{"path": "a##[error]x/##[stop-commands]tok", "message": "x\n::error::y ###[z"}
	doc, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	// Byte by byte, so that "##[" is split between writes.
	var buf bytes.Buffer
	w := JSON(&buf)
	for i := range doc {
		if _, err := w.Write(doc[i : i+1]); err != nil {
			t.Fatal(err)
		}
	}
	if c := commands(buf.String()); len(c) != 0 {
		t.Errorf("the document prints commands %q:\n%s", c, buf.String())
	}
	var back map[string]string
	if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back["path"] != v["path"] || back["message"] != v["message"] {
		t.Errorf("the escaped document reads back as %q, %v; want %q", back, err, v)
	}
}
