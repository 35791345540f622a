package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stowaway-dev/stowaway/image/imagetest"
)

func runImageCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"image"}, args...), func(string) string { return "" }, &out, &errb)
	for _, s := range []string{imagetest.NPMToken, imagetest.NPMImageGitHub} {
		if strings.Contains(out.String()+errb.String(), s) {
			t.Errorf("stowaway image %v printed the planted secret %q", args, s)
		}
	}
	return out.String(), errb.String(), code
}

func TestImageCommand(t *testing.T) {
	dir := t.TempDir()
	save := filepath.Join(dir, "image.tar")
	if err := imagetest.WriteDockerSave(save, imagetest.NPMImage(t, "")); err != nil {
		t.Fatal(err)
	}
	multi := filepath.Join(dir, "multi.tar")
	if err := imagetest.WriteOCITar(multi, imagetest.NPMImage(t, "linux/arm64"), imagetest.NPMImage(t, "linux/amd64")); err != nil {
		t.Fatal(err)
	}
	df := filepath.Join(dir, "Dockerfile")
	if err := os.WriteFile(df, []byte(imagetest.NPMDockerfile), 0o644); err != nil {
		t.Fatal(err)
	}
	truncated := filepath.Join(dir, "truncated.tar")
	whole, err := os.ReadFile(save)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(truncated, whole[:len(whole)/2], 0o644); err != nil {
		t.Fatal(err)
	}

	t.Run("json", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "json", save)
		if code != exitFindings {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitFindings, errs)
		}
		var doc struct {
			Findings []struct {
				Rule, Path, Message, Evidence string
			}
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		rules := map[string]int{}
		for _, f := range doc.Findings {
			rules[f.Rule]++
			if !strings.HasSuffix(f.Path, "image.tar") {
				t.Errorf("finding %s at %q, want on the image", f.Rule, f.Path)
			}
		}
		if rules["image-secret-history"] != 2 || rules["image-secret-file"] != 2 || len(doc.Findings) != 4 {
			t.Errorf("findings %+v", doc.Findings)
		}
	})
	t.Run("dockerfile", func(t *testing.T) {
		out, errs, code := runImageCmd(t, save, "--dockerfile", df, "--fail-on", "never")
		if code != exitOK {
			t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitOK, errs)
		}
		for _, want := range []string{"Dockerfile:2", "Dockerfile:3", "Dockerfile:4", "layer 2 deletes it, but its bytes stay in layer 1"} {
			if !strings.Contains(out, want) {
				t.Errorf("output lacks %q:\n%s", want, out)
			}
		}
	})
	t.Run("two images, one Dockerfile", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "json", "--dockerfile", df, save, multi)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr:\n%s", code, errs)
		}
		var doc struct {
			Summary struct{ Files int }
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if doc.Summary.Files != 3 {
			t.Errorf("%d files, want the Dockerfile once and the two images", doc.Summary.Files)
		}
	})
	t.Run("sarif", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "sarif", multi)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr:\n%s", code, errs)
		}
		for _, want := range []string{`"ruleId": "image-secret-file"`, `"id": "image-secret-history"`, `"version": "2.1.0"`} {
			if !strings.Contains(out, want) {
				t.Errorf("SARIF lacks %s", want)
			}
		}
	})
	t.Run("checkstyle", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "checkstyle", "--dockerfile", df, save)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr:\n%s", code, errs)
		}
		var cs struct {
			Files []struct {
				Name   string `xml:"name,attr"`
				Errors []struct {
					Line   int    `xml:"line,attr"`
					Source string `xml:"source,attr"`
				} `xml:"error"`
			} `xml:"file"`
		}
		if err := xml.Unmarshal([]byte(out), &cs); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if len(cs.Files) == 0 || !strings.HasSuffix(cs.Files[0].Name, "Dockerfile") || cs.Files[0].Errors[0].Line < 2 {
			t.Errorf("want findings on the Dockerfile's lines:\n%s", out)
		}
	})
	t.Run("gitlab", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "gitlab", save)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr:\n%s", code, errs)
		}
		var issues []struct {
			CheckName   string `json:"check_name"`
			Fingerprint string
			Location    struct{ Path string }
		}
		if err := json.Unmarshal([]byte(out), &issues); err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		seen := map[string]bool{}
		for _, is := range issues {
			if is.Fingerprint == "" || seen[is.Fingerprint] || !strings.HasPrefix(is.CheckName, "image-") || !strings.HasSuffix(is.Location.Path, "image.tar") {
				t.Errorf("issue %+v", is)
			}
			seen[is.Fingerprint] = true
		}
		if len(issues) != 4 {
			t.Errorf("%d issues, want the 4 of the JSON report", len(issues))
		}
	})
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"truncated", []string{truncated}, "truncated"},
		{"missing", []string{filepath.Join(dir, "nope.tar")}, "no such file"},
		{"no image", nil, "name at least one image"},
		{"platform not in the index", []string{"--platform", "linux/s390x", multi}, "linux/arm64, linux/amd64"},
		{"bad platform", []string{"--platform", "amd64", multi}, "want os/arch"},
		{"unparsable dockerfile", []string{"--dockerfile", save, save}, "BuildKit cannot parse it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs, code := runImageCmd(t, tc.args...)
			if code != exitError || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, exitError, tc.want)
			}
		})
	}
}

