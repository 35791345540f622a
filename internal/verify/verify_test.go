package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPlanBuild(t *testing.T) {
	src := `ARG BASE=node:22
ARG REGISTRY_TOKEN
FROM ${BASE} AS build
ARG NPM_TOKEN
ARG MODE=prod
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci
RUN --mount=type=secret,target=/run/secrets/gh.txt true
FROM build AS test
FROM scratch AS empty
FROM jenkins/agent:latest
COPY --from=build /app /app
COPY --from=alpine/git:2.45 /usr/bin/git /usr/bin/git
COPY --from=0 /app /app2
`
	p, err := PlanBuild("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"node:22", "jenkins/agent:latest", "alpine/git:2.45"}, p.Images); diff != "" {
		t.Errorf("images (-want +got):\n%s", diff)
	}
	var args, secrets []string
	for k, v := range p.Args {
		if !strings.HasPrefix(v, MarkerPrefix+"arg-"+k+"-") {
			t.Errorf("arg %s: marker %q", k, v)
		}
		args = append(args, k)
	}
	for k := range p.Secrets {
		secrets = append(secrets, k)
	}
	// BASE feeds FROM and MODE has a default: neither gets a marker.
	if diff := cmp.Diff([]string{"NPM_TOKEN", "REGISTRY_TOKEN"}, sortedStrings(args)); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"gh.txt", "npmrc"}, sortedStrings(secrets)); diff != "" {
		t.Errorf("secrets (-want +got):\n%s", diff)
	}
	// Only the last stage ships its history; it inherits from no stage.
	for line, want := range map[int]bool{4: false, 8: false, 10: true, 13: true} {
		if got := p.InShipped(line); got != want {
			t.Errorf("InShipped(%d) = %v, want %v", line, got, want)
		}
	}
}

func sortedStrings(s []string) []string {
	m := map[string]string{}
	for _, v := range s {
		m[v] = v
	}
	return sortedKeys(m)
}

func TestPlanBuildInheritedStagesShip(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine AS base\nENV A=1\nFROM golang AS tool\nRUN true\nFROM base\nRUN true\n"))
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[int]bool{2: true, 4: false, 6: true} {
		if got := p.InShipped(line); got != want {
			t.Errorf("InShipped(%d) = %v, want %v", line, got, want)
		}
	}
}

// writeOCI writes a one-manifest OCI tarball as BuildKit's type=oci output
// does: the base layer first, then the given layers (path -> content).
func writeOCI(t *testing.T, history []string, env []string, layers ...map[string]string) (file string, base string) {
	t.Helper()
	var out bytes.Buffer
	tw := tar.NewWriter(&out)
	add := func(name string, b []byte) {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(b)
	}
	blob := func(b []byte) string {
		d := fmt.Sprintf("sha256:%x", sha256.Sum256(b))
		add("blobs/sha256/"+d[7:], b)
		return d
	}
	var descs []map[string]string
	for _, files := range append([]map[string]string{{"bin/busybox": "stowaway-marker-in-base"}}, layers...) {
		var lb bytes.Buffer
		zw := gzip.NewWriter(&lb)
		lt := tar.NewWriter(zw)
		for name, content := range files {
			lt.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(content)), Typeflag: tar.TypeReg})
			lt.Write([]byte(content))
		}
		lt.Close()
		zw.Close()
		descs = append(descs, map[string]string{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": blob(lb.Bytes())})
	}
	var hist []map[string]string
	for _, h := range history {
		hist = append(hist, map[string]string{"created_by": h})
	}
	cfg, _ := json.Marshal(map[string]any{"config": map[string]any{"Env": env}, "history": hist})
	man, _ := json.Marshal(map[string]any{"config": map[string]string{"digest": blob(cfg)}, "layers": descs})
	idx, _ := json.Marshal(map[string]any{"manifests": []map[string]string{{"digest": blob(man)}}})
	add("index.json", idx)
	tw.Close()
	file = filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(file, out.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return file, descs[0]["digest"]
}

func TestReadImage(t *testing.T) {
	auth := base64.StdEncoding.EncodeToString([]byte("ci:stowaway-marker-secret-t-1"))
	file, base := writeOCI(t,
		[]string{"COPY / / # buildkit", "RUN |1 NPM_TOKEN=stowaway-marker-arg-NPM_TOKEN-1 /bin/sh -c npm ci"},
		[]string{"API_KEY=in-the-config"},
		map[string]string{"root/.docker/config.json": `{"auths":{"r":{"auth":"` + auth + `"}}}`},
		map[string]string{"app/.npmrc": "//registry/:_authToken=stowaway-marker-secret-npmrc-1"},
	)
	img, err := ReadImage(file, map[string]bool{base: true})
	if err != nil {
		t.Fatal(err)
	}
	for value, want := range map[string]string{
		"stowaway-marker-arg-NPM_TOKEN-1":  "history 1",
		"in-the-config":                    "config",
		"stowaway-marker-secret-npmrc-1":   "layer 2:/app/.npmrc",
		"stowaway-marker-secret-t-1":       "layer 1:/root/.docker/config.json (base64-decoded)",
		"stowaway-marker-in-base":          "",
		"stowaway-marker-nowhere-in-image": "",
	} {
		got := strings.Join(img.Where(value), ", ")
		if got != want {
			t.Errorf("Where(%q) = %q, want %q", value, got, want)
		}
	}
}

func TestCompareDirect(t *testing.T) {
	repo := t.TempDir()
	dir := filepath.Join(repo, "c")
	os.MkdirAll(dir, 0o755)
	df := "FROM alpine:3.20\nARG NPM_TOKEN\nRUN --mount=type=secret,id=gh true\nENV API_KEY=ghp_FAKEfakeFAKEfake0123456789abcdefABCD\n"
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(df), 0o644)
	st, err := ScanStatic(repo, caseRoot{dir: "c"})
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanBuild("Dockerfile", []byte(df))
	if err != nil {
		t.Fatal(err)
	}
	c := Case{Name: "c/Dockerfile", Root: "c", Dockerfile: "Dockerfile", Context: "."}
	arg, gh := p.Args["NPM_TOKEN"], p.Secrets["gh"]

	// What the rules say: the ARG's value in history, the ENV in the config.
	agree := &Image{Config: []byte(`{"Env":["API_KEY=ghp_FAKEfakeFAKEfake0123456789abcdefABCD"]}`), History: []string{"ARG NPM_TOKEN=" + arg}}
	if v := CompareDirect(c, p, st, agree, dir); len(v.Disagree) != 0 || v.Confirmed != 2 {
		t.Errorf("agreeing image: confirmed %d, disagreements %q", v.Confirmed, v.Disagree)
	}
	// The ENV missing, and a secret the scan did not report in a layer.
	disagree := &Image{Config: []byte(`{}`), History: []string{"ARG NPM_TOKEN=" + arg}, Files: map[string][]byte{"layer 1:/root/gh": []byte(gh)}}
	v := CompareDirect(c, p, st, disagree, dir)
	want := []string{
		"Dockerfile:4 secret-env: reported as shipping, but its value (ghp_…(40 chars)) is nowhere in the image",
		`secret "gh" ends up in layer 1:/root/gh, and no finding names it`,
	}
	if diff := cmp.Diff(want, v.Disagree); diff != "" {
		t.Errorf("disagreements (-want +got):\n%s", diff)
	}
}

func TestReadExpected(t *testing.T) {
	f := filepath.Join(t.TempDir(), "expected")
	os.WriteFile(f, []byte("# comment\n\na/Dockerfile COPY source x is not part of the test case\n"), 0o644)
	got, err := ReadExpected(f)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"a/Dockerfile": "COPY source x is not part of the test case"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	os.WriteFile(f, []byte("a/Dockerfile\n"), 0o644)
	if _, err := ReadExpected(f); err == nil {
		t.Error("an entry without a reason was accepted")
	}
}

func TestMaskRedactsBuildKitErrors(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM alpine\nRUN echo glpat-FAKEfakeTEST1234abcd\n"), 0o644)
	st := &Static{Secrets: map[string][]string{"k": {"s3cr3t-value-xyz"}}}
	got := mask("unknown instruction: glpat-FAKEfakeTEST1234abcd s3cr3t-value-xyz", st, dir)
	if strings.Contains(got, "FAKEfake") || strings.Contains(got, "s3cr3t") {
		t.Errorf("mask left a value: %q", got)
	}
}