// TestImageEnableDisable: stowaway image takes --enable and --disable as
// scan does: a disabled rule reports nothing and leaves the rule list, an
// enabled one (on already: an image reads no configuration) changes
// nothing, and the same IDs are refused with the same messages.
func TestImageEnableDisable(t *testing.T) {
	save := filepath.Join(t.TempDir(), "image.tar")
	if err := imagetest.WriteDockerSave(save, imagetest.NPMImage(t, "")); err != nil {
		t.Fatal(err)
	}
	type report struct {
		Findings []struct{ Rule string }
	}
	for _, tc := range []struct {
		name  string
		flags []string
		want  map[string]int // findings per rule
		code  int
	}{
		{"all", nil, map[string]int{"image-secret-history": 2, "image-secret-file": 2}, exitFindings},
		{"enable an image rule", []string{"--enable", "image-secret-file"}, map[string]int{"image-secret-history": 2, "image-secret-file": 2}, exitFindings},
		{"disable one", []string{"--disable", "image-secret-file"}, map[string]int{"image-secret-history": 2}, exitFindings},
		{"disable two, repeated", []string{"--disable", "image-secret-file", "--disable=image-secret-history"}, map[string]int{}, exitOK},
		{"a rule the image does not run", []string{"--disable", "secret-env,broad-copy"}, map[string]int{"image-secret-history": 2, "image-secret-file": 2}, exitFindings},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, errs, code := runImageCmd(t, append(append([]string{"--format", "json"}, tc.flags...), save)...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, errs)
			}
			var doc report
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			got := map[string]int{}
			for _, f := range doc.Findings {
				got[f.Rule]++
			}
			if !maps.Equal(got, tc.want) {
				t.Errorf("findings per rule %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("sarif lists the rules that ran", func(t *testing.T) {
		out, errs, code := runImageCmd(t, "--format", "sarif", "--disable", "image-secret-file", save)
		if code != exitFindings {
			t.Fatalf("exit %d; stderr:\n%s", code, errs)
		}
		if strings.Contains(out, `"image-secret-file"`) || !strings.Contains(out, `"id": "image-secret-history"`) {
			t.Errorf("SARIF should list image-secret-history and not image-secret-file:\n%s", out)
		}
	})
	for _, tc := range []struct{ flag, want string }{
		{"--disable=image-secret-files", `invalid value "image-secret-files" for flag -disable: unknown rule "image-secret-files" (rules: secret-env, `},
		{"--enable=image-secret-file,", `invalid value "image-secret-file," for flag -enable: unknown rule "" (rules: `},
		{"--disable=dockerignore-gap", "dockerignore-gap is retired"},
	} {
		out, errs, code := runImageCmd(t, tc.flag, save)
		if code != exitError || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want %d and %q", tc.flag, code, out, errs, exitError, tc.want)
		}
	}
	_, errs, code := runImageCmd(t, "--enable", "image-secret-file", "--disable", "image-secret-file", save)
	if want := "image-secret-file is both enabled and disabled"; code != exitError || !strings.Contains(errs, want) {
		t.Errorf("both: exit %d, stderr %q; want %d and %q", code, errs, exitError, want)
	}
}