func TestCompareReports(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine AS build\nENV A=1\nFROM alpine\nENV B=2\nENV C=3\nENV D=4\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := Case{Dockerfile: "Dockerfile"}
	var static, image jsonReport
	// Line 2 is in a builder: its history does not ship. Line 4 is found
	// by both (the image under the absolute path), line 5 by the scan
	// only, line 6 by the image only; line 6's suppressed static note
	// still counts as reported.
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"secret-env","level":"error","path":"Dockerfile","line":2,"suppressed":null},
		{"rule":"secret-env","level":"error","path":"Dockerfile","line":4,"suppressed":null},
		{"rule":"secret-env","level":"error","path":"Dockerfile","line":5,"suppressed":null},
		{"rule":"secret-env","level":"note","path":"Dockerfile","line":6,"suppressed":{"kind":"inSource"}}]}`), &static)
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"image-secret","level":"error","path":"/repo/c/Dockerfile","line":4,"evidence":"ghp_…(40 chars)"},
		{"rule":"image-secret","level":"error","path":"Dockerfile","line":6,"evidence":"AKIA…(20 chars)"},
		{"rule":"image-secret","level":"error","path":"Dockerfile","line":7,"message":"Env \"T\" holds a token","evidence":"glpa…(26 chars)"}]}`), &image)
	got := compareReports(&static, &image, c, p, "/repo/c/Dockerfile")
	want := []string{
		"Dockerfile:5 secret-env: static error, but `stowaway image` reports nothing on that line",
		"Dockerfile:7 image-secret: `stowaway image` reports \"Env \\\"T\\\" holds a token\" (glpa…(26 chars)), the static scan nothing",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPlanBuildNeverFetches: a Dockerfile that would make buildkitd fetch
// from the network is never built.
func TestPlanBuildNeverFetches(t *testing.T) {
	for _, src := range []string{
		"FROM alpine\nADD https://example.com/app.tar.gz /app/\n",
		"FROM alpine\nADD git@github.com:acme/app.git /src\n",
	} {
		if _, err := PlanBuild("Dockerfile", []byte(src)); !errors.Is(err, errRemote) {
			t.Errorf("PlanBuild(%q): %v, want errRemote", src, err)
		}
	}
	if _, err := PlanBuild("Dockerfile", []byte("FROM alpine\nADD app.tar.gz /app/\n")); err != nil {
		t.Errorf("a local ADD: %v", err)
	}
}

// TestCompareReportsBuildArgs: BuildKit records a build argument on every
// RUN; the image's findings of it there answer for the scan's finding on
// the ARG line, and the scan's for them. A build argument the scan does not
// report stays a disagreement. hardcoded-secret and secret-mount-persisted
// are answered by the direct comparison.
func TestCompareReportsBuildArgs(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine\nARG NPM_TOKEN\nARG OTHER\nRUN npm ci\nRUN echo password=x\nRUN --mount=type=secret,id=k cp /run/secrets/k /k\n"))
	if err != nil {
		t.Fatal(err)
	}
	c := Case{Dockerfile: "Dockerfile"}
	var static, image jsonReport
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"secret-arg","level":"error","path":"Dockerfile","line":2,"suppressed":null},
		{"rule":"hardcoded-secret","level":"error","path":"Dockerfile","line":5,"suppressed":null},
		{"rule":"secret-mount-persisted","level":"error","path":"Dockerfile","line":6,"suppressed":null}]}`), &static)
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"image-secret-history","level":"error","path":"Dockerfile","line":4,"evidence":"stow…(38 chars)","message":"history entry 3 (RUN, line 4) records build argument \"NPM_TOKEN\" with a credential value"},
		{"rule":"image-secret-history","level":"error","path":"Dockerfile","line":5,"evidence":"stow…(38 chars)","message":"history entry 4 (RUN, line 5) records build argument \"NPM_TOKEN\" with a credential value"},
		{"rule":"image-secret-history","level":"error","path":"Dockerfile","line":4,"evidence":"stow…(36 chars)","message":"history entry 3 (RUN, line 4) records build argument \"OTHER\" with a credential value"}]}`), &image)
	got := compareReports(&static, &image, c, p, "/repo/c/Dockerfile")
	want := []string{
		"Dockerfile:4 image-secret-history: `stowaway image` reports \"history entry 3 (RUN, line 4) records build argument \\\"OTHER\\\" with a credential value\" (stow…(36 chars)), the static scan nothing",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCompareReportsByInstruction: the scan reports a value on its own
// line of a continued instruction, the image on the instruction's first.
func TestCompareReportsByInstruction(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine\nENV A=1 \\\n    B=2\nENV C=3\n"))
	if err != nil {
		t.Fatal(err)
	}
	var static, image jsonReport
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"secret-env","level":"error","path":"Dockerfile","line":3,"suppressed":null},
		{"rule":"secret-env","level":"error","path":"Dockerfile","line":4,"suppressed":null}]}`), &static)
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"image-secret-config","level":"error","path":"Dockerfile","line":2,"evidence":"ghp_…(40 chars)"}]}`), &image)
	got := compareReports(&static, &image, Case{Dockerfile: "Dockerfile"}, p, "/repo/c/Dockerfile")
	want := []string{"Dockerfile:4 secret-env: static error, but `stowaway image` reports nothing on that line"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestShippedForms: a value reported as written is looked for as the image
// gets it: without the escape character, and with $$, $1 and unset
// references expanded to nothing by BuildKit's lexer.
func TestShippedForms(t *testing.T) {
	for val, want := range map[string]string{
		"Str0ng`$Passw0rd":     "Str0ng$Passw0rd",
		"k3j9$$x2Qm7LpR4vB8nT": "k3j9x2Qm7LpR4vB8nT",
		"w8Zq$1p3Lm9Xv2Rk7Tn5": "w8Zqp3Lm9Xv2Rk7Tn5",
	} {
		if got := shippedForms(val, '`'); !slices.Contains(got, want) && !slices.Contains(shippedForms(val, '\\'), want) {
			t.Errorf("shippedForms(%q) = %q, want %q among them", val, got, want)
		}
	}
}

// TestCompareReportsCopiedOut: a file written in a builder ships with the
// COPY --from that takes it; the scan names that COPY as a related
// location, and the image finds the file in its layer. A related location
// that is no COPY (the RUN that removes a file) moves nothing.
func TestCompareReportsCopiedOut(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine AS build\nRUN write-npmrc\nRUN rm x\nFROM alpine\nCOPY --from=build /app /app\nRUN true\n"))
	if err != nil {
		t.Fatal(err)
	}
	var static, image jsonReport
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"secret-file-copied","level":"error","path":"Dockerfile","line":2,"suppressed":null,"related":[{"path":"Dockerfile","line":5},{"path":"Dockerfile","line":3}]},
		{"rule":"secret-file-copied","level":"error","path":"Dockerfile","line":3,"suppressed":null,"related":[{"path":"Dockerfile","line":6}]}]}`), &static)
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"image-secret-file","level":"error","path":"Dockerfile","line":5,"message":"Layer 1 holds /app/.npmrc"},
		{"rule":"image-secret-file","level":"error","path":"Dockerfile","line":6,"message":"Layer 2 holds /app/.netrc"}]}`), &image)
	got := compareReports(&static, &image, Case{Dockerfile: "Dockerfile"}, p, "/repo/c/Dockerfile")
	want := []string{"Dockerfile:6 image-secret-file: `stowaway image` reports \"Layer 2 holds /app/.netrc\" (no value shown), the static scan nothing"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestCompareReportsSecretContent: a finding whose only value is a mounted
// secret's content (the verifier's marker, of no credential's form) is
// left to the direct comparison; one with a value is not. A comment inside
// a RUN, which BuildKit drops, is no claim about the image.
func TestCompareReportsSecretContent(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("FROM alpine\nRUN --mount=type=secret,id=npmrc cp /run/secrets/npmrc /root/.npmrc\nRUN rm /root/.npmrc\nRUN true \\\n # https://ci:Hx9vQ2mLz7Rt@proxy.example.com\n && true\n"))
	if err != nil {
		t.Fatal(err)
	}
	var static, image jsonReport
	json.Unmarshal([]byte(`{"findings":[
		{"rule":"deleted-later","level":"error","path":"Dockerfile","line":2,"message":"RUN copies secret \"npmrc\" at /root/.npmrc","evidence":"","suppressed":null},
		{"rule":"deleted-later","level":"error","path":"Dockerfile","line":3,"message":"RUN writes \"npmrc\"","evidence":"npm_…(40 chars)","suppressed":null},
		{"rule":"url-credentials","level":"error","path":"Dockerfile","line":5,"message":"a password in a URL","evidence":"Hx9v…(12 chars)","suppressed":null}]}`), &static)
	got := compareReports(&static, &image, Case{Dockerfile: "Dockerfile"}, p, "/repo/c/Dockerfile")
	want := []string{"Dockerfile:3 deleted-later: static error, but `stowaway image` reports nothing on that line"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestPlanBuildGlobalDefault: a stage's ARG without a default takes the
// global ARG's: the case plants that, so it gets no marker.
func TestPlanBuildGlobalDefault(t *testing.T) {
	p, err := PlanBuild("Dockerfile", []byte("ARG DB_URL=postgres://app:FakePassw0rd@db/app\nFROM alpine\nARG DB_URL\nARG TOKEN\nENV DB_URL=$DB_URL\n"))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"TOKEN"}, sortedKeys(p.Args)); diff != "" {
		t.Errorf("args (-want +got):\n%s", diff)
	}
}
